"""Issuer API tokens: made and revoked by the issuer's institution admins, presented by programs
as `Authorization: Bearer <token>` to `POST /credentials/issue`.

A token is 32 random bytes (base64url) behind the marker ``mos_``; only its SHA-256 is stored,
with its first characters (the prefix) so people can tell their tokens apart. It is shown once.

A token signs either as its issuer profile's did:web (with the profile's active key) or as a
dedicated did:key generated for it and held by the profile — the W3C test suites want a did:key
issuer. That key's seed is encrypted at rest exactly like `issuance.SigningKey` (AES-256-GCM
under the key encryption key, see `mosaics.issuance.keystore`), with associated data that binds
it to this use, its issuer profile and its public key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.issuance import signing
from mosaics.issuance.keystore import decrypt_seed, encrypt_seed
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer
from mosaics.vc.keys import Ed25519Multikey
from mosaics.verification.models import ApiToken

__all__ = [
    "TOKEN_MARKER",
    "Signer",
    "TokenRefused",
    "api_token_create",
    "api_token_revoke",
    "authenticate",
    "did_key_aad",
    "signer_for",
    "token_hash",
]

TOKEN_MARKER = "mos_"  # noqa: S105 - a marker in front of every token, not a secret
_PREFIX_LENGTH = 12
_MAX_TOKEN_LENGTH = 200


class TokenRefused(ValidationError):
    """Bad input for a token workflow, with a message in plain words."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.message = message
        self.code = code


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def did_key_aad(issuer_pk: int, public_key_multibase: str) -> bytes:
    """Associated data binding an encrypted did:key seed to API tokens of one issuer profile
    and to its public key (distinct from `keystore.seed_aad`, so blobs cannot be swapped
    between an issuer's signing keys and its tokens' keys)."""
    return f"mosaics:api-token-did-key:v1:{issuer_pk}:{public_key_multibase}".encode()


@transaction.atomic
def api_token_create(
    *, actor: Any, issuer: Issuer, name: str, did_key: bool = False
) -> tuple[ApiToken, str]:
    """Make a token for `issuer`; returns the row and the token itself (shown once, never
    stored). `actor` None is the system (the `mosaics api_token` command)."""
    if actor is not None and not permissions.can_manage_api_tokens(actor, issuer):
        raise PermissionDenied
    if issuer.kind != issuer.Kind.ISSUER:
        raise TokenRefused(_("Only issuer profiles can have API tokens."), code="not_issuer")
    name = (name or "").strip()
    if not name:
        raise TokenRefused(_("Give the token a name, so you can tell it apart."), code="name")
    if len(name) > 120:
        raise TokenRefused(_("The name is too long (at most 120 characters)."), code="name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        # Also what PostgreSQL cannot store (NUL); forms refuse it, the command might not.
        raise TokenRefused(_("The name cannot contain control characters."), code="name")
    token = TOKEN_MARKER + secrets.token_urlsafe(32)
    row = ApiToken(
        issuer=issuer,
        name=name,
        token_hash=token_hash(token),
        prefix=token[:_PREFIX_LENGTH],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if did_key:
        key = Ed25519Multikey.generate()
        multibase = key.public_key_multibase
        row.did_key_public = multibase
        row.did_key_kek_id, row.did_key_secret = encrypt_seed(
            key.secret_seed_bytes(), aad=did_key_aad(issuer.pk, multibase)
        )
    row.save()
    record(
        actor=actor,
        action="verification.api_token_create",
        target=row,
        organisation=issuer.organisation,
        issuer=issuer.slug,
        name=name,
        signs_as=row.did_key or signing.issuer_did(issuer),
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke `token` (idempotent: revoking a revoked token changes nothing)."""
    token = ApiToken.objects.select_for_update().select_related("issuer").get(pk=token.pk)
    if actor is not None and not permissions.can_manage_api_tokens(actor, token.issuer):
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="verification.api_token_revoke",
        target=token,
        organisation=token.issuer.organisation,
        issuer=token.issuer.slug,
        name=token.name,
    )
    return token


def authenticate(authorization: str | None) -> ApiToken | None:
    """The active token named by an `Authorization: Bearer <token>` header value, or None."""
    if not authorization:
        return None
    scheme, _sep, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > _MAX_TOKEN_LENGTH:
        return None
    if not value.isascii() or not value.startswith(TOKEN_MARKER):
        return None
    digest = token_hash(value)
    found = (
        ApiToken.objects.select_related("issuer__organisation")
        .filter(token_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    return found


@dataclass(frozen=True)
class Signer:
    """Who a token signs as: the issuer id written into credentials, and the key pair (its id
    is the verification method)."""

    issuer_id: str
    key: Ed25519Multikey
    did_key: bool


def signer_for(token: ApiToken) -> Signer:
    """The identity and key pair `token` signs with. Raises `signing.NoActiveKey` (a did:web
    token whose issuer has no active key) or `keystore.KeyUnavailable`."""
    if token.did_key_public:
        seed = decrypt_seed(
            token.did_key_kek_id,
            bytes(token.did_key_secret or b""),
            aad=did_key_aad(token.issuer_id, token.did_key_public),
        )
        did = token.did_key
        key = Ed25519Multikey.from_seed(seed, id=f"{did}#{token.did_key_public}", controller=did)
        if key.public_key_multibase != token.did_key_public:  # pragma: no cover - AAD binds it
            raise signing.KeyMismatch("The stored did:key does not match its public key.")
        return Signer(issuer_id=did, key=key, did_key=True)
    return Signer(
        issuer_id=signing.issuer_did(token.issuer),
        key=signing.active_key(token.issuer),
        did_key=False,
    )
