"""Background work for organisations, run after commit through Django's tasks API."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from mosaics.organisations import emails
from mosaics.organisations.models import Invitation


@task()
def send_invitation(invitation_id: int, token: str, language: str = "") -> bool:
    """E-mail the invitation link. Does nothing (returns False) if the invitation is gone, no
    longer open, or the token is not its own."""
    from mosaics.organisations.actions import token_hash

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open or invitation.token_hash != token_hash(token):
        return False
    with translation.override(language or None):
        emails.send_invitation(invitation, token)
    return True
