"""Building published micro-credentials for the public catalogue tests (no tests here)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mosaics.catalogue.actions.lifecycle import search_text
from mosaics.catalogue.models import Version
from mosaics.endorsements.actions import endorsement_sign
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.issuance.actions import key_ensure
from tests import factories as f


def design(world: Any, *, issuer: Any = None, competencies: int = 1, **fields: Any) -> Version:
    """A draft that meets the framework (competencies, a reflection prompt, a goal)."""
    version = f.VersionFactory(micro_credential__issuer=issuer or world.issuer, **fields)
    for i in range(competencies):
        f.complete_competency(version, statement=f"Analyse a data set {i}")
    f.ReflectionPromptFactory(version=version)
    version.goals.add(world.goal)
    return version


def endorse(
    world: Any, version: Version, *, partner: Any = None, endorser: Any = None
) -> Endorsement:
    """A real signed endorsement of `version` by the partner (Prairie Analytics by default)."""
    partner = partner or world.partner
    profile = partner.issuers.get()
    key_ensure(issuer=profile, actor=world.platform_admin)
    request = EndorsementRequest.objects.create(
        version=version, partner=partner, requested_by=world.tlc_admin
    )
    return endorsement_sign(
        actor=endorser or world.endorser,
        request=request,
        statement="Exactly the skills our analysts need.",
    )


def publish(version: Version) -> Version:
    """Publish as the lifecycle does (state, date and the search text)."""
    version.state = Version.State.PUBLISHED
    version.published_at = timezone.now()
    version.search_text = search_text(version)
    version.save(update_fields=["state", "published_at", "search_text"])
    return version


def published(world: Any, **fields: Any) -> Version:
    return publish(design(world, **fields))
