"""Where a learner stands in their enrolment: `journey(enrolment)`.

The personal pathway page (and the pages around it) read one `Journey`: for each competency of
the version the learner works to, the criterion and rubric, the demonstration being drafted,
the latest submitted (frozen) one, what the supervisor said of it, and what the assessors made
of it; then the reflection, the submissions, and what remains to do in plain sentences.

It is read in a fixed number of queries whatever the number of competencies, demonstrations
or submissions (everything is fetched once and sorted out in Python).

The rules are those of `mosaics.learning.actions.submission.submission_checklist` (which
`submission_submit` enforces; a test keeps the two in step): for each competency, what would go
forward is its draft demonstration if there is one (submitting freezes it), else its latest
submitted version, and it needs a narrative, evidence and, on the standard route, the setting;
the reflection (the draft, else the latest frozen one) must answer every prompt. The learner
can submit when they are enrolled (not waiting), no submission is being assessed, and all of
that holds. A competency the last decision found below the passing level is listed as "to
revise" in what remains until a new version is started (revising is advice, not a rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mosaics.catalogue.models import Competency, RubricLevel
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Demonstration,
    Enrolment,
    Reflection,
    Submission,
)

__all__ = ["ASSESSMENT", "ATTESTATION", "REFLECTION", "CompetencyStep", "Journey", "journey"]


class ATTESTATION:
    """The state of the supervisor's attestation of the latest submitted demonstration."""

    NONE = "none"
    REQUESTED = "requested"
    EXPIRED = "expired"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"

    LABELS = {
        NONE: gettext_lazy("Not requested"),
        REQUESTED: gettext_lazy("Waiting for the supervisor"),
        EXPIRED: gettext_lazy("The supervisor's link expired"),
        CONFIRMED: gettext_lazy("Confirmed by the supervisor"),
        DISPUTED: gettext_lazy("Disputed by the supervisor"),
    }


class ASSESSMENT:
    """What the assessors made of the competency."""

    NONE = "none"  # never assessed
    WAITING = "waiting"  # in the submission waiting for assessment
    MET = "met"  # at or above the passing level
    TO_REVISE = "to_revise"  # below it, submission returned for revision
    NOT_MET = "not_met"  # below it, submission decided as not meeting the criteria

    LABELS = {
        NONE: gettext_lazy("Not assessed yet"),
        WAITING: gettext_lazy("Waiting for assessment"),
        MET: gettext_lazy("Meets the level"),
        TO_REVISE: gettext_lazy("To revise"),
        NOT_MET: gettext_lazy("Did not meet the level"),
    }


class REFLECTION:
    NONE = "none"
    DRAFT = "draft"
    SUBMITTED = "submitted"

    LABELS = {
        NONE: gettext_lazy("Not started"),
        DRAFT: gettext_lazy("Draft"),
        SUBMITTED: gettext_lazy("Submitted"),
    }


#: Submission states with an assessment the learner may read.
DECIDED_STATES = (Submission.State.RETURNED, Submission.State.MET, Submission.State.NOT_MET)


@dataclass
class CompetencyStep:
    competency: Competency
    #: 1-based position in the version.
    number: int
    #: The demonstration criterion: what the learner must show.
    criterion: str
    #: The rubric, lowest level first.
    levels: list[RubricLevel]
    passing_level: RubricLevel | None
    #: The version being written (at most one).
    draft: Demonstration | None = None
    #: The latest submitted (frozen) version.
    submitted: Demonstration | None = None
    #: The latest attestation of `submitted` (a cancelled one does not count).
    attestation: Attestation | None = None
    attestation_state: str = ATTESTATION.NONE
    assessment_state: str = ASSESSMENT.NONE
    #: The decisive assessment's score of this competency in the latest decided submission.
    score: CompetencyScore | None = None
    #: The demonstration that `score` is about (older than `submitted` once revised).
    assessed: Demonstration | None = None
    #: `submitted` is in the submission waiting for assessment.
    in_open_submission: bool = False
    #: The last decision found it below the level and no new version has been started.
    needs_revision: bool = False
    #: What submitting now would do with it: `missing` (no demonstration), `incomplete` (no
    #: narrative, evidence or setting), `draft` (complete; submitting freezes it), `ready`.
    status: str = "missing"

    @property
    def candidate(self) -> Demonstration | None:
        """The demonstration that would go forward: the draft, else the latest submitted."""
        return self.draft or self.submitted

    @property
    def ready(self) -> bool:
        return self.status in ("draft", "ready")

    @property
    def revised_since_assessment(self) -> bool:
        return (
            self.assessed is not None
            and self.submitted is not None
            and self.submitted.pk != self.assessed.pk
        )

    @property
    def attestation_label(self) -> str:
        return str(ATTESTATION.LABELS[self.attestation_state])

    @property
    def assessment_label(self) -> str:
        return str(ASSESSMENT.LABELS[self.assessment_state])

    def passes(self, level: RubricLevel) -> bool:
        return _passes(level, self.passing_level)


