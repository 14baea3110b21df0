"""Pathway workflows: design a pathway's rule, publish it, retire it.

Only draft pathways change. A published pathway is immutable (learners may earn it against
exactly what was published); to change one, retire it and create a new pathway.

Every function checks who is acting (designers and institution admins of the issuer's
organisation design; institution admins publish and retire), locks the pathway row, and
writes exactly one audit entry. Refusals raise `PathwayRefused` with a message for people.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue.models import MicroCredential, Version
from mosaics.organisations.models import Issuer, Role
from mosaics.organisations.permissions import can_create_design, has_role
from mosaics.pathways import rules
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem

__all__ = [
    "RESERVED_SLUGS",
    "PathwayRefused",
    "can_design_pathway",
    "can_publish_pathway",
    "pathway_create",
    "pathway_problems",
    "pathway_publish",
    "pathway_retire",
    "pathway_update",
    "rule_group_add",
    "rule_group_remove",
    "rule_group_update",
    "rule_item_add",
    "rule_item_remove",
]

#: Addresses a pathway may not take (they are pages of their own under /pathways/).
RESERVED_SLUGS = frozenset({"manage", "new"})


class PathwayRefused(Exception):
    """A pathway workflow refused; `str(error)` says why in plain words (translated).
    `problems` lists every reason when there are several (publication)."""

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


# ---------------------------------------------------------------------------- permissions


def can_design_pathway(user: Any, pathway: Pathway) -> bool:
    return can_create_design(user, pathway.issuer.organisation)


def can_publish_pathway(user: Any, pathway: Pathway) -> bool:
    return has_role(user, pathway.issuer.organisation, Role.INSTITUTION_ADMIN)


def _refuse_unless_designer(actor: Any, pathway: Pathway) -> None:
    if not can_design_pathway(actor, pathway):
        raise PathwayRefused(_("You may not change pathways of this organisation."))


def _lock(pathway: Pathway) -> Pathway:
    """The pathway's row, locked for this transaction, freshly read."""
    return (
        Pathway.objects.select_for_update()
        .select_related("issuer__organisation")
        .get(pk=pathway.pk)
    )


def _lock_draft(actor: Any, pathway: Pathway) -> Pathway:
    locked = _lock(pathway)
    _refuse_unless_designer(actor, locked)
    if locked.state != Pathway.State.DRAFT:
        raise PathwayRefused(
            _(
                "This pathway is published and can no longer be changed: learners may earn it "
                "exactly as it was published. Retire it and create a new pathway instead."
            )
        )
    return locked


def _audit(actor: Any, action: str, pathway: Pathway, **data: Any) -> None:
    record(
        actor=actor,
        action=action,
        target=pathway,
        organisation=pathway.issuer.organisation,
        **data,
    )


def _check_rule(rule: str, minimum: int | None) -> int | None:
    if rule not in RuleGroup.Rule.values:
        raise PathwayRefused(_("Choose “all of” or “at least”."))
    if rule == RuleGroup.Rule.ALL:
        return None
    if minimum is None or minimum < 1:
        raise PathwayRefused(_("Say how many of the group’s requirements are needed (1 or more)."))
    return minimum


def _next_position(group: RuleGroup) -> int:
    last_group = group.subgroups.aggregate(last=Max("position"))["last"]
    last_item = group.items.aggregate(last=Max("position"))["last"]
    return max(last_group or 0, last_item or 0) + 1


def _depth(group: RuleGroup) -> int:
    depth = 1
    parent_id = group.parent_id
    while parent_id is not None and depth <= rules.MAX_DEPTH:
        depth += 1
        parent_id = RuleGroup.objects.values_list("parent_id", flat=True).get(pk=parent_id)
    return depth


def _institution_id(issuer: Issuer) -> int | None:
    institution = issuer.organisation.institution
    return institution.pk if institution is not None else None


# ------------------------------------------------------------------------------- pathways


