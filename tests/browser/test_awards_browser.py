"""Awards in a real browser (Debian's Chromium through Playwright), with axe-core checking every
page it loads (WCAG 2.1 A/AA): staff award a badge and change its status; a learner without an
account claims one from the e-mailed link, accepts it, sees it in the mosaic, shares it and
downloads it; a learner declines one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from mosaics.awards import actions
from mosaics.awards.models import Award, AwardEvidence
from mosaics.vc import baking
from tests import factories as f
from tests.browser.awards_support import (
    PASSWORD,
    TITLE,
    click,
    link_in,
    local,
    sign_in,
    sign_out,
    version,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "sam.rivera@example.org"


def _history(page: Any) -> list[list[str]]:
    """The rows of the record page's status history: what, who, reason."""
    table = page.get_by_role("table", name="Everything that happened to this award, oldest first")
    rows = table.locator("tbody tr")
    return [
        [cell.strip() for cell in rows.nth(n).locator("th, td").all_inner_texts()][1:]
        for n in range(rows.count())
    ]


def test_staff_award_a_badge_then_suspend_reinstate_and_revoke_it(
    world: Any, page: Any, live_server: Any
) -> None:
    version(world)

    # The assessor awards it from the staff list.
    sign_in(page, live_server, world.assessor)
    page.goto(live_server.url + reverse("awards:staff_list"))
    assert "Nothing has been awarded yet." in page.content()
    page.get_by_role("link", name="Award a badge").click()
    page.wait_for_load_state()
    page.get_by_label("What to award").select_option(label=TITLE)
    click(page, "Continue")
    assert page.locator("h1").inner_text() == f"Award “{TITLE}”"
    learner = page.get_by_role("group", name="The learner")
    learner.get_by_label("Learner's e-mail").fill(EMAIL)
    learner.get_by_label("Learner's name").fill("Sam Rivera")
    learner.get_by_label("Narrative").fill("Recognised prior learning: **five years** as analyst.")
    results = page.get_by_role("group", name="Results against the rubric")
    results.get_by_label(f"Competency 1 of {TITLE}").select_option(label="Exemplary")
    results.get_by_label(f"Competency 2 of {TITLE}").select_option(label="Proficient")
    evidence = page.get_by_role("group", name="Evidence 1 (optional)")
    evidence.get_by_label("Title").fill("Quarterly sales analysis")
    evidence.get_by_label("Address (https)").fill("https://portfolio.example/sales")
    evidence.get_by_label("Kind of evidence").fill("Workplace project")
    # An evidence row with a description but no title is explained, and nothing is lost.
    page.get_by_role("group", name="Evidence 2 (optional)").get_by_label("Description").fill(
        "A dashboard"
    )
    click(page, "Award the badge")
    assert "Nothing was awarded" in page.content()
    assert "Give this piece of evidence a title." in page.content()
    assert learner.get_by_label("Learner's e-mail").input_value() == EMAIL
    page.get_by_role("group", name="Evidence 2 (optional)").get_by_label("Description").fill("")
    click(page, "Award the badge")

    award = Award.objects.get()
    assert page.url == live_server.url + reverse("awards:record", kwargs={"uuid": award.uuid})
    assert page.locator("h1").inner_text() == TITLE
    assert f"The badge was awarded to {EMAIL}" in page.content()
    assert page.get_by_text(f"Awarded to {EMAIL} by {world.issuer.name}.").is_visible()
    assert page.get_by_role("link", name="Quarterly sales analysis").is_visible()
    results_table = page.get_by_role("table", name="Results against the rubric")
    assert "Exemplary" in results_table.inner_text()
    assert "Proficient" in results_table.inner_text()
    assert _history(page) == [["Awarded", world.assessor.name, ""]]
    # An assessor awards; changing the status is for institution admins.
    assert page.get_by_role("heading", name="Change the status").count() == 0
    # The award is listed, and the learner was e-mailed a claim link.
    page.goto(live_server.url + reverse("awards:staff_list"))
    assert page.get_by_role("link", name=EMAIL).is_visible()
    assert [message.to for message in mail.outbox] == [[EMAIL]]

    # The institution admin suspends it, with a reason; a missing reason is explained first.
    sign_in(page, live_server, world.tlc_admin)
    page.goto(live_server.url + reverse("awards:record", kwargs={"uuid": award.uuid}))
    suspend = page.get_by_role("form", name="Suspend")
    click(page, "Suspend the badge", within=suspend)
    assert "Please give the reason: verifiers of the badge will see it." in page.content()
    suspend = page.get_by_role("form", name="Suspend")
    suspend.get_by_label("Reason").fill("Under academic integrity review.")
    click(page, "Suspend the badge", within=suspend)
    assert "The badge is suspended until it is reinstated." in page.content()
    assert page.get_by_text("Reason shown to verifiers: Under academic integrity review.").count()

    # ...reinstates it...
    reinstate = page.get_by_role("form", name="Reinstate")
    reinstate.get_by_label("Reason (optional)").fill("Review closed: no issue found.")
    click(page, "Reinstate the badge", within=reinstate)
    assert "The badge is reinstated: it is valid again." in page.content()

    # ...and revokes it, which must be confirmed.
    revoke = page.get_by_role("form", name="Revoke")
    revoke.get_by_label("Reason").fill("Awarded in error.")
    click(page, "Revoke the badge for good", within=revoke)
    assert "Confirm that you mean to revoke the badge for good." in page.content()
    revoke = page.get_by_role("form", name="Revoke")
    assert revoke.get_by_label("Reason").input_value() == "Awarded in error."
    revoke.get_by_label("I understand that revocation is permanent").check()
    click(page, "Revoke the badge for good", within=revoke)
    assert "The badge is revoked. Verifiers now see it as revoked, with the reason." in (
        page.content()
    )
    assert page.get_by_role("form", name="Revoke").count() == 0
    assert page.get_by_role("form", name="Suspend").count() == 0
    assert _history(page) == [
        ["Awarded", world.assessor.name, ""],
        ["Suspended", world.tlc_admin.name, "Under academic integrity review."],
        ["Reinstated", world.tlc_admin.name, "Review closed: no issue found."],
        ["Revoked", world.tlc_admin.name, "Awarded in error."],
    ]
    award.refresh_from_db()
    assert award.status == Award.Status.REVOKED
    assert actions.verify_award(award).status == "revoked"


