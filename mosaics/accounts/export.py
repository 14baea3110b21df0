"""Everything we hold about a person, as one ZIP archive they can download and keep.

The archive holds:

- ``data.json``: the profile, e-mail addresses, bound DIDs; each enrolment with its
  demonstrations (narratives, settings, evidence items' details, attestation requests: the
  supervisors' names and addresses the learner entered, states, comments), reflections with
  their answers, and submissions with their assessments' decisions, feedback and scores; the
  awards they hold (with each signed credential); the badges they imported; their
  collections; and what they did themselves on the platform (audit entries naming them).
- ``evidence/<item uuid>-<file name>``: every evidence file they uploaded (read through
  Django's storage API; a file shared by several versions of a demonstration is written once,
  under its first item, and every item names where it is).
- ``credentials/<award uuid>.json``: each award's signed Open Badges 3.0 credential.

Nothing secret goes in: no password hash, no token or its hash, no attestation nonce, no
two-factor secret or recovery code. (Each credential carries its own identity salt, as OB 3.0
has it: that is part of the signed credential, not a secret.) Other people are named only
where the learner named them (their supervisors); assessors are not named.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

from django.utils import timezone

from mosaics import __version__

__all__ = ["FORMAT", "archive_name", "build_archive", "personal_data"]

#: What ``data.json`` says it is.
FORMAT = "mosaics-personal-data"
#: Archives up to this size are built in memory; larger ones spill to a temporary file.
_IN_MEMORY = 8 * 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _safe_file_name(name: str) -> str:
    """A file name safe inside an archive: no directories, no control characters."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[-150:] or "file"


def _profile(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "legal_name": user.legal_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
    }


def _email_addresses(user: Any) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def _two_factor(user: Any) -> list[dict[str, Any]]:
    """Which second factors are set up and when (never their secrets or codes)."""
    from allauth.mfa.models import Authenticator

    return [
        {
            "type": authenticator.type,
            "created_at": _when(authenticator.created_at),
            "last_used_at": _when(authenticator.last_used_at),
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at", "id")
    ]


class _Files:
    """The evidence files to write, each storage name once."""

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}  # storage name → path in the archive
        self.items: list[tuple[str, Any]] = []  # (path in the archive, the item)

    def add(self, item: Any) -> str:
        name = item.file.name
        if name not in self.paths:
            path = f"evidence/{item.uuid}-{_safe_file_name(item.file_name or name)}"
            self.paths[name] = path
            self.items.append((path, item))
        return self.paths[name]


def _evidence(item: Any, files: _Files) -> dict[str, Any]:
    return {
        "uuid": str(item.uuid),
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "visibility": item.visibility,
        "file_name": item.file_name,
        "content_type": item.content_type,
        "size": item.size,
        "file": files.add(item) if item.file else None,
        "url": item.url,
        "award": str(item.award.uuid) if item.award_id else None,
        "imported_badge": str(item.external_badge.uuid) if item.external_badge_id else None,
        "created": _when(item.created),
    }


def _attestation(attestation: Any) -> dict[str, Any]:
    return {
        "uuid": str(attestation.uuid),
        "supervisor_name": attestation.supervisor_name,
        "supervisor_email": attestation.supervisor_email,
        "supervisor_role": attestation.supervisor_role,
        "message": attestation.message,
        "state": attestation.state,
        "comment": attestation.comment,
        "requested_at": _when(attestation.requested_at),
        "expires_at": _when(attestation.expires_at),
        "answered_at": _when(attestation.answered_at),
    }


def _demonstration(demo: Any, files: _Files) -> dict[str, Any]:
    return {
        "uuid": str(demo.uuid),
        "competency": demo.competency.statement,
        "version": demo.number,
        "state": demo.state,
        "narrative": demo.narrative,
        "setting": {
            "organisation": demo.setting_organisation,
            "role": demo.setting_role,
            "kind": demo.setting_kind,
            "from": _when(demo.setting_start),
            "until": _when(demo.setting_end),
        },
        "created": _when(demo.created),
        "updated": _when(demo.updated),
        "submitted_at": _when(demo.submitted_at),
        "evidence": [_evidence(item, files) for item in demo.items.all()],
        "attestations": [_attestation(a) for a in demo.attestations.all()],
    }


