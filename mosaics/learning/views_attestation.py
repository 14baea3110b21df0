"""Supervisor attestation pages.

The learner's side (`learning:attestation_request`, `_resend`, `_cancel`) is theirs alone:
anyone else gets a 404, as if the demonstration did not exist. The supervisor's side
(`learning:attest`, `learning:attest_file`) needs no account: the link's token is the only
key, and it opens one demonstration only — the learner's name, the competency, the narrative,
the setting and the evidence — never the learner's e-mail or anything else of theirs. Token
pages are not cached, not indexed, and send no Referer, so the token does not leak to other
sites or into caches.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.learning.actions import attestation as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.forms_attestation import AttestationAnswerForm, AttestationRequestForm
from mosaics.learning.models import Attestation, Demonstration, EvidenceItem
from mosaics.organisations import permissions

#: Refusals of `attestation_answer` that mean the link no longer works (and their statuses).
CLOSED_STATUS = {"expired": 410, "cancelled": 410, "answered": 200, "unknown": 404}


# --- the learner's side --------------------------------------------------------------------


def _get_demonstration_for_learner(user: Any, value: uuid_lib.UUID) -> Demonstration:
    """The demonstration, if it is `user`'s own; 404 for everyone else (its existence is
    private)."""
    demonstration = (
        Demonstration.objects.select_related(
            "enrolment__learner",
            "enrolment__version",
            "enrolment__micro_credential__issuer",
            "competency",
        )
        .filter(uuid=value)
        .first()
    )
    if demonstration is None or not permissions.is_enrolled_learner(user, demonstration.enrolment):
        raise Http404
    return demonstration


def _get_attestation_for_learner(user: Any, value: uuid_lib.UUID) -> Attestation:
    attestation = (
        Attestation.objects.select_related("demonstration__enrolment").filter(uuid=value).first()
    )
    if attestation is None or not permissions.is_enrolled_learner(
        user, attestation.demonstration.enrolment
    ):
        raise Http404
    return attestation


def _problems(form: Any) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


def _request_path(demonstration: Demonstration) -> str:
    return reverse("learning:attestation_request", kwargs={"uuid": demonstration.uuid})


@require_http_methods(["GET", "HEAD", "POST"])
def attestation_request(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    demonstration = _get_demonstration_for_learner(request.user, uuid)
    form = AttestationRequestForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                attestation = actions.attestation_request(
                    actor=request.user,
                    demonstration=demonstration,
                    supervisor_name=form.cleaned_data["supervisor_name"],
                    supervisor_email=form.cleaned_data["supervisor_email"],
                    supervisor_role=form.cleaned_data["supervisor_role"],
                    message=form.cleaned_data["message"],
                )
            except PermissionDenied:
                raise Http404 from None
            except LearningRefused as refused:
                errors = [str(message) for message in refused.messages]
            else:
                messages.success(
                    request,
                    _("We have asked %(name)s to confirm this demonstration.")
                    % {"name": attestation.supervisor_name},
                )
                return redirect(_request_path(demonstration))
        else:
            errors = _problems(form)
    enrolment = demonstration.enrolment
    context = {
        "demonstration": demonstration,
        "enrolment": enrolment,
        "competency": demonstration.competency,
        "version": enrolment.version,
        "form": form,
        "errors": errors,
        "attestations": list(demonstration.attestations.all()),
        "can_request": demonstration.is_frozen and enrolment.is_working,
        "learner_name": actions.learner_name(request.user),
        "has_name": bool(actions.chosen_name(request.user)),
        "days": settings.MOSAICS_ATTESTATION_DAYS,
    }
    status = 400 if errors else 200
    return render(request, "learning/attestation/request.html", context, status=status)


def _learner_step(request: HttpRequest, uuid: uuid_lib.UUID, step: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attestation = _get_attestation_for_learner(request.user, uuid)
    back = _request_path(attestation.demonstration)
    try:
        if step == "resend":
            actions.attestation_resend(actor=request.user, attestation=attestation)
            done = _("We have sent %(name)s a new link. The old one no longer works.")
        else:
            actions.attestation_cancel(actor=request.user, attestation=attestation)
            done = _("The request to %(name)s is cancelled. Their link no longer works.")
    except PermissionDenied:
        raise Http404 from None
    except LearningRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"name": attestation.supervisor_name})
    return redirect(back)


@require_POST
def attestation_resend(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    return _learner_step(request, uuid, "resend")


@require_POST
def attestation_cancel(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    return _learner_step(request, uuid, "cancel")


# --- the supervisor's side (no account) ----------------------------------------------------


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """A token page: never cached, never indexed, never sends the token on as a Referer to
    another site. `same-origin`, not `no-referrer`: under `no-referrer` browsers send the answer
    form's POST with `Origin: null`, which Django's CSRF check refuses (the supervisor could
    not answer); our own site already knows the token."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _closed(request: HttpRequest, attestation: Attestation | None, reason: str) -> HttpResponseBase:
    """The page for a link that no longer opens the form (or never did)."""
    learner = attestation.demonstration.enrolment.learner if attestation is not None else None
    context = {
        "reason": reason,
        "attestation": attestation,
        "learner_name": actions.learner_name(learner) if learner is not None else "",
    }
    response = render(
        request,
        "learning/attestation/closed.html",
        context,
        status=CLOSED_STATUS[reason],
    )
    return _private(response)