def test_a_learner_claims_accepts_shares_and_downloads_a_badge(
    world: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    awarded = version(world)
    mail.outbox.clear()
    award = actions.award_issue(
        actor=world.assessor,
        recipient_email=EMAIL,
        version=awarded,
        recipient_name="Sam Rivera",
        evidence=[
            {"name": "Quarterly sales analysis", "url": "https://portfolio.example/sales"},
            {"name": "Manager's observation notes", "description": "Confidential notes."},
        ],
    )
    [message] = mail.outbox
    assert message.to == [EMAIL]

    # Signed out, the learner opens the claim link from the e-mail and creates an account.
    sign_out(page)
    page.goto(local(link_in(str(message.body), "/claim/"), live_server))
    assert page.locator("h1").inner_text() == f"Claim your badge “{TITLE}”"
    assert "s•••@example.org" in page.content()
    assert EMAIL not in page.content()
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_load_state()
    assert page.get_by_label("Email").input_value() == EMAIL
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    mail.outbox.clear()
    click(page, "Sign Up")
    award.refresh_from_db()
    assert award.learner is None  # not before the address is confirmed

    # The confirmation link from the e-mail brings the badge into the new account.
    [confirmation] = mail.outbox
    assert confirmation.to == [EMAIL]
    page.goto(local(link_in(str(confirmation.body), "/accounts/confirm-email/"), live_server))
    click(page, "Confirm")
    detail = live_server.url + reverse("awards:detail", kwargs={"uuid": award.uuid})
    assert page.url == detail
    assert page.locator("h1").inner_text() == TITLE
    assert "This badge is waiting for you." in page.content()
    assert "Accept the badge to share it." in page.content()

    # Accept: it is in the mosaic, as a tile and in the text alternative.
    click(page, "Accept into my mosaic")
    assert f"“{TITLE}” is in your mosaic." in page.content()
    page.goto(live_server.url + reverse("portfolio:mosaic"))
    assert "You hold 1 badge." in page.content()
    tile = page.locator("svg.mosaic-svg").get_by_role(
        "link", name=f"{TITLE}, issued by {world.issuer.name}"
    )
    assert tile.count() == 1
    table = page.get_by_role("table", name="Your badges, by skill area")
    row = table.get_by_role("row", name=TITLE)
    assert "Data analytics" in table.inner_text()
    assert world.issuer.name in row.inner_text()
    assert "Valid" in row.inner_text()
    assert tile.get_attribute("href") == reverse("awards:detail", kwargs={"uuid": award.uuid})
    tile.click()
    page.wait_for_load_state()
    assert page.url == detail

    # Share: the public page on, one piece of evidence private.
    page.get_by_role("link", name="More ways to share").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Share “{TITLE}”"
    assert "Your badge page is hidden: nobody can see it." in page.content()
    click(page, "Show the badge page")
    assert "Your badge page is public: anyone with the link can see it." in page.content()
    click(page, "Make “Manager's observation notes” private")
    assert "“Manager's observation notes” is private: no public page shows it." in page.content()
    assert page.get_by_role("button", name="Show “Manager's observation notes”").is_visible()
    assert page.get_by_role("link", name="Add to your LinkedIn profile").is_visible()
    assert page.get_by_role("img", name="QR code of the badge page").is_visible()

    # Download the signed JSON and the baked PNG.
    with page.expect_download() as json_download:
        page.get_by_role("link", name="credential.json", exact=True).click()
    json_file = tmp_path / "badge.json"
    json_download.value.save_as(json_file)
    credential = json.loads(json_file.read_text())
    assert credential["id"] == award.credential_id
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    assert [proof["cryptosuite"] for proof in proofs] == ["eddsa-rdfc-2022"]
    assert actions.verify_award(award, credential).status == "valid"
    with page.expect_download() as png_download:
        page.get_by_role("link", name="badge.png", exact=True).click()
    png_file = tmp_path / "badge.png"
    png_download.value.save_as(png_file)
    assert png_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    baked = baking.extract_png(png_file.read_bytes())
    assert baked.ob_version == "3.0"
    assert baked.json()["id"] == award.credential_id

    # Signed out, anyone sees the public badge page, without the private evidence.
    public = page.get_by_role("link", name=reverse("awards:public", kwargs={"uuid": award.uuid}))
    public_url = public.first.get_attribute("href")
    sign_out(page)
    page.goto(live_server.url + reverse("awards:public", kwargs={"uuid": award.uuid}))
    assert public_url.endswith(reverse("awards:public", kwargs={"uuid": award.uuid}))
    assert page.locator("h1").inner_text() == TITLE
    evidence = page.get_by_role("region", name="Evidence")
    assert evidence.get_by_role("link", name="Quarterly sales analysis").is_visible()
    assert "Manager's observation notes" not in page.content()
    assert "Confidential notes." not in page.content()
    assert EMAIL not in page.content()
    assert page.locator('meta[property="og:title"]').get_attribute("content") == TITLE
    assert AwardEvidence.objects.get(name="Manager's observation notes").private


def test_a_learner_declines_a_badge_and_it_stays_out_of_the_mosaic(
    world: Any, page: Any, live_server: Any
) -> None:
    learner = world.learner
    kept = f.award(version(world, title="Spreadsheet Modelling"), email=learner.email)
    actions.award_accept(actor=learner, award=kept)
    declined = f.award(version(world), email=learner.email)

    sign_in(page, live_server, learner)
    page.goto(live_server.url + reverse("awards:inbox"))
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("awards:detail", kwargs={"uuid": declined.uuid}))
    click(page, "Decline")
    assert f"You declined “{TITLE}”. It is not in your mosaic" in page.content()
    # Declining can be undone: accept is still offered; decline no longer is.
    assert page.get_by_role("button", name="Accept into my mosaic").is_visible()
    assert page.get_by_role("button", name="Decline").count() == 0

    page.goto(live_server.url + reverse("portfolio:mosaic"))
    assert "You hold 1 badge." in page.content()
    mosaic = page.locator("svg.mosaic-svg")
    assert mosaic.get_by_role("link", name="Spreadsheet Modelling, issued by").count() == 1
    assert mosaic.get_by_role("link", name=TITLE).count() == 0
    table = page.get_by_role("table", name="Your badges, by skill area")
    assert table.get_by_role("link", name="Spreadsheet Modelling").is_visible()
    assert table.get_by_role("link", name=TITLE).count() == 0
    assert TITLE not in page.locator("main").inner_text()

    # The badge list still has it, under declined.
    page.goto(live_server.url + reverse("awards:inbox"))
    assert page.get_by_role("link", name=TITLE).is_visible()


