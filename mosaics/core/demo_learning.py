"""The demo's learners, each at a stage of the journey (`mosaics.core.demo_content.JOURNEYS`).

Every step goes through the learning workflows a learner, a supervisor or an assessor would
trigger from the pages — enrolling, drafting, adding evidence, asking for and answering an
attestation, writing the reflection, submitting, assessing, accepting and sharing the badge —
so the demo's audit trail, notifications and awards are real. The workflows date what they
can (`now=`); the few dates they always take from the clock (a demonstration submitted on its
own, an assessment's creation) are moved back afterwards.

Idempotent like the rest of the demo: a learner already enrolled in a micro-credential is
left exactly as they are, and places are limited only on a micro-credential nobody has
enrolled in yet.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from mosaics.core import demo_content as content

__all__ = ["load_learning", "pdf_bytes", "png_bytes"]


def load_learning(users: dict[str, Any]) -> None:
    """Create each demo learner's journey that does not exist yet."""
    now = timezone.now()
    for places in content.PLACES:
        _places(places, actor=users["tlc"])
    for journey in content.JOURNEYS:
        _journey(journey, users=users, now=now)


def _ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _day(now: datetime, days: int | None) -> date | None:
    return None if days is None else timezone.localdate(_ago(now, days))


def _places(spec: content.Places, *, actor: Any) -> None:
    from mosaics.catalogue.models import MicroCredential
    from mosaics.learning.actions.enrolment import micro_credential_enrolment_set

    micro_credential = MicroCredential.objects.filter(slug=spec.design).first()
    if (
        micro_credential is None
        or micro_credential.capacity is not None
        or micro_credential.enrolments.exists()
    ):
        return
    micro_credential_enrolment_set(
        actor=actor,
        micro_credential=micro_credential,
        capacity=spec.capacity,
        opens=micro_credential.enrolment_opens,
        closes=micro_credential.enrolment_closes,
    )


# --- one learner's journey ---------------------------------------------------------------


def _journey(spec: content.JourneySpec, *, users: dict[str, Any], now: datetime) -> None:
    from mosaics.catalogue.models import MicroCredential
    from mosaics.learning.actions import assessment as assessments
    from mosaics.learning.actions.enrolment import enrolment_enrol
    from mosaics.learning.actions.submission import submission_submit
    from mosaics.learning.models import Enrolment

    learner = users[spec.learner]
    micro_credential = MicroCredential.objects.filter(slug=spec.design).first()
    if (
        micro_credential is None
        or Enrolment.objects.filter(learner=learner, micro_credential=micro_credential).exists()
    ):
        return
    enrolment = enrolment_enrol(
        actor=learner,
        micro_credential=micro_credential,
        route=spec.route,
        now=_ago(now, spec.enrolled_days_ago),
    )
    if spec.conflict:
        assessments.conflict_declare(
            actor=users[content.ASSESSOR], learner=learner, reason=spec.conflict
        )
    if enrolment.state != Enrolment.State.ACTIVE:
        return  # on the waiting list
    competencies = list(enrolment.version.competencies.order_by("position", "pk"))
    for demonstration in spec.demonstrations:
        _demonstration(demonstration, learner, enrolment, competencies, now=now)
    if spec.reflection is not None:
        _reflection(spec.reflection, learner, enrolment)
    if spec.submitted_days_ago is None:
        return
    submission = submission_submit(
        actor=learner, enrolment=enrolment, now=_ago(now, spec.submitted_days_ago)
    )
    if spec.assessment is None:
        return
    submission = _assess(
        spec.assessment, submission, users[content.ASSESSOR], competencies, now=now
    )
    if submission is None:
        return
    if spec.revision is not None and submission.state == submission.State.RETURNED:
        for demonstration in spec.revision.demonstrations:
            _demonstration(demonstration, learner, enrolment, competencies, now=now)
        if spec.revision.reflection is not None:
            _reflection(spec.revision.reflection, learner, enrolment)
        submission_submit(
            actor=learner,
            enrolment=enrolment,
            now=_ago(now, spec.revision.submitted_days_ago),
        )
    if submission.award is not None:
        _claim(spec, learner, submission.award)


def _demonstration(
    spec: content.DemonstrationSpec,
    learner: Any,
    enrolment: Any,
    competencies: list[Any],
    *,
    now: datetime,
) -> Any:
    """Save the draft (the next version, when one was submitted), add its evidence, and
    submit it on its own and ask for attestations if the spec says so."""
    from mosaics.learning.actions import demonstration as demonstrations
    from mosaics.learning.models import Demonstration

    draft = demonstrations.demonstration_save(
        actor=learner,
        enrolment=enrolment,
        competency=competencies[spec.competency],
        narrative=spec.narrative,
        setting_organisation=spec.setting_organisation,
        setting_role=spec.setting_role,
        setting_kind=spec.setting_kind,
        setting_start=_day(now, spec.setting_from_days_ago),
        setting_end=_day(now, spec.setting_until_days_ago),
    )
    for item in spec.evidence:
        _evidence(item, learner, draft)
    if spec.submitted_days_ago is None:
        return draft
    submitted = demonstrations.demonstration_submit(actor=learner, demonstration=draft)
    # The workflow submits it now: the learner did it some days ago.
    Demonstration.objects.filter(pk=submitted.pk).update(
        submitted_at=_ago(now, spec.submitted_days_ago)
    )
    for attestation in spec.attestations:
        _attestation(attestation, learner, submitted, now=now)
    return submitted


