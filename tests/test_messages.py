"""What a user reads when something is missing or misconfigured: the fix, not a bare traceback.

Missing extras are simulated in a subprocess by setting `sys.modules[name] = None`, which makes
both `import name` and `importlib.util.find_spec(name)` fail as for an uninstalled package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, clean_env

from trading_api.app import create_app
from trading_api.framework.discovery import ModuleStartError


def _run_without(modules: list[str], code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter where `modules` cannot be imported."""
    blocker = "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in modules)
    return subprocess.run(
        [sys.executable, "-c", blocker + code],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_importing_the_clients_without_httpx_names_the_clients_extra() -> None:
    result = _run_without(["httpx"], "import trading_api.clients")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        'ImportError: the trading-api clients need httpx: pip install "trading-api[clients]"'
    )


@pytest.mark.parametrize("tool", ["jinja2", "black", "isort"])
def test_generate_without_a_codegen_tool_names_the_codegen_extra(tool: str, tmp_path: Path) -> None:
    output = tmp_path / "out"
    code = (
        "from trading_api.cli import main\n"
        f"sys.exit(main(['generate', '--output-dir', {str(output)!r}]))\n"
    )
    result = _run_without([tool], code)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("trading-api: error:") and tool in error
    assert "trading-api[codegen]" in error
    assert not output.exists(), "nothing is written when a tool is missing"


@pytest.mark.parametrize(
    ("variable", "value", "owner"),
    [
        ("TRADING_API_DATAFEED_SEED", "abc", "datafeed"),
        ("TRADING_API_DATAFEED_TICK_INTERVAL", "0", "datafeed"),
        ("TRADING_API_DATAFEED_DATA_DIR", "/nonexistent/market-data", "datafeed"),
        ("TRADING_API_BROKER_QUOTE_INTERVAL", "-1", "broker"),
    ],
)
def test_a_bad_setting_is_blamed_on_the_module_that_owns_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, owner: str
) -> None:
    # the broker attaches first and makes the datafeed read its settings (in-process quotes)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ModuleStartError) as raised:
        create_app(["broker", "datafeed"])
    assert str(raised.value).startswith(f"module '{owner}' cannot start: ")
    assert value in str(raised.value)
