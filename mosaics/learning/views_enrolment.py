"""Enrolment pages: "My learning", enrolling from the catalogue, the personal pathway,
withdrawing, and the staff's enrolment settings (places, window, who is enrolled or waiting).

The pathway page is the signed-in learner's own (`learn/<slug>/`): there is nothing in the
address to guess. Someone not enrolled sees the micro-credential's enrol box there instead
(if it is public at all; a design that was never published is a 404). The settings page is
for the issuing organisation's designers and institution admins: other staff who can see the
design get a 403, everyone else a 404 (the list of learners is private).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.catalogue.models import Competency, MicroCredential, Version
from mosaics.learning import progress
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.enrolment import (
    enrolment_enrol,
    enrolment_withdraw,
    micro_credential_enrolment_set,
)
from mosaics.learning.forms_enrolment import ROUTE_HELP, EnrolForm, EnrolmentSettingsForm
from mosaics.learning.models import Demonstration, Enrolment, Submission
from mosaics.organisations import permissions

#: Versions the public catalogue shows (a micro-credential with none of them is private).
PUBLIC_STATES = (Version.State.PUBLISHED, Version.State.SUPERSEDED, Version.State.RETIRED)

_GET_POST = require_http_methods(["GET", "HEAD", "POST"])


# --- lookups ------------------------------------------------------------------------------


def _micro_credentials() -> QuerySet[MicroCredential]:
    return MicroCredential.objects.select_related("issuer__organisation__parent")


def _get_public_micro_credential(slug: str) -> tuple[MicroCredential, Version | None]:
    """The micro-credential and its published version (None when retired); 404 for one
    that was never public."""
    micro_credential = get_object_or_404(_micro_credentials(), slug=slug)
    versions = list(
        Version.objects.filter(micro_credential=micro_credential, state__in=PUBLIC_STATES)
        .only("id", "state", "number", "title", "micro_credential_id")
        .order_by("-number")
    )
    if not versions:
        raise Http404
    published = next((v for v in versions if v.state == Version.State.PUBLISHED), None)
    return micro_credential, published


def _get_own_enrolment(user: Any, slug: str) -> Enrolment | None:
    """The signed-in learner's enrolment in the micro-credential at `slug`, if any."""
    return (
        Enrolment.objects.select_related(
            "version", "micro_credential__issuer__organisation", "award"
        )
        .filter(learner=user, micro_credential__slug=slug)
        .first()
    )


def _get_micro_credential_to_manage(user: Any, slug: str) -> MicroCredential:
    micro_credential = _micro_credentials().filter(slug=slug).first()
    if micro_credential is None:
        raise Http404
    if not permissions.can_manage_enrolment(user, micro_credential):
        latest = micro_credential.versions.order_by("-number").first()
        if latest is not None and permissions.can_view_design(user, latest):
            raise PermissionDenied
        raise Http404
    return micro_credential


def _catalogue_url(micro_credential: MicroCredential) -> str:
    return reverse("catalogue:detail", kwargs={"slug": micro_credential.slug})


def _pathway_url(micro_credential: MicroCredential) -> str:
    return reverse("learning:enrolment", kwargs={"slug": micro_credential.slug})


