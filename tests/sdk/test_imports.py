"""`import trading_api.clients` loads the runtime, the models and the generated modules only:
no server package, no module package (they would drag FastAPI and the engines in)."""

from __future__ import annotations

import subprocess
import sys

from support import clean_env

from .venvs import SERVER_PACKAGES

SERVER_CODE = ("trading_api.modules", "trading_api.framework", "trading_api.storage")
PROBE = f"""
import sys
import trading_api.clients
print(*sorted(name for name in sys.modules
              if name.split(".")[0] in sys.argv[1:] or name.startswith({SERVER_CODE!r})))
"""


def test_importing_the_clients_imports_no_server_code() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *SERVER_PACKAGES, "fastapi_offline", "jinja2", "black"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
    )
    assert result.stdout.split() == []
