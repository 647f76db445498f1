"""Mark the generated contracts stale (degraded dev builds) or current (successful runs)."""

from __future__ import annotations

from pathlib import Path

from trading_api.codegen.files import atomic_write
from trading_api.framework.staleness import PACKAGE_ROOT, marker_path

_RULE = "!" * 78
_WARNING_START = (
    f"{_RULE}\ntrading-api: WARNING: the generated contracts are STALE"
    " (code generation failed):\n  "
)
_WARNING_END = (
    "\n  The previous generated files are kept: specs, clients and the index may not match the"
    "\n  code. Fix the module, then `uv run ...`, `serve --reload` or `trading-api generate`"
    f" regenerates.\n{_RULE}\n"
)


def mark_stale(reason: str, package_root: Path = PACKAGE_ROOT) -> None:
    """Record why generation failed; the previous generated files stay in place."""
    atomic_write(marker_path(package_root), reason.strip() + "\n")


def clear_stale(package_root: Path = PACKAGE_ROOT) -> None:
    marker_path(package_root).unlink(missing_ok=True)


def stale_warning(reason: str) -> str:
    """The loud warning of degraded builds and the dev server: module, file:line, cause."""
    return f"{_WARNING_START}{reason.strip()}{_WARNING_END}"


def startup_warning_pth(package_root: Path = PACKAGE_ROOT) -> str:
    """A `.pth` line printing the warning at every interpreter start while the marker exists.

    A degraded editable build ships it: uv shows no build output when a build succeeds, so the
    warning has to come from the environment the command runs in (`uv run python -c …`).
    """
    marker = str(marker_path(package_root))
    return (
        f"import os, sys; os.path.exists({marker!r}) and sys.stderr.write("
        f"{_WARNING_START!r} + open({marker!r}, encoding='utf-8').read().strip()"
        f" + {_WARNING_END!r})\n"
    )
