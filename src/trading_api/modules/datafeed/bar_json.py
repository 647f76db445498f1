"""JSON text of wire bars, formatted once per bar (the warm history path: serialize once).

`GET /bars` answers repeat: charts page back and forth over the same history. Formatting a
bar (four float ``repr``s) costs ten times a dictionary lookup, so each bar's text is kept,
keyed by the bar itself: equal values give equal text, and a forming bar that moved is simply
another key.
"""

from __future__ import annotations

from trading_api.modules.datafeed.aggregate import RawBar

DEFAULT_CAPACITY = 50_000
"""Bars whose text is kept (about 10 MB); past it the memo starts again empty."""


def format_bars(bars: list[RawBar]) -> list[str]:
    """The wire `Bar` object of each bar (times in ms), as `json.dumps` would write it.

    An f-string is the fastest formatter; ``repr`` of a float is what `json.dumps` writes for
    it, and the values are finite by construction.
    """
    return [
        f'{{"time":{t * 1000},"open":{o!r},"high":{h!r},"low":{lo!r},'
        f'"close":{c!r},"volume":{v!r}}}'
        for t, o, h, lo, c, v in bars
    ]


class BarTexts:
    """Memo bar → JSON text, bounded in entries; safe to share between request threads.

    Threads may format a bar twice or drop the memo while another reads it: each keeps its
    own reference to the dictionary it filled, so every answer is complete.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._texts: dict[RawBar, str] = {}

    def join(self, bars: list[RawBar]) -> str:
        """The bars' texts joined by commas (the inside of the ``bars`` array)."""
        texts = self._texts
        try:
            return ",".join(map(texts.__getitem__, bars))
        except KeyError:
            pass
        # Older bars known (e.g. only the forming bar moved): format what is missing;
        # otherwise (a range never served) format everything in one pass.
        missing = [bar for bar in bars if bar not in texts] if bars[0] in texts else bars
        if len(texts) + len(missing) > self.capacity:
            texts = self._texts = {}
            missing = bars
        texts.update(zip(missing, format_bars(missing), strict=True))
        return ",".join(map(texts.__getitem__, bars))

    def __len__(self) -> int:
        return len(self._texts)
