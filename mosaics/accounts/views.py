"""The account pages beyond allauth's: the profile (names and language), the export of one's
personal data, deleting one's account, and binding a DID.

The DID page shows a fresh challenge, kept in the session for `CHALLENGE_TTL` together with the
account it was shown to; the learner signs it — with this site's origin and the purpose of the
signature, see `mosaics.accounts.did` — with their did:key (`mosaics vc sign`, or any wallet)
and pastes the result. A challenge is used once: a successful binding, or its expiry, replaces
it; a challenge shown to another account (or another session) is never accepted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from mosaics.accounts import actions
from mosaics.accounts.did import PURPOSE, new_challenge, signing_request, site_origin
from mosaics.accounts.export import archive_name
from mosaics.accounts.forms import (
    CONFIRMATION_WORD,
    AccountDeleteForm,
    DidBindForm,
    ProfileForm,
)
from mosaics.accounts.models import BoundDid

CHALLENGE_TTL = timedelta(minutes=15)
SESSION_KEY = "mosaics.did_challenge"
#: How the page writes "your DID" in the text to sign.
DID_PLACEHOLDER = "did:key:z6Mk…"


def _current_challenge(request: HttpRequest) -> tuple[str, datetime] | None:
    """The session's challenge and when it expires, unless it has expired, was shown to
    another account, or is absent."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    value, expires = stored.get("value"), stored.get("expires")
    if not isinstance(value, str) or not isinstance(expires, int | float):
        return None
    if stored.get("user") != request.user.pk:
        return None
    if expires <= timezone.now().timestamp():
        return None
    return value, datetime.fromtimestamp(expires, tz=UTC)


def _fresh_challenge(request: HttpRequest) -> tuple[str, datetime]:
    value = new_challenge()
    expires = timezone.now() + CHALLENGE_TTL
    request.session[SESSION_KEY] = {
        "value": value,
        "expires": expires.timestamp(),
        "user": request.user.pk,
    }
    return value, expires


def _render(request: HttpRequest, form: DidBindForm, status: int = 200) -> HttpResponse:
    challenge = _current_challenge(request) or _fresh_challenge(request)
    to_sign = signing_request(challenge[0], did=DID_PLACEHOLDER)
    return render(
        request,
        "accounts/did.html",
        {
            "form": form,
            "challenge": challenge[0],
            "challenge_expires": challenge[1],
            "to_sign": json.dumps(to_sign, ensure_ascii=False),
            "domain": site_origin(),
            "purpose": PURPOSE,
            "bound_dids": list(BoundDid.objects.filter(user=request.user.pk)),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def did(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return _render(request, DidBindForm())
    form = DidBindForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    challenge = _current_challenge(request)
    if challenge is None:
        _fresh_challenge(request)
        form.add_error(
            None,
            _(
                "The challenge expired before you sent the answer. Here is a new one: sign it "
                "and paste the result again."
            ),
        )
        return _render(request, form, status=400)
    try:
        bound = actions.did_bind(
            actor=request.user, response=form.cleaned_data["response"], challenge=challenge[0]
        )
    except actions.DidProofRefused as exc:
        form.add_error("response", exc.message)
        return _render(request, form, status=400)
    request.session.pop(SESSION_KEY, None)  # used once
    messages.success(
        request,
        _("%(did)s is bound to your account: badges awarded to you from now on name it.")
        % {"did": bound.did},
    )
    return redirect("accounts:did")


@require_POST
def did_unbind(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    bound = get_object_or_404(BoundDid, pk=pk, user_id=request.user.pk)
    try:
        actions.did_unbind(actor=request.user, bound=bound)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("%(did)s is no longer bound to your account. Badges already awarded keep it.")
        % {"did": bound.did},
    )
    return redirect("accounts:did")


# --- profile -------------------------------------------------------------------------------


def _remember_language(response: HttpResponse, language: str) -> None:
    """What Django's `set_language` view does with the language cookie: set it to the chosen
    language, or (no preference) remove it so that the browser's language applies."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if request.method != "POST":
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "legal_name": user.legal_name,
                "preferred_language": user.preferred_language,
            }
        )
        return render(request, "accounts/profile.html", {"form": form})
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            actions.profile_update(actor=user, **form.cleaned_data)
        except actions.AccountRefused as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    language = form.cleaned_data["preferred_language"]
    if language:
        translation.activate(language)  # the message below, in the language just chosen
    messages.success(request, _("Your profile is saved."))
    response = redirect("accounts:profile")
    _remember_language(response, language)
    return response


# --- export --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def export(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return render(request, "accounts/export.html")
    archive = actions.account_export(actor=request.user)
    return FileResponse(
        archive, as_attachment=True, filename=archive_name(), content_type="application/zip"
    )


# --- deletion ------------------------------------------------------------------------------


def _render_delete(
    request: HttpRequest, form: AccountDeleteForm, status: int = 200
) -> HttpResponse:
    from mosaics.organisations.models import Membership

    user: Any = request.user
    return render(
        request,
        "accounts/delete.html",
        {
            "form": form,
            "word": CONFIRMATION_WORD,
            "holds_roles": user.is_superuser or Membership.objects.filter(user=user).exists(),
            "award_count": user.awards.count(),
            "enrolment_count": user.enrolments.count(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return _render_delete(request, AccountDeleteForm())
    form = AccountDeleteForm(request.POST)
    if form.is_valid():
        try:
            actions.account_delete(actor=request.user, password=form.cleaned_data["password"])
        except actions.AccountRefused as exc:
            field = "password" if exc.code == "password" else None
            form.add_error(field, exc)
    if not form.is_valid():
        return _render_delete(request, form, status=400)
    logout(request)
    messages.success(
        request,
        _(
            "Your account is deleted, with everything that was only yours. Badges you were "
            "awarded stay valid wherever you have shared them."
        ),
    )
    return redirect("home")
