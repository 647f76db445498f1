"""Users, API keys and who is calling: authentication of the broker (docs/security.md).

A user owns paper accounts and API keys. Keys (`keys`) are random, recognisable by their
``tapi_`` prefix and stored as their SHA-256 only (`store`). `http.Authenticator` resolves
``Authorization: Bearer`` to a `Principal`; browsers open WebSockets with a single-use
`tickets` ticket instead; `ratelimit` meters order placement per key.
"""

from trading_api.auth.principal import Principal
from trading_api.auth.settings import AuthSettings

__all__ = ["AuthSettings", "Principal"]