def _reflection(reflection: Any) -> dict[str, Any]:
    return {
        "version": reflection.number,
        "state": reflection.state,
        "summary": reflection.summary,
        "share_summary": reflection.share_summary,
        "created": _when(reflection.created),
        "updated": _when(reflection.updated),
        "submitted_at": _when(reflection.submitted_at),
        "answers": [
            {"prompt": answer.prompt.text, "answer": answer.answer}
            for answer in reflection.answers.all()
        ],
    }


def _assessment(assessment: Any) -> dict[str, Any]:
    # The assessor is not named: the learner's data is the judgement, not who made it.
    return {
        "stage": assessment.stage,
        "decision": assessment.decision,
        "feedback": assessment.feedback,
        "created": _when(assessment.created),
        "scores": [
            {
                "competency": score.competency.statement,
                "level": score.level.name,
                "feedback": score.feedback,
            }
            for score in assessment.scores.all()
        ],
    }


def _submission(submission: Any) -> dict[str, Any]:
    return {
        "uuid": str(submission.uuid),
        "attempt": submission.number,
        "route": submission.route,
        "state": submission.state,
        "submitted_at": _when(submission.submitted_at),
        "decided_at": _when(submission.decided_at),
        "demonstrations": [str(demo.uuid) for demo in submission.demonstrations.all()],
        "reflection_version": submission.reflection.number,
        "award": str(submission.award.uuid) if submission.award_id else None,
        "assessments": [_assessment(a) for a in submission.assessments.all()],
    }


def _enrolments(user: Any, files: _Files) -> list[dict[str, Any]]:
    from mosaics.learning.models import Enrolment, EvidenceItem

    # A stored file is named after the first item that held it (revisions copy items).
    for item in (
        EvidenceItem.objects.filter(demonstration__enrolment__learner=user)
        .exclude(file="")
        .order_by("created", "id")
    ):
        files.add(item)

    enrolments = (
        Enrolment.objects.filter(learner=user)
        .select_related("micro_credential", "version", "award")
        .prefetch_related(
            "demonstrations__competency",
            "demonstrations__items__award",
            "demonstrations__items__external_badge",
            "demonstrations__attestations",
            "reflections__answers__prompt",
            "submissions__demonstrations",
            "submissions__reflection",
            "submissions__award",
            "submissions__assessments__scores__competency",
            "submissions__assessments__scores__level",
        )
        .order_by("requested_at", "id")
    )
    return [
        {
            "micro_credential": enrolment.micro_credential.slug,
            "title": enrolment.version.title,
            "version": enrolment.version.number,
            "route": enrolment.route,
            "state": enrolment.state,
            "requested_at": _when(enrolment.requested_at),
            "enrolled_at": _when(enrolment.enrolled_at),
            "withdrawn_at": _when(enrolment.withdrawn_at),
            "closed_at": _when(enrolment.closed_at),
            "award": str(enrolment.award.uuid) if enrolment.award is not None else None,
            "demonstrations": [_demonstration(d, files) for d in enrolment.demonstrations.all()],
            "reflections": [_reflection(r) for r in enrolment.reflections.all()],
            "submissions": [_submission(s) for s in enrolment.submissions.all()],
        }
        for enrolment in enrolments
    ]


