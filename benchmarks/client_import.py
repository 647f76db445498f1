"""Import cost of the clients: `import trading_api.clients` vs httpx + pydantic + websockets alone.

Each sample is a fresh interpreter (`python -X importtime`-free wall time of `-c "import …"`,
minus nothing: both sides pay the interpreter start); the medians are compared, rounds
alternating which side goes first. Bytecode is read from a temporary `PYTHONPYCACHEPREFIX`
filled by one unmeasured import of each side: with `PYTHONDONTWRITEBYTECODE` set (as in this
project's shells) any source edited since its `.pyc` was written would otherwise be compiled
again in every sample. The baseline imports `BaseModel`: `import pydantic` alone is lazy and
loads none of the model machinery every pydantic client needs. Also lists any server package
the clients import (there must be none).

Usage: .venv/bin/python benchmarks/client_import.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from _common import bytecode_env, clean_env, median

BASELINE = "import httpx, websockets.asyncio.client; from pydantic import BaseModel"
CLIENTS = "import trading_api.clients"
SERVER_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "trading_api.modules")


def sample(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
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
    baseline: list[float] = []
    clients: list[float] = []
    sides = [(baseline, BASELINE), (clients, CLIENTS)]
    with tempfile.TemporaryDirectory(prefix="client-import-pyc-") as cache:
        env = bytecode_env(clean_env(), cache)
        for _, code in sides:
            sample(code, env)  # compile bytecode once, into the cache
        for number in range(args.rounds):  # interleaved, so drift affects both alike
            for samples, code in sides if number % 2 == 0 else sides[::-1]:
                samples.append(sample(code, env))
    base, ours = median(baseline), median(clients)
    print(f"fresh interpreter, median of {args.rounds} runs:")
    print(f"  {BASELINE:<72} {base * 1e3:7.1f} ms")
    print(f"  {CLIENTS:<72} {ours * 1e3:7.1f} ms")
    print(f"  {'ratio':<72} {ours / base:7.2f}x (limit 2.5x)")
    print(f"  server modules imported: {server_imports() or 'none'}")


if __name__ == "__main__":
    main()
