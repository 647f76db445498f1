"""Test-only fault injection: prove that a crash inside a transaction leaves no half-change.

``TRADING_API_TEST_FAULT=after_fill_write:3`` makes the process exit abruptly (``os._exit``,
like ``kill -9``: no cleanup, no commit) the 3rd time the named point is reached — here,
after a fill's rows were written and before its transaction commits. Unset (always, outside
the crash tests), `reach` does nothing.
"""

from __future__ import annotations

import os

ENV = "TRADING_API_TEST_FAULT"
_point, _, _count = os.environ.get(ENV, "").partition(":")
_remaining = int(_count or 1) if _point else 0


def reach(point: str) -> None:
    """Die here if the environment asked for it (the configured number of times reached)."""
    global _remaining
    if _point != point or _remaining <= 0:
        return
    _remaining -= 1
    if _remaining == 0:
        os._exit(70)
