"""Fresh virtual environments for the install tests: only what a test names is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import clean_env

DRIVE = Path(__file__).with_name("drive.py")
SERVER_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "aiosqlite")


def make_venv(folder: Path, *requirements: str) -> Path:
    """A venv at `folder` holding `requirements` (and their dependencies); its python."""
    env = clean_env()
    subprocess.run(
        ["uv", "venv", "-q", "--python", sys.executable, str(folder)], check=True, env=env
    )
    python = folder / "bin" / "python"
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), *requirements], check=True, env=env
    )
    return python


def installed(python: Path, names: tuple[str, ...]) -> list[str]:
    """Which of the import `names` the venv of `python` can import."""
    code = "import importlib.util as u, sys; print(*[n for n in sys.argv[1:] if u.find_spec(n)])"
    result = subprocess.run(
        [python, "-c", code, *names], check=True, capture_output=True, text=True, env=clean_env()
    )
    return result.stdout.split()


def drive(python: Path, package: str, base_url: str, api_key: str, *, cwd: Path, **env: str) -> str:
    """Run drive.py (every client, async and sync) with `python`; its output."""
    result = subprocess.run(
        [python, str(DRIVE), package, base_url, api_key],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env(**env),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
