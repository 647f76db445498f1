"""Why the server is not ready: a load balancer sends the request elsewhere (503)."""

from __future__ import annotations

from trading_api.framework.errors import DomainError


class NotReadyError(DomainError):
    """An engine this server needs (the database, Redis) does not answer; the message names it."""

    http_status = 503
    code = "not_ready"


class DrainingError(DomainError):
    """The server is shutting down (draining): send new requests to another instance."""

    http_status = 503
    code = "draining"
