"""Market data wire models (TradingView Charting Library Datafeed API shapes)."""

from trading_api.models.market.bars import Bar, BarsResponse
from trading_api.models.market.config import DatafeedConfiguration, Exchange, SymbolType
from trading_api.models.market.quotes import QuoteData, QuoteValues
from trading_api.models.market.requests import (
    BarsRequest,
    BarsSubscriptionRequest,
    QuotesRequest,
    QuotesSubscriptionRequest,
)
from trading_api.models.market.symbols import SearchSymbolResultItem, SymbolInfo

__all__ = [
    "Bar",
    "BarsRequest",
    "BarsResponse",
    "BarsSubscriptionRequest",
    "DatafeedConfiguration",
    "Exchange",
    "QuoteData",
    "QuoteValues",
    "QuotesRequest",
    "QuotesSubscriptionRequest",
    "SearchSymbolResultItem",
    "SymbolInfo",
    "SymbolType",
]
