"""Micro-credential designs: the stable micro-credential, its versions, competencies with
rubrics and alignments, reflection prompts, and review comments.

A `MicroCredential` is the thing learners see in the catalogue; its content lives in
`Version`s. A published version is immutable (awards point at it); editing starts a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MicroCredential(models.Model):
    issuer = models.ForeignKey(
        "organisations.Issuer",
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="micro_credentials",
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    # Enrolment (issue 5): these belong to the offering, not to a design version, so they can
    # change after publication without a new version.
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_(
            "How many learners may be enrolled at once. Leave empty for no limit; when it is "
            "full, new learners join a waiting list."
        ),
    )
    enrolment_opens = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrolment_closes = models.DateTimeField(_("enrolment closes"), null=True, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_opens__isnull=True)
                | Q(enrolment_closes__isnull=True)
                | Q(enrolment_closes__gt=models.F("enrolment_opens")),
                name="enrolment_window_in_order",
            )
        ]

    def __str__(self) -> str:
        version = self.versions.order_by("-number").first()
        return version.title if version else self.slug

    @property
    def organisation(self):  # type: ignore[no-untyped-def]
        return self.issuer.organisation


class DeliveryMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    BLENDED = "blended", _("Blended")
    WORK_INTEGRATED = "work_integrated", _("Work-integrated")


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class VersionQuerySet(models.QuerySet["Version"]):
    def published(self) -> VersionQuerySet:
        return self.filter(state=Version.State.PUBLISHED)


class Version(models.Model):
    """One version of a micro-credential's design, and its place in the lifecycle."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for framework review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a newer version")
        RETIRED = "retired", _("Retired")

    EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.APPROVED)

    micro_credential = models.ForeignKey(
        MicroCredential, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown. Scripts and raw HTML are removed.")
    )
    image = models.FileField(_("image"), upload_to="designs/", blank=True)
    image_alt = models.CharField(_("image text alternative"), max_length=300, blank=True)
    estimated_hours = models.PositiveIntegerField(_("estimated hours"), null=True, blank=True)
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=20, choices=DeliveryMode.choices, blank=True
    )
    language = models.CharField(
        _("language of instruction"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    credits_available = models.DecimalField(
        _("credits available"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    field_of_study = models.CharField(_("field of study"), max_length=200, blank=True)
    human_code = models.CharField(_("code"), max_length=40, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    validity_months = models.PositiveIntegerField(
        _("awards valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for awards that do not expire."),
    )
    second_assessor_required = models.BooleanField(
        _("moderation by a second assessor"),
        default=False,
        help_text=_(
            "A second assessor must confirm every decision that a learner meets the criteria "
            "before the micro-credential is awarded."
        ),
    )
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    criteria = models.TextField(
        _("how the micro-credential is earned"),
        blank=True,
        help_text=_("Markdown. Shown as the Achievement's criteria narrative."),
    )
    goals = models.ManyToManyField(
        "organisations.InstitutionalGoal",
        verbose_name=_("institutional goals"),
        blank=True,
        related_name="versions",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="contributed_versions"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["micro_credential", "-number"]
        verbose_name = _("micro-credential version")
        verbose_name_plural = _("micro-credential versions")
        constraints = [
            models.UniqueConstraint(
                fields=["micro_credential", "number"], name="unique_version_number"
            ),
            models.UniqueConstraint(
                fields=["micro_credential"],
                condition=Q(state__in=["draft", "submitted", "changes_requested", "approved"]),
                name="one_open_version",
            ),
            models.UniqueConstraint(
                fields=["micro_credential"],
                condition=Q(state="published"),
                name="one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class Competency(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="competencies")
    position = models.PositiveIntegerField(default=0)
    statement = models.CharField(_("competency statement"), max_length=300)
    demonstration = models.TextField(
        _("what the learner must demonstrate"),
        blank=True,
        help_text=_(
            "The demonstration criterion: theory applied in an industry or community setting."
        ),
    )
    passing_level = models.ForeignKey(
        "RubricLevel",
        verbose_name=_("level that passes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self) -> str:
        return self.statement


class RubricLevel(models.Model):
    """A performance level of a competency's rubric, lowest first (`position`)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("level"), max_length=100)
    description = models.TextField(_("what it looks like"), blank=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)

    class Meta:
        ordering = ["competency", "position", "id"]
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")

    def __str__(self) -> str:
        return self.name


class Framework(models.TextChoices):
    ESCO = "ESCO", "ESCO"
    ONET = "O*NET", "O*NET"
    NOC = "NOC", _("Canadian NOC")
    INSTITUTION = "institution", _("The institution's own framework")
    OTHER = "other", _("Other framework")


class Alignment(models.Model):
    """An alignment of a competency to a skills framework entry (OB 3.0 `Alignment`)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="alignments")
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices)
    framework_name = models.CharField(
        _("framework name"), max_length=200, blank=True, help_text=_("For other frameworks.")
    )
    target_name = models.CharField(_("skill or competency"), max_length=300)
    target_url = models.URLField(_("address"), max_length=500)
    target_code = models.CharField(_("code"), max_length=100, blank=True)
    target_description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["competency", "id"]
        verbose_name = _("alignment")
        verbose_name_plural = _("alignments")

    def __str__(self) -> str:
        return f"{self.get_framework_display()} {self.target_code} {self.target_name}".strip()


class ReflectionPrompt(models.Model):
    version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="reflection_prompts"
    )
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("prompt"))

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("reflection prompt")
        verbose_name_plural = _("reflection prompts")

    def __str__(self) -> str:
        return self.text[:80]


class ReviewComment(models.Model):
    """A comment in the framework review of a version (a change request carries one)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("comment"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.body[:80]
