"""The standalone client package of `generate --output-dir DIR`: runtime and models, copied.

`DIR/trading_api_client/` gets the generated clients (and streams) like the package does, plus
copies of `trading_api.client_runtime` and `trading_api.models` whose imports of either are
made relative, and an `__init__` re-exporting the clients index. Nothing else of trading-api is
needed: the copy imports only pydantic, httpx and websockets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from trading_api.codegen.index import GENERATED_HEADER

COPIED_PACKAGES = ("client_runtime", "models")
_ABSOLUTE = re.compile(r"^(\s*from\s+)trading_api\.((?:client_runtime|models)\b[\w.]*)", re.M)
_INIT = f'''{GENERATED_HEADER}
"""trading-api clients, exported by `trading-api generate --output-dir`: needs only pydantic,
httpx and websockets. Every client, stream and error is importable from here."""

from .clients import *  # noqa: F403
from .clients import __all__ as __all__
'''


def export_files(package_root: Path, export_root: Path) -> Iterator[tuple[Path, str]]:
    """(destination, content) of every file the export package needs besides the clients."""
    yield export_root / "__init__.py", _INIT
    yield export_root / "py.typed", ""
    for name in COPIED_PACKAGES:
        for source in sorted((package_root / name).rglob("*.py")):
            relative = source.relative_to(package_root)
            text = source.read_text(encoding="utf-8")
            yield export_root / relative, relative_imports(text, len(relative.parts))


def relative_imports(source: str, dots: int) -> str:
    """`from trading_api.models.x import y` → `from ...models.x import y`; `dots` leads from the
    file back to the package root (3 for `models/broker/account.py`, 2 for `models/errors.py`)."""
    return _ABSOLUTE.sub(lambda match: f"{match.group(1)}{'.' * dots}{match.group(2)}", source)
