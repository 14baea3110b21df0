"""The demo's learners (`mosaics.core.demo_learning`): one at each stage of the journey, made
through the learning workflows, so `make run` shows a living platform — and the pages each
demo learner and the demo assessor open work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards.models import Award
from mosaics.core import demo_content as content
from mosaics.core.demo import load_demo
from mosaics.core.demo_learning import pdf_bytes, png_bytes
from mosaics.learning.models import (
    Assessment,
    Attestation,
    Conflict,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    Submission,
)
from mosaics.learning.uploads import clean_evidence_file
from mosaics.notifications.models import Notification

pytestmark = pytest.mark.django_db

LEARNERS = sorted({journey.learner for journey in content.JOURNEYS})


def _enrolment(username: str, design: str) -> Enrolment:
    return Enrolment.objects.select_related("version", "micro_credential").get(
        learner__username=username, micro_credential__slug=design
    )


def test_a_learner_at_every_stage_of_the_journey(django_capture_on_commit_callbacks: Any) -> None:
    from mosaics.awards.actions import verify_award

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    trauma, stats = content.TRAUMA.slug, content.STATS.slug
    dataviz, privacy = content.DATAVIZ.slug, content.PRIVACY.slug

    # Every demo learner is a demo person (printed by `mosaics demo`) with an enrolment.
    people = {person.username for person in content.PEOPLE}
    assert set(LEARNERS) <= people
    for username in LEARNERS:
        assert Enrolment.objects.filter(learner__username=username).exists(), username

    # Just enrolled, nothing yet; the placement's three places are taken, so one waits.
    new = _enrolment("learner-new", trauma)
    assert new.state == Enrolment.State.ACTIVE
    assert not new.demonstrations.exists()
    assert not new.reflections.exists()
    assert new.micro_credential.capacity == 3
    assert (
        Enrolment.objects.filter(micro_credential=new.micro_credential, state="active").count() == 3
    )
    assert _enrolment("learner-waitlist", trauma).state == Enrolment.State.WAITLISTED

    # Drafting: one competency drafted with a link and a stored PDF, the other not started.
    draft = _enrolment("learner-draft", trauma)
    (demonstration,) = draft.demonstrations.all()
    assert demonstration.state == Demonstration.State.DRAFT
    kinds = {item.kind: item for item in demonstration.items.all()}
    assert set(kinds) == {EvidenceItem.Kind.LINK, EvidenceItem.Kind.FILE}
    assert kinds["file"].content_type == "application/pdf"
    with kinds["file"].file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert draft.version.competencies.count() > 1

    # Supervisors asked: one confirmed, one disputed with a comment, one link still open;
    # the reflection is a draft.
    attest = _enrolment("learner-attest", stats)
    assert set(attest.demonstrations.values_list("state", flat=True)) == {"submitted"}
    answers = {a.state: a for a in Attestation.objects.filter(demonstration__enrolment=attest)}
    assert set(answers) == {"confirmed", "disputed", "requested"}
    assert answers["disputed"].comment
    assert answers["requested"].is_open
    assert all(a.supervisor_email.endswith("@example.org") for a in answers.values())
    assert attest.reflections.get().state == Reflection.State.DRAFT
    assert not attest.submissions.exists()

    # Returned for revision with feedback, then attempt 2 with version 2 of a demonstration.
    revised = _enrolment("learner-revised", stats)
    first, second = revised.submissions.order_by("number")
    assert (first.state, second.state) == ("returned", "submitted")
    assert first.assessments.get().feedback
    assert sorted(second.demonstrations.values_list("number", flat=True)) == [1, 1, 2]
    assert second.reflection.number == 2

    # Met: awarded through assessment, claimed and shared, evidence as the learner chose.
    met = _enrolment("learner-met", dataviz)
    assert met.state == Enrolment.State.AWARDED
    submission = met.submissions.get()
    assert submission.state == Submission.State.MET
    award = submission.award
    assert award is not None
    assert met.award == award
    assert award.source == Award.Source.ASSESSMENT
    assert (award.claim, award.shared) == (Award.Claim.ACCEPTED, True)
    visibilities = sorted(
        EvidenceItem.objects.filter(demonstration__enrolment=met).values_list(
            "visibility", flat=True
        )
    )
    assert visibilities == ["excluded", "private", "public"]
    assert sorted(award.evidence.values_list("private", flat=True)) == [False, True]
    assert verify_award(award).status == "valid"

    # Prior learning: her badge mapped as evidence, submitted.
    prior = _enrolment("learner-met", stats)
    assert prior.route == Enrolment.Route.PRIOR_LEARNING
    badge = EvidenceItem.objects.get(demonstration__enrolment=prior, kind="badge")
    assert badge.award == award
    assert prior.submissions.get().state == Submission.State.SUBMITTED

    # Did not meet the criteria.
    not_met = _enrolment("learner-notmet", privacy)
    assert not_met.state == Enrolment.State.NOT_MET
    assert not_met.submissions.get().assessments.get().decision == "not_met"

    # Moderation: the design asks a second assessor; the first said it meets.
    moderation = _enrolment("learner-moderation", content.SPREADSHEETS.slug)
    assert moderation.version.second_assessor_required
    submission = moderation.submissions.get()
    assert submission.state == Submission.State.IN_MODERATION
    assert submission.assessments.get().stage == Assessment.Stage.FIRST
    assert submission.award is None

    # A declared conflict of interest.
    assessor = get_user_model().objects.get(username=content.ASSESSOR)
    conflict = Conflict.objects.get(assessor=assessor)
    assert conflict.learner.username == "learner-conflict"

    # Made by the workflows: audited, with the e-mails they send queued and sent.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    for action in (
        "learning.enrol",
        "learning.waitlist",
        "learning.enrolment_settings",
        "learning.demonstration_save",
        "learning.evidence_add",
        "learning.demonstration_submit",
        "learning.attestation_request",
        "learning.attestation_answer",
        "learning.reflection_save",
        "learning.submit",
        "learning.assess",
        "learning.conflict_declare",
        "awards.accept",
    ):
        assert action in actions, action
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        "learning.enrolment",
        "learning.attestation_requested",
        "learning.attestation_answered",
        "learning.submission_returned",
        "learning.submission_decided",
    } <= kinds

    # No real people: learners at the demo's reserved domain, supervisors at example.org.
    for user in get_user_model().objects.filter(username__in=LEARNERS):
        assert user.email.endswith("@mosaics.test")


def test_the_assessor_queue_lists_the_waiting_submissions_oldest_first(client: Any) -> None:
    load_demo()
    waiting = Submission.objects.filter(state__in=Submission.OPEN_STATES).order_by("submitted_at")
    conflicted = waiting.filter(enrolment__learner__username="learner-conflict")
    assert conflicted.exists()
    expected = [str(s.uuid) for s in waiting.exclude(pk__in=conflicted)]
    assert len(expected) >= 3
    dates = [s.submitted_at.date() for s in waiting]
    assert len(set(dates)) == len(dates), "waiting for different numbers of days"

    client.login(email=f"{content.ASSESSOR}@mosaics.test", password="mosaics-demo")
    response = client.get(reverse("learning:queue"))
    assert response.status_code == 200
    shown = re.findall(r'href="/assess/([0-9a-f-]{36})"', response.content.decode())
    assert list(dict.fromkeys(shown)) == expected
    # The institution admin, with no conflict, sees the one the assessor may not.
    client.logout()
    client.login(email="tlc@mosaics.test", password="mosaics-demo")
    shown = re.findall(
        r'href="/assess/([0-9a-f-]{36})"', client.get(reverse("learning:queue")).content.decode()
    )
    assert str(conflicted.get().uuid) in shown


def test_every_demo_learner_sees_my_learning_and_their_pathway_pages(client: Any) -> None:
    load_demo()
    for username in LEARNERS:
        learner = get_user_model().objects.get(username=username)
        client.force_login(learner)
        response = client.get(reverse("learning:mine"))
        assert response.status_code == 200, username
        for enrolment in Enrolment.objects.filter(learner=learner).select_related(
            "micro_credential"
        ):
            title = enrolment.version.title
            assert title in response.content.decode(), (username, title)
            page = client.get(
                reverse("learning:enrolment", kwargs={"slug": enrolment.micro_credential.slug})
            )
            assert page.status_code == 200, (username, enrolment.micro_credential.slug)
        client.logout()


def test_the_generated_evidence_files_pass_the_upload_checks() -> None:
    from django.core.files.base import ContentFile

    _content, content_type, name, size = clean_evidence_file(
        ContentFile(pdf_bytes("Board brief", "Two pages (as presented)."), name="brief.pdf")
    )
    assert (content_type, name) == ("application/pdf", "brief.pdf")
    assert size > 0
    _content, content_type, name, size = clean_evidence_file(
        ContentFile(png_bytes(), name="chart.png")
    )
    assert (content_type, name) == ("image/png", "chart.png")
    assert size > 0
