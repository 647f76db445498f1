"""`Cluster`: one process's link to the Redis that every worker shares: pub/sub fan-out with a
reconnecting listener, leases, WebSocket tickets, rate limits and the check readiness needs.

Names given to `publish`, `subscribe`, `lease` and `subscriber_count` are put under the
configured prefix here (``ws:BTC`` → channel ``trading-api:ws:BTC``): callers never add it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from trading_api.cluster.lease import Lease, LeaseScripts
from trading_api.cluster.ratelimit import RedisTokenBuckets
from trading_api.cluster.settings import ClusterSettings, describe
from trading_api.cluster.tickets import RedisTicketBook

log = logging.getLogger(__name__)

Handler = Callable[[str], None]
ResumeCallback = Callable[[], Awaitable[None]]
RECONNECT_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
"""Seconds between attempts to reconnect the listener; the last one repeats."""
STOP_TIMEOUT = 5.0
"""Seconds `Cluster.stop` waits for its tasks to end: shutdown must never hang on Redis."""


class ClusterUnavailable(Exception):
    """Redis did not answer: the operation did not happen."""


class Cluster:
    """One per process (None means single-process mode); `start` before use, `stop` last."""

    def __init__(self, settings: ClusterSettings) -> None:
        if settings.redis_url is None:
            raise ValueError("a Cluster needs a Redis URL")
        self.settings = settings
        self.prefix = settings.prefix
        self.where = describe(settings.redis_url)
        """The Redis URL without credentials, for messages."""
        timeout = max(0.5, settings.lease_seconds / 3)  # a renewal must fit in its period
        options: dict[str, Any] = {
            "decode_responses": True,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "socket_keepalive": True,
        }
        self.redis = Redis.from_url(settings.redis_url, retry=Retry(NoBackoff(), 1), **options)
        """Commands (a pool; one retry on a fresh connection after Redis restarted)."""
        # The listener never reconnects behind our back: a dropped connection must reach
        # `_listen`, which resubscribes and reports the gap (`on_resume`).
        self._listener = Redis.from_url(settings.redis_url, retry=Retry(NoBackoff(), 0), **options)
        self._ping_interval = timeout
        self._wake_channel = self.key(f"cluster:wake:{secrets.token_hex(8)}")
        self._handlers: dict[str, list[Handler]] = {}
        self._active: set[str] = set()
        """Channels SUBSCRIBEd on the current listener connection."""
        self._confirmed: set[str] = set()
        """Channels Redis confirmed on the current listener connection."""
        self._changed = asyncio.Condition()
        self._resume_callbacks: list[ResumeCallback] = []
        self._scripts = LeaseScripts(self.redis)
        self._leases: weakref.WeakSet[Lease] = weakref.WeakSet()
        self._listening: asyncio.Task[None] | None = None
        self._connected = False
        self._waking = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.tickets = RedisTicketBook(self.redis, self.key("ticket"))
        """Single-use WebSocket tickets, redeemable on any worker (auth `Tickets`)."""

    def key(self, name: str) -> str:
        """A Redis key or channel name under this deployment's prefix."""
        return f"{self.prefix}:{name}"

    async def start(self) -> None:
        """Start listening; returns after the first connection attempt, successful or not
        (a later success then runs the `on_resume` callbacks)."""
        first_attempt: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._listening = asyncio.create_task(self._listen(first_attempt))
        await first_attempt

    async def stop(self) -> None:
        """Release the leases still held (others take over at once), stop listening."""
        for lease in list(self._leases):
            await lease.release()
        tasks = [*self._tasks, *([self._listening] if self._listening else [])]
        for task in tasks:
            task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
            for task in stuck:
                log.warning("Redis task %s ignored cancellation; leaving it", task.get_name())
        self._listening = None
        await self._listener.aclose()
        await self.redis.aclose()

    async def publish(self, channel: str, message: str) -> None:
        """Send `message` to every process subscribed to `channel`; ClusterUnavailable when
        Redis does not answer."""
        try:
            await self.redis.publish(self.key(channel), message)
        except (RedisError, OSError) as error:
            raise ClusterUnavailable(f"cannot publish to Redis at {self.where}: {error}") from error

    def subscribe(self, channel: str, handler: Handler) -> None:
        """Call `handler(message)` on the event loop for each message on `channel`, in the
        order Redis delivers them (idempotent). Active once Redis confirms: `wait_subscribed`."""
        name = self.key(channel)
        handlers = self._handlers.setdefault(name, [])
        if handler not in handlers:
            handlers.append(handler)
        if name not in self._active:
            self._wake()

    def unsubscribe(self, channel: str, handler: Handler) -> None:
        name = self.key(channel)
        handlers = self._handlers.get(name, [])
        if handler in handlers:
            handlers.remove(handler)
        if not handlers:
            self._handlers.pop(name, None)
            if name in self._active:
                self._wake()

    async def wait_subscribed(self) -> None:
        """Return once Redis confirmed every channel subscribed so far: messages published
        from then on reach the handlers. Waits through outages (bound it with a timeout)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._handlers.keys() <= self._confirmed)

    def on_resume(self, callback: ResumeCallback) -> None:
        """Run `callback()` each time the listener is subscribed again after losing Redis:
        messages published in between may be lost."""
        self._resume_callbacks.append(callback)

    def lease(self, name: str) -> Lease:
        """The lease ``{prefix}:lease:{name}``, expiring after ``TRADING_API_LEASE_SECONDS``."""
        lease = Lease(self.key(f"lease:{name}"), self.settings.lease_seconds, self._scripts)
        self._leases.add(lease)
        return lease

    def buckets(self, name: str, rate: float, burst: int) -> RedisTokenBuckets:
        """Token buckets ``{prefix}:bucket:{name}:{key}`` shared by the workers (`Buckets`)."""
        return RedisTokenBuckets(self.redis, self.key(f"bucket:{name}"), rate, burst)

    async def subscriber_count(self, channel: str) -> int:
        """Listeners of `channel` on Redis, all processes together (PUBSUB NUMSUB)."""
        try:
            ((_, count),) = await self.redis.pubsub_numsub(self.key(channel))
        except (RedisError, OSError) as error:
            raise ClusterUnavailable(f"cannot ask Redis at {self.where}: {error}") from error
        return int(count)

    async def problem(self) -> str | None:
        """Why this process cannot take part in the cluster now (readiness); None when fine."""
        try:
            await self.redis.ping()
        except (RedisError, OSError) as error:
            return f"Redis at {self.where} does not answer ({type(error).__name__})"
        if not self._connected:
            return f"the Redis pub/sub connection to {self.where} is being re-established"
        return None

    # -- the listener ----------------------------------------------------------------------

    async def _listen(self, first_attempt: asyncio.Future[None]) -> None:
        attempt = 0
        resumed = False
        while True:
            pubsub = self._listener.pubsub()
            try:
                self._active = {self._wake_channel, *self._handlers}
                await pubsub.subscribe(*self._active)
                self._connected = True
                attempt = 0
                if not first_attempt.done():
                    first_attempt.set_result(None)
                await self._read(pubsub, resumed)
            except (RedisError, OSError) as error:
                log.warning("Redis pub/sub at %s: %s; reconnecting", self.where, error)
            except Exception:  # a bug must not end cluster mode for the process's lifetime
                log.exception("Redis pub/sub listener failed; reconnecting")
            finally:
                self._connected = False
                self._waking = False  # the next connection subscribes every channel
                self._active = set()
                self._confirmed = set()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            if not first_attempt.done():
                first_attempt.set_result(None)
            resumed = True
            await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1

    async def _read(self, pubsub: PubSub, resumed: bool) -> None:
        """Dispatch messages until the connection fails (raises); PING when Redis is silent."""
        to_confirm = set(self._active) if resumed else set()
        loop = asyncio.get_running_loop()
        listener = asyncio.current_task()
        heard = loop.time()
        # when the unanswered PING was sent: only silence after it counts, not a busy event
        # loop (a worker importing modules at start once looked like a Redis outage)
        pinged: float | None = None
        while True:
            message = await pubsub.get_message(timeout=self._ping_interval)
            if listener is not None and listener.cancelling():
                # redis-py reads under asyncio.timeout, which on Python 3.11 turns a
                # cancellation arriving as the timeout expires into a timeout: stop anyway
                raise asyncio.CancelledError
            now = loop.time()
            if message is None:
                if pinged is not None and now - pinged >= self._ping_interval:
                    raise RedisConnectionError("Redis stopped answering PING")
                if pinged is None and now - heard >= self._ping_interval:
                    await pubsub.ping()
                    pinged = loop.time()
                continue
            heard, pinged = now, None
            kind, channel = message["type"], message.get("channel")
            if kind == "message" and channel == self._wake_channel:
                self._waking = False
                await self._resubscribe(pubsub)
            elif kind == "message":
                self._dispatch(channel, message["data"])
            elif kind in ("subscribe", "unsubscribe"):
                (self._confirmed.add if kind == "subscribe" else self._confirmed.discard)(channel)
                if channel == self._wake_channel:  # wake-ups reach us from now on
                    await self._resubscribe(pubsub)
                if to_confirm and to_confirm <= self._confirmed:
                    to_confirm = set()
                    self._run_resume_callbacks()
                async with self._changed:
                    self._changed.notify_all()

    async def _resubscribe(self, pubsub: PubSub) -> None:
        """Bring the connection's subscriptions in line with the handlers."""
        wanted = {self._wake_channel, *self._handlers}
        if added := wanted - self._active:
            self._active |= added
            await pubsub.subscribe(*added)
        if removed := self._active - wanted:
            self._active -= removed
            await pubsub.unsubscribe(*removed)

    def _dispatch(self, channel: str, data: str) -> None:
        for handler in list(self._handlers.get(channel, ())):
            try:
                handler(data)
            except Exception:  # one faulty handler must not stop the others or the listener
                log.exception("handler of Redis channel %s failed", channel)

    def _wake(self) -> None:
        """Make the listener apply subscription changes: only it uses its connection."""
        if self._waking or not self._connected:
            return  # a wake-up is on its way, or the next connection subscribes everything
        self._waking = True
        self._spawn(self._send_wake())

    async def _send_wake(self) -> None:
        try:
            await self.redis.publish(self._wake_channel, "")
        except (RedisError, OSError) as error:
            self._waking = False  # the listener reconnects and resubscribes anyway
            log.warning("Redis at %s: %s", self.where, error)

    def _run_resume_callbacks(self) -> None:
        log.warning("Redis pub/sub at %s resumed: messages may have been missed", self.where)
        for callback in self._resume_callbacks:
            self._spawn(_logged(callback()))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _logged(awaitable: Awaitable[None]) -> None:
    try:
        await awaitable
    except Exception:
        log.exception("a Redis on_resume callback failed")
