"""allauth's signals → awards: an address someone has just proved they receive mail at brings
them the awards made to it (`actions.awards_attach`).

Only verified addresses count: `email_confirmed` is sent once allauth has marked the address
verified, and at sign-up only the addresses already verified then (for example one confirmed
by code in the same session) are used. The work itself is the action; these receivers only
connect it.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up


def attach_on_email_confirmed(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    from mosaics.awards.actions import awards_attach

    if email_address.verified and email_address.user_id is not None:
        awards_attach(user=email_address.user, email=email_address.email)


def attach_on_signed_up(sender: Any, user: Any, **kwargs: Any) -> None:
    from mosaics.awards.actions import awards_attach

    for address in EmailAddress.objects.filter(user=user, verified=True):
        awards_attach(user=user, email=address.email)


def connect() -> None:
    email_confirmed.connect(attach_on_email_confirmed, dispatch_uid="mosaics.awards.attach")
    user_signed_up.connect(attach_on_signed_up, dispatch_uid="mosaics.awards.attach_signup")
