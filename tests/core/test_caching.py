"""The one in-process cache (`surveyapp.caching.LRUCache`): bounded, LRU order, thread safe."""

from __future__ import annotations

import threading
from collections import OrderedDict

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


class _Guarded(OrderedDict):
    """The cache's map, checking that every read or change happens with the cache's lock held
    (CPython's GIL makes an unlocked OrderedDict race only rarely, so a stress test alone
    would pass without the lock; this makes a missing lock fail every time)."""

    lock: threading.Lock

    def _check(self) -> None:
        if not self.lock.locked():
            raise AssertionError("the cache's map was used without its lock")

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        self._check()
        super().__setitem__(key, value)

    def __contains__(self, key):
        self._check()
        return super().__contains__(key)

    def __len__(self):
        self._check()
        return super().__len__()

    def move_to_end(self, key, last=True):
        self._check()
        super().move_to_end(key, last)

    def popitem(self, last=True):
        self._check()
        return super().popitem(last)

    def clear(self):
        self._check()
        super().clear()


def test_threads_use_the_map_only_under_the_lock_and_stay_bounded() -> None:
    """Eight real threads hammer one small cache: every access to the map holds the lock,
    the cache stays bounded, every value read is the one stored under its key, and no
    lookup is lost from the counts."""
    cache: LRUCache[int, int] = LRUCache(16)
    guarded: _Guarded = _Guarded()
    guarded.lock = cache._lock
    cache._data = guarded
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


def test_a_slow_value_does_not_block_other_keys() -> None:
    """`get_or_create` computes without the lock: while one thread builds a value, another
    reads and stores other keys."""
    cache: LRUCache[str, str] = LRUCache(4)
    building, release = threading.Event(), threading.Event()

    def slow() -> str:
        building.set()
        release.wait(30)
        return "slow"

    builder = threading.Thread(target=lambda: cache.get_or_create("a", slow))
    builder.start()
    assert building.wait(30)
    other = threading.Thread(target=lambda: (cache.put("b", "fast"), cache.get("b")))
    other.start()
    other.join(10)
    finished_while_building = not other.is_alive()
    release.set()
    builder.join(30)
    other.join(30)
    assert finished_while_building
    assert (cache.get("a"), cache.get("b")) == ("slow", "fast")
