"""assessment_record: scores, decisions, moderation, the award it makes, and who may not
assess; conflicts of interest."""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.awards.actions import MAX_EVIDENCE
from mosaics.awards.models import Award
from mosaics.issuance.models import SigningKey
from mosaics.learning import notifications
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.assessment import (
    assessment_record,
    conflict_declare,
    conflict_withdraw,
)
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Conflict,
    EvidenceItem,
    Submission,
)
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b

# --- helpers ------------------------------------------------------------------------------


def _levels(competency: Any) -> list[Any]:
    return list(competency.levels.order_by("position", "pk"))


def scores(
    version: Any, level: int = 1, overrides: dict[int, Any] | None = None
) -> dict[int, tuple[int, str]]:
    """Every competency scored at its `level`-th rubric level (1: the passing one)."""
    result = {
        c.pk: (_levels(c)[level].pk, f"Feedback on {c.statement}")
        for c in version.competencies.order_by("position", "pk")
    }
    result.update(overrides or {})
    return result


def assess(actor: Any, submission: Submission, decision: str = "meets", **kwargs: Any) -> Any:
    version = submission.enrolment.version
    kwargs.setdefault("scores", scores(version))
    kwargs.setdefault("feedback", "" if decision == "meets" else "Say more about the data.")
    return assessment_record(actor=actor, submission=submission, decision=decision, **kwargs)


def notified(submission: Submission) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(target=f"learning.submission:{submission.pk}")
        .order_by("pk")
        .values_list("kind", "recipient")
    )


def audited(action: str = "learning.assess") -> list[dict[str, Any]]:
    return [e.data for e in AuditEntry.objects.filter(action=action).order_by("pk")]


def nothing_changed(submission: Submission, state: str = "submitted", assessments: int = 0) -> None:
    """Nothing but the `assessments` there were before: no award, audit entry or e-mail."""
    submission.refresh_from_db()
    assert submission.state == state
    assert submission.award is None
    assert Award.objects.count() == 0
    assert Assessment.objects.filter(submission=submission).count() == assessments
    assert len(audited()) == assessments
    assert notified(submission) == []


@pytest.fixture
def version(world: Any) -> Any:
    return b.learning_version(world.issuer)


@pytest.fixture
def submission(world: Any, version: Any) -> Submission:
    return b.submission(b.enrolment(world.learner, version))


def _attest(demonstration: Any, state: str = "confirmed", **fields: Any) -> Attestation:
    now = timezone.now()
    return Attestation.objects.create(
        demonstration=demonstration,
        supervisor_name=fields.pop("name", "Dana Supervisor"),
        supervisor_email="dana@example.org",
        supervisor_role=fields.pop("role", "Team lead"),
        state=state,
        nonce=secrets.token_hex(16),
        token_hash=secrets.token_hex(32),
        expires_at=now + timedelta(days=14),
        answered_at=now if state != "requested" else None,
        **fields,
    )


# --- meets: the award -------------------------------------------------------------------------


