"""The learner's page for one competency (criterion and rubric, the draft, its evidence, the
submitted versions), the steps taken from it, one version read-only, and evidence files.

Every page but the evidence file is for the signed-in: a signed-out visitor is sent to sign
in. The competency page and its steps are the learner's own; anyone else gets a 404, since
whether someone is enrolled is private. A version, and a file, may also be seen by those who
may view a submission holding it (the issuing organisation's assessors); a file that is
public in an awarded submission whose badge the learner shared, by anyone.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.awards.models import Award, AwardEvidence
from mosaics.catalogue.models import Competency
from mosaics.core.forms import MAX_PK
from mosaics.learning.actions import demonstration as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.documents import evidence_url
from mosaics.learning.forms_demonstration import (
    DemonstrationForm,
    EvidenceBadgeForm,
    EvidenceFileForm,
    EvidenceLinkForm,
)
from mosaics.learning.models import (
    Attestation,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Submission,
)
from mosaics.learning.uploads import INLINE_TYPES, max_evidence_bytes, size_words
from mosaics.organisations import permissions

PAGE = "learning/demonstration/page.html"
VERSION_PAGE = "learning/demonstration/version.html"


# --- lookups -----------------------------------------------------------------------------


def _get_enrolment_for_learner(user: Any, slug: str) -> Enrolment:
    """The signed-in learner's enrolment in the micro-credential `slug`; 404 otherwise."""
    enrolment = (
        Enrolment.objects.select_related(
            "micro_credential__issuer__organisation", "version", "learner"
        )
        .filter(learner=user, micro_credential__slug=slug)
        .first()
    )
    if enrolment is None or not permissions.is_enrolled_learner(user, enrolment):
        raise Http404
    return enrolment


def _get_competency(enrolment: Enrolment, pk: int) -> Competency:
    if not 0 < pk <= MAX_PK:  # no database holds it (SQLite would raise OverflowError)
        raise Http404
    competency = (
        Competency.objects.select_related("passing_level")
        .filter(pk=pk, version_id=enrolment.version_id)
        .first()
    )
    if competency is None:
        raise Http404
    return competency


def _get_item_for_learner(user: Any, value: uuid_lib.UUID) -> EvidenceItem:
    """An evidence item of the signed-in learner's; 404 for anyone else's."""
    item = (
        EvidenceItem.objects.select_related(
            "demonstration__competency",
            "demonstration__enrolment__micro_credential__issuer__organisation",
            "demonstration__enrolment__version",
        )
        .filter(uuid=value, demonstration__enrolment__learner=user)
        .first()
    )
    if item is None or not permissions.is_enrolled_learner(user, item.demonstration.enrolment):
        raise Http404
    return item


def _may_view_through_submission(user: Any, demonstration: Demonstration) -> bool:
    submissions = demonstration.submissions.select_related("enrolment__version")
    return any(permissions.can_view_submission(user, s) for s in submissions)


def _get_demonstration_for_viewer(user: Any, value: uuid_lib.UUID) -> Demonstration:
    """A version the user may read: the learner's own, or one in a submission they may view
    (assessors of the issuing organisation without a declared conflict). 404 otherwise."""
    demonstration = (
        Demonstration.objects.select_related(
            "competency",
            "enrolment__micro_credential__issuer__organisation",
            "enrolment__version",
            "enrolment__learner",
        )
        .filter(uuid=value)
        .first()
    )
    if demonstration is None:
        raise Http404
    if permissions.is_enrolled_learner(user, demonstration.enrolment):
        return demonstration
    if not _may_view_through_submission(user, demonstration):
        raise Http404
    return demonstration


def _page_url(enrolment: Enrolment, competency_id: int) -> str:
    return reverse(
        "learning:demonstration",
        kwargs={"slug": enrolment.micro_credential.slug, "competency": competency_id},
    )


# --- the competency page ------------------------------------------------------------------


def _versions(enrolment: Enrolment, competency: Competency) -> list[Demonstration]:
    return list(
        Demonstration.objects.filter(enrolment=enrolment, competency=competency)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=EvidenceItem.objects.select_related(
                    "award__version", "award__pathway", "award__issuer", "external_badge"
                ),
            ),
            Prefetch("attestations", queryset=Attestation.objects.order_by("-requested_at")),
        )
        .order_by("-number")
    )


