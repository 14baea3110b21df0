"""Submitting for assessment, withdrawing, and the route (standard or prior learning)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from mosaics.audit.models import AuditEntry
from mosaics.learning.actions import submission as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.submission import (
    enrolment_route_set,
    submission_submit,
    submission_withdraw,
)
from mosaics.learning.models import (
    Assessment,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b


@pytest.fixture
def setup(world: Any) -> Any:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    return version, enrolment, list(version.competencies.all())


def _ready(enrolment: Any, competencies: list[Any], *, reflection: bool = True) -> None:
    """Draft demonstrations of every competency (and a draft reflection)."""
    for competency in competencies:
        b.demonstration(enrolment, competency, submitted=False)
    if reflection:
        b.reflection(enrolment, submitted=False)


def _snapshot(enrolment: Any) -> Any:
    return (
        list(
            Submission.objects.filter(enrolment=enrolment)
            .order_by("number")
            .values_list("number", "state", "route")
        ),
        list(
            Demonstration.objects.filter(enrolment=enrolment)
            .order_by("pk")
            .values_list("pk", "state", "submitted_at")
        ),
        list(
            Reflection.objects.filter(enrolment=enrolment)
            .order_by("pk")
            .values_list("pk", "state", "submitted_at")
        ),
        Enrolment.objects.filter(pk=enrolment.pk).values_list("state", "route").get(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _refused(enrolment: Any, actor: Any = None) -> list[str]:
    before = _snapshot(enrolment)
    with pytest.raises(LearningRefused) as refused:
        submission_submit(actor=actor or enrolment.learner, enrolment=enrolment)
    assert _snapshot(enrolment) == before
    return list(refused.value.messages)


# --- submitting ------------------------------------------------------------------------------


def test_submitting_freezes_the_drafts_and_puts_them_forward(world: Any, setup: Any) -> None:
    _version, enrolment, competencies = setup
    _ready(enrolment, competencies)

    submission = submission_submit(actor=world.learner, enrolment=enrolment)

    assert (submission.number, submission.state, submission.route) == (1, "submitted", "standard")
    demos = list(Demonstration.objects.filter(enrolment=enrolment))
    assert {demo.state for demo in demos} == {"submitted"}
    assert all(demo.submitted_at is not None for demo in demos)
    assert set(submission.demonstrations.all()) == set(demos)
    reflection = Reflection.objects.get(enrolment=enrolment)
    assert reflection.state == "submitted"
    assert reflection.submitted_at is not None
    assert submission.reflection == reflection
    entry = AuditEntry.objects.get(action="learning.submit")
    assert entry.actor == world.learner
    assert entry.target == f"learning.submission:{submission.pk}"
    assert entry.organisation == world.business
    assert sorted(entry.data["frozen"]) == sorted(demo.pk for demo in demos)
    assert entry.data["reflection_frozen"] is True


def test_submission_without_reflection_is_refused_and_nothing_changes(
    world: Any, setup: Any
) -> None:
    _, enrolment, competencies = setup
    _ready(enrolment, competencies, reflection=False)
    messages = _refused(enrolment)
    assert messages == ["Write your reflection."]
    assert not Submission.objects.exists()
    assert set(Demonstration.objects.values_list("state", flat=True)) == {"draft"}


def test_a_reflection_question_left_unanswered_is_refused(world: Any, setup: Any) -> None:
    version, enrolment, competencies = setup
    _ready(enrolment, competencies)
    second = version.reflection_prompts.get(position=1)
    ReflectionAnswer.objects.filter(prompt=second).update(answer="   ")
    messages = _refused(enrolment)
    assert messages == ["Reflection: answer “What would you do differently?”."]


def test_a_missing_answer_row_counts_as_unanswered(world: Any, setup: Any) -> None:
    _version, enrolment, competencies = setup
    _ready(enrolment, competencies)
    ReflectionAnswer.objects.filter(prompt__position=0).delete()
    assert _refused(enrolment) == ["Reflection: answer “What did you learn?”."]


def test_everything_missing_is_named_at_once(world: Any, setup: Any) -> None:
    _, enrolment, (first, second) = setup
    demo = b.demonstration(enrolment, first, submitted=False, narrative="  ")
    demo.items.all().delete()
    messages = _refused(enrolment)
    assert messages == [
        f"“{first.statement}”: write the narrative of what you did.",
        f"“{first.statement}”: add at least one piece of evidence.",
        f"“{second.statement}”: there is no demonstration yet.",
        "Write your reflection.",
    ]


def test_the_standard_route_needs_the_setting(world: Any, setup: Any) -> None:
    _, enrolment, competencies = setup
    _ready(enrolment, competencies)
    Demonstration.objects.filter(competency=competencies[0]).update(setting_organisation="")
    Demonstration.objects.filter(competency=competencies[1]).update(setting_kind="")
    messages = _refused(enrolment)
    assert len(messages) == 2
    assert all("say where you did it" in message for message in messages)


def test_prior_learning_needs_no_setting_and_maps_an_imported_badge(world: Any, setup: Any) -> None:
    version, _, competencies = setup
    learner = f.UserFactory()
    enrolment = b.enrolment(learner, version, route="prior_learning")
    for competency in competencies:
        demo = Demonstration.objects.create(
            enrolment=enrolment, competency=competency, narrative="I did this at my last job."
        )
        EvidenceItem.objects.create(
            demonstration=demo, kind="badge", title="Data badge", visibility="excluded"
        )
    b.reflection(enrolment, submitted=False)

    submission = submission_submit(actor=learner, enrolment=enrolment)
    assert submission.route == "prior_learning"
    assert submission.demonstrations.count() == 2


def test_submitting_again_reuses_what_is_frozen_and_takes_the_revised_draft(
    world: Any, setup: Any
) -> None:
    _, enrolment, (first, second) = setup
    returned = b.submission(enrolment, state="returned")
    old_first = returned.demonstrations.get(competency=first)
    old_second = returned.demonstrations.get(competency=second)
    revised = b.demonstration(enrolment, first, submitted=False, number=2)

    again = submission_submit(actor=world.learner, enrolment=enrolment)

    assert again.number == 2
    assert set(again.demonstrations.all()) == {revised, old_second}
    revised.refresh_from_db()
    assert revised.state == "submitted"
    old_first.refresh_from_db()
    assert old_first.state == "submitted"
    # No draft reflection: the frozen one goes again.
    assert again.reflection == returned.reflection
    assert AuditEntry.objects.get(action="learning.submit").data["reflection_frozen"] is False


def test_a_revised_reflection_goes_with_the_next_attempt(world: Any, setup: Any) -> None:
    _, enrolment, _ = setup
    returned = b.submission(enrolment, state="returned")
    draft = b.reflection(enrolment, submitted=False, number=2)
    again = submission_submit(actor=world.learner, enrolment=enrolment)
    assert again.reflection == draft
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert returned.reflection.state == "submitted"


@pytest.mark.parametrize("state", ["submitted", "in_moderation"])
def test_submitting_twice_is_refused(world: Any, setup: Any, state: str) -> None:
    _, enrolment, _ = setup
    b.submission(enrolment, state=state)
    messages = _refused(enrolment)
    assert messages == ["You have already submitted: attempt 1 is being assessed."]


def test_a_second_tab_submitting_at_once_is_refused_by_the_database(
    world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check saw no open submission (another request made one just after): the
    `one_open_submission` constraint refuses the second."""
    _, enrolment, competencies = setup
    b.submission(enrolment)
    b.demonstration(enrolment, competencies[0], submitted=False, number=2)
    monkeypatch.setattr(actions, "open_submission", lambda enrolment: None)
    messages = _refused(enrolment)
    assert messages == ["You have already submitted: your submission is being assessed."]