def test_a_signed_in_learner_adds_the_awarded_address_to_their_account(
    world: Any, page: Any, live_server: Any
) -> None:
    """The badge was sent to another of the learner's addresses: they add it from the claim
    page, confirm it from the e-mail, and the badge is theirs; their main address is kept."""
    learner = world.learner
    mail.outbox.clear()
    award = f.award(version(world), email=EMAIL)
    [message] = mail.outbox

    sign_in(page, live_server, learner)
    claim = local(link_in(str(message.body), "/claim/"), live_server)
    page.goto(claim)
    assert page.get_by_role("heading", name="Add the address to your account").is_visible()
    mail.outbox.clear()
    click(page, "Add s•••@example.org to my account")
    assert "We have sent a confirmation link to s•••@example.org." in page.content()
    assert page.get_by_role("heading", name="Confirm the address").is_visible()
    award.refresh_from_db()
    assert award.learner is None

    [confirmation] = mail.outbox
    page.goto(local(link_in(str(confirmation.body), "/accounts/confirm-email/"), live_server))
    click(page, "Confirm")
    award.refresh_from_db()
    assert award.learner == learner
    page.goto(claim)
    assert page.url == live_server.url + reverse("awards:detail", kwargs={"uuid": award.uuid})
    page.goto(live_server.url + reverse("account_email"))
    addresses = page.get_by_role("group", name="Choose an address, then what to do with it")
    assert f"{learner.email} (confirmed) (main address)" in " ".join(addresses.inner_text().split())
    assert f"{EMAIL} (confirmed)" in " ".join(addresses.inner_text().split())
