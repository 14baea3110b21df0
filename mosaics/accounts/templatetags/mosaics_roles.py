"""`{% role_flags as flags %}`: what the navigation offers the signed-in person."""

from __future__ import annotations

from typing import Any

from django import template

from mosaics.organisations import permissions
from mosaics.organisations.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def role_flags(context: template.Context) -> dict[str, bool]:
    """{"staff": holds any role (or is a platform admin), "endorser": endorses for a partner,
    "assessor": assesses submissions}.
    Computed once per request."""
    request = context.get("request")
    user: Any = context.get("user") or getattr(request, "user", None)
    cached = getattr(request, "_mosaics_role_flags", None) if request is not None else None
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    flags = {
        "staff": permissions.is_staff_member(user),
        "endorser": permissions.organisations_where(user, Role.ENDORSER).exists(),
        "assessor": permissions.assessing_organisations(user).exists(),
    }
    if request is not None:
        request._mosaics_role_flags = flags
    return flags
