"""A small, thread-safe LRU of built expressions, bounded in entries and in tree nodes.

The derivative page sends the same expression again each time the user drags ``x0``; parsing,
differentiating, compiling and printing it is most of a small request's work. What is stored
must be immutable (an :class:`~app.engine.expr.expression.Expression`, strings, tuples), so no
caller can change what the next one gets. Failures are not stored: a rejected expression raises
afresh each time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["BoundedCache"]

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """``get(key, build)``: the stored value, else ``build()`` stored with its ``size``.

    At most ``max_entries`` values whose sizes sum to at most ``max_size`` (the least recently
    used go first; a value larger than ``max_size`` is returned but not stored). Two threads
    missing the same key may both build it; the values are equal and either one is kept.
    """

    def __init__(self, max_entries: int, max_size: int) -> None:
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._max_size = max_size
        self._size = 0
        self.builds = 0  # how many values were built (misses), for tests and benchmarks

    def get(self, key: Hashable, build: Callable[[], tuple[V, int]]) -> V:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit[0]
        value, size = build()  # outside the lock: a slow build does not block hits
        with self._lock:
            self.builds += 1
            if size > self._max_size or key in self._entries:
                return value
            self._entries[key] = (value, size)
            self._size += size
            while len(self._entries) > self._max_entries or self._size > self._max_size:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped
        return value

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The sum of the stored values' sizes."""
        return self._size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
