"""Verification and account pages in a real browser, with axe-core on every page load (WCAG 2.1
A/AA): a visitor verifies a badge its holder downloaded — the baked PNG, then the pasted JSON —
and, once the issuer revokes it, sees it revoked with the reason; an institution admin manages
the issuer's API tokens; a learner binds a DID and manages their e-mail addresses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from mosaics.accounts.models import BoundDid
from mosaics.awards import actions
from mosaics.issuance import signing
from mosaics.vc import jose
from mosaics.vc.keys import Ed25519Multikey
from mosaics.verification.models import ApiToken
from tests.browser.awards_support import TITLE, accepted_award, click, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page: Any, name: str, target: Path) -> Path:
    with page.expect_download() as download:
        page.get_by_role("link", name=name, exact=True).click()
    download.value.save_as(target)
    return target


def _result(page: Any) -> Any:
    return page.get_by_role("region", name="Result:")


def test_a_visitor_verifies_a_downloaded_badge_then_sees_it_revoked(
    world: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    award = accepted_award(world, world.learner)

    # The learner downloads the baked picture and the signed JSON from their award page.
    sign_in(page, live_server, world.learner)
    page.goto(live_server.url + reverse("awards:detail", kwargs={"uuid": award.uuid}))
    png = _download(page, "Badge image with the credential inside (PNG)", tmp_path / "b.png")
    signed = _download(page, "Signed badge (Open Badges 3.0, JSON)", tmp_path / "b.json")

    # A visitor, signed out, uploads the picture on the verification page.
    sign_out(page)
    page.goto(live_server.url + reverse("verification:verify"))
    assert page.locator("h1").inner_text() == "Verify a badge"
    assert _result(page).count() == 0
    # Nothing chosen: explained, never an error page.
    click(page, "Verify the file")
    assert "Choose a badge file to verify." in page.content()
    page.get_by_label("Badge file", exact=True).set_input_files(png)
    click(page, "Verify the file")
    result = _result(page)
    assert result.get_by_role("heading").inner_text() == "Result: Valid"
    assert result.get_by_role("status").inner_text().startswith("This badge is valid:")
    summary = result.locator("dl").inner_text()
    assert world.issuer.name in summary
    assert TITLE in summary
    assert "No endorsements" in summary

    # The same badge as pasted JSON.
    page.get_by_label("The badge (JSON or JWT)").fill(signed.read_text())
    click(page, "Verify the pasted badge")
    result = _result(page)
    assert result.get_by_role("heading").inner_text() == "Result: Valid"
    assert TITLE in result.inner_text()
    # The link of its Open Badges 2.0 assertion (our own address: answered without fetching).
    hosted = signing.site_url(reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid}))
    page.get_by_label("Link to a badge", exact=True).fill(hosted)
    click(page, "Verify the linked badge")
    result = _result(page)
    assert result.get_by_role("heading").inner_text() == "Result: Valid"
    assert TITLE in result.inner_text()
    # Something that is not a badge is explained in words.
    page.get_by_label("The badge (JSON or JWT)").fill('{"hello": "world"}')
    click(page, "Verify the pasted badge")
    assert _result(page).get_by_role("heading").inner_text() == "Result: Not valid"

    # The issuer revokes it; the same file now reads revoked, with the reason.
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Awarded in error.")
    page.goto(live_server.url + reverse("verification:verify"))
    page.get_by_label("Badge file", exact=True).set_input_files(png)
    click(page, "Verify the file")
    result = _result(page)
    assert result.get_by_role("heading").inner_text() == "Result: Revoked"
    assert result.get_by_role("status").inner_text() == (
        "This badge has been revoked by its issuer."
    )
    assert "Reason given by the issuer: Awarded in error." in result.inner_text()
    assert TITLE in result.inner_text()


def test_an_institution_admin_creates_and_revokes_an_api_token(
    world: Any, page: Any, live_server: Any
) -> None:
    accepted_award(world, world.learner)  # keys the issuer
    sign_in(page, live_server, world.tlc_admin)
    url = live_server.url + reverse("verification:api_tokens", kwargs={"slug": world.issuer.slug})
    page.goto(url)
    assert page.locator("h1").inner_text() == f"API tokens of {world.issuer.name}"
    assert "This issuer has no active API token." in page.content()
    # A token needs a name.
    click(page, "Create the token")
    assert "Give the token a name, so you can tell it apart." in page.content()
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    page.get_by_label("Name").fill("Student records system")
    click(page, "Create the token")
    assert page.locator("h1").inner_text() == "Your new API token"
    token = page.get_by_label("Token “Student records system”").input_value()
    row = ApiToken.objects.get()
    assert token.startswith(row.prefix)
    page.get_by_role("link", name=f"Back to the API tokens of {world.issuer.name}").click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="1 active token")
    assert table.get_by_role("rowheader", name="Student records system").is_visible()
    assert token not in page.content()  # shown only once
    click(page, "Revoke Student records system")
    assert "The token “Student records system” is revoked: it can no longer issue." in (
        page.content()
    )
    assert "This issuer has no active API token." in page.content()
    row.refresh_from_db()
    assert row.revoked_at is not None


def _text_to_sign(page: Any, did: str) -> dict[str, Any]:
    """challenge.json as the DID page shows it, with the learner's DID in place of the
    placeholder (as `mosaics vc sign --suite jwt` would then sign it)."""
    shown = page.locator("#did-to-sign")
    if shown.count():
        text = shown.inner_text()
        assert text.count("did:key:z6Mk…") == 1
        loaded: dict[str, Any] = json.loads(text.replace("did:key:z6Mk…", did))
        return loaded
    return {"issuer": did, "challenge": page.locator("#did-challenge").inner_text().strip()}


def test_a_learner_binds_a_did_and_adds_an_email_address(
    world: Any, page: Any, live_server: Any
) -> None:
    learner = world.learner
    sign_in(page, live_server, learner)
    page.goto(live_server.url + reverse("accounts:did"))
    assert page.locator("h1").inner_text() == "Your decentralised identifier (DID)"
    assert "No DID is bound to your account" in page.content()
    # A response that is no signature is explained.
    page.get_by_label("The signed challenge").fill("not a signature")
    click(page, "Bind the DID")
    assert page.get_by_role("alert").count() >= 1
    assert BoundDid.objects.count() == 0

    # Signed with a real did:key, as the page explains.
    key = Ed25519Multikey.generate()
    page.get_by_label("The signed challenge").fill(
        jose.sign_credential(_text_to_sign(page, key.did_key), key)
    )
    click(page, "Bind the DID")
    assert f"{key.did_key} is bound to your account" in page.content()
    table = page.get_by_role("table", name="The DIDs bound to your account")
    assert key.did_key in table.inner_text()
    assert BoundDid.objects.get().did == key.did_key

    # The e-mail page: add a second address; it waits for confirmation.
    page.get_by_role("link", name="Your e-mail addresses").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your e-mail addresses"
    addresses = page.get_by_role("group", name="Choose an address, then what to do with it")
    assert addresses.get_by_label(learner.email).is_checked()
    assert "(main address)" in addresses.inner_text()
    mail.outbox.clear()
    page.get_by_label("Email", exact=True).fill("sam.work@example.org")
    click(page, "Add the address")
    addresses = page.get_by_role("group", name="Choose an address, then what to do with it")
    assert "sam.work@example.org" in addresses.inner_text()
    assert "(not confirmed yet)" in addresses.inner_text()
    assert [message.to for message in mail.outbox] == [["sam.work@example.org"]]
