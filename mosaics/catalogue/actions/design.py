"""Authoring a micro-credential's design: the version's fields, image and goals, its
competencies with rubrics and alignments, and its reflection prompts.

Every workflow locks the version row, then checks the actor before changing anything: someone
who is not a faculty designer or institution admin of the issuing organisation (or is signed
out) gets `PermissionDenied`, and a designer gets `DesignLocked` unless the version is
editable (draft or changes requested). Together these are `permissions.can_edit_design`;
`micro_credential_create` asks `permissions.can_create_design` for the issuer's organisation.
Views ask the same questions first (answering 404 or 403); the checks here are the backstop.
Each workflow then checks that the objects it is given belong together, adds the actor to the
version's contributors and writes one audit entry against the version (so the version's
history lists every edit).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue.errors import CatalogueError, DesignLocked
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    Framework,
    MicroCredential,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
from mosaics.organisations import permissions
from mosaics.organisations.models import InstitutionalGoal, Issuer, Role

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "RESERVED_SLUGS",
    "alignment_add",
    "alignment_remove",
    "competency_add",
    "competency_move",
    "competency_passing_level_set",
    "competency_remove",
    "competency_update",
    "goals_available",
    "micro_credential_create",
    "normalise_tags",
    "reflection_prompt_add",
    "reflection_prompt_remove",
    "reflection_prompt_update",
    "rubric_level_add",
    "rubric_level_remove",
    "rubric_level_update",
    "version_goals_set",
    "version_image_set",
    "version_update",
]

# The version's own fields a designer edits through `version_update`.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "criteria",
    "estimated_hours",
    "delivery_mode",
    "language",
    "credits_available",
    "level",
    "field_of_study",
    "human_code",
    "tags",
    "validity_months",
    "second_assessor_required",
    "prerequisites",
)
RESERVED_SLUGS = frozenset({"new", "review"})
MAX_TAGS = 20
MAX_TAG_LENGTH = 40


_Positioned = TypeVar("_Positioned", Competency, RubricLevel, ReflectionPrompt)

# --- helpers -----------------------------------------------------------------------------


def _lock(version_id: int, actor: Any) -> Version:
    """Lock the version, then refuse unless `actor` may edit it: PermissionDenied for anyone
    who is not one of its designers or admins, DesignLocked for them once it is locked."""
    version = (
        Version.objects.select_for_update()
        .select_related("micro_credential__issuer__organisation")
        .get(pk=version_id)
    )
    organisation = version.micro_credential.issuer.organisation
    if not permissions.has_role(actor, organisation, Role.DESIGNER, Role.INSTITUTION_ADMIN):
        raise PermissionDenied(
            _("Only the design's faculty designers and institution admins can edit it.")
        )
    if not version.is_editable:
        raise DesignLocked(
            _(
                "This version is %(state)s and can no longer be edited. "
                "Start a new version to make changes."
            )
            % {"state": version.get_state_display().lower()}
        )
    return version


def _done(actor: Any, version: Version, action: str, **data: Any) -> None:
    """Touch the version, credit the actor, and write the one audit entry."""
    version.save(update_fields=["updated"])
    if getattr(actor, "pk", None):
        version.contributors.add(actor)
    record(
        actor=actor,
        action=action,
        target=version,
        organisation=version.micro_credential.issuer.organisation,
        **data,
    )


def _json(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _changes(obj: Any, fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `fields` on `obj`; return {field: {"old": ..., "new": ...}} for those that changed."""
    changes = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = {"old": _json(old), "new": _json(new)}
            setattr(obj, name, new)
    return changes


def _refuse_mismatch() -> CatalogueError:
    return CatalogueError(_("That item does not belong to this design."), code="mismatch")


def _require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CatalogueError(_("%(field)s cannot be empty.") % {"field": label}, code="required")
    return value