def test_meets_awards_the_credential_with_the_evidence_the_learner_chose(
    world, version, submission, django_capture_on_commit_callbacks
):
    first, second = submission.demonstrations.order_by("competency__position")
    second.items.update(visibility="private")
    EvidenceItem.objects.create(
        demonstration=first,
        position=1,
        kind="link",
        title="Notes for the assessor only",
        url="https://example.org/secret",
        visibility="excluded",
    )
    first.setting_start = timezone.localdate() - timedelta(days=60)
    first.setting_end = timezone.localdate() - timedelta(days=30)
    first.save()
    _attest(first, name="Dana Supervisor", role="Team lead")
    _attest(second, state="disputed", name="Sam Other")
    world.learner.legal_name = "Alexandra Learner"
    world.learner.save()

    with django_capture_on_commit_callbacks():
        assessment = assess(world.assessor, submission)

    submission.refresh_from_db()
    assert submission.state == "met"
    assert submission.decided_at is not None
    award = Award.objects.get()
    assert submission.award == award
    assert award.source == "assessment"
    assert award.learner == world.learner
    assert award.recipient_name == "Alexandra Learner"
    assert award.awarded_by == world.assessor
    assert award.narrative == "I learned to turn raw data into a decision."
    enrolment = submission.enrolment
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.award) == ("awarded", award)

    evidence = list(award.evidence.order_by("position"))
    assert [e.name for e in evidence] == [
        f"{first.competency.statement} — Project report",
        f"{second.competency.statement} — Project report",
    ]
    assert [e.private for e in evidence] == [False, True]
    assert all("secret" not in e.url and "assessor only" not in e.name for e in evidence)
    assert evidence[0].url == "https://example.org/report"
    assert evidence[0].genre == "link"
    assert first.narrative in evidence[0].narrative
    assert "At Prairie Analytics, as Analyst intern" in evidence[0].narrative
    assert "Confirmed by their workplace supervisor (Team lead)." in evidence[0].narrative
    assert "Confirmed" not in evidence[1].narrative  # disputed: not claimed
    credential_evidence = award.credential["evidence"]
    assert len(credential_evidence) == 2
    # The supervisors never agreed to be named in the learner's (publishable) credential.
    for private in ("Dana", "dana@example.org", "Sam Other"):
        assert private not in json.dumps(award.credential)
        assert all(private not in e.narrative for e in evidence)

    results = {r.competency_id: r.level_id for r in award.results.all()}
    assert results == {c: level for c, (level, _) in scores(version).items()}
    assert assessment.stage == "first"
    assert assessment.decision == "meets"
    assert CompetencyScore.objects.filter(assessment=assessment).count() == 2
    assert audited() == [
        {
            "assessment": assessment.pk,
            "decision": "meets",
            "stage": "first",
            "state": "met",
            "results": {str(c): level for c, (level, _) in scores(version).items()},
            "award": award.pk,
        }
    ]
    assert notified(submission) == [(notifications.SUBMISSION_DECIDED, world.learner.email)]
    assert AuditEntry.objects.filter(action="awards.issue").count() == 1


def test_a_confirmation_without_a_role_names_nobody(world, version, submission):
    first = submission.demonstrations.order_by("competency__position").first()
    _attest(first, name="Dana Supervisor", role="")
    assess(world.assessor, submission)
    award = Award.objects.get()
    narrative = award.evidence.order_by("position").first().narrative
    assert narrative.endswith("Confirmed by their workplace supervisor.")
    assert "Dana" not in json.dumps(award.credential)


@pytest.mark.parametrize(
    ("names", "recipient"),
    [
        ({"display_name": "Jo", "first_name": "Joanna", "last_name": "Doe"}, "Jo"),
        ({"first_name": "Joanna", "last_name": "Doe"}, "Joanna Doe"),
        ({}, ""),
    ],
    ids=["display-name", "full-name", "no-name"],
)
def test_the_award_never_names_the_learner_by_their_user_name(world, version, names, recipient):
    learner = f.UserFactory(
        username="jane.doe.1987",
        email="jane.doe.1987@example.org",
        **{"first_name": "", "last_name": "", **names},
    )
    submission = b.submission(b.enrolment(learner, version))
    assess(world.assessor, submission)
    award = Award.objects.get()
    assert award.recipient_name == recipient
    assert "jane.doe" not in json.dumps(award.credential).replace(learner.email, "")


def test_many_items_are_combined_per_demonstration_and_an_unshared_summary_stays_out(
    world, version
):
    enrolment = b.enrolment(world.learner, version)
    submission = b.submission(enrolment)
    submission.reflection.share_summary = False
    submission.reflection.save()
    first, second = submission.demonstrations.order_by("competency__position")
    for n in range(MAX_EVIDENCE):  # 22 items in all
        EvidenceItem.objects.create(
            demonstration=first,
            position=n + 1,
            kind="link",
            title=f"Extra {n}",
            description=f"About extra {n}",
            url=f"https://example.org/extra/{n}",
            visibility="private" if n == 3 else "public",
        )
    EvidenceItem.objects.create(
        demonstration=second,
        position=5,
        kind="link",
        title="Hidden",
        url="https://e.org/h",
        visibility="excluded",
    )

    assess(world.assessor, submission)

    award = Award.objects.get()
    assert award.narrative == ""
    evidence = list(award.evidence.order_by("position"))
    assert [e.name for e in evidence] == [first.competency.statement, second.competency.statement]
    assert evidence[0].url == "https://example.org/report"  # its first item's
    assert "Extra 19: About extra 19" in evidence[0].description
    assert evidence[0].private is True  # one of its items is private
    assert evidence[1].private is False
    assert "Hidden" not in evidence[1].description


