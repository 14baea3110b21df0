"""What an award looks like on the wire: the OB 3.0 OpenBadgeCredential built from an `Award`.

The unsigned document is built once, when the award is made, and signed with eddsa-rdfc-2022;
the same unsigned document (the stored credential without its proof) is what the other forms
(eddsa-jcs-2022, VC-JWT) sign on request, so every form says exactly the same thing.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mosaics.awards.models import Award, AwardEvidence, AwardResult
from mosaics.catalogue.documents import achievement_document, achievement_id, image_url
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.vc import ob3, statuslist

__all__ = [
    "award_url",
    "credential_document",
    "public_url",
    "status_entries",
    "subject_achievement",
    "unsigned_credential",
]


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def award_url(award: Award) -> str:
    """The award's own page (the learner's and staff's view)."""
    return _absolute(reverse("awards:detail", kwargs={"uuid": award.uuid}))


def public_url(award: Award) -> str:
    """The public badge page (answers only once the learner shares the badge)."""
    return _absolute(reverse("awards:public", kwargs={"uuid": award.uuid}))


def subject_achievement(award: Award) -> dict[str, Any]:
    """The Achievement the award is for, ready to embed (with the endorsements in force)."""
    if award.version is not None:
        return achievement_document(award.version, with_context=False)
    from mosaics.pathways.documents import pathway_achievement

    assert award.pathway is not None
    return pathway_achievement(award.pathway, with_context=False)


def status_entries(award: Award) -> list[dict[str, Any]]:
    """The two BitstringStatusListEntry objects: revocation, then suspension."""
    entries = []
    for entry in (award.revocation_entry, award.suspension_entry):
        status_list = entry.status_list
        entries.append(
            statuslist.status_entry(
                issuance.status_list_url(status_list), entry.index, purpose=status_list.purpose
            )
        )
    return entries


def _evidence(items: Sequence[AwardEvidence]) -> list[dict[str, Any]]:
    return [
        ob3.evidence(
            id=item.url or None,
            name=item.name,
            description=item.description or None,
            narrative=item.narrative or None,
            genre=item.genre or None,
        )
        for item in items
    ]


def _results(achievement: dict[str, Any], results: Sequence[AwardResult]) -> list[dict[str, Any]]:
    aid = achievement["id"]
    documents = []
    for result in results:
        base = f"{aid}#competency-{result.competency_id}"
        documents.append(
            ob3.result(
                result_description=base,
                achieved_level=None
                if result.level_id is None
                else f"{base}-level-{result.level_id}",
                status="Completed",
            )
        )
    return documents


def unsigned_credential(
    award: Award,
    *,
    achievement: dict[str, Any],
    evidence: Sequence[AwardEvidence],
    results: Sequence[AwardResult],
) -> dict[str, Any]:
    """The OpenBadgeCredential for `award` (without proof). The recipient is the learner's
    bound DID when there is one, else their e-mail address as a salted SHA-256 IdentityObject
    (OB §B.1.11), so the address itself never appears."""
    if award.recipient_did:
        subject_id: str | None = award.recipient_did
        identifier = None
    else:
        subject_id = None
        identifier = [
            ob3.identity_object(
                identity=award.recipient_email,
                identity_type="emailAddress",
                salt=award.identity_salt,
            )
        ]
    subject = ob3.achievement_subject(
        id=subject_id,
        identifier=identifier,
        achievement=achievement,
        result=_results(achievement, results) or None,
        narrative=award.narrative or None,
    )
    picture = achievement.get("image")
    language = (award.version.language if award.version is not None else "") or None
    with translation.override(language):
        description = achievement.get("description") or None
    document = ob3.achievement_credential(
        id=award.credential_id,
        issuer=signing.profile_document(award.issuer, with_context=False),
        credential_subject=subject,
        name=achievement["name"],
        description=description,
        valid_from=award.valid_from,
        valid_until=award.valid_until,
        awarded_date=award.awarded_at,
        image=picture if isinstance(picture, dict) else None,
        evidence=_evidence(evidence) or None,
    )
    # VC 2.0 §4.10: one entry per purpose (OB 3.0's schema describes one object; every entry
    # has that shape, and our verifier checks them one by one).
    document["credentialStatus"] = status_entries(award)
    return document


def credential_document(award: Award, *, signed: bool = True) -> dict[str, Any]:
    """The stored eddsa-rdfc-2022 credential, or (``signed=False``) the same without proof."""
    document: dict[str, Any] = copy.deepcopy(award.credential)
    if not signed:
        document.pop("proof", None)
    return document


def proof_created(award: Award) -> datetime:
    """When the award was signed: every form of it carries this proof date."""
    return award.awarded_at


def version_image_url(award: Award) -> str | None:
    if award.version is not None:
        return image_url(award.version)
    return None


def achievement_page(award: Award) -> str:
    """The public page of what was achieved (the catalogue version or the pathway)."""
    if award.version is not None:
        return achievement_id(award.version)
    from mosaics.pathways.documents import pathway_achievement_id

    assert award.pathway is not None
    return pathway_achievement_id(award.pathway)
