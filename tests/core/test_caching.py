"""The one in-process cache (`surveyapp.caching.LRUCache`): bounded, LRU order, thread safe."""

from __future__ import annotations

import threading

import pytest

from surveyapp.caching import LRUCache


def test_bounded_evicts_least_recently_used() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)  # evicts "b", not "a"
    assert len(cache) == 2
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3


def test_put_existing_key_refreshes_it() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)  # replaces and makes "a" the most recent
    cache.put("c", 3)
    assert "b" not in cache
    assert cache.get("a") == 10


def test_contains_does_not_count_as_use() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    cache.put("c", 3)
    assert "a" not in cache


def test_counts_hits_and_misses_and_clear_resets() -> None:
    cache: LRUCache[str, int] = LRUCache(3)
    assert cache.get("x") is None
    cache.put("x", 1)
    assert cache.get("x") == 1
    info = cache.info()
    assert (info.hits, info.misses, info.size, info.maxsize) == (1, 1, 1, 3)
    cache.clear()
    assert cache.info() == type(info)(0, 0, 0, 3)


def test_get_or_create_calls_factory_only_on_miss() -> None:
    cache: LRUCache[int, list[int]] = LRUCache(4)
    calls: list[int] = []

    def make() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = cache.get_or_create(7, make)
    second = cache.get_or_create(7, make)
    assert first is second
    assert calls == [1]


def test_rejects_empty_cache() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LRUCache(0)


def test_threads_never_exceed_the_bound_nor_lose_the_order() -> None:
    """Eight real threads hammer one small cache; the map is never corrupted (an unlocked
    OrderedDict raises on concurrent move_to_end/popitem), stays bounded, and every value
    read is the one stored under its key."""
    cache: LRUCache[int, int] = LRUCache(16)
    errors: list[BaseException] = []
    sizes: list[int] = []
    start = threading.Barrier(8)

    def work(seed: int) -> None:
        try:
            start.wait()
            for i in range(4000):
                key = (seed * 7 + i) % 40
                got = cache.get(key)
                if got is not None and got != key * key:
                    raise AssertionError(f"key {key} holds {got}")
                if got is None:
                    cache.put(key, key * key)
                if i % 250 == 0:
                    sizes.append(len(cache))
        except BaseException as exc:  # noqa: BLE001 (collected and re-raised in the test thread)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert max(sizes) <= 16
    info = cache.info()
    assert info.size == 16
    assert info.hits + info.misses == 8 * 4000
