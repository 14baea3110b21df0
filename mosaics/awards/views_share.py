"""Sharing an award: the public badge page (and its picture and QR code), the holder's share
page (public page on/off, private evidence, LinkedIn, downloads, certificate) and the
downloads themselves.

Who sees what:
- the public page, its picture and its QR code answer only for an accepted award its holder
  has shared (404 otherwise, so an unshared badge's existence never shows); the holder and
  the issuer's staff may also fetch the picture and QR code;
- the share page and its two POST actions are the holder's;
- downloads and the certificate are the holder's and the issuing organisation's staff
  (`can_view_award_record`); everyone else gets 404.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mosaics.awards import actions, certificate, documents, images, sharing
from mosaics.awards.models import Award
from mosaics.organisations import permissions

__all__ = [
    "DOWNLOADS",
    "certificate_view",
    "download",
    "evidence_privacy",
    "linkedin_url",
    "public",
    "public_image",
    "qr",
    "share",
    "sharing_page",
]

#: file name → (credential form or image, content type)
DOWNLOADS: dict[str, tuple[str, str]] = {
    "credential.json": ("eddsa-rdfc-2022", "application/ld+json"),
    "credential-jcs.json": ("eddsa-jcs-2022", "application/ld+json"),
    "credential.jwt": ("jwt", "application/vc+jwt"),
    "badge.png": ("png", "image/png"),
    "badge.svg": ("svg", "image/svg+xml"),
}
#: SVG pictures are served sandboxed; an embedded raster picture is a data: URI.
SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
_ID = re.compile(r"\d{1,18}")
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})


# --- lookups ------------------------------------------------------------------------------


def _awards() -> QuerySet[Award]:
    return Award.objects.select_related(
        "version__micro_credential", "pathway", "issuer__organisation", "learner"
    )


def _get_public_award(value: uuid.UUID) -> Award:
    """A shared, accepted award (anyone may see it), else 404."""
    return get_object_or_404(
        _awards(), uuid=value, shared=True, claim=Award.Claim.ACCEPTED, learner__isnull=False
    )


def _get_held_award(user: Any, value: uuid.UUID) -> Award:
    """An award `user` holds, else 404."""
    award = get_object_or_404(_awards(), uuid=value)
    if not permissions.is_award_holder(user, award):
        raise Http404
    return award


def _get_award_for_download(user: Any, value: uuid.UUID) -> Award:
    """An award `user` holds or keeps the record of (issuer staff), else 404."""
    award = get_object_or_404(_awards(), uuid=value)
    if not (
        permissions.is_award_holder(user, award) or permissions.can_view_award_record(user, award)
    ):
        raise Http404
    return award


def _get_visible_award(user: Any, value: uuid.UUID) -> Award:
    """Shared publicly, or `user` holds it or keeps its record."""
    award = get_object_or_404(_awards(), uuid=value)
    public = award.shared and award.claim == Award.Claim.ACCEPTED and award.learner_id
    if not (
        public
        or permissions.is_award_holder(user, award)
        or permissions.can_view_award_record(user, award)
    ):
        raise Http404
    return award


# --- helpers ------------------------------------------------------------------------------


def linkedin_url(award: Award) -> str:
    """LinkedIn's "Add to profile" link for a certification (startTask=CERTIFICATION_NAME with
    name, organizationName, issueYear/Month, expirationYear/Month, certUrl, certId)."""
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.title,
        "organizationName": award.issuer.name,
        "issueYear": award.awarded_at.year,
        "issueMonth": award.awarded_at.month,
    }
    if award.valid_until is not None:
        params["expirationYear"] = award.valid_until.year
        params["expirationMonth"] = award.valid_until.month
    params["certUrl"] = documents.public_url(award)
    params["certId"] = str(award.uuid)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def _filename(award: Award, name: str) -> str:
    stem = slugify(award.title)[:60].strip("-") or "badge"
    return f"{stem}-{name}"


def _disposition(award: Award, name: str, *, attachment: bool) -> str:
    return str(
        content_disposition_header(as_attachment=attachment, filename=_filename(award, name))
    )


def _achievement(award: Award) -> dict[str, Any]:
    subject = award.credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else {}


def _competencies(award: Award) -> list[dict[str, Any]]:
    """Each competency of the design with the learner's result (level) when there is one."""
    results = {r.competency_id: r for r in award.results.select_related("level", "competency")}
    rows = []
    if award.version is not None:
        for competency in award.version.competencies.all():
            result = results.pop(competency.pk, None)
            rows.append(
                {
                    "statement": competency.statement,
                    "level": result.level.name if result and result.level else "",
                }
            )
    for result in results.values():
        rows.append(
            {
                "statement": result.competency.statement,
                "level": result.level.name if result.level else "",
            }
        )
    return rows


def _endorsements(award: Award) -> list[Any]:
    if award.version is None:
        return []
    from mosaics.catalogue.documents import current_endorsements

    return list(current_endorsements(award.version))


def _next_or(request: HttpRequest, default: str) -> str:
    """Where to go back to: `next` when it is a path on this site, else `default`. (Only a
    path: `redirect()` would take any other word for a URL name, and a control character
    cannot go in a header.)"""
    target = str(request.POST.get("next", ""))
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def _flag(value: Any) -> bool | None:
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# --- public -------------------------------------------------------------------------------


