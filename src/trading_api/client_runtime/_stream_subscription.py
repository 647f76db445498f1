"""`Subscription`: what a stream method returns — an async iterator over one topic's updates.

`async for` subscribes on its first step; `async with` subscribes on entry (so a caller can
trigger events knowing the server already routes them) and unsubscribes on exit. Leaving an
`async for` with `break` unsubscribes too: when the subscription is garbage collected, as an
async generator is finalized, or at once with `aclose()`/`async with`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from trading_api.client_runtime._stream_errors import StreamClosedError
from trading_api.client_runtime._stream_inbox import Ended, Inbox

T = TypeVar("T")


class Hub(Protocol):
    """What a subscription needs from its stream (implemented by `BaseStream`)."""

    def new_inbox(self) -> Inbox[Any]: ...

    async def attach(self, subscription: Subscription[Any]) -> None:
        """Subscribe (or join the topic) and wait for the server's answer."""

    async def detach(self, topic: str, inbox: Inbox[Any]) -> None:
        """Leave the topic; the last one out unsubscribes on the server."""

    def detach_soon(self, topic: str, inbox: Inbox[Any]) -> None:
        """`detach` from a finalizer (no awaiting there)."""


class Subscription(Generic[T]):
    """Updates of one request on one route, typed `T`; see the module docstring."""

    def __init__(
        self, hub: Hub, route: str, topic: str, payload: dict[str, Any], data_type: type[T]
    ) -> None:
        self.route = route
        self.topic = topic
        """The topic key the server answers with (`route:` + canonical JSON of `payload`)."""
        self.payload = payload
        """What was sent: wire names, nulls and declared defaults left out."""
        self.data_type = data_type
        self.inbox: Inbox[T] = hub.new_inbox()
        self._hub = hub
        self._state = "new"  # → "open" → "closed"

    @property
    def dropped(self) -> int:
        """Updates dropped because this iterator fell `buffer_size` updates behind."""
        return self.inbox.dropped

    async def start(self) -> Self:
        """Subscribe now and wait for the answer (`SubscriptionError` if refused)."""
        if self._state == "closed":
            raise StreamClosedError(f"subscription {self.topic} is closed")
        if self._state == "new":
            self._state = "open"
            try:
                await self._hub.attach(self)
            except BaseException:
                await self.aclose()
                raise
        return self

    async def aclose(self) -> None:
        """Stop: unsubscribes on the server unless another iterator shares the topic."""
        if self._state == "open":
            self._state = "closed"
            await self._hub.detach(self.topic, self.inbox)
        self._state = "closed"

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._state != "open":
            if self._state == "closed":
                raise StopAsyncIteration
            await self.start()
        try:
            return await self.inbox.get()
        except Ended:
            await self.aclose()
            raise StopAsyncIteration from None
        except Exception:
            await self.aclose()
            raise

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if self._state == "open":
            self._state = "closed"
            self._hub.detach_soon(self.topic, self.inbox)

    def __repr__(self) -> str:
        return f"<Subscription {self.topic} {self._state}>"
