"""Credentials as compact JWS (JWT) — Open Badges 3.0 §8.2 and VC-JOSE-COSE §3.1.

Two shapes of JWT payload exist for Open Badges 3.0:

``ob3`` (what we issue)
    OB 3.0 §8.2.3 (VC 2.0 edition, "JWT Payload Format"): the payload *is* the credential, with
    the registered claims ``iss`` (= ``issuer.id``), ``jti`` (= ``id``), ``sub``
    (= ``credentialSubject.id``), ``nbf`` (= ``validFrom``) and, when the credential has
    ``validUntil``, ``exp`` added at the top level. This is also a valid VC-JOSE-COSE §3.1.1
    payload ("the unsecured verifiable credential is the unencoded JWS payload"; JWT claims are
    allowed alongside), so one token satisfies both specifications.
``vc`` (read only)
    VC 1.1-era OB 3.0 tokens (and VC-JWT §6.3.1 of VC Data Model 1.1) wrap the credential in a
    ``vc`` claim next to the same registered claims (``nbf`` = ``issuanceDate``, ``exp`` =
    ``expirationDate``). OB 3.0 §8.2.4 tells verifiers to accept them.

Header choices (OB 3.0 §8.2.2 "Create the JOSE Header", which allows no other headers):

- ``alg``: we sign with ``EdDSA`` (RFC 8037) with Ed25519 keys and accept ``EdDSA`` and its
  RFC 9864 successor ``Ed25519``. Everything else — ``none``, HMAC, RSA, ECDSA — is refused:
  we hold only Ed25519 keys, and an allow-list of one family closes the algorithm-confusion
  attacks. (1EdTech's fixtures use RS256; we report them as unsupported, see below.)
- ``kid``: the verification method id of the signing key.
- ``typ``: OB 3.0 §8.2.2 says "If present, MUST be set to \"JWT\""; VC-JOSE-COSE §3.1.1 says
  it SHOULD be ``vc+jwt``. A MUST beats a SHOULD, and OB verifiers (1EdTech's among them)
  are who reads our tokens, so we emit ``JWT`` by default and ``vc+jwt`` on request; we
  accept ``JWT``, ``vc+jwt`` (and the draft names ``vc+ld+jwt`` / ``vc-ld+jwt``) or no typ.

The embedded ``jwk`` header (OB 3.0 allows it instead of ``kid``; 1EdTech's fixtures use it)
is **never a trust anchor**: anybody can sign any credential naming any issuer with a fresh
key and put that key in the header, so a signature that verifies with it proves nothing about
the issuer. The key always comes from the caller's resolver; when a ``jwk`` is present too it
must be the same key (otherwise the token is refused as inconsistent), and it is otherwise
ignored. Verifying such tokens therefore needs the issuer's key from somewhere we trust
(did:key, a controller document the caller supplied, the issuer's key registry).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

from .errors import DidResolutionError, KeyFormatError, MalformedInput, ProofError
from .keys import Ed25519Multikey, ResolvedKey, resolve_verification_method
from .limits import MAX_JSON_BYTES, check_size, load_json

__all__ = [
    "ACCEPTED_ALGORITHMS",
    "ACCEPTED_TYPES",
    "ISSUE_ALGORITHM",
    "KeyResolver",
    "PublicKeyInput",
    "SigningKeyInput",
    "VerifiedJwt",
    "decode_unverified",
    "document_key_resolver",
    "sign_credential",
    "verify_credential_jwt",
]

ISSUE_ALGORITHM: Final = "EdDSA"
ACCEPTED_ALGORITHMS: Final = frozenset({"EdDSA", "Ed25519"})
ACCEPTED_TYPES: Final = frozenset({"JWT", "vc+jwt", "vc+ld+jwt", "vc-ld+jwt"})
VC1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
#: RFC 7519 §4.1 registered claim names: not part of the credential itself.
REGISTERED_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})

_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")

# Stable error codes (ProofError.code).
CODE_ALG: Final = "jwt_alg_unsupported"
CODE_MALFORMED: Final = "jwt_malformed"
CODE_SIGNATURE: Final = "jwt_signature_invalid"
CODE_KEY: Final = "jwt_key_unresolved"
CODE_CLAIMS: Final = "jwt_claims_mismatch"

PublicKeyInput: TypeAlias = (
    Ed25519Multikey | ResolvedKey | Ed25519PublicKey | OKPKey | bytes | Mapping[str, Any]
)
"""What a key resolver may return: a Multikey object (from :mod:`mosaics.vc.keys`), a
:class:`~mosaics.vc.keys.ResolvedKey` (whose ``controller`` is then checked against the
issuer), a ``cryptography`` public key, a joserfc ``OKPKey``, 32 raw public key bytes or a
public Ed25519 JWK (``{"kty": "OKP", "crv": "Ed25519", "x": …}``)."""

SigningKeyInput: TypeAlias = (
    Ed25519Multikey | Ed25519PrivateKey | OKPKey | bytes | Mapping[str, Any]
)
"""A signing key: a Multikey with its secret, a ``cryptography`` private key, a private
joserfc ``OKPKey``, the 32-byte Ed25519 seed, or a private JWK (with ``d``)."""

KeyResolver: TypeAlias = Callable[[str | None, str | None], PublicKeyInput | None]
"""``resolver(kid, iss)`` → the issuer's public key, or None when unknown. ``iss`` is the
issuer id claimed by the (not yet verified) token. A resolver returning a bare key vouches that
it belongs to that issuer; one returning a ``ResolvedKey`` lets us check the controller."""


@dataclass(frozen=True)
class VerifiedJwt:
    """A JWT whose signature verified.

    ``credential`` is the credential without JWT registered claims; ``payload`` the full
    payload; ``form`` is ``ob3`` (credential as payload) or ``vc`` (VC 1.1 ``vc`` claim).
    ``notes`` lists tolerated oddities (e.g. an ``Ed25519`` alg, a ``vc+jwt`` typ).
    """

    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    form: Literal["ob3", "vc"]
    kid: str | None
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- key handling


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, what: str) -> bytes:
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        raise ProofError(f"the JWT {what} is not base64url", code=CODE_MALFORMED)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ProofError(f"the JWT {what} is not base64url", code=CODE_MALFORMED) from exc


def _public_raw_from_jwk(jwk: Mapping[str, Any]) -> bytes:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise KeyFormatError("only Ed25519 OKP JWKs are supported")
    x = jwk.get("x")
    raw = _b64url_decode(x, "jwk x") if isinstance(x, str) else b""
    if len(raw) != 32:
        raise KeyFormatError("an Ed25519 JWK needs a 32-byte 'x'")
    return raw


def _public_raw(key: PublicKeyInput) -> bytes:
    """32 raw public key bytes from any accepted public key form."""
    if isinstance(key, ResolvedKey):
        return key.key.public_bytes()
    if isinstance(key, Ed25519Multikey):
        return key.public_bytes()
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if isinstance(key, OKPKey):
        return _public_raw_from_jwk(key.as_dict(private=False))
    if isinstance(key, bytes):
        if len(key) != 32:
            raise KeyFormatError("a raw Ed25519 public key is 32 bytes")
        return key
    if isinstance(key, Mapping):
        return _public_raw_from_jwk(key)
    raise KeyFormatError(f"unsupported public key type {type(key).__name__}")


def _signing_key(key: SigningKeyInput) -> tuple[OKPKey, bytes]:
    """A private joserfc key and the matching raw public key."""
    if isinstance(key, Ed25519Multikey):
        private = Ed25519PrivateKey.from_private_bytes(key.secret_seed_bytes())
    elif isinstance(key, Ed25519PrivateKey):
        private = key
    elif isinstance(key, bytes):
        if len(key) != 32:
            raise KeyFormatError("a raw Ed25519 secret key (seed) is 32 bytes")
        private = Ed25519PrivateKey.from_private_bytes(key)
    elif isinstance(key, OKPKey | Mapping):
        jwk = key.as_dict(private=True) if isinstance(key, OKPKey) else dict(key)
        _public_raw_from_jwk(jwk)
        d = jwk.get("d")
        seed = _b64url_decode(d, "jwk d") if isinstance(d, str) else b""
        if len(seed) != 32:
            raise KeyFormatError("the signing JWK has no valid 'd' (it is not a private key)")
        private = Ed25519PrivateKey.from_private_bytes(seed)
    else:
        raise KeyFormatError(f"unsupported signing key type {type(key).__name__}")
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return OKPKey.import_key(private), public


def _okp_public(raw: bytes) -> OKPKey:
    return OKPKey.import_key(Ed25519PublicKey.from_public_bytes(raw))


# ----------------------------------------------------------------------------------- signing


def _numeric_date(value: object, what: str) -> int:
    """RFC 7519 NumericDate (whole seconds) from an XSD dateTime string."""
    if not isinstance(value, str):
        raise MalformedInput(f"{what} must be a dateTime string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedInput(f"{what} {value!r} is not a dateTime") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if len(subject) == 1 else None
    if isinstance(subject, Mapping):
        sid = subject.get("id")
        return sid if isinstance(sid, str) else None
    return None


def _is_vc1(credential: Mapping[str, Any]) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == VC1_CONTEXT


def _claims(credential: Mapping[str, Any], vc1: bool) -> dict[str, Any]:
    """OB 3.0 §8.2.3 registered claims for ``credential``."""
    claims: dict[str, Any] = {}
    issuer = _issuer_id(credential)
    if issuer is None:
        raise MalformedInput("the credential has no issuer id")
    claims["iss"] = issuer
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subject = _subject_id(credential)
    if subject is not None:
        claims["sub"] = subject
    start, end = ("issuanceDate", "expirationDate") if vc1 else ("validFrom", "validUntil")
    if start in credential:
        claims["nbf"] = _numeric_date(credential[start], start)
    if end in credential:
        claims["exp"] = _numeric_date(credential[end], end)
    return claims


def sign_credential(
    credential: Mapping[str, Any],
    key: SigningKeyInput,
    *,
    kid: str | None = None,
    typ: Literal["JWT", "vc+jwt"] = "JWT",
    alg: Literal["EdDSA", "Ed25519"] = ISSUE_ALGORITHM,
    embed_jwk: bool = False,
) -> str:
    """Sign ``credential`` as a compact JWS (OB 3.0 §8.2; see the module docstring).

    A VC 2.0 credential becomes the payload itself plus ``iss``/``jti``/``sub``/``nbf``/``exp``;
    a VC 1.1 one (``@context[0]`` = the 2018 context) is wrapped in a ``vc`` claim (kept for
    tests and interop, we do not issue VC 1.1). ``kid`` defaults to the key's verification
    method id when ``key`` is an :class:`~mosaics.vc.keys.Ed25519Multikey`; OB 3.0 §8.2.2
    requires ``kid`` or ``jwk``, so ``embed_jwk`` (the public JWK, never ``d``) is forced on
    when there is no ``kid``.
    """
    if alg not in ACCEPTED_ALGORITHMS:
        raise ProofError(f"refusing to sign with alg {alg!r}", code=CODE_ALG)
    if typ not in ("JWT", "vc+jwt"):
        raise ProofError(f"unsupported typ {typ!r}", code=CODE_MALFORMED)
    if not isinstance(credential, Mapping):
        raise MalformedInput("the credential must be a JSON object")
    private, public_raw = _signing_key(key)
    if kid is None and isinstance(key, Ed25519Multikey):
        kid = key.id
    header: dict[str, Any] = {"alg": alg, "typ": typ}
    if kid is not None:
        header["kid"] = kid
    if embed_jwk or kid is None:
        header["jwk"] = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_raw)}

    vc1 = _is_vc1(credential)
    claims = _claims(credential, vc1)
    if vc1:
        payload: dict[str, Any] = {**claims, "vc": dict(credential)}
    else:
        clash = REGISTERED_CLAIMS & credential.keys()
        if clash:
            raise MalformedInput(
                f"the credential already has JWT claim names {sorted(clash)} at the top level"
            )
        payload = {**credential, **claims}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    check_size(body, MAX_JSON_BYTES, what="credential")
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as deprecated by RFC 9864; OB/VC verifiers still expect it.
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(header, body, private, algorithms=[alg])


# ------------------------------------------------------------------------------ verification


def _split(token: str | bytes) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ProofError("the JWT is not ASCII text", code=CODE_MALFORMED) from exc
    if not isinstance(token, str):
        raise ProofError("the JWT must be a string", code=CODE_MALFORMED)
    token = token.strip()
    check_size(token, MAX_JSON_BYTES, what="JWT")
    parts = token.split(".")
    if len(parts) != 3:
        raise ProofError("a compact JWS has exactly three parts", code=CODE_MALFORMED)
    try:
        header = load_json(_b64url_decode(parts[0], "header"), what="JWT header")
        payload = load_json(_b64url_decode(parts[1], "payload"), what="JWT payload")
    except MalformedInput as exc:
        raise ProofError(f"the JWT is malformed: {exc.message}", code=CODE_MALFORMED) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ProofError("the JWT header and payload must be JSON objects", code=CODE_MALFORMED)
    return parts, header, payload


def decode_unverified(token: str | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS **without verifying anything**.

    For display and diagnostics only (e.g. showing what an RS256 token claims); never use the
    result as a verified credential.
    """
    _parts, header, payload = _split(token)
    return header, payload


