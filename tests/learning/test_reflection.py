"""The reflection workflow: drafts, limits, and frozen reflections (revising after a return)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from mosaics.audit.models import AuditEntry
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.submission import reflection_save
from mosaics.learning.models import Reflection, ReflectionAnswer
from tests import factories as f
from tests.learning import builders as b


@pytest.fixture
def setup(world: Any) -> Any:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    prompts = list(version.reflection_prompts.all())
    return version, enrolment, prompts


def _snapshot(enrolment: Any) -> Any:
    return (
        list(
            Reflection.objects.filter(enrolment=enrolment)
            .order_by("number")
            .values_list("number", "state", "summary", "share_summary")
        ),
        list(
            ReflectionAnswer.objects.filter(reflection__enrolment=enrolment)
            .order_by("reflection__number", "prompt_id")
            .values_list("reflection__number", "prompt_id", "answer")
        ),
        AuditEntry.objects.count(),
    )


def test_saving_creates_the_first_draft_and_audits_it(world: Any, setup: Any) -> None:
    _, enrolment, (first, second) = setup
    reflection = reflection_save(
        actor=world.learner,
        enrolment=enrolment,
        answers={first.pk: "  I learned to clean data.  ", second.pk: ""},
        summary="Data into decisions.",
        share_summary=True,
    )
    assert (reflection.number, reflection.state) == (1, "draft")
    assert reflection.summary == "Data into decisions."
    assert reflection.share_summary is True
    answers = dict(reflection.answers.values_list("prompt_id", "answer"))
    assert answers == {first.pk: "I learned to clean data.", second.pk: ""}
    entry = AuditEntry.objects.get(action="learning.reflection_save")
    assert entry.actor == world.learner
    assert entry.target == f"learning.reflection:{reflection.pk}"
    assert entry.organisation == world.business
    assert entry.data["created"] is True


def test_saving_again_updates_the_same_draft_and_keeps_answers_left_out(
    world: Any, setup: Any
) -> None:
    _, enrolment, (first, second) = setup
    reflection_save(
        actor=world.learner,
        enrolment=enrolment,
        answers={first.pk: "One", second.pk: "Two"},
        summary="",
        share_summary=False,
    )
    again = reflection_save(
        actor=world.learner,
        enrolment=enrolment,
        answers={str(second.pk): "Two, better"},  # type: ignore[dict-item]
        summary="Now a summary",
        share_summary=False,
    )
    assert Reflection.objects.filter(enrolment=enrolment).count() == 1
    assert dict(again.answers.values_list("prompt_id", "answer")) == {
        first.pk: "One",
        second.pk: "Two, better",
    }
    assert again.summary == "Now a summary"
    assert AuditEntry.objects.filter(action="learning.reflection_save").count() == 2


@pytest.mark.parametrize(
    ("answers", "summary"),
    [
        ({"first": "x" * 10_001}, ""),
        ({"first": "A\x00B"}, ""),
        ({"first": "fine"}, "y" * 2_001),
        ({"first": "fine"}, "with \x00 NUL"),
        ({"other": "an answer to another design's question"}, ""),
        ({"nonsense": "not a prompt id"}, ""),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: Any, setup: Any, answers: dict[str, str], summary: str
) -> None:
    _, enrolment, (first, _second) = setup
    b.reflection(enrolment, submitted=False)
    other_prompt = f.ReflectionPromptFactory(version=b.learning_version(world.issuer))
    keys = {"first": first.pk, "other": other_prompt.pk, "nonsense": "abc"}
    before = _snapshot(enrolment)
    with pytest.raises(LearningRefused):
        reflection_save(
            actor=world.learner,
            enrolment=enrolment,
            answers={keys[key]: value for key, value in answers.items()},
            summary=summary,
            share_summary=True,
        )
    assert _snapshot(enrolment) == before


def test_the_limits_themselves_are_accepted(world: Any, setup: Any) -> None:
    _, enrolment, (first, _second) = setup
    reflection = reflection_save(
        actor=world.learner,
        enrolment=enrolment,
        answers={first.pk: "x" * 10_000},
        summary="y" * 2_000,
        share_summary=False,
    )
    assert len(reflection.answers.get(prompt=first).answer) == 10_000


@pytest.mark.parametrize("who", ["anonymous", "other_learner", "assessor", "tlc_admin"])
def test_only_the_learner_saves_their_reflection(world: Any, setup: Any, who: str) -> None:
    _, enrolment, (first, _second) = setup
    actor = {
        "anonymous": None,
        "other_learner": f.UserFactory(),
        "assessor": world.assessor,
        "tlc_admin": world.tlc_admin,
    }[who]
    before = _snapshot(enrolment)
    with pytest.raises(PermissionDenied):
        reflection_save(
            actor=actor,
            enrolment=enrolment,
            answers={first.pk: "Not mine"},
            summary="",
            share_summary=False,
        )
    assert _snapshot(enrolment) == before


@pytest.mark.parametrize("state", ["waitlisted", "withdrawn", "awarded", "not_met"])
def test_not_while_not_enrolled(world: Any, setup: Any, state: str) -> None:
    version, _, (first, _second) = setup
    enrolment = b.enrolment(f.UserFactory(), version, state=state)
    before = _snapshot(enrolment)
    with pytest.raises(LearningRefused):
        reflection_save(
            actor=enrolment.learner,
            enrolment=enrolment,
            answers={first.pk: "Hello"},
            summary="",
            share_summary=False,
        )
    assert _snapshot(enrolment) == before


@pytest.mark.parametrize("state", ["submitted", "in_moderation"])
def test_a_frozen_reflection_cannot_change_while_it_is_being_assessed(
    world: Any, setup: Any, state: str
) -> None:
    _, enrolment, (first, _second) = setup
    b.submission(enrolment, state=state)
    before = _snapshot(enrolment)
    with pytest.raises(LearningRefused) as refused:
        reflection_save(
            actor=world.learner,
            enrolment=enrolment,
            answers={first.pk: "A change"},
            summary="Changed",
            share_summary=False,
        )
    assert refused.value.code == "submission_open"
    assert _snapshot(enrolment) == before


@pytest.mark.parametrize("state", ["returned", "withdrawn"])
def test_after_a_return_saving_starts_version_two_as_a_copy(
    world: Any, setup: Any, state: str
) -> None:
    _, enrolment, (first, second) = setup
    submitted = b.submission(enrolment, state=state)
    frozen = submitted.reflection
    frozen_answers = dict(frozen.answers.values_list("prompt_id", "answer"))

    draft = reflection_save(
        actor=world.learner,
        enrolment=enrolment,
        answers={first.pk: "A better answer"},
        summary=frozen.summary,
        share_summary=frozen.share_summary,
    )
    assert (draft.number, draft.state) == (2, "draft")
    assert dict(draft.answers.values_list("prompt_id", "answer")) == {
        first.pk: "A better answer",
        second.pk: frozen_answers[second.pk],
    }
    assert draft.summary == frozen.summary
    frozen.refresh_from_db()
    assert frozen.state == "submitted"
    assert dict(frozen.answers.values_list("prompt_id", "answer")) == frozen_answers
    entry = AuditEntry.objects.get(action="learning.reflection_save")
    assert entry.data == {"number": 2, "created": True, "copied_from": 1}
