"""Industry endorsement: the institution invites a partner to endorse a design version; the
partner discusses it, then endorses (a signed OB 3.0 EndorsementCredential) or declines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EndorsementRequest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Awaiting the partner's review")
        ENDORSED = "endorsed", _("Endorsed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    version = models.ForeignKey(
        "catalogue.Version", on_delete=models.PROTECT, related_name="endorsement_requests"
    )
    partner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="endorsement_requests",
        limit_choices_to={"kind": "partner"},
    )
    message = models.TextField(_("message to the partner"), blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("endorsement request")
        verbose_name_plural = _("endorsement requests")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "partner"],
                condition=Q(state="open"),
                name="one_open_request_per_partner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.version}"


class EndorsementComment(models.Model):
    """A comment or question in the endorsement conversation (either side)."""

    request = models.ForeignKey(
        EndorsementRequest, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("endorsement comment")
        verbose_name_plural = _("endorsement comments")

    def __str__(self) -> str:
        return self.body[:80]


class EndorsementQuerySet(models.QuerySet["Endorsement"]):
    def current(self, now=None) -> EndorsementQuerySet:  # type: ignore[no-untyped-def]
        """Endorsements in force: not withdrawn, not replaced by a renewal, not expired."""
        now = now or timezone.now()
        return self.filter(
            withdrawn_at__isnull=True, renewed_by__isnull=True, valid_from__lte=now
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))

    def for_content(self, version: Any, *, digest: str | None = None) -> EndorsementQuerySet:
        """Endorsements of `version` signed over its current content (`digest`, computed when
        not given): an endorsement of an earlier state of the design, or one stored before
        digests were kept (empty), does not count. Combine with `current()`."""
        if version.state not in version.OPEN_STATES:
            # Published, superseded and retired versions cannot change: what was signed over
            # them stays in force even if a later release builds the Achievement differently
            # (which would change every digest).
            return self.filter(version=version)
        if digest is None:
            from mosaics.catalogue.documents import content_digest

            digest = content_digest(version)
        return self.filter(version=version, content_digest=digest).exclude(content_digest="")


class Endorsement(models.Model):
    """A signed OB 3.0 EndorsementCredential: the partner's endorser profile is the issuer,
    the version's Achievement the subject. Renewal issues a new one (`renewed_by`); withdrawal
    sets its revocation bit in the endorser's status list."""

    request = models.ForeignKey(
        EndorsementRequest, on_delete=models.PROTECT, related_name="endorsements"
    )
    version = models.ForeignKey(
        "catalogue.Version", on_delete=models.PROTECT, related_name="endorsements"
    )
    endorser = models.ForeignKey(
        "organisations.Issuer", on_delete=models.PROTECT, related_name="endorsements_given"
    )
    statement = models.TextField(_("endorsement statement"))
    credential_id = models.CharField(max_length=100, unique=True)
    credential = models.JSONField(editable=False)
    # SHA-256 of the design as the partner read it when signing (catalogue.documents.
    # content_digest): the endorsement counts for the version only while they match.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)
    status_entry = models.OneToOneField(
        "issuance.StatusEntry", null=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    renewed_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renews"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("reason"), blank=True)

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")

    def __str__(self) -> str:
        return f"{self.endorser} endorses {self.version}"

    def is_current(self, now=None) -> bool:  # type: ignore[no-untyped-def]
        now = now or timezone.now()
        return (
            self.withdrawn_at is None
            and self.renewed_by_id is None
            and self.valid_from <= now
            and (self.valid_until is None or self.valid_until > now)
        )
