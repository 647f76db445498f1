"""Same seed → same bars, byte for byte, across implementations of the simulator.

The digests below were recorded with the simulator as it was *before* its history path was
optimised (commit 73e25ee, pure-Python generation and aggregation on every request): each is
the SHA-256 of the JSON of the bar **values** (time, open, high, low, close, volume; floats
by ``repr``) that a set of requests returns. Wire envelopes (``noData``, ``nextTime``,
optional fields) are left out on purpose: they may change shape, the bars may not.

Regenerate only when the model of prices is changed deliberately:
``.venv/bin/python tests/datafeed/test_bars_determinism.py`` prints the table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import pytest

from trading_api.models.market import Bar
from trading_api.modules.datafeed.aggregate import RawBar
from trading_api.modules.datafeed.bar_json import BarTexts, format_bars
from trading_api.modules.datafeed.resolution import parse_resolution
from trading_api.modules.datafeed.simulator import SimulatorSource

SEED = 7
HISTORY_START = date(2023, 1, 2)
# Wednesday 2024-03-13 15:17:23.5 UTC: US stocks trading, the forming bars partial.
NOW = datetime(2024, 3, 13, 15, 17, 23, 500_000, tzinfo=UTC).timestamp()
SYMBOLS = ("AAPL", "SPY", "EURUSD", "USDJPY", "BTCUSD")
RESOLUTIONS = ("1", "5", "15", "30", "60", "240", "1D", "1W", "1M")

Request = Callable[[SimulatorSource], Sequence[Bar]]


def _requests(symbol: str, resolution: str) -> dict[str, Request]:
    """Range, count-back and live requests of one symbol and resolution."""
    to = int(NOW) + 1
    span = min(700 * parse_resolution(resolution).nominal_seconds, 200 * 86_400)
    return {
        "range": lambda s: s.bars(symbol, resolution, to - span, to).bars,
        "past": lambda s: s.bars(symbol, resolution, to - 3 * span, to - span).bars,
        "countback": lambda s: s.bars(symbol, resolution, 0, to - span // 3, 300).bars,
        "latest": lambda s: [b for b in [s.latest_bar(symbol, resolution)] if b is not None],
        "updates": lambda s: s.bar_updates(symbol, resolution, NOW - 7_777.25),
    }


def _digest(bars: Sequence[Bar]) -> str:
    values = [[b.time, b.open, b.high, b.low, b.close, b.volume] for b in bars]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:16]


def _fresh_source() -> SimulatorSource:
    return SimulatorSource(seed=SEED, history_start=HISTORY_START, clock=lambda: NOW)


def compute() -> dict[str, str]:
    """Digest of every request, from one fresh source per symbol (caches filled on the way)."""
    digests: dict[str, str] = {}
    for symbol in SYMBOLS:
        source = _fresh_source()
        for resolution in RESOLUTIONS:
            for name, request in _requests(symbol, resolution).items():
                digests[f"{symbol}/{resolution}/{name}"] = _digest(request(source))
    return digests


RECORDED: dict[str, str] = {
    "AAPL/1/range": "d47a0fb37f91b260",
    "AAPL/1/past": "20142bfea32d8f51",
    "AAPL/1/countback": "88d594550efeb17d",
    "AAPL/1/latest": "a8b19f773159172c",
    "AAPL/1/updates": "b3165e61dd3b1f7e",
    "AAPL/5/range": "c3c3a3d92a80ae22",
    "AAPL/5/past": "571b91fc73ec8d61",
    "AAPL/5/countback": "f5cc0ce8057af21f",
    "AAPL/5/latest": "bbe970fc47c71a9c",
    "AAPL/5/updates": "1e7dcd30c451f900",
    "AAPL/15/range": "679eec8557547460",
    "AAPL/15/past": "d1c24f0921eb2446",
    "AAPL/15/countback": "f37d14a431080d5f",
    "AAPL/15/latest": "bbe970fc47c71a9c",
    "AAPL/15/updates": "a5726f8d9d9e0497",
    "AAPL/30/range": "43a569d4ad5c5185",
    "AAPL/30/past": "b09176a13441426a",
    "AAPL/30/countback": "4652ca4fa176f55c",
    "AAPL/30/latest": "547e07349a145880",
    "AAPL/30/updates": "b52838c746d8c78d",
    "AAPL/60/range": "2bbfabf863199eae",
    "AAPL/60/past": "b399576ec0dbb2ac",
    "AAPL/60/countback": "70ccfabd2ae28082",
    "AAPL/60/latest": "992ba3e46dd1a01c",
    "AAPL/60/updates": "cd69bc15abc2177a",
    "AAPL/240/range": "9566d8b0239a2e08",
    "AAPL/240/past": "6f1f09f89c9d7158",
    "AAPL/240/countback": "58aa4afc747a35eb",
    "AAPL/240/latest": "c5bfe98c7ddddc54",
    "AAPL/240/updates": "e34d6fc89745a797",
    "AAPL/1D/range": "7834f22ddc433c29",
    "AAPL/1D/past": "d422729bafaf8363",
    "AAPL/1D/countback": "1824479f2995eabf",
    "AAPL/1D/latest": "ab402b46844d7de4",
    "AAPL/1D/updates": "ab402b46844d7de4",
    "AAPL/1W/range": "230f7239f5845541",
    "AAPL/1W/past": "ea373b595af2033c",
    "AAPL/1W/countback": "c0aee6ddb4b7cddd",
    "AAPL/1W/latest": "5cac256aebe2dd6e",
    "AAPL/1W/updates": "5cac256aebe2dd6e",
    "AAPL/1M/range": "dbdd2fec6693a504",
    "AAPL/1M/past": "7028f47c6b1ed990",
    "AAPL/1M/countback": "61b94b48c741f9dc",
    "AAPL/1M/latest": "7847dd489549e49a",
    "AAPL/1M/updates": "7847dd489549e49a",
    "SPY/1/range": "c66e7e7ee6a5dbad",
    "SPY/1/past": "19f321ee945691e7",
    "SPY/1/countback": "ab898c824d041df9",
    "SPY/1/latest": "2b7984808485aa65",
    "SPY/1/updates": "8384217e995bf809",
    "SPY/5/range": "9a1dd7d5037a749b",
    "SPY/5/past": "a92b010a303dc560",
    "SPY/5/countback": "b12710e5932dbe91",
    "SPY/5/latest": "b48ee98701c9c855",
    "SPY/5/updates": "3280823f98c4227c",
    "SPY/15/range": "22360897d526f229",
    "SPY/15/past": "8b844ba225dc45dc",
    "SPY/15/countback": "44154f9ad63290c3",
    "SPY/15/latest": "b48ee98701c9c855",
    "SPY/15/updates": "6490abcf92789140",
    "SPY/30/range": "643819ba17fd961d",
    "SPY/30/past": "b92dc54e84b339c2",
    "SPY/30/countback": "ec9e4821a1be1d1e",
    "SPY/30/latest": "3b3fc603ffabb31a",
    "SPY/30/updates": "a8c8008c1719c1f3",
    "SPY/60/range": "8295b532ec8c5ba4",
    "SPY/60/past": "78191dc2f6726a37",
    "SPY/60/countback": "d5438c5a3f8dbb5c",
    "SPY/60/latest": "57892476a3e8af4c",
    "SPY/60/updates": "bd09f8624da8f2a8",
    "SPY/240/range": "da9345fb017584f8",
    "SPY/240/past": "e23cf4c1d67d1e65",
    "SPY/240/countback": "83407b0454d3b3ec",
    "SPY/240/latest": "790e60c4ab4e6f81",
    "SPY/240/updates": "25ef14578ac2d858",
    "SPY/1D/range": "56700e5f5e1c668c",
    "SPY/1D/past": "3956af38ab9d33e3",
    "SPY/1D/countback": "e22d8dc37901ebcb",
    "SPY/1D/latest": "995231f4c01249b2",
    "SPY/1D/updates": "995231f4c01249b2",
    "SPY/1W/range": "fa74027b7d2b31ae",
    "SPY/1W/past": "a6f7a01096591c15",
    "SPY/1W/countback": "8a77192c012fce3d",
    "SPY/1W/latest": "1ce5ee3d3072531b",
    "SPY/1W/updates": "1ce5ee3d3072531b",
    "SPY/1M/range": "e844fc9dbf70f43c",
    "SPY/1M/past": "5aef05535fd958d0",
    "SPY/1M/countback": "dab255e77ca57930",
    "SPY/1M/latest": "2ea3132d19a5a7f3",
    "SPY/1M/updates": "2ea3132d19a5a7f3",
    "EURUSD/1/range": "72b02c855064c573",
    "EURUSD/1/past": "b3045446ea4956ab",
    "EURUSD/1/countback": "da3ec495289c6d1f",
    "EURUSD/1/latest": "7972e1c8b3f2bd03",
    "EURUSD/1/updates": "3b8f24904ba72b14",
    "EURUSD/5/range": "a092ba8ebee2802a",
    "EURUSD/5/past": "ea03b761655d95c5",
    "EURUSD/5/countback": "ffbac035cd265c61",
    "EURUSD/5/latest": "fd446ee558a595f0",
    "EURUSD/5/updates": "08a4d8c65222ee85",
    "EURUSD/15/range": "f2f0ededc1338c8a",
    "EURUSD/15/past": "6733f837fe805cc3",
    "EURUSD/15/countback": "855ac1a014373f40",
    "EURUSD/15/latest": "fd446ee558a595f0",
    "EURUSD/15/updates": "168d3dc05a5553c0",
    "EURUSD/30/range": "31a958b5430b2c8c",
    "EURUSD/30/past": "5fcac8a70c90807b",
    "EURUSD/30/countback": "99762759f3aa83ae",
    "EURUSD/30/latest": "b5aad2f86a6fcda0",
    "EURUSD/30/updates": "5db6d65571f09850",
    "EURUSD/60/range": "404acfb18f6860a9",
    "EURUSD/60/past": "fbf888d6b7b9e58a",
    "EURUSD/60/countback": "9add619c7d8dc040",
    "EURUSD/60/latest": "b5aad2f86a6fcda0",
    "EURUSD/60/updates": "97fcb412206644b2",
    "EURUSD/240/range": "b8794792c7015db4",
    "EURUSD/240/past": "27415728e0ff9607",
    "EURUSD/240/countback": "025fb7c1433f6dee",
    "EURUSD/240/latest": "a3fdd499c1d0d116",
    "EURUSD/240/updates": "a3fdd499c1d0d116",
    "EURUSD/1D/range": "ec436c97be9fdcd6",
    "EURUSD/1D/past": "c2e151a03cb3a6ac",
    "EURUSD/1D/countback": "461e02c1ccac7f15",
    "EURUSD/1D/latest": "2dd1412f9b59bd45",
    "EURUSD/1D/updates": "2dd1412f9b59bd45",
    "EURUSD/1W/range": "1ee16539d269f493",
    "EURUSD/1W/past": "69db8652b019256b",
    "EURUSD/1W/countback": "eba285f6b10f0c09",
    "EURUSD/1W/latest": "adcb9bf28f148dd0",
    "EURUSD/1W/updates": "adcb9bf28f148dd0",
    "EURUSD/1M/range": "eb6c3147a2d3f32b",
    "EURUSD/1M/past": "4298b1989a5cc979",
    "EURUSD/1M/countback": "db2f03911479d354",
    "EURUSD/1M/latest": "e509554b950947f5",
    "EURUSD/1M/updates": "e509554b950947f5",
    "USDJPY/1/range": "ab9e7911a8a636c9",
    "USDJPY/1/past": "3951655a06a93209",
    "USDJPY/1/countback": "a6bc28a000c61462",
    "USDJPY/1/latest": "1ef65c7c6a4db7ac",
    "USDJPY/1/updates": "53fc24c7dc1eee77",
    "USDJPY/5/range": "9a2a7b6870137f6b",
    "USDJPY/5/past": "8e8c3c6b133cd98e",
    "USDJPY/5/countback": "e8809b853f9bab3f",
    "USDJPY/5/latest": "b0905242d05a0805",
    "USDJPY/5/updates": "52c3744c771a6f54",
    "USDJPY/15/range": "7029e8dbeab4cdc5",
    "USDJPY/15/past": "c34b7221b638b462",
    "USDJPY/15/countback": "0529f7e696ca67c1",
    "USDJPY/15/latest": "b0905242d05a0805",
    "USDJPY/15/updates": "8447bc53361bdeb8",
    "USDJPY/30/range": "7c49610c1d343701",
    "USDJPY/30/past": "de13d9d287c0ef83",
    "USDJPY/30/countback": "b7b4e594f8fd1d84",
    "USDJPY/30/latest": "63c08f0e8764d642",
    "USDJPY/30/updates": "1863421546457e54",
    "USDJPY/60/range": "a02b82f4bc3436c5",
    "USDJPY/60/past": "81d79fd38e42096e",
    "USDJPY/60/countback": "622451fbdb9b631a",
    "USDJPY/60/latest": "63c08f0e8764d642",
    "USDJPY/60/updates": "050f9b5316d25fd5",
    "USDJPY/240/range": "2fbf37c2f63f02ff",
    "USDJPY/240/past": "ebe34361b95721a0",
    "USDJPY/240/countback": "d99219f233faaf25",
    "USDJPY/240/latest": "b7f82a5d10f25ba2",
    "USDJPY/240/updates": "b7f82a5d10f25ba2",
    "USDJPY/1D/range": "63aed8338fc5dad5",
    "USDJPY/1D/past": "80b84c9afe9a1992",
    "USDJPY/1D/countback": "899ceb276d24f93a",
    "USDJPY/1D/latest": "e5f6c6b01494c99c",
    "USDJPY/1D/updates": "e5f6c6b01494c99c",
    "USDJPY/1W/range": "72a31e6a75589550",
    "USDJPY/1W/past": "2bb1c534df50b3e5",
    "USDJPY/1W/countback": "b161bd46850756fc",
    "USDJPY/1W/latest": "1e68fe1f9592ccd8",
    "USDJPY/1W/updates": "1e68fe1f9592ccd8",
    "USDJPY/1M/range": "970632eb91a69fdf",
    "USDJPY/1M/past": "a7572fb7ecc1bb7a",
    "USDJPY/1M/countback": "f47667e02f594de0",
    "USDJPY/1M/latest": "6b78ca03bccb0416",
    "USDJPY/1M/updates": "6b78ca03bccb0416",
    "BTCUSD/1/range": "91c7ed3a8983d654",
    "BTCUSD/1/past": "6498061fb7db16b1",
    "BTCUSD/1/countback": "d20500b292e5258b",
    "BTCUSD/1/latest": "12835a944720defc",
    "BTCUSD/1/updates": "aa4d77e6e443698e",
    "BTCUSD/5/range": "19205a712b729aa5",
    "BTCUSD/5/past": "3e844ee2aaa42591",
    "BTCUSD/5/countback": "bda52fbfaddedb50",
    "BTCUSD/5/latest": "112955023d3b2def",
    "BTCUSD/5/updates": "94f48f161d1f7433",
    "BTCUSD/15/range": "e035c80a7bf3a243",
    "BTCUSD/15/past": "cd24d4f2f0999435",
    "BTCUSD/15/countback": "48289bcbd8d622d6",
    "BTCUSD/15/latest": "112955023d3b2def",
    "BTCUSD/15/updates": "4d3694cd61332240",
    "BTCUSD/30/range": "e68730b1a13bb646",
    "BTCUSD/30/past": "3b5c48dbced81d1b",
    "BTCUSD/30/countback": "16e9cd8846f741ac",
    "BTCUSD/30/latest": "84a31d023d1ecd7a",
    "BTCUSD/30/updates": "83fce6e73a6bfa0f",
    "BTCUSD/60/range": "a91f980d872b1892",
    "BTCUSD/60/past": "0014c9fa2a98a3c9",
    "BTCUSD/60/countback": "db4b29feb71573d3",
    "BTCUSD/60/latest": "84a31d023d1ecd7a",
    "BTCUSD/60/updates": "e8bf0c5ae1d7de9e",
    "BTCUSD/240/range": "61ceb00ac68fcee6",
    "BTCUSD/240/past": "da5fa4a2eee7748f",
    "BTCUSD/240/countback": "c44884f23bdcb25b",
    "BTCUSD/240/latest": "793da7d0ace9cc15",
    "BTCUSD/240/updates": "793da7d0ace9cc15",
    "BTCUSD/1D/range": "8388b9deaf38b6ce",
    "BTCUSD/1D/past": "0ff044c94bf2b443",
    "BTCUSD/1D/countback": "99c51d35163574fb",
    "BTCUSD/1D/latest": "63c0983a7e955b3c",
    "BTCUSD/1D/updates": "63c0983a7e955b3c",
    "BTCUSD/1W/range": "18c4ad7ee8700399",
    "BTCUSD/1W/past": "25b8894cc3b421d9",
    "BTCUSD/1W/countback": "336cbe66c699dd18",
    "BTCUSD/1W/latest": "379cf90827dffc13",
    "BTCUSD/1W/updates": "379cf90827dffc13",
    "BTCUSD/1M/range": "2dfb6afa39e1e9fa",
    "BTCUSD/1M/past": "ca40452a918fbb5a",
    "BTCUSD/1M/countback": "f5954c48b9275368",
    "BTCUSD/1M/latest": "afc0d0e44b3f5fca",
    "BTCUSD/1M/updates": "afc0d0e44b3f5fca",
}


def test_bars_match_the_digests_recorded_before_optimisation() -> None:
    assert compute() == RECORDED


@pytest.mark.parametrize("symbol", ["AAPL", "BTCUSD"])
def test_cold_and_warm_caches_give_the_same_bars(symbol: str) -> None:
    """A request served from cached minutes equals the same request on a fresh source."""
    warm = _fresh_source()
    for resolution in RESOLUTIONS:
        requests = _requests(symbol, resolution)
        for request in requests.values():
            request(warm)
        for name, request in requests.items():
            assert _digest(request(warm)) == RECORDED[f"{symbol}/{resolution}/{name}"]


@pytest.mark.parametrize(
    ("symbol", "resolution", "start", "end", "countback"),
    [
        ("BTCUSD", "1", int(NOW) - 3_000 * 60, int(NOW) + 1, None),  # forming minute included
        ("AAPL", "60", int(NOW) - 40 * 86_400, int(NOW), None),
        ("EURUSD", "1W", 0, int(NOW), 30),
        ("AAPL", "1", int(NOW) - 4 * 86_400, int(NOW), 2_000),
        ("AAPL", "1", 1_710_000_000 - 7_200, 1_710_000_000, None),  # a Saturday: noData, nextTime
        ("SPY", "1D", 0, 86_400, None),  # before history: noData without nextTime
    ],
)
def test_pre_serialized_bars_equal_the_response_model_json(
    symbol: str, resolution: str, start: int, end: int, countback: int | None
) -> None:
    """`GET /bars` sends `bars_json`: the bytes FastAPI would make of the `BarsResponse`."""
    source = _fresh_source()
    model = source.bars(symbol, resolution, start, end, countback)
    expected = json.dumps(
        model.model_dump(mode="json", by_alias=True), ensure_ascii=False, separators=(",", ":")
    )
    assert source.bars_json(symbol, resolution, start, end, countback) == expected.encode()


def test_memoised_bar_texts_follow_the_forming_bar() -> None:
    """Repeated requests reuse each bar's text; a forming bar that moved is formatted anew."""
    now = [NOW]
    source = SimulatorSource(seed=SEED, history_start=HISTORY_START, clock=lambda: now[0])
    start, end = int(NOW) - 3_000 * 60, int(NOW) + 600
    for moment in (NOW, NOW, NOW + 20.25, NOW + 95.5):  # same, forming moved, new minute
        now[0] = moment
        model = source.bars("BTCUSD", "1", start, end)
        expected = json.dumps(
            model.model_dump(mode="json", by_alias=True), ensure_ascii=False, separators=(",", ":")
        )
        assert source.bars_json("BTCUSD", "1", start, end) == expected.encode()


