"""The docs pages in a real headless Chromium, offline: every request must stay on loopback.

Chromium comes from Debian's packages (installed here as root when missing); Playwright only
drives it (`executable_path`), it never downloads a browser of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, sync_playwright
from support import ROOT, Server, clean_env, serve

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # belt and braces: any host but loopback fails to resolve, whoever asks
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
RENDER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get (as root) when it is not there yet."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.fail(
            f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
            "run `apt-get update && apt-get install -y chromium` first"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=300"]
    for command in (
        ["apt-get", *lock, "update", "-q"],
        ["apt-get", *lock, "install", "-y", "-q", "--no-install-recommends", "chromium"],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
        if result.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` failed:\n{result.stdout}\n{result.stderr}")
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} does not exist")
    return CHROMIUM


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Every module, served by `trading-api serve` on a free loopback port."""
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve(command, cwd=ROOT, env=clean_env()) as running:
        yield running


@dataclass
class Traffic:
    """What the page asked for beyond loopback (aborted), and what went wrong in it."""

    outside: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests left loopback: {self.outside}"
        assert self.page_errors == [], f"script errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture(scope="module")
def browser(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile directory."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(chromium), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    """A new tab whose requests to anything but loopback are recorded and aborted."""
    traffic = Traffic()

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            traffic.outside.append(route.request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            traffic.console_errors.append(message.text)

    tab = browser.new_page()
    tab.route("**/*", guard)
    tab.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    tab.on("console", on_console)
    try:
        yield tab, traffic
    finally:
        tab.close()


def _json(server: Server, path: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(server.base_url + path, timeout=10).json()
    return document


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    ]


def test_root_leads_to_swagger_ui_which_renders_every_operation_offline(
    server: Server, page: tuple[Page, Traffic]
) -> None:
    tab, traffic = page
    expected = _operations(_json(server, "/api/v1/openapi.json"))
    assert {("GET", "/api/v1/core/health"), ("POST", "/api/v1/broker/orders")} <= set(expected)

    tab.goto(server.base_url + "/")
    assert urlsplit(tab.url).path == "/api/v1/docs"
    tab.wait_for_selector(".opblock-summary-path", timeout=RENDER_TIMEOUT_MS)
    rendered = tab.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent,
            b.querySelector('.opblock-summary-path').getAttribute('data-path')])""",
    )
    assert sorted(map(tuple, rendered)) == sorted(expected)
    assert tab.get_by_text("/api/v1/core/health", exact=True).first.is_visible()
    traffic.assert_clean()


def test_docs_shortcut_leads_to_swagger_ui(server: Server, page: tuple[Page, Traffic]) -> None:
    tab, traffic = page
    tab.goto(server.base_url + "/docs")
    assert urlsplit(tab.url).path == "/api/v1/docs"
    tab.wait_for_selector(".opblock", timeout=RENDER_TIMEOUT_MS)
    assert tab.title() == "trading-api v1"
    traffic.assert_clean()


def test_websocket_docs_render_every_channel_offline(
    server: Server, page: tuple[Page, Traffic]
) -> None:
    tab, traffic = page
    asyncapi = _json(server, "/api/v1/ws/asyncapi.json")
    addresses = sorted(channel["address"] for channel in asyncapi["channels"].values())
    assert "/api/v1/broker/ws" in addresses and "/api/v1/datafeed/ws" in addresses
    messages = sorted(message["name"] for message in asyncapi["components"]["messages"].values())

    tab.goto(server.base_url + "/api/v1/ws/docs")
    assert sorted(tab.locator("h2 > code").all_inner_texts()) == addresses
    table_codes = set(tab.locator("td > code").all_inner_texts())
    assert set(messages) <= table_codes
    assert tab.get_by_text("orders.subscribe", exact=True).first.is_visible()
    traffic.assert_clean()
