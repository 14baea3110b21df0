"""E-mail to learners about their awards (plain text and HTML, translatable templates under
templates/awards/email/), in the learner's language when they have an account.

The workflows queue these through the notification outbox (`mosaics.awards.notifications`:
sent after commit, retried when sending fails). The functions here send one at once, from the
same templates and context; they serve the tasks queued before the outbox existed.

The claim e-mail goes to the address the award was made to — the one the learner must prove
they receive mail at — with the claim link (its token is derived, never stored or queued)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from mosaics.awards import notifications
from mosaics.awards.models import Award
from mosaics.notifications import registry
from mosaics.notifications.outbox import render


def _send(award: Award, kind_name: str) -> int:
    kind = registry.get(kind_name)
    assert kind is not None
    context = kind.context(award)
    if context is None:
        return 0
    subject, body, html = render(kind, context, notifications.language(award))
    message = EmailMultiAlternatives(subject, body, None, [award.recipient_email])
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message.send()


def send_award(award: Award) -> int:
    """The claim e-mail: what was awarded, by whom, and the claim link (nothing once the
    learner has answered)."""
    return _send(award, notifications.AWARD)


def send_status(award: Award) -> int:
    """Revoked, suspended or reinstated, with the reason and the way to the badge."""
    return _send(award, notifications.STATUS)