def test_bar_texts_start_again_past_their_capacity() -> None:
    bars = [RawBar(60 * i, 1.5 + i, 2.0 + i, 1.0, 1.25, float(i)) for i in range(5)]
    texts = BarTexts(capacity=3)
    expected = b",".join(format_bars(bars))

    assert texts.join(bars[:3]) == b",".join(format_bars(bars[:3]))
    assert texts.join(bars) == expected  # 3 known + 2 new > 3: only this answer's bars kept
    assert len(texts) == 5
    assert texts.join(bars[1:]) == b",".join(format_bars(bars[1:]))
    assert json.loads(b"[" + expected + b"]")[4] == {
        "time": 240_000,
        "open": 5.5,
        "high": 6.0,
        "low": 1.0,
        "close": 1.25,
        "volume": 4.0,
    }


@pytest.mark.parametrize(
    "values",
    [
        (60_123.45, 60_200.0, 59_999.99, 60_100.1, 1_234.0),  # the encoder's numbers
        (0.0001, 0.00012, 0.0001, 0.0001, 0.0),  # the smallest it spells like repr
        (0.00005, 0.00007, 0.00004, 0.00006, 3e-7),  # below 1e-4: repr (1e-05 …)
        (10.00001, 1e16, 1.5e22, 2.5e-300, 5e-324),  # exponents; 0.0000 in a plain number
    ],
)
def test_bar_json_is_what_json_dumps_writes(values: tuple[float, ...]) -> None:
    """Each bar's bytes are `json.dumps` of its wire object, however small or large its values."""
    bars = [RawBar(1_710_000_000 + 60 * i, *values) for i in range(3)]
    for bar, text in zip(bars, format_bars(bars), strict=True):
        model = json.dumps(bar.to_model().model_dump(mode="json"), separators=(",", ":"))
        assert text == model.encode()


if __name__ == "__main__":
    print("RECORDED: dict[str, str] = {")
    for key, value in compute().items():
        print(f'    "{key}": "{value}",')
    print("}")
