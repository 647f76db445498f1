"""Request bodies and subscription requests of the datafeed (REST and WebSocket)."""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

SymbolName = Annotated[str, Field(min_length=1)]


class BarsRequest(BaseModel):
    """Parameters of ``GET /bars``; ``from``/``to`` are Unix **seconds**, ``[from, to)``."""

    model_config = ConfigDict(populate_by_name=True)

    symbol: str = Field(min_length=1, description="Symbol ticker, e.g. `AAPL`.")
    resolution: str = Field(min_length=1, description="Resolution, e.g. `1`, `60`, `1D`, `1W`.")
    from_time: int = Field(alias="from", description="Range start, Unix seconds (inclusive).")
    to_time: int = Field(alias="to", description="Range end, Unix seconds (exclusive).")
    count_back: int | None = Field(
        default=None,
        alias="countBack",
        gt=0,
        description="When set: exactly this many bars ending before `to` (wins over `from`).",
    )


class QuotesRequest(BaseModel):
    """Body of ``POST /quotes``."""

    symbols: list[SymbolName] = Field(min_length=1, description="Symbols to quote (at least one).")


class BarsSubscriptionRequest(BaseModel):
    """WebSocket ``bars`` subscription: updates of the forming bar of one symbol/resolution."""

    symbol: str = Field(min_length=1, description="Symbol ticker, e.g. `AAPL`.")
    resolution: str = Field(min_length=1, description="Resolution, e.g. `1`, `60`, `1D`.")


class QuotesSubscriptionRequest(BaseModel):
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
