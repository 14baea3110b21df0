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
    awarded = version(world)

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
