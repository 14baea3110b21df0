"""The learner's account pages beyond allauth's: binding a DID.

The page shows a fresh challenge, kept in the session for `CHALLENGE_TTL` together with the
account it was shown to; the learner signs it — with this site's origin and the purpose of the
signature, see `mosaics.accounts.did` — with their did:key (`mosaics vc sign`, or any wallet)
and pastes the result. A challenge is used once: a successful binding, or its expiry, replaces
it; a challenge shown to another account (or another session) is never accepted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mosaics.accounts import actions
from mosaics.accounts.did import PURPOSE, new_challenge, signing_request, site_origin
from mosaics.accounts.forms import DidBindForm
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
