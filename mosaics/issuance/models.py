"""Signing keys (encrypted at rest) and Bitstring status lists, per issuer profile."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An Ed25519 key of an issuer profile. The secret is AES-GCM encrypted with the key
    encryption key from the environment (see `mosaics.issuance.keystore`).

    Exactly one key per issuer is active (signs new credentials). A rotated key is retired:
    it stays in the issuer's DID document so that what it signed keeps verifying, and it never
    signs again.
    """

    issuer = models.ForeignKey(
        "organisations.Issuer", on_delete=models.PROTECT, related_name="signing_keys"
    )
    public_key_multibase = models.CharField(_("public key"), max_length=64, unique=True)
    encrypted_secret = models.BinaryField(editable=False)
    kek_id = models.CharField(max_length=32, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer"],
                condition=Q(retired_at__isnull=True),
                name="one_active_key_per_issuer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.public_key_multibase[:12]}…"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class StatusList(models.Model):
    """One Bitstring Status List of an issuer for one purpose, published at its URL as a
    signed BitstringStatusListCredential (re-signed on every change)."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    issuer = models.ForeignKey(
        "organisations.Issuer", on_delete=models.PROTECT, related_name="status_lists"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    length = models.PositiveIntegerField(default=131072)
    bits = models.BinaryField(editable=False)
    allocated = models.PositiveIntegerField(default=0)
    credential = models.JSONField(null=True, blank=True, editable=False)
    updated = models.DateTimeField(auto_now=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issuer", "purpose", "id"]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"{self.issuer} {self.purpose} #{self.pk}"


class StatusEntry(models.Model):
    """An index handed out in a status list. Unique per list, chosen at random (BSL §6.3)."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    credential_id = models.CharField(max_length=200, db_index=True)
    set_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status entry")
        verbose_name_plural = _("status entries")
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="unique_status_index")
        ]

    def __str__(self) -> str:
        return f"{self.status_list} [{self.index}]"
