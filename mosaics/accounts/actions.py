"""Account workflows: binding and unbinding a DID (`BoundDid`).

A bound DID is what new awards name as their credential subject (`award_issue` reads the most
recently bound one); awards made before keep the identity they were signed with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from mosaics.accounts.did import DidProofRefused, verify_did_proof
from mosaics.accounts.models import BoundDid
from mosaics.audit.log import record

__all__ = ["DidProofRefused", "did_bind", "did_unbind"]


@transaction.atomic
def did_bind(*, actor: Any, response: str, challenge: str, now: datetime | None = None) -> BoundDid:
    """Bind the did:key that signed `challenge` (in `response`) to `actor`'s account.

    Binding a DID again makes it the one new awards use. Raises `DidProofRefused` when the
    response does not prove control of a did:key over this challenge."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    did = verify_did_proof(response, challenge=challenge, now=now)
    bound, created = BoundDid.objects.get_or_create(user=actor, did=did)
    if not created:
        # auto_now_add keeps the first date; the latest binding is the one awards use.
        BoundDid.objects.filter(pk=bound.pk).update(bound_at=timezone.now())
        bound.refresh_from_db()
    record(actor=actor, action="accounts.did_bind", target=bound, did=did, again=not created)
    return bound


@transaction.atomic
def did_unbind(*, actor: Any, bound: BoundDid) -> None:
    """Forget a bound DID. Awards already made to it keep it (they are signed)."""
    if actor is None or not actor.is_authenticated or bound.user_id != actor.pk:
        raise PermissionDenied
    record(actor=actor, action="accounts.did_unbind", target=bound, did=bound.did)
    bound.delete()
