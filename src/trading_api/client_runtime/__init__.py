"""What the generated trading-api clients run on: base clients, errors, retries, raw responses.

Needs only httpx, pydantic and websockets (the `clients` extra); nothing here imports the
server. The generated modules (`trading_api.clients`) subclass the base clients; users import
the clients and errors from `trading_api.clients`.
"""

from ._base import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncBaseClient,
    NotGiven,
    SyncBaseClient,
    Timeout,
)
from ._blocking import blocking
from ._encoding import path_segment, query_params, query_string
from ._errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    ApiValidationError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorModels,
    HTTPValidationError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnavailableError,
    UnprocessableEntityError,
    ValidationIssue,
)
from ._response import RawResponse, async_raw, sync_raw
from ._retry import DEFAULT_MAX_RETRIES, Backoff
from ._stream import BaseStream, ErrorFrame
from ._stream_errors import (
    StreamClosedError,
    StreamError,
    SubscriptionDroppedError,
    SubscriptionError,
    SubscriptionTimeoutError,
)
from ._stream_subscription import Subscription

ERRORS = (
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeoutError",
    "ApiValidationError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnavailableError",
    "UnprocessableEntityError",
    "ValidationIssue",
    "ErrorFrame",
    "StreamClosedError",
    "StreamError",
    "SubscriptionDroppedError",
    "SubscriptionError",
    "SubscriptionTimeoutError",
)
"""The names `trading_api.clients` re-exports next to the clients."""

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ERRORS",
    "NOT_GIVEN",
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeoutError",
    "ApiValidationError",
    "AsyncBaseClient",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "BaseStream",
    "ConflictError",
    "ErrorFrame",
    "ErrorModels",
    "HTTPValidationError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "StreamClosedError",
    "StreamError",
    "Subscription",
    "SubscriptionDroppedError",
    "SubscriptionError",
    "SubscriptionTimeoutError",
    "SyncBaseClient",
    "Timeout",
    "UnavailableError",
    "UnprocessableEntityError",
    "ValidationIssue",
    "async_raw",
    "blocking",
    "path_segment",
    "query_params",
    "query_string",
    "sync_raw",
]
