"""Collections: sets of the learner's badges they can share at one address or export as a CLR.

Every workflow is atomic and audited and checks its actor: only the collection's owner may
change it, and only their own badges — awards that are theirs and accepted (never declined),
and imported badges that verified — can be put in it. Declining an award takes it out of every
collection (`mosaics.awards.actions.award_decline`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.awards.models import Award
from mosaics.portfolio.models import Collection, ExternalBadge

__all__ = [
    "MAX_COLLECTIONS",
    "CollectionRefused",
    "collection_add",
    "collection_create",
    "collection_delete",
    "collection_remove",
    "collection_share",
    "collection_update",
    "in_collection_awards",
]

MAX_NAME = 200
MAX_DESCRIPTION = 5_000
#: Most collections one learner may have (a bound on what one account can make us store).
MAX_COLLECTIONS = 100


class CollectionRefused(ValidationError):
    """The change cannot be made; the message says why in plain words."""


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _lock(collection: Collection, actor: Any) -> Collection:
    if not _authenticated(actor):
        raise PermissionDenied
    locked = Collection.objects.select_for_update().filter(pk=collection.pk).first()
    if locked is None or locked.owner_id != actor.pk:
        raise PermissionDenied
    return locked


def _details(name: Any, description: Any) -> tuple[str, str]:
    name = str(name or "").replace("\x00", "").strip()
    description = str(description or "").replace("\x00", "").strip()
    if not name:
        raise CollectionRefused(_("Give the collection a name."), code="name")
    if len(name) > MAX_NAME:
        raise CollectionRefused(
            _("The name is too long (at most %(limit)d characters).") % {"limit": MAX_NAME},
            code="too_long",
        )
    if len(description) > MAX_DESCRIPTION:
        raise CollectionRefused(
            _("The description is too long (at most %(limit)d characters).")
            % {"limit": MAX_DESCRIPTION},
            code="too_long",
        )
    return name, description


def in_collection_awards(user: Any) -> Any:
    """The awards `user` may put in a collection: theirs, accepted (so never declined)."""
    return Award.objects.filter(learner=user, claim=Award.Claim.ACCEPTED)


@transaction.atomic
def collection_create(*, actor: Any, name: str, description: str = "") -> Collection:
    if not _authenticated(actor):
        raise PermissionDenied
    name, description = _details(name, description)
    # Count under a lock on the learner's row so two requests cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    if Collection.objects.filter(owner=actor).count() >= MAX_COLLECTIONS:
        raise CollectionRefused(
            _("You have %(limit)d collections, the most there can be. Delete one first.")
            % {"limit": MAX_COLLECTIONS},
            code="too_many",
        )
    collection = Collection.objects.create(owner=actor, name=name, description=description)
    record(actor=actor, action="portfolio.collection_create", target=collection, name=name)
    return collection


@transaction.atomic
def collection_update(
    *, actor: Any, collection: Collection, name: str, description: str = ""
) -> Collection:
    collection = _lock(collection, actor)
    name, description = _details(name, description)
    collection.name = name
    collection.description = description
    collection.save(update_fields=["name", "description", "updated"])
    record(actor=actor, action="portfolio.collection_update", target=collection, name=name)
    return collection


@transaction.atomic
def collection_delete(*, actor: Any, collection: Collection) -> None:
    collection = _lock(collection, actor)
    record(
        actor=actor,
        action="portfolio.collection_delete",
        target=collection,
        name=collection.name,
        uuid=str(collection.uuid),
    )
    collection.delete()


@transaction.atomic
def collection_share(*, actor: Any, collection: Collection, shared: bool) -> Collection:
    """Make the collection's public page visible (or hide it again)."""
    collection = _lock(collection, actor)
    if collection.shared != bool(shared):
        collection.shared = bool(shared)
        collection.save(update_fields=["shared", "updated"])
        record(
            actor=actor,
            action="portfolio.collection_share",
            target=collection,
            shared=collection.shared,
        )
    return collection


def _own_award(actor: Any, award: Award) -> Award:
    locked = (
        Award.objects.select_for_update(of=("self",))
        .filter(pk=award.pk, learner=actor, claim=Award.Claim.ACCEPTED)
        .first()
    )
    if locked is None:
        raise CollectionRefused(
            _("Only badges you hold and have accepted can be put in a collection."),
            code="not_yours",
        )
    return locked


def _own_badge(actor: Any, badge: ExternalBadge) -> ExternalBadge:
    found = ExternalBadge.objects.filter(pk=badge.pk, owner=actor, verified=True).first()
    if found is None:
        raise CollectionRefused(
            _("Only badges you imported and that verified can be put in a collection."),
            code="not_yours",
        )
    return found


@transaction.atomic
def collection_add(
    *,
    actor: Any,
    collection: Collection,
    awards: list[Award] | tuple[Award, ...] = (),
    external_badges: list[ExternalBadge] | tuple[ExternalBadge, ...] = (),
) -> Collection:
    """Put the actor's own badges in their collection (those already in it stay once)."""
    collection = _lock(collection, actor)
    own_awards = [_own_award(actor, award) for award in awards]
    own_badges = [_own_badge(actor, badge) for badge in external_badges]
    if not own_awards and not own_badges:
        raise CollectionRefused(_("Choose at least one badge to add."), code="empty")
    collection.awards.add(*own_awards)
    collection.external_badges.add(*own_badges)
    collection.save(update_fields=["updated"])
    record(
        actor=actor,
        action="portfolio.collection_add",
        target=collection,
        awards=[str(a.uuid) for a in own_awards],
        external_badges=[str(b.uuid) for b in own_badges],
    )
    return collection


@transaction.atomic
def collection_remove(
    *,
    actor: Any,
    collection: Collection,
    awards: list[Award] | tuple[Award, ...] = (),
    external_badges: list[ExternalBadge] | tuple[ExternalBadge, ...] = (),
) -> Collection:
    """Take badges out of the actor's collection (the badges themselves are untouched)."""
    collection = _lock(collection, actor)
    award_ids = set(
        collection.awards.filter(pk__in=[a.pk for a in awards]).values_list("pk", flat=True)
    )
    badge_ids = set(
        collection.external_badges.filter(pk__in=[b.pk for b in external_badges]).values_list(
            "pk", flat=True
        )
    )
    if not award_ids and not badge_ids:
        raise CollectionRefused(_("That badge is not in this collection."), code="not_in")
    collection.awards.remove(*award_ids)
    collection.external_badges.remove(*badge_ids)
    collection.save(update_fields=["updated"])
    record(
        actor=actor,
        action="portfolio.collection_remove",
        target=collection,
        awards=sorted(award_ids),
        external_badges=sorted(badge_ids),
    )
    return collection
