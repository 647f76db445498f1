"""Request bodies and subscription requests of the datafeed (REST and WebSocket)."""

from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from trading_api.models.market.resolution import ResolutionText
from trading_api.models.wire import Omittable, WireModel

MAX_SYMBOL_LENGTH = 64
"""Longest symbol name a request may carry (`EXCHANGE:TICKER` included)."""
MAX_QUOTE_SYMBOLS = 200
"""Most symbols one `POST /quotes` may ask for (docs/limits.md)."""
MAX_SUBSCRIBED_SYMBOLS = 100
"""Most symbols in each list of one `quotes` WebSocket subscription."""

SymbolName = Annotated[str, Field(min_length=1, max_length=MAX_SYMBOL_LENGTH)]


class BarsRequest(WireModel):
    """Parameters of ``GET /bars``; ``from``/``to`` are Unix **seconds**, ``[from, to)``."""

    model_config = ConfigDict(populate_by_name=True)

    symbol: SymbolName = Field(description="Symbol ticker, e.g. `AAPL`.")
    resolution: ResolutionText
    from_time: int = Field(alias="from", description="Range start, Unix seconds (inclusive).")
    to_time: int = Field(alias="to", description="Range end, Unix seconds (exclusive).")
    count_back: Omittable[int] = Field(
        default=None,
        alias="countBack",
        gt=0,
        description="When set: exactly this many bars ending before `to` (wins over `from`).",
    )


class QuotesRequest(WireModel):
    """Body of ``POST /quotes``."""

    symbols: list[SymbolName] = Field(
        min_length=1,
        max_length=MAX_QUOTE_SYMBOLS,
        description=f"Symbols to quote (1 to {MAX_QUOTE_SYMBOLS}).",
    )


class BarsSubscriptionRequest(WireModel):
    """WebSocket ``bars`` subscription: updates of the forming bar of one symbol/resolution."""

    symbol: SymbolName = Field(description="Symbol ticker, e.g. `AAPL`.")
    resolution: ResolutionText


class QuotesSubscriptionRequest(WireModel):
    """WebSocket ``quotes`` subscription (TradingView ``subscribeQuotes`` arguments)."""

    symbols: list[SymbolName] = Field(
        default_factory=list,
        max_length=MAX_SUBSCRIBED_SYMBOLS,
        description=f"Symbols updated regularly (at most {MAX_SUBSCRIBED_SYMBOLS}).",
    )
    fast_symbols: list[SymbolName] = Field(
        default_factory=list,
        max_length=MAX_SUBSCRIBED_SYMBOLS,
        description="Symbols updated at the fastest rate (visible ones; at most "
        f"{MAX_SUBSCRIBED_SYMBOLS}).",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.symbols and not self.fast_symbols:
            raise ValueError("subscribe to at least one symbol (symbols or fast_symbols)")
        return self
