"""One method definition for both twins: a blocking client runs the async client's methods.

A generated async method builds its request and awaits `self._request(...)`, nothing else. A
`SyncBaseClient` answers that call with the finished result (sent, retried and parsed with
blocking I/O) wrapped in `Ready`, so the method's coroutine completes without suspending, and
`blocking()` returns what it returned. The twins thus share parameters, docstrings, request
building and errors by construction, and each endpoint is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    from ._base import SyncBaseClient

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")


class Ready(Generic[T_co]):
    """An awaitable whose result is already there: awaiting it returns at once."""

    __slots__ = ("value",)

    def __init__(self, value: T_co) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, T_co]:
        yield from ()
        return self.value


def blocking(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[SyncBaseClient, P], T]:
    """The blocking form of an async client method: same parameters and docstring."""

    @wraps(method)
    def call(self: SyncBaseClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        coroutine = method(self, *args, **kwargs)
        try:
            coroutine.send(None)
        except StopIteration as done:
            result: T = done.value
            return result
        coroutine.close()
        raise RuntimeError(f"{method.__qualname__} awaited more than its client's request")

    return call
