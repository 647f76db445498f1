#!/usr/bin/env python3
"""Pull-request gate: classify the contract changes from base to head, post them to the job
summary, and fail on breaking changes that were not announced.

A breaking change is announced by the `breaking-change` label on the pull request or by a
version bump in src/trading_api/__about__.py that allows it (major; minor while 0.x); the
versions are read from the built specs (`info.version`). Run locally:

    uv run python .ci/contracts_check.py origin/main HEAD --labels breaking-change

Exit status: 0 (nothing breaks, or announced), 1 (unannounced breaking changes), 2 (bad input).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from trading_api.contracts.command import load_and_compare
from trading_api.contracts.compare import Report
from trading_api.contracts.policy import BREAKING_LABEL, announcement
from trading_api.contracts.render import render_markdown, render_text
from trading_api.contracts.sources import SourceError


def verdict(report: Report, labels: list[str]) -> tuple[bool, str]:
    """(passes, one sentence saying why)."""
    if not report.breaking:
        return True, "No breaking contract change."
    said = announcement(report.old.version, report.new.version, labels)
    if said.announced:
        return True, f"Breaking contract changes, announced: {said.how}."
    return False, (
        f"Breaking contract changes are not announced: {said.how}. Add the `{BREAKING_LABEL}` "
        "label or bump the version (docs/releasing.md)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="contracts before: git ref, wheel or exported folder")
    parser.add_argument("head", help="contracts after: git ref, wheel or exported folder")
    parser.add_argument(
        "--labels",
        default=os.environ.get("PR_LABELS", ""),
        help="the pull request's labels, comma-separated (default: $PR_LABELS)",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        default=os.environ.get("GITHUB_STEP_SUMMARY") or None,
        help="Markdown file to append the report to (default: $GITHUB_STEP_SUMMARY)",
    )
    args = parser.parse_args(argv)
    try:
        report = load_and_compare(args.base, args.head)
    except SourceError as error:
        print(f"contracts-check: error: {error}", file=sys.stderr)
        return 2
    labels = [label.strip() for label in args.labels.split(",") if label.strip()]
    passes, why = verdict(report, labels)
    if args.summary is not None:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(f"{render_markdown(report)}\n{'✅' if passes else '❌'} {why}\n")
    sys.stdout.write(render_text(report))
    print(why)
    return 0 if passes else 1


if __name__ == "__main__":
    sys.exit(main())
