"""Whether the generated contracts lag behind the module sources (source checkouts only).

A degraded editable build or a failed live regeneration (`serve --reload`) writes a marker next
to the package with the reason; the next successful generation removes it. The server reads it
to say so in `/api/v1/core/health`. An installed wheel never has one: its build fails instead.
"""

from __future__ import annotations

from pathlib import Path

STALE_MARKER = ".codegen-stale"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the `trading_api` package folder


def marker_path(package_root: Path = PACKAGE_ROOT) -> Path:
    return package_root / STALE_MARKER


def stale_reason(package_root: Path = PACKAGE_ROOT) -> str | None:
    """Why the generated contracts are stale, or None when they match the sources."""
    try:
        text = marker_path(package_root).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or "the last code generation failed"