def _state_of(attestation: Attestation) -> str | None:
    """Why the link no longer opens the form, or None while it does."""
    if attestation.state == Attestation.State.CANCELLED:
        return "cancelled"
    if attestation.state != Attestation.State.REQUESTED:
        return "answered"
    if attestation.is_expired:
        return "expired"
    return None


def _evidence_page(
    request: HttpRequest,
    attestation: Attestation,
    token: str,
    form: AttestationAnswerForm,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponseBase:
    demonstration = attestation.demonstration
    enrolment = demonstration.enrolment
    context = {
        "attestation": attestation,
        "demonstration": demonstration,
        "competency": demonstration.competency,
        "version": enrolment.version,
        "issuer": enrolment.micro_credential.issuer,
        "learner_name": actions.learner_name(enrolment.learner),
        "items": list(demonstration.items.select_related("award", "external_badge")),
        "token": token,
        "form": form,
        "errors": errors or [],
    }
    return _private(render(request, "learning/attestation/attest.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def attest(request: HttpRequest, token: str) -> HttpResponseBase:
    attestation = actions.attestation_for_token(token)
    if attestation is None:
        return _closed(request, None, "unknown")
    reason = _state_of(attestation)
    if reason is not None:
        return _closed(request, attestation, reason)
    if request.method != "POST":
        return _evidence_page(request, attestation, token, AttestationAnswerForm())
    form = AttestationAnswerForm(request.POST)
    if not form.is_valid():
        return _evidence_page(request, attestation, token, form, errors=_problems(form), status=400)
    try:
        answered = actions.attestation_answer(
            token=token, confirmed=form.confirmed, comment=form.cleaned_data["comment"]
        )
    except LearningRefused as refused:
        code = refused.code or ""
        if code in CLOSED_STATUS:
            attestation.refresh_from_db()
            return _closed(request, attestation, code)
        for message in refused.messages:
            form.add_error("comment", message)
        return _evidence_page(request, attestation, token, form, errors=_problems(form), status=400)
    context = {
        "attestation": answered,
        "learner_name": actions.learner_name(answered.demonstration.enrolment.learner),
    }
    return _private(render(request, "learning/attestation/thanks.html", context))


@require_safe
def attest_file(request: HttpRequest, token: str, uuid: uuid_lib.UUID) -> HttpResponseBase:
    """An evidence file of the link's demonstration, while the link is open."""
    attestation = actions.attestation_for_token(token)
    if attestation is None or _state_of(attestation) is not None:
        return _closed(request, None, "unknown")
    item = EvidenceItem.objects.filter(
        demonstration=attestation.demonstration, uuid=uuid, kind=EvidenceItem.Kind.FILE
    ).first()
    if item is None or not item.file:
        return _closed(request, None, "unknown")
    try:
        handle = item.file.open("rb")
    except OSError:
        return _closed(request, None, "unknown")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.file_name or "evidence",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return _private(response)
