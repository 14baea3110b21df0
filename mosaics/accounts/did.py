"""Proving control of a did:key, for binding it to an account (`accounts.BoundDid`).

The learner is given a fresh random challenge and signs it with the DID's key. Two signed
forms are accepted, both made by ``mosaics vc sign`` from the JSON object
``{"issuer": "<did>", "challenge": "<challenge>"}``:

- ``--suite jwt``: a compact JWS (alg EdDSA) whose ``kid`` is the did:key verification method
  (``did:key:z6Mk…#z6Mk…``) and whose payload carries the challenge and ``iss`` = the DID (any
  wallet that signs a JWT with its did:key can make the same);
- ``--suite eddsa-jcs-2022``: the same object with a Data Integrity proof by the DID's key.

Only Ed25519 did:key DIDs are accepted: they resolve offline, from the DID itself, so nothing
is fetched. This module checks the proof and returns the DID; it never touches the database.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from mosaics.vc import dataintegrity, jose, keys, limits
from mosaics.vc.errors import VCError

__all__ = ["MAX_RESPONSE", "DidProofRefused", "new_challenge", "verify_did_proof"]

#: A signed challenge is a few hundred characters; anything much larger is not one.
MAX_RESPONSE = 20_000
_DID_KEY = re.compile(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class DidProofRefused(ValidationError):
    """The signed challenge does not prove control of a did:key; the message says why."""


def new_challenge() -> str:
    """A fresh challenge: 32 random bytes, URL-safe (nothing to escape in JSON or a shell)."""
    return secrets.token_urlsafe(32)


def _refuse(message: str, code: str) -> DidProofRefused:
    return DidProofRefused(message, code=code)


def _check_did(did: Any) -> str:
    if not isinstance(did, str) or not _DID_KEY.fullmatch(did):
        raise _refuse(
            _(
                "Only Ed25519 did:key identifiers (starting did:key:z6Mk) can be bound: they "
                "are checked without fetching anything."
            ),
            "not_did_key",
        )
    return did


def _resolve(verification_method: Any) -> keys.ResolvedKey:
    """The key of a did:key verification method (computed from the DID itself)."""
    if not isinstance(verification_method, str) or "#" not in verification_method:
        raise _refuse(
            _("The signature does not name the did:key verification method (did:key:z6Mk…#z6Mk…)."),
            "no_kid",
        )
    _check_did(verification_method.split("#", 1)[0])
    try:
        return keys.resolve_verification_method(verification_method, purpose=None)
    except VCError:
        raise _refuse(
            _("The signature's key is not a usable did:key verification method."), "bad_key"
        ) from None


def _check_challenge(value: Any, expected: str) -> None:
    if not isinstance(value, str) or not constant_time_compare(value, expected):
        raise _refuse(
            _(
                "The signed text does not contain the challenge shown on this page (it may be "
                "an old one): sign the current challenge."
            ),
            "wrong_challenge",
        )


def _verify_jwt(token: str, expected: str, now: datetime) -> str:
    try:
        header, payload = jose.decode_unverified(token)
    except VCError:
        raise _refuse(
            _("This is not a signed JWT or JSON document: paste the whole output of the command."),
            "malformed",
        ) from None
    alg = header.get("alg")
    if alg not in jose.ACCEPTED_ALGORITHMS:
        raise _refuse(
            _("The JWT must be signed with EdDSA (Ed25519); it says “%(alg)s”.")
            % {"alg": str(alg)[:40]},
            "alg",
        )
    if "crit" in header or header.get("b64") is False:
        raise _refuse(_("The JWT uses header options we do not accept."), "malformed")
    resolved = _resolve(header.get("kid"))
    did = resolved.controller
    # RFC 7515 §5.2: the signature is over ASCII(BASE64URL(header) '.' BASE64URL(payload)).
    head, body, signature_text = token.split(".")
    if not _B64URL.fullmatch(signature_text):
        raise _refuse(_("The JWT's signature is not base64url."), "malformed")
    signature = base64.urlsafe_b64decode(signature_text + "=" * (-len(signature_text) % 4))
    try:
        if len(signature) != 64:
            raise _refuse(_("The JWT's signature is not an Ed25519 signature."), "malformed")
        resolved.key.verify(signature, f"{head}.{body}".encode("ascii"))
    except VCError:
        raise _refuse(
            _("The signature does not verify: it was not made with the key of %(did)s.")
            % {"did": did},
            "signature",
        ) from None
    if payload.get("iss") != did or payload.get("issuer", did) != did:
        raise _refuse(
            _("The signed text must name the DID whose key signed it (%(did)s) as its issuer.")
            % {"did": did},
            "issuer",
        )
    _check_challenge(payload.get("challenge", payload.get("nonce")), expected)
    exp = payload.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp <= now.timestamp()):
        raise _refuse(_("The signed challenge has expired."), "expired")
    return did


def _verify_data_integrity(document: Mapping[str, Any], expected: str, now: datetime) -> str:
    def resolver(verification_method: str, purpose: str) -> keys.ResolvedKey:
        return _resolve(verification_method)

    try:
        proofs = dataintegrity.verify(document, resolver=resolver, expected_purpose=None, now=now)
    except DidProofRefused:
        raise
    except (VCError, ValueError, TypeError, UnicodeError):
        raise _refuse(
            _(
                "The signature does not verify: the text was changed after signing, or it was "
                "signed with another key."
            ),
            "signature",
        ) from None
    controllers = {proof.controller for proof in proofs}
    if len(controllers) != 1:
        raise _refuse(_("Sign the challenge with one DID's key only."), "several_keys")
    did = controllers.pop()
    if document.get("issuer", did) != did:
        raise _refuse(
            _("The signed text must name the DID whose key signed it (%(did)s) as its issuer.")
            % {"did": did},
            "issuer",
        )
    _check_challenge(document.get("challenge"), expected)
    return did


def verify_did_proof(response: Any, *, challenge: str, now: datetime | None = None) -> str:
    """The did:key that signed `challenge` in `response` (a JWT or a signed JSON document).

    Raises `DidProofRefused` (a `ValidationError` with a message in plain words) for anything
    else: garbage, another key, another challenge, another DID named in the text, an expired
    JWT, a DID that is not an Ed25519 did:key."""
    text = str(response or "").strip()
    now = now or datetime.now(UTC)
    if not text:
        raise _refuse(_("Paste the signed challenge."), "empty")
    if len(text) > MAX_RESPONSE:
        raise _refuse(_("That is far longer than a signed challenge."), "too_large")
    if text.startswith("{"):
        try:
            document = limits.load_json(text, what="signed challenge")
        except VCError:
            raise _refuse(_("The signed JSON document is not valid JSON."), "malformed") from None
        if not isinstance(document, dict):
            raise _refuse(_("The signed JSON document is not valid JSON."), "malformed")
        return _verify_data_integrity(document, challenge, now)
    if text.count(".") != 2:
        raise _refuse(
            _("This is not a signed JWT or JSON document: paste the whole output of the command."),
            "malformed",
        )
    return _verify_jwt(text, challenge, now)
