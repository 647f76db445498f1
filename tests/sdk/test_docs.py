"""docs/clients.md: every Python example outside "Streams" (test_streams.py runs those) runs
against a live server, with `base_url` and `api_key` defined as the page says. The shell
examples (install, export) are what test_installs.py does."""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT, Server

pytestmark = pytest.mark.slow

DOCS = ROOT / "docs" / "clients.md"


def http_examples() -> list[tuple[int, str]]:
    """(line, source) of each Python example before the "Streams" section."""
    text = DOCS.read_text(encoding="utf-8").split("\n## Streams\n", 1)[0]
    return [
        (text[: match.start()].count("\n") + 2, match.group(1))
        for match in re.finditer(r"```python\n(.*?)```", text, flags=re.DOTALL)
    ]


@pytest.fixture(scope="module")
def exported(exported: Path) -> Iterator[Path]:
    """The example importing `trading_api_client` finds the package's export on `sys.path`."""
    sys.path.insert(0, str(exported))
    yield exported
    sys.path.remove(str(exported))


def test_every_http_example_runs(
    server: Server, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = http_examples()
    assert len(examples) >= 8
    for line, source in examples:
        code = compile(source, f"{DOCS}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        names = {"base_url": server.base_url, "api_key": server.api_key}
        awaitable = eval(code, names)  # a coroutine when the example awaits, else None
        if awaitable is not None:
            asyncio.run(asyncio.wait_for(awaitable, 60))
    printed = capsys.readouterr().out
    assert "404 order_not_found" in printed
    assert "DEMO-1" in printed and "ok" in printed