def _free_slug(base: str) -> str:
    base = (base or "pathway")[:70].strip("-") or "pathway"
    if base in RESERVED_SLUGS:
        base = f"{base}-pathway"
    candidate, n = base, 1
    while Pathway.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def pathway_create(
    *,
    actor: Any,
    issuer: Issuer,
    title: str,
    slug: str = "",
    summary: str = "",
    description: str = "",
    criteria: str = "",
    achievement_type: str = Pathway.AchievementType.CERTIFICATE,
    image: File[bytes] | None = None,
    image_alt: str = "",
) -> Pathway:
    """A new draft pathway whose main group asks for "all of" its members. Without `slug`,
    the address is made from the title."""
    if not can_create_design(actor, issuer.organisation) or issuer.kind != Issuer.Kind.ISSUER:
        raise PathwayRefused(_("You may not create pathways for this issuer."))
    title = title.strip()
    if not title:
        raise PathwayRefused(_("Give the pathway a title."))
    if achievement_type not in Pathway.AchievementType.values:
        raise PathwayRefused(_("Choose a kind of credential from the list."))
    if slug:
        if slug in RESERVED_SLUGS or slug != slugify(slug):
            raise PathwayRefused(
                _("This address cannot be used. Use lowercase letters, digits and hyphens.")
            )
    else:
        slug = _free_slug(slugify(title))
    pathway = Pathway(
        issuer=issuer,
        slug=slug,
        title=title,
        summary=summary.strip(),
        description=description,
        criteria=criteria,
        achievement_type=achievement_type,
        image_alt=image_alt.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if image is not None:
        pathway.image.save(image.name or "image", image, save=False)
    try:
        with transaction.atomic():
            pathway.save()
    except IntegrityError:
        raise PathwayRefused(
            _("Another pathway already uses the address “%(slug)s”. Choose another.")
            % {"slug": slug}
        ) from None
    RuleGroup.objects.create(pathway=pathway, rule=RuleGroup.Rule.ALL, position=0)
    _audit(actor, "pathway.create", pathway, slug=pathway.slug, title=pathway.title)
    return pathway


_UNCHANGED: Any = object()


@transaction.atomic
def pathway_update(
    *,
    actor: Any,
    pathway: Pathway,
    title: str = _UNCHANGED,
    summary: str = _UNCHANGED,
    description: str = _UNCHANGED,
    criteria: str = _UNCHANGED,
    achievement_type: str = _UNCHANGED,
    image: File[bytes] | None = _UNCHANGED,
    image_alt: str = _UNCHANGED,
) -> Pathway:
    """Change a draft pathway's details. Arguments left out stay as they are; `image=None`
    removes the image."""
    locked = _lock_draft(actor, pathway)
    changed: list[str] = []
    for name, value in (
        ("title", title),
        ("summary", summary),
        ("description", description),
        ("criteria", criteria),
        ("image_alt", image_alt),
    ):
        if value is _UNCHANGED:
            continue
        value = value.strip() if name in ("title", "summary", "image_alt") else value
        if name == "title" and not value:
            raise PathwayRefused(_("Give the pathway a title."))
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if achievement_type is not _UNCHANGED and achievement_type != locked.achievement_type:
        if achievement_type not in Pathway.AchievementType.values:
            raise PathwayRefused(_("Choose a kind of credential from the list."))
        locked.achievement_type = achievement_type
        changed.append("achievement_type")
    if image is not _UNCHANGED:
        if image is None:
            if locked.image:
                locked.image = ""  # FieldFile accepts a name
                changed.append("image")
        else:
            locked.image.save(image.name or "image", image, save=False)
            changed.append("image")
    if changed:
        locked.save()
    _audit(actor, "pathway.update", locked, changed=changed)
    return locked


def pathway_problems(pathway: Pathway, tree: rules.Group | None = None) -> list[str]:
    """Everything that blocks publishing `pathway`: the rule's problems, then its details."""
    tree = tree if tree is not None else rules.requirement_tree(pathway)
    problems = rules.rule_problems(tree, institution_id=_institution_id(pathway.issuer))
    if not pathway.criteria.strip():
        problems.append(_("Say how the pathway is earned (the criteria)."))
    if pathway.image and not pathway.image_alt.strip():
        problems.append(
            _("Describe the image for people who cannot see it (its text alternative).")
        )
    return problems


@transaction.atomic
def pathway_publish(*, actor: Any, pathway: Pathway) -> Pathway:
    """Publish a draft pathway. Refused, with every reason, while anything blocks it."""
    locked = _lock(pathway)
    if not can_publish_pathway(actor, locked):
        raise PathwayRefused(_("Only an institution admin may publish a pathway."))
    if locked.state != Pathway.State.DRAFT:
        raise PathwayRefused(_("Only a draft pathway can be published."))
    # Lock the rule too, so that nobody changes it between the check and the publication.
    list(RuleGroup.objects.select_for_update().filter(pathway=locked).values_list("pk"))
    problems = pathway_problems(locked)
    if problems:
        raise PathwayRefused(
            _("The pathway cannot be published yet: %(problems)s")
            % {"problems": " ".join(problems)},
            problems=problems,
        )
    locked.state = Pathway.State.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["state", "published_at"])
    _audit(actor, "pathway.publish", locked)
    return locked


