"""`{% load endorsements %}`: what the design page's endorsement panel shows."""

from __future__ import annotations

from typing import Any

from django import template

from mosaics.catalogue.documents import content_digest
from mosaics.catalogue.models import Version
from mosaics.endorsements import actions
from mosaics.endorsements.forms import RequestSendForm
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.endorsements.views import endorsement_state
from mosaics.organisations import permissions

register = template.Library()


@register.simple_tag
def endorsement_panel(version: Version, user: Any) -> dict[str, Any]:
    """The requests and endorsements of `version` that `user` may see (all of them for the
    design team; a partner's endorsers see only their own partner's), and the invitation form
    when the user may invite."""
    requests = EndorsementRequest.objects.filter(version=version).select_related("partner")
    endorsements = Endorsement.objects.filter(version=version).select_related(
        "endorser", "request__partner"
    )
    if not actions.is_design_team(user, version):
        partners = actions.endorsing_partners(user)
        requests = requests.filter(partner__in=partners)
        endorsements = endorsements.filter(request__partner__in=partners)
    shown = list(endorsements.order_by("-created", "-pk"))
    digest = content_digest(version) if shown else None
    for endorsement in shown:
        endorsement.state = endorsement_state(endorsement, digest=digest)  # type: ignore[attr-defined]
    can_request = permissions.can_request_endorsement(user, version) and version.state not in (
        Version.State.SUPERSEDED,
        Version.State.RETIRED,
    )
    return {
        "requests": list(requests.order_by("-created", "-pk")),
        "endorsements": shown,
        "form": RequestSendForm(auto_id="endorsement-request-%s") if can_request else None,
    }
