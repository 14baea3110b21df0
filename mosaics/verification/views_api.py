"""VC-API endpoints (JSON in and out, CSRF-exempt: they carry no cookie authority) and the
pages where institution admins manage an issuer's API tokens."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from mosaics.issuance import signing
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer
from mosaics.verification import api, tokens
from mosaics.verification.forms_api import ApiTokenForm
from mosaics.verification.models import ApiToken
from mosaics.verification.views_page import _client

logger = logging.getLogger(__name__)

JSON = "application/json"

#: Verifications (`/credentials/verify` and `/presentations/verify` together) per client
#: address and window (seconds): generous enough for the W3C test suites, which send a few
#: hundred requests in a run, while one address cannot keep the server busy verifying.
#: Settings `VC_API_VERIFY_LIMIT` and `VC_API_VERIFY_WINDOW` override them.
VERIFY_LIMIT: Final = 300
VERIFY_WINDOW: Final = 300


def _verify_rate_limited(request: HttpRequest) -> int | None:
    """Count one verification for this client (the same cache counter as the verification
    page's link limit, `views_page._rate_limited`, under its own key and budget). None while
    within the limit, else the seconds until the window ends (for `Retry-After`)."""
    limit = int(getattr(settings, "VC_API_VERIFY_LIMIT", VERIFY_LIMIT))
    window = int(getattr(settings, "VC_API_VERIFY_WINDOW", VERIFY_WINDOW))
    key = f"verification:api-verify:{_client(request)}"
    now = time.time()
    if cache.add(key, 1, window):
        cache.set(f"{key}:start", now, window)
        return None
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        cache.set(f"{key}:start", now, window)
        return None
    if count <= limit:
        return None
    start = cache.get(f"{key}:start")
    left = window if not isinstance(start, int | float) else start + window - now
    return max(1, min(window, math.ceil(left)))


def _too_many(retry_after: int) -> HttpResponse:
    message = _(
        "Too many verifications from your address in a short time; try again in %(seconds)s "
        "seconds."
    ) % {"seconds": retry_after}
    response = _json(
        {
            "verified": False,
            "checks": [],
            "warnings": [],
            "message": message,
            "errors": [{"code": "rate_limited", "message": message}],
        },
        429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _json(payload: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type=JSON, status=status)
    add_never_cache_headers(response)
    return response


def _error(exc: api.ApiError, *, verification: bool = False) -> HttpResponse:
    payload = exc.to_json()
    if verification:
        payload = {"verified": False, "checks": [], "warnings": [], **payload}
    response = _json(payload, exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="mosaics"' + (
            ', error="invalid_token"' if exc.code == "invalid_token" else ""
        )
    return response


def _post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method == "POST":
        return None
    response = _json(
        {
            "message": _("Use POST with a JSON body."),
            "errors": [{"code": "method_not_allowed", "message": _("Use POST with a JSON body.")}],
        },
        405,
    )
    response["Allow"] = "POST"
    return response


def _endpoint(
    request: HttpRequest,
    work: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]],
    *,
    verification: bool,
) -> HttpResponse:
    refused = _post_only(request)
    if refused is not None:
        return refused
    if verification:
        retry_after = _verify_rate_limited(request)
        if retry_after is not None:
            return _too_many(retry_after)
    try:
        status, payload = work(api.read_json_body(request))
    except api.ApiError as exc:
        return _error(exc, verification=verification)
    return _json(payload, status)


@csrf_exempt
def verify_credential(request: HttpRequest) -> HttpResponse:
    """`POST /credentials/verify` (public): 200 when the credential verifies, 400 otherwise."""

    def work(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        verified, payload = api.verify_credential(body)
        return (200 if verified else 400), payload

    return _endpoint(request, work, verification=True)


@csrf_exempt
def verify_presentation(request: HttpRequest) -> HttpResponse:
    """`POST /presentations/verify` (public): the presentation's proof and its credentials."""

    def work(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        verified, payload = api.verify_presentation(body)
        return (200 if verified else 400), payload

    return _endpoint(request, work, verification=True)


@csrf_exempt
def issue_credential(request: HttpRequest) -> HttpResponse:
    """`POST /credentials/issue` with `Authorization: Bearer <token>`: 201 and the signed
    credential. The token is checked before the body is read."""
    refused = _post_only(request)
    if refused is not None:
        return refused
    header = request.headers.get("Authorization")
    token = tokens.authenticate(header)
    if token is None:
        if header:
            exc = api.ApiError(
                401, "invalid_token", _("The API token is not valid, or it was revoked.")
            )
        else:
            exc = api.ApiError(
                401,
                "unauthenticated",
                _("Issuing needs an API token: send it as “Authorization: Bearer <token>”."),
            )
        return _error(exc)
    try:
        signed = api.issue_credential(token, api.read_json_body(request))
    except api.ApiError as exc:
        return _error(exc)
    return _json({"verifiableCredential": signed}, 201)


# --- token management ------------------------------------------------------------------------


def _get_issuer_for_user(user: Any, slug: str) -> Issuer:
    """An issuer profile whose API tokens `user` may manage; 404 otherwise."""
    issuer = Issuer.objects.select_related("organisation__parent").filter(slug=slug).first()
    if issuer is None or not permissions.can_manage_api_tokens(user, issuer):
        raise Http404
    return issuer


def _render_tokens(
    request: HttpRequest, issuer: Issuer, form: ApiTokenForm, status: int = 200
) -> HttpResponse:
    rows = list(issuer.api_tokens.select_related("created_by"))
    return render(
        request,
        "verification/tokens.html",
        {
            "issuer": issuer,
            "did": signing.issuer_did(issuer),
            "active_tokens": [row for row in rows if row.is_active],
            "revoked_tokens": [row for row in rows if not row.is_active],
            "has_key": issuer.signing_keys.filter(retired_at__isnull=True).exists(),
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def tokens_list(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = _get_issuer_for_user(request.user, slug)
    return _render_tokens(request, issuer, ApiTokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Make a token and show it, once."""
    issuer = _get_issuer_for_user(request.user, slug)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_tokens(request, issuer, form, status=400)
    try:
        row, token = tokens.api_token_create(
            actor=request.user,
            issuer=issuer,
            name=form.cleaned_data["name"],
            did_key=form.cleaned_data["signs_as"] == ApiTokenForm.DID_KEY,
        )
    except tokens.TokenRefused as exc:
        form.add_error("name", exc.message)
        return _render_tokens(request, issuer, form, status=400)
    except PermissionDenied:  # pragma: no cover - checked above
        raise Http404 from None
    response = render(
        request,
        "verification/tokens_created.html",
        {
            "issuer": issuer,
            "row": row,
            "token": token,
            "signs_as": row.did_key or signing.issuer_did(issuer),
        },
        status=201,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    issuer = _get_issuer_for_user(request.user, slug)
    row = get_object_or_404(ApiToken, pk=pk, issuer=issuer)
    was_active = row.is_active
    tokens.api_token_revoke(actor=request.user, token=row)
    if was_active:
        messages.success(
            request,
            _("The token “%(name)s” is revoked: it can no longer issue.") % {"name": row.name},
        )
    return redirect("verification:api_tokens", slug=issuer.slug)
