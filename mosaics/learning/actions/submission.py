"""The reflection, submitting for assessment, and the route (standard or prior learning).

- `reflection_save` keeps the learner's draft reflection. Once a reflection has gone with a
  submission it is frozen; saving after the submission was returned (or withdrawn) starts a
  new numbered draft from a copy of it, and the frozen one stays with its submission.
- `submission_checklist` says, without changing anything, what is ready and what is missing:
  the review page shows it and `submission_submit` refuses with its problems, all at once.
- `submission_submit` freezes the drafts and puts one demonstration per competency and the
  reflection forward, under the enrolment's row lock. The database allows one open
  submission per enrolment (`one_open_submission`), so two tabs submitting at once make one.
- `submission_withdraw` takes back a submission no assessor has started.
- `enrolment_route_set` switches between learning and demonstrating, and recognition of prior
  learning (existing evidence, such as a verified imported badge, mapped to the
  competencies); both are assessed the same way, but prior learning needs no setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue.models import Competency, ReflectionPrompt
from mosaics.learning.actions._common import LearningRefused, refuse, text
from mosaics.learning.models import (
    Demonstration,
    Enrolment,
    Reflection,
    ReflectionAnswer,
    Submission,
)

__all__ = [
    "MAX_ANSWER",
    "MAX_SUMMARY",
    "Checklist",
    "CompetencyCheck",
    "ReflectionCheck",
    "can_withdraw",
    "current_reflection",
    "enrolment_route_set",
    "open_submission",
    "reflection_save",
    "submission_checklist",
    "submission_submit",
    "submission_withdraw",
]

#: Longest answer to one reflection prompt, and longest shared summary (characters).
MAX_ANSWER = 10_000
MAX_SUMMARY = 2_000


# --- shared checks ------------------------------------------------------------------------


def _organisation(enrolment: Enrolment) -> Any:
    return enrolment.micro_credential.issuer.organisation


def _lock_enrolment(enrolment: Enrolment) -> Enrolment:
    # Only the enrolment's own row: the micro-credential's is the enrolment workflows' (they
    # lock it first, then the enrolment), so taking both here could deadlock with them.
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("micro_credential__issuer__organisation", "version")
        .get(pk=enrolment.pk)
    )


def _check_learner(actor: Any, enrolment: Enrolment) -> None:
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or enrolment.learner_id != actor.pk
    ):
        raise PermissionDenied


def _check_active(enrolment: Enrolment) -> None:
    if enrolment.state != Enrolment.State.ACTIVE:
        raise refuse(
            _("You are not enrolled in this micro-credential at the moment."), "not_enrolled"
        )


def open_submission(enrolment: Enrolment) -> Submission | None:
    """The submission being assessed, if there is one."""
    return enrolment.submissions.filter(state__in=Submission.OPEN_STATES).first()


def _refuse_if_open(enrolment: Enrolment, message: str) -> None:
    if enrolment.submissions.filter(state__in=Submission.OPEN_STATES).exists():
        raise refuse(message, "submission_open")


def current_reflection(enrolment: Enrolment) -> Reflection | None:
    """The draft reflection, else the latest frozen one (None: none written yet)."""
    draft = enrolment.reflections.filter(state=Reflection.State.DRAFT).first()
    if draft is not None:
        return draft
    return (
        enrolment.reflections.filter(state=Reflection.State.SUBMITTED).order_by("-number").first()
    )


# --- the reflection -----------------------------------------------------------------------


def reflection_save(
    *,
    actor: Any,
    enrolment: Enrolment,
    answers: Mapping[int, str],
    summary: str,
    share_summary: bool,
) -> Reflection:
    """Save the learner's draft reflection (`answers`: prompt id → answer; prompts left out
    keep what they had). With no draft, a new one is made, numbered after the last; when a
    frozen one exists it starts as a copy of it. Refused while a submission is being
    assessed: the reflection that went with it is frozen."""
    with transaction.atomic():
        enrolment = _lock_enrolment(enrolment)
        _check_learner(actor, enrolment)
        _check_active(enrolment)
        _refuse_if_open(
            enrolment,
            _(
                "Your reflection is with the assessors, so it cannot change now. If your "
                "submission is returned for revision, you can revise it then."
            ),
        )
        prompts = {prompt.pk: prompt for prompt in enrolment.version.reflection_prompts.all()}
        cleaned: dict[int, str] = {}
        for key, value in answers.items():
            try:
                prompt = prompts[int(key)]
            except (KeyError, TypeError, ValueError):
                raise refuse(
                    _("One of the answers is to a question this reflection does not ask."),
                    "unknown_prompt",
                ) from None
            cleaned[prompt.pk] = text(
                value,
                what=_("Your answer to “%(prompt)s”") % {"prompt": _short(prompt.text)},
                limit=MAX_ANSWER,
            )
        summary = text(summary, what=_("The summary"), limit=MAX_SUMMARY)

        reflection = (
            Reflection.objects.select_for_update()
            .filter(enrolment=enrolment, state=Reflection.State.DRAFT)
            .first()
        )
        created = reflection is None
        copied_from = None
        if reflection is None:
            last = enrolment.reflections.order_by("-number").first()
            reflection = Reflection.objects.create(
                enrolment=enrolment,
                number=(last.number + 1) if last is not None else 1,
                state=Reflection.State.DRAFT,
            )
            if last is not None:
                copied_from = last.number
                ReflectionAnswer.objects.bulk_create(
                    ReflectionAnswer(
                        reflection=reflection, prompt_id=old.prompt_id, answer=old.answer
                    )
                    for old in last.answers.all()
                )
        reflection.summary = summary
        reflection.share_summary = bool(share_summary)
        reflection.save(update_fields=["summary", "share_summary", "updated"])
        for prompt_id, answer in cleaned.items():
            ReflectionAnswer.objects.update_or_create(
                reflection=reflection, prompt_id=prompt_id, defaults={"answer": answer}
            )
        record(
            actor=actor,
            action="learning.reflection_save",
            target=reflection,
            organisation=_organisation(enrolment),
            number=reflection.number,
            created=created,
            **({"copied_from": copied_from} if copied_from is not None else {}),
        )
    return reflection


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- what is ready ------------------------------------------------------------------------


@dataclass
class CompetencyCheck:
    """One competency on the review page: the demonstration that would go forward and what
    it still lacks."""

    competency: Competency
    demonstration: Demonstration | None
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def is_draft(self) -> bool:
        return self.demonstration is not None and not self.demonstration.is_frozen

    @property
    def status(self) -> str:
        """`missing`, `incomplete`, `draft` (will be frozen by submitting) or `ready`."""
        if self.demonstration is None:
            return "missing"
        if self.problems:
            return "incomplete"
        return "draft" if self.is_draft else "ready"


@dataclass
class ReflectionCheck:
    reflection: Reflection | None
    unanswered: list[ReflectionPrompt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        if self.reflection is None:
            return "missing"
        if self.problems:
            return "incomplete"
        return "draft" if not self.reflection.is_frozen else "ready"


@dataclass
class Checklist:
    enrolment: Enrolment
    competencies: list[CompetencyCheck]
    reflection: ReflectionCheck
    open_submission: Submission | None

    @property
    def problems(self) -> list[str]:
        """Everything that stops the learner submitting, in the order of the page."""
        result: list[str] = []
        if self.open_submission is not None:
            result.append(
                _("You have already submitted: attempt %(number)d is being assessed.")
                % {"number": self.open_submission.number}
            )
        for check in self.competencies:
            result.extend(check.problems)
        result.extend(self.reflection.problems)
        return result

    @property
    def ready(self) -> bool:
        return not self.problems


def _competency_problems(
    competency: Competency, demonstration: Demonstration | None, route: str
) -> list[str]:
    name = _short(competency.statement)
    if demonstration is None:
        return [_("“%(competency)s”: there is no demonstration yet.") % {"competency": name}]
    problems = []
    if not demonstration.narrative.strip():
        problems.append(
            _("“%(competency)s”: write the narrative of what you did.") % {"competency": name}
        )
    if not demonstration.items.all():
        problems.append(
            _("“%(competency)s”: add at least one piece of evidence.") % {"competency": name}
        )
    if route == Enrolment.Route.STANDARD and (
        not demonstration.setting_organisation.strip() or not demonstration.setting_kind
    ):
        problems.append(
            _("“%(competency)s”: say where you did it (the organisation and the kind of setting).")
            % {"competency": name}
        )
    return problems


def submission_checklist(enrolment: Enrolment) -> Checklist:
    """What would go forward if the learner submitted now, and what is missing (reads only).
    For each competency: its draft demonstration if there is one, else its latest submitted
    version; the draft reflection, else the latest frozen one."""
    demonstrations: dict[int, Demonstration] = {}
    for demo in (
        Demonstration.objects.filter(enrolment=enrolment)
        .prefetch_related("items")
        .order_by("competency_id", "number")
    ):
        # The draft if there is one, else the highest-numbered submitted version.
        held = demonstrations.get(demo.competency_id)
        if held is None or held.is_frozen:
            demonstrations[demo.competency_id] = demo
    competencies = []
    for competency in enrolment.version.competencies.all():
        chosen = demonstrations.get(competency.pk)
        competencies.append(
            CompetencyCheck(
                competency=competency,
                demonstration=chosen,
                problems=_competency_problems(competency, chosen, enrolment.route),
            )
        )

    reflection = current_reflection(enrolment)
    reflection_check = ReflectionCheck(reflection=reflection)
    if reflection is None:
        reflection_check.problems.append(_("Write your reflection."))
    else:
        answered = {
            answer.prompt_id for answer in reflection.answers.all() if answer.answer.strip()
        }
        for prompt in enrolment.version.reflection_prompts.all():
            if prompt.pk not in answered:
                reflection_check.unanswered.append(prompt)
                reflection_check.problems.append(
                    _("Reflection: answer “%(prompt)s”.") % {"prompt": _short(prompt.text)}
                )
    return Checklist(
        enrolment=enrolment,
        competencies=competencies,
        reflection=reflection_check,
        open_submission=open_submission(enrolment),
    )


# --- submitting -----------------------------------------------------------------------------


def submission_submit(
    *, actor: Any, enrolment: Enrolment, now: datetime | None = None
) -> Submission:
    """Put everything forward for assessment: freeze the draft demonstrations and the draft
    reflection, and make the next numbered submission of the latest version of each
    demonstration. Refused, with everything that is missing, unless each competency has a
    demonstration with a narrative and evidence (and, on the standard route, its setting)
    and every reflection question is answered."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _lock_enrolment(enrolment)
        _check_learner(actor, enrolment)
        _check_active(enrolment)
        checklist = submission_checklist(enrolment)
        problems = checklist.problems
        if problems:
            raise LearningRefused([refuse(problem, "not_ready") for problem in problems])

        demonstrations = [
            check.demonstration
            for check in checklist.competencies
            if check.demonstration is not None
        ]
        drafts = [demo.pk for demo in demonstrations if not demo.is_frozen]
        Demonstration.objects.filter(pk__in=drafts, state=Demonstration.State.DRAFT).update(
            state=Demonstration.State.SUBMITTED, submitted_at=now, updated=now
        )
        reflection = checklist.reflection.reflection
        assert reflection is not None  # the checklist refused otherwise
        froze_reflection = not reflection.is_frozen
        if froze_reflection:
            Reflection.objects.filter(pk=reflection.pk, state=Reflection.State.DRAFT).update(
                state=Reflection.State.SUBMITTED, submitted_at=now, updated=now
            )
        last = enrolment.submissions.order_by("-number").first()
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    enrolment=enrolment,
                    number=(last.number + 1) if last is not None else 1,
                    route=enrolment.route,
                    state=Submission.State.SUBMITTED,
                    reflection=reflection,
                    submitted_at=now,
                )
        except IntegrityError:
            # Another request submitted between our check and now (`one_open_submission`).
            raise refuse(
                _("You have already submitted: your submission is being assessed."),
                "already_submitted",
            ) from None
        submission.demonstrations.set(demonstrations)
        record(
            actor=actor,
            action="learning.submit",
            target=submission,
            organisation=_organisation(enrolment),
            number=submission.number,
            route=submission.route,
            reflection=reflection.number,
            demonstrations=[demo.pk for demo in demonstrations],
            frozen=drafts,
            reflection_frozen=froze_reflection,
        )
    return submission