def _render_page(
    request: HttpRequest,
    enrolment: Enrolment,
    competency: Competency,
    *,
    errors: list[str] | None = None,
    form: DemonstrationForm | None = None,
    file_form: EvidenceFileForm | None = None,
    link_form: EvidenceLinkForm | None = None,
    badge_form: EvidenceBadgeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = _versions(enrolment, competency)
    draft = next((v for v in versions if not v.is_frozen), None)
    submitted = [v for v in versions if v.is_frozen]
    latest = versions[0] if versions else None
    working = enrolment.state == Enrolment.State.ACTIVE
    being_assessed = Submission.objects.filter(
        enrolment=enrolment,
        state__in=Submission.OPEN_STATES,
        demonstrations__competency=competency,
    ).exists()
    editable = working and (draft is not None or latest is None)
    if form is None:
        source = draft
        form = DemonstrationForm(
            initial={
                "narrative": source.narrative,
                "setting_organisation": source.setting_organisation,
                "setting_role": source.setting_role,
                "setting_kind": source.setting_kind,
                "setting_start": source.setting_start,
                "setting_end": source.setting_end,
            }
            if source is not None
            else None
        )
    limit = size_words(max_evidence_bytes())
    file_form = file_form or EvidenceFileForm(
        prefix="file",
        help_text=_(
            "A PDF, an image (PNG or JPEG), a text file (plain, CSV or Markdown), or an Office "
            "or OpenDocument file, at most %(limit)s. Photos are stored without their location "
            "and camera details."
        )
        % {"limit": limit},
    )
    link_form = link_form or EvidenceLinkForm(prefix="link")
    badge_form = badge_form or EvidenceBadgeForm(prefix="badge", user=request.user)
    items = list(draft.items.all()) if draft is not None else []
    context = {
        "enrolment": enrolment,
        "micro_credential": enrolment.micro_credential,
        "competency": competency,
        "levels": list(competency.levels.all()),
        "versions": versions,
        "draft": draft,
        "submitted": submitted,
        "latest": latest,
        "working": working,
        "editable": editable,
        "being_assessed": being_assessed,
        "can_revise": working and draft is None and latest is not None and not being_assessed,
        "can_discard": working and draft is not None and bool(submitted),
        "prior_learning": enrolment.route == Enrolment.Route.PRIOR_LEARNING,
        "items": items,
        "room_for_items": len(items) < actions.max_items(),
        "max_items": actions.max_items(),
        "form": form,
        "file_form": file_form,
        "link_form": link_form,
        "badge_form": badge_form,
        "visibility_choices": EvidenceItem.Visibility.choices,
        "errors": errors or [],
        "page_url": _page_url(enrolment, competency.pk),
        "viewer_is_learner": True,
    }
    return render(request, PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def demonstration(request: HttpRequest, slug: str, competency: int) -> HttpResponse:
    """The page; a POST saves the draft's narrative and setting."""
    enrolment = _get_enrolment_for_learner(request.user, slug)
    competency_obj = _get_competency(enrolment, competency)
    if request.method != "POST":
        return _render_page(request, enrolment, competency_obj)
    form = DemonstrationForm(request.POST)
    if not form.is_valid():
        return _render_page(
            request, enrolment, competency_obj, form=form, errors=_problems(form), status=400
        )
    data = form.cleaned_data
    try:
        actions.demonstration_save(
            actor=request.user,
            enrolment=enrolment,
            competency=competency_obj,
            narrative=data["narrative"],
            setting_organisation=data["setting_organisation"],
            setting_role=data["setting_role"],
            setting_kind=data["setting_kind"],
            setting_start=data["setting_start"],
            setting_end=data["setting_end"],
        )
    except LearningRefused as refused:
        return _render_page(
            request, enrolment, competency_obj, form=form, errors=refused.messages, status=400
        )
    messages.success(request, _("Your draft was saved."))
    return redirect(_page_url(enrolment, competency_obj.pk))


def _problems(form: Any) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


def _draft(enrolment: Enrolment, competency: Competency) -> Demonstration | None:
    return Demonstration.objects.filter(
        enrolment=enrolment, competency=competency, state=Demonstration.State.DRAFT
    ).first()


def _latest(enrolment: Enrolment, competency: Competency) -> Demonstration | None:
    return (
        Demonstration.objects.filter(enrolment=enrolment, competency=competency)
        .order_by("-number")
        .first()
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, slug: str, competency: int) -> HttpResponse:
    enrolment = _get_enrolment_for_learner(request.user, slug)
    competency_obj = _get_competency(enrolment, competency)
    kind = request.POST.get("kind", "")
    forms: dict[str, Any] = {}
    if kind == EvidenceItem.Kind.FILE:
        form: Any = EvidenceFileForm(request.POST, request.FILES, prefix="file")
        forms["file_form"] = form
    elif kind == EvidenceItem.Kind.LINK:
        form = EvidenceLinkForm(request.POST, prefix="link")
        forms["link_form"] = form
    elif kind == EvidenceItem.Kind.BADGE:
        form = EvidenceBadgeForm(request.POST, prefix="badge", user=request.user)
        forms["badge_form"] = form
    else:
        return _render_page(
            request,
            enrolment,
            competency_obj,
            errors=[_("Please choose a file, a link or a badge.")],
            status=400,
        )
    if not form.is_valid():
        return _render_page(
            request, enrolment, competency_obj, errors=_problems(form), status=400, **forms
        )
    data = form.cleaned_data
    award, external = form.chosen() if kind == EvidenceItem.Kind.BADGE else (None, None)
    try:
        draft = _draft(enrolment, competency_obj)
        if draft is None and _latest(enrolment, competency_obj) is None:
            # The first evidence of a competency starts its draft.
            draft = actions.demonstration_save(
                actor=request.user, enrolment=enrolment, competency=competency_obj
            )
        if draft is None:
            raise LearningRefused(
                _(
                    "Your demonstration has been submitted and cannot be changed. Revise it to "
                    "make a new version, then add evidence to that."
                ),
                code="frozen",
            )
        actions.evidence_add(
            actor=request.user,
            demonstration=draft,
            kind=kind,
            title=data.get("title", ""),
            description=data.get("description", ""),
            upload=data.get("file"),
            url=data.get("url", ""),
            award=award,
            external_badge=external,
            visibility=data["visibility"],
        )
    except LearningRefused as refused:
        return _render_page(
            request, enrolment, competency_obj, errors=refused.messages, status=400, **forms
        )
    messages.success(request, _("The evidence was added."))
    return redirect(_page_url(enrolment, competency_obj.pk) + "#evidence-heading")


@login_required
@require_POST
def evidence_remove(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    item = _get_item_for_learner(request.user, uuid)
    enrolment, competency = item.demonstration.enrolment, item.demonstration.competency
    try:
        actions.evidence_remove(actor=request.user, item=item)
    except LearningRefused as refused:
        return _render_page(request, enrolment, competency, errors=refused.messages, status=400)
    messages.success(request, _("“%(title)s” was removed.") % {"title": item.title})
    return redirect(_page_url(enrolment, competency.pk) + "#evidence-heading")


@login_required
@require_POST
def evidence_visibility(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    item = _get_item_for_learner(request.user, uuid)
    enrolment, competency = item.demonstration.enrolment, item.demonstration.competency
    try:
        item = actions.evidence_visibility_set(
            actor=request.user, item=item, visibility=request.POST.get("visibility", "")
        )
    except LearningRefused as refused:
        return _render_page(request, enrolment, competency, errors=refused.messages, status=400)
    messages.success(
        request,
        _("Who may see “%(title)s”: %(choice)s.")
        % {"title": item.title, "choice": item.get_visibility_display()},
    )
    return redirect(_page_url(enrolment, competency.pk))


def _step(request: HttpRequest, slug: str, competency: int, step: str) -> HttpResponse:
    """Submit, revise or discard, each on the version the page shows."""
    enrolment = _get_enrolment_for_learner(request.user, slug)
    competency_obj = _get_competency(enrolment, competency)
    try:
        if step == "revise":
            latest = _latest(enrolment, competency_obj)
            if latest is None:
                raise LearningRefused(
                    _("There is no submitted version to revise yet."), code="nothing"
                )
            actions.demonstration_revise(actor=request.user, demonstration=latest)
            message = _("A new draft was made from your last version. Change what you need.")
        else:
            draft = _draft(enrolment, competency_obj)
            if draft is None:
                raise LearningRefused(
                    _("There is no draft to submit.")
                    if step == "submit"
                    else _("There is no draft to discard."),
                    code="nothing",
                )
            if step == "submit":
                actions.demonstration_submit(actor=request.user, demonstration=draft)
                message = _(
                    "Your demonstration was submitted. It cannot change now; you can still "
                    "ask your supervisor to confirm it."
                )
            else:
                actions.demonstration_discard(actor=request.user, demonstration=draft)
                message = _("The draft was discarded; your submitted versions are as they were.")
    except LearningRefused as refused:
        return _render_page(request, enrolment, competency_obj, errors=refused.messages, status=400)
    messages.success(request, message)
    return redirect(_page_url(enrolment, competency_obj.pk))


@login_required
@require_POST
def demonstration_submit(request: HttpRequest, slug: str, competency: int) -> HttpResponse:
    return _step(request, slug, competency, "submit")


@login_required
@require_POST
def demonstration_revise(request: HttpRequest, slug: str, competency: int) -> HttpResponse:
    return _step(request, slug, competency, "revise")


@login_required
@require_POST
def demonstration_discard(request: HttpRequest, slug: str, competency: int) -> HttpResponse:
    return _step(request, slug, competency, "discard")


# --- one version, read-only ---------------------------------------------------------------


@login_required
@require_safe
def demonstration_version(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    demonstration = _get_demonstration_for_viewer(request.user, uuid)
    enrolment = demonstration.enrolment
    is_learner = permissions.is_enrolled_learner(request.user, enrolment)
    items = list(
        demonstration.items.select_related(
            "award__version", "award__pathway", "award__issuer", "external_badge"
        )
    )
    return render(
        request,
        VERSION_PAGE,
        {
            "demonstration": demonstration,
            "enrolment": enrolment,
            "competency": demonstration.competency,
            "items": items,
            "attestations": list(demonstration.attestations.order_by("-requested_at")),
            "viewer_is_learner": is_learner,
            "hide_email": not is_learner,
            "page_url": _page_url(enrolment, demonstration.competency_id) if is_learner else "",
        },
    )


# --- evidence files -----------------------------------------------------------------------


def _public(item: EvidenceItem) -> bool:
    """Public evidence of a submission that met the criteria, whose badge the learner shared
    and which is active — and which that badge lists under this file's address, not marked
    private on its sharing page. (A credential that groups its evidence per demonstration
    lists one item's address each: the other files stay unpublished.)"""
    url = evidence_url(item)
    if item.visibility != EvidenceItem.Visibility.PUBLIC or not url:
        return False
    scheme, _separator, rest = url.partition("://")
    awards = Submission.objects.filter(
        demonstrations=item.demonstration_id,
        state=Submission.State.MET,
        award__shared=True,
        award__status=Award.Status.ACTIVE,
    ).values("award_id")
    return AwardEvidence.objects.filter(
        award__in=awards,
        url__in={url, f"{scheme.lower()}://{rest}"},  # the credential lowers the scheme
        private=False,
    ).exists()


def _may_download(user: Any, item: EvidenceItem) -> tuple[bool, bool]:
    """(allowed, public) for `user` and the file `item`."""
    if permissions.is_enrolled_learner(user, item.demonstration.enrolment):
        return True, False
    if user.is_authenticated and _may_view_through_submission(user, item.demonstration):
        return True, False
    public = _public(item)
    return public, public


@require_safe
def evidence_file(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponseBase:
    """The stored file, to those who may see it; 404 for everyone else."""
    item = (
        EvidenceItem.objects.select_related(
            "demonstration__enrolment__version__micro_credential__issuer__organisation"
        )
        .filter(uuid=uuid, kind=EvidenceItem.Kind.FILE)
        .first()
    )
    if item is None or not item.file or not item.file.name:
        raise Http404
    allowed, public = _may_download(request.user, item)
    if not allowed:
        raise Http404
    try:
        handle = item.file.storage.open(item.file.name, "rb")
    except OSError:
        raise Http404 from None
    content_type = item.content_type or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=item.content_type not in INLINE_TYPES,
        filename=item.file_name or "evidence",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-cache" if public else "private, no-store"
    return response
