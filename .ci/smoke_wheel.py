#!/usr/bin/env python3
"""Release gate: install the built wheel into a fresh virtual environment, start
`trading-api serve` from there, and check that it answers GET /api/v1/core/health.

With --save-specs DIR it also saves the merged contracts the server publishes
(`openapi.json` and `asyncapi.json` for every API version it serves) for the release.

    python .ci/smoke_wheel.py dist/trading_api-0.2.0-py3-none-any.whl --save-specs release

Needs uv (for the venv). Exit status: 0 when it serves, 1 when not (with the server's output).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT = 60.0
_RUNNING = re.compile(r"Uvicorn running on (http://\S+)")


def _get(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            document: dict[str, object] = json.load(response)
            return document
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _install(wheel: Path, venv: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), f"{wheel}[server]"],
        check=True,
        env=env,
    )
    return venv / "bin" / "trading-api"


def _wait_for_address(process: subprocess.Popen[str], output: list[str]) -> str | None:
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            return None
        if line is None:
            return None
        output.append(line)
        match = _RUNNING.search(line)
        if match:
            return match.group(1)


def _save_specs(base_url: str, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    versions = _get(f"{base_url}/api/v1/core/versions") or {}
    available = versions.get("available")
    saved = []
    for version in available if isinstance(available, list) else ["v1"]:
        for path, name in (
            (f"/api/{version}/openapi.json", "openapi"),
            (f"/api/{version}/ws/asyncapi.json", "asyncapi"),
        ):
            document = _get(base_url + path)
            if document is not None:
                target = folder / f"trading-api-{version}-{name}.json"
                target.write_text(
                    json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
                )
                saved.append(target)
    return saved


def smoke(wheel: Path, save_specs: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="trading-api-smoke-") as temp:
        cli = _install(wheel.resolve(), Path(temp) / "venv")
        env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
        process = subprocess.Popen(
            [str(cli), "serve", "--port", "0"],
            cwd=temp,  # away from any checkout: only the installed package is used
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        try:
            base_url = _wait_for_address(process, output)
            if base_url is None:
                print("smoke-wheel: the server did not start:\n" + "".join(output), file=sys.stderr)
                return 1
            health = _get(f"{base_url}/api/v1/core/health") or {}
            if health.get("status") != "ok":
                print(f"smoke-wheel: unhealthy answer {health}", file=sys.stderr)
                return 1
            print(f"{wheel.name} serves: {base_url}/api/v1/core/health → {health['status']}")
            for path in _save_specs(base_url, save_specs) if save_specs else []:
                print(f"saved {path}")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--save-specs", type=Path, metavar="DIR", help="save the merged specs here")
    args = parser.parse_args(argv)
    return smoke(args.wheel, args.save_specs)


if __name__ == "__main__":
    sys.exit(main())