def test_excluded_items_stay_out_and_addresses_are_what_the_credential_takes(world, version):
    submission = b.submission(b.enrolment(world.learner, version))
    first, second = submission.demonstrations.order_by("competency__position")
    first.items.update(visibility="excluded")
    second.items.update(url="HTTPS://example.org/Report")
    EvidenceItem.objects.create(  # an address no verifier fetches: the item goes, unlinked
        demonstration=second, position=1, kind="link", title="Archive", url="ftp://e.org/a"
    )
    assess(world.assessor, submission)
    evidence = list(Award.objects.get().evidence.order_by("position"))
    assert [(e.name.split(" — ")[1], e.url) for e in evidence] == [
        ("Project report", "https://example.org/Report"),
        ("Archive", ""),
    ]


def test_an_award_that_cannot_be_made_records_nothing(world, version, submission):
    SigningKey.objects.filter(issuer=world.issuer).update(retired_at=timezone.now())
    with pytest.raises(LearningRefused, match="no usable signing key"):
        assess(world.assessor, submission)
    nothing_changed(submission)
    assert Assessment.objects.count() == 0
    submission.enrolment.refresh_from_db()
    assert submission.enrolment.state == "active"


# --- revise and not met ---------------------------------------------------------------------


def test_revise_returns_it_to_the_learner(world, version, submission):
    assessment = assess(world.assessor, submission, "revise", scores=scores(version, level=0))
    submission.refresh_from_db()
    assert submission.state == "returned"
    assert submission.decided_at is not None
    assert assessment.feedback == "Say more about the data."
    assert notified(submission) == [(notifications.SUBMISSION_RETURNED, world.learner.email)]
    assert Award.objects.count() == 0
    submission.enrolment.refresh_from_db()
    assert submission.enrolment.state == "active"
    assert [(d["decision"], d["stage"], d["state"]) for d in audited()] == [
        ("revise", "first", "returned")
    ]


def test_not_met_closes_the_enrolment(world, version, submission):
    assess(world.assessor, submission, "not_met", scores=scores(version, level=0))
    submission.refresh_from_db()
    assert submission.state == "not_met"
    submission.enrolment.refresh_from_db()
    assert submission.enrolment.state == "not_met"
    assert submission.enrolment.closed_at is not None
    assert notified(submission) == [(notifications.SUBMISSION_DECIDED, world.learner.email)]
    assert Award.objects.count() == 0


@pytest.mark.parametrize("decision", ["revise", "not_met"])
def test_returning_or_not_meeting_needs_feedback(world, version, submission, decision):
    with pytest.raises(LearningRefused, match="what to improve"):
        assess(world.assessor, submission, decision, feedback="   ")
    nothing_changed(submission)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "conflicted", "other_admin", "designer", "reviewer"])
def test_who_may_not_assess(world, version, submission, who):
    if who == "learner":  # even with an assessor's role
        f.MembershipFactory(user=world.learner, organisation=world.business, role="assessor")
        actor = world.learner
    elif who == "conflicted":
        Conflict.objects.create(assessor=world.assessor, learner=world.learner)
        actor = world.assessor
    else:
        actor = world.people[who]
    with pytest.raises(PermissionDenied):
        assess(actor, submission)
    nothing_changed(submission)


def test_institution_admins_assess_for_their_schools(world, version, submission):
    assess(world.tlc_admin, submission, "revise")
    submission.refresh_from_db()
    assert submission.state == "returned"