@dataclass
class Journey:
    enrolment: Enrolment
    steps: list[CompetencyStep]
    #: The latest reflection (a draft, or the last submitted one).
    reflection: Reflection | None
    reflection_state: str
    reflection_ready: bool
    #: The submission waiting for assessment, if any.
    open_submission: Submission | None
    #: Every other submission, newest first (withdrawn ones included).
    past_submissions: list[Submission]
    #: The latest submission with a decision, and the assessment that decided it.
    latest_decision: Submission | None
    latest_assessment: Assessment | None
    #: What is left to do, as sentences for the learner.
    remains: list[str] = field(default_factory=list)
    can_submit: bool = False

    @property
    def version(self) -> Any:
        return self.enrolment.version

    @property
    def submissions(self) -> list[Submission]:
        """All submissions, newest first."""
        return ([self.open_submission] if self.open_submission else []) + self.past_submissions

    @property
    def reflection_label(self) -> str:
        return str(REFLECTION.LABELS[self.reflection_state])

    @property
    def ready_count(self) -> int:
        return sum(1 for step in self.steps if step.ready)


def _passes(level: RubricLevel, passing: RubricLevel | None) -> bool:
    return passing is None or level.position >= passing.position


def _with_passes(competency: Competency) -> list[RubricLevel]:
    """The rubric's levels, lowest first, each marked `passes` (at or above the passing
    level) for the page."""
    levels = list(competency.levels.all())
    for level in levels:
        level.passes = _passes(level, competency.passing_level)  # type: ignore[attr-defined]
    return levels


def _decisive(submission: Submission) -> Assessment | None:
    """The assessment the decision rests on: the latest one (a moderation comes after the
    first assessment it confirms or overturns)."""
    assessments = list(submission.assessments.all())
    return max(assessments, key=lambda a: (a.created, a.pk)) if assessments else None


def _attestation_state(attestation: Attestation | None) -> str:
    if attestation is None:
        return ATTESTATION.NONE
    if attestation.state == Attestation.State.REQUESTED:
        return ATTESTATION.EXPIRED if attestation.is_expired else ATTESTATION.REQUESTED
    return str(attestation.state)


