"""The learning journey's e-mails (templates under templates/learning/email/). Each context
builder returns None when the message no longer applies, which cancels it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from mosaics.notifications.registry import register

ENROLMENT = "learning.enrolment"
ATTESTATION_REQUESTED = "learning.attestation_requested"
ATTESTATION_ANSWERED = "learning.attestation_answered"
SUBMISSION_RETURNED = "learning.submission_returned"
SUBMISSION_DECIDED = "learning.submission_decided"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def enrolment_url(enrolment: Any) -> str:
    return _absolute(
        reverse("learning:enrolment", kwargs={"slug": enrolment.micro_credential.slug})
    )


def _enrolment(enrolment: Any) -> dict[str, Any] | None:
    # Sent for enrolled, waitlisted, and moved-off-the-waiting-list; says which it is now.
    if enrolment.state not in ("active", "waitlisted"):
        return None
    return {
        "enrolment": enrolment,
        "learner": enrolment.learner,
        "title": enrolment.version.title,
        "issuer": enrolment.micro_credential.issuer,
        "enrolment_url": enrolment_url(enrolment),
    }


def _attestation_requested(attestation: Any) -> dict[str, Any] | None:
    from mosaics.learning.tokens import attestation_url

    if not attestation.is_open:
        return None
    enrolment = attestation.demonstration.enrolment
    return {
        "attestation": attestation,
        "learner": enrolment.learner,
        "title": enrolment.version.title,
        "competency": attestation.demonstration.competency,
        "attestation_url": attestation_url(attestation),
    }


def _attestation_answered(attestation: Any) -> dict[str, Any] | None:
    if attestation.state not in ("confirmed", "disputed"):
        return None
    enrolment = attestation.demonstration.enrolment
    return {
        "attestation": attestation,
        "learner": enrolment.learner,
        "title": enrolment.version.title,
        "competency": attestation.demonstration.competency,
        "enrolment_url": enrolment_url(enrolment),
    }


def _submission(submission: Any, states: tuple[str, ...]) -> dict[str, Any] | None:
    if submission.state not in states:
        return None
    enrolment = submission.enrolment
    decisive = submission.assessments.order_by("-created", "-id").first()
    return {
        "submission": submission,
        "learner": enrolment.learner,
        "title": enrolment.version.title,
        "assessment": decisive,
        "scores": list(decisive.scores.select_related("competency", "level")) if decisive else [],
        "enrolment_url": enrolment_url(enrolment),
    }


def register_kinds() -> None:
    register(ENROLMENT, template="learning/email/enrolment", context=_enrolment)
    register(
        ATTESTATION_REQUESTED,
        template="learning/email/attestation_requested",
        context=_attestation_requested,
    )
    register(
        ATTESTATION_ANSWERED,
        template="learning/email/attestation_answered",
        context=_attestation_answered,
    )
    register(
        SUBMISSION_RETURNED,
        template="learning/email/submission_returned",
        context=lambda submission: _submission(submission, ("returned",)),
    )
    register(
        SUBMISSION_DECIDED,
        template="learning/email/submission_decided",
        context=lambda submission: _submission(submission, ("met", "not_met")),
    )
