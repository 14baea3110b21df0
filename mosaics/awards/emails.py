"""E-mail to learners about their awards (plain text and HTML, translatable templates under
templates/awards/email/), in the learner's language when they have an account.

The claim e-mail goes to the address the award was made to — the one the learner must prove
they receive mail at — with the claim link (its token is derived, never stored or queued)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from mosaics.awards.models import Award


def _language(award: Award) -> str | None:
    learner = award.learner
    return (getattr(learner, "preferred_language", "") or None) if learner else None


def _summary(award: Award) -> str:
    achievement = award.version if award.version_id is not None else award.pathway
    return getattr(achievement, "summary", "") or ""


def _send(award: Award, template: str, context: dict[str, Any], *, html: bool) -> int:
    with translation.override(_language(award)):
        context = {"award": award, "site_url": settings.SITE_URL, **context}
        subject = " ".join(
            render_to_string(f"awards/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"awards/email/{template}_body.txt", context)
        html_body = (
            render_to_string(f"awards/email/{template}_body.html", context) if html else None
        )
    message = EmailMultiAlternatives(subject, body, None, [award.recipient_email])
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    return message.send()


def send_award(award: Award) -> int:
    """The claim e-mail: what was awarded, by whom, and the claim link."""
    from mosaics.awards.actions import claim_url

    return _send(
        award,
        "award",
        {"claim_url": claim_url(award), "summary": _summary(award)},
        html=True,
    )


def send_status(award: Award) -> int:
    """Revoked, suspended or reinstated, with the reason and the way to the badge."""
    from mosaics.awards.actions import claim_url
    from mosaics.awards.documents import award_url

    context = (
        {"award_url": award_url(award)}
        if award.learner_id is not None
        else {"claim_url": claim_url(award)}
    )
    return _send(award, "status", context, html=False)
