"""The learner's journey in a real browser (Debian's Chromium through Playwright), with axe-core
checking every page it loads (WCAG 2.1 A/AA), as a new user would live it: from the catalogue
page to a verified badge, through sign-up, demonstrations with evidence, a supervisor's
confirmation, the reflection, a submission returned for revision and a second one that meets.

Only the design (a published micro-credential) and the assessor's account are made in the
database; everything else is done through the pages, by the learner, the supervisor (without an
account) and the assessor, each in a browser context of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from mosaics.awards.models import Award
from mosaics.learning.models import Demonstration, Enrolment, Submission
from tests.browser import learning_support as s
from tests.browser.awards_support import click, sign_in
from tests.learning import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "ana.moreau@example.org"
PASSWORD = "a long and unusual passphrase"
SUPERVISOR = "Jordan Lee"
SUPERVISOR_EMAIL = "jordan.lee@riverside-food.example"


@pytest.fixture
def assessor(page: Any, browser: Any, accessibility_log: Any) -> Any:
    """The assessor's browser (cookies of their own), checked by axe like `page`."""
    with s.other_page(browser, accessibility_log) as other:
        yield other


def test_a_new_learner_earns_a_badge_from_the_catalogue_to_the_verification_page(
    world: Any,
    page: Any,
    live_server: Any,
    assessor: Any,
    browser: Any,
    accessibility_log: Any,
    tmp_path: Path,
) -> None:
    version = s.journey_version(world)
    first, second = s.competency_statements(version)
    slug = version.micro_credential.slug
    catalogue_url = live_server.url + reverse("catalogue:detail", kwargs={"slug": slug})
    pathway_url = live_server.url + reverse("learning:enrolment", kwargs={"slug": slug})
    mail.outbox.clear()

    # --- A visitor finds the micro-credential in the catalogue and asks to enrol. ---------------
    s.go(page, live_server, reverse("catalogue:index"))
    s.follow(page, s.TITLE, exact=False)
    assert page.url == catalogue_url
    enrolment_box = page.get_by_role("region", name="Enrolment")
    assert enrolment_box.get_by_label("Learn and demonstrate").is_checked()
    assert "You will be asked to sign in or create an account first." in enrolment_box.inner_text()
    click(page, "Enrol", within=enrolment_box)

    # Signed out: the sign-in page, which offers to create an account.
    assert s.heading(page) == "Sign In"
    s.follow(page, "sign up")
    assert s.heading(page) == "Sign Up"
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    click(page, "Sign Up")
    assert not Enrolment.objects.exists()

    # The address is confirmed from the e-mail; the learner is back on the catalogue page.
    confirmation = s.mail_to(EMAIL)
    s.open_link(page, live_server, confirmation, "/accounts/confirm-email/")
    click(page, "Confirm")
    assert page.url == catalogue_url, page.url
    enrolment_box = page.get_by_role("region", name="Enrolment")
    assert "sign in or create an account" not in enrolment_box.inner_text()
    click(page, "Enrol", within=enrolment_box)

    # --- The personal pathway. -------------------------------------------------------------------
    assert page.url == pathway_url
    assert s.heading(page) == s.TITLE
    assert f"You are enrolled in “{s.TITLE}”." in s.main_text(page)
    enrolment = Enrolment.objects.get(learner__email=EMAIL)
    assert enrolment.state == Enrolment.State.ACTIVE
    assert enrolment.route == Enrolment.Route.STANDARD
    remains = page.get_by_role("list", name="What remains")
    assert remains.get_by_role("listitem").all_inner_texts() == [
        f"Demonstrate “{first}”",
        f"Demonstrate “{second}”",
        "Write your reflection",
        "Submit for assessment",
    ]

    # --- A demonstration of each competency, with a link and a file. -------------------------
    for number, statement in enumerate((first, second), start=1):
        s.follow(page, f"Start your demonstration of competency {number}")
        assert s.heading(page) == f"Demonstrate: {statement}"
        s.write_demonstration(
            page,
            narrative=f"I analysed the food bank's visits for competency {number}.",
            organisation="Riverside Food Bank",
            role="Volunteer data analyst",
        )
        assert "Your draft was saved." in s.main_text(page)
        assert page.get_by_role("heading", name="Your draft (version 1)").is_visible()
        assert page.get_by_label("Narrative").input_value().startswith("I analysed")
        s.add_link(
            page,
            url=f"https://reports.example.org/food-bank-{number}",
            title=f"Dashboard {number}",
            visibility="In the credential, and on my public badge page",
        )
        assert "The evidence was added." in s.main_text(page)
        # The file is for the assessors only.
        s.add_file(
            page,
            name=f"notes-{number}.pdf",
            title=f"Field notes {number}",
            visibility="Only for the assessors",
        )
        assert "The evidence was added." in s.main_text(page)
        evidence = page.get_by_role("region", name="Evidence")
        assert evidence.get_by_label(f"Who may see “Dashboard {number}”").input_value() == "public"
        assert evidence.get_by_label(f"Who may see “Field notes {number}”").input_value() == (
            "excluded"
        )
        click(page, "Submit this demonstration")
        assert page.get_by_role("heading", name="Your demonstration (version 1)").is_visible()
        s.follow(page, f"Back to “{s.TITLE}”")

    assert Demonstration.objects.filter(enrolment=enrolment, state="submitted").count() == 2

    # --- The learner asks a supervisor to confirm the first demonstration. --------------------
    s.follow(page, "Ask a supervisor to confirm your demonstration of competency 1")
    assert s.heading(page) == "Ask a supervisor to confirm your demonstration"
    # A new account has no name yet: the page says so, and leads to the profile.
    assert "You have not given your name yet" in s.main_text(page)
    s.follow(page, "Add your name to your profile")
    page.get_by_label("Display name").fill("Ana Moreau")
    page.get_by_label("Legal name").fill("Ana Sofia Moreau")
    click(page, "Save the profile")
    assert "Your profile is saved." in s.main_text(page)
    s.follow(page, "My learning", within=page.get_by_role("navigation", name="Main"))
    s.follow(page, s.TITLE)
    s.follow(page, "Ask a supervisor to confirm your demonstration of competency 1")
    assert "You have not given your name yet" not in s.main_text(page)
    page.get_by_label("Supervisor's name").fill(SUPERVISOR)
    page.get_by_label("Supervisor's e-mail").fill(SUPERVISOR_EMAIL)
    page.get_by_label("Supervisor's role").fill("Volunteer coordinator")
    click(page, "Send the request")
    assert f"We have asked {SUPERVISOR} to confirm this demonstration." in s.main_text(page)

    # The supervisor, without an account, opens the link from their e-mail and confirms.
    request = s.mail_to(SUPERVISOR_EMAIL)
    with s.other_page(browser, accessibility_log) as supervisor:
        s.open_link(supervisor, live_server, request, "/attest/")
        assert s.heading(supervisor) == "Confirm the work of Ana Moreau"
        text = s.main_text(supervisor)
        assert "I analysed the food bank's visits for competency 1." in text
        assert "Riverside Food Bank" in text
        evidence = supervisor.get_by_role("region", name="Evidence")
        assert evidence.get_by_role("link", name="Dashboard 1").is_visible()
        assert evidence.get_by_role("link", name="Field notes 1").is_visible()
        supervisor.get_by_label("I confirm that this describes what the learner did").check()
        supervisor.get_by_label("Your comment").fill("Ana ran our data work all autumn.")
        click(supervisor, "Send my answer")
        assert s.heading(supervisor) == "Thank you"
        assert "You have confirmed the demonstration of Ana Moreau." in s.main_text(supervisor)

    # Back as the learner: told by e-mail, and the pathway says it is confirmed.
    answered = s.mail_to(EMAIL, f"{SUPERVISOR} confirmed your work for “{s.TITLE}”")
    s.open_link(page, live_server, answered, reverse("learning:enrolment", kwargs={"slug": slug}))
    step = page.get_by_role("region", name=f"1. {first}")
    assert "Confirmed by the supervisor (Jordan Lee)" in " ".join(step.inner_text().split())

    # --- The reflection. ----------------------------------------------------------------------
    s.follow(page, "Write your reflection")
    assert s.heading(page) == "Your reflection"
    questions = page.get_by_role("group", name="The questions")
    questions.get_by_label("What did you learn?").fill("To turn visit counts into a plan.")
    questions.get_by_label("What would you do differently?").fill("Ask the clients first.")
    summary = page.get_by_role("group", name="Your summary")
    summary.get_by_label("Summary to share").fill("I learned to tell a story with data.")
    summary.get_by_label("Put this summary in my credential").check()
    click(page, "Save draft")
    assert "Your reflection is saved." in s.main_text(page)

    # --- Review and submit. -------------------------------------------------------------------
    s.follow(page, "Review everything and submit for assessment")
    assert s.heading(page) == "Review and submit for assessment"
    text = s.main_text(page)
    assert "Ready (version 1, already submitted)" in text
    assert "Your summary will be written into your credential." in text
    page.get_by_label(
        "I have checked who may see each piece of evidence, and this is my own work."
    ).check()
    click(page, "Submit for assessment")
    submission = Submission.objects.get(enrolment=enrolment)
    assert submission.state == Submission.State.SUBMITTED

    # --- The assessor returns it for revision. ------------------------------------------------
    s.sign_in_with_password(assessor, live_server, world.assessor)
    s.follow(assessor, "Assessment")
    queue = assessor.get_by_role("table", name="1 submission")
    row = queue.get_by_role("row", name="Ana Moreau")
    assert s.TITLE in row.inner_text()
    assert "1 of 2 confirmed" in row.inner_text()
    s.follow(assessor, "Ana Moreau", within=queue)
    assert s.heading(assessor) == f"Ana Moreau: “{s.TITLE}”, attempt 1"
    one = assessor.get_by_role("region", name=f"Competency 1: {first}")
    two = assessor.get_by_role("region", name=f"Competency 2: {second}")
    assert "Ana ran our data work all autumn." in one.inner_text()
    one.get_by_role("group", name=f"Level reached in “{first}”").get_by_label("Beginning").check()
    one.get_by_label("Feedback on this competency").fill("Show how the plan changed.")
    two.get_by_role("group", name=f"Level reached in “{second}”").get_by_label("Proficient").check()
    decision = assessor.get_by_role("group", name="Decision", exact=True)
    decision.get_by_label("Return for revision").check()
    assessor.get_by_label("Feedback to the learner").fill(
        "Good work: say what the food bank did with your analysis."
    )
    click(assessor, "Record the assessment")
    assert "No submission is waiting for assessment." in s.main_text(assessor)
    submission.refresh_from_db()
    assert submission.state == Submission.State.RETURNED

    # --- The learner reads what to improve, revises the first demonstration, submits again. ---
    returned = s.mail_to(EMAIL, "returned for revision")
    assert "say what the food bank did with your analysis" in str(returned.body)
    s.open_link(page, live_server, returned, reverse("learning:enrolment", kwargs={"slug": slug}))
    assert page.url == pathway_url
    decision = page.get_by_role("region", name="The assessors' decision")
    text = " ".join(decision.inner_text().split())
    assert "Attempt 1: Returned for revision." in text
    assert "Good work: say what the food bank did with your analysis." in text
    step = page.get_by_role("region", name=f"1. {first}")
    text = " ".join(step.inner_text().split())
    assert "To revise — level reached: Beginning" in text
    assert "Show how the plan changed." in text
    assert "Meets the level — level reached: Proficient" in " ".join(
        page.get_by_role("region", name=f"2. {second}").inner_text().split()
    )
    s.follow(page, "Work on your demonstration of competency 1")
    click(page, "Revise")
    assert page.get_by_role("heading", name="Your draft (version 2)").is_visible()
    # The draft starts as a copy; what was submitted stays as it was.
    assert page.get_by_label("Narrative").input_value().startswith("I analysed")
    submitted = page.get_by_role("region", name="Submitted versions")
    assert submitted.get_by_role("heading", name="Version 1, submitted on", exact=False).count()
    page.get_by_label("Narrative").fill(
        "I analysed the food bank's visits for competency 1. The board moved the Saturday "
        "opening to Friday evening because of my analysis."
    )
    click(page, "Save draft")
    click(page, "Submit this demonstration")
    assert page.get_by_role("heading", name="Your demonstration (version 2)").is_visible()
    assert page.get_by_role("heading", name="Version 1, submitted on", exact=False).count() == 1
    s.follow(page, f"Back to “{s.TITLE}”")
    s.follow(page, "Review and submit for assessment")
    page.get_by_label(
        "I have checked who may see each piece of evidence, and this is my own work."
    ).check()
    click(page, "Submit for assessment")
    second_attempt = Submission.objects.get(enrolment=enrolment, number=2)
    assert second_attempt.state == Submission.State.SUBMITTED

    # --- The assessor finds both competencies at the passing level: the badge is awarded. -----
    s.follow(assessor, "Assessment")
    s.follow(assessor, "Ana Moreau", within=assessor.get_by_role("table"))
    assert s.heading(assessor) == f"Ana Moreau: “{s.TITLE}”, attempt 2"
    assert "moved the Saturday opening" in s.main_text(assessor)
    previous = assessor.get_by_role("region", name="Previous attempts")
    assert "Attempt 1 — Returned for revision" in previous.inner_text()
    assert "Show how the plan changed." in previous.inner_text()
    for statement in (first, second):
        assessor.get_by_role("group", name=f"Level reached in “{statement}”").get_by_label(
            "Proficient"
        ).check()
    assessor.get_by_role("group", name="Decision", exact=True).get_by_label(
        "Meets the criteria"
    ).check()
    click(assessor, "Record the assessment")
    assert f"Ana Moreau meets the criteria and is awarded “{s.TITLE}”" in s.main_text(assessor)
    second_attempt.refresh_from_db()
    assert second_attempt.state == Submission.State.MET
    award = Award.objects.get()

    # --- The learner claims the badge from the e-mail, accepts it and downloads it. -----------
    decided = s.mail_to(EMAIL, body_part="meets the criteria")
    assert "Competency 1 of" in str(decided.body)
    claim = s.mail_to(EMAIL, body_part="/claim/")
    s.open_link(page, live_server, claim, "/claim/")
    assert page.url == live_server.url + reverse("awards:detail", kwargs={"uuid": award.uuid})
    assert s.heading(page) == s.TITLE
    click(page, "Accept into my mosaic")
    assert f"“{s.TITLE}” is in your mosaic." in s.main_text(page)
    with page.expect_download() as download:
        s.follow(page, "Signed badge (Open Badges 3.0, JSON)")
    signed = tmp_path / "credential.json"
    download.value.save_as(signed)
    credential = json.loads(signed.read_text())
    assert credential["id"] == award.credential_id

    # --- Anyone verifies it on the verification page. -----------------------------------------
    s.follow(page, "Verify a badge", within=page.get_by_role("navigation", name="Main"))
    page.get_by_label("Badge file", exact=True).set_input_files(signed)
    click(page, "Verify the file")
    result = page.get_by_role("region", name="Result:")
    assert result.get_by_role("heading").inner_text() == "Result: Valid"
    summary = " ".join(result.locator("dl").inner_text().split())
    assert world.issuer.name in summary
    assert s.TITLE in summary
    # The credential names its recipient by a hashed e-mail address, not by name.
    assert "Issued to a hashed e-mail address" in summary
    assert "Status Valid" in summary
    # The shared summary is its narrative; evidence kept for the assessors is left out.
    assert "I learned to tell a story with data." in signed.read_text()
    assert "Dashboard 1" in signed.read_text()
    assert "Field notes" not in signed.read_text()
    # The supervisor confirmed version 1 of the first demonstration, not the revision that was
    # awarded; either way a credential never names them or gives their address.
    assert "Confirmed by their workplace supervisor" not in signed.read_text()
    assert SUPERVISOR not in signed.read_text()
    assert SUPERVISOR_EMAIL not in signed.read_text()


