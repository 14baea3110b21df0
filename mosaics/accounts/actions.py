"""Account workflows: binding and unbinding a DID (`BoundDid`).

A bound DID is what new awards name as their credential subject (`award_issue` reads the most
recently bound one); awards made before keep the identity they were signed with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.accounts.did import DidProofRefused, verify_did_proof
from mosaics.accounts.models import BoundDid
from mosaics.audit.log import record

__all__ = ["DidProofRefused", "did_bind", "did_unbind"]


@transaction.atomic
def did_bind(*, actor: Any, response: str, challenge: str, now: datetime | None = None) -> BoundDid:
    """Bind the did:key that signed `challenge` (in `response`) to `actor`'s account.

    A DID is bound to one account at most. Binding it again to the same account is no error:
    the binding is kept (one row) and becomes the one new awards use. Raises `DidProofRefused`
    when the response does not prove control of a did:key over this challenge, when the DID is
    bound to another account, and when badges awarded to another account already name it (so
    that a DID lent for a while cannot carry someone else's badges into this account)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    did = verify_did_proof(response, challenge=challenge, now=now)
    if BoundDid.objects.filter(did=did).exclude(user=actor).exists():
        raise _taken()
    _refuse_if_others_awards_name(did, actor)
    try:
        with transaction.atomic():
            bound, created = BoundDid.objects.get_or_create(user=actor, did=did)
    except IntegrityError:
        # Another account bound it between our check and our insert (the unique constraint).
        raise _taken() from None
    if not created:
        # auto_now_add keeps the first date; the latest binding is the one awards use.
        BoundDid.objects.filter(pk=bound.pk).update(bound_at=timezone.now())
        bound.refresh_from_db()
    record(actor=actor, action="accounts.did_bind", target=bound, did=did, again=not created)
    return bound


def _taken() -> DidProofRefused:
    return DidProofRefused(_("This DID is already bound to another account."), code="did_taken")


def _refuse_if_others_awards_name(did: str, actor: Any) -> None:
    from mosaics.awards.models import Award

    if Award.objects.filter(recipient_did=did).exclude(learner=actor).exists():
        raise DidProofRefused(
            _(
                "Badges awarded to another account already name this DID, so it cannot be "
                "bound to yours."
            ),
            code="did_named_by_others",
        )


@transaction.atomic
def did_unbind(*, actor: Any, bound: BoundDid) -> None:
    """Forget a bound DID. Awards already made to it keep it (they are signed)."""
    if actor is None or not actor.is_authenticated or bound.user_id != actor.pk:
        raise PermissionDenied
    record(actor=actor, action="accounts.did_unbind", target=bound, did=bound.did)
    bound.delete()
