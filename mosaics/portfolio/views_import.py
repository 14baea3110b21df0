"""Importing badges earned elsewhere: the upload page (with the learner's imports, accepted and
failed), one imported badge's page (what it is, who issued it, why it was accepted or rejected,
every check of the verifier), deleting it and sharing it.

Every page is the owner's alone: anyone else gets 404, whether or not the import exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.portfolio import imports
from mosaics.portfolio.forms_import import ImportForm, ShareForm
from mosaics.portfolio.models import ExternalBadge

KIND_LABELS = {
    "ob3": gettext_lazy("an Open Badges 3.0 badge"),
    "clr": gettext_lazy("a Comprehensive Learner Record (CLR 2.0)"),
    "ob2": gettext_lazy("an Open Badges 2.0 badge"),
}


def _get_badge_for_user(user: Any, value: uuid.UUID) -> ExternalBadge:
    """The imported badge, if `user` imported it; 404 for everyone else."""
    return get_object_or_404(ExternalBadge, uuid=value, owner_id=user.pk)


def _import_page(request: HttpRequest, form: ImportForm, *, status: int = 200) -> HttpResponse:
    mine = ExternalBadge.objects.filter(owner_id=request.user.pk).defer("payload", "credential")
    accepted, failed = [], []
    for badge in mine:
        identity = imports.issuer_identity(badge)
        issuer = imports.issuer_text(identity)
        if badge.verified:
            accepted.append((badge, issuer, imports.status_text(badge, identity)))
        else:
            failed.append((badge, issuer, imports.rejection_text(badge)))
    return render(
        request,
        "portfolio/import.html",
        {
            "form": form,
            "accepted": accepted,
            "failed": failed,
            "limit": imports.human_size(imports.max_import_bytes()),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_badge(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data, filename = form.payload()
        try:
            badge = imports.external_badge_import(actor=request.user, data=data, filename=filename)
        except imports.ImportRefused as error:
            form.add_error(None, error)
        else:
            if badge.verified and imports.issuer_identity(badge).confirmed:
                messages.success(
                    request,
                    _("The badge checks out and is yours: it is now in your mosaic."),
                )
            elif badge.verified:
                messages.success(
                    request,
                    _(
                        "The badge's signature is valid and it was issued to you: it is now in "
                        "your mosaic. Who issued it is not confirmed, and every page says so."
                    ),
                )
            else:
                messages.warning(request, _("The badge was not accepted; this page says why."))
            return redirect("portfolio:external", uuid=badge.uuid)
    return _import_page(request, form, status=400)


def _external_page(
    request: HttpRequest, badge: ExternalBadge, *, status: int = 200, error: str = ""
) -> HttpResponse:
    report = badge.report if isinstance(badge.report, dict) else {}
    summary: dict[str, Any] = report["summary"] if isinstance(report.get("summary"), dict) else {}
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict)]
    identity = imports.issuer_identity(badge)
    return render(
        request,
        "portfolio/external.html",
        {
            "badge": badge,
            "kind": KIND_LABELS.get(report.get("kind", ""), _("a badge")),
            "status_label": imports.status_text(badge, identity),
            "issuer_confirmed": identity.confirmed,
            "issuer_label": imports.issued_by_label(identity),
            "issuer": imports.issuer_text(identity),
            "issuer_confirmation": imports.confirmation_text(identity),
            "rejection": imports.rejection_text(badge),
            "recipient": imports.recipient_text(report.get("recipient")),
            "summary": summary,
            "endorsements": _endorsements(summary),
            "checks": checks,
            "failed": [c for c in checks if not c.get("ok")],
            "warnings": [w for w in report.get("warnings") or [] if isinstance(w, dict)],
            "nested": _nested(report),
            "error": error,
        },
        status=status,
    )


def _endorsements(summary: dict[str, Any]) -> list[dict[str, str]]:
    """Each endorsement in words: who (confirmed, or the name as written), what they said, and
    what was proved."""
    out = []
    for endorser in summary.get("endorsements") or []:
        if not isinstance(endorser, dict):
            continue
        identity = imports.IssuerIdentity.from_json(
            endorser.get("issuer"), name=endorser.get("name")
        )
        out.append(
            {
                "who": imports.endorser_text(identity),
                "comment": imports.clean_text(endorser.get("comment"), 300),
                "status": imports.status_words(
                    str(endorser.get("status", "")), identity, endorsement=True
                ),
            }
        )
    return out


def _nested(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each credential inside (a CLR's members, endorsements) in words: what it is for, who
    issued it as far as that was proved, its status, and the checks it failed."""
    out = []
    for item in report.get("nested") or []:
        if not isinstance(item, dict):
            continue
        credential = item.get("credential") if isinstance(item.get("credential"), dict) else {}
        identity = imports.IssuerIdentity.from_json(
            item.get("issuer"), name=imports.claimed_issuer_name(credential)
        )
        out.append(
            {
                "title": imports.clean_text(item.get("title"))
                or imports.clean_text(item.get("path")),
                "issuer": imports.issuer_text(identity),
                "status": imports.status_words(str(item.get("status", "")), identity),
                "failed": [
                    imports.clean_text(c.get("message"), 500)
                    for c in item.get("checks") or []
                    if isinstance(c, dict) and not c.get("ok")
                ],
            }
        )
    return out


@require_safe
@login_required
def external(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    return _external_page(request, _get_badge_for_user(request.user, uuid))


@require_POST
@login_required
def external_delete(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    badge = _get_badge_for_user(request.user, uuid)
    try:
        imports.external_badge_delete(actor=request.user, badge=badge)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The imported badge was removed."))
    return redirect("portfolio:import")


@require_POST
@login_required
def external_share(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    badge = _get_badge_for_user(request.user, uuid)
    form = ShareForm(request.POST)
    shared = form.is_valid() and bool(form.cleaned_data["shared"])
    try:
        badge = imports.external_badge_share(actor=request.user, badge=badge, shared=shared)
    except PermissionDenied:
        raise Http404 from None
    except imports.ImportRefused as error:
        return _external_page(request, badge, status=400, error=str(error.message))
    if badge.shared:
        messages.success(request, _("This badge is now shared publicly."))
    else:
        messages.success(request, _("This badge is private again."))
    return redirect("portfolio:external", uuid=badge.uuid)
