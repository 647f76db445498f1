"""JSON text of wire bars, formatted once per bar (the warm history path: serialize once).

`GET /bars` answers repeat: charts page back and forth over the same history. Each bar's text
is kept, keyed by the bar itself: equal values give equal text, and a forming bar that moved is
simply another key.

A bar is formatted as `json.dumps` would write it (floats by ``repr``): pydantic-core's encoder
writes the numbers of every bar in one call — its shortest round-trip floats have ``repr``'s
digits and spelling from 1e-4 on — and a bytes template puts each bar's six into an object.
Writing ``repr`` for each of them costs several times as much (tests pin the bytes equal).
"""

from __future__ import annotations

from itertools import chain

from pydantic_core import to_json

from trading_api.modules.datafeed.aggregate import RawBar

DEFAULT_CAPACITY = 50_000
"""Bars whose text is kept (about 10 MB); past it the memo starts again empty."""

_BAR = b'{"time":%b000,"open":%b,"high":%b,"low":%b,"close":%b,"volume":%b}'
"""Times in ms are the seconds' digits and ``000`` (but for 0 s, which goes through ``repr``)."""
_NOT_REPR = (b"0.0000", b"e-")
"""How the encoder writes a value below 1e-4 (``0.00001``, ``1e-7``), where ``repr`` writes
``1e-05``: bars holding such a value (or, harmlessly, e.g. ``10.00001``) go through ``repr``."""


def format_bars(bars: list[RawBar]) -> list[bytes]:
    """The wire `Bar` object of each bar (times in ms), as `json.dumps` would write it.

    Values are finite by construction (simulated, or checked when a file is read).
    """
    values: list[float] = list(chain.from_iterable(bars))
    numbers = to_json(values)[1:-1]
    if any(marker in numbers for marker in _NOT_REPR) or 0 in values[::6]:
        return [_repr_bar(bar) for bar in bars]
    fields = numbers.split(b",")
    return list(map(_BAR.__mod__, zip(*[iter(fields)] * 6, strict=True)))


def _repr_bar(bar: RawBar) -> bytes:
    t, o, h, lo, c, v = bar
    return (
        f'{{"time":{t * 1000},"open":{o!r},"high":{h!r},"low":{lo!r},'
        f'"close":{c!r},"volume":{v!r}}}'
    ).encode()


class BarTexts:
    """Memo bar → JSON text, bounded in entries; safe to share between request threads.

    Threads may format a bar twice or drop the memo while another reads it: each keeps its
    own reference to the dictionary it filled, so every answer is complete.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._texts: dict[RawBar, bytes] = {}

    def join(self, bars: list[RawBar]) -> bytes:
        """The bars' texts joined by commas (the inside of the ``bars`` array)."""
        texts = self._texts
        try:
            return b",".join(map(texts.__getitem__, bars))
        except KeyError:
            pass
        # Older bars known (e.g. only the forming bar moved): format what is missing;
        # otherwise (a range never served) format everything in one pass.
        missing = [bar for bar in bars if bar not in texts] if bars[0] in texts else bars
        if len(texts) + len(missing) > self.capacity:
            texts = self._texts = {}
            missing = bars
        formatted = format_bars(missing)
        texts.update(zip(missing, formatted, strict=True))
        if missing is bars:
            return b",".join(formatted)
        return b",".join(map(texts.__getitem__, bars))

    def __len__(self) -> int:
        return len(self._texts)
