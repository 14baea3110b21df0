"""Endorsement pages: the partner's portal and the conversation about one request (both sides),
the institution's invitation, and the public page and JSON of each signed endorsement.

Views parse, authorise (one `_get_<obj>_for_user()` helper per object, answering 404 to whoever
may not see it, so nothing leaks across organisations), call an action and redirect — or show
the page again with the form's errors, having changed nothing.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mosaics.catalogue.documents import content_digest
from mosaics.catalogue.models import Version
from mosaics.endorsements import actions
from mosaics.endorsements.forms import (
    CommentForm,
    DeclineForm,
    EndorseForm,
    RenewForm,
    RequestSendForm,
    WithdrawForm,
)
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.organisations import permissions

# --- lookups ------------------------------------------------------------------------------


def _get_request_for_user(user: Any, pk: int) -> EndorsementRequest:
    """The request, if `user` endorses for its partner or is on the design team."""
    request = get_object_or_404(
        EndorsementRequest.objects.select_related(
            "partner",
            "requested_by",
            "decided_by",
            "version__micro_credential__issuer__organisation",
        ),
        pk=pk,
    )
    if not (
        permissions.can_endorse_for(user, request.partner)
        or actions.is_design_team(user, request.version)
    ):
        raise Http404
    return request


def _get_endorsement_for_user(user: Any, pk: int) -> Endorsement:
    """An endorsement the user endorses for (renew, withdraw)."""
    endorsement = get_object_or_404(
        Endorsement.objects.select_related("request__partner", "version", "endorser"), pk=pk
    )
    if not permissions.can_endorse_for(user, endorsement.request.partner):
        raise Http404
    return endorsement


def _get_version_for_user(user: Any, slug: str, number: int) -> Version:
    """A version the user may ask endorsements for."""
    version = get_object_or_404(
        Version.objects.select_related("micro_credential__issuer__organisation"),
        micro_credential__slug=slug,
        number=number,
    )
    if not permissions.can_request_endorsement(user, version):
        raise Http404
    return version


def _get_public_endorsement(user: Any, value: uuid.UUID) -> Endorsement:
    """A signed endorsement by its credential id. Public once the version it endorses has been
    published; before that only the two sides see it."""
    endorsement = get_object_or_404(
        Endorsement.objects.select_related(
            "request__partner",
            "endorser__organisation",
            "renewed_by",
            "version__micro_credential__issuer__organisation",
        ),
        credential_id=f"urn:uuid:{value}",
    )
    if endorsement.version.published_at is None and not (
        permissions.can_endorse_for(user, endorsement.request.partner)
        or actions.is_design_team(user, endorsement.version)
    ):
        raise Http404
    return endorsement


def endorsement_state(endorsement: Endorsement, now: Any = None, digest: str | None = None) -> str:
    """`current`, `stale`, `expired`, `renewed`, `withdrawn` or `not_yet_valid`.

    `stale` (given the version's current content `digest`): current, but signed over an
    earlier state of the design, so not in force until the partner renews it."""
    now = now or timezone.now()
    if endorsement.withdrawn_at is not None:
        return "withdrawn"
    if endorsement.renewed_by_id is not None:
        return "renewed"
    if endorsement.valid_until is not None and endorsement.valid_until <= now:
        return "expired"
    if endorsement.valid_from > now:
        return "not_yet_valid"
    if digest is not None and endorsement.content_digest != digest:
        return "stale"
    return "current"


def _annotate(endorsements: list[Endorsement]) -> list[Endorsement]:
    """Each endorsement's `state`, against the current content of its version."""
    now = timezone.now()
    digests: dict[int, str] = {}
    for endorsement in endorsements:
        state = endorsement_state(endorsement, now)
        if state == "current":  # only then does the content matter
            if endorsement.version_id not in digests:
                digests[endorsement.version_id] = content_digest(endorsement.version)
            state = endorsement_state(endorsement, now, digests[endorsement.version_id])
        endorsement.state = state  # type: ignore[attr-defined]
    return endorsements


# --- the partner's portal -----------------------------------------------------------------


@require_safe
@login_required
def portal(request: HttpRequest) -> HttpResponse:
    partners = list(actions.endorsing_partners(request.user))
    if not partners:
        raise Http404
    requests = list(
        actions.endorsement_requests_for_user(request.user)
        .annotate(
            open_first=Case(
                When(state=EndorsementRequest.State.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-created", "-pk")
    )
    endorsements = _annotate(
        list(
            Endorsement.objects.filter(request__partner__in=partners)
            .select_related("request", "version__micro_credential", "endorser")
            .order_by("-created", "-pk")
        )
    )
    return render(
        request,
        "endorsements/portal.html",
        {
            "partners": partners,
            "open_requests": [r for r in requests if r.state == EndorsementRequest.State.OPEN],
            "decided_requests": [r for r in requests if r.state != EndorsementRequest.State.OPEN],
            "endorsements": endorsements,
        },
    )


# --- one request's conversation -----------------------------------------------------------


def _request_page(
    request: HttpRequest,
    endorsement_request: EndorsementRequest,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    user = request.user
    version = endorsement_request.version
    is_endorser = permissions.can_endorse_for(user, endorsement_request.partner)
    is_institution = permissions.can_request_endorsement(user, version)
    is_open = endorsement_request.state == EndorsementRequest.State.OPEN
    digest = content_digest(version)
    endorsements = list(
        endorsement_request.endorsements.select_related("endorser", "renewed_by").order_by(
            "created", "pk"
        )
    )
    for endorsement in endorsements:
        endorsement.version = version  # the same row: the digest is computed once
    _annotate(endorsements)
    actionable = next(
        (
            e
            for e in reversed(endorsements)
            if e.state in ("current", "stale", "expired", "not_yet_valid")  # type: ignore[attr-defined]
        ),
        None,
    )
    competencies = version.competencies.select_related("passing_level").prefetch_related(
        "levels", "alignments"
    )
    context = {
        "endorsement_request": endorsement_request,
        "version": version,
        "micro_credential": version.micro_credential,
        "institution": version.micro_credential.issuer.organisation,
        "competencies": competencies,
        "prompts": version.reflection_prompts.all(),
        "goals": version.goals.all(),
        "comments": endorsement_request.comments.select_related("author"),
        "endorsements": endorsements,
        "actionable": actionable if is_endorser else None,
        "is_endorser": is_endorser,
        "is_institution": is_institution,
        "can_comment": is_open and (is_endorser or is_institution),
        "can_decide": is_open and is_endorser,
        "can_cancel": is_open and is_institution,
        "comment_form": forms.get("comment_form") or CommentForm(prefix="comment"),
        "content_digest": digest,
        "endorse_form": forms.get("endorse_form") or EndorseForm(prefix="endorse"),
        "decline_form": forms.get("decline_form") or DeclineForm(prefix="decline"),
        "renew_form": forms.get("renew_form")
        or RenewForm(
            prefix="renew",
            initial={"statement": actionable.statement if actionable else ""},
        ),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
    }
    return render(request, "endorsements/request_detail.html", context, status=status)


@require_safe
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _get_request_for_user(request.user, pk))


def _refused(error: actions.EndorsementRefused, form: Any) -> None:
    form.add_refusal(error)


@require_POST
@login_required
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement_request = _get_request_for_user(request.user, pk)
    if not (
        permissions.can_endorse_for(request.user, endorsement_request.partner)
        or permissions.can_request_endorsement(request.user, endorsement_request.version)
    ):
        raise Http404  # may read the conversation (reviewers) but not speak in it
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            actions.endorsement_comment_add(
                actor=request.user, request=endorsement_request, body=form.cleaned_data["body"]
            )
        except PermissionDenied:
            raise Http404 from None
        except actions.EndorsementRefused as error:
            _refused(error, form)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect("endorsements:request", pk=endorsement_request.pk)
    return _request_page(request, endorsement_request, status=400, comment_form=form)


@require_POST
@login_required
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement_request = _get_request_for_user(request.user, pk)
    if not permissions.can_endorse_for(request.user, endorsement_request.partner):
        raise Http404
    form = EndorseForm(request.POST, prefix="endorse")
    if form.is_valid():
        try:
            endorsement = actions.endorsement_sign(
                actor=request.user,
                request=endorsement_request,
                statement=form.cleaned_data["statement"],
                valid_months=form.cleaned_data["valid_months"],
                read_digest=form.cleaned_data["content_digest"] or None,
            )
        except actions.EndorsementRefused as error:
            _refused(error, form)
        else:
            messages.success(
                request,
                _("Thank you: %(partner)s now endorses this micro-credential.")
                % {"partner": endorsement_request.partner.name},
            )
            return redirect("endorsements:detail", uuid=endorsement.credential_id.split(":")[-1])
    return _request_page(request, endorsement_request, status=400, endorse_form=form)


@require_POST
@login_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement_request = _get_request_for_user(request.user, pk)
    if not permissions.can_endorse_for(request.user, endorsement_request.partner):
        raise Http404
    form = DeclineForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            actions.endorsement_decline(
                actor=request.user, request=endorsement_request, reason=form.cleaned_data["reason"]
            )
        except actions.EndorsementRefused as error:
            _refused(error, form)
        else:
            messages.success(request, _("You declined; the institution has been told why."))
            return redirect("endorsements:request", pk=endorsement_request.pk)
    return _request_page(request, endorsement_request, status=400, decline_form=form)


@require_POST
@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement_request = _get_request_for_user(request.user, pk)
    if not permissions.can_request_endorsement(request.user, endorsement_request.version):
        raise Http404
    try:
        actions.endorsement_request_cancel(actor=request.user, request=endorsement_request)
    except actions.EndorsementRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request was cancelled."))
    return redirect("endorsements:request", pk=endorsement_request.pk)


@require_POST
@login_required
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _get_endorsement_for_user(request.user, pk)
    form = RenewForm(request.POST, prefix="renew")
    if form.is_valid():
        try:
            renewal = actions.endorsement_renew(
                actor=request.user,
                endorsement=endorsement,
                valid_months=form.cleaned_data["valid_months"],
                statement=form.cleaned_data["statement"] or None,
                read_digest=form.cleaned_data["content_digest"] or None,
            )
        except actions.EndorsementRefused as error:
            _refused(error, form)
        else:
            messages.success(request, _("The endorsement was renewed."))
            return redirect("endorsements:detail", uuid=renewal.credential_id.split(":")[-1])
    return _request_page(
        request,
        _get_request_for_user(request.user, endorsement.request_id),
        status=400,
        renew_form=form,
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _get_endorsement_for_user(request.user, pk)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            actions.endorsement_withdraw(
                actor=request.user, endorsement=endorsement, reason=form.cleaned_data["reason"]
            )
        except actions.EndorsementRefused as error:
            _refused(error, form)
        else:
            messages.success(
                request, _("The endorsement was withdrawn; its credential is now revoked.")
            )
            return redirect("endorsements:request", pk=endorsement.request_id)
    return _request_page(
        request,
        _get_request_for_user(request.user, endorsement.request_id),
        status=400,
        withdraw_form=form,
    )


# --- the institution's invitation ---------------------------------------------------------


@login_required
def request_send(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """GET: the invitation form on a page of its own (the design page embeds the same form);
    POST: invite the partner, or show the form again with what to fix."""
    version = _get_version_for_user(request.user, slug, number)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = RequestSendForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sent = actions.endorsement_request_send(
                    actor=request.user,
                    version=version,
                    partner=form.cleaned_data["partner"],
                    message=form.cleaned_data["message"],
                )
            except actions.EndorsementRefused as error:
                form.add_refusal(error)
            else:
                messages.success(
                    request,
                    _("%(partner)s has been invited to endorse this version.")
                    % {"partner": sent.partner.name},
                )
                return redirect("endorsements:request", pk=sent.pk)
    return render(
        request,
        "endorsements/request_send.html",
        {"version": version, "micro_credential": version.micro_credential, "form": form},
        status=status,
    )


# --- public -------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    endorsement = _get_public_endorsement(request.user, uuid)
    version = endorsement.version
    endorsement.state = endorsement_state(endorsement, digest=content_digest(version))  # type: ignore[attr-defined]
    return render(
        request,
        "endorsements/endorsement_detail.html",
        {
            "endorsement": endorsement,
            "version": version,
            "partner": endorsement.request.partner,
            "institution": version.micro_credential.issuer.organisation,
            "public_version": version.published_at is not None,
        },
    )


@require_safe
def credential(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    endorsement = _get_public_endorsement(request.user, uuid)
    response = HttpResponse(
        json.dumps(endorsement.credential, ensure_ascii=False, indent=2),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The design page's panel (a template tag) builds its own data; see templatetags/endorsements.py.
__all__ = [
    "comment",
    "credential",
    "decline",
    "detail",
    "endorse",
    "endorsement_state",
    "portal",
    "renew",
    "request_cancel",
    "request_detail",
    "request_send",
    "withdraw",
]
