"""Import cost of the clients: `import trading_api.clients` vs httpx + pydantic + websockets alone.

Each sample is a fresh interpreter (`python -X importtime`-free wall time of `-c "import …"`,
minus nothing: both sides pay the interpreter start), bytecode already compiled; the medians are
compared. Also lists any server package the clients import (there must be none).

Usage: .venv/bin/python benchmarks/client_import.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _common import clean_env, median

BASELINE = "import httpx, pydantic, websockets.asyncio.client"
CLIENTS = "import trading_api.clients"
SERVER_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "trading_api.modules")


def sample(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=clean_env())
    return time.perf_counter() - start


def server_imports() -> list[str]:
    """Server modules `import trading_api.clients` loads (from `-X importtime`)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CLIENTS],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    names = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    return sorted({name for name in names if name.startswith(SERVER_PACKAGES)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    sample(CLIENTS)  # compile bytecode once
    baseline: list[float] = []
    clients: list[float] = []
    for _ in range(args.rounds):  # interleaved, so drift affects both alike
        baseline.append(sample(BASELINE))
        clients.append(sample(CLIENTS))
    base, ours = median(baseline), median(clients)
    print(f"fresh interpreter, median of {args.rounds} runs:")
    print(f"  {BASELINE:<50} {base * 1e3:7.1f} ms")
    print(f"  {CLIENTS:<50} {ours * 1e3:7.1f} ms")
    print(f"  ratio                                              {ours / base:7.2f}x (limit 2.5x)")
    print(f"  server modules imported: {server_imports() or 'none'}")


if __name__ == "__main__":
    main()
