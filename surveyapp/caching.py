"""The one in-process cache: a small thread-safe least-recently-used map.

Every per-process cache in surveyapp (compiled schemas, export layouts, results reads) is an
`LRUCache`, so they all evict the same way (the least recently used entry goes first once
`maxsize` is reached) and lock the same way (one lock per cache, held only while the map is
read or changed, never while a value is computed). A value computed twice by two threads at
once is harmless here: every cached value is a pure function of its key, and the second
`put` simply replaces the first.

Pure functions of hashable arguments use `functools.lru_cache` instead (e.g.
`engine.inputs.compiled_pattern`); this class is for caches whose key is not the function's
arguments (a schema's SHA-256, a survey's versions and data fingerprint).

Standard library only, so any layer may import it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """A cache's counters: lookups that found a value, lookups that did not, size now."""

    hits: int
    misses: int
    size: int
    maxsize: int


class LRUCache(Generic[K, V]):
    """A bounded, thread-safe, least-recently-used cache."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"an LRU cache holds at least 1 entry (maxsize={maxsize})")
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: K) -> V | None:
        """The value cached under `key` (now the most recently used), or None."""
        with self._lock:
            try:
                value = self._data[key]
            except KeyError:
                self._misses += 1
                return None
            self._data.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        """Cache `value` under `key`, evicting the least recently used entries beyond `maxsize`."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def get_or_create(self, key: K, create: Callable[[], V]) -> V:
        """The cached value, or `create()`'s result, cached (computed without the lock held)."""
        found = self.get(key)
        if found is not None:
            return found
        value = create()
        self.put(key, value)
        return value

    def clear(self) -> None:
        """Forget every entry and reset the counters."""
        with self._lock:
            self._data.clear()
            self._hits = self._misses = 0

    def info(self) -> CacheInfo:
        """The hit and miss counts and the current size."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._data), self.maxsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is cached (does not count as a use)."""
        with self._lock:
            return key in self._data
