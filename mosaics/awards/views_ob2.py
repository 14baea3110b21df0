"""Public Open Badges 2.0 documents of awards: the hosted Assertion, the baked images and the
pathway BadgeClass. All public (the Assertion URL is what an OB 2.0 badge is), all CORS-open,
all read-only; an unknown award or pathway is a 404, and so is an award its learner has not
accepted (pending or declined: see `mosaics.awards.ob2`, "Who may see it")."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from mosaics.awards import ob2
from mosaics.awards.models import Award
from mosaics.pathways.models import Pathway

JSON_LD = "application/ld+json"
JSON = "application/json"
#: Baked SVGs are served like the catalogue's images: no script, no remote loads.
SVG_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
_IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _json(request: HttpRequest, document: Any, *, status: int = 200) -> HttpResponse:
    """JSON-LD by default; plain JSON for clients that prefer it. Anyone may read it (CORS);
    caches revalidate, so that a revocation shows at once."""
    wanted = request.get_preferred_type([JSON_LD, JSON])
    content_type = JSON if wanted == JSON else JSON_LD
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(
        body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8", status=status
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    patch_vary_headers(response, ["Accept"])
    return response


def _get_award(uuid: UUID) -> Award:
    """The award, once its learner has accepted it; 404 before (or after a decline)."""
    award = get_object_or_404(
        Award.objects.select_related(
            "version__micro_credential__issuer", "pathway__issuer", "issuer"
        ),
        uuid=uuid,
    )
    if not ob2.is_published(award):
        raise Http404
    return award


@require_safe
def assertion(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The hosted Assertion of an accepted award; 410 Gone with `revoked: true` once revoked
    (or while suspended)."""
    award = _get_award(uuid)
    if ob2.is_gone(award):
        return _json(request, ob2.revoked_document(award), status=410)
    return _json(request, ob2.assertion_document(award))


@require_safe
def baked(request: HttpRequest, uuid: UUID, ext: str) -> HttpResponse:
    """The badge image baked with the Assertion URL (PNG or SVG)."""
    if ext not in _IMAGE_TYPES:
        raise Http404
    award = _get_award(uuid)
    image_format: ob2.ImageFormat = "png" if ext == "png" else "svg"
    response = HttpResponse(ob2.baked_image(award, image_format), content_type=_IMAGE_TYPES[ext])
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=3600"
    if ext == "svg":
        response["Content-Security-Policy"] = SVG_IMAGE_POLICY
    return response


@require_safe
def pathway_badgeclass(request: HttpRequest, slug: str) -> HttpResponse:
    """A pathway's OB 2.0 BadgeClass: once published (and still after it is retired, so that
    the awards made meanwhile keep verifying). Never a draft's."""
    pathway = get_object_or_404(
        Pathway.objects.select_related("issuer").exclude(state=Pathway.State.DRAFT), slug=slug
    )
    return _json(request, ob2.pathway_badgeclass_document(pathway))
