"""The framework's quality gates: each one alone blocks publication, with its reason shown on
the page; the version stays approved and nothing is recorded. All together, it publishes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mosaics.catalogue import gates
from mosaics.catalogue.actions import lifecycle
from mosaics.catalogue.documents import content_digest
from mosaics.catalogue.errors import GatesFailing
from mosaics.catalogue.models import Version
from tests import factories as f
from tests.personas import client_for
from tests.web.test_lifecycle_support import (
    audit_count,
    design_page,  # noqa: F401 - fixture
    design_url,
    make_complete,
    make_design,
    step_url,
)

State = Version.State


def _no_endorsement(version: Version, world: Any) -> None:
    version.endorsements.all().delete()


def _expired_endorsement(version: Version, world: Any) -> None:
    version.endorsements.update(
        valid_from=timezone.now() - timedelta(days=400),
        valid_until=timezone.now() - timedelta(days=1),
    )


def _withdrawn_endorsement(version: Version, world: Any) -> None:
    version.endorsements.update(withdrawn_at=timezone.now())


def _no_competency(version: Version, world: Any) -> None:
    version.competencies.all().delete()


def _no_demonstration(version: Version, world: Any) -> None:
    version.competencies.update(demonstration="  ")


def _no_passing_level(version: Version, world: Any) -> None:
    version.competencies.update(passing_level=None)


def _one_level(version: Version, world: Any) -> None:
    competency = version.competencies.get()
    competency.levels.exclude(pk=competency.passing_level_id).delete()


def _undescribed_level(version: Version, world: Any) -> None:
    competency = version.competencies.get()
    competency.levels.filter(position=0).update(description="")


def _no_reflection(version: Version, world: Any) -> None:
    version.reflection_prompts.all().delete()


def _no_goal(version: Version, world: Any) -> None:
    version.goals.clear()


def _foreign_goal(version: Version, world: Any) -> None:
    version.goals.set([f.GoalFactory(institution=world.other_institution)])


def _no_image(version: Version, world: Any) -> None:
    Version.objects.filter(pk=version.pk).update(image="")


def _no_alt(version: Version, world: Any) -> None:
    Version.objects.filter(pk=version.pk).update(image_alt=" ")


BREAKERS = {
    "no endorsement": ("endorsed", _no_endorsement, "No industry partner has a current"),
    "expired endorsement": ("endorsed", _expired_endorsement, "No industry partner has a current"),
    "withdrawn endorsement": (
        "endorsed",
        _withdrawn_endorsement,
        "No industry partner has a current",
    ),
    "no competency (demonstration)": (
        "demonstration",
        _no_competency,
        "Add at least one competency.",
    ),
    "no demonstration criterion": (
        "demonstration",
        _no_demonstration,
        "This competency has no demonstration criterion",
    ),
    "no passing level": ("rubric", _no_passing_level, "rubric is incomplete"),
    "a single rubric level": ("rubric", _one_level, "rubric is incomplete"),
    "an undescribed rubric level": ("rubric", _undescribed_level, "rubric is incomplete"),
    "no reflection prompt": ("reflection", _no_reflection, "Add at least one reflection prompt."),
    "no institutional goal": ("goals", _no_goal, "Choose at least one institutional goal"),
    "another institution's goal": (
        "goals",
        _foreign_goal,
        "Choose at least one institutional goal",
    ),
    "no image": ("image", _no_image, "Upload an image for the badge."),
    "no alt text": ("image", _no_alt, "Describe the image in its text alternative."),
}


def _approved(world: Any) -> Version:
    return make_complete(make_design(world, state=State.APPROVED), world)


def _break(version: Version, world: Any, case: str) -> None:
    """Apply the breaker; one that changes the design (anything but the endorsement's own
    state) is treated as done before the partner endorsed, so that its gate fails alone."""
    code, breaker, _reason = BREAKERS[case]
    breaker(version, world)
    if code != "endorsed":
        _endorsed_as_is(version)


def _endorsed_as_is(version: Version) -> None:
    version = Version.objects.get(pk=version.pk)
    version.endorsements.update(content_digest=content_digest(version))


def test_a_complete_design_meets_every_gate(world: Any) -> None:
    checklist = gates.evaluate(_approved(world))
    assert [gate.code for gate in checklist] == [
        "endorsed",
        "demonstration",
        "rubric",
        "reflection",
        "goals",
        "image",
    ]
    assert all(gate.passed and not gate.reason for gate in checklist)


@pytest.mark.parametrize("case", list(BREAKERS))
def test_each_gate_fails_alone(world: Any, case: str) -> None:
    code, breaker, reason = BREAKERS[case]
    version = _approved(world)
    _break(version, world, case)
    failing = gates.failing(Version.objects.get(pk=version.pk))
    # Removing the only competency fails both competency gates; everything else fails alone.
    expected = {"demonstration", "rubric"} if breaker is _no_competency else {code}
    assert {gate.code for gate in failing} == expected
    assert reason in " ".join(gate.reason for gate in failing)


@pytest.mark.parametrize("case", list(BREAKERS))
def test_the_publish_action_refuses_while_a_gate_fails(world: Any, case: str) -> None:
    code, _breaker, reason = BREAKERS[case]
    version = _approved(world)
    _break(version, world, case)
    with pytest.raises(GatesFailing, match=reason) as refused:
        lifecycle.version_publish(actor=world.tlc_admin, version=version)
    assert code in {gate.code for gate in refused.value.gates}  # type: ignore[attr-defined]
    version = Version.objects.get(pk=version.pk)
    assert version.state == State.APPROVED
    assert version.published_at is None
    assert version.search_text == ""
    assert audit_count() == 0


@pytest.mark.usefixtures("design_page")
@pytest.mark.parametrize("case", list(BREAKERS))
def test_publishing_through_the_page_shows_the_reason(client: Any, world: Any, case: str) -> None:
    _code, _breaker, reason = BREAKERS[case]
    version = _approved(world)
    _break(version, world, case)
    client = client_for(client, world.tlc_admin)
    response = client.post(step_url("version_publish", version))
    assert response.status_code == 302
    assert response["Location"] == design_url(version)
    page = client.get(response["Location"]).content.decode()
    assert "message-error" in page
    assert "It cannot be published until the framework checklist holds." in page
    assert reason in page
    assert Version.objects.get(pk=version.pk).state == State.APPROVED
    assert audit_count() == 0


def test_every_failing_gate_is_named_in_the_refusal(world: Any) -> None:
    version = make_design(world, state=State.APPROVED)  # nothing filled in
    with pytest.raises(GatesFailing) as refused:
        lifecycle.version_publish(actor=world.tlc_admin, version=version)
    assert len(refused.value.gates) == 6  # type: ignore[attr-defined]
    for gate in gates.evaluate(version):
        assert gate.reason in str(refused.value)


@pytest.mark.usefixtures("design_page")
def test_publishing_through_the_page_when_every_gate_holds(client: Any, world: Any) -> None:
    version = _approved(world)
    client = client_for(client, world.tlc_admin)
    response = client.post(step_url("version_publish", version), follow=True)
    page = response.content.decode()
    assert "message-success" in page
    assert Version.objects.get(pk=version.pk).state == State.PUBLISHED
    assert audit_count() == 1


@pytest.mark.usefixtures("design_page")
def test_the_page_warns_before_a_refused_publication(client: Any, world: Any) -> None:
    version = _approved(world)
    _break(version, world, "no reflection prompt")
    page = client_for(client, world.tlc_admin).get(design_url(version)).content.decode()
    assert "Publishing will be refused until the framework checklist holds" in page
    assert "Add at least one reflection prompt." in page
    assert step_url("version_publish", version) in page  # the button is still there


@pytest.mark.usefixtures("design_page")
def test_the_checklist_says_met_or_not_met_in_words(client: Any, world: Any) -> None:
    version = _approved(world)
    _break(version, world, "no institutional goal")
    page = client_for(client, world.designer).get(design_url(version)).content.decode()
    assert "Framework checklist" in page
    assert page.count("Not met") == 1
    assert page.count("> Met") == 5
    assert "Choose at least one institutional goal" in page
