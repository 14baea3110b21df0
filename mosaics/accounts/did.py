"""Proving control of a did:key, for binding it to an account (`accounts.BoundDid`).

The learner is given a fresh random challenge and signs it with the DID's key. What they sign
says which site it is for and why, so that a signature made for us cannot be made for anyone
else and one made for anything else is no use to us (another site relaying our challenge gets
a text naming our site, which it cannot use; a credential or login proof signed elsewhere
does not say ``"purpose": "mosaics-did-binding"``). Two signed forms are accepted, both made by
``mosaics vc sign`` from the JSON object given by :func:`signing_request`::

    {"issuer": "<did>", "purpose": "mosaics-did-binding", "domain": "<our origin>",
     "challenge": "<challenge>"}

- ``--suite jwt``: a compact JWS (alg EdDSA) whose ``kid`` is the did:key verification method
  (``did:key:z6Mk…#z6Mk…``) and whose payload carries the challenge (or ``nonce``), ``iss`` =
  the DID, the purpose, and our origin as ``domain`` or as the JWT audience ``aud`` (any
  wallet that signs a JWT with its did:key can make the same);
- ``--suite eddsa-jcs-2022``: the same object with a Data Integrity proof by the DID's key.
  The command puts no ``domain``/``challenge`` proof options in the proof, so they are fields of
  the signed document; a proof that does carry them (made by a wallet) must carry ours.

"Our origin" is the scheme, host and port of ``settings.SITE_URL`` (:func:`site_origin`).

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
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from mosaics.vc import dataintegrity, jose, keys, limits
from mosaics.vc.errors import VCError

__all__ = [
    "MAX_RESPONSE",
    "PURPOSE",
    "DidProofRefused",
    "new_challenge",
    "signing_request",
    "site_origin",
    "verify_did_proof",
]

#: A signed challenge is a few hundred characters; anything much larger is not one.
MAX_RESPONSE = 20_000
_DID_KEY = re.compile(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
#: What the signed text must say it is for.
PURPOSE = "mosaics-did-binding"


class DidProofRefused(ValidationError):
    """The signed challenge does not prove control of a did:key; the message says why."""


def new_challenge() -> str:
    """A fresh challenge: 32 random bytes, URL-safe (nothing to escape in JSON or a shell)."""
    return secrets.token_urlsafe(32)


def _origin_of(value: Any) -> str | None:
    """``scheme://host[:port]`` (lower-case) of an http(s) origin, with or without a final
    slash; None for anything else (a path, a query, user info, another scheme)."""
    if not isinstance(value, str) or len(value) > 500:
        return None
    try:
        parts = urlsplit(value.strip())
        _port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return None
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if scheme not in ("http", "https") or not netloc or "@" in netloc:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return f"{scheme}://{netloc}"


def site_origin() -> str:
    """This site's origin (from ``settings.SITE_URL``): what the signed text names as its
    ``domain`` (or JWT ``aud``)."""
    url = str(settings.SITE_URL)
    parts = urlsplit(url)
    return _origin_of(f"{parts.scheme}://{parts.netloc}") or url.rstrip("/")


def signing_request(challenge: str, *, did: str, domain: str | None = None) -> dict[str, str]:
    """The JSON object the learner signs (``challenge.json`` on the page)."""
    return {
        "issuer": did,
        "purpose": PURPOSE,
        "domain": domain or site_origin(),
        "challenge": challenge,
    }


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


def _check_purpose(value: Any) -> None:
    if value != PURPOSE:
        raise _refuse(
            _(
                "The signed text must say what it is for: “purpose”: “%(purpose)s”. Sign the "
                "text shown on this page."
            )
            % {"purpose": PURPOSE},
            "wrong_purpose",
        )


def _check_domain(values: list[Any], domain: str) -> None:
    """Every value (``domain``, JWT ``aud``; one, or a list of one) must be our origin."""
    if not values:
        raise _refuse(
            _(
                "The signed text must name this site (%(domain)s) as its “domain”. Sign the "
                "text shown on this page."
            )
            % {"domain": domain},
            "no_domain",
        )
    for value in values:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if _origin_of(value) != domain:
            raise _refuse(
                _(
                    "The signed text is meant for another site, not for this one "
                    "(%(domain)s): sign the text shown on this page, and only on this site."
                )
                % {"domain": domain},
                "wrong_domain",
            )


def _verify_jwt(token: str, expected: str, domain: str, now: datetime) -> str:
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
    _check_purpose(payload.get("purpose"))
    _check_domain([payload[name] for name in ("domain", "aud") if name in payload], domain)
    _check_challenge(payload.get("challenge", payload.get("nonce")), expected)
    exp = payload.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp <= now.timestamp()):
        raise _refuse(_("The signed challenge has expired."), "expired")
    return did


def _verify_data_integrity(
    document: Mapping[str, Any], expected: str, domain: str, now: datetime
) -> str:
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
    _check_purpose(document.get("purpose"))
    _check_domain([document["domain"]] if "domain" in document else [], domain)
    _check_challenge(document.get("challenge"), expected)
    # Proof options a wallet may add (VC Data Integrity §2.1): when present, they must be ours
    # too. (The command signs with none; the document's own fields are what it signs.)
    for proof in proofs:
        if "domain" in proof.proof:
            _check_domain([proof.proof["domain"]], domain)
        if "challenge" in proof.proof:
            _check_challenge(proof.proof["challenge"], expected)
    return did


def verify_did_proof(
    response: Any, *, challenge: str, domain: str | None = None, now: datetime | None = None
) -> str:
    """The did:key that signed `challenge` in `response` (a JWT or a signed JSON document),
    for `domain` (default :func:`site_origin`) and the purpose ``mosaics-did-binding``.

    Raises `DidProofRefused` (a `ValidationError` with a message in plain words) for anything
    else: garbage, another key, another challenge, another DID named in the text, another site
    or no site named, another purpose or none, an expired JWT, a DID that is not an Ed25519
    did:key."""
    text = str(response or "").strip()
    now = now or datetime.now(UTC)
    domain = domain or site_origin()
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
        return _verify_data_integrity(document, challenge, domain, now)
    if text.count(".") != 2:
        raise _refuse(
            _("This is not a signed JWT or JSON document: paste the whole output of the command."),
            "malformed",
        )
    return _verify_jwt(text, challenge, domain, now)
