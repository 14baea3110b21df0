"""Enrolment workflows (enrol, the waiting list, the window, withdraw, finishing, the staff's
settings) and the learner's journey (`mosaics.learning.progress.journey`)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.models import MicroCredential, Version
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.enrolment import (
    enrolment_enrol,
    enrolment_finish,
    enrolment_withdraw,
    micro_credential_enrolment_set,
    places_left,
    waitlist_fill,
)
from mosaics.learning.actions.submission import submission_checklist
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Demonstration,
    Enrolment,
    Reflection,
    Submission,
)
from mosaics.learning.progress import ASSESSMENT, ATTESTATION, REFLECTION, journey
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db

ENROLMENT_MAIL = "learning.enrolment"


def _state() -> tuple[Any, ...]:
    """What a refused workflow must leave as it was."""
    return (
        list(
            Enrolment.objects.values_list(
                "pk", "state", "version", "route", "requested_at"
            ).order_by("pk")
        ),
        list(Submission.objects.values_list("pk", "state").order_by("pk")),
        list(
            MicroCredential.objects.values_list(
                "pk", "capacity", "enrolment_opens", "enrolment_closes"
            ).order_by("pk")
        ),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _mails_to(user: Any) -> int:
    return Notification.objects.filter(kind=ENROLMENT_MAIL, recipient=user.email).count()


def _full(version: Version, capacity: int = 1) -> list[Any]:
    """Set `capacity` places and fill them with new learners."""
    MicroCredential.objects.filter(pk=version.micro_credential_id).update(capacity=capacity)
    version.micro_credential.refresh_from_db()
    learners = [f.UserFactory() for _ in range(capacity)]
    for learner in learners:
        b.enrolment(learner, version)
    return learners


@pytest.fixture
def version(world: Any) -> Version:
    return b.learning_version(world.issuer)


# --- enrol -------------------------------------------------------------------------------


def test_enrol_gives_a_place_audits_and_queues_the_mail(
    world: Any, version: Version, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_enrol(
            actor=world.learner, micro_credential=version.micro_credential, route="prior_learning"
        )
    assert enrolment.state == Enrolment.State.ACTIVE
    assert enrolment.version == version
    assert enrolment.route == "prior_learning"
    assert enrolment.enrolled_at is not None
    entry = AuditEntry.objects.get(action="learning.enrol")
    assert entry.actor == world.learner
    assert entry.organisation == world.business
    assert entry.data["route"] == "prior_learning"
    assert _mails_to(world.learner) == 1


def test_enrol_when_full_joins_the_waiting_list(world: Any, version: Version) -> None:
    _full(version, capacity=1)
    assert places_left(version.micro_credential) == 0
    enrolment = enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    assert enrolment.state == Enrolment.State.WAITLISTED
    assert enrolment.enrolled_at is None
    assert AuditEntry.objects.filter(action="learning.waitlist").count() == 1
    assert not AuditEntry.objects.filter(action="learning.enrol").exists()
    assert _mails_to(world.learner) == 1  # "you are on the waiting list"


def test_no_limit_means_everyone_gets_a_place(world: Any, version: Version) -> None:
    assert version.micro_credential.capacity is None
    assert places_left(version.micro_credential) is None
    for _ in range(3):
        enrolment = enrolment_enrol(
            actor=f.UserFactory(), micro_credential=version.micro_credential
        )
        assert enrolment.state == Enrolment.State.ACTIVE


@pytest.mark.parametrize(
    ("opens", "closes", "code", "words"),
    [
        (timedelta(days=1), None, "not_open", "opens on"),
        (None, timedelta(seconds=0), "closed", "has closed"),
        (None, -timedelta(days=1), "closed", "has closed"),
    ],
)
def test_enrol_outside_the_window_is_refused(
    world: Any, version: Version, opens: Any, closes: Any, code: str, words: str
) -> None:
    now = timezone.now()
    MicroCredential.objects.filter(pk=version.micro_credential_id).update(
        enrolment_opens=now + opens if opens is not None else None,
        enrolment_closes=now + closes if closes is not None else None,
    )
    micro_credential = MicroCredential.objects.get(pk=version.micro_credential_id)
    before = _state()
    with pytest.raises(LearningRefused, match=words) as refused:
        enrolment_enrol(actor=world.learner, micro_credential=micro_credential, now=now)
    assert refused.value.code == code
    assert _state() == before


def test_enrol_inside_the_window(world: Any, version: Version) -> None:
    now = timezone.now()
    MicroCredential.objects.filter(pk=version.micro_credential_id).update(
        enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=1)
    )
    micro_credential = MicroCredential.objects.get(pk=version.micro_credential_id)
    enrolment = enrolment_enrol(actor=world.learner, micro_credential=micro_credential, now=now)
    assert enrolment.state == Enrolment.State.ACTIVE


def test_enrol_in_a_design_never_published_is_refused(world: Any) -> None:
    draft = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    before = _state()
    with pytest.raises(LearningRefused, match="not open for enrolment"):
        enrolment_enrol(actor=world.learner, micro_credential=draft.micro_credential)
    assert _state() == before


def test_enrol_in_a_retired_micro_credential_is_refused(world: Any, version: Version) -> None:
    Version.objects.filter(pk=version.pk).update(state=Version.State.RETIRED)
    before = _state()
    with pytest.raises(LearningRefused, match="not open for enrolment"):
        enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    assert _state() == before


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("active", "already enrolled"),
        ("waitlisted", "already on the waiting list"),
        ("awarded", "already earned"),
    ],
)
def test_enrol_twice_is_refused(world: Any, version: Version, state: str, words: str) -> None:
    b.enrolment(world.learner, version, state=state)
    before = _state()
    with pytest.raises(LearningRefused, match=words):
        enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    assert _state() == before


def test_enrol_refuses_an_unknown_route_and_the_signed_out(world: Any, version: Version) -> None:
    from django.contrib.auth.models import AnonymousUser

    before = _state()
    with pytest.raises(LearningRefused, match="choose how"):
        enrolment_enrol(
            actor=world.learner, micro_credential=version.micro_credential, route="shortcut"
        )
    for actor in (None, AnonymousUser()):
        with pytest.raises(LearningRefused, match="sign in"):
            enrolment_enrol(actor=actor, micro_credential=version.micro_credential)
    assert _state() == before


# --- withdraw and enrol again -------------------------------------------------------------


def test_withdraw_and_enrol_again_keeps_the_work(world: Any, version: Version) -> None:
    enrolment = enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    competency = version.competencies.first()
    demo = b.demonstration(enrolment, competency, submitted=False)
    reflection = b.reflection(enrolment, submitted=False)

    enrolment_withdraw(actor=world.learner, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.WITHDRAWN
    assert enrolment.withdrawn_at is not None
    entry = AuditEntry.objects.get(action="learning.withdraw")
    assert entry.data == {"was": "active", "submissions_withdrawn": 0}

    # A new version is published meanwhile: the learner finishes what they started.
    Version.objects.filter(pk=version.pk).update(state=Version.State.SUPERSEDED)
    newer = f.VersionFactory(
        micro_credential=version.micro_credential, number=2, state=Version.State.PUBLISHED
    )
    again = enrolment_enrol(
        actor=world.learner, micro_credential=version.micro_credential, route="prior_learning"
    )
    assert again.pk == enrolment.pk
    assert again.state == Enrolment.State.ACTIVE
    assert again.withdrawn_at is None
    assert again.route == "prior_learning"
    assert again.version_id == version.pk != newer.pk
    assert list(again.demonstrations.all()) == [demo]
    assert list(again.reflections.all()) == [reflection]
    assert AuditEntry.objects.filter(action="learning.enrol").order_by("pk").last().data[
        "reopened_from"
    ] == ("withdrawn")


def test_enrolling_again_without_work_moves_to_the_published_version(
    world: Any, version: Version
) -> None:
    enrolment = b.enrolment(world.learner, version, state="not_met")
    Version.objects.filter(pk=version.pk).update(state=Version.State.SUPERSEDED)
    newer = f.VersionFactory(
        micro_credential=version.micro_credential, number=2, state=Version.State.PUBLISHED
    )
    again = enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    assert again.pk == enrolment.pk
    assert again.version_id == newer.pk


def test_withdraw_gives_the_place_to_the_longest_waiting(
    world: Any, version: Version, django_capture_on_commit_callbacks: Any
) -> None:
    [holder] = _full(version, capacity=1)
    micro_credential = version.micro_credential
    first, second = f.UserFactory(), f.UserFactory()
    now = timezone.now()
    enrolment_enrol(actor=first, micro_credential=micro_credential, now=now)
    enrolment_enrol(actor=second, micro_credential=micro_credential, now=now + timedelta(1))
    held = Enrolment.objects.get(learner=holder)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(actor=holder, enrolment=held)
    states = dict(Enrolment.objects.values_list("learner", "state"))
    assert states == {holder.pk: "withdrawn", first.pk: "active", second.pk: "waitlisted"}
    assert Enrolment.objects.get(learner=first).enrolled_at is not None
    promote = AuditEntry.objects.get(action="learning.waitlist_promote")
    assert promote.actor is None
    assert promote.target == f"learning.enrolment:{Enrolment.objects.get(learner=first).pk}"
    assert _mails_to(first) == 2  # waiting list, then the place
    assert _mails_to(second) == 1


def test_leaving_the_waiting_list_promotes_nobody(world: Any, version: Version) -> None:
    _full(version, capacity=1)
    first = enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    behind = enrolment_enrol(actor=f.UserFactory(), micro_credential=version.micro_credential)
    enrolment_withdraw(actor=world.learner, enrolment=first)
    behind.refresh_from_db()
    assert behind.state == Enrolment.State.WAITLISTED
    assert not AuditEntry.objects.filter(action="learning.waitlist_promote").exists()
    assert AuditEntry.objects.get(action="learning.withdraw").data["was"] == "waitlisted"


def test_withdraw_withdraws_the_open_submission(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    submission = b.submission(enrolment)
    enrolment_withdraw(actor=world.learner, enrolment=enrolment)
    submission.refresh_from_db()
    assert submission.state == Submission.State.WITHDRAWN
    assert submission.decided_at is not None
    assert AuditEntry.objects.get(action="learning.withdraw").data["submissions_withdrawn"] == 1
    # What was submitted stays frozen and kept.
    assert Demonstration.objects.filter(enrolment=enrolment, state="submitted").count() == 2


def test_only_the_learner_withdraws(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    before = _state()
    for person in ("assessor", "designer", "tlc_admin", "other_admin", "anonymous"):
        with pytest.raises(PermissionDenied):
            enrolment_withdraw(actor=world.people[person], enrolment=enrolment)
    with pytest.raises(PermissionDenied):
        enrolment_withdraw(actor=f.UserFactory(), enrolment=enrolment)
    assert _state() == before


@pytest.mark.parametrize("state", ["withdrawn", "awarded", "not_met"])
def test_withdraw_when_not_enrolled_is_refused(world: Any, version: Version, state: str) -> None:
    enrolment = b.enrolment(world.learner, version, state=state)
    before = _state()
    with pytest.raises(LearningRefused, match="nothing to withdraw"):
        enrolment_withdraw(actor=world.learner, enrolment=enrolment)
    assert _state() == before


# --- finishing ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["awarded", "not_met"])
def test_finishing_frees_the_place_for_the_waiting_list(
    world: Any, version: Version, state: str
) -> None:
    [holder] = _full(version, capacity=1)
    waiting = enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    enrolment = Enrolment.objects.get(learner=holder)
    award = f.award(version, email=holder.email) if state == "awarded" else None
    finished = enrolment_finish(enrolment=enrolment, state=state, award=award)
    assert finished.state == state
    assert finished.closed_at is not None
    assert finished.award == award
    waiting.refresh_from_db()
    assert waiting.state == Enrolment.State.ACTIVE
    assert _mails_to(world.learner) == 2


def test_finish_takes_only_a_final_state(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    with pytest.raises(ValueError):
        enrolment_finish(enrolment=enrolment, state="withdrawn")
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.ACTIVE


def test_waitlist_fill_is_a_no_op_without_free_places(world: Any, version: Version) -> None:
    _full(version, capacity=1)
    enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential)
    assert waitlist_fill(version.micro_credential) == []


# --- enrolment settings -------------------------------------------------------------------


def test_settings_are_saved_and_audited(world: Any, version: Version) -> None:
    now = timezone.now()
    micro_credential = micro_credential_enrolment_set(
        actor=world.designer,
        micro_credential=version.micro_credential,
        capacity=20,
        opens=now,
        closes=now + timedelta(days=30),
    )
    micro_credential.refresh_from_db()
    assert micro_credential.capacity == 20
    assert micro_credential.enrolment_opens == now
    assert micro_credential.enrolment_closes == now + timedelta(days=30)
    entry = AuditEntry.objects.get(action="learning.enrolment_settings")
    assert entry.actor == world.designer
    assert entry.organisation == world.business
    assert entry.data["capacity"] == 20
    assert entry.data["capacity_was"] is None
    assert entry.data["promoted"] == 0
    # Back to no limit and no window.
    micro_credential_enrolment_set(
        actor=world.tlc_admin,
        micro_credential=micro_credential,
        capacity=None,
        opens=None,
        closes=None,
    )
    micro_credential.refresh_from_db()
    assert (micro_credential.capacity, micro_credential.enrolment_opens) == (None, None)


def test_more_places_move_the_waiting_list_up_in_order(
    world: Any, version: Version, django_capture_on_commit_callbacks: Any
) -> None:
    _full(version, capacity=1)
    micro_credential = version.micro_credential
    now = timezone.now()
    waiting = [f.UserFactory() for _ in range(3)]
    for n, learner in enumerate(waiting):
        enrolment_enrol(actor=learner, micro_credential=micro_credential, now=now + timedelta(n))
    with django_capture_on_commit_callbacks(execute=True):
        micro_credential_enrolment_set(
            actor=world.designer,
            micro_credential=micro_credential,
            capacity=3,
            opens=None,
            closes=None,
        )
    states = [Enrolment.objects.get(learner=learner).state for learner in waiting]
    assert states == ["active", "active", "waitlisted"]
    assert AuditEntry.objects.get(action="learning.enrolment_settings").data["promoted"] == 2
    assert [_mails_to(learner) for learner in waiting] == [2, 2, 1]
    # No limit: everyone waiting gets in.
    micro_credential_enrolment_set(
        actor=world.designer,
        micro_credential=micro_credential,
        capacity=None,
        opens=None,
        closes=None,
    )
    assert not Enrolment.objects.filter(state="waitlisted").exists()


def test_fewer_places_remove_nobody(world: Any, version: Version) -> None:
    _full(version, capacity=3)
    micro_credential_enrolment_set(
        actor=world.designer,
        micro_credential=version.micro_credential,
        capacity=1,
        opens=None,
        closes=None,
    )
    assert Enrolment.objects.filter(state="active").count() == 3
    assert places_left(MicroCredential.objects.get(pk=version.micro_credential_id)) == 0
    assert (
        enrolment_enrol(actor=world.learner, micro_credential=version.micro_credential).state
        == Enrolment.State.WAITLISTED
    )


@pytest.mark.parametrize(
    "person", ["learner", "assessor", "reviewer", "endorser", "other_admin", "other_designer"]
)
def test_settings_only_by_the_issuers_designers_and_admins(
    world: Any, version: Version, person: str
) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        micro_credential_enrolment_set(
            actor=world.people[person],
            micro_credential=version.micro_credential,
            capacity=5,
            opens=None,
            closes=None,
        )
    assert _state() == before


@pytest.mark.parametrize(
    ("capacity", "opens", "closes", "words"),
    [
        (-1, None, None, "negative"),
        (None, 1, 0, "close after it opens"),
        (None, 1, 1, "close after it opens"),
    ],
)
def test_settings_refuse_bad_values(
    world: Any, version: Version, capacity: Any, opens: Any, closes: Any, words: str
) -> None:
    now = timezone.now()
    before = _state()
    with pytest.raises(LearningRefused, match=words):
        micro_credential_enrolment_set(
            actor=world.designer,
            micro_credential=version.micro_credential,
            capacity=capacity,
            opens=now + timedelta(days=opens) if opens is not None else None,
            closes=now + timedelta(days=closes) if closes is not None else None,
        )
    assert _state() == before


# --- concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_learners_asking_for_the_last_place_get_one_place() -> None:
    """Four learners press Enrol at once for the one place left: the micro-credential's row
    lock counts the places one at a time, so one gets it and three wait."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    version = b.learning_version()
    MicroCredential.objects.filter(pk=version.micro_credential_id).update(capacity=1)
    micro_credential = MicroCredential.objects.get(pk=version.micro_credential_id)
    learners = [f.UserFactory() for _ in range(4)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def enrol(learner: Any) -> None:
        try:
            barrier.wait()
            enrolment_enrol(actor=learner, micro_credential=micro_credential)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = sorted(Enrolment.objects.values_list("state", flat=True))
    assert states == ["active", "waitlisted", "waitlisted", "waitlisted"]
    assert AuditEntry.objects.filter(action="learning.enrol").count() == 1
    assert AuditEntry.objects.filter(action="learning.waitlist").count() == 3


# --- the journey --------------------------------------------------------------------------


def _score(submission: Submission, decision: str, levels: dict[Any, int], **kw: Any) -> Assessment:
    """An assessment of `submission` with the level at `levels[competency]` (0 = lowest)."""
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=kw.pop("assessor", None),
        decision=decision,
        feedback=kw.pop("feedback", ""),
        **kw,
    )
    for competency, position in levels.items():
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=competency.levels.get(position=position),
            feedback=f"About {competency.statement}",
        )
    return assessment