@pytest.mark.parametrize("who", ["anonymous", "other_learner", "assessor", "tlc_admin"])
def test_only_the_learner_submits(world: Any, setup: Any, who: str) -> None:
    _, enrolment, competencies = setup
    _ready(enrolment, competencies)
    actor = {
        "anonymous": None,
        "other_learner": f.UserFactory(),
        "assessor": world.assessor,
        "tlc_admin": world.tlc_admin,
    }[who]
    before = _snapshot(enrolment)
    with pytest.raises(PermissionDenied):
        submission_submit(actor=actor, enrolment=enrolment)
    assert _snapshot(enrolment) == before


@pytest.mark.parametrize("state", ["waitlisted", "withdrawn", "awarded", "not_met"])
def test_only_an_active_enrolment_submits(world: Any, setup: Any, state: str) -> None:
    version, _, competencies = setup
    enrolment = b.enrolment(f.UserFactory(), version, state=state)
    _ready(enrolment, competencies)
    _refused(enrolment)


# --- withdrawing -----------------------------------------------------------------------------


def test_the_learner_withdraws_a_submission_nobody_has_assessed(world: Any, setup: Any) -> None:
    _, enrolment, _ = setup
    submission = b.submission(enrolment)
    demos = set(submission.demonstrations.all())

    submission_withdraw(actor=world.learner, submission=submission)

    submission.refresh_from_db()
    assert submission.state == "withdrawn"
    assert submission.decided_at is not None
    assert {demo.state for demo in Demonstration.objects.filter(pk__in=[d.pk for d in demos])} == {
        "submitted"
    }
    entry = AuditEntry.objects.get(action="learning.submission_withdraw")
    assert entry.target == f"learning.submission:{submission.pk}"
    # And they can submit again, reusing the frozen work.
    again = submission_submit(actor=world.learner, enrolment=enrolment)
    assert again.number == 2
    assert set(again.demonstrations.all()) == demos


