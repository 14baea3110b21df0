"""The assessment page (the submission in full, the scoring form, read-only once decided or
for the first assessor when moderating), declaring and withdrawing conflicts of interest,
and the design form's moderation setting."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards.models import Award
from mosaics.catalogue.models import Version
from mosaics.learning.models import Assessment, CompetencyScore, Conflict, Submission
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b


@pytest.fixture
def version(world: Any) -> Any:
    return b.learning_version(world.issuer, title="Data Storytelling")


@pytest.fixture
def submission(world: Any, version: Any) -> Submission:
    world.learner.display_name = "Robin Learner"
    world.learner.legal_name = "Robin Q. Learner"
    world.learner.save()
    return b.submission(b.enrolment(world.learner, version))


def page_url(submission: Submission) -> str:
    return reverse("learning:assess", kwargs={"uuid": submission.uuid})


def competencies(version: Any) -> list[Any]:
    return list(version.competencies.order_by("position", "pk"))


def levels(competency: Any) -> list[Any]:
    return list(competency.levels.order_by("position", "pk"))


def posted(version: Any, decision: str = "meets", level: int = 1, **extra: str) -> dict[str, str]:
    data = {"decision": decision, "feedback": ""}
    for competency in competencies(version):
        data[f"level-{competency.pk}"] = str(levels(competency)[level].pk)
        data[f"feedback-{competency.pk}"] = f"Good work on {competency.statement}"
    data.update(extra)
    return data


def unchanged(submission: Submission, state: str = "submitted") -> None:
    submission.refresh_from_db()
    assert submission.state == state
    assert Assessment.objects.filter(submission=submission).count() == 0
    assert not AuditEntry.objects.filter(action="learning.assess").exists()
    assert not Notification.objects.filter(target=f"learning.submission:{submission.pk}").exists()
    assert Award.objects.count() == 0


# --- who may open it ------------------------------------------------------------------------


def test_the_assessor_sees_the_submission_in_full(client, world, version, submission):
    client.force_login(world.assessor)
    response = client.get(page_url(submission))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Robin Learner" in page
    assert "legal name: Robin Q. Learner" in page
    first, second = competencies(version)
    for competency in (first, second):
        assert competency.statement in page
        assert f'name="level-{competency.pk}"' in page
        assert f'name="feedback-{competency.pk}"' in page
    assert "Apply it to a real data set from the workplace." in page  # the criterion
    assert "Proficient" in page
    assert "(the passing level)" in page
    assert "What this level looks like." in page
    assert "I cleaned the sales data" in page  # the narrative
    assert "Prairie Analytics" in page  # the setting
    assert "https://example.org/report" in page
    demonstration = submission.demonstrations.first()
    assert reverse("learning:demonstration_version", kwargs={"uuid": demonstration.uuid}) in page
    assert "No supervisor has been asked to confirm this demonstration." in page
    assert "My answer to: What did you learn?" in page
    assert "I learned to turn raw data into a decision." in page
    assert "Shared: the learner agreed to put this summary in their credential." in page
    assert 'name="decision"' in page
    assert "Record the assessment" in page
    assert "Declare a conflict of interest" in page
    assert page.count("<h1") == 1


def test_a_file_item_links_to_its_download(client, world, version, submission):
    from mosaics.learning.models import EvidenceItem

    demonstration = submission.demonstrations.first()
    item = EvidenceItem.objects.create(
        demonstration=demonstration,
        kind="file",
        title="Spreadsheet",
        file="evidence/2026/01/abc.xlsx",
        file_name="sales.xlsx",
        visibility="excluded",
    )
    client.force_login(world.assessor)
    page = client.get(page_url(submission)).content.decode()
    assert reverse("learning:evidence_file", kwargs={"uuid": item.uuid}) in page
    assert "sales.xlsx" in page
    assert "Only for the assessors" in page


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("anonymous", 302),
        ("learner", 403),  # their own: they have their own page
        ("other_learner", 404),
        ("conflicted", 404),
        ("other_admin", 404),
        ("designer", 404),
        ("reviewer", 404),
        ("endorser", 404),
        ("tlc_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_who_may_open_the_page(client, world, submission, person, status):
    if person == "other_learner":
        client.force_login(f.UserFactory())
    elif person == "conflicted":
        Conflict.objects.create(assessor=world.assessor, learner=world.learner)
        client.force_login(world.assessor)
    elif person != "anonymous":
        client.force_login(world.people[person])
    response = client.get(page_url(submission))
    assert response.status_code == status
    if status != 200:
        response = client.post(page_url(submission), posted(submission.enrolment.version))
        assert response.status_code == status
    unchanged(submission)


def test_an_unknown_submission_is_not_found(client, world):
    client.force_login(world.assessor)
    url = reverse("learning:assess", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    assert client.get(url).status_code == 404


# --- assessing --------------------------------------------------------------------------------


def test_returning_for_revision(client, world, version, submission):
    client.force_login(world.assessor)
    data = posted(version, "revise", level=0, feedback="Add the data cleaning steps.")
    response = client.post(page_url(submission), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:queue")
    submission.refresh_from_db()
    assert submission.state == "returned"
    assessment = Assessment.objects.get()
    assert (assessment.assessor, assessment.decision, assessment.feedback) == (
        world.assessor,
        "revise",
        "Add the data cleaning steps.",
    )
    assert CompetencyScore.objects.filter(assessment=assessment).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "returned to Robin Learner with your feedback" in page
    # Decided: read-only now, with the recorded levels and why.
    page = client.get(page_url(submission)).content.decode()
    assert "You cannot assess this submission." in page
    assert "This submission has been decided: returned for revision." in page
    assert 'name="decision"' not in page
    assert "Add the data cleaning steps." in page
    assert "Good work on" in page


def test_meets_awards_the_badge(client, world, version, submission):
    client.force_login(world.assessor)
    response = client.post(page_url(submission), posted(version))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "met"
    award = Award.objects.get()
    assert submission.award == award
    page = client.get(response["Location"]).content.decode()
    assert "Robin Learner meets the criteria and is awarded “Data Storytelling”" in page
    page = client.get(page_url(submission)).content.decode()
    assert reverse("awards:record", kwargs={"uuid": award.uuid}) in page


def test_a_missing_level_is_explained_and_what_was_typed_is_kept(
    client, world, version, submission
):
    first, second = competencies(version)
    data = posted(version, "revise", feedback="Please add the numbers.")
    del data[f"level-{second.pk}"]
    client.force_login(world.assessor)
    response = client.post(page_url(submission), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was recorded" in page
    assert f"{second.statement}: Choose the level the learner reached." in page
    assert "Please add the numbers." in page
    assert f"Good work on {first.statement}" in page
    assert f'value="{levels(first)[1].pk}" checked' in page
    assert 'value="revise" checked' in page
    unchanged(submission)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "revise", "feedback": ""}, "Tell the learner what to improve"),
        ({"decision": "meets", "level": 0}, "below the passing level"),
        ({"decision": "perhaps"}, "Choose one of the decisions."),
    ],
)
def test_refusals_are_shown_and_nothing_is_recorded(
    client, world, version, submission, data, message
):
    level = data.pop("level", 1)
    client.force_login(world.assessor)
    response = client.post(page_url(submission), posted(version, level=level, **data))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page
    unchanged(submission)


def test_a_level_of_another_competency_is_refused(client, world, version, submission):
    first, second = competencies(version)
    data = posted(version, "revise", feedback="x")
    data[f"level-{second.pk}"] = str(levels(first)[1].pk)
    data[f"level-{first.pk}"] = "99999999999999999999999"
    client.force_login(world.assessor)
    response = client.post(page_url(submission), data)
    assert response.status_code == 400
    assert "Choose one of this competency" in response.content.decode()
    unchanged(submission)


def test_a_decided_submission_is_read_only_and_a_late_post_is_refused(client, world, version):
    submission = b.submission(b.enrolment(world.learner, version), state="not_met")
    client.force_login(world.assessor)
    page = client.get(page_url(submission)).content.decode()
    assert "This submission has been decided: does not meet the criteria." in page
    assert "Record the assessment" not in page
    response = client.post(page_url(submission), posted(version, "revise", feedback="Typed"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "already been decided" in page
    assert "Typed" in page  # kept so it can be copied
    assert "Record the assessment" not in page
    unchanged(submission, "not_met")


def test_moderation_the_first_assessor_reads_the_second_decides(client, world):
    version = b.learning_version(world.issuer, second_assessor_required=True)
    submission = b.submission(b.enrolment(world.learner, version))
    client.force_login(world.assessor)
    response = client.post(page_url(submission), posted(version))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "in_moderation"
    assert "A second assessor must confirm it" in client.get(response["Location"]).content.decode()

    page = client.get(page_url(submission)).content.decode()
    assert "You made the first assessment." in page
    assert 'name="decision"' not in page
    response = client.post(page_url(submission), posted(version))
    assert response.status_code == 403
    assert "You made the first assessment" in response.content.decode()
    assert Assessment.objects.count() == 1

    client.force_login(world.tlc_admin)
    page = client.get(page_url(submission)).content.decode()
    assert "You are moderating" in page
    assert f"Assessment ({world.assessor.name}):" in page
    assert 'name="decision"' in page
    response = client.post(
        page_url(submission), posted(version, "revise", feedback="Show the model's limits.")
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "returned"
    assert Award.objects.count() == 0


def test_previous_attempts_and_their_assessments_are_shown(client, world, version):
    enrolment = b.enrolment(world.learner, version)
    old = b.submission(enrolment, state="returned")
    Assessment.objects.create(
        submission=old,
        stage="first",
        assessor=world.tlc_admin,
        decision="revise",
        feedback="Say how you cleaned the data.",
    )
    current = b.submission(enrolment, number=2)
    client.force_login(world.assessor)
    page = client.get(page_url(current)).content.decode()
    assert "Previous attempts" in page
    assert "Attempt 1" in page
    assert "Say how you cleaned the data." in page


# --- conflicts of interest --------------------------------------------------------------------


def test_declaring_a_conflict_hides_the_learner(client, world, version, submission):
    client.force_login(world.assessor)
    url = reverse("learning:conflict_declare", kwargs={"uuid": submission.uuid})
    response = client.post(url, {"reason": "My cousin"})
    assert response.status_code == 302
    conflict = Conflict.objects.get()
    assert (conflict.assessor, conflict.learner, conflict.reason) == (
        world.assessor,
        world.learner,
        "My cousin",
    )
    assert client.get(page_url(submission)).status_code == 404
    assert client.get(reverse("learning:queue")).context["rows"] == []
    page = client.get(reverse("learning:conflicts")).content.decode()
    assert "Robin Learner" in page
    assert "My cousin" in page

    # Someone else cannot withdraw it.
    withdraw = reverse("learning:conflict_withdraw", kwargs={"pk": conflict.pk})
    client.force_login(world.tlc_admin)
    assert client.post(withdraw).status_code == 404
    assert Conflict.objects.count() == 1

    client.force_login(world.assessor)
    response = client.post(withdraw)
    assert response.status_code == 302
    assert Conflict.objects.count() == 0
    assert client.get(page_url(submission)).status_code == 200
    assert AuditEntry.objects.filter(action="learning.conflict_withdraw").count() == 1


def test_a_bad_conflict_reason_is_explained(client, world, submission):
    client.force_login(world.assessor)
    url = reverse("learning:conflict_declare", kwargs={"uuid": submission.uuid})
    response = client.post(url, {"reason": "x" * 301})
    assert response.status_code == 400
    assert "Reason (optional)" in response.content.decode()
    assert Conflict.objects.count() == 0


def test_conflicts_pages_refuse_others(client, world, submission):
    url = reverse("learning:conflict_declare", kwargs={"uuid": submission.uuid})
    client.force_login(world.other_admin)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(world.learner)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert client.get(reverse("learning:conflicts")).status_code == 403
    assert Conflict.objects.count() == 0
    client.logout()
    assert client.get(reverse("learning:conflicts")).status_code == 302


# --- the design's moderation setting ----------------------------------------------------------


def test_designers_set_moderation_in_the_design_form(client, world):
    version = f.VersionFactory(
        micro_credential=f.MicroCredentialFactory(issuer=world.issuer), title="Moderated"
    )
    kwargs = {"slug": version.micro_credential.slug, "number": version.number}
    client.force_login(world.designer)
    form_page = client.get(reverse("catalogue:design_edit", kwargs=kwargs)).content.decode()
    assert 'name="second_assessor_required"' in form_page
    response = client.post(
        reverse("catalogue:design_edit", kwargs=kwargs),
        {"title": "Moderated", "language": "en", "second_assessor_required": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Version.objects.get(pk=version.pk).second_assessor_required is True
    page = client.get(reverse("catalogue:design", kwargs=kwargs)).content.decode()
    assert "a second assessor confirms every decision" in page