def normalise_tags(tags: str | Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, empty ones dropped, duplicates (ignoring case) removed, in the
    order given. A string is split on commas. Raises CatalogueError past the limits."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    result: list[str] = []
    seen: set[str] = set()
    for item in items:
        tag = " ".join(str(item).split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise CatalogueError(
                _("Each tag can be at most %(max)d characters long: “%(tag)s” is too long.")
                % {"max": MAX_TAG_LENGTH, "tag": tag},
                code="tag_too_long",
            )
        seen.add(tag.casefold())
        result.append(tag)
    if len(result) > MAX_TAGS:
        raise CatalogueError(
            _("A design can have at most %(max)d tags.") % {"max": MAX_TAGS},
            code="too_many_tags",
        )
    return result


# --- the micro-credential and its version ------------------------------------------------


def _slug_for(title: str) -> str:
    base = slugify(title)[:70].strip("-") or "micro-credential"
    if base in RESERVED_SLUGS:
        base = f"{base}-micro-credential"
    return base


@transaction.atomic
def micro_credential_create(*, actor: Any, issuer: Issuer, title: str, slug: str = "") -> Version:
    """A new micro-credential for `issuer` with its first (draft) version."""
    issuer = Issuer.objects.select_related("organisation__parent").get(pk=issuer.pk)
    if not permissions.can_create_design(actor, issuer.organisation):
        raise PermissionDenied(
            _("Only faculty designers and institution admins can create designs for this issuer.")
        )
    if issuer.kind != Issuer.Kind.ISSUER:
        raise CatalogueError(
            _("Micro-credentials can only be issued by a credential issuer profile."),
            code="not_an_issuer",
        )
    title = _require_text(title, _("The title"))[:200]
    slug = (slug or "").strip().lower()
    if slug:
        if slug != slugify(slug) or len(slug) > 80:
            raise CatalogueError(
                _("The address may only contain lowercase letters, numbers and hyphens."),
                code="bad_slug",
            )
        if slug in RESERVED_SLUGS:
            raise CatalogueError(
                _("The address “%(slug)s” is reserved; please choose another.") % {"slug": slug},
                code="reserved_slug",
            )
        candidates = [slug]
    else:
        base = _slug_for(title)
        candidates = [base] + [f"{base}-{n}" for n in range(2, 200)]

    micro_credential = None
    for candidate in candidates:
        if MicroCredential.objects.filter(slug=candidate).exists():
            continue
        try:
            with transaction.atomic():  # the unique constraint decides a race
                micro_credential = MicroCredential.objects.create(
                    issuer=issuer, slug=candidate, created_by=actor if actor.pk else None
                )
            break
        except IntegrityError:
            continue
    if micro_credential is None:
        raise CatalogueError(
            _("The address “%(slug)s” is already taken; please choose another.")
            % {"slug": candidates[0]},
            code="slug_taken",
        )
    version = Version.objects.create(
        micro_credential=micro_credential,
        number=1,
        title=title,
        created_by=actor if actor.pk else None,
    )
    version.contributors.add(actor)
    record(
        actor=actor,
        action="design.created",
        target=version,
        organisation=issuer.organisation,
        title=title,
        slug=micro_credential.slug,
        issuer=issuer.slug,
    )
    return version


@transaction.atomic
def version_update(*, actor: Any, version: Version, **fields: Any) -> Version:
    """Change the version's own fields (see EDITABLE_FIELDS); one audit entry lists each
    changed field with its old and new value. Changing nothing records nothing."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"version_update() cannot change {', '.join(sorted(unknown))}")
    version = _lock(version.pk, actor)
    if "title" in fields:
        fields["title"] = _require_text(fields["title"], _("The title"))
    if "tags" in fields:
        fields["tags"] = normalise_tags(fields["tags"] or [])
    for name in ("summary", "description", "criteria", "field_of_study", "human_code"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    changes = _changes(version, fields)
    if not changes:
        return version
    version.save(update_fields=[*changes, "updated"])
    _done(actor, version, "design.updated", fields=sorted(changes), changes=changes)
    return version


@transaction.atomic
def version_image_set(
    *, actor: Any, version: Version, image: File[Any] | None, alt: str
) -> Version:
    """Replace the badge image (checked and rebuilt by `clean_image`) and/or its text
    alternative. The text alternative is required whenever there is an image.

    The previous file is kept: another version (a copy) may still point at it."""
    from mosaics.core.uploads import clean_image

    version = _lock(version.pk, actor)
    alt = " ".join((alt or "").split())
    if image is None and not version.image:
        raise CatalogueError(_("Choose an image to upload."), code="image_required")
    if not alt:
        raise CatalogueError(
            _("Describe the image in its text alternative: people who cannot see it need it."),
            code="alt_required",
        )
    changes: dict[str, Any] = {}
    if image is not None:
        content, content_type = clean_image(image)
        old = version.image.name if version.image else ""
        version.image.save(content.name or "image", content, save=False)
        changes["image"] = {"old": old, "new": version.image.name}
        changes["content_type"] = content_type
    if alt != version.image_alt:
        changes["image_alt"] = {"old": version.image_alt, "new": alt}
        version.image_alt = alt
    if not changes:
        return version
    version.save(update_fields=["image", "image_alt", "updated"])
    _done(
        actor,
        version,
        "design.image_set",
        fields=sorted(key for key in changes if key != "content_type"),
        changes=changes,
    )
    return version


def goals_available(version: Version) -> QuerySet[InstitutionalGoal]:
    """The goals a version may be aligned with: its institution's active goals, and any it
    is already aligned with."""
    institution = version.micro_credential.issuer.organisation.institution
    return InstitutionalGoal.objects.filter(
        Q(institution=institution, active=True) | Q(pk__in=version.goals.values("pk"))
    )


@transaction.atomic
def version_goals_set(
    *, actor: Any, version: Version, goals: Iterable[InstitutionalGoal | int]
) -> Version:
    """Align the version with exactly `goals` (the institution's own active goals)."""
    version = _lock(version.pk, actor)
    wanted = {goal.pk if isinstance(goal, InstitutionalGoal) else int(goal) for goal in goals}
    allowed = set(goals_available(version).values_list("pk", flat=True))
    if wanted - allowed:
        raise CatalogueError(
            _("Choose only goals your institution offers for new designs."), code="bad_goal"
        )
    before = set(version.goals.values_list("pk", flat=True))
    if before == wanted:
        return version
    version.goals.set(wanted)
    titles = dict(
        InstitutionalGoal.objects.filter(pk__in=before | wanted).values_list("pk", "title")
    )
    _done(
        actor,
        version,
        "design.goals_set",
        fields=["goals"],
        changes={
            "goals": {
                "old": sorted(titles[pk] for pk in before),
                "new": sorted(titles[pk] for pk in wanted),
            }
        },
    )
    return version


# --- competencies ------------------------------------------------------------------------


def _lock_competency(competency: Competency | int, actor: Any) -> tuple[Version, Competency]:
    """Lock the competency's version (refusing unless `actor` may edit it), then the competency."""
    pk = competency if isinstance(competency, int) else competency.pk
    version_id = Competency.objects.filter(pk=pk).values_list("version_id", flat=True).first()
    if version_id is None:
        raise _refuse_mismatch()
    version = _lock(version_id, actor)
    try:
        locked = Competency.objects.select_for_update().get(pk=pk, version=version)
    except Competency.DoesNotExist:
        raise _refuse_mismatch() from None
    return version, locked


def _renumber(rows: Iterable[_Positioned]) -> list[_Positioned]:
    """Positions 0..n-1 in the current order (gaps appear after removals)."""
    result = list(rows)
    for position, row in enumerate(result):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return result


@transaction.atomic
def competency_add(
    *, actor: Any, version: Version, statement: str, demonstration: str = ""
) -> Competency:
    version = _lock(version.pk, actor)
    statement = _require_text(statement, _("The competency statement"))
    position = version.competencies.count()
    competency = Competency.objects.create(
        version=version,
        position=position,
        statement=statement,
        demonstration=(demonstration or "").strip(),
    )
    _done(
        actor,
        version,
        "design.competency_added",
        competency=competency.pk,
        statement=statement,
        demonstration=competency.demonstration,
    )
    return competency


@transaction.atomic
def competency_update(
    *, actor: Any, competency: Competency, statement: str, demonstration: str
) -> Competency:
    version, competency = _lock_competency(competency, actor)
    changes = _changes(
        competency,
        {
            "statement": _require_text(statement, _("The competency statement")),
            "demonstration": (demonstration or "").strip(),
        },
    )
    if not changes:
        return competency
    competency.save(update_fields=list(changes))
    _done(
        actor,
        version,
        "design.competency_updated",
        competency=competency.pk,
        fields=sorted(changes),
        changes=changes,
    )
    return competency


@transaction.atomic
def competency_remove(*, actor: Any, competency: Competency) -> None:
    version, competency = _lock_competency(competency, actor)
    pk, statement = competency.pk, competency.statement
    competency.delete()
    _renumber(version.competencies.select_for_update())
    _done(actor, version, "design.competency_removed", competency=pk, statement=statement)


@transaction.atomic
def competency_move(*, actor: Any, competency: Competency, direction: str) -> Competency:
    """Move a competency one place "up" (earlier) or "down" (later)."""
    version, competency = _lock_competency(competency, actor)
    if direction not in ("up", "down"):
        raise CatalogueError(_("Choose to move it up or down."), code="bad_direction")
    rows = _renumber(version.competencies.select_for_update())
    index = next(i for i, row in enumerate(rows) if row.pk == competency.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return rows[index]
    rows[index].position, rows[other].position = other, index
    rows[index].save(update_fields=["position"])
    rows[other].save(update_fields=["position"])
    _done(
        actor,
        version,
        "design.competency_moved",
        competency=competency.pk,
        direction=direction,
        changes={"position": {"old": index + 1, "new": other + 1}},
    )
    return rows[index]


# --- rubric levels -----------------------------------------------------------------------


def _lock_level(level: RubricLevel, actor: Any) -> tuple[Version, Competency, RubricLevel]:
    version, competency = _lock_competency(level.competency_id, actor)
    try:
        locked = RubricLevel.objects.select_for_update().get(pk=level.pk, competency=competency)
    except RubricLevel.DoesNotExist:
        raise _refuse_mismatch() from None
    return version, competency, locked


@transaction.atomic
def rubric_level_add(
    *,
    actor: Any,
    competency: Competency,
    name: str,
    description: str = "",
    points: int | None = None,
) -> RubricLevel:
    """Add a performance level above the existing ones (levels are lowest first)."""
    version, competency = _lock_competency(competency, actor)
    name = _require_text(name, _("The level's name"))
    level = RubricLevel.objects.create(
        competency=competency,
        position=competency.levels.count(),
        name=name,
        description=(description or "").strip(),
        points=points,
    )
    _done(
        actor,
        version,
        "design.rubric_level_added",
        competency=competency.pk,
        level=level.pk,
        name=name,
        description=level.description,
        points=points,
    )
    return level


@transaction.atomic
def rubric_level_update(
    *,
    actor: Any,
    level: RubricLevel,
    name: str,
    description: str,
    points: int | None = None,
) -> RubricLevel:
    version, competency, level = _lock_level(level, actor)
    changes = _changes(
        level,
        {
            "name": _require_text(name, _("The level's name")),
            "description": (description or "").strip(),
            "points": points,
        },
    )
    if not changes:
        return level
    level.save(update_fields=list(changes))
    _done(
        actor,
        version,
        "design.rubric_level_updated",
        competency=competency.pk,
        level=level.pk,
        fields=sorted(changes),
        changes=changes,
    )
    return level


@transaction.atomic
def rubric_level_remove(*, actor: Any, level: RubricLevel) -> None:
    """Remove a level; if it was the passing level, the competency has none until chosen."""
    version, competency, level = _lock_level(level, actor)
    was_passing = competency.passing_level_id == level.pk
    pk, name = level.pk, level.name
    if was_passing:
        competency.passing_level = None
        competency.save(update_fields=["passing_level"])
    level.delete()
    _renumber(competency.levels.select_for_update())
    _done(
        actor,
        version,
        "design.rubric_level_removed",
        competency=competency.pk,
        level=pk,
        name=name,
        was_passing=was_passing,
    )


@transaction.atomic
def competency_passing_level_set(
    *, actor: Any, competency: Competency, level: RubricLevel | None
) -> Competency:
    """Choose the rubric level that passes (None: no passing level yet)."""
    version, competency = _lock_competency(competency, actor)
    if level is not None and not competency.levels.filter(pk=level.pk).exists():
        raise _refuse_mismatch()
    old = competency.passing_level
    if (old.pk if old else None) == (level.pk if level else None):
        return competency
    competency.passing_level = level
    competency.save(update_fields=["passing_level"])
    _done(
        actor,
        version,
        "design.passing_level_set",
        competency=competency.pk,
        fields=["passing_level"],
        changes={
            "passing_level": {
                "old": old.name if old else None,
                "new": level.name if level else None,
            }
        },
    )
    return competency


# --- alignments --------------------------------------------------------------------------


@transaction.atomic
def alignment_add(
    *,
    actor: Any,
    competency: Competency,
    framework: str,
    target_name: str,
    target_url: str,
    target_code: str = "",
    framework_name: str = "",
    target_description: str = "",
) -> Alignment:
    """Align a competency with a skills framework entry, by its address (http or https)."""
    version, competency = _lock_competency(competency, actor)
    if framework not in Framework.values:
        raise CatalogueError(_("Choose a framework from the list."), code="bad_framework")
    target_name = _require_text(target_name, _("The skill or competency"))
    target_url = (target_url or "").strip()
    if not target_url.lower().startswith(("http://", "https://")) or len(target_url) > 500:
        raise CatalogueError(
            _("The address must be a web address starting with http:// or https://."),
            code="bad_url",
        )
    alignment = Alignment.objects.create(
        competency=competency,
        framework=framework,
        framework_name=(framework_name or "").strip(),
        target_name=target_name,
        target_url=target_url,
        target_code=(target_code or "").strip(),
        target_description=(target_description or "").strip(),
    )
    _done(
        actor,
        version,
        "design.alignment_added",
        competency=competency.pk,
        alignment=alignment.pk,
        framework=framework,
        target_name=target_name,
        target_url=target_url,
        target_code=alignment.target_code,
    )
    return alignment


@transaction.atomic
def alignment_remove(*, actor: Any, alignment: Alignment) -> None:
    version, competency = _lock_competency(alignment.competency_id, actor)
    try:
        alignment = Alignment.objects.select_for_update().get(
            pk=alignment.pk, competency=competency
        )
    except Alignment.DoesNotExist:
        raise _refuse_mismatch() from None
    pk, name, url = alignment.pk, alignment.target_name, alignment.target_url
    alignment.delete()
    _done(
        actor,
        version,
        "design.alignment_removed",
        competency=competency.pk,
        alignment=pk,
        target_name=name,
        target_url=url,
    )


# --- reflection prompts ------------------------------------------------------------------


def _lock_prompt(prompt: ReflectionPrompt, actor: Any) -> tuple[Version, ReflectionPrompt]:
    version = _lock(prompt.version_id, actor)
    try:
        locked = ReflectionPrompt.objects.select_for_update().get(pk=prompt.pk, version=version)
    except ReflectionPrompt.DoesNotExist:
        raise _refuse_mismatch() from None
    return version, locked


@transaction.atomic
def reflection_prompt_add(*, actor: Any, version: Version, text: str) -> ReflectionPrompt:
    version = _lock(version.pk, actor)
    text = _require_text(text, _("The prompt"))
    prompt = ReflectionPrompt.objects.create(
        version=version, position=version.reflection_prompts.count(), text=text
    )
    _done(actor, version, "design.prompt_added", prompt=prompt.pk, text=text)
    return prompt


@transaction.atomic
def reflection_prompt_update(
    *, actor: Any, prompt: ReflectionPrompt, text: str
) -> ReflectionPrompt:
    version, prompt = _lock_prompt(prompt, actor)
    changes = _changes(prompt, {"text": _require_text(text, _("The prompt"))})
    if not changes:
        return prompt
    prompt.save(update_fields=["text"])
    _done(
        actor,
        version,
        "design.prompt_updated",
        prompt=prompt.pk,
        fields=["text"],
        changes=changes,
    )
    return prompt


@transaction.atomic
def reflection_prompt_remove(*, actor: Any, prompt: ReflectionPrompt) -> None:
    version, prompt = _lock_prompt(prompt, actor)
    pk, text = prompt.pk, prompt.text
    prompt.delete()
    _renumber(version.reflection_prompts.select_for_update())
    _done(actor, version, "design.prompt_removed", prompt=pk, text=text)
