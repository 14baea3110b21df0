"""The framework review lifecycle of a micro-credential design, and its versions.

draft → submitted → (changes_requested → submitted)* → approved → published → retired.
Publishing a version supersedes the previously published one; a published version never
changes again, so `version_start_next` copies it into a new draft to edit.

Every action checks who may do it here (not only in the view), locks the version, and writes
one audit entry in the issuer's organisation.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue import gates as framework
from mosaics.catalogue.errors import GatesFailing, TransitionRefused
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    ReflectionPrompt,
    ReviewComment,
    RubricLevel,
    Version,
)
from mosaics.catalogue.search import normalise
from mosaics.core.text import plain_text
from mosaics.organisations import permissions

__all__ = [
    "review_comment_add",
    "version_approve",
    "version_publish",
    "version_request_changes",
    "version_retire",
    "version_start_next",
    "version_submit",
]

State = Version.State

# Fields a new version does not inherit: identity, place in the lifecycle, and who/when.
_NOT_COPIED = {
    "id",
    "micro_credential",
    "number",
    "state",
    "created_by",
    "created",
    "updated",
    "submitted_at",
    "approved_at",
    "approved_by",
    "published_at",
    "retired_at",
    "search_text",
}

COMMENT_MAX_LENGTH = 5000


def _lock(version: Version) -> Version:
    """The version re-read under a row lock, with what the checks need."""
    return (
        Version.objects.select_for_update(of=("self",))
        .select_related("micro_credential__issuer__organisation__parent")
        .get(pk=version.pk)
    )


def _organisation(version: Version) -> Any:
    return version.micro_credential.issuer.organisation


def _refuse_state(version: Version, *allowed: str) -> None:
    if version.state not in allowed:
        raise TransitionRefused(
            _("This is not possible while version %(number)s is “%(state)s”.")
            % {"number": version.number, "state": version.get_state_display()},
            code="wrong_state",
        )


def _refuse_author(actor: Any, version: Version) -> None:
    if permissions.is_author(actor, version):
        raise TransitionRefused(
            _(
                "You wrote or edited this version, so someone else must review it: "
                "a designer cannot approve their own design."
            ),
            code="own_design",
        )


def _refuse_reviewer(actor: Any, version: Version) -> None:
    _refuse_author(actor, version)
    if not permissions.can_review_design(actor, version):
        raise TransitionRefused(
            _("Only a framework reviewer or an institution admin can review this design."),
            code="not_reviewer",
        )


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise TransitionRefused(
            _("Keep the comment under %(limit)s characters.") % {"limit": COMMENT_MAX_LENGTH},
            code="comment_too_long",
        )
    return text


@transaction.atomic
def version_submit(*, actor: Any, version: Version) -> Version:
    """Send a draft (or a version sent back with changes requested) for framework review."""
    version = _lock(version)
    _refuse_state(version, State.DRAFT, State.CHANGES_REQUESTED)
    if not permissions.can_edit_design(actor, version):
        raise TransitionRefused(
            _("Only a designer or an institution admin can submit this design for review."),
            code="not_designer",
        )
    resubmitted = version.state == State.CHANGES_REQUESTED
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["state", "submitted_at", "updated"])
    record(
        actor=actor,
        action="version.submit",
        target=version,
        organisation=_organisation(version),
        number=version.number,
        resubmitted=resubmitted,
    )
    return version


@transaction.atomic
def version_request_changes(*, actor: Any, version: Version, comment: str) -> Version:
    """Send a submitted version back to its designers, saying what must change."""
    version = _lock(version)
    _refuse_state(version, State.SUBMITTED)
    _refuse_reviewer(actor, version)
    comment = _clean_comment(comment)
    if not comment:
        raise TransitionRefused(
            _("Say what needs to change, so the designers know what to do."),
            code="comment_required",
        )
    version.state = State.CHANGES_REQUESTED
    version.save(update_fields=["state", "updated"])
    ReviewComment.objects.create(
        version=version, author=actor, kind=ReviewComment.Kind.CHANGES_REQUESTED, body=comment
    )
    record(
        actor=actor,
        action="version.request_changes",
        target=version,
        organisation=_organisation(version),
        number=version.number,
        comment=comment,
    )
    return version


@transaction.atomic
def version_approve(*, actor: Any, version: Version, comment: str = "") -> Version:
    """The reviewer's sign-off. Publication still needs every framework gate to hold."""
    version = _lock(version)
    _refuse_state(version, State.SUBMITTED)
    _refuse_reviewer(actor, version)
    comment = _clean_comment(comment)
    now = timezone.now()
    version.state = State.APPROVED
    version.approved_at = now
    version.approved_by = actor
    version.save(update_fields=["state", "approved_at", "approved_by", "updated"])
    ReviewComment.objects.create(
        version=version,
        author=actor,
        kind=ReviewComment.Kind.APPROVED,
        body=comment or _("Approved against the framework."),
    )
    record(
        actor=actor,
        action="version.approve",
        target=version,
        organisation=_organisation(version),
        number=version.number,
        comment=comment,
    )
    return version


