"""Browser tests: the system Chromium driven by Playwright (sync API) against pytest-django's live server.

Every page keeps the portal's Content-Security-Policy enforced: axe-core is injected through the DevTools
protocol (``page.evaluate``), which CSP does not govern, so a page that only works with CSP switched off fails
here. Console errors (a CSP violation, an uncaught exception, a static file that does not load) fail the test.

Artifacts land in ``test-artifacts/`` at the repository root (git-ignored): ``axe/<name>.json`` with axe's full
result and ``screenshots/<name>.png`` with the whole page, for every page checked with ``check_axe``.
"""

import json
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

console_errors_key = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body: a console error anywhere on the way fails the test itself (not its teardown)."""
    result = yield
    errors = item.stash.get(console_errors_key, [])
    assert not errors, "The browser console reported errors:\n" + "\n".join(errors)
    return result


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server's threads, with one request handled at a time.

    On SQLite the test database lives in memory, and every thread of the live server shares the test thread's
    one connection to it. Two requests at once (a page the browser restores from history and htmx's own fetch of
    it, say) then interleave on that connection, and SQLite answers "not an error" to a BEGIN. Connections are
    still accepted in their own threads, so a socket the browser opens ahead of time and leaves idle holds nothing
    up; only the application (the response read to its end and closed) runs under the lock.
    """

    def set_app(self, application: WSGIApplication | None) -> None:
        assert application is not None
        lock = threading.Lock()

        def one_at_a_time(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    close = getattr(response, "close", None)
                    if close is not None:
                        close()

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session")
def _one_request_at_a_time() -> Iterator[None]:
    previous = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    try:
        yield
    finally:
        LiveServerThread.server_class = previous


@pytest.fixture(scope="session")
def live_server(_one_request_at_a_time, django_db_setup, live_server):
    """pytest-django's server, started only once the test database exists, handling one request at a time.

    Otherwise it starts first (session fixtures come before the test database that ``transactional_db`` sets
    up), does not see that SQLite's test database lives in memory, and each request thread opens a connection of
    its own that is never closed. The fixtures are set up in the order of the arguments: the server class is
    chosen before pytest-django starts its thread.
    """
    return live_server


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API runs an event loop in the test thread while it is started; Django would refuse
    database access from that thread (fixtures creating people, reading their TOTP secret) unless told it is
    safe. Both last only as long as this folder's tests: the rest of the suite keeps Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, with CSP enforced and the console watched."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    request.node.stash[console_errors_key] = errors

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            errors.append(f"{page.url}: {message.text} ({location.get('url')}:{location.get('lineNumber')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: uncaught {error.name}: {error.message}"))
    yield page
    context.close()


@pytest.fixture
def console_errors(page: Page, request: pytest.FixtureRequest) -> list[str]:
    """The console errors seen so far in this test; a test that provokes one on purpose empties the list."""
    return request.node.stash[console_errors_key]


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def check_axe(page: Page, name: str) -> dict:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; save the result and a screenshot under ``name``.

    Fails with one line per rule (id, impact) and one per failing element (its selector) when anything violates.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated over the DevTools protocol: not an inline <script>, so the page's CSP does not apply.
        page.evaluate(AXE_SOURCE)
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    axe_dir = ARTIFACTS / "axe"
    screenshot_dir = ARTIFACTS / "screenshots"
    axe_dir.mkdir(parents=True, exist_ok=True)
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    (axe_dir / f"{name}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    violations = results["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on {name} ({page.url}):\n" + _describe(violations)
    return results
