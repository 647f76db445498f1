"""The baseline of `server_start.py`: a bare FastAPI app with N trivial routes under uvicorn.

A script of its own, importing nothing but FastAPI and uvicorn: the baseline's start must not
include the benchmark's own helpers (httpx, the test support code), which no server imports.

``--sqlalchemy``: the app also opens a SQLite database through SQLAlchemy's async engine
(aiosqlite) in its lifespan, and runs one query, before it answers: what our storage library
alone adds to a start, before any of our own code.

Usage: python benchmarks/bare_app.py ROUTES [--sqlalchemy]
"""

import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI


def bare_app(routes: int, *, sqlalchemy: bool = False) -> FastAPI:
    """`routes` routes `GET /r0`, `/r1`… each answering `{}`."""
    app = FastAPI(lifespan=sqlite_opened if sqlalchemy else None)

    def add(index: int) -> None:
        @app.get(f"/r{index}", name=f"r{index}")
        async def endpoint() -> dict[str, str]:
            return {}

    for index in range(routes):
        add(index)
    return app


@asynccontextmanager
async def sqlite_opened(_app: FastAPI) -> AsyncIterator[None]:
    """A SQLite database opened through SQLAlchemy's async engine, as our lifespan opens one."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    with tempfile.TemporaryDirectory(prefix="bare-app-") as folder:
        engine = create_async_engine(f"sqlite+aiosqlite:///{folder}/bare.db")
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        yield
        await engine.dispose()


if __name__ == "__main__":
    app = bare_app(int(sys.argv[1]), sqlalchemy="--sqlalchemy" in sys.argv[2:])
    uvicorn.run(app, host="127.0.0.1", port=0)
