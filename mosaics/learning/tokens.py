"""The supervisor's attestation link token: derived from the attestation under SECRET_KEY
(so it is never stored or queued); the attestation keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from mosaics.learning.models import Attestation

__all__ = ["attestation_token", "attestation_url", "new_nonce", "token_hash"]


def new_nonce() -> str:
    return secrets.token_hex(16)


def attestation_token(attestation: Attestation) -> str:
    return salted_hmac(
        "mosaics.learning.attestation",
        f"{attestation.uuid}:{attestation.nonce}",
        algorithm="sha256",
    ).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def attestation_url(attestation: Attestation) -> str:
    path = reverse("learning:attest", kwargs={"token": attestation_token(attestation)})
    return f"{settings.SITE_URL}{path}"
