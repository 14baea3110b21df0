"""Helpers for the lifecycle, gates and versions tests: a design that meets every framework
gate, a current endorsement, and the design page to come back to after each action.

While the authoring side's design page (`catalogue:design`) is not yet wired in, the
`design_page` fixture serves a stand-in that shows the same partials, so the tests read the
same messages and buttons either way.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse
from django.utils import timezone
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.catalogue import gates
from mosaics.catalogue.documents import content_digest
from mosaics.catalogue.models import Version
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from tests import factories as f

_STAND_IN = """{% extends "base.html" %}{% block content %}<h1>{{ version.title }}</h1>
{% include "catalogue/_checklist.html" %}{% include "catalogue/_lifecycle.html" %}
{% endblock %}"""


def _stand_in_design(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = get_object_or_404(Version, micro_credential__slug=slug, number=number)
    template = engines["django"].from_string(_STAND_IN)
    context = {
        "version": version,
        "micro_credential": version.micro_credential,
        "checklist": gates.evaluate(version),
        "can": {},
    }
    return HttpResponse(template.render(context, request))


def _urlpatterns() -> list[URLPattern | URLResolver]:
    from mosaics import urls as root
    from mosaics.catalogue import urls as catalogue

    stand_in = path("design/<slug:slug>/v<int:number>", _stand_in_design, name="design")
    patterns: list[URLPattern | URLResolver] = []
    for pattern in root.urlpatterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "catalogue":
            patterns.append(path("", include(([*catalogue.urlpatterns, stand_in], "catalogue"))))
        else:
            patterns.append(pattern)
    return patterns


urlpatterns = _urlpatterns()


@pytest.fixture
def design_page(settings: Any) -> None:
    """The real design page when it exists; the stand-in otherwise."""
    try:
        reverse("catalogue:design", kwargs={"slug": "x", "number": 1})
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


def design_url(version: Version) -> str:
    return reverse(
        "catalogue:design", kwargs={"slug": version.micro_credential.slug, "number": version.number}
    )


def step_url(name: str, version: Version) -> str:
    return reverse(
        f"catalogue:{name}",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (11, 92, 173)).save(buffer, format="PNG")
    return buffer.getvalue()


def endorse(version: Version, world: Any, **extra: Any) -> Endorsement:
    """A current endorsement of the design as it is now, made directly (signing belongs to
    the endorsements app)."""
    request = EndorsementRequest.objects.create(
        version=version,
        partner=world.partner,
        state=EndorsementRequest.State.ENDORSED,
        decided_at=timezone.now(),
    )
    values: dict[str, Any] = {
        "request": request,
        "version": version,
        "endorser": world.endorser_profile,
        "statement": "We need people with these skills.",
        "credential_id": f"urn:uuid:{uuid.uuid4()}",
        "credential": {},
        "content_digest": content_digest(version),  # signed over the design as it is now
        "valid_from": timezone.now() - timedelta(days=1),
        "valid_until": timezone.now() + timedelta(days=365),
    }
    values.update(extra)
    return Endorsement.objects.create(**values)


def make_design(world: Any, *, state: str = Version.State.DRAFT, **fields: Any) -> Version:
    micro_credential = f.MicroCredentialFactory(issuer=world.issuer, created_by=world.designer)
    values: dict[str, Any] = {
        "micro_credential": micro_credential,
        "state": state,
        "created_by": world.designer,
    }
    values.update(fields)
    return f.VersionFactory(**values)


def make_complete(version: Version, world: Any, *, endorsed: bool = True) -> Version:
    """Fill `version` so that every framework gate holds."""
    f.complete_competency(version, "Analyse a data set with statistical software")
    f.ReflectionPromptFactory(version=version)
    version.goals.add(world.goal)
    version.image.save("badge.png", ContentFile(png_bytes()), save=False)
    version.image_alt = "A blue mosaic tile with a bar chart"
    version.tags = ["statistics", "SAS"]
    version.field_of_study = "Data Analytics"
    version.save()
    if endorsed:
        endorse(version, world)
    return version


def audit_count() -> int:
    return AuditEntry.objects.count()