def test_meets_needs_every_level_at_or_above_passing(world, version, submission):
    competencies = list(version.competencies.order_by("position", "pk"))
    low = {competencies[1].pk: (_levels(competencies[1])[0].pk, "")}
    with pytest.raises(LearningRefused, match=re.escape(competencies[1].statement)) as refused:
        assess(world.assessor, submission, scores=scores(version, overrides=low))
    assert competencies[0].statement not in str(refused.value)
    nothing_changed(submission)
    # The top level passes too.
    assess(world.assessor, submission, "revise", scores=scores(version, level=2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing", "Not scored"),
        ("other_competency_level", "not one of its rubric levels"),
        ("unknown_competency", "not part of this micro-credential"),
        ("nonsense_level", "not one of its rubric levels"),
        ("huge_level", "not one of its rubric levels"),
        ("nonsense_competency", "not part of this micro-credential"),
        ("decision", "Choose a decision"),
    ],
)
def test_bad_scores_are_refused_in_words(world, version, submission, change, message):
    first, second = version.competencies.order_by("position", "pk")
    given: dict[Any, Any] = scores(version)
    decision = "meets"
    if change == "missing":
        del given[second.pk]
    elif change == "other_competency_level":
        given[second.pk] = (_levels(first)[1].pk, "")
    elif change == "unknown_competency":
        other = b.learning_version(world.issuer)
        given[other.competencies.first().pk] = (1, "")
    elif change == "nonsense_level":
        given[second.pk] = ("abc", "")
    elif change == "huge_level":
        given[second.pk] = (2**80, "")
    elif change == "nonsense_competency":
        given["x"] = (1, "")
    else:
        decision = "maybe"
    with pytest.raises(LearningRefused, match=message):
        assessment_record(
            actor=world.assessor, submission=submission, scores=given, decision=decision
        )
    nothing_changed(submission)


@pytest.mark.parametrize("state", ["returned", "met", "not_met", "withdrawn"])
def test_a_decided_submission_is_not_assessed_again(world, version, state):
    submission = b.submission(b.enrolment(world.learner, version), state=state)
    with pytest.raises(LearningRefused, match="already been decided"):
        assess(world.assessor, submission)
    nothing_changed(submission, state)


def test_a_stage_assessed_already_is_refused_not_a_server_error(world, version, submission):
    # A first assessment recorded while the submission still waits (data from elsewhere):
    # the database's constraint answers, in words.
    Assessment.objects.create(
        submission=submission, stage="first", assessor=world.tlc_admin, decision="meets"
    )
    with pytest.raises(LearningRefused, match="already been assessed"):
        assess(world.assessor, submission)
    assert Assessment.objects.count() == 1
    assert audited() == []


# --- moderation -------------------------------------------------------------------------------


@pytest.fixture
def moderated(world: Any) -> Submission:
    version = b.learning_version(world.issuer, second_assessor_required=True)
    return b.submission(b.enrolment(world.learner, version))


def test_moderation_first_meets_waits_then_second_meets_awards(world, moderated):
    first = assess(world.assessor, moderated)
    moderated.refresh_from_db()
    assert moderated.state == "in_moderation"
    assert moderated.decided_at is None
    assert Award.objects.count() == 0
    assert notified(moderated) == []
    assert [(d["decision"], d["stage"], d["state"]) for d in audited()] == [
        ("meets", "first", "in_moderation")
    ]

    # The first assessor cannot moderate their own decision.
    with pytest.raises(PermissionDenied):
        assess(world.assessor, moderated)
    assert Assessment.objects.count() == 1

    version = moderated.enrolment.version
    second = assess(world.tlc_admin, moderated, scores=scores(version, level=2))
    moderated.refresh_from_db()
    assert moderated.state == "met"
    assert second.stage == "moderation"
    award = Award.objects.get()
    assert moderated.award == award
    assert award.awarded_by == world.tlc_admin
    # The results are the moderator's (the decisive assessment).
    assert {r.competency_id: r.level_id for r in award.results.all()} == {
        c: level for c, (level, _) in scores(version, level=2).items()
    }
    assert first.decision == "meets"
    assert notified(moderated) == [(notifications.SUBMISSION_DECIDED, world.learner.email)]