def gates_refusal(failing: list[framework.Gate]) -> GatesFailing:
    """The refusal for a version whose framework checklist does not hold, naming every gate."""
    reasons = " ".join(f"{gate.label}: {gate.reason}" for gate in failing)
    return GatesFailing(
        _("It cannot be published until the framework checklist holds. %(reasons)s")
        % {"reasons": reasons},
        gates=list(failing),
    )


def search_text(version: Version) -> str:
    """What the catalogue's full-text search matches: the text lower-cased, then again
    without accents, so "ecologique" finds "écologique" as well as the other way round."""
    issuer = version.micro_credential.issuer
    organisation = issuer.organisation
    parts: list[str] = [
        version.title,
        version.summary,
        plain_text(version.description),
        version.field_of_study,
        version.human_code,
        *[str(tag) for tag in version.tags or []],
        issuer.name,
        organisation.name,
    ]
    if organisation.parent_id and organisation.parent:
        parts.append(organisation.parent.name)
    for competency in version.competencies.prefetch_related("alignments"):
        parts.append(competency.statement)
        for alignment in competency.alignments.all():
            parts += [alignment.target_name, alignment.target_code, alignment.framework_name]
            parts.append(alignment.get_framework_display())
    text = "\n".join(part.strip() for part in parts if part and part.strip()).lower()
    folded = normalise(text)
    return text if folded == " ".join(text.split()) else f"{text}\n{folded}"


@transaction.atomic
def version_publish(*, actor: Any, version: Version) -> Version:
    """Publish an approved version when the framework checklist holds; the previously
    published version (if any) becomes superseded."""
    version = _lock(version)
    _refuse_state(version, State.APPROVED)
    if not permissions.can_publish_design(actor, version):
        raise TransitionRefused(
            _("Only an institution admin (Teaching & Learning Centre) can publish a design."),
            code="not_publisher",
        )
    failing = framework.failing(version)
    if failing:
        raise gates_refusal(failing)
    previous = (
        Version.objects.select_for_update()
        .filter(micro_credential_id=version.micro_credential_id, state=State.PUBLISHED)
        .first()
    )
    if previous is not None:
        # Before publishing this one: at most one published version (one_published_version).
        previous.state = State.SUPERSEDED
        previous.save(update_fields=["state", "updated"])
    version.state = State.PUBLISHED
    version.published_at = timezone.now()
    version.search_text = search_text(version)
    version.save(update_fields=["state", "published_at", "search_text", "updated"])
    record(
        actor=actor,
        action="version.publish",
        target=version,
        organisation=_organisation(version),
        number=version.number,
        superseded=previous.number if previous else None,
    )
    return version


