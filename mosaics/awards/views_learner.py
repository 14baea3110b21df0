"""The learner's side of an award: the claim link, the award page, accept or decline, and the
list of badges waiting for them.

The claim link (`awards:claim`) carries a token derived from the award; only its SHA-256 is
stored, and it is compared in constant time. Whoever follows a valid link sees what was awarded
and by whom (the address only masked), and is offered to sign in or create an account. An award
is only ever attached to an account that has *verified* the award's address: at once when the
signed-in person already has, else after allauth's confirmation e-mail (see `signals.py`).
Creating an account keeps the address and the way back in the session, never in a URL
(`claim_signup.py`).
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any
from urllib.parse import urlencode

from allauth.account.forms import AddEmailForm
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.audit.log import history
from mosaics.awards import actions, documents
from mosaics.awards import claim_signup as signup_flow
from mosaics.awards.models import Award
from mosaics.organisations import permissions

#: Token lengths beyond this are never ours (ours is 64 hex characters).
MAX_TOKEN = 200
#: The audit actions the learner's page lists as the badge's history.
HISTORY_ACTIONS = (
    "awards.issue",
    "awards.attach",
    "awards.accept",
    "awards.decline",
    "awards.suspend",
    "awards.reinstate",
    "awards.revoke",
)


def mask_email(email: str) -> str:
    """`learner@example.org` → `l•••@example.org`: enough for its owner to recognise it."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return "•••"
    return f"{local[:1]}•••@{domain}"


def _awards() -> QuerySet[Award]:
    return Award.objects.select_related(
        "issuer__organisation", "version__micro_credential", "pathway", "learner"
    )


def _get_award_for_claim(value: uuid_lib.UUID, token: str) -> Award:
    """The award whose claim link this is; 404 for a wrong token (or a wrong award)."""
    award = get_object_or_404(_awards(), uuid=value)
    if (
        not award.claim_token_hash
        or len(token) > MAX_TOKEN
        or not constant_time_compare(award.claim_token_hash, actions.token_hash(token))
    ):
        raise Http404
    return award


def _get_award_for_holder(user: Any, value: uuid_lib.UUID) -> Award:
    """The award, if `user` holds it; 404 for everyone else (its existence is private)."""
    award = get_object_or_404(_awards(), uuid=value)
    if not permissions.is_award_holder(user, award):
        raise Http404
    return award


def _claim_path(award: Award, token: str) -> str:
    return reverse("awards:claim", kwargs={"uuid": award.uuid, "token": token})


def _address_of(user: Any, email: str) -> EmailAddress | None:
    return EmailAddress.objects.filter(user=user, email=email.lower()).first()


# --- the claim link ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def claim(request: HttpRequest, uuid: uuid_lib.UUID, token: str) -> HttpResponse:
    award = _get_award_for_claim(uuid, token)
    user = request.user
    context: dict[str, Any] = {
        "award": award,
        "masked_email": mask_email(award.recipient_email),
        "claim_path": _claim_path(award, token),
    }
    if not user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(context["claim_path"])
        context["state"] = "anonymous"
        context["login_url"] = (
            reverse("account_login") + "?" + urlencode({"next": context["claim_path"]})
        )
        context["signup_url"] = reverse(
            "awards:claim_signup", kwargs={"uuid": award.uuid, "token": token}
        )
        return render(request, "awards/learner/claim.html", context)

    # Signed in (back from the sign-up, perhaps): what it kept for the way back is done with.
    signup_flow.forget(request)
    if award.learner_id == user.pk:
        return redirect("awards:detail", uuid=award.uuid)
    if award.learner_id is not None:
        context["state"] = "someone_else"
        return render(request, "awards/learner/claim.html", context)

    address = _address_of(user, award.recipient_email)
    if address is not None and address.verified:
        # They have proved they receive mail at the award's address: it is theirs.
        actions.awards_attach(user=user, email=address.email)
        award.refresh_from_db()
        if award.learner_id == user.pk:
            messages.success(
                request,
                _("“%(title)s” is now in your account. Accept it to add it to your mosaic.")
                % {"title": award.title},
            )
            return redirect("awards:detail", uuid=award.uuid)
        # awards_attach leaves it when they already hold the same badge through another
        # address (one award per learner and badge).
        context["state"] = "duplicate"
        context["held"] = (
            Award.objects.filter(
                Q(version=award.version) if award.version_id else Q(pathway=award.pathway),
                learner=user,
            )
            .order_by("pk")
            .first()
        )
        return render(request, "awards/learner/claim.html", context)

    if request.method == "POST":
        return _add_address(request, award, context)
    context["state"] = "unverified" if address is not None else "add_address"
    context["address"] = address
    return render(request, "awards/learner/claim.html", context)


