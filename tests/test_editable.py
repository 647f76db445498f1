"""The editable loop with uv: any module source at any depth rebuilds, generated files never do;
a module that fails at import degrades `uv run` to a warning but fails `generate` and `uv build`.

Both tests edit one synced clone in turn (a clone and its `uv sync` cost ~10 s): each leaves
the tree importable, with contracts generated from its sources."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support import clean_env, copy_tree

pytestmark = pytest.mark.slow

BUILT = "Built trading-api"
EXTRA_ROUTES = '''"""Routes kept in a subpackage of the module."""

from fastapi import APIRouter


def add_routes(router: APIRouter) -> None:
    @router.get("/uptime")
    async def get_uptime() -> float:
        """Seconds since start."""
        return 0.0
'''


def _uv(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["uv", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone after `uv sync`: the editable install built, contracts generated."""
    tree = copy_tree(tmp_path_factory.mktemp("editable") / "tree")
    _uv("sync", cwd=tree)
    return tree


def test_module_sources_at_any_depth_rebuild_and_generated_files_never_do(tree: Path) -> None:
    core = tree / "src/trading_api/modules/core"
    client = tree / "src/trading_api/clients/core.py"
    assert "async def get_health" in client.read_text()
    assert "async def get_uptime" not in client.read_text()

    (core / "extra").mkdir()
    (core / "extra/__init__.py").write_text("")
    (core / "extra/routes.py").write_text(EXTRA_ROUTES)
    api = core / "api.py"
    api.write_text(
        api.read_text()
        .replace(
            "def create_router(",
            "from trading_api.modules.core.extra.routes import add_routes\n\n\ndef create_router(",
        )
        .replace("    return router\n", "    add_routes(router)\n    return router\n")
    )
    _uv("sync", cwd=tree)
    assert re.search(r"async def get_uptime\([^)]*\) -> float:", client.read_text())

    routes = core / "extra/routes.py"  # depth 2: only this file changes
    routes.write_text(routes.read_text().replace('"/uptime"', '"/uptime-seconds"'))
    rebuilt = _uv("run", "true", cwd=tree)
    assert BUILT in rebuilt.stderr
    assert '"/api/v1/core/uptime-seconds"' in client.read_text()

    first = _uv("run", "true", cwd=tree)  # the rebuild wrote generated files: no rebuild again
    second = _uv("run", "true", cwd=tree)
    assert BUILT not in first.stderr + second.stderr
    assert second.stderr == ""

    probe = _uv(
        "run",
        "python",
        "-c",
        "from trading_api.clients import CoreClient; print(hasattr(CoreClient, 'get_uptime'))",
        cwd=tree,
    )
    assert probe.stdout.strip() == "True"


def test_a_module_failing_at_import_degrades_uv_run_but_fails_generate_and_build(
    tree: Path, tmp_path: Path
) -> None:
    spec = tree / "src/trading_api/modules/core/specs_generated/core_openapi.json"
    before = spec.read_bytes()
    service = tree / "src/trading_api/modules/core/service.py"
    service.write_text(service.read_text() + '\n\nraise RuntimeError("broken on purpose")\n')
    location = f"{service.resolve()}:{len(service.read_text().splitlines())}"

    ran = _uv("run", "python", "-c", "print('the command ran')", cwd=tree)
    assert ran.stdout.strip() == "the command ran"
    assert BUILT in ran.stderr  # the editable build ran, degraded instead of failing
    assert "the generated contracts are STALE" in ran.stderr
    assert "module 'core'" in ran.stderr and location in ran.stderr
    assert "RuntimeError: broken on purpose" in ran.stderr
    assert spec.read_bytes() == before  # the previous generated files are kept

    generate = _uv("run", "trading-api", "generate", cwd=tree, check=False)
    assert generate.returncode == 1
    assert f"module 'core': import failed at {location}" in generate.stderr
    assert "Traceback" not in generate.stderr

    build = _uv("build", "--out-dir", str(tmp_path / "dist"), cwd=tree, check=False)
    assert build.returncode != 0
    # the wheel is built from the sdist, unpacked elsewhere: the same file, another folder
    line = location.rsplit(":", 1)[1]
    assert f"trading_api/modules/core/service.py:{line}: RuntimeError" in build.stderr
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").glob("*.whl"))

    service.write_text(service.read_text().replace('raise RuntimeError("broken on purpose")', ""))
    fixed = _uv("run", "python", "-c", "print('the command ran')", cwd=tree)
    assert "STALE" not in fixed.stderr
