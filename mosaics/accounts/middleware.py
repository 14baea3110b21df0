"""Two small middlewares for signed-in people.

- `PreferredLanguageMiddleware`: a person who chose a language in their profile gets it on
  every device they sign in from, unless they picked one explicitly in this browser (the
  language cookie, set by the footer's language form and by saving the profile), which wins.
- `StaffTwoFactorMiddleware`: with ``MOSAICS_STAFF_TWO_FACTOR`` on, a person holding a staff
  role (``MOSAICS_TWO_FACTOR_ROLES``, anywhere) or a platform admin cannot open a staff page
  until they have set up two-factor authentication (an authenticator app or a security key);
  they are sent to the two-factor page with a message saying why. Only staff pages are
  redirected (`STAFF_PATH_PREFIXES`): the public pages, the learner's own pages, the account
  and two-factor pages, signing out, static files and the health check never are. The
  redirect is the friendly explanation, not the guarantee: wherever a staff view lives, the
  permission layer (`mosaics.organisations.permissions`) treats such a person as holding no
  role (`needs_two_factor`). It also sends Django admin's own sign-in form to ours,
  requirement or not: the admin's form knows nothing of second factors, so a platform
  admin's would otherwise be skipped there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from mosaics.organisations.models import Membership, Role

__all__ = [
    "STAFF_PATH_PREFIXES",
    "PreferredLanguageMiddleware",
    "StaffTwoFactorMiddleware",
    "forget_two_factor",
    "needs_two_factor",
    "two_factor_roles",
]

#: Where the staff pages live (see mosaics/*/urls*.py): the dashboard and everything an
#: organisation's staff manage (/manage/), design and review (/design/), assessment
#: (/assess/), the endorsers' portal (/endorse/), pathways (/pathways/manage/), and Django's
#: admin. Public pages (catalogue, verification, badges, issuer profiles, endorsements'
#: public pages under /endorsements/) and the learners' own are not among them. Staff views
#: elsewhere (an assessor's read-only view of a demonstration under /learn/, an award's
#: downloads, a draft's image) need no entry: the permission layer holds them back.
STAFF_PATH_PREFIXES = (
    "/manage/",
    "/design/",
    "/assess/",
    "/endorse/",
    "/pathways/manage/",
    "/dashboard",
    "/admin/",
)
# Not /evidence/: learners' evidence files are also the learners' own (and public ones are
# anyone's). Assessors download them from the assessment page, and the permission layer
# refuses a held-back assessor there as everywhere.


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


class PreferredLanguageMiddleware:
    """Activates a signed-in person's preferred language when this browser has no language
    cookie. Goes after `AuthenticationMiddleware` (which comes after `LocaleMiddleware`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user is not None
            and user.is_authenticated
        ):
            language = getattr(user, "preferred_language", "") or ""
            if language in _language_codes():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


def two_factor_roles() -> set[str]:
    """The roles whose holders must use two-factor authentication (a setting; every staff
    role by default). Unknown names are a configuration error, said loudly."""
    wanted = set(getattr(settings, "MOSAICS_TWO_FACTOR_ROLES", None) or Role.values)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(
            "MOSAICS_TWO_FACTOR_ROLES names unknown roles: "
            f"{', '.join(sorted(unknown))} (known: {', '.join(Role.values)})"
        )
    return wanted


def _has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    # Recovery codes alone are no second factor: they come with one.
    return bool(is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]))


#: Where `needs_two_factor` keeps its answer on the user object (one per request: the
#: authentication middleware loads the user afresh for each).
_ANSWER = "_mosaics_needs_two_factor"


def needs_two_factor(user: Any) -> bool:
    """Whether `user` must set up two-factor authentication before acting in a staff role:
    the requirement is on, they are a platform admin, Django admin staff, or hold one of the
    roles, and they have
    neither an authenticator app nor a security key. Until they do, the permission layer
    (`mosaics.organisations.permissions`) treats them as holding no role at all.

    The answer is remembered on the user object, so that the many permission checks of one
    page cost no query each; a user object that outlives a change of roles or second factors
    (tests, shells) can drop it with `forget_two_factor`."""
    if not getattr(settings, "MOSAICS_STAFF_TWO_FACTOR", False):
        return False
    if user is None or not user.is_authenticated:
        return False
    answer = getattr(user, _ANSWER, None)
    if answer is None:
        holds_role = (
            user.is_superuser
            # Django admin's staff flag opens /admin/ to whatever permissions they were given.
            or user.is_staff
            or Membership.objects.filter(user=user, role__in=two_factor_roles()).exists()
        )
        answer = bool(holds_role and not _has_second_factor(user))
        setattr(user, _ANSWER, answer)
    return bool(answer)


def forget_two_factor(user: Any) -> None:
    """Drops the answer `needs_two_factor` remembered on `user`."""
    with contextlib.suppress(AttributeError):
        delattr(user, _ANSWER)


def _is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def _admin_login_path() -> str | None:
    try:
        return reverse("admin:login")
    except NoReverseMatch:
        return None


def _admin_index_path() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/"


class StaffTwoFactorMiddleware:
    """Sends staff without a second factor from staff pages to the two-factor page.
    Goes after `AuthenticationMiddleware` and `MessageMiddleware`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if getattr(settings, "MOSAICS_STAFF_TWO_FACTOR", False):
            two_factor_roles()  # a misspelt role fails at start-up, not on some request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path_info == _admin_login_path() and not (user and user.is_authenticated):
            following = request.GET.get(REDIRECT_FIELD_NAME) or _admin_index_path()
            query = urlencode({REDIRECT_FIELD_NAME: following})
            return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
        if _is_staff_path(request.path_info) and needs_two_factor(user):
            messages.warning(
                request,
                _(
                    "Staff accounts must use two-factor authentication. Set up an "
                    "authenticator app or a security key, then open the page again."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)
