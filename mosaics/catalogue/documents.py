"""Machine-readable forms of a design: its OB 3.0 Achievement and OB 2.0 BadgeClass."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from mosaics.catalogue.models import Version


def achievement_id(version: Version) -> str:
    """The Achievement's id: the stable https URL of this exact version (immutable once
    published). Endorsements and awards refer to it."""
    return settings.SITE_URL + reverse(
        "catalogue:version",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )
