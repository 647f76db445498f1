"""Datafeed configuration (answer of ``GET /config``, TradingView ``DatafeedConfiguration``)."""

from pydantic import ConfigDict, Field

from trading_api.models.wire import WireModel


class Exchange(WireModel):
    """An exchange offered as a search filter."""

    value: str = Field(description="Filter value sent back in searches (empty = all).")
    name: str = Field(description="Short name shown in the filter.")
    desc: str = Field(description="Description of the exchange.")


class SymbolType(WireModel):
    """An instrument type offered as a search filter."""

    name: str = Field(description="Name shown in the filter.")
    value: str = Field(description="Filter value sent back in searches (empty = all).")


class DatafeedConfiguration(WireModel):
    """Capabilities of the datafeed.

    Every field is optional, as in TradingView's type (a client may read any server's
    configuration with this model); this server sends them all.
    """

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    supported_resolutions: list[str] = Field(
        default_factory=list, description="Every resolution the datafeed serves."
    )
    exchanges: list[Exchange] = Field(
        default_factory=list, description="Exchange filters for symbol search."
    )
    symbols_types: list[SymbolType] = Field(
        default_factory=list, description="Type filters for symbol search."
    )
    supports_marks: bool = Field(default=False, description="Bar marks are served.")
    supports_timescale_marks: bool = Field(default=False, description="Timescale marks are served.")
    supports_time: bool = Field(
        default=False, description="Server time is served (`GET /time`, Unix seconds)."
    )
