"""What the learning workflows share: the refusal error, text checks, audit and locks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from mosaics.vc.limits import contains_nul

MAX_TEXT = 20_000
MAX_SHORT = 200


class LearningRefused(ValidationError):
    """The step cannot be taken; the message says why in the learner's (or assessor's)
    words. Views show it and keep what was typed."""


def refuse(message: str, code: str) -> LearningRefused:
    return LearningRefused(message, code=code)


def text(value: Any, *, what: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    """`value` as trimmed text, refused when too long, holding NUL, or missing if required."""
    result = str(value if value is not None else "").strip()
    if contains_nul(result):
        raise refuse(
            _("%(what)s contains a character that cannot be stored.") % {"what": what},
            "nul",
        )
    if len(result) > limit:
        raise refuse(
            _("%(what)s is too long (at most %(limit)d characters).")
            % {"what": what, "limit": limit},
            "too_long",
        )
    if required and not result:
        raise refuse(_("%(what)s is required.") % {"what": what}, "required")
    return result


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def learner_language(user: Any) -> str:
    return getattr(user, "preferred_language", "") or ""


def learner_email(user: Any) -> str:
    """The person's primary verified address (where the journey's e-mails go)."""
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "id").first()
    )
    return address.email if address is not None else (user.email or "")
