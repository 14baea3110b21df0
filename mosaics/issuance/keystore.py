"""Issuer signing keys encrypted at rest: AES-256-GCM under a key encryption key (KEK).

`settings.KEY_ENCRYPTION_KEYS` (env MOSAICS_KEY_ENCRYPTION_KEYS, comma-separated) holds
base64url-encoded 32-byte KEKs. The first one encrypts; every one of them decrypts, so a KEK is
rotated by putting the new one first and keeping the old one until every key has been
re-encrypted. Each encrypted seed records which KEK sealed it (`kek_id`: the first 16 hex
characters of the KEK's SHA-256, which identifies it without revealing it).

Without KEKs in the environment a laptop install generates one, once, into
`VAR_DIR/key_encryption_key` (mode 0600), like the SECRET_KEY. Where
MOSAICS_REQUIRE_SECRET_KEY is true (production), that fallback is refused.

The associated data (AAD) binds a blob to its issuer and public key: a blob copied onto another
issuer's or another key's row does not decrypt. No message here ever contains a key, a seed or
any part of them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "KeyUnavailable",
    "current_kek_id",
    "decrypt_seed",
    "encrypt_seed",
    "kek_id_of",
    "seed_aad",
]

_KEK_BYTES = 32
_NONCE_BYTES = 12
_KEK_FILE = "key_encryption_key"
_ENV = "MOSAICS_KEY_ENCRYPTION_KEYS"
# 32 bytes in base64url: 43 characters (the last one carries 4 bits), optionally padded.
_KEK_TEXT = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=?")


class KeyUnavailable(Exception):
    """A signing key cannot be decrypted: its KEK is not configured, or the stored blob was
    altered. The message never contains secret material."""


def seed_aad(issuer_pk: int, public_key_multibase: str) -> bytes:
    """The associated data that binds an encrypted seed to its issuer and public key."""
    return f"mosaics:signing-key:v1:{issuer_pk}:{public_key_multibase}".encode()


def kek_id_of(kek: bytes) -> str:
    """The public identifier of a KEK: the first 16 hex characters of its SHA-256."""
    return hashlib.sha256(kek).hexdigest()[:16]


def _decode_kek(text: str, position: int, source: str) -> bytes:
    # Never put `text` (or anything decoded from it) into a message: it is the secret.
    cleaned = text.strip()
    if not _KEK_TEXT.fullmatch(cleaned):
        raise ImproperlyConfigured(
            f"Key encryption key {position} in {source} is not a base64url-encoded 32-byte "
            "key (43 characters of A-Z, a-z, 0-9, '-' and '_'). Generate one with: "
            'python -c "import base64, secrets; '
            'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
        )
    return base64.urlsafe_b64decode(cleaned.rstrip("=") + "=")


def _generated_kek(var_dir: Path) -> bytes:
    """The laptop fallback: one KEK generated once into var/ (mode 0600, never overwritten)."""
    path = var_dir / _KEK_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.urlsafe_b64encode(secrets.token_bytes(_KEK_BYTES)).decode())
    return _decode_kek(path.read_text(), 1, str(path))


def _require_env_keys() -> bool:
    value = os.environ.get("MOSAICS_REQUIRE_SECRET_KEY", "").strip().lower()
    return value in {"1", "true", "yes", "on"}


def _keks() -> list[bytes]:
    """The configured KEKs, the encrypting one first."""
    configured = list(getattr(settings, "KEY_ENCRYPTION_KEYS", None) or [])
    if configured:
        return [_decode_kek(text, i, _ENV) for i, text in enumerate(configured, 1)]
    if _require_env_keys():
        raise ImproperlyConfigured(
            f"{_ENV} must be set in the environment (MOSAICS_REQUIRE_SECRET_KEY is true)."
        )
    return [_generated_kek(Path(settings.VAR_DIR))]


def current_kek_id() -> str:
    """The id of the KEK that encrypts new keys (the first configured one)."""
    return kek_id_of(_keks()[0])


def encrypt_seed(seed: bytes, *, aad: bytes) -> tuple[str, bytes]:
    """Encrypt a 32-byte Ed25519 seed under the current KEK.

    Returns ``(kek_id, blob)`` where ``blob`` is the 12-byte random nonce followed by the
    AES-256-GCM ciphertext and tag.
    """
    if len(seed) != _KEK_BYTES:
        raise ValueError("An Ed25519 seed is 32 bytes.")
    kek = _keks()[0]
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return kek_id_of(kek), nonce + AESGCM(kek).encrypt(nonce, seed, aad)


def decrypt_seed(kek_id: str, blob: bytes, *, aad: bytes) -> bytes:
    """Decrypt a seed sealed by :func:`encrypt_seed`.

    Raises :class:`KeyUnavailable` when the KEK named by ``kek_id`` is not configured, or when
    the blob or its associated data do not authenticate (tampered, or moved to another row).
    """
    kek = next((k for k in _keks() if kek_id_of(k) == kek_id), None)
    if kek is None:
        raise KeyUnavailable(
            f"The signing key was encrypted with key encryption key {kek_id}, which is not "
            f"configured. Add it to {_ENV} (the first key encrypts, all of them decrypt)."
        )
    data = bytes(blob)
    if len(data) <= _NONCE_BYTES:
        raise KeyUnavailable("The stored signing key is damaged (too short to decrypt).")
    try:
        return AESGCM(kek).decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], aad)
    except InvalidTag:
        raise KeyUnavailable(
            "The stored signing key does not authenticate: it was altered, or it belongs to "
            "another issuer or key."
        ) from None
