"""Framework review, publication, versions and history of micro-credential designs.

The lifecycle buttons live on the design page (catalogue/_lifecycle.html); each posts here,
and each view redirects back to the design page with what happened, or why not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mosaics.audit.log import target_of
from mosaics.audit.models import AuditEntry
from mosaics.catalogue.actions import lifecycle
from mosaics.catalogue.errors import CatalogueError
from mosaics.catalogue.models import MicroCredential, Version
from mosaics.organisations import permissions
from mosaics.organisations.models import Role


def _get_version_for_user(user: Any, slug: str, number: int) -> Version:
    """The version, if `user` may see the design; 404 otherwise (never leaks existence)."""
    version = (
        Version.objects.select_related("micro_credential__issuer__organisation__parent")
        .filter(micro_credential__slug=slug, number=number)
        .first()
    )
    if version is None or not permissions.can_view_design(user, version):
        raise Http404
    return version


def _get_micro_credential_for_user(user: Any, slug: str) -> MicroCredential:
    """The micro-credential, if `user` is on its organisation's design team; 404 otherwise."""
    micro_credential = (
        MicroCredential.objects.select_related("issuer__organisation__parent")
        .filter(slug=slug)
        .first()
    )
    if micro_credential is None or not permissions.has_role(
        user, micro_credential.issuer.organisation, *permissions.DESIGN_TEAM
    ):
        raise Http404
    return micro_credential


def design_url(version: Version) -> str:
    return reverse(
        "catalogue:design",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=lifecycle.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write the comment first."),
            "max_length": gettext_lazy("Keep the comment under %(limit_value)d characters."),
        },
    )


class ChangesForm(CommentForm):
    comment = forms.CharField(
        label=gettext_lazy("What needs to change"),
        max_length=lifecycle.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Say what needs to change, so the designers know what to do."),
            "max_length": gettext_lazy("Keep the comment under %(limit_value)d characters."),
        },
    )


class ApproveForm(CommentForm):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=lifecycle.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": gettext_lazy("Keep the comment under %(limit_value)d characters."),
        },
    )


def _act(
    request: HttpRequest,
    version: Version,
    run: Callable[[], Any],
    success: str,
) -> HttpResponse:
    try:
        result = run()
    except CatalogueError as error:
        open_version = getattr(error, "open_version", None)
        if open_version is not None:
            messages.error(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    str(error),
                    design_url(open_version),
                    _("Open version %(number)s") % {"number": open_version.number},
                ),
            )
        else:
            messages.error(request, str(error))
        return redirect(design_url(version))
    messages.success(request, success)
    return redirect(design_url(result if isinstance(result, Version) else version))


OWN_DESIGN = gettext_lazy(
    "You wrote or edited this version, so someone else must review it: "
    "a designer cannot approve their own design."
)
REFUSED_STEP = gettext_lazy(
    "You cannot take this step on this design. Reviews are made by reviewers and institution "
    "admins who did not write or edit the version; comments by its design team."
)


def _with_comment(
    request: HttpRequest,
    version: Version,
    form_class: type[CommentForm],
    title: str,
    run: Callable[[str], Any],
    success: str,
    *,
    allowed: bool,
) -> HttpResponse:
    """Validate the comment; when it is missing or too long, show the form again with the
    reason tied to the field (nothing is changed). Someone who may see the design but not take
    this step is refused before their input is looked at."""
    if not allowed:
        message = REFUSED_STEP
        if permissions.is_author(request.user, version):
            message = OWN_DESIGN
        messages.error(request, message)
        return redirect(design_url(version))
    form = form_class(request.POST)
    if not form.is_valid():
        return render(
            request,
            "catalogue/review_form.html",
            {
                "version": version,
                "micro_credential": version.micro_credential,
                "form": form,
                "title": title,
                "action": request.path,
                "design_url": design_url(version),
            },
            status=400,
        )
    return _act(request, version, lambda: run(form.cleaned_data["comment"]), success)


@require_POST
@login_required
def version_submit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _act(
        request,
        version,
        lambda: lifecycle.version_submit(actor=request.user, version=version),
        _("Submitted for framework review. A reviewer will look at it next."),
    )


