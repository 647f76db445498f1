"""Session fixtures: one fresh-clone build shared by the packaging tests, one generated clone
that tests copy; every test gets its own migrated database (never the user's data directory)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cluster.redis_server import RedisServer, RedisUnavailableError, start_redis  # isort: skip
from storage.databases import migrated_database  # isort: skip (ruff: first-party)
from support import clean_env, copy_tree, run_cli

DATABASE_URL = "TRADING_API_DATABASE_URL"
OPENAPI_PYTHON_CLIENT = "openapi-python-client==0.29.1"


@dataclass(frozen=True)
class BuiltDist:
    tree: Path
    wheel: Path
    sdist: Path
    build_log: str


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> BuiltDist:
    """`uv build` in a fresh clone: an sdist, then a wheel built from that sdist."""
    tree = copy_tree(tmp_path_factory.mktemp("clone"))
    result = subprocess.run(
        ["uv", "build"], cwd=tree, env=clean_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tree / "dist").glob("*.whl")
    (sdist,) = (tree / "dist").glob("*.tar.gz")
    return BuiltDist(tree=tree, wheel=wheel, sdist=sdist, build_log=result.stdout + result.stderr)


@pytest.fixture(scope="session")
def generated_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone after `trading-api generate`: tests change copies of it (`generated_copy`)."""
    tree = copy_tree(tmp_path_factory.mktemp("generated") / "tree")
    result = run_cli(["generate"], src=tree / "src")
    assert result.returncode == 0, result.stderr
    return tree


@pytest.fixture
def generated_copy(generated_clone: Path, tmp_path: Path) -> Path:
    """A copy of `generated_clone` for one test (each generation costs seconds): its root."""
    return Path(shutil.copytree(generated_clone, tmp_path / "tree", symlinks=True))


@pytest.fixture(scope="session")
def openapi_python_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a virtualenv holding openapi-python-client (not a dependency of this
    project), made once for the modules that generate a client with it."""
    venv, env = tmp_path_factory.mktemp("openapi-python-client") / "venv", clean_env()
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    install = ["uv", "pip", "install", "-q", "--python", str(python), OPENAPI_PYTHON_CLIENT]
    subprocess.run(install, check=True, env=env)
    return python


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis server for the session (tests keep apart by key prefix); a missing
    binary fails the test, naming what to install (never a skip)."""
    try:
        server = start_redis()
    except RedisUnavailableError as error:
        pytest.fail(f"cannot start the test Redis server: {error}", pytrace=False)
    yield server
    server.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def _session_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Servers started by session- or module-scoped fixtures (before `_own_database`) use a
    database of the session: nothing ever touches the per-user default file."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_URL, _fresh_database(tmp_path_factory))
        yield


@pytest.fixture(autouse=True)
def _own_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A fresh migrated SQLite file per test, named by the environment that in-process apps
    and the servers a test starts (they inherit it) read."""
    monkeypatch.setenv(DATABASE_URL, _fresh_database(tmp_path_factory))


def _fresh_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    settings = migrated_database("sqlite", tmp_path_factory.mktemp("db"))
    return f"sqlite:///{settings.url.database}"
