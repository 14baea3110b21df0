"""E-mails sent by the endorsement workflows (plain text and HTML, translatable templates).

Each e-mail goes to one side of a request's conversation: the partner's endorsers, or the
institution's people working on the design (who asked, who wrote it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from mosaics.accounts.models import User
from mosaics.endorsements.models import EndorsementRequest
from mosaics.organisations import permissions
from mosaics.organisations.models import Role


def request_url(request: EndorsementRequest) -> str:
    return settings.SITE_URL + reverse("endorsements:request", kwargs={"pk": request.pk})


def partner_recipients(request: EndorsementRequest) -> list[Any]:
    """The partner's endorsers (active, with an e-mail address)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=request.partner,
            memberships__role=Role.ENDORSER,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def institution_recipients(request: EndorsementRequest) -> list[Any]:
    """Who asked for the endorsement and who wrote the version, while they may still act on it."""
    version = request.version
    candidates = [request.requested_by, version.created_by, *version.contributors.all()]
    seen: set[int] = set()
    people = []
    for user in candidates:
        if user is None or user.pk in seen or not user.email:
            continue
        seen.add(user.pk)
        if permissions.can_request_endorsement(user, version):
            people.append(user)
    return people


def send(
    template: str,
    *,
    recipients: Iterable[Any],
    request: EndorsementRequest,
    exclude: Any = None,
    **extra: Any,
) -> int:
    """Render `endorsements/email/<template>{_subject.txt,.txt,.html}` and send one message to
    each recipient (nobody sees the others' addresses). Returns how many were sent."""
    context = {
        "request": request,
        "version": request.version,
        "partner": request.partner,
        "institution": request.version.micro_credential.issuer.organisation,
        "request_url": request_url(request),
        "SITE_URL": settings.SITE_URL,
        **extra,
    }
    subject = " ".join(
        render_to_string(f"endorsements/email/{template}_subject.txt", context).split()
    )
    body = render_to_string(f"endorsements/email/{template}.txt", context)
    html = render_to_string(f"endorsements/email/{template}.html", context)
    sent = 0
    for user in recipients:
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
        message.attach_alternative(html, "text/html")
        message.send()
        sent += 1
    return sent
