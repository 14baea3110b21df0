"""The learner's mosaic: collections they share, and badges earned elsewhere that they import.

The badges a learner holds from us are `awards.Award` rows (accepted claims); this app adds
what the learner arranges and brings in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalBadge(models.Model):
    """A badge the learner earned elsewhere and uploaded: verified offline when uploaded and
    shown in the mosaic marked as external. A rejected upload is kept only as its report (the
    learner sees why); it never appears as a badge."""

    class Format(models.TextChoices):
        OB3_JSON = "ob3-json", _("Open Badges 3.0 (JSON)")
        OB3_JWT = "ob3-jwt", _("Open Badges 3.0 (JWT)")
        OB2_JSON = "ob2-json", _("Open Badges 2.0 (JSON)")
        CLR = "clr", _("Comprehensive Learner Record 2.0")
        PNG = "png", _("Baked PNG image")
        SVG = "svg", _("Baked SVG image")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_badges"
    )
    format = models.CharField(max_length=20, choices=Format.choices)
    #: The uploaded bytes as text (JSON, JWT, or the SVG), or base64 for a PNG.
    payload = models.TextField(editable=False)
    #: The credential as extracted and parsed (None for a JWT we could not decode).
    credential = models.JSONField(null=True, blank=True, editable=False)
    verified = models.BooleanField(default=False)
    #: The verifier's status word (valid, expired, revoked, ...), and its report as JSON.
    status = models.CharField(max_length=20)
    report = models.JSONField(default=dict, editable=False)
    title = models.CharField(_("title"), max_length=300, blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=300, blank=True)
    issued_on = models.DateTimeField(null=True, blank=True)
    shared = models.BooleanField(_("shared publicly"), default=False)
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded", "-id"]
        verbose_name = _("imported badge")
        verbose_name_plural = _("imported badges")

    def __str__(self) -> str:
        return self.title or str(self.uuid)


class Collection(models.Model):
    """A set of the learner's badges they can share at one address, or export as a CLR."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    awards = models.ManyToManyField("awards.Award", blank=True, related_name="collections")
    external_badges = models.ManyToManyField(ExternalBadge, blank=True, related_name="collections")
    shared = models.BooleanField(_("shared publicly"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.name