def _add_address(request: HttpRequest, award: Award, context: dict[str, Any]) -> HttpResponse:
    """Add the award's address to the signed-in account through allauth's own form, which
    sends the confirmation e-mail; the award follows when the address is confirmed."""
    if request.POST.get("action") != "add_address":
        return redirect(context["claim_path"])
    form = AddEmailForm(user=request.user, data={"email": award.recipient_email})
    if form.is_valid():
        form.save(request)
        messages.success(
            request,
            _(
                "We have sent a confirmation link to %(email)s. Open it, and “%(title)s” "
                "will be yours."
            )
            % {"email": context["masked_email"], "title": award.title},
        )
        return redirect(context["claim_path"])
    context["state"] = "add_address"
    # allauth's messages name the address; show ours, which does not.
    context["add_errors"] = [
        _(
            "This address could not be added to your account (it may belong to another "
            "account, or you have as many addresses as an account may have). Sign in with the "
            "account that has %(email)s instead, or manage your addresses."
        )
        % {"email": context["masked_email"]}
    ]
    return render(request, "awards/learner/claim.html", context, status=400)


@require_safe
def claim_signup(request: HttpRequest, uuid: uuid_lib.UUID, token: str) -> HttpResponse:
    """To allauth's sign-up form with the award's address filled in and, once the address is
    confirmed, the way back to the claim page. Both are kept in the session (never in the URL:
    the address is personal data and the claim path holds the token; see `claim_signup.py`),
    and the claim page itself never prints the whole address."""
    award = _get_award_for_claim(uuid, token)
    signup_flow.remember(request, email=award.recipient_email, next_path=_claim_path(award, token))
    return redirect("account_signup")


# --- the learner's award page --------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    award = _get_award_for_holder(request.user, uuid)
    entries = [
        entry
        for entry in history(award).order_by("created", "id")
        if entry.action in HISTORY_ACTIONS
    ]
    achievement = award.version if award.version is not None else award.pathway
    return render(
        request,
        "awards/learner/detail.html",
        {
            "award": award,
            "achievement": achievement,
            "achievement_url": documents.achievement_page(award),
            "evidence": list(award.evidence.all()),
            "results": list(award.results.select_related("competency", "level")),
            "history": entries,
            "status": award.effective_status,
        },
    )


@require_POST
def accept(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("awards:detail", kwargs={"uuid": uuid}))
    award = _get_award_for_holder(request.user, uuid)
    try:
        actions.award_accept(actor=request.user, award=award)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("“%(title)s” is in your mosaic.") % {"title": award.title})
    return redirect("awards:detail", uuid=award.uuid)


@require_POST
def decline(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("awards:detail", kwargs={"uuid": uuid}))
    award = _get_award_for_holder(request.user, uuid)
    try:
        actions.award_decline(actor=request.user, award=award)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _(
            "You declined “%(title)s”. It is not in your mosaic and is never shared; you can "
            "still accept it later."
        )
        % {"title": award.title},
    )
    return redirect("awards:detail", uuid=award.uuid)


# --- the learner's badges ------------------------------------------------------------------


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """Every award the learner holds, the ones waiting for an answer first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    awards = list(_awards().filter(learner=request.user))
    return render(
        request,
        "awards/learner/inbox.html",
        {
            "pending": [a for a in awards if a.claim == Award.Claim.PENDING],
            "accepted": [a for a in awards if a.claim == Award.Claim.ACCEPTED],
            "declined": [a for a in awards if a.claim == Award.Claim.DECLINED],
        },
    )
