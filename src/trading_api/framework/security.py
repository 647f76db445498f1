"""Browser safety: which `Host` names and which browser origins the server answers.

- `TRADING_API_ALLOWED_HOSTS` (default: the loopback names `127.0.0.1`, `localhost`, `[::1]`,
  any port): a request naming another `Host` is refused with 400 `invalid_host` before any
  route runs. A DNS-rebinding page reaches a loopback server under its own name, so this is
  what keeps it out. `*` accepts any name; `*.example.com` any subdomain.
- `TRADING_API_ALLOWED_ORIGINS` (default: none): the one allow-list of browser origins. It
  drives CORS (preflights and `Access-Control-Allow-Origin`) and the WebSocket `Origin` check:
  a handshake from another origin is refused with 403 `origin_not_allowed`. A page served by
  the API itself (same origin) and clients that send no `Origin` (not browsers) are allowed.

docs/security.md explains the choices; `serve` warns when it binds a non-loopback address
while only the loopback names are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from trading_api.env_settings import read_env

ORIGINS_ENV = "TRADING_API_ALLOWED_ORIGINS"
HOSTS_ENV = "TRADING_API_ALLOWED_HOSTS"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""What `TRADING_API_ALLOWED_HOSTS` allows when unset (any port)."""
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
"""Bind addresses whose clients can only name the loopback hosts."""

_ORIGIN = re.compile(r"https?://[^/\s]+")
_HOST_NAME = re.compile(r"(\*\.)?[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]|\*")


@dataclass(frozen=True)
class BrowserPolicy:
    """The allowed `Host` names (lower case, no port) and browser origins."""

    hosts: tuple[str, ...] = LOOPBACK_HOSTS
    origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BrowserPolicy:
        """Read both variables; a malformed value raises `SettingsError` naming it."""
        return cls(
            hosts=read_env(env, HOSTS_ENV, _parse_hosts, LOOPBACK_HOSTS),
            origins=read_env(env, ORIGINS_ENV, _parse_origins, ()),
        )

    @property
    def loopback_only(self) -> bool:
        """True when only the loopback names are allowed (a public bind answers nobody)."""
        return set(self.hosts) <= set(LOOPBACK_HOSTS)

    def host_allowed(self, host_header: str) -> bool:
        name = _host_name(host_header)
        return any(
            pattern == "*"
            or pattern == name
            or (pattern.startswith("*.") and name.endswith(pattern[1:]))
            for pattern in self.hosts
        )

    def origin_allowed(self, origin: str, host_header: str) -> bool:
        """Listed, `*` listed, or the server's own origin (its `Host` was checked already)."""
        origin = origin.rstrip("/")
        if "*" in self.origins or origin in self.origins:
            return True
        return origin.partition("://")[2].lower() == host_header.lower()


def _parse_hosts(raw: str) -> tuple[str, ...]:
    hosts = tuple(host.strip().lower() for host in raw.split(",") if host.strip())
    for host in hosts:
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(
                f"{host!r} is not a host name such as api.example.com, *.example.com, "
                "[::1] or * (no scheme, no port)"
            )
    return hosts


def _parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ValueError(f"{origin!r} is not an origin such as http://localhost:3000 (or *)")
    return origins


def _host_name(host_header: str) -> str:
    """`Host` without its port, lower case (`[::1]:8000` → `[::1]`)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


class BrowserGuard:
    """ASGI middleware: refuse foreign `Host` names (HTTP and WebSocket) and WebSocket
    handshakes from origins outside the allow-list, before any route runs."""

    def __init__(self, app: ASGIApp, policy: BrowserPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not self.policy.host_allowed(host):
            await _refuse(scope, receive, send, 400, "invalid_host", f"Host {host!r} is not served")
            return
        origin = headers.get("origin")
        if (
            scope["type"] == "websocket"
            and origin is not None
            and not self.policy.origin_allowed(origin, host)
        ):
            message = f"origin {origin!r} is not allowed ({ORIGINS_ENV})"
            await _refuse(scope, receive, send, 403, "origin_not_allowed", message)
            return
        await self.app(scope, receive, send)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
) -> None:
    """An `ErrorResponse` answer; a WebSocket handshake gets it as its HTTP denial response
    when the server supports that extension (uvicorn does), else a plain 403."""
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):
        await send({"type": "websocket.close", "code": 1008})
        return
    response = JSONResponse({"code": code, "message": message}, status_code=status)
    await response(scope, receive, send)


def install_browser_policy(app: FastAPI, policy: BrowserPolicy) -> None:
    """CORS for the allowed origins, then the `Host`/`Origin` guard outside it (runs first)."""
    if policy.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(policy.origins),
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(BrowserGuard, policy=policy)


def public_bind_warning(bind_host: str, policy: BrowserPolicy) -> str | None:
    """What `serve` prints when it binds a non-loopback address yet only loopback `Host`
    names are allowed: remote clients would all get 400 (a port-forward to localhost works)."""
    if bind_host.lower() in LOOPBACK_ADDRESSES or not policy.loopback_only:
        return None
    return (
        f"warning: serving on {bind_host} but only the loopback Host names are allowed; "
        f"set {HOSTS_ENV} to the names clients use (e.g. api.example.com, or *)"
    )
