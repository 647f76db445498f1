"""Whether the database answers: the readiness probe of the modules that store state."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

PROBE_TIMEOUT = 2.0
"""Seconds a probe waits for the database: a hung server is reported, not waited for."""


async def database_problem(engine: AsyncEngine, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when `SELECT 1` succeeds within `timeout`, else why, naming the database (its URL
    without the password)."""
    name = f"database {engine.url.render_as_string(hide_password=True)}"
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"{name} did not answer within {timeout:g}s"
    except Exception as error:  # whatever fails, the database cannot serve
        return f"{name} is unreachable: {_reason(error, engine.url.password)}"
    return None


def _reason(error: BaseException, password: str | None) -> str:
    """The driver's own message (first line), without the password should it quote it."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return reason.replace(password, "***") if password else reason
