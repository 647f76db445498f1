"""Datafeed configuration (answer of ``GET /config``, TradingView ``DatafeedConfiguration``)."""

from pydantic import BaseModel, Field


class Exchange(BaseModel):
    """An exchange offered as a search filter."""

    value: str = Field(description="Filter value sent back in searches (empty = all).")
    name: str = Field(description="Short name shown in the filter.")
    desc: str = Field(description="Description of the exchange.")


class SymbolType(BaseModel):
    """An instrument type offered as a search filter."""

    name: str = Field(description="Name shown in the filter.")
    value: str = Field(description="Filter value sent back in searches (empty = all).")


class DatafeedConfiguration(BaseModel):
    """Capabilities of the datafeed."""

    supported_resolutions: list[str] = Field(description="Every resolution the datafeed serves.")
    exchanges: list[Exchange] = Field(description="Exchange filters for symbol search.")
    symbols_types: list[SymbolType] = Field(description="Type filters for symbol search.")
    supports_marks: bool = Field(default=False, description="Bar marks are served.")
    supports_timescale_marks: bool = Field(default=False, description="Timescale marks are served.")
    supports_time: bool = Field(default=True, description="Server time is served.")
