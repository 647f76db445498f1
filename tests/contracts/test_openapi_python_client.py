"""A client generator nobody here wrote, openapi-python-client, turns the merged spec of a live
server into a client that a whole broker session uses, refusals, 404s and 409s included, without
an undeclared answer; its enums have the TradingView names.

The generator and its client live in the test's own virtualenv (from PyPI), never in the
project's; `generated_client_flow.py` is the session, run in that virtualenv.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker.live import trading_server, write_daily_csv
from support import Server, clean_env

pytestmark = pytest.mark.slow

SYMBOL = "ACME"
CLOSES = (100.40, 101.60)
"""Static prices: the CSV datafeed quotes the last close, so fills are predictable."""
FLOW = Path(__file__).with_name("generated_client_flow.py")
PACKAGE = "contract_client"
GENERATOR_CONFIG = f"""\
project_name_override: trading-api-contract-client
package_name_override: {PACKAGE}
post_hooks: []
"""
"""No post hooks: the generator's default runs ruff, which the virtualenv does not have."""


def run(command: Sequence[str | Path]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"
    return result


@dataclass(frozen=True)
class GeneratedClient:
    python: Path
    package: Path
    spec: dict[str, Any]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("prices")
    write_daily_csv(data, SYMBOL, CLOSES)
    with trading_server(TRADING_API_DATAFEED_DATA_DIR=str(data)) as running:
        yield running


@pytest.fixture(scope="module")
def generated(
    server: Server, tmp_path_factory: pytest.TempPathFactory, openapi_python_client: Path
) -> GeneratedClient:
    """openapi-python-client in its own virtualenv, and the client it made, installed there."""
    work = tmp_path_factory.mktemp("openapi-python-client")
    python = openapi_python_client
    spec_text = httpx.get(f"{server.base_url}/api/v1/openapi.json", timeout=10).text
    (work / "openapi.json").write_text(spec_text, encoding="utf-8")
    (work / "config.yaml").write_text(GENERATOR_CONFIG, encoding="utf-8")
    output = work / "client"
    run(
        [
            python.parent / "openapi-python-client",
            "generate",
            "--path",
            work / "openapi.json",
            "--config",
            work / "config.yaml",
            "--meta",
            "uv",
            "--output-path",
            output,
            "--fail-on-warning",  # every schema and operation made it into the client
        ]
    )
    run(["uv", "pip", "install", "-q", "--python", python, output])
    return GeneratedClient(python=python, package=output / PACKAGE, spec=json.loads(spec_text))


def enum_members(source: str) -> dict[int, str]:
    """value → member name of the integer enum class in a generated module."""
    return {int(value): name for name, value in re.findall(r"^    (\w+) = (-?\d+)$", source, re.M)}


def test_enums_have_named_members(generated: GeneratedClient) -> None:
    """Each integer enum's members carry its `x-enum-varnames` (`StopLimit` → `STOP_LIMIT`)."""
    sources = [
        path.read_text(encoding="utf-8") for path in (generated.package / "models").glob("*.py")
    ]
    assert not [source for source in sources if re.search(r"^    VALUE_", source, re.M)]
    integer_enums = {
        name: schema
        for name, schema in generated.spec["components"]["schemas"].items()
        if schema.get("type") == "integer" and "enum" in schema
    }
    assert {"OrderType", "Side", "OrderStatus", "ParentType", "StopType"} <= set(integer_enums)
    for name, schema in integer_enums.items():
        (source,) = [source for source in sources if f"class {name}(IntEnum):" in source]
        members = {value: member.replace("_", "") for value, member in enum_members(source).items()}
        expected = {
            value: varname.upper()
            for value, varname in zip(schema["enum"], schema["x-enum-varnames"], strict=True)
        }
        assert members == expected, (name, source)


def test_broker_flow_through_the_generated_client(
    generated: GeneratedClient, server: Server
) -> None:
    result = subprocess.run(
        [str(generated.python), str(FLOW), server.base_url, SYMBOL, server.api_key],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "flow complete" in result.stdout
