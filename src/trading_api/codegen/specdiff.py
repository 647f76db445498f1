"""The change log `trading-api generate` prints: each contract change, classified.

Lines come from the classifier in `trading_api.contracts` (the same rules `trading-api
contracts diff` and the pull-request check apply), prefixed with `BREAKING` or `compatible`.
Changes to descriptions and version strings only are reported as metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trading_api.contracts.asyncapi import classify_asyncapi
from trading_api.contracts.changes import Change
from trading_api.contracts.openapi import classify_openapi
from trading_api.contracts.schemas import strip_metadata

JSON = dict[str, Any]
METADATA_ONLY = "metadata only (descriptions, titles or version strings)"
UNITEMISED = "other structural changes (not itemised)"


def diff_openapi(old: JSON, new: JSON) -> list[str]:
    """Lines describing how `new` differs from `old` (empty when equal)."""
    return _diff(old, new, classify_openapi)


def diff_asyncapi(old: JSON, new: JSON) -> list[str]:
    return _diff(old, new, classify_asyncapi)


def log_line(change: Change) -> str:
    return f"{'BREAKING' if change.breaking else 'compatible'}: {change.line}"


def _diff(old: JSON, new: JSON, classify: Callable[[JSON, JSON], list[Change]]) -> list[str]:
    if old == new:
        return []
    if strip_metadata(old) == strip_metadata(new):
        return [METADATA_ONLY]
    return [log_line(change) for change in classify(old, new)] or [UNITEMISED]
