"""WebSocket routes of the datafeed: the build generates a router class per declaration."""

from typing import TypeAlias

from trading_api.models import Bar, BarsSubscriptionRequest, QuoteData, QuotesSubscriptionRequest
from trading_api.ws import WsRouter

BarsRouter: TypeAlias = WsRouter[BarsSubscriptionRequest, Bar]
QuotesRouter: TypeAlias = WsRouter[QuotesSubscriptionRequest, QuoteData]