def _ahead_in_line() -> Subquery:
    """How many learners wait ahead of the outer enrolment (for `.annotate`)."""
    ahead = (
        Enrolment.objects.filter(
            micro_credential=OuterRef("micro_credential"), state=Enrolment.State.WAITLISTED
        )
        .filter(
            Q(requested_at__lt=OuterRef("requested_at"))
            | Q(requested_at=OuterRef("requested_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("micro_credential")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead, output_field=IntegerField())


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the next learner to get a place; None when not waiting."""
    if enrolment.state != Enrolment.State.WAITLISTED:
        return None
    ahead = (
        Enrolment.objects.filter(
            micro_credential_id=enrolment.micro_credential_id, state=Enrolment.State.WAITLISTED
        )
        .filter(
            Q(requested_at__lt=enrolment.requested_at)
            | Q(requested_at=enrolment.requested_at, pk__lt=enrolment.pk)
        )
        .count()
    )
    return ahead + 1


def _counts(micro_credential: MicroCredential) -> dict[str, int]:
    """Enrolments by state (one query)."""
    rows = (
        Enrolment.objects.filter(micro_credential=micro_credential)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Enrolment.State.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def enrolment_box(
    request: HttpRequest, micro_credential: MicroCredential, published: Version | None
) -> dict[str, Any]:
    """What the enrol box shows (on the catalogue page and the pathway page of someone not
    enrolled): places left, the waiting list, the window, the learner's own enrolment or the
    enrol form. A fixed number of queries."""
    now = timezone.now()
    counts = _counts(micro_credential)
    capacity = micro_credential.capacity
    places_left = None if capacity is None else max(capacity - counts[Enrolment.State.ACTIVE], 0)
    opens, closes = micro_credential.enrolment_opens, micro_credential.enrolment_closes
    user = request.user
    mine = (
        Enrolment.objects.filter(learner=user, micro_credential=micro_credential).first()
        if user.is_authenticated
        else None
    )
    return {
        "micro_credential": micro_credential,
        "published": published,
        "capacity": capacity,
        "places_left": places_left,
        "waiting": counts[Enrolment.State.WAITLISTED],
        "full": places_left == 0,
        "opens": opens,
        "closes": closes,
        "not_yet_open": opens is not None and now < opens,
        "closed": closes is not None and now >= closes,
        "enrolment": mine,
        "can_enrol": published is not None
        and (mine is None or mine.state in Enrolment.REOPENABLE_STATES),
        "form": EnrolForm(),
        "routes": [
            {"value": value, "label": label, "help": ROUTE_HELP[value]}
            for value, label in Enrolment.Route.choices
        ],
        "pathway_url": _pathway_url(micro_credential),
        "enrol_url": reverse("learning:enrol", kwargs={"slug": micro_credential.slug}),
    }


# --- my learning --------------------------------------------------------------------------


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The learner's enrolments, grouped by where they stand."""
    demonstrated = (
        Demonstration.objects.filter(enrolment=OuterRef("pk"), state=Demonstration.State.SUBMITTED)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("competency", distinct=True))
        .values("n")
    )
    competencies = (
        Competency.objects.filter(version=OuterRef("version"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolments = list(
        Enrolment.objects.filter(learner_id=request.user.pk)
        .select_related("version", "micro_credential__issuer", "award")
        .annotate(
            ahead=Coalesce(_ahead_in_line(), Value(0)),
            demonstrated=Coalesce(Subquery(demonstrated, output_field=IntegerField()), Value(0)),
            competency_count=Coalesce(
                Subquery(competencies, output_field=IntegerField()), Value(0)
            ),
        )
        .order_by("-requested_at", "-pk")
    )
    groups: dict[str, list[Enrolment]] = {"working": [], "waiting": [], "earned": [], "closed": []}
    for enrolment in enrolments:
        if enrolment.state == Enrolment.State.ACTIVE:
            groups["working"].append(enrolment)
        elif enrolment.state == Enrolment.State.WAITLISTED:
            enrolment.position = enrolment.ahead + 1  # type: ignore[attr-defined]
            groups["waiting"].append(enrolment)
        elif enrolment.state == Enrolment.State.AWARDED:
            groups["earned"].append(enrolment)
        else:
            groups["closed"].append(enrolment)
    return render(
        request,
        "learning/enrolment/mine.html",
        {"groups": groups, "has_any": bool(enrolments)},
    )


# --- enrol --------------------------------------------------------------------------------


@require_POST
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    micro_credential, _published = _get_public_micro_credential(slug)
    back = _catalogue_url(micro_credential)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose how you will earn this micro-credential."))
        return redirect(back)
    try:
        enrolment = enrolment_enrol(
            actor=request.user, micro_credential=micro_credential, route=form.cleaned_data["route"]
        )
    except LearningRefused as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(back)
    title = enrolment.version.title
    if enrolment.state == Enrolment.State.ACTIVE:
        messages.success(
            request,
            _("You are enrolled in “%(title)s”. Here is your pathway: start with any competency.")
            % {"title": title},
        )
    else:
        messages.success(
            request,
            _(
                "“%(title)s” is full, so you are on the waiting list: number %(position)d. "
                "We will e-mail you as soon as a place is yours."
            )
            % {"title": title, "position": waitlist_position(enrolment) or 1},
        )
    return redirect(_pathway_url(micro_credential))


# --- the personal pathway -----------------------------------------------------------------


@require_safe
@login_required
def enrolment(request: HttpRequest, slug: str) -> HttpResponse:
    own = _get_own_enrolment(request.user, slug)
    if own is None:
        micro_credential, published = _get_public_micro_credential(slug)
        return render(
            request,
            "learning/enrolment/not_enrolled.html",
            {
                "micro_credential": micro_credential,
                "published": published,
                "box": enrolment_box(request, micro_credential, published),
            },
        )
    journey = progress.journey(own)
    return render(
        request,
        "learning/enrolment/pathway.html",
        {
            "enrolment": own,
            "micro_credential": own.micro_credential,
            "version": own.version,
            "journey": journey,
            "position": waitlist_position(own),
            "can_withdraw": own.state in (Enrolment.State.ACTIVE, Enrolment.State.WAITLISTED),
            "can_enrol_again": own.state in Enrolment.REOPENABLE_STATES,
            "box": (
                enrolment_box(request, own.micro_credential, _published_version(own))
                if own.state in Enrolment.REOPENABLE_STATES
                else None
            ),
        },
    )


def _published_version(enrolment: Enrolment) -> Version | None:
    return Version.objects.filter(
        micro_credential_id=enrolment.micro_credential_id, state=Version.State.PUBLISHED
    ).first()


# --- withdraw -----------------------------------------------------------------------------


@_GET_POST
@login_required
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    own = _get_own_enrolment(request.user, slug)
    if own is None:
        raise Http404
    pathway_url = _pathway_url(own.micro_credential)
    if own.state not in (Enrolment.State.ACTIVE, Enrolment.State.WAITLISTED):
        messages.error(request, _("You are not enrolled, so there is nothing to withdraw from."))
        return redirect(pathway_url)
    if request.method == "POST":
        try:
            enrolment_withdraw(actor=request.user, enrolment=own)
        except LearningRefused as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(pathway_url)
        messages.success(
            request,
            _(
                "You have withdrawn from “%(title)s”. Your work is kept: enrol again at any "
                "time to carry on from where you left it."
            )
            % {"title": own.version.title},
        )
        return redirect(pathway_url)
    return render(
        request,
        "learning/enrolment/withdraw.html",
        {
            "enrolment": own,
            "micro_credential": own.micro_credential,
            "version": own.version,
            "open_submission": own.submissions.filter(state__in=Submission.OPEN_STATES).first(),
        },
    )


# --- staff: enrolment settings ------------------------------------------------------------


@_GET_POST
@login_required
def enrolment_settings(request: HttpRequest, slug: str) -> HttpResponse:
    micro_credential = _get_micro_credential_to_manage(request.user, slug)
    initial = {
        "capacity": micro_credential.capacity,
        "opens": micro_credential.enrolment_opens,
        "closes": micro_credential.enrolment_closes,
    }
    form = EnrolmentSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            micro_credential_enrolment_set(
                actor=request.user,
                micro_credential=micro_credential,
                capacity=form.cleaned_data["capacity"],
                opens=form.cleaned_data["opens"],
                closes=form.cleaned_data["closes"],
            )
        except LearningRefused as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The enrolment settings are saved."))
            return redirect("learning:enrolment_settings", slug=micro_credential.slug)
    enrolments = Enrolment.objects.filter(micro_credential=micro_credential).select_related(
        "learner", "version"
    )
    counts = _counts(micro_credential)
    capacity = micro_credential.capacity
    latest = micro_credential.versions.order_by("-number").first()
    return render(
        request,
        "learning/enrolment/settings.html",
        {
            "micro_credential": micro_credential,
            "latest": latest,
            "form": form,
            "time_zone": timezone.get_current_timezone_name(),
            "enrolled": list(
                enrolments.filter(state=Enrolment.State.ACTIVE).order_by("enrolled_at", "pk")
            ),
            "waiting": list(
                enrolments.filter(state=Enrolment.State.WAITLISTED).order_by("requested_at", "pk")
            ),
            "counts": [
                {"state": value, "label": label, "count": counts[value]}
                for value, label in Enrolment.State.choices
            ],
            "places_left": (
                None if capacity is None else max(capacity - counts[Enrolment.State.ACTIVE], 0)
            ),
        },
        status=400 if form.errors else 200,
    )


__all__ = [
    "enrol",
    "enrolment",
    "enrolment_box",
    "enrolment_settings",
    "mine",
    "waitlist_position",
    "withdraw",
]