@pytest.mark.parametrize(("decision", "state"), [("revise", "returned"), ("not_met", "not_met")])
def test_a_moderator_overturns_meets(world, moderated, decision, state):
    assess(world.assessor, moderated)
    assess(world.tlc_admin, moderated, decision)
    moderated.refresh_from_db()
    assert moderated.state == state
    assert Award.objects.count() == 0
    assert [d["stage"] for d in audited()] == ["first", "moderation"]
    kind = (
        notifications.SUBMISSION_RETURNED
        if state == "returned"
        else notifications.SUBMISSION_DECIDED
    )
    assert notified(moderated) == [(kind, world.learner.email)]


def test_with_moderation_a_first_revise_is_final(world, moderated):
    assess(world.assessor, moderated, "revise")
    moderated.refresh_from_db()
    assert moderated.state == "returned"


# --- two assessors at once --------------------------------------------------------------------


def _with_role(world: Any) -> Any:
    person = f.UserFactory(username="assessor2")
    f.MembershipFactory(user=person, organisation=world.business, role="assessor")
    return person


def test_two_assessors_one_after_the_other_make_one_award(world, version, submission):
    other = _with_role(world)
    assess(world.assessor, submission)
    with pytest.raises(LearningRefused, match="already been decided"):
        assess(other, submission)
    assert Award.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert len(audited()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_assessors_approving_at_the_same_moment_make_one_award(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    version = b.learning_version(world.issuer)
    submission = b.submission(b.enrolment(world.learner, version))
    assessors = [world.assessor, _with_role(world)]
    barrier = threading.Barrier(len(assessors))
    made: list[int] = []
    refused: list[BaseException] = []
    errors: list[BaseException] = []

    def approve(person: Any) -> None:
        try:
            barrier.wait()
            made.append(assess(person, submission).pk)
        except LearningRefused as exc:
            refused.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(person,)) for person in assessors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) == 1
    assert len(refused) == 1
    assert "already been decided" in str(refused[0])
    submission.refresh_from_db()
    assert submission.state == "met"
    assert Award.objects.count() == 1
    assert submission.award == Award.objects.get()
    assert list(Assessment.objects.values_list("pk", flat=True)) == made
    assert AuditEntry.objects.filter(action="learning.assess").count() == 1
    assert AuditEntry.objects.filter(action="awards.issue").count() == 1


# --- conflicts of interest --------------------------------------------------------------------


def test_conflicts_are_declared_once_and_withdrawn(world):
    conflict = conflict_declare(actor=world.assessor, learner=world.learner, reason="My niece")
    again = conflict_declare(actor=world.assessor, learner=world.learner, reason="Other")
    assert again.pk == conflict.pk
    assert Conflict.objects.get().reason == "My niece"
    assert audited("learning.conflict_declare") == [{"learner": world.learner.pk}]

    with pytest.raises(PermissionDenied):
        conflict_withdraw(actor=world.tlc_admin, conflict=conflict)
    assert Conflict.objects.count() == 1
    assert audited("learning.conflict_withdraw") == []

    conflict_withdraw(actor=world.assessor, conflict=conflict)
    assert Conflict.objects.count() == 0
    assert audited("learning.conflict_withdraw") == [{"learner": world.learner.pk}]


def test_conflicts_need_an_assessor_and_someone_else(world):
    for person in ("learner", "designer", "endorser"):
        with pytest.raises(PermissionDenied):
            conflict_declare(actor=world.people[person], learner=world.learner)
    with pytest.raises(LearningRefused, match="yourself"):
        conflict_declare(actor=world.assessor, learner=world.assessor)
    with pytest.raises(LearningRefused, match="too long"):
        conflict_declare(actor=world.assessor, learner=world.learner, reason="x" * 301)
    assert Conflict.objects.count() == 0
    assert audited("learning.conflict_declare") == []