def test_the_demonstration_page_works_with_the_keyboard_alone(
    world: Any, page: Any, live_server: Any
) -> None:
    """From the top of the page, Tab reaches the narrative, the setting, the evidence forms and
    the submit button in reading order, each with a visible focus indicator; a draft is saved
    with the keyboard alone."""
    version = s.journey_version(world)
    first = version.competencies.order_by("position").first()
    enrolment = builders.enrolment(world.learner, version)
    builders.demonstration(enrolment, first, submitted=False)
    sign_in(page, live_server, world.learner)
    s.go(page, live_server, s.demonstration_path(version, first))
    assert s.heading(page) == f"Demonstrate: {first.statement}"

    # The skip link comes first and leads past the site's navigation.
    page.keyboard.press("Tab")
    assert s.focused(page) == ("a", "Skip to main content")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert s.focused(page) == ("a", f"Back to “{s.TITLE}”")

    expected = [
        # A draft may be saved with any of them empty (what must be there to submit is said
        # by the help text and, when submitting, by the error summary).
        ("textarea", "Narrative (needed to submit)"),
        ("input", "Organisation (needed to submit)"),
        ("input", "Your role (optional)"),
        ("select", "Kind of setting (needed to submit)"),
        ("input", "From (optional)"),
        ("input", "Until (optional)"),
        ("button", "Save draft"),
        # The evidence already there, then each way to add more.
        ("a", "Project report"),
        ("select", "Who may see “Project report”"),
        ("button", "Change “Project report”"),
        ("button", "Remove “Project report”"),
        ("input", "File"),
        ("input", "Title (optional)"),
        ("textarea", "Description (optional)"),
        ("select", "Who may see it"),
        ("button", "Upload the file"),
        ("input", "Web address"),
        ("input", "Title"),
        ("textarea", "Description (optional)"),
        ("select", "Who may see it"),
        ("button", "Add the link"),
        ("a", "Import a badge you earned elsewhere"),
        ("button", "Submit this demonstration"),
    ]
    reached = []
    for _ in expected:
        control, visible = s.tab_to_next_control(page)
        reached.append(control)
        assert visible, f"no visible focus on {control}"
    assert reached == expected, "\n".join(map(str, reached))

    # Keyboard only: write the narrative, go to "Save draft" and press Enter.
    page.get_by_label("Narrative").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("I ran the food bank's survey and read the results to the board.")
    for _ in range(6):
        s.tab_to_next_control(page)
    assert s.focused(page) == ("button", "Save draft")
    # Wait for the form's own navigation: the page is already loaded when Enter is pressed, so
    # waiting for a load state alone could read the old page.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your draft was saved." in s.main_text(page)
    assert page.get_by_label("Narrative").input_value().startswith("I ran the food bank's")
