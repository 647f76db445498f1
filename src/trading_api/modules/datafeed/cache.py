"""A small thread-safe LRU cache bounded by the total weight of its values.

Sources are shared by concurrent requests (FastAPI runs sync code in a thread pool), and
generated bars are large: bounding by weight (bars, minutes) keeps memory predictable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Least-recently-used cache holding at most ``capacity`` units of weight."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get_or_create(self, key: K, create: Callable[[], V], weight: Callable[[V], int]) -> V:
        """The cached value of ``key``; ``create`` runs outside the lock on a miss."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        value = create()
        size = weight(value)
        with self._lock:
            if key not in self._items and size <= self.capacity:
                self._items[key] = (value, size)
                self._weight += size
                while self._weight > self.capacity:
                    _, (_, evicted) = self._items.popitem(last=False)
                    self._weight -= evicted
        return value

    def __len__(self) -> int:
        return len(self._items)
