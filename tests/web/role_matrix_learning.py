"""The learning rows of the role matrix's scene (tests/web/test_role_matrix.py), what a refused
request must leave as it was among them and the accounts, and what allowed POSTs send.

Two enrolments of `world.learner` in two micro-credentials of `world.issuer`:

- `assessed`: attempt 1 is waiting for an assessor (every competency demonstrated, the
  reflection frozen); its first demonstration holds a file and a link, and a supervisor was
  asked to confirm it (`token` opens the supervisor's page).
- `working`: the learner is still at work: competency 1 has a submitted version 1 and a draft
  version 2 (holding `draft_item`), competency 2 a submitted version 1; the reflection is a
  draft. Every learner step on it can succeed.

`world.assessor` has declared a conflict of interest with someone else (`conflict`), so their
pages have something to withdraw without hiding the learner from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from mosaics.catalogue.models import Competency, MicroCredential, Version
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Conflict,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from mosaics.learning.tokens import attestation_token, new_nonce, token_hash
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b

#: Texts only the learner and the issuing organisation's assessors (and institution admins)
#: may ever be shown: the narrative of every demonstration in the scene and a reflection answer.
NARRATIVE = "I cleaned the sales data and presented the trend to the team."
REFLECTION = "My answer to: What did you learn?"


@dataclass
class Learning:
    assessed: Version
    working: Version
    enrolment: Enrolment  # in `assessed`, attempt 1 waiting for an assessor
    work: Enrolment  # in `working`
    submission: Submission
    demonstration: Demonstration  # in the submission, with the file and the attestation
    file_item: EvidenceItem
    attestation: Attestation
    token: str
    draft_item: EvidenceItem  # in the draft of competency 1 of `working`
    first: Competency  # competency 1 of `working`: submitted v1, draft v2
    second: Competency  # competency 2 of `working`: submitted v1
    second_demonstration: Demonstration
    conflict: Conflict


def build(world: Any) -> Learning:
    learner = world.learner
    assessed = b.learning_version(world.issuer, title="Data Storytelling")
    enrolment = b.enrolment(learner, assessed)
    submission = b.submission(enrolment)
    demonstration = submission.demonstrations.order_by("competency__position", "pk").first()
    assert demonstration is not None
    file_item = EvidenceItem(
        demonstration=demonstration,
        kind=EvidenceItem.Kind.FILE,
        title="Sales figures",
        file_name="sales.txt",
        content_type="text/plain",
        size=12,
        visibility=EvidenceItem.Visibility.PRIVATE,
        position=1,
    )
    file_item.file.save("sales.txt", ContentFile(b"month,sales\n"), save=False)
    file_item.save()
    attestation = Attestation(
        uuid=uuid4(),
        nonce=new_nonce(),
        demonstration=demonstration,
        supervisor_name="Pat Manager",
        supervisor_email="pat.manager@example.org",
        requested_by=learner,
        expires_at=timezone.now() + timedelta(days=14),
    )
    token = attestation_token(attestation)
    attestation.token_hash = token_hash(token)
    attestation.save()

    working = b.learning_version(world.issuer, title="Spreadsheet Modelling")
    work = b.enrolment(learner, working)
    first, second = working.competencies.order_by("position", "pk")
    b.demonstration(work, first)
    draft = b.demonstration(work, first, submitted=False, number=2)
    second_demonstration = b.demonstration(work, second)
    b.reflection(work, submitted=False)

    return Learning(
        assessed=assessed,
        working=working,
        enrolment=enrolment,
        work=work,
        submission=submission,
        demonstration=demonstration,
        file_item=file_item,
        attestation=attestation,
        token=token,
        draft_item=draft.items.get(),
        first=first,
        second=second,
        second_demonstration=second_demonstration,
        conflict=Conflict.objects.create(
            assessor=world.assessor, learner=f.UserFactory(username="bystander")
        ),
    )


def state() -> tuple[Any, ...]:
    """The learning rows, the accounts and the outbox, as a refused request must leave them."""
    User = get_user_model()
    return (
        list(
            User.objects.values_list(
                "pk", "is_active", "display_name", "legal_name", "preferred_language", "password"
            ).order_by("pk")
        ),
        list(
            MicroCredential.objects.values_list(
                "pk", "capacity", "enrolment_opens", "enrolment_closes"
            ).order_by("pk")
        ),
        list(Enrolment.objects.values_list("pk", "state", "route", "version").order_by("pk")),
        list(
            Demonstration.objects.values_list(
                "pk", "state", "number", "narrative", "setting_organisation"
            ).order_by("pk")
        ),
        list(EvidenceItem.objects.values_list("pk", "visibility", "title").order_by("pk")),
        list(Attestation.objects.values_list("pk", "state", "token_hash").order_by("pk")),
        list(
            Reflection.objects.values_list("pk", "state", "summary", "share_summary").order_by("pk")
        ),
        list(ReflectionAnswer.objects.values_list("pk", "answer").order_by("pk")),
        list(Submission.objects.values_list("pk", "state").order_by("pk")),
        Assessment.objects.count(),
        CompetencyScore.objects.count(),
        list(Conflict.objects.values_list("pk", "assessor", "learner").order_by("pk")),
        Notification.objects.count(),
    )


# --- what allowed POSTs send (a refused persona sends the same, and must change nothing) ---


def enrol(_learning: Learning) -> dict[str, Any]:
    return {"route": "standard"}


def enrolment_settings(_learning: Learning) -> dict[str, Any]:
    return {"capacity": "30", "opens": "", "closes": ""}


def demonstration(_learning: Learning) -> dict[str, Any]:
    return {
        "narrative": "I built the model and the team used it to plan the season.",
        "setting_organisation": "Prairie Analytics",
        "setting_role": "Analyst intern",
        "setting_kind": "industry",
    }


def evidence_add(_learning: Learning) -> dict[str, Any]:
    return {
        "kind": "link",
        "link-url": "https://example.org/model",
        "link-title": "The model",
        "link-visibility": "private",
    }


def evidence_visibility(_learning: Learning) -> dict[str, Any]:
    return {"visibility": "excluded"}


def attestation_request(_learning: Learning) -> dict[str, Any]:
    return {"supervisor_name": "Sam Lead", "supervisor_email": "sam.lead@example.org"}


def attest(_learning: Learning) -> dict[str, Any]:
    return {"answer": "confirm", "comment": "That is what they did."}


def reflection(learning: Learning) -> dict[str, Any]:
    data: dict[str, Any] = {"summary": "I learned to model a season.", "share_summary": "on"}
    for prompt in learning.working.reflection_prompts.all():
        data[f"answer_{prompt.pk}"] = f"Another answer to: {prompt.text}"
    return data


def submit(_learning: Learning) -> dict[str, Any]:
    return {"confirm": "on"}


def route(_learning: Learning) -> dict[str, Any]:
    return {"route": "prior_learning"}


def assess(learning: Learning) -> dict[str, Any]:
    """Return for revision (meeting the criteria would sign an award in every case)."""
    data: dict[str, Any] = {"decision": "revise", "feedback": "Say what the trend means."}
    for competency in learning.assessed.competencies.all():
        data[f"level-{competency.pk}"] = str(competency.levels.order_by("position").first().pk)  # type: ignore[union-attr]
    return data


def conflict_declare(_learning: Learning) -> dict[str, Any]:
    return {"reason": "A relative"}


def profile(_learning: Learning) -> dict[str, Any]:
    return {"display_name": "Someone Else", "legal_name": "Someone Else", "preferred_language": ""}


def delete(_learning: Learning) -> dict[str, Any]:
    return {"password": f.PASSWORD, "confirmation": "DELETE"}
