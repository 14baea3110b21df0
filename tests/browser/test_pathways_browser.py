"""Browser walk through the pathway builder and the public page, with axe on every page load.

Lives beside the other pathway tests; the browser fixtures come from tests/browser/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mosaics.catalogue.models import Version
from mosaics.pathways.models import Pathway
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Hand the browser a session of `user` (signing in itself is tested with allauth)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_designer_builds_and_admin_publishes_a_pathway(
    page: Any,
    live_server: Any,
    world: Any,
) -> None:
    for title in ("Statistical Analysis Software", "Data Visualisation", "Survey Design"):
        f.VersionFactory(
            micro_credential__issuer=world.issuer, state=Version.State.PUBLISHED, title=title
        )
    _sign_in(page, live_server, world.designer)
    page.goto(live_server.url + "/pathways/manage/")
    page.get_by_role("link", name="Create a pathway").click()
    page.fill("#id_title", "Applied Data Analytics")
    page.fill("#id_criteria", "Hold the micro-credentials below.")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_load_state()
    pathway = Pathway.objects.get(slug="applied-data-analytics")
    root = pathway.groups.get(parent=None)

    page.select_option(
        f"#id_item-{root.pk}-micro_credential", label="Statistical Analysis Software"
    )
    page.get_by_role("button", name="Add the micro-credential").click()
    page.wait_for_load_state()

    # A group that asks for "at least" without saying how many is refused, and explained.
    page.get_by_text("Add a group inside “Requirements”").click()
    page.fill(f"#id_sub-{root.pk}-title", "Electives")
    page.select_option(f"#id_sub-{root.pk}-rule", "at_least")
    page.get_by_role("button", name="Add the group").first.click()
    page.wait_for_load_state()
    assert "Say how many requirements are needed" in page.content()
    page.fill(f"#id_sub-{root.pk}-minimum", "1")
    page.get_by_role("button", name="Add the group").first.click()
    page.wait_for_load_state()
    electives = pathway.groups.get(title="Electives")
    for title in ("Data Visualisation", "Survey Design"):
        page.select_option(f"#id_item-{electives.pk}-micro_credential", label=title)
        page.locator(f"form[action$='/groups/{electives.pk}/items/add'] button").click()
        page.wait_for_load_state()
    assert "At least 1 of these" in page.content()

    _sign_in(page, live_server, world.tlc_admin)
    page.goto(live_server.url + f"/pathways/manage/{pathway.slug}")
    page.get_by_role("button", name="Publish the pathway").click()
    page.wait_for_load_state()
    assert "The pathway is published." in page.content()

    page.context.clear_cookies()
    page.goto(live_server.url + f"/pathways/{pathway.slug}")
    assert page.locator("h1").inner_text() == "Applied Data Analytics"
    assert (
        "All of: Statistical Analysis Software; and at least 1 of: Data Visualisation, "
        "Survey Design" in page.content()
    )
    page.goto(live_server.url + "/pathways/")
    assert page.get_by_role("link", name="Applied Data Analytics").is_visible()
