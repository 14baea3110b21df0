"""Background work for organisations, run after commit through Django's tasks API."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from mosaics.organisations import emails
from mosaics.organisations.models import Invitation


@task()
def send_invitation(invitation_id: int, language: str = "") -> bool:
    """E-mail the invitation link. The token is derived again here (see
    `actions.invitation_token`), so it never sits in the task queue. Does nothing (returns
    False) if the invitation is gone or no longer open, or if no current or fallback
    SECRET_KEY gives its token."""
    from mosaics.organisations.actions import invitation_token, token_hash

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return False
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        token = invitation_token(invitation, secret=secret)
        if token_hash(token) == invitation.token_hash:
            break
    else:
        return False
    with translation.override(language or None):
        emails.send_invitation(invitation, token)
    return True
