"""Access to the issuer API (VC-API `POST /credentials/issue`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token that lets a program issue credentials as one issuer profile.

    Only the SHA-256 of the token is stored; the token is shown once, when it is created.
    """

    issuer = models.ForeignKey(
        "organisations.Issuer", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: The first characters of the token, so people can tell their tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: When set, the token signs as this dedicated did:key (held by the issuer profile) rather
    #: than as the issuer's did:web: the Ed25519 public key (multibase, `z6Mk…`) ...
    did_key_public = models.CharField(_("did:key public key"), max_length=64, blank=True)
    #: ... and its seed, AES-GCM encrypted like `issuance.SigningKey` (see `tokens.did_key_aad`).
    did_key_secret = models.BinaryField(null=True, blank=True, editable=False)
    did_key_kek_id = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def signs_as_did_key(self) -> bool:
        return bool(self.did_key_public)

    @property
    def did_key(self) -> str:
        """`did:key:z6Mk…` when the token signs as a dedicated did:key, else ""."""
        return f"did:key:{self.did_key_public}" if self.did_key_public else ""
