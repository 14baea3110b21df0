"""The learner's journey: enrolment, demonstrations of each competency with evidence,
supervisor attestation, the reflection, submissions for assessment, and assessments.

The shape of it (PRODUCT.md, the framework's three parts):

- An `Enrolment` ties a learner to a micro-credential and the published `Version` they work
  to. It is one row per learner and micro-credential: withdrawing and enrolling again reuses
  it, so nothing the learner made is lost.
- For each competency the learner writes a `Demonstration` (narrative, the setting it was
  produced in, `EvidenceItem`s). A draft can change; a submitted one is frozen. Revising makes
  a new numbered version from the last one and keeps the old.
- A supervisor can confirm a submitted demonstration through an `Attestation` link.
- The `Reflection` answers the design's prompts; it too is drafted, then frozen.
- A `Submission` bundles the frozen demonstrations (one per competency) and the frozen
  reflection for assessment. Assessors record an `Assessment` with a `CompetencyScore` per
  competency; the decision closes the submission (met, returned for revision, not met).

State changes happen only in `mosaics.learning.actions`, which lock, check and audit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    class State(models.TextChoices):
        WAITLISTED = "waitlisted", _("On the waiting list")
        ACTIVE = "active", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        AWARDED = "awarded", _("Awarded")
        NOT_MET = "not_met", _("Did not meet the criteria")

    class Route(models.TextChoices):
        STANDARD = "standard", _("Learn and demonstrate")
        PRIOR_LEARNING = "prior_learning", _("Recognition of prior learning")

    #: States in which the learner is working towards the micro-credential.
    WORKING_STATES = (State.ACTIVE,)
    #: States from which the learner may enrol again (keeping their work).
    REOPENABLE_STATES = (State.WITHDRAWN, State.NOT_MET)

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    micro_credential = models.ForeignKey(
        "catalogue.MicroCredential", on_delete=models.PROTECT, related_name="enrolments"
    )
    #: The published version the learner works to (set when they enrol; enrolling again
    #: moves to the version published then, if no submission is under way).
    version = models.ForeignKey(
        "catalogue.Version", on_delete=models.PROTECT, related_name="enrolments"
    )
    route = models.CharField(
        _("route"), max_length=20, choices=Route.choices, default=Route.STANDARD
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    created = models.DateTimeField(auto_now_add=True)
    #: When the learner last asked to enrol: the waiting list is served oldest first.
    requested_at = models.DateTimeField(default=timezone.now)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    award = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "micro_credential"], name="one_enrolment_per_learner"
            )
        ]
        indexes = [models.Index(fields=["micro_credential", "state", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.learner} — {self.version}"

    @property
    def is_working(self) -> bool:
        return self.state in self.WORKING_STATES


class SettingKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    COMMUNITY = "community", _("Community")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    OTHER = "other", _("Other")


class Demonstration(models.Model):
    """One version of the learner's demonstration of one competency."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="demonstrations"
    )
    competency = models.ForeignKey(
        "catalogue.Competency", on_delete=models.PROTECT, related_name="demonstrations"
    )
    number = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    narrative = models.TextField(
        _("narrative"),
        blank=True,
        help_text=_("How you applied the theory, what you did, and what it shows. Markdown."),
    )
    setting_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    setting_role = models.CharField(_("your role"), max_length=200, blank=True)
    setting_kind = models.CharField(
        _("kind of setting"), max_length=20, choices=SettingKind.choices, blank=True
    )
    setting_start = models.DateField(_("from"), null=True, blank=True)
    setting_end = models.DateField(_("until"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "competency__position", "competency_id", "-number"]
        verbose_name = _("demonstration")
        verbose_name_plural = _("demonstrations")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "competency", "number"], name="unique_demonstration_number"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "competency"],
                condition=Q(state="draft"),
                name="one_draft_demonstration",
            ),
            models.CheckConstraint(
                condition=Q(setting_start__isnull=True)
                | Q(setting_end__isnull=True)
                | Q(setting_end__gte=F("setting_start")),
                name="demonstration_setting_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} (v{self.number})"

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.SUBMITTED


class EvidenceItem(models.Model):
    """A file, a link, or a badge the learner holds, offered as evidence in a demonstration.

    `visibility` is the learner's privacy choice for the credential: `public` evidence goes
    into the credential and the public badge page; `private` goes into the credential (which
    the learner hands out themselves) but no public page shows it; `excluded` stays with the
    assessment and never leaves the platform."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        BADGE = "badge", _("Badge")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("In the credential, and on my public badge page")
        PRIVATE = "private", _("In the credential only")
        EXCLUDED = "excluded", _("Only for the assessors")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demonstration = models.ForeignKey(Demonstration, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: Stored through Django's storage API under a random name; `file_name` is the learner's
    #: own (cleaned) name, shown and used for downloads only.
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    #: For a badge: one of ours the learner holds, or one they imported and we verified.
    award = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_badge = models.ForeignKey(
        "portfolio.ExternalBadge",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visibility = models.CharField(
        _("who may see it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PRIVATE,
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["demonstration", "position", "id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="file", url="") | Q(kind="link", file="") | Q(kind="badge", file="")
                ),
                name="evidence_item_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attestation(models.Model):
    """A workplace or community supervisor's confirmation (or dispute) of one submitted
    demonstration, given through a signed, single-use, expiring link. The token is derived
    from `nonce` under SECRET_KEY (`mosaics.learning.attestation_token`); only its SHA-256
    is stored. Sending the request again draws a new nonce, so the old link stops working."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the supervisor")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demonstration = models.ForeignKey(
        Demonstration, on_delete=models.CASCADE, related_name="attestations"
    )
    supervisor_name = models.CharField(_("supervisor's name"), max_length=200)
    supervisor_email = models.EmailField(_("supervisor's e-mail"))
    supervisor_role = models.CharField(
        _("supervisor's role"), max_length=200, blank=True, help_text=_("For example: Manager")
    )
    message = models.TextField(_("message to the supervisor"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    comment = models.TextField(_("supervisor's comment"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("link expires"))
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        constraints = [
            models.UniqueConstraint(
                fields=["demonstration"],
                condition=Q(state="requested"),
                name="one_open_attestation_per_demonstration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor_name} — {self.demonstration}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.REQUESTED and self.expires_at > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.state == self.State.REQUESTED and self.expires_at <= timezone.now()


class Reflection(models.Model):
    """The learner's reflection on the whole learning process, one numbered version per
    submission; a draft can change, a submitted one is frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reflections")
    number = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    #: What the learner agrees to put in the credential (the award's narrative), if anything.
    summary = models.TextField(
        _("summary to share"),
        blank=True,
        help_text=_(
            "A few sentences about what you learned. If you choose to share it, it is written "
            "into your credential for anyone you show it to."
        ),
    )
    share_summary = models.BooleanField(_("put this summary in my credential"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "-number"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "number"], name="unique_reflection_number"
            ),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(state="draft"), name="one_draft_reflection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — reflection v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.SUBMITTED


class ReflectionAnswer(models.Model):
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="answers")
    prompt = models.ForeignKey(
        "catalogue.ReflectionPrompt", on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["reflection", "prompt__position", "prompt_id"]
        verbose_name = _("reflection answer")
        verbose_name_plural = _("reflection answers")
        constraints = [
            models.UniqueConstraint(fields=["reflection", "prompt"], name="one_answer_per_prompt")
        ]

    def __str__(self) -> str:
        return self.answer[:80]


class Submission(models.Model):
    """What the learner puts forward for assessment: one frozen demonstration per competency
    and the frozen reflection."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for assessment")
        IN_MODERATION = "in_moderation", _("Waiting for a second assessor")
        RETURNED = "returned", _("Returned for revision")
        MET = "met", _("Meets the criteria")
        NOT_MET = "not_met", _("Does not meet the criteria")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = (State.SUBMITTED, State.IN_MODERATION)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField(_("attempt"), default=1)
    route = models.CharField(
        _("route"), max_length=20, choices=Enrolment.Route.choices, default=Enrolment.Route.STANDARD
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    demonstrations = models.ManyToManyField(Demonstration, related_name="submissions")
    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    award = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "number"], name="unique_submission_number"
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(state__in=["submitted", "in_moderation"]),
                name="one_open_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — attempt {self.number}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Assessment(models.Model):
    """One assessor's judgement of a submission: a rubric level and feedback per competency,
    and a decision. With moderation, a second assessor's `moderation` assessment confirms
    (or overturns) a first assessor's decision that the submission meets the criteria."""

    class Stage(models.TextChoices):
        FIRST = "first", _("Assessment")
        MODERATION = "moderation", _("Moderation")

    class Decision(models.TextChoices):
        MEETS = "meets", _("Meets the criteria")
        REVISE = "revise", _("Return for revision")
        NOT_MET = "not_met", _("Does not meet the criteria")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assessments")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.FIRST)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    feedback = models.TextField(
        _("feedback to the learner"),
        blank=True,
        help_text=_("Required when returning for revision: say what to improve."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "created", "id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "stage"], name="one_assessment_per_stage"
            ),
            models.UniqueConstraint(
                fields=["submission", "assessor"], name="one_assessment_per_assessor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} — {self.get_decision_display()}"


class CompetencyScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    competency = models.ForeignKey(
        "catalogue.Competency", on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey("catalogue.RubricLevel", on_delete=models.PROTECT, related_name="+")
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        ordering = ["assessment", "competency__position", "competency_id"]
        verbose_name = _("competency score")
        verbose_name_plural = _("competency scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"], name="one_score_per_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.level}"


class Conflict(models.Model):
    """A conflict of interest an assessor has declared with a learner (family, a direct
    report, a business relationship): they are never offered, and cannot assess, that
    learner's submissions."""

    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["assessor", "learner"], name="one_conflict_per_pair"),
            models.CheckConstraint(
                condition=~Q(assessor=F("learner")), name="conflict_with_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} ≠ {self.learner}"
