"""Schemathesis with every check and every phase against a live server: the merged spec never
says one thing while the server does another.

This is `schemathesis run --checks all` (examples, coverage, fuzzing and stateful phases) driven
through schemathesis' engine, bounded in examples (and each request in time), with a fixed seed
and derandomized generation so that a failure reproduces. The one kind of failure accepted is a
`positive_data_acceptance` refusal that is a documented domain rule JSON Schema cannot express:
`DOMAIN_RULES` lists each one with its operations, error code, message and reason; nothing else
is excluded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from broker.live import trading_server
from schemathesis.core.failures import Failure
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from support import Server

pytestmark = pytest.mark.slow

SEED = 20260801
MAX_EXAMPLES = 25
"""Per operation and phase: the whole run takes about a minute on two cores."""
REQUEST_TIMEOUT = 10
"""Seconds; a hung server fails the run instead of stalling it (`max-time` would not bound it:
schemathesis repeats the fuzzing and stateful phases until that time is spent)."""

BROKER = "/api/v1/broker"
PLACE, PREVIEW, MODIFY = (
    f"POST {BROKER}/orders",
    f"POST {BROKER}/orders/preview",
    f"PUT {BROKER}/orders/{{order_id}}",
)
BRACKETS, CLOSE = (
    f"PUT {BROKER}/positions/{{position_id}}/brackets",
    f"DELETE {BROKER}/positions/{{position_id}}",
)
BARS = "GET /api/v1/datafeed/bars"
VALIDATION = "request validation"
"""The `code` of a 422 request validation error (FastAPI's shape has none)."""


@dataclass(frozen=True)
class DomainRule:
    """A refusal of schema-valid input by a rule JSON Schema cannot express, and why not."""

    operations: tuple[str, ...]
    code: str
    problem: str
    """Regex of the rule's message; messages join several problems with `; `."""
    why: str


DOMAIN_RULES = (
    DomainRule(
        (f"PUT {BROKER}/leverage",),
        "invalid_leverage",
        r"leverage \S+ is (outside \[\S+, \S+\]|not a multiple of \S+ from \S+)",
        "each symbol has its own range and step, answered by `GET /leverage` (TradingView "
        "`leverageInfo`)",
    ),
    DomainRule(
        (f"PUT {BROKER}/leverage",),
        "invalid_leverage",
        r"Margin \S+ \w+ would exceed equity \S+ \w+",
        "compares the margin at that leverage with the account's equity: state",
    ),
    DomainRule(
        (PLACE, PREVIEW),
        VALIDATION,
        r"(takeProfit|stopLoss|guaranteedStop) must be (above|below) the entry price \S+",
        "compares two fields: a bracket with the limit or stop price (or the ticket's quote)",
    ),
    DomainRule(
        (PLACE, MODIFY),
        "invalid_order",
        r"the position would reach \S+, above the maximum \S+",
        "the maximum caps the position the order adds to: state of the account",
    ),
    DomainRule(
        (PLACE, MODIFY, CLOSE),
        "invalid_order",
        r"quantity \S+ is not a multiple of the step \S+",
        "JSON Schema's `multipleOf` misjudges decimal steps in binary floating point "
        "(0.003 / 0.001 is not 3), so validators would refuse good quantities (docs/broker.md)",
    ),
    DomainRule(
        (PLACE,),
        "invalid_order",
        r"isClose: the order must reduce an opposite open position",
        "depends on the account's open positions",
    ),
    DomainRule(
        (MODIFY,),
        "invalid_order",
        r"stopLoss and guaranteedStop are mutually exclusive|a guaranteed stop cannot trail"
        r"|stopType TrailingStop requires trailingStopPips"
        r"|(takeProfit|stopLoss|guaranteedStop) must be (above|below) the entry price \S+"
        r"|a bracket order accepts only a new (limitPrice|stopPrice)",
        "a modification is checked merged into the order it changes, whose fields are state",
    ),
    DomainRule(
        (PLACE, MODIFY, BRACKETS),
        "invalid_order",
        r"trailingStopPips \S+ would start the stop at \S+",
        "where a trailing stop starts depends on the live price",
    ),
    DomainRule(
        (BRACKETS,),
        "invalid_order",
        r"(takeProfit|the stop) must be (above|below) the current price \S+",
        "compares with the live price",
    ),
    DomainRule(
        (CLOSE,),
        "invalid_order",
        r"amount must be > 0 and <= \S+",
        "at most the position's quantity: state of the account",
    ),
    DomainRule(
        (BARS,),
        "invalid_range",
        r"from \(-?\d+\) must not be after to \(-?\d+\)",
        "compares two parameters",
    ),
    DomainRule(
        (BARS,),
        "range_too_large",
        r"the requested range holds more than \d+ bars at resolution '\w+'; request a shorter "
        r"range or use countBack|countBack \(\d+\) exceeds the maximum of \d+ bars per request",
        "the maximum is a server setting read at start (`TRADING_API_DATAFEED_MAX_BARS`), and "
        "the bars in a range depend on its resolution",
    ),
    DomainRule(
        (BARS,),
        "unknown_resolution",
        r"resolution '\w+' is not served for \S+; supported: .*",
        "each symbol serves its own resolutions (`SymbolInfo.supported_resolutions`)",
    ),
)


def refusals(response: schemathesis.Response) -> list[tuple[str, str]]:
    """(code, message) of the `ErrorResponse`, or of each request validation error."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("code"), str):
        return [(body["code"], str(body.get("message")))]
    if isinstance(body.get("detail"), list):
        return [
            (VALIDATION, str(error.get("msg")).removeprefix("Value error, "))
            for error in body["detail"]
        ]
    return []


def explained(operation: str, code: str, message: str) -> bool:
    """`message` is made of problems, each one a rule in `DOMAIN_RULES` for this operation."""
    problem = "|".join(
        f"(?:{rule.problem})"
        for rule in DOMAIN_RULES
        if operation in rule.operations and rule.code == code
    )
    return bool(problem) and re.fullmatch(f"(?:{problem})(?:; (?:{problem}))*", message) is not None


def is_domain_rule(failure: Failure, response: schemathesis.Response) -> bool:
    """A `positive_data_acceptance` failure whose every refusal is explained by `DOMAIN_RULES`."""
    if "positive_data_acceptance" not in failure.checks:
        return False
    found = refusals(response)
    return bool(found) and all(explained(str(failure.operation), *refusal) for refusal in found)


@dataclass(frozen=True)
class Finding:
    operation: str
    check: str
    title: str
    message: str
    reproduce: str

    def __str__(self) -> str:
        return f"{self.operation} [{self.check}] {self.title}\n{self.message}\n{self.reproduce}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    # schemathesis places orders as fast as it can: a 429 would fail `positive_data_acceptance`
    with trading_server(TRADING_API_ORDER_BURST="1000000") as running:
        yield running


def failures_of(recorder: ScenarioRecorder) -> Iterator[Finding]:
    """One `Finding` per failed check of a scenario, with the answer that failed it."""
    for case_id, checks in recorder.checks.items():
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction else None
        answer = (
            f"→ {response.status_code} {response.content[:300]!r}" if response else "→ no response"
        )
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                yield Finding(
                    operation=str(failure.operation),
                    check=check.name,
                    title=failure.title,
                    message=f"{failure.message}\n{answer}",
                    reproduce=check.failure_info.code_sample,
                )


def run_schemathesis(
    base_url: str, api_key: str
) -> tuple[list[Finding], set[str], StopReason | None]:
    """Every failure, the operations that were exercised, and why the run stopped.

    `api_key` goes where the spec's security scheme asks for it (`ignored_auth` then checks
    that those operations refuse a request without it)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "request-timeout": REQUEST_TIMEOUT,
            "base-url": base_url,
            "auth": {"openapi": {"apiKey": {"bearer": api_key}}},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)

    @schema.hook
    def filter_failure(
        context: schemathesis.HookContext,
        failure: Failure,
        case: schemathesis.Case[Any],
        response: schemathesis.Response,
    ) -> bool:
        return not is_domain_rule(failure, response)

    findings: list[Finding] = []
    exercised: set[str] = set()
    stop_reason = None
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            exercised.update(node.value.operation.label for node in event.recorder.cases.values())
            findings.extend(failures_of(event.recorder))
        elif isinstance(event, events.NonFatalError):
            findings.append(Finding(event.label, "-", "error", str(event.value), ""))
        elif isinstance(event, events.FatalError):
            raise AssertionError(f"schemathesis could not run: {event.exception}")
        elif isinstance(event, events.EngineFinished):
            stop_reason = event.stop_reason
    return findings, exercised, stop_reason


def test_schemathesis_finds_nothing(server: Server) -> None:
    spec = httpx.get(f"{server.base_url}/api/v1/openapi.json", timeout=10).json()
    operations = {
        f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
    }

    findings, exercised, stop_reason = run_schemathesis(server.base_url, server.api_key)

    first: dict[tuple[str, str, str], Finding] = {}
    for finding in findings:  # one example of each kind, with how to reproduce it
        first.setdefault((finding.operation, finding.check, finding.title), finding)
    report = "\n\n".join(str(first[key]) for key in sorted(first))
    assert not first, f"{len(first)} kind(s) of schemathesis failure:\n\n{report}"
    assert stop_reason is StopReason.COMPLETED, stop_reason
    assert operations <= exercised, f"never exercised: {sorted(operations - exercised)}"
