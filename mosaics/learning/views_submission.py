"""The learner's pages for the reflection, the review before submitting, their submissions
(attempts) and the route. Only the enrolled learner sees them: anyone else gets a 404 (whether
someone is enrolled is private), a signed-out visitor is sent to sign in. Assessors have their
own pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.learning.actions import submission as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.forms_submission import ReflectionForm, RouteForm, SubmitForm
from mosaics.learning.models import (
    Assessment,
    CompetencyScore,
    Enrolment,
    EvidenceItem,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from mosaics.organisations import permissions

#: What each state of a submission means for the learner, in words.
STATE_EXPLANATIONS: dict[str, Any] = {
    Submission.State.SUBMITTED: gettext_lazy(
        "Your submission is waiting for an assessor. You can withdraw it until an assessor "
        "starts on it."
    ),
    Submission.State.IN_MODERATION: gettext_lazy(
        "A first assessor has looked at your submission. It is waiting for a second assessor "
        "to confirm the decision; you will see the result when they have."
    ),
    Submission.State.RETURNED: gettext_lazy(
        "Your submission was returned for revision. Read what to improve, revise your work, "
        "and submit again."
    ),
    Submission.State.MET: gettext_lazy(
        "Your submission meets the criteria: the micro-credential is yours."
    ),
    Submission.State.NOT_MET: gettext_lazy("Your submission does not meet the criteria."),
    Submission.State.WITHDRAWN: gettext_lazy("You withdrew this submission."),
}
#: What each evidence visibility means once the credential exists.
VISIBILITY_EXPLANATIONS: dict[str, Any] = {
    EvidenceItem.Visibility.PUBLIC: gettext_lazy(
        "Written into your credential, and shown on your badge's public page when you share it."
    ),
    EvidenceItem.Visibility.PRIVATE: gettext_lazy(
        "Written into your credential, which you hand out yourself; no public page shows it."
    ),
    EvidenceItem.Visibility.EXCLUDED: gettext_lazy(
        "Seen only by the assessors; it never leaves the platform."
    ),
}
DECIDED = (Submission.State.RETURNED, Submission.State.MET, Submission.State.NOT_MET)


def _url(name: str, **kwargs: Any) -> str:
    """The address of a page another part of the journey provides ("" until it exists)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "version__micro_credential__issuer__organisation", "micro_credential__issuer"
    )


def _get_enrolment_for_learner(user: Any, slug: str) -> Enrolment:
    """`user`'s enrolment in the micro-credential `slug`; 404 for anyone else."""
    enrolment = _enrolments().filter(micro_credential__slug=slug, learner_id=user.pk).first()
    if enrolment is None or not permissions.is_enrolled_learner(user, enrolment):
        raise Http404
    return enrolment


def _get_submission_for_learner(user: Any, slug: str, number: int) -> Submission:
    enrolment = _get_enrolment_for_learner(user, slug)
    submission = enrolment.submissions.filter(number=number).first()
    if submission is None:
        raise Http404
    submission.enrolment = enrolment
    return submission


def _common(enrolment: Enrolment) -> dict[str, Any]:
    slug = enrolment.micro_credential.slug
    return {
        "enrolment": enrolment,
        "version": enrolment.version,
        "enrolment_url": _url("learning:enrolment", slug=slug),
        "reflection_url": reverse("learning:reflection", kwargs={"slug": slug}),
        "submit_url": reverse("learning:submit", kwargs={"slug": slug}),
    }


def _attempts(enrolment: Enrolment) -> list[Submission]:
    return list(enrolment.submissions.order_by("-number"))


# --- the reflection -----------------------------------------------------------------------


