"""Assessing a submission, and assessors' declared conflicts of interest.

- `assessment_record` scores every competency of the submission against its rubric and
  records the assessor's decision. A submission that meets the criteria is awarded at once
  (`mosaics.awards.actions.award_issue`), unless the design asks a second assessor to
  confirm it first (moderation): then it waits `in_moderation`, and the second assessor's
  decision is the one that counts (their "revise" or "does not meet" overturns the first).
- `conflict_declare` and `conflict_withdraw`: an assessor who knows a learner (family, a
  direct report, a business relationship) declares it once; they are never offered, and
  cannot assess, that learner's submissions.

Locks are taken in the order the enrolment workflows take them — the micro-credential,
then the enrolment, then the submission — so an assessment never deadlocks with a learner
withdrawing at the same moment. Two assessors deciding the same submission at once are
served one after the other: the second finds it decided and is refused, so a submission
makes at most one award.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import NoReverseMatch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.awards.actions import MAX_EVIDENCE, AwardRefused, EvidenceInput, award_issue
from mosaics.catalogue.models import Competency, MicroCredential, RubricLevel
from mosaics.learning import notifications
from mosaics.learning.actions._common import (
    LearningRefused,
    learner_email,
    learner_language,
    refuse,
    text,
)
from mosaics.learning.actions.attestation import chosen_name
from mosaics.learning.actions.enrolment import enrolment_finish
from mosaics.learning.models import (
    Assessment,
    Attestation,
    CompetencyScore,
    Conflict,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    Submission,
)
from mosaics.notifications.outbox import notify
from mosaics.organisations import permissions

__all__ = [
    "MAX_FEEDBACK",
    "MAX_REASON",
    "assessment_evidence",
    "assessment_record",
    "conflict_declare",
    "conflict_withdraw",
    "passes",
]

#: Longest feedback (per competency, and overall), and longest conflict reason (characters).
MAX_FEEDBACK = 10_000
MAX_REASON = 300

#: Longest text of one piece of evidence in the credential (`award_issue`'s own limits).
_MAX_EVIDENCE_NAME = 200
_MAX_EVIDENCE_TEXT = 10_000


def passes(level: RubricLevel, passing: RubricLevel | None) -> bool:
    """Whether `level` is at or above the competency's passing level (a competency without
    one — never published so — passes at any level)."""
    return passing is None or level.position >= passing.position


# --- recording an assessment ----------------------------------------------------------------


def _lock(submission: Submission) -> Submission:
    """Lock the micro-credential, the enrolment and the submission (in that order, as the
    enrolment workflows do) and return the submission read afresh."""
    enrolment_id, micro_credential_id = Enrolment.objects.values_list(
        "pk", "micro_credential_id"
    ).get(pk=submission.enrolment_id)
    # As `enrolment._lock_micro_credential` does (with its issuer and organisation rows).
    MicroCredential.objects.select_for_update().select_related("issuer__organisation").get(
        pk=micro_credential_id
    )
    Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment_id)
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related(
            "enrolment__learner",
            "enrolment__version__micro_credential__issuer__organisation",
            "reflection",
        )
        .get(pk=submission.pk)
    )


def _parse_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**63 else None


@dataclass(frozen=True)
class _Score:
    competency: Competency
    level: RubricLevel
    feedback: str


def _scores(competencies: Sequence[Competency], scores: Mapping[Any, Any]) -> list[_Score]:
    """Every competency's score, checked: each competency scored once, with one of its own
    rubric levels. Refused (naming the competencies) otherwise."""
    by_id = {competency.pk: competency for competency in competencies}
    given: dict[int, tuple[Any, Any]] = {}
    for raw_competency, value in scores.items():
        competency_id = _parse_id(raw_competency)
        if competency_id is None or competency_id not in by_id:
            raise refuse(
                _("A score names a competency that is not part of this micro-credential."),
                "unknown_competency",
            )
        if isinstance(value, (tuple, list)) and len(value) == 2:
            level_value, feedback = value
        else:
            level_value, feedback = value, ""
        given[competency_id] = (level_value, feedback)
    missing = [c.statement for c in competencies if given.get(c.pk, (None,))[0] in (None, "")]
    if missing:
        raise refuse(
            _("Choose a rubric level for every competency. Not scored: %(competencies)s.")
            % {"competencies": "; ".join(missing)},
            "missing_score",
        )
    result = []
    for competency in competencies:
        level_value, feedback = given[competency.pk]
        level_id = _parse_id(level_value)
        level = next((lv for lv in competency.levels.all() if lv.pk == level_id), None)
        if level is None:
            raise refuse(
                _("The level chosen for “%(competency)s” is not one of its rubric levels.")
                % {"competency": competency.statement},
                "unknown_level",
            )
        result.append(
            _Score(
                competency=competency,
                level=level,
                feedback=text(
                    feedback,
                    what=_("The feedback on “%(competency)s”")
                    % {"competency": competency.statement},
                    limit=MAX_FEEDBACK,
                ),
            )
        )
    return result


def assessment_record(
    *,
    actor: Any,
    submission: Submission,
    scores: Mapping[int, tuple[int, str]],
    decision: str,
    feedback: str = "",
    now: datetime | None = None,
) -> Assessment:
    """Record `actor`'s assessment of `submission`: `scores` maps each competency's id to
    (rubric level id, feedback); `decision` is one of `Assessment.Decision`; `feedback` is
    the overall feedback (required to return for revision or decide it does not meet: it
    tells the learner what to improve).

    The first assessment is made while the submission waits for assessment, the moderation
    while it waits for a second assessor. "Meets" needs every competency at or above its
    passing level; it is final unless the design asks for moderation, and a final "meets"
    awards the micro-credential with the learner's evidence (as their privacy choices allow),
    the results and the reflection summary they agreed to share. If the award cannot be made
    (the issuer has no signing key, say), nothing at all is recorded and the refusal says why.

    Raises PermissionDenied for someone who may not assess it (the learner, someone without an
    assessing role in the issuing organisation, a declared conflict, the first assessor
    moderating), LearningRefused for everything else."""
    decided_at = now or timezone.now()
    with transaction.atomic():
        submission = _lock(submission)
        enrolment = submission.enrolment
        version = enrolment.version
        learner = enrolment.learner
        organisation = version.micro_credential.issuer.organisation
        if not permissions.can_view_as_assessor(actor, submission):
            raise PermissionDenied
        if not submission.is_open:
            raise refuse(
                _("This submission has already been decided (%(state)s).")
                % {"state": submission.get_state_display().lower()},
                "decided",
            )
        if not permissions.can_assess(actor, submission):
            raise PermissionDenied(
                _("You made the first assessment: a second assessor must moderate it.")
            )
        if decision not in Assessment.Decision.values:
            raise refuse(_("Choose a decision."), "decision")
        feedback = text(feedback, what=_("The feedback to the learner"), limit=MAX_FEEDBACK)
        if decision != Assessment.Decision.MEETS and not feedback:
            raise refuse(
                _(
                    "Tell the learner what to improve: feedback is required unless it meets "
                    "the criteria."
                ),
                "feedback_required",
            )
        stage = (
            Assessment.Stage.MODERATION
            if submission.state == Submission.State.IN_MODERATION
            else Assessment.Stage.FIRST
        )
        competencies = list(
            Competency.objects.filter(version=version)
            .select_related("passing_level")
            .prefetch_related(
                Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "pk"))
            )
            .order_by("position", "pk")
        )
        checked = _scores(competencies, scores)
        if decision == Assessment.Decision.MEETS:
            below = [
                s.competency.statement
                for s in checked
                if not passes(s.level, s.competency.passing_level)
            ]
            if below:
                raise refuse(
                    _(
                        "It cannot meet the criteria with a level below the passing level in: "
                        "%(competencies)s. Return it for revision, or decide it does not meet "
                        "the criteria."
                    )
                    % {"competencies": "; ".join(below)},
                    "below_passing",
                )
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    submission=submission,
                    stage=stage,
                    assessor=actor,
                    decision=decision,
                    feedback=feedback,
                )
                CompetencyScore.objects.bulk_create(
                    CompetencyScore(
                        assessment=assessment,
                        competency=s.competency,
                        level=s.level,
                        feedback=s.feedback,
                    )
                    for s in checked
                )
        except IntegrityError:
            raise refuse(
                _("This submission has already been assessed at this stage."), "already_assessed"
            ) from None

        award = None
        if decision == Assessment.Decision.MEETS:
            if stage == Assessment.Stage.FIRST and version.second_assessor_required:
                submission.state = Submission.State.IN_MODERATION
            else:
                reflection = submission.reflection
                assert reflection.state == Reflection.State.SUBMITTED, "a submitted reflection"
                try:
                    award = award_issue(
                        actor=actor,
                        recipient_email=learner_email(learner),
                        version=version,
                        evidence=assessment_evidence(submission),
                        results={s.competency.pk: s.level.pk for s in checked},
                        narrative=reflection.summary if reflection.share_summary else "",
                        # Never the username (made from the e-mail address): "" then.
                        recipient_name=learner.legal_name or chosen_name(learner),
                        source="assessment",
                        now=now,
                    )
                except AwardRefused as refused:
                    raise LearningRefused(
                        _("Nothing was recorded: the badge could not be awarded. %(reason)s")
                        % {"reason": " ".join(refused.messages)},
                        code="award",
                    ) from None
                submission.state = Submission.State.MET
                submission.decided_at = decided_at
                submission.award = award
                enrolment_finish(
                    enrolment=enrolment,
                    state=Enrolment.State.AWARDED,
                    award=award,
                    now=decided_at,
                )
        elif decision == Assessment.Decision.REVISE:
            submission.state = Submission.State.RETURNED
            submission.decided_at = decided_at
        else:
            submission.state = Submission.State.NOT_MET
            submission.decided_at = decided_at
            enrolment_finish(enrolment=enrolment, state=Enrolment.State.NOT_MET, now=decided_at)
        submission.save(update_fields=["state", "decided_at", "award"])

        record(
            actor=actor,
            action="learning.assess",
            target=submission,
            organisation=organisation,
            assessment=assessment.pk,
            decision=decision,
            stage=stage,
            state=submission.state,
            results={str(s.competency.pk): s.level.pk for s in checked},
            **({"award": award.pk} if award is not None else {}),
        )
        if submission.state != Submission.State.IN_MODERATION:
            notify(
                kind=(
                    notifications.SUBMISSION_RETURNED
                    if submission.state == Submission.State.RETURNED
                    else notifications.SUBMISSION_DECIDED
                ),
                target=submission,
                recipient=learner_email(learner),
                language=learner_language(learner),
            )
    return assessment


# --- the evidence in the credential ---------------------------------------------------------


def _short(value: str, limit: int) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _evidence_url(item: EvidenceItem) -> str:
    from mosaics.learning.documents import evidence_url

    try:
        url = str(evidence_url(item) or "")
    except NoReverseMatch:  # the evidence pages are not installed: the item has no address
        return ""
    # The credential takes http(s) addresses only, with the scheme as written here.
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return ""
    return f"{scheme.lower()}://{rest}"


def _setting(demonstration: Demonstration) -> str:
    """Where the demonstration took place, as one sentence ("" when not said)."""
    parts = []
    if demonstration.setting_organisation:
        parts.append(
            _("At %(organisation)s") % {"organisation": demonstration.setting_organisation}
        )
    if demonstration.setting_role:
        parts.append(_("as %(role)s") % {"role": demonstration.setting_role})
    start, end = demonstration.setting_start, demonstration.setting_end
    if start and end:
        parts.append(
            _("%(start)s to %(end)s")
            % {
                "start": formats.date_format(start, "DATE_FORMAT"),
                "end": formats.date_format(end, "DATE_FORMAT"),
            }
        )
    elif start:
        parts.append(_("from %(start)s") % {"start": formats.date_format(start, "DATE_FORMAT")})
    elif end:
        parts.append(_("until %(end)s") % {"end": formats.date_format(end, "DATE_FORMAT")})
    if not parts:
        return ""
    sentence = ", ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _confirmation(demonstration: Demonstration) -> str:
    confirmed = [
        a for a in demonstration.attestations.all() if a.state == Attestation.State.CONFIRMED
    ]
    if not confirmed:
        return ""
    latest = max(confirmed, key=lambda a: (a.answered_at or a.requested_at, a.pk))
    # The supervisor never agreed to be named in a credential the learner may publish: their
    # role only, never their name or address.
    if latest.supervisor_role:
        return _("Confirmed by their workplace supervisor (%(role)s).") % {
            "role": latest.supervisor_role
        }
    return _("Confirmed by their workplace supervisor.")


def _narrative(demonstration: Demonstration) -> str:
    closing = " ".join(p for p in (_setting(demonstration), _confirmation(demonstration)) if p)
    narrative = demonstration.narrative.strip()
    room = _MAX_EVIDENCE_TEXT - len(closing) - 2
    return "\n\n".join(p for p in (_short(narrative, max(room, 0)), closing) if p)


def assessment_evidence(submission: Submission) -> list[EvidenceInput]:
    """The evidence the credential carries: every item of the submission's demonstrations the
    learner put in the credential (`public`, or `private` — marked so; never `excluded`),
    named after its competency and told with the demonstration's narrative, its setting and
    the supervisor's confirmation. Written in the learner's language.

    A credential carries at most MAX_EVIDENCE pieces: with more items, each demonstration
    becomes one piece (its first item's address, the items listed in its description; private
    when any of them is). With more demonstrations than that, the first MAX_EVIDENCE go."""
    demonstrations = list(
        submission.demonstrations.select_related("competency")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=EvidenceItem.objects.exclude(visibility=EvidenceItem.Visibility.EXCLUDED)
                .select_related("award", "external_badge")
                .order_by("position", "pk"),
            ),
            "attestations",
        )
        .order_by("competency__position", "competency_id")
    )
    language = learner_language(submission.enrolment.learner) or settings.LANGUAGE_CODE
    with translation.override(language):
        shown = [d for d in demonstrations if d.items.all()]
        count = sum(len(d.items.all()) for d in shown)
        evidence: list[EvidenceInput] = []
        if count <= MAX_EVIDENCE:
            for demonstration in shown:
                narrative = _narrative(demonstration)
                for item in demonstration.items.all():
                    evidence.append(
                        EvidenceInput(
                            name=_short(
                                f"{demonstration.competency.statement} — {item.title}",
                                _MAX_EVIDENCE_NAME,
                            ),
                            description=_short(item.description, _MAX_EVIDENCE_TEXT),
                            narrative=narrative,
                            url=_evidence_url(item),
                            genre=item.kind,
                            private=item.visibility == EvidenceItem.Visibility.PRIVATE,
                        )
                    )
            return evidence
        for demonstration in shown[:MAX_EVIDENCE]:
            items = list(demonstration.items.all())
            listed = "\n".join(
                f"- {item.title}" + (f": {item.description.strip()}" if item.description else "")
                for item in items
            )
            evidence.append(
                EvidenceInput(
                    name=_short(demonstration.competency.statement, _MAX_EVIDENCE_NAME),
                    description=_short(listed, _MAX_EVIDENCE_TEXT),
                    narrative=_narrative(demonstration),
                    url=_evidence_url(items[0]),
                    genre=items[0].kind if len({i.kind for i in items}) == 1 else "",
                    private=any(i.visibility == EvidenceItem.Visibility.PRIVATE for i in items),
                )
            )
        return evidence


# --- conflicts of interest ------------------------------------------------------------------


def conflict_declare(*, actor: Any, learner: Any, reason: str = "") -> Conflict:
    """`actor` (an assessor or institution admin somewhere) declares a conflict of interest
    with `learner`. Declaring it again changes nothing and returns the same declaration."""
    if not permissions.assessing_organisations(actor).exists():
        raise PermissionDenied
    if learner is None or learner.pk == actor.pk:
        raise refuse(_("You cannot declare a conflict of interest with yourself."), "self")
    reason = text(reason, what=_("The reason"), limit=MAX_REASON)
    with transaction.atomic():
        existing = Conflict.objects.filter(assessor=actor, learner=learner).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                conflict = Conflict.objects.create(assessor=actor, learner=learner, reason=reason)
        except IntegrityError:
            # Declared at the same moment in another tab: that one stands.
            return Conflict.objects.get(assessor=actor, learner=learner)
        record(actor=actor, action="learning.conflict_declare", target=conflict, learner=learner.pk)
    return conflict


def conflict_withdraw(*, actor: Any, conflict: Conflict) -> None:
    """The assessor who declared `conflict` withdraws it: the learner's submissions are
    offered to them again."""
    with transaction.atomic():
        locked = Conflict.objects.select_for_update().filter(pk=conflict.pk).first()
        if locked is None:
            return  # withdrawn already (another tab)
        if actor is None or locked.assessor_id != getattr(actor, "pk", None):
            raise PermissionDenied
        record(
            actor=actor,
            action="learning.conflict_withdraw",
            target=locked,
            learner=locked.learner_id,
        )
        locked.delete()
