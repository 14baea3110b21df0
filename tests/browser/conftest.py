"""Browser tests: Debian's Chromium driven by Playwright for Python, with axe-core on every page.

No browser is ever downloaded: Playwright launches the system Chromium (`executable_path`).
`make test` installs it when it is missing and the machine allows it; elsewhere these tests skip
with a clear message, except under CI, which must run them.

Every page a test loads is checked with axe-core (from the npm lock file under interop/) against
WCAG 2.1 A and AA; any violation fails the test at teardown, so a test cannot forget the check.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MOSAICS_CHROMIUM", "/usr/bin/chromium"))
AXE_SOURCE = ROOT / "interop" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (install Debian's 'chromium', or run `make test`)")
    if not AXE_SOURCE.exists():
        _unavailable("axe-core is not installed (run `make node`)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls from the live server's
    # own thread are unaffected, but fixtures that touch the database here need this.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class AccessibilityLog:
    """What axe found on each page a test loaded."""

    checked: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)


# Runs are chained in the page so that a check started by the load event and one a test asks for
# never overlap (axe refuses to run twice at once). Only violations are read, so axe is asked to
# report nothing else (passes and incomplete results cost a third of its time on long pages).
_AXE_RUN = """async (tags) => {
  const previous = window.__mosaicsAxe || Promise.resolve();
  const run = previous.catch(() => null).then(
    () => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}));
  window.__mosaicsAxe = run;
  return await run;
}"""


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (WCAG 2.1 A/AA) and return its violations."""
    result = page.evaluate(_AXE_RUN, AXE_TAGS)
    return [
        {
            "url": page.url,
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


@pytest.fixture
def accessibility_log() -> AccessibilityLog:
    return AccessibilityLog()


@pytest.fixture
def page(browser: Any, accessibility_log: AccessibilityLog) -> Iterator[Any]:
    context = browser.new_context(locale="en-CA", viewport={"width": 1280, "height": 900})
    # An init script is injected by the browser itself on every document, before the page's own
    # scripts, so the strict Content-Security-Policy of our pages does not get in its way.
    context.add_init_script(path=str(AXE_SOURCE))
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    pending: list[str] = []

    def check(loaded: Any) -> None:
        pending.append(loaded.url)
        try:
            accessibility_log.violations.extend(run_axe(loaded))
            accessibility_log.checked.append(loaded.url)
        finally:
            pending.remove(loaded.url)

    new_page.on("load", check)
    yield new_page
    for _ in range(200):  # let the checks of the last loads finish (at most ~10 s)
        if not pending:
            break
        new_page.wait_for_timeout(50)
    context.close()
    assert accessibility_log.checked, "the test loaded no page, so nothing was checked"
    assert accessibility_log.violations == [], "WCAG 2.1 A/AA violations:\n" + json.dumps(
        accessibility_log.violations, indent=2
    )
