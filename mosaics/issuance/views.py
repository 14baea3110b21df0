"""Public issuer documents (profile, DID document, OB 2.0 issuer, status lists) and key
management for the issuer's administrators."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mosaics.issuance import actions, signing
from mosaics.issuance.forms import KeyRotateForm
from mosaics.issuance.models import SigningKey, StatusList
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer

JSON_LD = "application/ld+json"
JSON = "application/json"
HTML = "text/html"


def _public_json(document: Any, content_type: str) -> HttpResponse:
    """A pretty-printed public JSON document any site may read (CORS)."""
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _get_issuer(slug: str) -> Issuer:
    """Any issuer profile: they are all public."""
    return get_object_or_404(Issuer.objects.select_related("organisation__parent"), slug=slug)


def _get_issuer_for_user(user: Any, slug: str) -> Issuer:
    """An issuer whose keys `user` may manage; 404 otherwise (existence is not revealed)."""
    issuer = Issuer.objects.select_related("organisation__parent").filter(slug=slug).first()
    if issuer is None or not permissions.can_manage_organisation(user, issuer.organisation):
        raise Http404
    return issuer


@require_safe
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    """The issuer's profile: an accessible page, or its OB 3.0 Profile as JSON-LD for clients
    that prefer JSON (content negotiation on the URL written into credentials)."""
    issuer = _get_issuer(slug)
    wanted = request.get_preferred_type([HTML, JSON_LD, JSON])
    if wanted in (JSON_LD, JSON):
        response = _public_json(signing.profile_document(issuer), JSON_LD)
    else:
        response = render(
            request,
            "issuance/profile.html",
            {
                "issuer": issuer,
                "did": signing.issuer_did(issuer),
                "signing_keys": issuer.signing_keys.all(),
                "can_manage": permissions.can_manage_organisation(
                    request.user, issuer.organisation
                ),
            },
        )
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def profile_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _public_json(signing.profile_document(_get_issuer(slug)), JSON_LD)


@require_safe
def did(request: HttpRequest, slug: str) -> HttpResponse:
    return _public_json(signing.did_document(_get_issuer(slug)), JSON)


@require_safe
def ob2_issuer(request: HttpRequest, slug: str) -> HttpResponse:
    return _public_json(signing.ob2_issuer(_get_issuer(slug)), JSON)


@require_safe
def status_list(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(StatusList.objects.only("pk", "credential"), pk=pk)
    if found.credential is None:
        raise Http404
    return _public_json(found.credential, JSON_LD)


def _render_keys(
    request: HttpRequest, issuer: Issuer, form: KeyRotateForm, status: int = 200
) -> HttpResponse:
    signing_keys = list(issuer.signing_keys.all())
    return render(
        request,
        "issuance/keys.html",
        {
            "issuer": issuer,
            "did": signing.issuer_did(issuer),
            "signing_keys": signing_keys,
            "active_key": next((k for k in signing_keys if k.is_active), None),
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def keys(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = _get_issuer_for_user(request.user, slug)
    return _render_keys(request, issuer, KeyRotateForm())


@login_required
@require_POST
def key_rotate(request: HttpRequest, slug: str) -> HttpResponse:
    """Retire the active key and make a new one (or make the first one)."""
    issuer = _get_issuer_for_user(request.user, slug)
    form = KeyRotateForm(request.POST)
    if not form.is_valid():
        return _render_keys(request, issuer, form, status=400)
    had_key = SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).exists()
    actions.key_rotate(issuer=issuer, actor=request.user)
    messages.success(
        request,
        _("A new signing key is active; the previous key is retired and stays published.")
        if had_key
        else _("The issuer's signing key is ready."),
    )
    return redirect("issuance:keys", slug=issuer.slug)