def can_withdraw(submission: Submission) -> bool:
    """Whether the learner may still take the submission back: no assessor has started."""
    return (
        submission.state == Submission.State.SUBMITTED
        and submission.enrolment.state == Enrolment.State.ACTIVE
        and not submission.assessments.exists()
    )


def submission_withdraw(
    *, actor: Any, submission: Submission, now: datetime | None = None
) -> Submission:
    """The learner takes back a submission no assessor has assessed yet. What went with it
    stays frozen (revising makes new versions), so a later submission can reuse it."""
    now = now or timezone.now()
    with transaction.atomic():
        # The submission's row only: the assessment workflow locks it before the enrolment.
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("enrolment__micro_credential__issuer__organisation")
            .get(pk=submission.pk)
        )
        enrolment = submission.enrolment
        _check_learner(actor, enrolment)
        _check_active(enrolment)
        if submission.state != Submission.State.SUBMITTED or submission.assessments.exists():
            raise refuse(
                _("An assessor has already started on this submission, so it cannot be withdrawn.")
                if submission.is_open
                else _("This submission is no longer waiting for assessment."),
                "state",
            )
        submission.state = Submission.State.WITHDRAWN
        submission.decided_at = now
        submission.save(update_fields=["state", "decided_at"])
        record(
            actor=actor,
            action="learning.submission_withdraw",
            target=submission,
            organisation=_organisation(enrolment),
            number=submission.number,
        )
    return submission


# --- the route ------------------------------------------------------------------------------


def enrolment_route_set(*, actor: Any, enrolment: Enrolment, route: str) -> Enrolment:
    """Switch between learning and demonstrating and recognition of prior learning, while no
    submission is being assessed (the submission keeps the route it was made with)."""
    if route not in Enrolment.Route.values:
        raise refuse(_("Please choose how you will earn this micro-credential."), "route")
    with transaction.atomic():
        enrolment = _lock_enrolment(enrolment)
        _check_learner(actor, enrolment)
        _check_active(enrolment)
        _refuse_if_open(
            enrolment,
            _(
                "Your submission is being assessed, so the route cannot change now. Withdraw it "
                "first, or wait for the decision."
            ),
        )
        if enrolment.route == route:
            return enrolment
        was = enrolment.route
        enrolment.route = route
        enrolment.save(update_fields=["route"])
        record(
            actor=actor,
            action="learning.route_set",
            target=enrolment,
            organisation=_organisation(enrolment),
            route=route,
            was=was,
        )
    return enrolment