@transaction.atomic
def pathway_retire(*, actor: Any, pathway: Pathway) -> Pathway:
    """Retire a published pathway: it stays public (and verifiable) but is no longer offered."""
    locked = _lock(pathway)
    if not can_publish_pathway(actor, locked):
        raise PathwayRefused(_("Only an institution admin may retire a pathway."))
    if locked.state != Pathway.State.PUBLISHED:
        raise PathwayRefused(_("Only a published pathway can be retired."))
    locked.state = Pathway.State.RETIRED
    locked.retired_at = timezone.now()
    locked.save(update_fields=["state", "retired_at"])
    _audit(actor, "pathway.retire", locked)
    return locked


# ---------------------------------------------------------------------------------- rules


def _check_group_of(group: RuleGroup, pathway: Pathway) -> RuleGroup:
    fresh = RuleGroup.objects.filter(pk=group.pk, pathway=pathway).first()
    if fresh is None:
        raise PathwayRefused(_("This group is not part of the pathway."))
    return fresh


@transaction.atomic
def rule_group_add(
    *,
    actor: Any,
    parent: RuleGroup,
    title: str = "",
    rule: str,
    minimum: int | None = None,
) -> RuleGroup:
    """A new group inside `parent`."""
    pathway = _lock_draft(actor, parent.pathway)
    parent = _check_group_of(parent, pathway)
    minimum = _check_rule(rule, minimum)
    if _depth(parent) >= rules.MAX_DEPTH:
        raise PathwayRefused(
            _("Groups can be nested at most %(depth)d levels deep.") % {"depth": rules.MAX_DEPTH}
        )
    group = RuleGroup.objects.create(
        pathway=pathway,
        parent=parent,
        position=_next_position(parent),
        title=title.strip(),
        rule=rule,
        minimum=minimum,
    )
    _audit(
        actor, "pathway.group_add", pathway, group=group.pk, parent=parent.pk, rule=rule,
        minimum=minimum, title=group.title,
    )  # fmt: skip
    return group


@transaction.atomic
def rule_group_update(
    *, actor: Any, group: RuleGroup, title: str, rule: str, minimum: int | None = None
) -> RuleGroup:
    """Change a group's name and rule."""
    pathway = _lock_draft(actor, group.pathway)
    group = _check_group_of(group, pathway)
    group.title = title.strip()
    group.rule = rule
    group.minimum = _check_rule(rule, minimum)
    group.save(update_fields=["title", "rule", "minimum"])
    _audit(
        actor, "pathway.group_update", pathway, group=group.pk, rule=rule,
        minimum=group.minimum, title=group.title,
    )  # fmt: skip
    return group


@transaction.atomic
def rule_group_remove(*, actor: Any, group: RuleGroup) -> None:
    """Remove a group and everything in it (never the main group)."""
    pathway = _lock_draft(actor, group.pathway)
    group = _check_group_of(group, pathway)
    if group.parent_id is None:
        raise PathwayRefused(_("The main group cannot be removed."))
    group_id, title = group.pk, group.title
    group.delete()
    _audit(actor, "pathway.group_remove", pathway, group=group_id, title=title)


@transaction.atomic
def rule_item_add(*, actor: Any, group: RuleGroup, micro_credential: MicroCredential) -> RuleItem:
    """Require `micro_credential` in `group`. It must be published, by the same institution."""
    pathway = _lock_draft(actor, group.pathway)
    group = _check_group_of(group, pathway)
    credential = MicroCredential.objects.select_related("issuer__organisation").get(
        pk=micro_credential.pk
    )
    if _institution_id(credential.issuer) != _institution_id(pathway.issuer):
        raise PathwayRefused(
            _("Only micro-credentials of this institution can be part of its pathways.")
        )
    if not credential.versions.filter(state=Version.State.PUBLISHED).exists():
        raise PathwayRefused(
            _("“%(title)s” is not published in the catalogue, so it cannot be required.")
            % {"title": str(credential)}
        )
    if RuleItem.objects.filter(group__pathway=pathway, micro_credential=credential).exists():
        raise PathwayRefused(
            _("“%(title)s” is already part of this pathway.") % {"title": str(credential)}
        )
    item = RuleItem.objects.create(
        group=group, micro_credential=credential, position=_next_position(group)
    )
    _audit(
        actor, "pathway.item_add", pathway, group=group.pk, item=item.pk,
        micro_credential=credential.pk,
    )  # fmt: skip
    return item


@transaction.atomic
def rule_item_remove(*, actor: Any, item: RuleItem) -> None:
    """Stop requiring a micro-credential."""
    pathway = _lock_draft(actor, item.group.pathway)
    fresh = RuleItem.objects.filter(pk=item.pk, group__pathway=pathway).first()
    if fresh is None:
        raise PathwayRefused(_("This requirement is not part of the pathway."))
    item_id, credential_id = fresh.pk, fresh.micro_credential_id
    fresh.delete()
    _audit(actor, "pathway.item_remove", pathway, item=item_id, micro_credential=credential_id)
