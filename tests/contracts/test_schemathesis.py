"""Schemathesis with every check and every phase against a live server: the merged spec never
says one thing while the server does another.

This is `schemathesis run --checks all` (examples, coverage, fuzzing and stateful phases) driven
through schemathesis' engine, bounded in examples and time, with a fixed seed and derandomized
generation so that a failure reproduces. The one kind of failure accepted is a
`positive_data_acceptance` refusal that is a documented domain rule JSON Schema cannot express:
`DOMAIN_RULES` lists each one with its operation, status, problem and reason; nothing else is
excluded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

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
"""Per operation and phase; the whole run stays well under a minute on two cores."""
REQUEST_TIMEOUT = 10
"""Seconds; a hung server fails the run instead of stalling it (`max-time` would not bound it:
schemathesis repeats the fuzzing and stateful phases until that time is spent)."""

BROKER = "/api/v1/broker"


@dataclass(frozen=True)
class DomainRule:
    """A refusal of schema-valid input by a rule JSON Schema cannot express, and why not."""

    operation: str
    status: int
    problem: str
    """Regex one problem of the answer matches in full (see `problems`)."""
    why: str


DOMAIN_RULES = (
    DomainRule(
        f"PUT {BROKER}/leverage",
        400,
        r"invalid_leverage: leverage \S+ is (outside|not a multiple of) .*",
        "the leverage range and step are broker settings read when the server starts; "
        "the spec is built without them",
    ),
    DomainRule(
        "GET /api/v1/datafeed/bars",
        400,
        r"invalid_range: from \(\d+\) must not be after to \(\d+\)",
        "JSON Schema cannot compare two parameters",
    ),
    *(
        DomainRule(
            operation,
            422,
            r"(takeProfit|stopLoss|guaranteedStop) must be (above|below) the entry price \S+",
            "a bracket lies on its side of the entry price: the order's limit or stop price, "
            "or the quote the ticket carries; JSON Schema cannot compare two fields",
        )
        for operation in (f"POST {BROKER}/orders", f"POST {BROKER}/orders/preview")
    ),
    DomainRule(
        "GET /api/v1/datafeed/bars",
        400,
        r"unknown_resolution: resolution '\w+' is not served for .*; supported: .*",
        "each symbol serves its own resolutions (`SymbolInfo.supported_resolutions`), "
        "data of the running datafeed",
    ),
)


def problems(response: schemathesis.Response) -> list[str]:
    """The reasons of a refusal: `code: message` of an `ErrorResponse`, or each problem of
    each request validation error (`Value error, ` prefix off, problems joined by `; `)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return []
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return [f"{body['code']}: {body.get('message')}"]
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        messages = [str(error.get("msg")).removeprefix("Value error, ") for error in body["detail"]]
        return [part for message in messages for part in message.split("; ")]
    return []


def is_domain_rule(failure: Failure, response: schemathesis.Response) -> bool:
    """A `positive_data_acceptance` failure whose every problem is one of `DOMAIN_RULES`."""
    if "positive_data_acceptance" not in failure.checks:
        return False
    rules = [
        rule.problem
        for rule in DOMAIN_RULES
        if (rule.operation, rule.status) == (failure.operation, response.status_code)
    ]
    found = problems(response)
    return bool(found) and all(any(re.fullmatch(rule, p) for rule in rules) for p in found)


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
    with trading_server() as running:
        yield running


def failures_of(recorder: ScenarioRecorder) -> Iterator[Finding]:
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


def run_schemathesis(base_url: str) -> tuple[list[Finding], set[str], StopReason | None]:
    """Every failure, the operations that were exercised, and why the run stopped."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "request-timeout": REQUEST_TIMEOUT,
            "base-url": base_url,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)

    @schema.hook
    def filter_failure(
        context: schemathesis.HookContext,
        failure: Failure,
        case: schemathesis.Case,
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

    findings, exercised, stop_reason = run_schemathesis(server.base_url)

    first: dict[tuple[str, str, str], Finding] = {}
    for finding in findings:  # one example of each kind, with how to reproduce it
        first.setdefault((finding.operation, finding.check, finding.title), finding)
    report = "\n\n".join(str(first[key]) for key in sorted(first))
    assert not first, f"{len(first)} kind(s) of schemathesis failure:\n\n{report}"
    assert stop_reason is StopReason.COMPLETED, stop_reason
    assert operations <= exercised, f"never exercised: {sorted(operations - exercised)}"