def journey(enrolment: Enrolment) -> Journey:
    """The learner's progress through `enrolment` (see the module's docstring)."""
    version = enrolment.version
    competencies = list(
        Competency.objects.filter(version=version)
        .select_related("passing_level")
        .prefetch_related(
            Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "id"))
        )
        .order_by("position", "id")
    )
    demonstrations = list(
        Demonstration.objects.filter(enrolment=enrolment)
        .annotate(item_count=Count("items"))
        .prefetch_related(
            Prefetch(
                "attestations",
                queryset=Attestation.objects.exclude(state=Attestation.State.CANCELLED).order_by(
                    "-requested_at", "-id"
                ),
            )
        )
        .order_by("competency_id", "-number")
    )
    reflections = list(
        Reflection.objects.filter(enrolment=enrolment)
        .prefetch_related("answers")
        .order_by("-number")
    )
    submissions = list(
        Submission.objects.filter(enrolment=enrolment)
        .select_related("reflection")
        .prefetch_related(
            Prefetch("demonstrations", queryset=Demonstration.objects.only("id", "competency_id")),
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("assessor").prefetch_related(
                    Prefetch(
                        "scores",
                        queryset=CompetencyScore.objects.select_related("level"),
                    )
                ),
            ),
        )
        .order_by("-number", "-id")
    )
    prompt_ids = set(version.reflection_prompts.values_list("pk", flat=True))

    by_pk = {demo.pk: demo for demo in demonstrations}
    drafts: dict[int, Demonstration] = {}
    latest_submitted: dict[int, Demonstration] = {}
    for demo in demonstrations:  # newest version first within each competency
        if demo.state == Demonstration.State.DRAFT:
            drafts.setdefault(demo.competency_id, demo)
        else:
            latest_submitted.setdefault(demo.competency_id, demo)

    open_submission = next((s for s in submissions if s.is_open), None)
    past = [s for s in submissions if s is not open_submission]
    latest_decision = next((s for s in submissions if s.state in DECIDED_STATES), None)
    latest_assessment = _decisive(latest_decision) if latest_decision else None
    scores = {}
    if latest_assessment is not None:
        scores = {score.competency_id: score for score in latest_assessment.scores.all()}
    assessed = (
        {
            demo.competency_id: by_pk.get(demo.pk, demo)
            for demo in latest_decision.demonstrations.all()
        }
        if latest_decision
        else {}
    )
    waiting = (
        {demo.pk for demo in open_submission.demonstrations.all()} if open_submission else set()
    )

    steps = []
    for number, competency in enumerate(competencies, start=1):
        step = CompetencyStep(
            competency=competency,
            number=number,
            criterion=competency.demonstration,
            levels=_with_passes(competency),
            passing_level=competency.passing_level,
            draft=drafts.get(competency.pk),
            submitted=latest_submitted.get(competency.pk),
        )
        if step.submitted is not None:
            attestations = list(step.submitted.attestations.all())
            step.attestation = attestations[0] if attestations else None
            step.attestation_state = _attestation_state(step.attestation)
            step.in_open_submission = step.submitted.pk in waiting
        score = scores.get(competency.pk)
        if score is not None and latest_decision is not None:
            step.score = score
            step.assessed = assessed.get(competency.pk)
            if _passes(score.level, competency.passing_level):
                step.assessment_state = ASSESSMENT.MET
            elif latest_decision.state == Submission.State.NOT_MET:
                step.assessment_state = ASSESSMENT.NOT_MET
            else:
                step.assessment_state = ASSESSMENT.TO_REVISE
            step.needs_revision = step.assessment_state != ASSESSMENT.MET and (
                step.assessed is not None
                and step.candidate is not None
                and step.candidate.pk == step.assessed.pk
            )
        if step.in_open_submission:
            step.assessment_state = ASSESSMENT.WAITING
        step.status = _status(step.candidate, enrolment.route)
        steps.append(step)

    reflection = reflections[0] if reflections else None
    if reflection is None:
        reflection_state, reflection_ready = REFLECTION.NONE, False
    else:
        reflection_state = REFLECTION.SUBMITTED if reflection.is_frozen else REFLECTION.DRAFT
        answered = {
            answer.prompt_id for answer in reflection.answers.all() if answer.answer.strip()
        }
        reflection_ready = prompt_ids <= answered

    result = Journey(
        enrolment=enrolment,
        steps=steps,
        reflection=reflection,
        reflection_state=reflection_state,
        reflection_ready=reflection_ready,
        open_submission=open_submission,
        past_submissions=past,
        latest_decision=latest_decision,
        latest_assessment=latest_assessment,
    )
    _what_remains(result)
    return result


def _what_remains(result: Journey) -> None:
    enrolment = result.enrolment
    if enrolment.state != Enrolment.State.ACTIVE or result.open_submission is not None:
        # Waiting (for a place, or for the assessors), or finished: nothing to do now.
        return
    remains = []
    for step in result.steps:
        statement = step.competency.statement
        if step.status == "missing":
            remains.append(_("Demonstrate “%(statement)s”") % {"statement": statement})
        elif step.status == "incomplete":
            remains.append(
                _("Finish your demonstration of “%(statement)s”") % {"statement": statement}
            )
        elif step.needs_revision:
            remains.append(
                _("Revise your demonstration of “%(statement)s”") % {"statement": statement}
            )
    if not result.reflection_ready:
        remains.append(
            _("Write your reflection")
            if result.reflection_state == REFLECTION.NONE
            else _("Finish your reflection")
        )
    result.can_submit = all(step.ready for step in result.steps) and result.reflection_ready
    remains.append(_("Submit for assessment"))
    result.remains = remains


def _status(demonstration: Demonstration | None, route: str) -> str:
    if demonstration is None:
        return "missing"
    complete = (
        bool(demonstration.narrative.strip())
        and demonstration.item_count > 0  # type: ignore[attr-defined]
        and (
            route != Enrolment.Route.STANDARD
            or (
                bool(demonstration.setting_organisation.strip())
                and bool(demonstration.setting_kind)
            )
        )
    )
    if not complete:
        return "incomplete"
    return "ready" if demonstration.is_frozen else "draft"
