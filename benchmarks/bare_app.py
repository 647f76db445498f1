"""The baseline of `server_start.py`: a bare FastAPI app with N trivial routes under uvicorn.

A script of its own, importing nothing but FastAPI and uvicorn: the baseline's start must not
include the benchmark's own helpers (httpx, the test support code), which no server imports.

Usage: python benchmarks/bare_app.py ROUTES
"""

import sys

import uvicorn
from fastapi import FastAPI


def bare_app(routes: int) -> FastAPI:
    """`routes` routes `GET /r0`, `/r1`… each answering `{}`."""
    app = FastAPI()

    def add(index: int) -> None:
        @app.get(f"/r{index}", name=f"r{index}")
        async def endpoint() -> dict[str, str]:
            return {}

    for index in range(routes):
        add(index)
    return app


if __name__ == "__main__":
    uvicorn.run(bare_app(int(sys.argv[1])), host="127.0.0.1", port=0)
