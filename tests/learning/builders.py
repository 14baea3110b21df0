"""Learning records built straight in the database, so each workflow's tests start from the
state they need without running the others (each workflow has its own tests)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mosaics.catalogue.models import Version
from mosaics.learning.models import (
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from tests import factories as f


def learning_version(issuer: Any | None = None, *, competencies: int = 2, **fields: Any) -> Version:
    """A published version with complete competencies and two reflection prompts."""
    version = f.published_version(issuer, competencies=competencies, **fields)
    f.ReflectionPromptFactory(version=version, position=0, text="What did you learn?")
    f.ReflectionPromptFactory(version=version, position=1, text="What would you do differently?")
    return version


def enrolment(
    learner: Any, version: Version, *, state: str = "active", route: str = "standard"
) -> Enrolment:
    now = timezone.now()
    return Enrolment.objects.create(
        learner=learner,
        micro_credential=version.micro_credential,
        version=version,
        state=state,
        route=route,
        requested_at=now,
        enrolled_at=now if state == "active" else None,
    )


def demonstration(
    enrolment: Enrolment,
    competency: Any,
    *,
    submitted: bool = True,
    number: int = 1,
    narrative: str = "I cleaned the sales data and presented the trend to the team.",
    visibility: str = "public",
) -> Demonstration:
    demo = Demonstration.objects.create(
        enrolment=enrolment,
        competency=competency,
        number=number,
        state="submitted" if submitted else "draft",
        narrative=narrative,
        setting_organisation="Prairie Analytics",
        setting_role="Analyst intern",
        setting_kind="industry",
        submitted_at=timezone.now() if submitted else None,
    )
    EvidenceItem.objects.create(
        demonstration=demo,
        kind="link",
        title="Project report",
        url="https://example.org/report",
        visibility=visibility,
    )
    return demo


def reflection(
    enrolment: Enrolment, *, submitted: bool = True, number: int = 1, share: bool = True
) -> Reflection:
    result = Reflection.objects.create(
        enrolment=enrolment,
        number=number,
        state="submitted" if submitted else "draft",
        summary="I learned to turn raw data into a decision.",
        share_summary=share,
        submitted_at=timezone.now() if submitted else None,
    )
    for prompt in enrolment.version.reflection_prompts.all():
        ReflectionAnswer.objects.create(
            reflection=result, prompt=prompt, answer=f"My answer to: {prompt.text}"
        )
    return result


def submission(enrolment: Enrolment, *, state: str = "submitted", number: int = 1) -> Submission:
    """A submission with a submitted demonstration of every competency and a reflection."""
    demos = [
        demonstration(enrolment, competency, number=number)
        for competency in enrolment.version.competencies.all()
    ]
    result = Submission.objects.create(
        enrolment=enrolment,
        number=number,
        route=enrolment.route,
        state=state,
        reflection=reflection(enrolment, number=number),
    )
    result.demonstrations.set(demos)
    return result
