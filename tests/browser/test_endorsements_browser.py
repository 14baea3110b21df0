"""An endorser endorses in a real browser (Debian's Chromium through Playwright), with axe-core
checking every page it loads (WCAG 2.1 A/AA); the designer invites from the invitation page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mosaics.endorsements import actions
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.issuance.actions import key_generate
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser_page: Any, live_server: Any, user: Any) -> None:
    """Share a session made by Django's test client with the browser (the sign-in pages are
    tested with accounts)."""
    client = Client()
    client.force_login(user)
    browser_page.context.clear_cookies()
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _design(world: Any) -> Any:
    version = f.VersionFactory(
        micro_credential=f.MicroCredentialFactory(issuer=world.issuer, slug="stats"),
        title="Statistical Analysis Software",
        description="Use **R** on real data.",
        created_by=world.designer,
    )
    f.complete_competency(version)
    f.ReflectionPromptFactory(version=version)
    return version


def test_designer_invites_and_endorser_endorses(
    world: Any,
    page: Any,
    live_server: Any,
) -> None:
    key_generate(issuer=world.endorser_profile, actor=None)
    version = _design(world)

    # The designer invites the partner; a bad submission first, then a good one.
    _sign_in(page, live_server, world.designer)
    page.goto(live_server.url + "/design/stats/v1/endorsements/request")
    page.get_by_label("Industry partner").select_option(label="Prairie Analytics")
    page.get_by_label("Message to the partner").fill("Could you look at the rubric?")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    request = EndorsementRequest.objects.get()
    assert page.url.endswith(f"/endorse/requests/{request.pk}")

    # The endorser reads it in the portal, asks a question, then endorses.
    _sign_in(page, live_server, world.endorser)
    page.goto(live_server.url + "/endorse/")
    page.get_by_role("link", name="Statistical Analysis Software").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Endorsement of “Statistical Analysis Software”"
    page.get_by_label("Your comment or question").fill("Which tools do learners use?")
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_load_state()
    assert "Which tools do learners use?" in page.content()
    # Only spaces pass the browser's own check; the server explains (and axe checks the page).
    page.get_by_label("Your comment or question").fill("   ")
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_load_state()
    assert "Please fill in this field." in page.content()
    assert page.get_by_label("Your comment or question").get_attribute("aria-invalid") == "true"
    page.get_by_label("Endorsement statement").fill("Exactly what our analysts need.")
    page.get_by_label("Valid for (months)").fill("24")
    page.get_by_role("button", name="Endorse and sign").click()
    page.wait_for_load_state()
    endorsement = Endorsement.objects.get()
    assert page.locator("h1").inner_text() == (
        "Prairie Analytics endorses “Statistical Analysis Software”"
    )
    assert "Exactly what our analysts need." in page.content()
    assert actions.endorsements_for_achievement(version) == [endorsement]

    # Back on the conversation: renew and withdraw are offered; withdraw.
    page.goto(live_server.url + f"/endorse/requests/{request.pk}")
    page.get_by_label("Why you withdraw the endorsement").fill("Our tools changed.")
    page.get_by_role("button", name="Withdraw and revoke").click()
    page.wait_for_load_state()
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is not None
    assert "Withdrawn" in page.content()
