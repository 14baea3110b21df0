"""E-mails sent by the organisations workflows (plain text and HTML, translatable templates)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from mosaics.organisations.models import Invitation


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("organisations:invitation", kwargs={"token": token})


def send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "accept_url": invitation_url(token),
        "SITE_URL": settings.SITE_URL,
    }
    subject = render_to_string("organisations/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("organisations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("organisations/email/invitation.html", context), "text/html"
    )
    message.send()
