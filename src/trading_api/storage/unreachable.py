"""Which failures mean the database cannot be reached: 503 `database_unavailable` for them.

Only connection-level failures are translated — a refused, reset or closed connection, a
connect or pool timeout, a server shutting down or refusing more connections, a SQLite file
that cannot be opened. A serialization failure, a constraint violation or a bug stays what it
is (a bug still answers 500). What SQLAlchemy 2 raises when PostgreSQL stops (checked against
a real server, tests/contracts/test_error_statuses.py):

- a pooled connection cut mid-statement: `DBAPIError` with `connection_invalidated`, from
  asyncpg's `ConnectionDoesNotExistError` (SQLSTATE 08003);
- a new connection: asyncpg's own `OSError` (`ConnectionRefusedError`, a DNS or connect
  `TimeoutError`, which is an `OSError` too) or a `PostgresError` with a SQLSTATE, unwrapped:
  SQLAlchemy wraps only the DB-API's exception classes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from trading_api.framework.errors import DatabaseUnavailableError

_log = logging.getLogger(__name__)

_UNREACHABLE_SQLSTATES = frozenset({"53300", "57P01", "57P02", "57P03"})
"""Too many connections; admin shutdown; crash shutdown; cannot connect now (starting up)."""
_CONNECTION_EXCEPTION_CLASS = "08"
"""SQLSTATE class 08: connection exception (does not exist, failure, cannot connect…)."""
_SQLITE_UNREACHABLE = frozenset({10, 14})
"""SQLITE_IOERR, SQLITE_CANTOPEN (primary result codes): the file cannot be used."""


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (not what a statement did)."""
    if isinstance(error, PoolTimeoutError):  # no connection free within the pool's timeout
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    cause = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(cause, OSError):
        return True
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_CONNECTION_EXCEPTION_CLASS) or sqlstate in (
            _UNREACHABLE_SQLSTATES
        )
    sqlite_code = getattr(cause, "sqlite_errorcode", None)
    return isinstance(sqlite_code, int) and sqlite_code & 0xFF in _SQLITE_UNREACHABLE


@contextmanager
def unreachable_as_unavailable() -> Iterator[None]:
    """Raise `DatabaseUnavailableError` (from the original) for a connection-level failure."""
    try:
        yield
    except Exception as error:
        if not is_unreachable(error):
            raise
        cause = error.orig if isinstance(error, DBAPIError) else error  # without the SQL
        _log.warning("database unavailable: %s: %s", type(cause).__name__, cause)
        raise DatabaseUnavailableError() from error