@require_POST
@login_required
def version_request_changes(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _with_comment(
        request,
        version,
        ChangesForm,
        _("Request changes"),
        lambda comment: lifecycle.version_request_changes(
            actor=request.user, version=version, comment=comment
        ),
        _("Changes requested. The designers can edit the design again."),
        allowed=permissions.can_review_design(request.user, version),
    )


@require_POST
@login_required
def version_approve(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _with_comment(
        request,
        version,
        ApproveForm,
        _("Approve"),
        lambda comment: lifecycle.version_approve(
            actor=request.user, version=version, comment=comment
        ),
        _("Approved. It can be published once the framework checklist holds."),
        allowed=permissions.can_review_design(request.user, version),
    )


@require_POST
@login_required
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _act(
        request,
        version,
        lambda: lifecycle.version_publish(actor=request.user, version=version),
        _("Published. It is now in the public catalogue."),
    )


@require_POST
@login_required
def version_retire(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _act(
        request,
        version,
        lambda: lifecycle.version_retire(actor=request.user, version=version),
        _("Retired. It is no longer offered; awards already made stay valid."),
    )


@require_POST
@login_required
def version_start_next(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _act(
        request,
        version,
        lambda: lifecycle.version_start_next(actor=request.user, version=version),
        _("A new draft version was started from the published one. Edit it here."),
    )


@require_POST
@login_required
def review_comment_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request.user, slug, number)
    return _with_comment(
        request,
        version,
        CommentForm,
        _("Add a comment"),
        lambda comment: lifecycle.review_comment_add(
            actor=request.user, version=version, body=comment
        ),
        _("Comment added."),
        allowed=permissions.has_role(
            request.user, version.micro_credential.issuer.organisation, *permissions.DESIGN_TEAM
        ),
    )


@require_safe
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Designs waiting for framework review where the user reviews (oldest first)."""
    organisations = permissions.organisations_where(
        request.user, Role.REVIEWER, Role.INSTITUTION_ADMIN
    )
    if not organisations.exists():
        raise PermissionDenied
    versions = list(
        Version.objects.filter(
            state=Version.State.SUBMITTED,
            micro_credential__issuer__organisation__in=organisations,
        )
        .select_related("micro_credential__issuer__organisation", "created_by")
        .prefetch_related("contributors")
        .order_by("submitted_at", "pk")
    )
    rows = [
        {
            "version": version,
            "url": design_url(version),
            "own": version.created_by_id == request.user.pk
            or any(person.pk == request.user.pk for person in version.contributors.all()),
        }
        for version in versions
    ]
    return render(request, "catalogue/review_queue.html", {"rows": rows})


# Readable names for audit actions on designs; unknown actions show their code.
ACTION_LABELS = {
    "version.submit": gettext_lazy("Submitted for framework review"),
    "version.request_changes": gettext_lazy("Requested changes"),
    "version.approve": gettext_lazy("Approved"),
    "version.publish": gettext_lazy("Published"),
    "version.retire": gettext_lazy("Retired"),
    "version.start_next": gettext_lazy("Started a new version"),
    "review_comment.add": gettext_lazy("Commented"),
    "design.created": gettext_lazy("Created the design"),
    "design.updated": gettext_lazy("Changed the design"),
    "design.image_set": gettext_lazy("Changed the image"),
    "design.goals_set": gettext_lazy("Changed the institutional goals"),
    "design.competency_added": gettext_lazy("Added a competency"),
    "design.competency_updated": gettext_lazy("Changed a competency"),
    "design.competency_removed": gettext_lazy("Removed a competency"),
    "design.competency_moved": gettext_lazy("Moved a competency"),
    "design.rubric_level_added": gettext_lazy("Added a rubric level"),
    "design.rubric_level_updated": gettext_lazy("Changed a rubric level"),
    "design.rubric_level_removed": gettext_lazy("Removed a rubric level"),
    "design.passing_level_set": gettext_lazy("Chose the passing level"),
    "design.alignment_added": gettext_lazy("Added an alignment"),
    "design.alignment_removed": gettext_lazy("Removed an alignment"),
    "design.prompt_added": gettext_lazy("Added a reflection prompt"),
    "design.prompt_updated": gettext_lazy("Changed a reflection prompt"),
    "design.prompt_removed": gettext_lazy("Removed a reflection prompt"),
    "endorsements.request_send": gettext_lazy("Asked a partner to endorse"),
    "endorsements.request_cancel": gettext_lazy("Cancelled an endorsement request"),
    "endorsements.comment_add": gettext_lazy("Commented on the endorsement"),
    "endorsements.sign": gettext_lazy("Endorsed"),
    "endorsements.decline": gettext_lazy("Declined to endorse"),
    "endorsements.renew": gettext_lazy("Renewed the endorsement"),
    "endorsements.withdraw": gettext_lazy("Withdrew the endorsement"),
}


def _history_targets(micro_credential: MicroCredential, versions: list[Version]) -> dict[str, str]:
    """Audit targets that belong to this design, each with a readable name."""
    from mosaics.endorsements.models import Endorsement, EndorsementRequest

    targets = {target_of(micro_credential): _("the micro-credential")}
    for version in versions:
        label = _("version %(number)s") % {"number": version.number}
        targets[target_of(version)] = label
        for competency in version.competencies.prefetch_related("levels", "alignments"):
            name = _("competency “%(name)s” (%(version)s)") % {
                "name": competency.statement,
                "version": label,
            }
            targets[target_of(competency)] = name
            for level in competency.levels.all():
                targets[target_of(level)] = _("rubric level “%(level)s” of %(competency)s") % {
                    "level": level.name,
                    "competency": name,
                }
            for alignment in competency.alignments.all():
                targets[target_of(alignment)] = _("alignment “%(alignment)s” of %(competency)s") % {
                    "alignment": alignment,
                    "competency": name,
                }
        for prompt in version.reflection_prompts.all():
            targets[target_of(prompt)] = _("reflection prompt (%(version)s)") % {"version": label}
        for comment in version.comments.all():
            targets[target_of(comment)] = _("review comment (%(version)s)") % {"version": label}
        for request in (
            EndorsementRequest.objects.filter(version=version)
            .prefetch_related("comments")
            .select_related("partner")
        ):
            targets[target_of(request)] = _("endorsement request to %(partner)s (%(version)s)") % {
                "partner": request.partner,
                "version": label,
            }
            for remark in request.comments.all():
                targets[target_of(remark)] = _(
                    "endorsement conversation with %(partner)s (%(version)s)"
                ) % {"partner": request.partner, "version": label}
        for endorsement in Endorsement.objects.filter(version=version).select_related("endorser"):
            targets[target_of(endorsement)] = _("endorsement by %(endorser)s (%(version)s)") % {
                "endorser": endorsement.endorser,
                "version": label,
            }
    return targets


@require_safe
@login_required
def design_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version of a design and who did what to it, when (the design team only)."""
    micro_credential = _get_micro_credential_for_user(request.user, slug)
    versions = list(
        micro_credential.versions.select_related("created_by", "approved_by").order_by("number")
    )
    targets = _history_targets(micro_credential, versions)
    version_ids = [version.pk for version in versions]
    entries = (
        AuditEntry.objects.filter(
            Q(target__in=list(targets))
            # Entries about parts since deleted name their version in the details.
            | Q(
                organisation=micro_credential.issuer.organisation,
                target__startswith="catalogue.",
                data__version__in=version_ids,
            )
        )
        .select_related("actor")
        .order_by("-created", "-id")
    )
    rows = [
        {
            "entry": entry,
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "target": targets.get(entry.target, entry.target),
            "details": [(_detail_label(str(k)), _detail(v)) for k, v in (entry.data or {}).items()],
        }
        for entry in entries
    ]
    latest = versions[-1] if versions else None
    return render(
        request,
        "catalogue/history.html",
        {
            "micro_credential": micro_credential,
            "title": latest.title if latest else micro_credential.slug,
            "versions": [{"version": v, "url": design_url(v)} for v in reversed(versions)],
            "rows": rows,
        },
    )


# Readable names for the details audit entries carry; others show their key in words.
DETAIL_LABELS = {
    "number": gettext_lazy("version"),
    "comment": gettext_lazy("comment"),
    "resubmitted": gettext_lazy("resubmitted"),
    "superseded": gettext_lazy("superseded version"),
    "copied_from": gettext_lazy("copied from version"),
    "fields": gettext_lazy("fields"),
    "changes": gettext_lazy("changes"),
    "statement": gettext_lazy("statement"),
    "demonstration": gettext_lazy("demonstration"),
    "text": gettext_lazy("text"),
    "old": gettext_lazy("before"),
    "new": gettext_lazy("after"),
}


def _detail_label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key.replace("_", " ")))


def _detail(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_detail(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{_detail_label(str(key))}: {_detail(item)}" for key, item in value.items()
        )
    return str(value)
