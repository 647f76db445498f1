"""Request bodies and subscription requests of the datafeed (REST and WebSocket)."""

from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from trading_api.models.market.resolution import ResolutionText
from trading_api.models.wire import Omittable, WireModel

SymbolName = Annotated[str, Field(min_length=1)]


class BarsRequest(WireModel):
    """Parameters of ``GET /bars``; ``from``/``to`` are Unix **seconds**, ``[from, to)``."""

    model_config = ConfigDict(populate_by_name=True)

    symbol: str = Field(min_length=1, description="Symbol ticker, e.g. `AAPL`.")
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

    symbols: list[SymbolName] = Field(min_length=1, description="Symbols to quote (at least one).")


class BarsSubscriptionRequest(WireModel):
    """WebSocket ``bars`` subscription: updates of the forming bar of one symbol/resolution."""

    symbol: str = Field(min_length=1, description="Symbol ticker, e.g. `AAPL`.")
    resolution: ResolutionText


class QuotesSubscriptionRequest(WireModel):
    """WebSocket ``quotes`` subscription (TradingView ``subscribeQuotes`` arguments)."""

    symbols: list[SymbolName] = Field(
        default_factory=list, description="Symbols updated regularly."
    )
    fast_symbols: list[SymbolName] = Field(
        default_factory=list, description="Symbols updated at the fastest rate (visible ones)."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.symbols and not self.fast_symbols:
            raise ValueError("subscribe to at least one symbol (symbols or fast_symbols)")
        return self