def _evidence(spec: content.ItemSpec, learner: Any, demonstration: Any) -> None:
    from mosaics.awards.models import Award
    from mosaics.learning.actions.demonstration import evidence_add

    upload = award = None
    if spec.kind == "file":
        data = (
            pdf_bytes(spec.title, spec.description)
            if spec.file_name.endswith(".pdf")
            else png_bytes()
        )
        upload = ContentFile(data, name=spec.file_name)
    elif spec.kind == "badge":
        award = Award.objects.filter(
            learner=learner, version__micro_credential__slug=spec.badge
        ).first()
    evidence_add(
        actor=learner,
        demonstration=demonstration,
        kind=spec.kind,
        title=spec.title,
        description=spec.description,
        upload=upload,
        url=spec.url,
        award=award,
        visibility=spec.visibility,
    )


def _attestation(
    spec: content.AttestationSpec, learner: Any, demonstration: Any, *, now: datetime
) -> None:
    """The learner asks; the supervisor answers through the link in their e-mail."""
    from mosaics.learning.actions.attestation import attestation_answer, attestation_request
    from mosaics.learning.tokens import attestation_token

    attestation = attestation_request(
        actor=learner,
        demonstration=demonstration,
        supervisor_name=spec.supervisor_name,
        supervisor_email=spec.supervisor_email,
        supervisor_role=spec.supervisor_role,
        message=spec.message,
        now=_ago(now, spec.requested_days_ago),
    )
    if spec.answer:
        attestation_answer(
            token=attestation_token(attestation),
            confirmed=spec.answer == "confirmed",
            comment=spec.comment,
            now=_ago(now, spec.answered_days_ago),
        )


def _reflection(spec: content.ReflectionSpec, learner: Any, enrolment: Any) -> None:
    from mosaics.learning.actions.submission import reflection_save

    prompts = enrolment.version.reflection_prompts.order_by("position", "pk")
    reflection_save(
        actor=learner,
        enrolment=enrolment,
        answers={
            prompt.pk: answer
            for prompt, answer in zip(prompts, spec.answers, strict=False)
            if answer
        },
        summary=spec.summary,
        share_summary=spec.share_summary,
    )


def _assess(
    spec: content.AssessmentSpec,
    submission: Any,
    assessor: Any,
    competencies: list[Any],
    *,
    now: datetime,
) -> Any:
    """Record the assessor's scores and decision (a "meets" awards the badge, or waits for a
    second assessor); returns the submission as it stands, or None when the design no longer
    matches the spec (left waiting for assessment)."""
    from mosaics.learning.actions.assessment import assessment_record
    from mosaics.learning.models import Assessment

    if spec.moderated and not submission.enrolment.version.second_assessor_required:
        return None
    scores = {}
    for competency, (level_name, feedback) in zip(competencies, spec.levels, strict=True):
        level = next(level for level in competency.levels.all() if level.name == level_name)
        scores[competency.pk] = (level.pk, feedback)
    decided_at = _ago(now, spec.days_ago)
    assessment = assessment_record(
        actor=assessor,
        submission=submission,
        scores=scores,
        decision=spec.decision,
        feedback=spec.feedback,
        now=decided_at,
    )
    # Dated by the database when it is made: the assessor did it then.
    Assessment.objects.filter(pk=assessment.pk).update(created=decided_at)
    submission.refresh_from_db()
    return submission


def _claim(spec: content.JourneySpec, learner: Any, award: Any) -> None:
    from mosaics.awards import actions as awards
    from mosaics.awards import sharing

    if spec.accept:
        award = awards.award_accept(actor=learner, award=award)
    if spec.share:
        sharing.award_share(actor=learner, award=award, shared=True)


# --- evidence files ------------------------------------------------------------------------


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in the standard fonts' WinAnsi encoding (cp1252)."""
    data = value.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_bytes(title: str, body: str = "") -> bytes:
    """A one-page PDF document saying it is demo evidence: valid (a cross-reference table
    with exact offsets), so any PDF reader opens it."""
    lines = [title, "", body, "", "A demonstration document made by the Mosaics demo."]
    text = [b"BT", b"/F1 18 Tf", b"72 720 Td", _pdf_text(lines[0]) + b" Tj", b"/F1 11 Tf"]
    for line in lines[1:]:
        text += [b"0 -18 Td", _pdf_text(line) + b" Tj"]
    text.append(b"ET")
    stream = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes() -> bytes:
    """A small bar chart as a PNG (drawn with Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(30, 10), (30, 180), (310, 180)], fill="black", width=2)
    for index, (height, colour) in enumerate(
        [(60, "#1b6ca8"), (120, "#2e8b57"), (90, "#d98c1f"), (150, "#6a4c93")]
    ):
        left = 50 + index * 65
        draw.rectangle([left, 180 - height, left + 40, 179], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