@require_safe
def public(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    award = _get_public_award(uuid)
    achievement = _achievement(award)
    name = certificate.holder_name(award)
    image_path = reverse("awards:public_image", kwargs={"uuid": award.uuid})
    page_url = documents.public_url(award)
    description = achievement.get("description") or ""
    if name:
        summary = _("%(name)s earned %(title)s, issued by %(issuer)s.") % {
            "name": name,
            "title": award.title,
            "issuer": award.issuer.name,
        }
    else:
        summary = _("%(title)s, issued by %(issuer)s.") % {
            "title": award.title,
            "issuer": award.issuer.name,
        }
    response = render(
        request,
        "awards/share/public.html",
        {
            "award": award,
            "holder_name": name,
            "achievement": achievement,
            "description": description,
            "summary": summary,
            "issuer": award.issuer,
            "status": award.effective_status,
            "competencies": _competencies(award),
            "endorsements": _endorsements(award),
            "evidence": award.evidence.filter(private=False),
            "page_url": page_url,
            "image_url": documents._absolute(image_path),
            "image_path": image_path,
            "achievement_url": documents.achievement_page(award),
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def public_image(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    """The badge picture (PNG, not baked) for link previews and the public page."""
    award = _get_visible_award(request.user, uuid)
    response = HttpResponse(images.base_png(award), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if award.shared else "private, no-cache"
    return response


@require_safe
def qr(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    """The QR code of the public page's address, as SVG."""
    award = _get_visible_award(request.user, uuid)
    url = documents.public_url(award)
    label = _("QR code of the badge page %(url)s") % {"url": url}
    response = HttpResponse(images.qr_svg(url, label), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SVG_POLICY
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- the holder's share page ---------------------------------------------------------------


@login_required
@require_safe
def sharing_page(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    award = _get_held_award(request.user, uuid)
    downloads = [
        {"file": name, "url": reverse("awards:download", kwargs={"uuid": award.uuid, "file": name})}
        for name in DOWNLOADS
    ]
    return render(
        request,
        "awards/share/sharing.html",
        {
            "award": award,
            "accepted": award.claim == Award.Claim.ACCEPTED,
            "public_url": documents.public_url(award),
            "linkedin_url": linkedin_url(award),
            "evidence": award.evidence.all(),
            "downloads": downloads,
            "status": award.effective_status,
        },
    )


@require_POST
def share(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    award = _get_held_award(request.user, uuid)
    default = reverse("awards:sharing", kwargs={"uuid": award.uuid})
    shared = _flag(request.POST.get("shared"))
    if shared is None:
        messages.error(request, _("Choose whether to show the badge page or not."))
        return redirect(_next_or(request, default))
    try:
        sharing.award_share(actor=request.user, award=award, shared=shared)
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Your badge page is public: anyone with the link can see it.")
            if shared
            else _("Your badge page is hidden: its link shows nothing any more."),
        )
    return redirect(_next_or(request, default))


@require_POST
def evidence_privacy(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    award = _get_held_award(request.user, uuid)
    default = reverse("awards:sharing", kwargs={"uuid": award.uuid})
    raw = str(request.POST.get("evidence", "")).strip()
    private = _flag(request.POST.get("private"))
    if not _ID.fullmatch(raw) or private is None:
        messages.error(request, _("Choose a piece of evidence and whether to keep it private."))
        return redirect(_next_or(request, default))
    try:
        item = sharing.award_evidence_privacy(
            actor=request.user, award=award, evidence=int(raw), private=private
        )
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            (
                _("“%(name)s” is private: no public page shows it.")
                if private
                else _("“%(name)s” is shown on your public badge page.")
            )
            % {"name": item.name},
        )
    return redirect(_next_or(request, default))


# --- downloads -----------------------------------------------------------------------------


def _back(request: HttpRequest, award: Award) -> str:
    if permissions.is_award_holder(request.user, award):
        return reverse("awards:sharing", kwargs={"uuid": award.uuid})
    return reverse("awards:record", kwargs={"uuid": award.uuid})


@require_safe
def download(request: HttpRequest, uuid: uuid.UUID, file: str) -> HttpResponseBase:
    if file not in DOWNLOADS:
        raise Http404
    award = _get_award_for_download(request.user, uuid)
    what, content_type = DOWNLOADS[file]
    try:
        if what == "png":
            body: bytes = images.baked_png(award)
        elif what == "svg":
            body = images.baked_svg(award)
        else:
            signed = actions.award_credential_form(award, what)
            if isinstance(signed, str):
                body = signed.encode()
            else:
                import json

                body = json.dumps(signed, ensure_ascii=False, indent=2).encode()
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, award))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = _disposition(award, file, attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if what == "svg":
        response["Content-Security-Policy"] = SVG_POLICY
    return response


@require_safe
def certificate_view(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    award = _get_award_for_download(request.user, uuid)
    size = request.GET.get("size", "a4")
    if size not in certificate.PAGE_SIZES:
        size = "a4"
    body = certificate.certificate_pdf(award, size=size)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = _disposition(award, "certificate.pdf", attachment=False)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
