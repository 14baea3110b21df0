"""The holder's choices about who sees what of their award.

- `award_share` — turn the public badge page on or off (only an accepted award can be shown);
- `award_evidence_privacy` — mark one piece of evidence private (never on a public page) or
  public again.

The signed credential is not touched: it is the learner's to hand out, and it says the same
whatever they choose here. Both workflows are atomic, check their actor and are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.awards.actions import AwardRefused
from mosaics.awards.models import Award, AwardEvidence
from mosaics.organisations import permissions

__all__ = ["award_evidence_privacy", "award_share"]


def _lock(award: Award) -> Award:
    return Award.objects.select_for_update(of=("self",)).get(pk=award.pk)


def _require_holder(actor: Any, award: Award) -> None:
    if not permissions.is_award_holder(actor, award):
        raise PermissionDenied


@transaction.atomic
def award_share(*, actor: Any, award: Award, shared: bool) -> Award:
    """Show (``shared=True``) or hide the award's public badge page. Only the holder may, and
    only once they have accepted the badge. Hiding is always possible."""
    award = _lock(award)
    _require_holder(actor, award)
    shared = bool(shared)
    if shared and award.claim != Award.Claim.ACCEPTED:
        raise AwardRefused(
            _("Accept the badge first: only a badge in your mosaic can be shared."),
            code="not_accepted",
        )
    if award.shared == shared:
        return award
    award.shared = shared
    award.save(update_fields=["shared"])
    record(
        actor=actor,
        action="awards.share" if shared else "awards.unshare",
        target=award,
        organisation=None,
        shared=shared,
    )
    return award


@transaction.atomic
def award_evidence_privacy(
    *, actor: Any, award: Award, evidence: AwardEvidence | int, private: bool
) -> AwardEvidence:
    """Mark one piece of the award's evidence private (no public page shows it) or public.
    `evidence` must belong to `award`."""
    award = _lock(award)
    _require_holder(actor, award)
    evidence_pk = evidence.pk if isinstance(evidence, AwardEvidence) else evidence
    item = (
        AwardEvidence.objects.select_for_update().filter(award=award, pk=evidence_pk).first()
        if isinstance(evidence_pk, int)
        else None
    )
    if item is None:
        raise AwardRefused(_("This evidence is not part of this badge."), code="evidence")
    private = bool(private)
    if item.private == private:
        return item
    item.private = private
    item.save(update_fields=["private"])
    record(
        actor=actor,
        action="awards.evidence_private" if private else "awards.evidence_public",
        target=award,
        organisation=None,
        evidence=item.pk,
        private=private,
    )
    return item