def _credential_of(payload: dict[str, Any]) -> tuple[dict[str, Any], Literal["ob3", "vc"]]:
    vc = payload.get("vc")
    if isinstance(vc, dict):
        return vc, "vc"
    if "vc" in payload:
        raise ProofError("the JWT's vc claim is not an object", code=CODE_MALFORMED)
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}, "ob3"


def _check_claims(
    payload: Mapping[str, Any],
    credential: Mapping[str, Any],
    form: Literal["ob3", "vc"],
    now: datetime | None,
    notes: list[str],
) -> None:
    """OB 3.0 §8.2.4 "Verify a Credential VC-JWT Signature": claims must match the credential.

    The claims are required by OB 3.0 but not by VC-JOSE-COSE; an absent claim is noted, a
    mismatching one is an error.
    """

    def mismatch(claim: str, field: str) -> ProofError:
        return ProofError(
            f"the JWT claim {claim!r} does not match the credential's {field}", code=CODE_CLAIMS
        )

    vc1 = form == "vc" or _is_vc1(credential)
    start, end = ("issuanceDate", "expirationDate") if vc1 else ("validFrom", "validUntil")
    expected: dict[str, tuple[object, str]] = {
        "iss": (_issuer_id(credential), "issuer id"),
        "jti": (credential.get("id"), "id"),
        "sub": (_subject_id(credential), "credentialSubject.id"),
    }
    for claim, (value, field) in expected.items():
        if claim in payload:
            if payload[claim] != value:
                raise mismatch(claim, field)
        elif value is not None:
            notes.append(f"the JWT has no {claim!r} claim (OB 3.0 §8.2.3 requires it)")
    for claim, field in (("nbf", start), ("exp", end)):
        if claim not in payload:
            if field in credential:
                notes.append(f"the JWT has no {claim!r} claim for {field}")
            continue
        value = payload[claim]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ProofError(f"the JWT claim {claim!r} is not a NumericDate", code=CODE_CLAIMS)
        if field in credential:
            try:
                if int(value) != _numeric_date(credential[field], field):
                    raise mismatch(claim, field)
            except MalformedInput as exc:
                raise ProofError(exc.message, code=CODE_CLAIMS) from exc
        elif form == "ob3":
            raise ProofError(
                f"the JWT has {claim!r} but the credential has no {field}", code=CODE_CLAIMS
            )
    if now is not None:
        stamp = now.timestamp()
        nbf, exp = payload.get("nbf"), payload.get("exp")
        if isinstance(nbf, int | float) and stamp < nbf:
            raise ProofError("the JWT is not valid yet (nbf)", code="jwt_not_yet_valid")
        if isinstance(exp, int | float) and stamp >= exp:
            raise ProofError("the JWT has expired (exp)", code="jwt_expired")


