"""`{% two_factor_required as required %}`: whether the site requires the signed-in person to
use two-factor authentication (``MOSAICS_STAFF_TWO_FACTOR`` and a role it applies to)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from mosaics.accounts.middleware import two_factor_roles
from mosaics.organisations.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def two_factor_required(context: template.Context) -> bool:
    user: Any = context.get("user")
    if not getattr(settings, "MOSAICS_STAFF_TWO_FACTOR", False):
        return False
    if user is None or not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or Membership.objects.filter(user=user, role__in=two_factor_roles()).exists()
    )
