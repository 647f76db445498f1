"""Broker and datafeed deployed as two servers: the broker quotes over HTTP.

`trading-api serve --modules datafeed` runs the simulator (prices move continuously for
24x7 symbols); `trading-api serve --modules broker` gets `TRADING_API_BROKER_DATAFEED_URL`
and no datafeed of its own, so its only prices are the generated `DatafeedClient`'s answers.
"""

from __future__ import annotations

import time

import pytest

from trading_api.clients import ApiStatusError, BrokerClient, DatafeedClient
from trading_api.models import (
    ConnectionStatus,
    OrderStatus,
    OrderType,
    PreOrder,
    QuotesRequest,
    Side,
)

from .live import asks_between, eventually, replica, trading_server

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SYMBOL = "ETHUSD"  # trades 24x7: its simulated price moves whenever the test runs
SEED = 7
"""Not the default seed: a broker quoting from anything but this datafeed would get other
prices (its private fallback simulator would use the default seed)."""


async def test_broker_fills_at_the_remote_datafeed_quote() -> None:
    with (
        trading_server(["datafeed"], TRADING_API_DATAFEED_SEED=str(SEED)) as datafeed_server,
        trading_server(
            ["broker"],
            TRADING_API_BROKER_DATAFEED_URL=datafeed_server.base_url,
            TRADING_API_BROKER_QUOTE_INTERVAL="0.1",
        ) as broker_server,
    ):
        async with (
            DatafeedClient(datafeed_server.base_url) as datafeed,
            BrokerClient(broker_server.base_url, api_key=broker_server.api_key) as broker,
        ):
            # The datafeed computes a quote at the instant it answers. The test reads it
            # before and after the order and cannot know the instant the broker asked for
            # its own, only that it lies in [start, end]. The simulator is deterministic:
            # a replica with the same seed gives every ask quoted in that window (sampled
            # each millisecond, so `in window` allows one tick beyond the samples).
            start = time.time()
            (before,) = await datafeed.get_quotes(QuotesRequest(symbols=[SYMBOL]))
            bought = await broker.place_order(
                PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=1)
            )
            (after,) = await datafeed.get_quotes(QuotesRequest(symbols=[SYMBOL]))
            end = time.time()

            window = asks_between(replica(SEED), SYMBOL, start, end)
            assert before.v.ask in window and after.v.ask in window  # the replica is faithful
            assert bought.status == OrderStatus.Filled
            assert bought.avg_price in window

            (position,) = await broker.get_positions()
            assert (position.qty, position.avg_price) == (1, bought.avg_price)

            # Without its datafeed the broker cannot price orders: 503, and the quote feed
            # (polling the open position's symbol) reports the lost connection.
            datafeed_server.process.terminate()
            datafeed_server.process.wait(timeout=15)
            with pytest.raises(ApiStatusError) as raised:
                await broker.place_order(
                    PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=1)
                )
            assert raised.value.status_code == 503

            async def disconnected() -> bool:
                status = await broker.get_connection_status()
                return status.status == ConnectionStatus.Disconnected

            await eventually(disconnected)
