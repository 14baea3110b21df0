"""What the learner's evidence looks like outside the platform: the address a credential
names for each evidence item."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from mosaics.learning.models import EvidenceItem

__all__ = ["evidence_url"]


def evidence_url(item: EvidenceItem) -> str:
    """The address of an evidence item, for the award's credential: a link is its own
    address; a file is served by `learning:evidence_file` (to whoever may see it; to anyone
    once it is public and its badge is shared); a badge of ours is its public page; an
    imported badge is its own id when that is an https address. "" when there is none."""
    if item.kind == EvidenceItem.Kind.LINK:
        return item.url
    if item.kind == EvidenceItem.Kind.FILE:
        path = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
        return f"{settings.SITE_URL}{path}"
    if item.award_id is not None:
        path = reverse("awards:public", kwargs={"uuid": item.award.uuid})  # type: ignore[union-attr]
        return f"{settings.SITE_URL}{path}"
    if item.external_badge_id is not None:
        credential = item.external_badge.credential  # type: ignore[union-attr]
        identifier = credential.get("id") if isinstance(credential, dict) else None
        if isinstance(identifier, str) and identifier.startswith("https://"):
            return identifier
    return ""