def verify_credential_jwt(
    token: str | bytes,
    resolver: KeyResolver,
    *,
    now: datetime | None = None,
) -> VerifiedJwt:
    """Verify a compact-JWS credential and return it (raises :class:`ProofError` otherwise).

    Steps (OB 3.0 §8.2.4, RFC 7515 §5.2): parse the header; refuse any ``alg`` other than
    ``EdDSA``/``Ed25519``, ``crit`` headers, RFC 7797 unencoded payloads and unexpected
    ``typ``; get the key from ``resolver(kid, iss)`` (never from the embedded ``jwk``, which
    must merely agree); verify the signature with joserfc; take the credential from the
    payload (OB 3.0 / VC-JOSE-COSE form) or its ``vc`` claim (VC 1.1 form); and check that the
    registered claims agree with it. With ``now``, ``nbf``/``exp`` are checked too (the
    credential's own validity window is the verifier's business either way).
    """
    parts, header, payload = _split(token)
    notes: list[str] = []
    alg = header.get("alg")
    if alg is not None and not isinstance(alg, str):
        raise ProofError("the JWT header's alg must be a string", code=CODE_MALFORMED)
    if alg not in ACCEPTED_ALGORITHMS:
        raise ProofError(
            f"the JWT uses alg {alg!r}; only EdDSA (Ed25519) is accepted", code=CODE_ALG
        )
    if alg == "Ed25519":
        notes.append("alg 'Ed25519' (RFC 9864 name for EdDSA with Ed25519)")
    if "crit" in header:
        raise ProofError("the JWT has critical header parameters we do not understand")
    if header.get("b64") is False:
        raise ProofError("unencoded (RFC 7797) JWS payloads are not accepted")
    typ = header.get("typ")
    if typ is not None and not isinstance(typ, str):
        raise ProofError("the JWT header's typ must be a string", code=CODE_MALFORMED)
    if typ is not None and typ not in ACCEPTED_TYPES:
        raise ProofError(f"the JWT has typ {typ!r}, not a credential type", code=CODE_MALFORMED)
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise ProofError("the JWT kid must be a string", code=CODE_MALFORMED)

    credential, form = _credential_of(payload)
    issuer = _issuer_id(credential)
    claimed_iss = payload.get("iss") if isinstance(payload.get("iss"), str) else issuer
    try:
        resolved = resolver(kid, claimed_iss)
    except (DidResolutionError, KeyFormatError) as exc:
        raise ProofError(f"the JWT's key could not be resolved: {exc}", code=CODE_KEY) from exc
    if resolved is None:
        raise ProofError(
            f"no trusted key is known for kid {kid!r} / issuer {claimed_iss!r}", code=CODE_KEY
        )
    try:
        raw = _public_raw(resolved)
    except KeyFormatError as exc:
        raise ProofError(f"the resolved key is unusable: {exc}", code=CODE_KEY) from exc
    if isinstance(resolved, ResolvedKey) and resolved.controller != issuer:
        raise ProofError(
            f"the key {resolved.verification_method} is controlled by {resolved.controller}, "
            f"not by the issuer {issuer}",
            code=CODE_KEY,
        )
    embedded = header.get("jwk")
    if embedded is not None:
        if not isinstance(embedded, Mapping) or "d" in embedded:
            raise ProofError("the JWT's jwk header is malformed or private", code=CODE_MALFORMED)
        try:
            same = _public_raw_from_jwk(embedded) == raw
        except KeyFormatError:
            same = False
        if not same:
            raise ProofError("the JWT's embedded jwk is not the issuer's key", code=CODE_KEY)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(".".join(parts), _okp_public(raw), algorithms=[alg])
    except JoseError as exc:
        raise ProofError(
            f"the JWT signature does not verify: {exc.error}", code=CODE_SIGNATURE
        ) from exc
    except ValueError as exc:  # e.g. a malformed signature length inside cryptography
        raise ProofError(f"the JWT signature does not verify: {exc}", code=CODE_SIGNATURE) from exc

    if typ is not None and typ != "JWT":
        notes.append(f"typ {typ!r} (OB 3.0 §8.2.2 says 'JWT')")
    _check_claims(payload, credential, form, now, notes)
    return VerifiedJwt(
        header=header,
        payload=payload,
        credential=credential,
        form=form,
        kid=kid,
        notes=tuple(notes),
    )


def document_key_resolver(documents: Mapping[str, Any] | None = None) -> KeyResolver:
    """A :data:`KeyResolver` over :func:`mosaics.vc.keys.resolve_verification_method`.

    ``kid`` is resolved offline (did:key, or a controller document in ``documents``, or an
    ``<issuer>#z6Mk…`` fragment key); without ``kid``, a did:key issuer resolves to its own
    key. It returns a :class:`~mosaics.vc.keys.ResolvedKey`, so
    :func:`verify_credential_jwt` checks that the key's controller is the issuer.
    """

    def resolve(kid: str | None, iss: str | None) -> ResolvedKey | None:
        if kid is None:
            if iss is None or not iss.startswith("did:key:"):
                return None
            kid = f"{iss}#{iss[len('did:key:') :]}"
        return resolve_verification_method(kid, documents=documents)

    return resolve
