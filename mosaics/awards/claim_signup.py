"""Creating an account from an award's claim link, with neither the award's address nor the
claim link (which holds its token) in any URL.

`views_learner.claim_signup` checks the token, keeps the award's address and the claim page's
path in the session (`remember`) and sends the visitor to allauth's plain sign-up page. There:

- allauth's sign-up form is pre-filled with that address (`SignupForm`, installed as
  ``ACCOUNT_FORMS["signup"]``; the form has no request, so it reads allauth's request
  context);
- once the new account's address is confirmed (mandatory verification; same browser session)
  the person is signed in and sent back to the claim page (`AccountAdapter`, installed as
  ``ACCOUNT_ADAPTER``, whose sign-up redirect is the remembered path), which gives them the
  award. Confirmed from another browser, the award is theirs all the same (`signals.py`); they
  land where allauth sends them by default.

The claim page forgets it all as soon as a signed-in person opens it (`forget`). Sessions are
kept server-side, so the address never leaves the server.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

__all__ = ["SESSION_KEY", "AccountAdapter", "SignupForm", "forget", "remember", "remembered"]

SESSION_KEY = "mosaics.awards.claim_signup"


def remember(request: HttpRequest, *, email: str, next_path: str) -> None:
    """Keep the award's address and the claim page's path for the sign-up that follows."""
    request.session[SESSION_KEY] = {"email": email, "next": next_path}


def forget(request: HttpRequest) -> None:
    if SESSION_KEY in request.session:
        del request.session[SESSION_KEY]


def remembered(request: HttpRequest | None) -> dict[str, str] | None:
    """What `remember` kept, if anything (and still well-formed: a local path to return to)."""
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(value, dict):
        return None
    email, next_path = value.get("email"), value.get("next")
    if not isinstance(email, str) or not isinstance(next_path, str):
        return None
    if not next_path.startswith("/") or not url_has_allowed_host_and_scheme(
        next_path, allowed_hosts=None
    ):
        return None
    return {"email": email, "next": next_path}


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped here
    """allauth's sign-up form, pre-filled with the address of the award being claimed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        claim = remembered(context.request)
        if claim is not None and not self.is_bound and not self.initial.get("email"):
            self.initial["email"] = claim["email"]


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped here
    """allauth's adapter; after a sign-up begun from a claim link, back to the claim page."""

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        claim = remembered(request)
        if claim is not None:
            return claim["next"]
        return str(super().get_signup_redirect_url(request))
