"""The weight-bounded LRU cache behind the simulator's generated bars."""

from __future__ import annotations

from trading_api.modules.datafeed.cache import BoundedCache


def test_evicts_least_recently_used_by_weight() -> None:
    cache: BoundedCache[str, list[int]] = BoundedCache(capacity=5)
    calls: list[str] = []

    def make(key: str, size: int) -> list[int]:
        def create() -> list[int]:
            calls.append(key)
            return [0] * size

        return cache.get_or_create(key, create, len)

    make("a", 2)
    make("b", 2)
    make("a", 2)  # hit: "a" becomes the most recent
    make("c", 2)  # 6 > 5: evicts "b"
    assert calls == ["a", "b", "c"]
    make("a", 2)
    make("b", 2)  # rebuilt
    assert calls == ["a", "b", "c", "b"]
    assert make("big", 9) == [0] * 9  # heavier than the capacity: returned, not cached
    assert len(cache) == 2
