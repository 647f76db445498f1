"""The editable loop with uv: edits to a module regenerate its client; no edit, no rebuild."""

from __future__ import annotations

import subprocess

import pytest
from support import clean_env, copy_tree

pytestmark = pytest.mark.slow


def _uv(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["uv", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result


def test_uv_sync_regenerates_after_an_edit_and_not_without_one(tmp_path):
    tree = copy_tree(tmp_path / "tree")
    _uv("sync", cwd=tree)
    client = tree / "src/trading_api/modules/core/client_generated/core_client.py"
    assert "async def get_health" in client.read_text()
    assert "async def get_uptime" not in client.read_text()

    api = tree / "src/trading_api/modules/core/api.py"
    api.write_text(
        api.read_text().replace(
            "    return router\n",
            '''    @router.get("/uptime")
    async def get_uptime() -> float:
        """Seconds since start."""
        return 0.0

    return router
''',
        )
    )
    _uv("sync", cwd=tree)
    assert "async def get_uptime(self) -> float:" in client.read_text()

    first = _uv("run", "true", cwd=tree)
    second = _uv("run", "true", cwd=tree)
    assert "Built trading-api" not in first.stderr + second.stderr
    assert second.stderr == ""

    probe = _uv(
        "run",
        "python",
        "-c",
        "from trading_api.clients import CoreClient; " "print(hasattr(CoreClient, 'get_uptime'))",
        cwd=tree,
    )
    assert probe.stdout.strip() == "True"
