"""E-mail to learners about their awards (templates under templates/awards/email/)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from mosaics.awards.models import Award


def _language(award: Award) -> str | None:
    learner = award.learner
    return (getattr(learner, "preferred_language", "") or None) if learner else None


def send_award(award: Award) -> int:
    """The claim e-mail: what was awarded, by whom, and the claim link."""
    from mosaics.awards.actions import claim_url

    with translation.override(_language(award)):
        context = {"award": award, "claim_url": claim_url(award), "site_url": settings.SITE_URL}
        subject = render_to_string("awards/email/award_subject.txt", context).strip()
        body = render_to_string("awards/email/award_body.txt", context)
    return send_mail(subject, body, None, [award.recipient_email])


def send_status(award: Award) -> int:
    """Revoked, suspended or reinstated, with the reason."""
    with translation.override(_language(award)):
        context = {"award": award, "site_url": settings.SITE_URL}
        subject = render_to_string("awards/email/status_subject.txt", context).strip()
        body = render_to_string("awards/email/status_body.txt", context)
    return send_mail(subject, body, None, [award.recipient_email])