def test_journey_of_a_new_enrolment(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    result = journey(enrolment)
    competencies = list(version.competencies.order_by("position", "id"))
    assert [step.competency for step in result.steps] == competencies
    first = result.steps[0]
    assert first.number == 1
    assert first.criterion == competencies[0].demonstration
    assert [level.name for level in first.levels] == ["Beginning", "Proficient", "Exemplary"]
    assert [level.passes for level in first.levels] == [False, True, True]
    assert first.passing_level == competencies[0].passing_level
    assert (first.draft, first.submitted, first.status) == (None, None, "missing")
    assert first.attestation_state == ATTESTATION.NONE
    assert first.assessment_state == ASSESSMENT.NONE
    assert result.reflection_state == REFLECTION.NONE
    assert result.open_submission is None
    assert result.past_submissions == []
    assert result.latest_decision is None
    assert result.remains == [
        f"Demonstrate “{competencies[0].statement}”",
        f"Demonstrate “{competencies[1].statement}”",
        "Write your reflection",
        "Submit for assessment",
    ]
    assert result.can_submit is False


def test_journey_when_everything_is_ready(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    b.demonstration(enrolment, first)  # submitted
    draft = b.demonstration(enrolment, second, submitted=False)
    b.reflection(enrolment, submitted=False)
    result = journey(enrolment)
    assert [step.status for step in result.steps] == ["ready", "draft"]
    assert result.steps[1].draft == draft
    assert result.steps[1].candidate == draft
    assert result.steps[0].submitted.item_count == 1
    assert result.reflection_state == REFLECTION.DRAFT
    assert result.reflection_ready
    assert result.remains == ["Submit for assessment"]
    assert result.can_submit


def test_journey_lists_what_is_incomplete(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    demo = b.demonstration(enrolment, first, submitted=False)
    Demonstration.objects.filter(pk=demo.pk).update(setting_organisation="")
    reflection = b.reflection(enrolment, submitted=False)
    reflection.answers.filter(prompt__position=1).update(answer="  ")
    result = journey(enrolment)
    assert result.steps[0].status == "incomplete"
    assert result.remains == [
        f"Finish your demonstration of “{first.statement}”",
        f"Demonstrate “{second.statement}”",
        "Finish your reflection",
        "Submit for assessment",
    ]
    # Prior learning needs no setting.
    Enrolment.objects.filter(pk=enrolment.pk).update(route="prior_learning")
    enrolment.refresh_from_db()
    assert journey(enrolment).steps[0].status == "draft"


def test_journey_while_waiting_for_assessment(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    submission = b.submission(enrolment)
    demo = submission.demonstrations.order_by("competency__position").first()
    now = timezone.now()
    Attestation.objects.create(
        demonstration=demo,
        supervisor_name="Pat Supervisor",
        supervisor_email="pat@example.org",
        nonce="n1",
        token_hash="h1",
        state="confirmed",
        requested_at=now - timedelta(days=2),
        expires_at=now + timedelta(days=5),
    )
    Attestation.objects.create(
        demonstration=demo,
        supervisor_name="Cancelled later",
        supervisor_email="later@example.org",
        nonce="n2",
        token_hash="h2",
        state="cancelled",
        requested_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=5),
    )
    result = journey(enrolment)
    assert result.open_submission == submission
    assert result.submissions == [submission]
    assert [step.assessment_state for step in result.steps] == [ASSESSMENT.WAITING] * 2
    assert all(step.in_open_submission for step in result.steps)
    assert result.steps[0].attestation_state == ATTESTATION.CONFIRMED
    assert result.steps[0].attestation.supervisor_name == "Pat Supervisor"
    assert result.steps[1].attestation_state == ATTESTATION.NONE
    assert result.reflection_state == REFLECTION.SUBMITTED
    assert result.remains == []
    assert not result.can_submit


@pytest.mark.parametrize(
    ("state", "expires", "expected"),
    [
        ("requested", timedelta(days=3), ATTESTATION.REQUESTED),
        ("requested", -timedelta(seconds=1), ATTESTATION.EXPIRED),
        ("disputed", timedelta(days=3), ATTESTATION.DISPUTED),
    ],
)
def test_journey_attestation_states(
    world: Any, version: Version, state: str, expires: Any, expected: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    demo = b.demonstration(enrolment, version.competencies.first())
    Attestation.objects.create(
        demonstration=demo,
        supervisor_name="Pat",
        supervisor_email="pat@example.org",
        nonce="n",
        token_hash="h",
        state=state,
        expires_at=timezone.now() + expires,
    )
    assert journey(enrolment).steps[0].attestation_state == expected


def test_journey_after_a_return_for_revision(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    submission = b.submission(enrolment, state="returned")
    _score(
        submission,
        "revise",
        {first: 2, second: 0},
        assessor=world.assessor,
        feedback="Show the data cleaning.",
    )
    result = journey(enrolment)
    assert result.latest_decision == submission
    assert result.latest_assessment.feedback == "Show the data cleaning."
    assert result.past_submissions == [submission]
    one, two = result.steps
    assert (one.assessment_state, one.score.level.name, one.needs_revision) == (
        ASSESSMENT.MET,
        "Exemplary",
        False,
    )
    assert (two.assessment_state, two.score.level.name, two.needs_revision) == (
        ASSESSMENT.TO_REVISE,
        "Beginning",
        True,
    )
    assert two.assessed == two.submitted
    assert result.remains == [
        f"Revise your demonstration of “{second.statement}”",
        "Submit for assessment",
    ]
    # The frozen reflection and demonstrations may go forward again (revising is advice).
    assert result.can_submit

    # The learner starts a new version: no longer "to revise" in what remains.
    b.demonstration(enrolment, second, submitted=False, number=2)
    result = journey(enrolment)
    two = result.steps[1]
    assert two.needs_revision is False
    assert two.assessment_state == ASSESSMENT.TO_REVISE  # what the assessors said stands
    assert two.draft.number == 2
    assert result.remains == ["Submit for assessment"]


def test_journey_reads_the_moderators_decision(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version, state="not_met")
    first, second = version.competencies.order_by("position", "id")
    submission = b.submission(enrolment, state="not_met")
    _score(submission, "meets", {first: 1, second: 1}, assessor=world.assessor)
    moderator = f.UserFactory()
    _score(
        submission,
        "not_met",
        {first: 1, second: 0},
        assessor=moderator,
        stage="moderation",
        feedback="Not enough evidence.",
    )
    result = journey(enrolment)
    assert result.latest_assessment.assessor == moderator
    assert [step.assessment_state for step in result.steps] == [
        ASSESSMENT.MET,
        ASSESSMENT.NOT_MET,
    ]
    # The enrolment is closed: nothing to do until the learner enrols again.
    assert result.remains == []
    assert not result.can_submit


def test_journey_is_empty_of_tasks_for_the_waiting_list(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version, state="waitlisted")
    result = journey(enrolment)
    assert result.remains == []
    assert not result.can_submit
    assert len(result.steps) == 2


def _progress_through_three_attempts(enrolment: Enrolment, assessor: Any) -> None:
    competencies = list(enrolment.version.competencies.all())
    for number in (1, 2):
        submission = b.submission(enrolment, state="returned", number=number)
        _score(submission, "revise", dict.fromkeys(competencies, 0), assessor=assessor)
    for competency in competencies:
        b.demonstration(enrolment, competency, submitted=False, number=3)
    b.reflection(enrolment, submitted=False, number=3)


def test_journey_reads_in_a_fixed_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    small = b.learning_version(world.issuer, competencies=1)
    large = b.learning_version(world.issuer, competencies=6)
    counts = []
    for version in (small, large):
        enrolment = b.enrolment(world.learner, version)
        _progress_through_three_attempts(enrolment, world.assessor)
        enrolment = Enrolment.objects.select_related("version").get(pk=enrolment.pk)
        with django_assert_max_num_queries(12) as captured:
            result = journey(enrolment)
            for step in result.steps:  # everything the page reads
                _ = (step.levels, step.attestation_label, step.score, step.candidate)
        counts.append(len(captured.captured_queries))
        assert len(result.steps) == version.competencies.count()
    assert counts[0] == counts[1]


@pytest.mark.parametrize("scenario", ["new", "partial", "drafts", "submitted", "returned", "open"])
def test_journey_agrees_with_the_submission_checklist(
    world: Any, version: Version, scenario: str
) -> None:
    """`can_submit` is what `submission_submit` would accept (its checklist)."""
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    if scenario == "partial":
        b.demonstration(enrolment, first, submitted=False)
        b.reflection(enrolment, submitted=False)
    elif scenario == "drafts":
        b.demonstration(enrolment, first, submitted=False)
        b.demonstration(enrolment, second)
        b.reflection(enrolment, submitted=False)
    elif scenario == "submitted":
        b.demonstration(enrolment, first)
        b.demonstration(enrolment, second)
        reflection = b.reflection(enrolment, submitted=False)
        reflection.answers.update(answer="")
    elif scenario == "returned":
        submission = b.submission(enrolment, state="returned")
        _score(submission, "revise", {first: 0, second: 2})
    elif scenario == "open":
        b.submission(enrolment)
    checklist = submission_checklist(enrolment)
    assert journey(enrolment).can_submit == checklist.ready


def test_reflection_versions_the_latest_counts(world: Any, version: Version) -> None:
    enrolment = b.enrolment(world.learner, version)
    b.reflection(enrolment, number=1)
    draft = b.reflection(enrolment, number=2, submitted=False)
    result = journey(enrolment)
    assert result.reflection == draft
    assert result.reflection_state == REFLECTION.DRAFT
    assert Reflection.objects.filter(enrolment=enrolment).count() == 2