def _withdraw_refused(actor: Any, submission: Any, error: type[Exception]) -> None:
    before = _snapshot(submission.enrolment)
    with pytest.raises(error):
        submission_withdraw(actor=actor, submission=submission)
    assert _snapshot(submission.enrolment) == before


def test_no_withdrawing_once_an_assessor_has_started(world: Any, setup: Any) -> None:
    _, enrolment, _ = setup
    submission = b.submission(enrolment)
    Assessment.objects.create(
        submission=submission, assessor=world.assessor, decision="meets", stage="first"
    )
    submission.state = "in_moderation"
    submission.save()
    _withdraw_refused(world.learner, submission, LearningRefused)


@pytest.mark.parametrize("state", ["returned", "met", "not_met", "withdrawn"])
def test_no_withdrawing_a_decided_submission(world: Any, setup: Any, state: str) -> None:
    _, enrolment, _ = setup
    submission = b.submission(enrolment, state=state)
    _withdraw_refused(world.learner, submission, LearningRefused)


def test_an_assessment_recorded_on_a_still_submitted_row_blocks_withdrawal(
    world: Any, setup: Any
) -> None:
    _, enrolment, _ = setup
    submission = b.submission(enrolment)
    Assessment.objects.create(
        submission=submission, assessor=world.assessor, decision="revise", stage="first"
    )
    _withdraw_refused(world.learner, submission, LearningRefused)


@pytest.mark.parametrize("who", ["anonymous", "other_learner", "assessor"])
def test_only_the_learner_withdraws(world: Any, setup: Any, who: str) -> None:
    _, enrolment, _ = setup
    submission = b.submission(enrolment)
    actor = {"anonymous": None, "other_learner": f.UserFactory(), "assessor": world.assessor}[who]
    _withdraw_refused(actor, submission, PermissionDenied)


# --- the route -------------------------------------------------------------------------------


def test_the_learner_switches_route(world: Any, setup: Any) -> None:
    _, enrolment, _ = setup
    enrolment_route_set(actor=world.learner, enrolment=enrolment, route="prior_learning")
    enrolment.refresh_from_db()
    assert enrolment.route == "prior_learning"
    entry = AuditEntry.objects.get(action="learning.route_set")
    assert entry.data == {"route": "prior_learning", "was": "standard"}
    # Choosing the route already chosen changes nothing.
    enrolment_route_set(actor=world.learner, enrolment=enrolment, route="prior_learning")
    assert AuditEntry.objects.filter(action="learning.route_set").count() == 1


@pytest.mark.parametrize("state", ["submitted", "in_moderation"])
def test_the_route_cannot_change_while_a_submission_is_open(
    world: Any, setup: Any, state: str
) -> None:
    _, enrolment, _ = setup
    b.submission(enrolment, state=state)
    before = _snapshot(enrolment)
    with pytest.raises(LearningRefused):
        enrolment_route_set(actor=world.learner, enrolment=enrolment, route="prior_learning")
    assert _snapshot(enrolment) == before


def test_the_route_can_change_after_a_return(world: Any, setup: Any) -> None:
    _, enrolment, _ = setup
    b.submission(enrolment, state="returned")
    enrolment_route_set(actor=world.learner, enrolment=enrolment, route="prior_learning")
    enrolment.refresh_from_db()
    assert enrolment.route == "prior_learning"


@pytest.mark.parametrize(
    ("actor", "route", "error"),
    [
        ("learner", "shortcut", LearningRefused),
        ("learner", "", LearningRefused),
        ("other_learner", "prior_learning", PermissionDenied),
        ("assessor", "prior_learning", PermissionDenied),
        ("anonymous", "prior_learning", PermissionDenied),
    ],
)
def test_route_refusals(world: Any, setup: Any, actor: str, route: str, error: Any) -> None:
    _, enrolment, _ = setup
    person = {
        "learner": world.learner,
        "other_learner": f.UserFactory(),
        "assessor": world.assessor,
        "anonymous": None,
    }[actor]
    before = _snapshot(enrolment)
    with pytest.raises(error):
        enrolment_route_set(actor=person, enrolment=enrolment, route=route)
    assert _snapshot(enrolment) == before


# --- two submits at the same moment (PostgreSQL: real row locks) ------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises whole transactions"
)
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_make_one_submission(world: Any) -> None:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    _ready(enrolment, list(version.competencies.all()))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            submission_submit(actor=world.learner, enrolment=enrolment)
            outcomes.append("made")
        except LearningRefused:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made", "refused"]
    assert Submission.objects.filter(enrolment=enrolment).count() == 1
    assert AuditEntry.objects.filter(action="learning.submit").count() == 1
