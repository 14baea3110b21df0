"""A learner well into their journey, for the export and deletion tests: an enrolment with
submitted and revised demonstrations (evidence files, one shared by two versions), an
attestation, a reflection, an assessed submission, an award (accepted, shared, in a
collection), an imported badge, a bound DID, a pending notification and their own audit
entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from mosaics.accounts.models import BoundDid
from mosaics.audit.log import record
from mosaics.awards import actions as award_actions
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Demonstration,
    EvidenceItem,
)
from mosaics.notifications.models import Notification
from mosaics.portfolio.models import Collection, ExternalBadge
from tests import factories as f
from tests.learning import builders

REPORT = b"%PDF-1.4 the learner's project report"
PHOTO = b"\x89PNG the learner's whiteboard photo"
NONCE = "attestation-nonce-never-exported"
TOKEN_HASH = "ab" * 32
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@dataclass
class Journey:
    learner: Any
    enrolment: Any
    submission: Any
    award: Any
    attestation: Any
    assessment: Any
    items: list[Any]  # the file items: report (v1), report (v2, same file), photo
    external: Any
    collection: Any
    other_item: Any  # another learner's evidence file


def _file_item(demo: Demonstration, name: str, content: bytes, position: int = 1) -> EvidenceItem:
    item = EvidenceItem(
        demonstration=demo,
        position=position,
        kind="file",
        title=f"Upload {name}",
        file_name=name,
        content_type="application/octet-stream",
        size=len(content),
        visibility="private",
    )
    item.file.save(name, ContentFile(content), save=False)
    item.save()
    return item


def journey(world: Any) -> Journey:
    learner = world.learner
    learner.display_name = "Lee"
    learner.legal_name = "Lee Learner-Legal"
    learner.save(update_fields=["display_name", "legal_name"])
    version = builders.learning_version(world.issuer)
    enrolment = builders.enrolment(learner, version)
    submission = builders.submission(enrolment, state="met")
    first, second = list(submission.demonstrations.order_by("competency__position"))
    report = _file_item(first, "report.pdf", REPORT)
    photo = _file_item(second, "whiteboard.png", PHOTO)
    # Revising copies the items: the draft version 2 names the same stored file.
    revised = Demonstration.objects.create(
        enrolment=enrolment,
        competency=first.competency,
        number=2,
        narrative="Revised: I also explained the seasonal dip.",
    )
    copy = EvidenceItem.objects.create(
        demonstration=revised,
        kind="file",
        title=report.title,
        file=report.file.name,
        file_name=report.file_name,
        size=report.size,
    )
    now = timezone.now()
    attestation = Attestation.objects.create(
        demonstration=first,
        supervisor_name="Sam Supervisor",
        supervisor_email="sam@prairie.example",
        supervisor_role="Team lead",
        message="Could you confirm my work on the sales data?",
        state="confirmed",
        nonce=NONCE,
        token_hash=TOKEN_HASH,
        comment="Lee did this work, and did it well.",
        requested_by=learner,
        expires_at=now + timedelta(days=14),
        answered_at=now,
    )
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=world.assessor,
        decision="meets",
        feedback="Clear evidence, well argued.",
    )
    for competency in version.competencies.all():
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=competency.passing_level,
            feedback=f"Solid on {competency.statement}",
        )
    award = f.award(version, email=learner.email)
    award = award_actions.award_accept(actor=learner, award=award)
    award.shared = True
    award.save(update_fields=["shared"])
    submission.award = award
    submission.save(update_fields=["award"])
    external = ExternalBadge.objects.create(
        owner=learner, format="ob3-json", payload='{"imported": true}', verified=True,
        status="valid", title="Imported Python", issuer_name="Elsewhere Academy",
    )  # fmt: skip
    collection = Collection.objects.create(owner=learner, name="For employers", shared=True)
    collection.awards.add(award)
    collection.external_badges.add(external)
    BoundDid.objects.create(user=learner, did=DID)
    Notification.objects.create(
        kind="learning.submission_decided",
        recipient=learner.email,
        target=f"learning.submission:{submission.pk}",
    )
    record(actor=learner, action="learning.enrolment_enrol", target=enrolment)

    other = f.UserFactory(username="other_learner")
    other_enrolment = builders.enrolment(other, version)
    other_demo = builders.demonstration(other_enrolment, first.competency, submitted=False)
    other_item = _file_item(other_demo, "someone-else.txt", b"another learner's file")
    return Journey(
        learner=learner,
        enrolment=enrolment,
        submission=submission,
        award=award,
        attestation=attestation,
        assessment=assessment,
        items=[report, copy, photo],
        external=external,
        collection=collection,
        other_item=other_item,
    )
