"""The assessor's pages: the queue of submissions, one submission to assess (or to read once
it is decided), and the assessor's declared conflicts of interest.

Assessors and institution admins of the issuing organisation (schools inherit the
institution's roles) see the submissions of its micro-credentials, except their own and
those of learners they declared a conflict with: for them such a submission does not exist
(404). The queue is a 403 for people with no assessing role. Views parse, authorise, call
`mosaics.learning.actions.assessment` and redirect — or show the page again with what was
typed and why it was refused, having changed nothing.
"""

from __future__ import annotations

import uuid as uuid_module
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.catalogue.models import Competency, RubricLevel, Version
from mosaics.learning.actions import assessment as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.forms_assessment import (
    QUEUE_STATES,
    AssessmentForm,
    ConflictForm,
    QueueFilter,
)
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Conflict,
    Demonstration,
    EvidenceItem,
    ReflectionAnswer,
    Submission,
)
from mosaics.organisations import permissions

PAGE_SIZE = 50


def _url(name: str, **kwargs: Any) -> str:
    """The address of a page another part of the journey provides ("" until it exists)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related(
        "enrolment__learner",
        "enrolment__version__micro_credential__issuer__organisation",
        "reflection",
        "award",
    )


def _get_submission_for_user(user: Any, value: uuid_module.UUID) -> Submission:
    """The submission, if `user` may open it as an assessor; 404 otherwise (whether or not it
    exists), and 403 for its own learner (who has their own page for it)."""
    submission = _submissions().filter(uuid=value).first()
    if submission is None:
        raise Http404
    if permissions.is_enrolled_learner(user, submission.enrolment):
        raise PermissionDenied
    if not permissions.can_view_as_assessor(user, submission):
        raise Http404
    return submission


# --- the queue ------------------------------------------------------------------------------


@dataclass
class QueueRow:
    submission: Submission
    age_days: int
    demonstrations: int = 0
    confirmed: int = 0
    disputed: int = 0
    waiting: int = 0
    first: Assessment | None = None
    moderation: Assessment | None = None

    @property
    def attestation_status(self) -> str:
        if not (self.confirmed or self.disputed or self.waiting):
            return _("No supervisor confirmation")
        parts = [
            _("%(confirmed)d of %(total)d confirmed")
            % {"confirmed": self.confirmed, "total": self.demonstrations}
        ]
        if self.disputed:
            parts.append(_("%(n)d disputed") % {"n": self.disputed})
        if self.waiting:
            parts.append(_("%(n)d waiting") % {"n": self.waiting})
        return ", ".join(parts)


#: Versions learners may have enrolled in: a design never published is the design team's
#: alone, and a new version being drafted keeps its (perhaps new) title to itself.
ENROLLABLE_STATES = (Version.State.PUBLISHED, Version.State.SUPERSEDED, Version.State.RETIRED)


def _micro_credential_choices(organisations: Any) -> list[tuple[int, str]]:
    """(id, title of its latest published version) of every micro-credential the assessor may
    see submissions of."""
    titles: dict[int, str] = {}
    versions = (
        Version.objects.filter(
            micro_credential__issuer__organisation__in=organisations,
            state__in=ENROLLABLE_STATES,
        )
        .order_by("micro_credential_id", "-number")
        .values_list("micro_credential_id", "title")
    )
    for micro_credential_id, title in versions:
        titles.setdefault(micro_credential_id, title)
    return sorted(titles.items(), key=lambda item: (item[1].casefold(), item[0]))


def _queue_rows(submissions: list[Submission], user: Any) -> list[QueueRow]:
    """The page's rows, with their attestation counts and assessments: three queries,
    whatever the number of rows."""
    now = timezone.now()
    rows = {
        s.pk: QueueRow(submission=s, age_days=max((now - s.submitted_at).days, 0))
        for s in submissions
    }
    if not rows:
        return []
    links = Submission.demonstrations.through.objects.filter(submission_id__in=rows)
    demonstrations: dict[int, set[int]] = defaultdict(set)
    for submission_id, demonstration_id in links.values_list("submission_id", "demonstration_id"):
        demonstrations[submission_id].add(demonstration_id)
    states: dict[int, set[str]] = defaultdict(set)
    attestations = Attestation.objects.filter(
        demonstration_id__in={d for ids in demonstrations.values() for d in ids}
    ).values_list("demonstration_id", "state", "expires_at")
    for demonstration_id, state, expires_at in attestations:
        if state == Attestation.State.REQUESTED:
            state = "waiting" if expires_at > now else "expired"
        states[demonstration_id].add(state)
    for submission_id, ids in demonstrations.items():
        row = rows[submission_id]
        row.demonstrations = len(ids)
        row.confirmed = sum(1 for d in ids if Attestation.State.CONFIRMED in states[d])
        row.disputed = sum(1 for d in ids if Attestation.State.DISPUTED in states[d])
        row.waiting = sum(
            1
            for d in ids
            if "waiting" in states[d] and Attestation.State.CONFIRMED not in states[d]
        )
    for assessment in Assessment.objects.filter(submission_id__in=rows).select_related("assessor"):
        row = rows[assessment.submission_id]
        if assessment.stage == Assessment.Stage.MODERATION:
            row.moderation = assessment
        else:
            row.first = assessment
    return list(rows.values())


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """Submissions to assess, oldest first; filters by micro-credential, state and age."""
    user = request.user
    organisations = permissions.assessing_organisations(user)
    if not organisations.exists():
        raise PermissionDenied
    filters = QueueFilter(
        request.GET or None, micro_credentials=_micro_credential_choices(organisations)
    )
    wanted = filters.wanted()
    submissions = (
        _submissions()
        .filter(enrolment__micro_credential__issuer__organisation__in=organisations)
        .exclude(enrolment__learner_id=user.pk)
        .exclude(
            enrolment__learner_id__in=Conflict.objects.filter(assessor_id=user.pk).values(
                "learner_id"
            )
        )
    )
    if wanted["micro_credential"] is not None:
        submissions = submissions.filter(enrolment__micro_credential_id=wanted["micro_credential"])
    states = QUEUE_STATES.get(wanted["state"], QUEUE_STATES["waiting"])
    if states is not None:
        submissions = submissions.filter(state__in=states)
    if wanted["age"] is not None:
        submissions = submissions.filter(
            submitted_at__lte=timezone.now() - timedelta(days=wanted["age"])
        )
    page = Paginator(submissions.order_by("submitted_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/assessment/queue.html",
        {
            "page": page,
            "rows": _queue_rows(list(page.object_list), user),
            "filters": filters,
            "filtered": wanted["micro_credential"] is not None
            or wanted["state"] != "waiting"
            or wanted["age"] is not None,
            "waiting": wanted["state"] == "waiting",
        },
    )


# --- one submission -------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: EvidenceItem
    url: str


@dataclass
class CompetencyRow:
    competency: Competency
    levels: list[RubricLevel]
    demonstration: Demonstration | None
    demonstration_url: str
    items: list[ItemRow]
    attestations: list[Attestation]
    level_field: Any = None
    feedback_field: Any = None
    #: Scores already recorded for this competency (the first assessment, when moderating;
    #: every assessment once decided).
    scores: list[tuple[Assessment, CompetencyScore]] = field(default_factory=list)


def _item_url(item: EvidenceItem) -> str:
    if item.kind == EvidenceItem.Kind.FILE:
        return _url("learning:evidence_file", uuid=item.uuid)
    if item.kind == EvidenceItem.Kind.LINK:
        return item.url
    from mosaics.learning.documents import evidence_url

    try:
        return evidence_url(item)
    except NoReverseMatch:
        return ""


def _competencies(version: Version) -> list[Competency]:
    return list(
        Competency.objects.filter(version=version)
        .select_related("passing_level")
        .prefetch_related(
            Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "pk"))
        )
        .order_by("position", "pk")
    )


def _assessments(submission_ids: list[int]) -> list[Assessment]:
    return list(
        Assessment.objects.filter(submission_id__in=submission_ids)
        .select_related("assessor")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=CompetencyScore.objects.select_related("competency", "level").order_by(
                    "competency__position", "competency_id"
                ),
            )
        )
        .order_by("created", "pk")
    )


def _read_only_reason(user: Any, submission: Submission, assessments: list[Assessment]) -> str:
    """Why `user` may read but not assess the submission ("" when they may assess it)."""
    if not submission.is_open:
        if submission.state == Submission.State.WITHDRAWN:
            return _("The learner withdrew this submission, so it is not assessed.")
        return _("This submission has been decided: %(state)s.") % {
            "state": submission.get_state_display().lower()
        }
    if any(a.assessor_id == user.pk for a in assessments):
        return _(
            "You made the first assessment. A second assessor must moderate it: they confirm "
            "or overturn your decision."
        )
    return ""


def _assess_page(
    request: HttpRequest,
    submission: Submission,
    *,
    form: AssessmentForm | None = None,
    conflict_form: ConflictForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    enrolment = submission.enrolment
    version = enrolment.version
    competencies = _competencies(version)
    previous = list(
        Submission.objects.filter(enrolment=enrolment, number__lt=submission.number).order_by(
            "-number"
        )
    )
    assessments = _assessments([submission.pk, *[p.pk for p in previous]])
    current = [a for a in assessments if a.submission_id == submission.pk]
    for attempt in previous:
        attempt.recorded = [a for a in assessments if a.submission_id == attempt.pk]  # type: ignore[attr-defined]
    reason = _read_only_reason(user, submission, current)
    can_assess = not reason and permissions.can_assess(user, submission)
    if can_assess and form is None:
        form = AssessmentForm(competencies=competencies)

    demonstrations = {
        d.competency_id: d
        for d in submission.demonstrations.prefetch_related(
            Prefetch(
                "items",
                queryset=EvidenceItem.objects.select_related("award", "external_badge").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch("attestations", queryset=Attestation.objects.order_by("-requested_at", "-pk")),
        )
    }
    rows = []
    for competency in competencies:
        demonstration = demonstrations.get(competency.pk)
        row = CompetencyRow(
            competency=competency,
            levels=list(competency.levels.all()),
            demonstration=demonstration,
            demonstration_url=_url("learning:demonstration_version", uuid=demonstration.uuid)
            if demonstration is not None
            else "",
            items=[ItemRow(item, _item_url(item)) for item in demonstration.items.all()]
            if demonstration is not None
            else [],
            attestations=list(demonstration.attestations.all()) if demonstration else [],
            scores=[
                (a, s) for a in current for s in a.scores.all() if s.competency_id == competency.pk
            ],
        )
        if form is not None:
            row.level_field = form.level_field(competency)
            row.feedback_field = form.feedback_field(competency)
        rows.append(row)
    answers = list(
        ReflectionAnswer.objects.filter(reflection=submission.reflection)
        .select_related("prompt")
        .order_by("prompt__position", "prompt_id")
    )
    attestations_template = select_template(
        ["learning/_attestations.html", "learning/assessment/_attestations_fallback.html"]
    ).template.name
    return render(
        request,
        "learning/assessment/assess.html",
        {
            "submission": submission,
            "enrolment": enrolment,
            "version": version,
            "learner": enrolment.learner,
            "rows": rows,
            "reflection": submission.reflection,
            "answers": answers,
            "assessments": current,
            "first_assessment": next(
                (a for a in current if a.stage == Assessment.Stage.FIRST), None
            ),
            "previous": previous,
            "form": form,
            "can_assess": can_assess,
            "read_only_reason": reason,
            "conflict_form": conflict_form or ConflictForm(),
            "errors": errors or [],
            "award_url": _url("awards:record", uuid=submission.award.uuid)
            if submission.award is not None
            else "",
            "attestations_template": attestations_template,
        },
        status=status,
    )


def _problems(form: AssessmentForm) -> list[str]:
    """The form's errors as sentences for the summary at the top (each also shows by its
    field), naming the competency a level or feedback belongs to."""
    statements = {f"level-{c.pk}": c.statement for c in form.competencies}
    statements.update({f"feedback-{c.pk}": c.statement for c in form.competencies})
    problems = []
    for name, errors in form.errors.items():
        where = statements.get(name) or (form.fields[name].label if name in form.fields else "")
        for message in errors:
            problems.append(f"{where}: {message}" if where else str(message))
    return problems


def _done(submission: Submission) -> str:
    """What the assessor is told once their assessment is recorded."""
    names = {
        "learner": submission.enrolment.learner.name,
        "title": submission.enrolment.version.title,
    }
    if submission.state == Submission.State.IN_MODERATION:
        return (
            _(
                "Your assessment is recorded. A second assessor must confirm it before %(learner)s "
                "is awarded “%(title)s”."
            )
            % names
        )
    if submission.state == Submission.State.MET:
        return (
            _(
                "%(learner)s meets the criteria and is awarded “%(title)s”: they are sent a link "
                "to claim it."
            )
            % names
        )
    if submission.state == Submission.State.RETURNED:
        return _("The submission was returned to %(learner)s with your feedback.") % names
    return (
        _("Recorded: %(learner)s does not meet the criteria of “%(title)s”. They are told.") % names
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assess(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """The submission in full, with the scoring form when the person may assess it."""
    submission = _get_submission_for_user(request.user, uuid)
    if request.method != "POST":
        return _assess_page(request, submission)
    competencies = _competencies(submission.enrolment.version)
    form = AssessmentForm(request.POST, competencies=competencies)
    if not form.is_valid():
        return _assess_page(request, submission, form=form, errors=_problems(form), status=400)
    try:
        actions.assessment_record(
            actor=request.user,
            submission=submission,
            scores=form.scores(),
            decision=form.cleaned_data["decision"],
            feedback=form.cleaned_data["feedback"],
        )
    except LearningRefused as refused:
        submission.refresh_from_db()
        return _assess_page(
            request, submission, form=form, errors=list(refused.messages), status=400
        )
    except PermissionDenied as denied:
        # They may read it (or `_get_submission_for_user` would have said no) but not assess
        # it now, e.g. they made the first assessment: the page says why, keeping the form.
        submission.refresh_from_db()
        reason = str(denied) or _("You cannot assess this submission.")
        return _assess_page(request, submission, form=form, errors=[reason], status=403)
    submission.refresh_from_db()
    messages.success(request, _done(submission))
    return redirect("learning:queue")


# --- conflicts of interest ------------------------------------------------------------------


@login_required
@require_POST
def conflict_declare(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """Declare a conflict of interest with the learner of a submission one may open."""
    submission = _get_submission_for_user(request.user, uuid)
    form = ConflictForm(request.POST)
    if form.is_valid():
        learner = submission.enrolment.learner
        try:
            actions.conflict_declare(
                actor=request.user, learner=learner, reason=form.cleaned_data["reason"]
            )
        except LearningRefused as refused:
            form.add_error(None, refused.messages)
        else:
            messages.success(
                request,
                _(
                    "You declared a conflict of interest with %(learner)s: you will not be "
                    "offered their submissions. You can withdraw it on your conflicts page."
                )
                % {"learner": learner.name},
            )
            return redirect("learning:queue")
    errors = [str(e) for e in form.non_field_errors()] + [
        f"{form.fields[name].label}: {e}"
        for name in form.errors
        if name != "__all__"
        for e in form.errors[name]
    ]
    return _assess_page(request, submission, conflict_form=form, errors=errors, status=400)


@login_required
@require_safe
def conflicts(request: HttpRequest) -> HttpResponse:
    """The conflicts of interest the person has declared."""
    declared = list(
        Conflict.objects.filter(assessor_id=request.user.pk)
        .select_related("learner")
        .order_by("-declared_at", "-pk")
    )
    if not declared and not permissions.assessing_organisations(request.user).exists():
        raise PermissionDenied
    return render(request, "learning/assessment/conflicts.html", {"conflicts": declared})


@login_required
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = (
        Conflict.objects.filter(pk=pk, assessor_id=request.user.pk)
        .select_related("learner")
        .first()
    )
    if conflict is None:
        raise Http404
    actions.conflict_withdraw(actor=request.user, conflict=conflict)
    messages.success(
        request,
        _("You withdrew your conflict of interest with %(learner)s.")
        % {"learner": conflict.learner.name},
    )
    return redirect("learning:conflicts")