@transaction.atomic
def version_retire(*, actor: Any, version: Version) -> Version:
    """Withdraw a published version from the catalogue (awards made against it stay valid)."""
    version = _lock(version)
    _refuse_state(version, State.PUBLISHED)
    if not permissions.can_publish_design(actor, version):
        raise TransitionRefused(
            _("Only an institution admin (Teaching & Learning Centre) can retire a design."),
            code="not_publisher",
        )
    version.state = State.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["state", "retired_at", "updated"])
    record(
        actor=actor,
        action="version.retire",
        target=version,
        organisation=_organisation(version),
        number=version.number,
    )
    return version


def _copy_fields(source: Any, model: type[Any], exclude: set[str], **overrides: Any) -> Any:
    values = {
        field.attname: getattr(source, field.attname)
        for field in model._meta.concrete_fields
        if field.name not in exclude and field.attname not in exclude
    }
    values.update(overrides)
    return model.objects.create(**values)


def _copy_content(source: Version, target: Version) -> None:
    target.goals.set(source.goals.all())
    for competency in source.competencies.prefetch_related("levels", "alignments"):
        copy = _copy_fields(
            competency,
            Competency,
            {"id", "version", "passing_level"},
            version_id=target.pk,
            passing_level_id=None,
        )
        levels = {
            level.pk: _copy_fields(level, RubricLevel, {"id", "competency"}, competency_id=copy.pk)
            for level in competency.levels.all()
        }
        if competency.passing_level_id in levels:
            copy.passing_level = levels[competency.passing_level_id]
            copy.save(update_fields=["passing_level"])
        for alignment in competency.alignments.all():
            _copy_fields(alignment, Alignment, {"id", "competency"}, competency_id=copy.pk)
    for prompt in source.reflection_prompts.all():
        _copy_fields(prompt, ReflectionPrompt, {"id", "version"}, version_id=target.pk)


@transaction.atomic
def version_start_next(*, actor: Any, version: Version) -> Version:
    """A new draft (number max + 1) copied from the published version, to edit.

    Endorsements are not copied: a partner endorsed the published content, so the new
    version is endorsed afresh before it can be published.
    """
    version = _lock(version)
    _refuse_state(version, State.PUBLISHED)
    if not permissions.can_create_design(actor, _organisation(version)):
        raise TransitionRefused(
            _("Only a designer or an institution admin can start a new version."),
            code="not_designer",
        )
    siblings = Version.objects.filter(micro_credential_id=version.micro_credential_id)
    open_version = siblings.filter(state__in=Version.OPEN_STATES).first()
    if open_version is not None:
        error = TransitionRefused(
            _("Version %(number)s is already being worked on; continue with it instead.")
            % {"number": open_version.number},
            code="open_version_exists",
        )
        error.open_version = open_version  # type: ignore[attr-defined]
        raise error
    number = (siblings.aggregate(Max("number"))["number__max"] or 0) + 1
    new: Version = _copy_fields(
        version,
        Version,
        _NOT_COPIED,
        micro_credential_id=version.micro_credential_id,
        number=number,
        state=State.DRAFT,
        created_by=actor,
    )
    _copy_content(version, new)
    record(
        actor=actor,
        action="version.start_next",
        target=new,
        organisation=_organisation(version),
        number=new.number,
        copied_from=version.number,
    )
    return new


@transaction.atomic
def review_comment_add(*, actor: Any, version: Version, body: str) -> ReviewComment:
    """A comment in the framework review conversation (designers and reviewers)."""
    version = _lock(version)
    _refuse_state(version, *Version.OPEN_STATES)
    if not permissions.has_role(actor, _organisation(version), *permissions.DESIGN_TEAM):
        raise TransitionRefused(
            _("Only the design team and its reviewers can comment on this design."),
            code="not_design_team",
        )
    body = _clean_comment(body)
    if not body:
        raise TransitionRefused(_("Write the comment first."), code="comment_required")
    comment = ReviewComment.objects.create(
        version=version, author=actor, kind=ReviewComment.Kind.COMMENT, body=body
    )
    record(
        actor=actor,
        action="review_comment.add",
        target=version,
        organisation=_organisation(version),
        number=version.number,
        comment=body,
    )
    return comment
