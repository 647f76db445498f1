"""`trading-api contracts diff OLD NEW` and `trading-api contracts rules`.

Exit status: 0 without breaking changes (or with `--allow-breaking`), 1 with breaking changes,
2 on bad input (a source that is not a wheel, a folder of specs or a buildable git ref).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trading_api.contracts.render import FORMATS, render, render_rule_table

if TYPE_CHECKING:  # every `trading-api` command builds this parser: it loads nothing
    from trading_api.contracts.compare import Report

EXIT_BREAKING = 1
EXIT_USAGE = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    contracts = commands.add_parser(
        "contracts",
        help="compare two versions of the contracts and say what breaks clients",
        description="Compare the OpenAPI/AsyncAPI contracts of two builds and classify every "
        "change as breaking or compatible for deployed clients (rules: docs/contracts.md).",
    )
    actions = contracts.add_subparsers(dest="contracts_command", required=True, metavar="ACTION")
    diff = actions.add_parser(
        "diff",
        help="classified diff of OLD → NEW; exit 1 on breaking changes",
        description="OLD and NEW are each a wheel (.whl), a folder written by `trading-api "
        "generate --output-dir DIR` (or its specs_generated/), or a git ref, built with "
        "`uv build --wheel` in a temporary folder.",
    )
    diff.add_argument("old", metavar="OLD", help="the contracts clients use now")
    diff.add_argument("new", metavar="NEW", help="the contracts to compare with them")
    diff.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    diff.add_argument(
        "--allow-breaking",
        action="store_true",
        help="exit 0 even with breaking changes (report only)",
    )
    diff.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout"
    )
    actions.add_parser("rules", help="print the classification rules (Markdown table)")


def run(args: argparse.Namespace) -> int:
    from trading_api.contracts.sources import SourceError

    if args.contracts_command == "rules":
        sys.stdout.write(render_rule_table())
        return 0
    try:
        report = load_and_compare(args.old, args.new)
    except SourceError as error:
        print(f"trading-api: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    text = render(report, args.format)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_BREAKING if report.breaking and not args.allow_breaking else 0


def load_and_compare(old: str, new: str, *, cwd: Path | None = None) -> Report:
    """Load both sources (two git refs build side by side) and compare them."""
    from concurrent.futures import ThreadPoolExecutor

    from trading_api.contracts.compare import compare
    from trading_api.contracts.sources import load

    with ThreadPoolExecutor(max_workers=2) as pool:
        before, after = pool.submit(load, old, cwd=cwd), pool.submit(load, new, cwd=cwd)
        return compare(before.result(), after.result())