def _awards(user: Any) -> list[dict[str, Any]]:
    from mosaics.awards.models import Award

    awards = (
        Award.objects.filter(learner=user)
        .select_related("version", "pathway", "issuer")
        .prefetch_related("evidence")
        .order_by("awarded_at", "id")
    )
    return [
        {
            "uuid": str(award.uuid),
            "title": award.title,
            "issuer": award.issuer.name,
            "recipient_email": award.recipient_email,
            "recipient_name": award.recipient_name,
            "recipient_did": award.recipient_did,
            "narrative": award.narrative,
            "awarded_at": _when(award.awarded_at),
            "valid_from": _when(award.valid_from),
            "valid_until": _when(award.valid_until),
            "status": award.status,
            "status_reason": award.status_reason,
            "claim": award.claim,
            "claimed_at": _when(award.claimed_at),
            "shared": award.shared,
            "evidence": [
                {
                    "name": item.name,
                    "description": item.description,
                    "narrative": item.narrative,
                    "url": item.url,
                    "genre": item.genre,
                    "private": item.private,
                }
                for item in award.evidence.all()
            ],
            "credential_file": f"credentials/{award.uuid}.json",
            "credential": award.credential,
        }
        for award in awards
    ]


def _imported_badges(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "uuid": str(badge.uuid),
            "format": badge.format,
            "title": badge.title,
            "issuer": badge.issuer_name,
            "issued_on": _when(badge.issued_on),
            "verified": badge.verified,
            "status": badge.status,
            "shared": badge.shared,
            "uploaded": _when(badge.uploaded),
            "credential": badge.credential,
            "uploaded_as": badge.payload,
        }
        for badge in user.external_badges.order_by("uploaded", "id")
    ]


def _collections(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "uuid": str(collection.uuid),
            "name": collection.name,
            "description": collection.description,
            "shared": collection.shared,
            "created": _when(collection.created),
            "updated": _when(collection.updated),
            "awards": [str(award.uuid) for award in collection.awards.all()],
            "imported_badges": [str(badge.uuid) for badge in collection.external_badges.all()],
        }
        for collection in user.collections.prefetch_related("awards", "external_badges")
    ]


def _activity(user: Any) -> list[dict[str, Any]]:
    from mosaics.audit.models import AuditEntry

    return [
        {
            "when": _when(entry.created),
            "action": entry.action,
            "target": entry.target,
            "details": entry.data,
        }
        for entry in AuditEntry.objects.filter(actor=user).order_by("created", "id")
    ]


def personal_data(user: Any) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """``data.json``'s content, and the evidence files to add as (path, EvidenceItem)."""
    files = _Files()
    data = {
        "format": FORMAT,
        "format_version": 1,
        "software": f"Mosaics {__version__}",
        "exported_at": _when(timezone.now()),
        "profile": _profile(user),
        "email_addresses": _email_addresses(user),
        "two_factor_authentication": _two_factor(user),
        "bound_dids": [
            {"did": bound.did, "bound_at": _when(bound.bound_at)} for bound in user.bound_dids.all()
        ],
        "enrolments": _enrolments(user, files),
        "awards": _awards(user),
        "imported_badges": _imported_badges(user),
        "collections": _collections(user),
        "activity": _activity(user),
    }
    return data, files.items


def _write_files(archive: zipfile.ZipFile, files: Iterable[tuple[str, Any]]) -> list[str]:
    missing = []
    for path, item in files:
        try:
            with item.file.open("rb") as source, archive.open(path, "w", force_zip64=True) as out:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
        except (FileNotFoundError, OSError):
            missing.append(path)
    return missing


def build_archive(user: Any) -> IO[bytes]:
    """The ZIP archive of `user`'s data, as a temporary file positioned at its start (the
    caller closes it; it disappears then)."""
    data, files = personal_data(user)
    out = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 — the caller closes it
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing = _write_files(archive, files)
        if missing:
            # A file gone from storage (removed by hand, lost in a restore) is said, not hidden.
            data["evidence_files_missing"] = missing
        for award in data["awards"]:
            archive.writestr(
                award["credential_file"],
                json.dumps(award["credential"], ensure_ascii=False, indent=2),
            )
        archive.writestr(
            "data.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
        )
    out.seek(0)
    return out


def archive_name(now: datetime | None = None) -> str:
    """The download's file name, e.g. ``mosaics-personal-data-2025-06-01.zip``."""
    return f"{FORMAT}-{timezone.localdate(now or timezone.now()).isoformat()}.zip"
