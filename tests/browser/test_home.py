from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import AccessibilityLog, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_the_home_page_and_switches_to_french(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Skills you can show, wherever you go"
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Des compétences que vous pouvez montrer" in page.locator("h1").inner_text()


def test_keyboard_user_reaches_main_content_through_the_skip_link(
    page: Any, live_server: Any
) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_not_found_page_is_accessible(page: Any, live_server: Any) -> None:
    response = page.goto(live_server.url + "/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"


def test_axe_check_catches_a_violation(
    page: Any, live_server: Any, accessibility_log: AccessibilityLog
) -> None:
    """The harness itself: an image without alt text on a page is reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/static/mosaics/logo.svg';"
        " document.querySelector('main').appendChild(img); }"
    )
    violations = run_axe(page)
    assert any(violation["id"] == "image-alt" for violation in violations)


def test_every_loaded_page_is_checked_automatically(
    page: Any, live_server: Any, accessibility_log: AccessibilityLog
) -> None:
    """The harness itself: a loaded page with a violation is caught without the test asking."""
    page.goto(live_server.url + "/")
    page.set_content(
        "<!DOCTYPE html><html><body><img src='/static/mosaics/logo.svg'></body></html>"
    )
    for _ in range(100):
        if any(v["id"] == "image-alt" for v in accessibility_log.violations):
            break
        page.wait_for_timeout(50)
    assert [v["id"] for v in accessibility_log.violations if v["id"] == "image-alt"]
    assert live_server.url + "/" in accessibility_log.checked
    accessibility_log.violations.clear()  # the deliberate violation must not fail this test
