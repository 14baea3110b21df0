"""Browser walk-throughs of the issuer profile and key management (axe on every page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from mosaics.issuance import actions
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


def test_visitor_reads_an_issuer_profile(page: Any, live_server: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    retired = issuer.signing_keys.get()
    actions.key_rotate(issuer=issuer, actor=None)
    page.goto(live_server.url + reverse("issuance:profile", kwargs={"slug": issuer.slug}))
    assert page.locator("h1").inner_text() == "Northern College School of Business"
    row = page.get_by_role("row").filter(has_text=retired.public_key_multibase)
    assert "not used for new signatures" in row.inner_text()
    # (the JSON itself is not opened here: axe would judge the browser's JSON viewer)
    link = page.get_by_role("link", name="DID document (did:web)")
    assert link.get_attribute("href") == reverse("issuance:did", kwargs={"slug": issuer.slug})


def test_admin_replaces_the_signing_key(
    page: Any,
    live_server: Any,
    world: Any,
    client: Any,
) -> None:
    issuer = f.with_key(world.issuer)
    old = issuer.signing_keys.get()
    _sign_in(client, page, live_server, world.tlc_admin)
    page.goto(live_server.url + reverse("issuance:keys", kwargs={"slug": issuer.slug}))
    button = page.get_by_role("button", name="Retire the current key and generate a new one")
    button.click()  # not confirmed: the page comes back with the reason (axe checks it too)
    page.wait_for_load_state()
    assert "Tick the box to confirm" in page.locator("#confirm-error").inner_text()
    assert issuer.signing_keys.count() == 1
    page.get_by_label("I understand", exact=False).check()
    page.get_by_role("button", name="Retire the current key and generate a new one").click()
    page.wait_for_load_state()
    assert "A new signing key is active" in page.locator(".messages").inner_text()
    assert issuer.signing_keys.count() == 2
    old.refresh_from_db()
    assert old.retired_at is not None
