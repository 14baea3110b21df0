"""Browser walk-throughs of the staff pages and allauth's pages (axe on every page load)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from mosaics.organisations import actions
from mosaics.organisations.models import Invitation, Membership
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(client: Any, page: Any, live_server: Any, user: Any) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_visitor_opens_the_account_pages(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + reverse("account_login"))
    assert page.locator("h1").inner_text() == "Sign In"
    page.get_by_role("button", name="Sign In").click()  # empty: the browser refuses
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert "not correct" in page.locator("main").inner_text()
    page.goto(live_server.url + reverse("account_signup"))
    assert page.locator("h1").inner_text() == "Sign Up"
    page.goto(live_server.url + reverse("account_reset_password"))
    assert page.locator("h1").count() == 1


def test_admin_invites_a_designer_who_accepts(
    page: Any,
    live_server: Any,
    world: Any,
    client: Any,
) -> None:
    _sign_in(client, page, live_server, world.tlc_admin)
    page.goto(live_server.url + reverse("organisations:dashboard"))
    page.get_by_role(
        "link", name="Manage members, profiles and goals of School of Business"
    ).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "School of Business"
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Send the invitation").click()  # browser check first
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert "Enter a valid email address." in page.locator("#id_invite-email_error").inner_text()
    assert not Invitation.objects.exists()
    page.get_by_label("E-mail address").fill("new.designer@example.test")
    page.get_by_label("Role").select_option("designer")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert "An invitation was sent to new.designer@example.test" in page.inner_text("main")
    invitation = Invitation.objects.get()
    # The link in the e-mail, with a fresh token for this test (the stored one is a hash).
    actions.invitation_revoke(actor=world.tlc_admin, invitation=invitation)
    _invitation, token = actions.invitation_send(
        actor=world.tlc_admin,
        organisation=world.business,
        email="new.designer@example.test",
        role="designer",
    )
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("organisations:invitation", kwargs={"token": token}))
    assert "sign in with the address it was sent to" in page.inner_text("main")
    person = f.UserFactory(username="nd", email="new.designer@example.test")
    _sign_in(client, page, live_server, person)
    page.goto(live_server.url + reverse("organisations:invitation", kwargs={"token": token}))
    page.get_by_role("button", name="Accept the invitation").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "School of Business"
    assert Membership.objects.filter(user=person, role="designer").exists()
    page.goto(live_server.url + reverse("organisations:dashboard"))
    assert "Faculty designer" in page.inner_text("main")