def _frozen_reflections(enrolment: Enrolment) -> list[Reflection]:
    return list(
        enrolment.reflections.filter(state=Reflection.State.SUBMITTED)
        .order_by("-number")
        .prefetch_related(
            Prefetch("answers", queryset=ReflectionAnswer.objects.select_related("prompt"))
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
def reflection(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrolment = _get_enrolment_for_learner(request.user, slug)
    prompts = list(enrolment.version.reflection_prompts.all())
    current = actions.current_reflection(enrolment)
    open_submission = actions.open_submission(enrolment)
    editable = enrolment.state == Enrolment.State.ACTIVE and open_submission is None
    errors: list[str] = []
    if request.method == "POST":
        form = ReflectionForm(request.POST, prompts=prompts)
        if form.is_valid():
            try:
                actions.reflection_save(
                    actor=request.user,
                    enrolment=enrolment,
                    answers=form.answers(),
                    summary=form.cleaned_data["summary"],
                    share_summary=form.cleaned_data["share_summary"],
                )
            except PermissionDenied:
                raise Http404 from None
            except LearningRefused as error:
                errors = list(error.messages)
            else:
                messages.success(request, _("Your reflection is saved."))
                return redirect("learning:reflection", slug=slug)
    else:
        form = ReflectionForm(prompts=prompts, reflection=current)
    invalid = request.method == "POST"
    return render(
        request,
        "learning/submission/reflection.html",
        {
            **_common(enrolment),
            "form": form,
            "errors": errors,
            # A refused save keeps what was typed on the page, even if it can no longer be
            # saved (a submission was made from another tab meanwhile).
            "show_form": editable or invalid,
            "editable": editable,
            "current": current,
            "open_submission": open_submission,
            "frozen": _frozen_reflections(enrolment),
        },
        status=400 if invalid else 200,
    )


# --- the review page, and submitting -------------------------------------------------------


@dataclass
class EvidenceRow:
    item: EvidenceItem
    competency: Any


def _evidence_rows(checklist: actions.Checklist) -> dict[str, list[EvidenceRow]]:
    groups: dict[str, list[EvidenceRow]] = {value: [] for value in EvidenceItem.Visibility.values}
    for check in checklist.competencies:
        if check.demonstration is None:
            continue
        for item in check.demonstration.items.all():
            groups.setdefault(item.visibility, []).append(EvidenceRow(item, check.competency))
    return groups


@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrolment = _get_enrolment_for_learner(request.user, slug)
    errors: list[str] = []
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if form.is_valid():
            try:
                made = actions.submission_submit(actor=request.user, enrolment=enrolment)
            except PermissionDenied:
                raise Http404 from None
            except LearningRefused as error:
                errors = list(error.messages)
            else:
                messages.success(
                    request,
                    _(
                        "Your work is submitted for assessment. We will e-mail you when an "
                        "assessor has decided."
                    ),
                )
                return redirect("learning:submission", slug=slug, number=made.number)
    else:
        form = SubmitForm()
    checklist = actions.submission_checklist(enrolment)
    rows = [
        {
            "check": check,
            "url": _url("learning:demonstration", slug=slug, competency=check.competency.pk),
        }
        for check in checklist.competencies
    ]
    groups = _evidence_rows(checklist)
    visibility = [
        {
            "value": value,
            "label": label,
            "explanation": VISIBILITY_EXPLANATIONS[value],
            "rows": groups.get(value, []),
        }
        for value, label in EvidenceItem.Visibility.choices
    ]
    return render(
        request,
        "learning/submission/review.html",
        {
            **_common(enrolment),
            "form": form,
            "errors": errors,
            "checklist": checklist,
            "rows": rows,
            "visibility": visibility,
            "can_submit": enrolment.state == Enrolment.State.ACTIVE
            and checklist.open_submission is None,
            "route_form": RouteForm(initial={"route": enrolment.route}),
            "route_url": reverse("learning:route", kwargs={"slug": slug}),
            "attempts": _attempts(enrolment),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- one submission -----------------------------------------------------------------------


def _decisive(submission: Submission) -> Assessment | None:
    """The assessment that decided: the moderation, if there was one, else the first."""
    if submission.state not in DECIDED:
        return None
    assessments = list(submission.assessments.all())
    for assessment in assessments:
        if assessment.stage == Assessment.Stage.MODERATION:
            return assessment
    return assessments[0] if assessments else None


@dataclass
class ScoreRow:
    score: CompetencyScore
    #: Whether the level reaches the competency's passing level (None: no passing level).
    passes: bool | None


def _passes(score: CompetencyScore) -> bool | None:
    passing = score.competency.passing_level
    if passing is None:
        return None
    return score.level.position >= passing.position


@require_safe
def submission(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = _get_submission_for_learner(request.user, slug, number)
    enrolment = item.enrolment
    demonstrations = [
        {"demonstration": demo, "url": _url("learning:demonstration_version", uuid=demo.uuid)}
        for demo in item.demonstrations.select_related("competency").order_by(
            "competency__position", "competency_id"
        )
    ]
    reflection_ = (
        Reflection.objects.filter(pk=item.reflection_id)
        .prefetch_related(
            Prefetch("answers", queryset=ReflectionAnswer.objects.select_related("prompt"))
        )
        .first()
    )
    decisive = _decisive(item)
    scores: list[ScoreRow] = []
    if decisive is not None:
        for score in decisive.scores.select_related("competency__passing_level", "level").order_by(
            "competency__position", "competency_id"
        ):
            scores.append(ScoreRow(score=score, passes=_passes(score)))
    to_improve = [row for row in scores if row.passes is False or row.score.feedback]
    return render(
        request,
        "learning/submission/detail.html",
        {
            **_common(enrolment),
            "submission": item,
            "explanation": STATE_EXPLANATIONS.get(item.state, ""),
            "demonstrations": demonstrations,
            "reflection": reflection_,
            "decisive": decisive,
            "scores": scores,
            "to_improve": to_improve,
            "returned": item.state == Submission.State.RETURNED,
            "can_withdraw": actions.can_withdraw(item),
            "award_url": _url("awards:detail", uuid=item.award.uuid) if item.award else "",
        },
    )


@require_POST
def submission_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(
            reverse("learning:submission", kwargs={"slug": slug, "number": number})
        )
    item = _get_submission_for_learner(request.user, slug, number)
    try:
        actions.submission_withdraw(actor=request.user, submission=item)
    except PermissionDenied:
        raise Http404 from None
    except LearningRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "You withdrew your submission. Your work is kept: revise it and submit again "
                "when you are ready."
            ),
        )
    return redirect("learning:submission", slug=slug, number=number)


# --- the route ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def route(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the route: a page of its own (the pathway page links here), also posted to from
    the review page. A refusal shows the page again with its reason."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrolment = _get_enrolment_for_learner(request.user, slug)
    common = _common(enrolment)
    target = request.POST.get("next", "")
    # Only a path of this site: a bare word would be taken for a view's name by `redirect`
    # (a 500 when there is none), and control characters have no place in an address.
    if (
        not target.startswith("/")
        or any(ch < " " or ch == "\x7f" for ch in target)
        or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = common["enrolment_url"] or common["submit_url"]
    errors: list[str] = []
    if request.method == "POST":
        form = RouteForm(request.POST)
        if form.is_valid():
            try:
                enrolment = actions.enrolment_route_set(
                    actor=request.user, enrolment=enrolment, route=form.cleaned_data["route"]
                )
            except PermissionDenied:
                raise Http404 from None
            except LearningRefused as error:
                errors = list(error.messages)
            else:
                messages.success(
                    request,
                    _("Your route is now: %(route)s.") % {"route": enrolment.get_route_display()},
                )
                return redirect(target)
    else:
        form = RouteForm(initial={"route": enrolment.route})
    open_submission = actions.open_submission(enrolment)
    return render(
        request,
        "learning/submission/route.html",
        {
            **common,
            "form": form,
            "errors": errors,
            "next": target,
            "open_submission": open_submission,
            "can_change": enrolment.state == Enrolment.State.ACTIVE and open_submission is None,
            "route_url": reverse("learning:route", kwargs={"slug": slug}),
        },
        status=400 if request.method == "POST" else 200,
    )
