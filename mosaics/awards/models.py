"""Awards: a micro-credential (or pathway) given to a learner, and everything it is made of.

One `Award` row is the record; the signed OB 3.0 credential, the OB 2.0 hosted assertion and
the baked images are all produced from it (`mosaics.awards.documents`). The credential is
signed once, when the award is made, and kept: what the learner downloads is always the same
bytes. Its status (revoked, suspended) lives in the issuer's Bitstring status lists, whose
entries the award points at; `status` here mirrors them for pages and queries.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Award(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", _("Awarded by staff")
        ASSESSMENT = "assessment", _("Assessed")
        PATHWAY = "pathway", _("Pathway completed")
        API = "api", _("Issuer API")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    class Claim(models.TextChoices):
        PENDING = "pending", _("Waiting for the learner")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The learner, once known: found by a verified e-mail address at award time, or set when
    #: they claim it. An award stays theirs whatever they later do with their addresses.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    #: The address the award was made to (lower-cased); the credential carries its salted hash.
    recipient_email = models.EmailField(_("learner's e-mail"))
    #: The DID the credential names as its subject, when the learner had bound one.
    recipient_did = models.CharField(max_length=500, blank=True)
    identity_salt = models.CharField(max_length=64, editable=False)
    recipient_name = models.CharField(_("learner's name"), max_length=200, blank=True)

    version = models.ForeignKey(
        "catalogue.Version", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    pathway = models.ForeignKey(
        "pathways.Pathway", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    issuer = models.ForeignKey(
        "organisations.Issuer", on_delete=models.PROTECT, related_name="awards"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    narrative = models.TextField(_("narrative"), blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    awarded_at = models.DateTimeField(_("awarded"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    #: The OB 3.0 OpenBadgeCredential signed with eddsa-rdfc-2022 (the award's canonical form).
    credential = models.JSONField(editable=False)
    #: Other signed forms, made on request from the same unsigned document and kept.
    credential_jcs = models.JSONField(null=True, blank=True, editable=False)
    credential_jwt = models.TextField(blank=True, editable=False)

    revocation_entry = models.OneToOneField(
        "issuance.StatusEntry", on_delete=models.PROTECT, related_name="+"
    )
    suspension_entry = models.OneToOneField(
        "issuance.StatusEntry", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    #: Shown to verifiers (on the verification page and in the OB 2.0 assertion).
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    claim = models.CharField(max_length=20, choices=Claim.choices, default=Claim.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: SHA-256 of the claim token (the token itself is derived, never stored; see actions).
    claim_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    #: The learner has made the public badge page visible.
    shared = models.BooleanField(_("shared publicly"), default=False)

    #: Not stored: set by `award_issue` on what it returns (True when it made the award now).
    created: bool = False

    class Meta:
        ordering = ["-awarded_at", "-id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=Q(version__isnull=False, pathway__isnull=True)
                | Q(version__isnull=True, pathway__isnull=False),
                name="award_of_version_or_pathway",
            ),
            models.UniqueConstraint(
                fields=["recipient_email", "version"],
                condition=Q(version__isnull=False),
                name="one_award_per_email_and_version",
            ),
            models.UniqueConstraint(
                fields=["learner", "version"],
                condition=Q(version__isnull=False, learner__isnull=False),
                name="one_award_per_learner_and_version",
            ),
            models.UniqueConstraint(
                fields=["recipient_email", "pathway"],
                condition=Q(pathway__isnull=False),
                name="one_award_per_email_and_pathway",
            ),
            models.UniqueConstraint(
                fields=["learner", "pathway"],
                condition=Q(pathway__isnull=False, learner__isnull=False),
                name="one_award_per_learner_and_pathway",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_email}"

    @property
    def credential_id(self) -> str:
        return f"urn:uuid:{self.uuid}"

    @property
    def title(self) -> str:
        if self.version_id is not None:
            return self.version.title  # type: ignore[union-attr]
        return self.pathway.title  # type: ignore[union-attr]

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= timezone.now()

    @property
    def effective_status(self) -> str:
        """What a verifier would say: revoked, suspended, expired or valid."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.status == self.Status.SUSPENDED:
            return "suspended"
        if self.is_expired:
            return "expired"
        return "valid"

    @property
    def in_mosaic(self) -> bool:
        return self.learner_id is not None and self.claim == self.Claim.ACCEPTED


class AwardEvidence(models.Model):
    """Evidence of the learning an award recognises (OB §B.1.10). The learner may mark an item
    private: it stays in their signed credential (which they hand out themselves) but no
    public page ever shows it."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    genre = models.CharField(_("kind of evidence"), max_length=100, blank=True)
    private = models.BooleanField(_("private"), default=False)

    class Meta:
        ordering = ["award", "position", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class AwardResult(models.Model):
    """The learner's result for one competency of the design, against its rubric."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="results")
    competency = models.ForeignKey(
        "catalogue.Competency", on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(
        "catalogue.RubricLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["award", "competency__position", "competency_id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "competency"], name="one_result_per_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competency} — {self.level}"
