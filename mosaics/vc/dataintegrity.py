"""Data Integrity proofs: ``DataIntegrityProof`` with ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``.

Follows W3C "Data Integrity EdDSA Cryptosuites v1.0" (vc-di-eddsa) §3.2 (eddsa-rdfc-2022) and
§3.3 (eddsa-jcs-2022), and "Verifiable Credential Data Integrity 1.0" §4 for proof sets and
chains:

* transformation: the document without ``proof``, canonicalized — RDFC-1.0 N-Quads
  (:func:`mosaics.vc.jsonld.canonicalize`, safe mode) or RFC 8785 JCS;
* proof configuration: the proof options without ``proofValue``, with ``@context`` set to the
  document's, canonicalized the same way;
* hashing: ``hashData = SHA-256(canonical proof configuration) ‖ SHA-256(canonical document)``;
* signature: Ed25519 over hashData; ``proofValue = "z" + base58btc(signature)``.

:func:`sign` returns a new document whose ``proof`` is an **array** (the OB 3.0 JSON Schema wants
one; a second signature appends to the set). :func:`verify` accepts a single proof object or an
array; every proof of a set must verify, and a proof with ``previousProof`` is verified over the
document carrying the proofs it names (VC Data Integrity §4.5); the other proofs of a set share
one canonical document. Stricter than vc-di-eddsa §3.2.2/§3.3.2 step 4: a proof that carries
``@context`` must carry exactly the document's (contexts appended after signing would change
the meaning of signed data without being signed). :func:`hashing_steps` exposes the
intermediate values so the W3C and 1EdTech vectors can be checked byte for byte.

Keys are resolved offline through :mod:`mosaics.vc.keys` from caller-supplied documents, or by a
caller-supplied resolver; nothing is fetched.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

import base58
import rfc8785

from mosaics.vc.errors import InputTooLarge, MalformedInput, ProofError
from mosaics.vc.jsonld import canonicalize
from mosaics.vc.keys import Ed25519Multikey, ResolvedKey, resolve_verification_method
from mosaics.vc.limits import MAX_PROOFS, check_depth

__all__ = [
    "CRYPTOSUITES",
    "HashingSteps",
    "Resolver",
    "VerifiedProof",
    "format_datetime",
    "hashing_steps",
    "sign",
    "verify",
]

Cryptosuite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"]
CRYPTOSUITES: Final[tuple[str, ...]] = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
"""The cryptosuites this module signs and verifies."""

PROOF_TYPE: Final = "DataIntegrityProof"

Resolver = Callable[[str, str], ResolvedKey]
"""``resolver(verification_method, proof_purpose) -> ResolvedKey``; raise to refuse the key."""

# XML Schema 1.1 dateTime (the lexical form jsonld-signatures checks), anchored.
_DATETIME = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$"
)
_SIGNATURE_BYTES: Final = 64


@dataclass(frozen=True)
class HashingSteps:
    """The intermediate values of eddsa-rdfc-2022 / eddsa-jcs-2022 hashing (vc-di-eddsa §3)."""

    cryptosuite: str
    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_hash: bytes

    @property
    def hash_data(self) -> bytes:
        """What Ed25519 signs: proof hash first, then document hash."""
        return self.proof_hash + self.document_hash


@dataclass(frozen=True)
class VerifiedProof:
    """One proof that verified, and whose key it was."""

    proof: Mapping[str, Any]
    cryptosuite: str
    verification_method: str
    controller: str
    """Who controls the key; a credential verifier checks this equals the issuer."""
    key_source: str
    """How the key was found (see :class:`mosaics.vc.keys.ResolvedKey`)."""
    created: str | None


def format_datetime(moment: datetime) -> str:
    """XSD dateTime in UTC without fractional seconds (``2024-01-31T12:00:00Z``)."""
    if moment.tzinfo is None:
        raise ValueError("The datetime must be timezone-aware.")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Hashing (vc-di-eddsa §3.2.3–3.2.5, §3.3.3–3.3.5)
# --------------------------------------------------------------------------------------------


_EXACT_INTEGERS: Final = 2**53


def _as_doubles(value: Any) -> Any:
    """Integers from 2**53 on that are exactly doubles, as doubles (JCS sees IEEE doubles).

    RFC 8785 works on I-JSON numbers, i.e. doubles; rfc8785 refuses Python ints beyond 2**53.
    JavaScript writes large doubles as long integers (``JSON.stringify(1e20)`` is
    ``"100000000000000000000"``) and Python's json reads those back as ints, so a credential
    signed in JavaScript must be canonicalized with them as the doubles they are. Integers that
    no double equals (``2**53 + 1``) stay ints, and JCS refuses them: JavaScript would read a
    different number.
    """
    if isinstance(value, dict):
        return {key: _as_doubles(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_as_doubles(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT_INTEGERS:
        try:
            double = float(value)
        except OverflowError:
            return value
        return double if int(double) == value else value
    return value


# Any character from the surrogates up: a lone surrogate (JCS escapes it, json.dumps cannot
# encode it), or one whose UTF-16 order (JCS sorts keys by UTF-16 code units) may differ from
# Python's code-point order.
_BEYOND_BMP_ORDER: Final = re.compile("[\\ud800-\\U0010ffff]")


def _is_plain_json(value: Any) -> bool:
    """True when ``json.dumps(..., sort_keys=True)`` writes exactly what RFC 8785 writes.

    That holds for strings, booleans, null, integers below 2**53, arrays and objects, as long as
    no key needs UTF-16 ordering and no string holds a lone surrogate: Python's json escapes the
    quote, the backslash, backspace, form feed, newline, carriage return and tab with their short
    forms and other control characters as lowercase ``u00xx`` escapes, exactly as ECMAScript's
    JSON.stringify does (RFC 8785 §3.2.2.2). Floats need ES number formatting (§3.2.2.3), so
    documents holding one take rfc8785.
    """
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BEYOND_BMP_ORDER.search(item):
                return False
        elif isinstance(item, dict):
            for key in item:
                if not isinstance(key, str) or _BEYOND_BMP_ORDER.search(key):
                    return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) >= _EXACT_INTEGERS:
                return False
        else:
            return False
    return True


def _jcs(value: Any) -> str:
    """RFC 8785 JSON Canonicalization Scheme text of ``value``."""
    if _is_plain_json(value):
        # Same bytes as rfc8785 (see _is_plain_json), in C rather than Python: ~4x faster.
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return rfc8785.dumps(_as_doubles(value)).decode("utf-8")


def _canonical(value: Mapping[str, Any], cryptosuite: str) -> str:
    if cryptosuite == "eddsa-rdfc-2022":
        # canonicalize bounds node merges on the expanded form (limits.check_node_merges).
        return canonicalize(value)
    try:
        return _jcs(value)
    except UnicodeEncodeError:
        # rfc8785 cannot write a lone surrogate in an object key (it sorts keys as UTF-16).
        raise MalformedInput(
            "The document cannot be canonicalized with JCS: a name in it holds a lone "
            "surrogate, which is not valid Unicode text."
        ) from None
    except rfc8785.CanonicalizationError as exc:
        raise MalformedInput(f"The document cannot be canonicalized with JCS: {exc}.") from exc


def _check_suite(options: Mapping[str, Any]) -> str:
    kind = options.get("type")
    if kind != PROOF_TYPE:
        raise ProofError(
            f"The proof type is {kind!r}; only {PROOF_TYPE!r} proofs are supported "
            "(legacy suites such as Ed25519Signature2020 are not)."
        )
    suite = options.get("cryptosuite")
    if suite not in CRYPTOSUITES:
        raise ProofError(
            f"The cryptosuite {suite!r} is not supported; use one of {', '.join(CRYPTOSUITES)}."
        )
    return str(suite)


def hashing_steps(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    previous_proofs: Sequence[Mapping[str, Any]] | None = None,
) -> HashingSteps:
    """Canonical document, canonical proof configuration and their hashes.

    ``document`` is the unsecured document (a top-level ``proof`` member is left out);
    ``proof_options`` the proof without ``proofValue`` (any ``proofValue`` is left out). The proof
    configuration's ``@context`` is set to the document's (vc-di-eddsa §3.2.5/§3.3.5). For a
    proof in a chain, ``previous_proofs`` are the proofs its ``previousProof`` names; the
    document is hashed carrying them as ``proof`` (VC Data Integrity §4.2).
    """
    suite = _check_suite(proof_options)
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    if previous_proofs is not None:
        unsecured["proof"] = list(previous_proofs)
    return _hashing_steps(unsecured, proof_options, suite)


def _hashing_steps(
    unsecured: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    suite: str,
    canonical_document: str | None = None,
) -> HashingSteps:
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    created = config.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.match(created)):
        raise ProofError(f"The proof's created value {created!r} is not an XSD dateTime.")
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    canonical_config = _canonical(config, suite)
    if canonical_document is None:
        canonical_document = _canonical(unsecured, suite)
    return HashingSteps(
        cryptosuite=suite,
        canonical_document=canonical_document,
        canonical_proof_config=canonical_config,
        document_hash=hashlib.sha256(canonical_document.encode("utf-8")).digest(),
        proof_hash=hashlib.sha256(canonical_config.encode("utf-8")).digest(),
    )


# --------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------


def _proofs_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    value = document.get("proof")
    if value is None:
        return []
    proofs = value if isinstance(value, list) else [value]
    if len(proofs) > MAX_PROOFS:
        raise InputTooLarge(
            f"The document has {len(proofs)} proofs; at most {MAX_PROOFS} are read."
        )
    for proof in proofs:
        if not isinstance(proof, Mapping):
            raise ProofError("Every proof must be a JSON object.")
    return list(proofs)


def _previous_ids(value: object) -> list[str]:
    ids = value if isinstance(value, list) else [value]
    if not ids or not all(isinstance(item, str) and item for item in ids):
        raise ProofError("previousProof must be a proof id or a list of proof ids.")
    return [str(item) for item in ids]


def _matching_proofs(
    previous: object, proofs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    matching = []
    for proof_id in _previous_ids(previous):
        found = [proof for proof in proofs if proof.get("id") == proof_id]
        if len(found) != 1:
            raise ProofError(
                f"previousProof names {proof_id!r}, which is not "
                + ("unique" if found else "one of the document's proofs")
                + "."
            )
        matching.append(found[0])
    return matching


def sign(
    document: Mapping[str, Any],
    key: Ed25519Multikey,
    *,
    cryptosuite: Cryptosuite = "eddsa-rdfc-2022",
    verification_method: str | None = None,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
    expires: datetime | str | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with a new ``DataIntegrityProof`` appended to ``proof``.

    ``verification_method`` defaults to ``key.id``; ``created`` to now (UTC, whole seconds).
    Existing proofs stay and the new one is appended (a proof set); with ``previous_proof`` the
    new proof also signs the proofs it names (a proof chain). ``proof`` is always an array.

    Raises :class:`ProofError` for an unknown cryptosuite or unusable options,
    :class:`~mosaics.vc.errors.SafeModeError` / :class:`~mosaics.vc.errors.ContextError` when
    (for eddsa-rdfc-2022) the document has data its contexts do not define, and
    :class:`~mosaics.vc.errors.KeyFormatError` if ``key`` has no secret.
    """
    check_depth(document)
    if cryptosuite not in CRYPTOSUITES:
        raise ProofError(
            f"The cryptosuite {cryptosuite!r} is not supported; use one of "
            f"{', '.join(CRYPTOSUITES)}."
        )
    if not key.has_secret:
        key.secret_seed_bytes()  # raises KeyFormatError with a clear message
    existing = _proofs_of(document)
    options: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": cryptosuite}
    if proof_id is not None:
        options["id"] = proof_id
    if isinstance(created, datetime):
        options["created"] = format_datetime(created)
    elif created is not None:
        options["created"] = created
    else:
        options["created"] = format_datetime(datetime.now(UTC))
    if expires is not None:
        options["expires"] = format_datetime(expires) if isinstance(expires, datetime) else expires
        if not _DATETIME.match(options["expires"]):
            raise ProofError(f"The expires value {expires!r} is not an XSD dateTime.")
    options["verificationMethod"] = verification_method or key.id
    options["proofPurpose"] = proof_purpose
    if domain is not None:
        options["domain"] = domain if isinstance(domain, str) else list(domain)
    if challenge is not None:
        options["challenge"] = challenge
    unsecured: dict[str, Any] = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    if previous_proof is not None:
        previous = previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        options["previousProof"] = previous
        unsecured["proof"] = copy.deepcopy(_matching_proofs(previous, existing))
    if cryptosuite == "eddsa-jcs-2022" and "@context" in unsecured:
        # vc-di-eddsa §3.3.1 step 2: the jcs proof carries the document's @context.
        options["@context"] = copy.deepcopy(unsecured["@context"])

    steps = _hashing_steps(unsecured, options, cryptosuite)
    signature = key.sign(steps.hash_data)
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}

    secured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    secured["proof"] = [copy.deepcopy(p) for p in existing] + [proof]
    return secured


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def _decode_proof_value(value: object) -> bytes:
    if not isinstance(value, str) or not value:
        raise ProofError("The proof has no proofValue.")
    if not value.startswith("z"):
        raise ProofError("The proofValue is not base58btc multibase (it must start with 'z').")
    try:
        signature = base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ProofError("The proofValue is not valid base58btc.") from None
    if len(signature) != _SIGNATURE_BYTES:
        raise ProofError(
            f"The proofValue decodes to {len(signature)} bytes; an Ed25519 signature is 64."
        )
    return signature


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_expected(
    proof: Mapping[str, Any],
    expected_purpose: str | None,
    expected_domain: str | None,
    expected_challenge: str | None,
    now: datetime,
) -> None:
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str):
        raise ProofError("The proof has no proofPurpose.")
    if expected_purpose is not None and purpose != expected_purpose:
        raise ProofError(
            f"The proof's purpose is {purpose!r}, but {expected_purpose!r} was expected."
        )
    if expected_domain is not None and expected_domain not in _as_list(proof.get("domain")):
        raise ProofError(
            f"The proof's domain {proof.get('domain')!r} does not include {expected_domain!r}."
        )
    if expected_challenge is not None and proof.get("challenge") != expected_challenge:
        raise ProofError("The proof's challenge does not match the expected challenge.")
    expires = proof.get("expires")
    if expires is not None:
        if not isinstance(expires, str) or not _DATETIME.match(expires):
            raise ProofError(f"The proof's expires value {expires!r} is not an XSD dateTime.")
        try:
            moment = datetime.fromisoformat(expires.replace("Z", "+00:00"))
        except ValueError:
            raise ProofError(f"The proof's expires value {expires!r} is not a date.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if moment <= now:
            raise ProofError(f"The proof expired at {expires}.")


def _default_resolver(documents: Mapping[str, Any] | None, allow_fragment_key: bool) -> Resolver:
    def resolve(verification_method: str, purpose: str) -> ResolvedKey:
        return resolve_verification_method(
            verification_method,
            documents=documents,
            purpose=purpose,
            allow_fragment_key=allow_fragment_key,
        )

    return resolve


def _check_proof_context(unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> None:
    """A proof that carries ``@context`` must carry exactly the document's.

    vc-di-eddsa §3.2.2/§3.3.2 step 4 (and VC Data Integrity §4.5) only ask that the document's
    ``@context`` *start with* the proof's, which then replaces it for hashing, so that contexts
    can be appended for later proofs. We are deliberately stricter: contexts appended after
    signing are covered by no signature, yet they change what the signed data means —
    ``{"@language": "fr"}`` turns every plain string into a French one, and a context defining
    a new term lets an unsigned property pass safe mode while the hash (made with the proof's
    contexts) leaves it out. So the document's ``@context`` must equal the proof's. A proof
    without ``@context`` (what we issue with eddsa-rdfc-2022) is hashed with the document's own
    contexts, so the signature covers them all.
    """
    if "@context" not in proof:
        return
    if "@context" not in unsecured or unsecured["@context"] != proof["@context"]:
        raise ProofError(
            "The document's @context differs from the one its proof was made with (contexts "
            "added after signing are not covered by the signature), so the proof is refused."
        )


def _verify_one(
    unsecured: Mapping[str, Any],
    proof: Mapping[str, Any],
    all_proofs: Sequence[Mapping[str, Any]],
    resolver: Resolver,
    canonical_documents: dict[str, str],
) -> VerifiedProof:
    suite = _check_suite(proof)
    signature = _decode_proof_value(proof.get("proofValue"))
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("The proof has no verificationMethod.")
    purpose = str(proof["proofPurpose"])
    _check_proof_context(unsecured, proof)
    options = {key: value for key, value in proof.items() if key != "proofValue"}

    resolved = resolver(method, purpose)
    if "previousProof" in proof:
        # A chain link signs the document with the proofs it names: its own canonical form.
        document: dict[str, Any] = dict(unsecured)
        document["proof"] = [dict(p) for p in _matching_proofs(proof["previousProof"], all_proofs)]
        steps = _hashing_steps(document, options, suite)
    else:
        # Every other proof of the set hashes the same unsecured document (its @context equals
        # the document's, see above): canonicalize it once per cryptosuite, not once per proof.
        steps = _hashing_steps(unsecured, options, suite, canonical_documents.get(suite))
        canonical_documents[suite] = steps.canonical_document
    try:
        resolved.key.verify(signature, steps.hash_data)
    except ProofError:
        raise ProofError(
            f"The {suite} proof by {method} does not verify: the document or the proof was "
            "changed after signing, or it was signed with another key."
        ) from None
    created = proof.get("created")
    return VerifiedProof(
        proof=proof,
        cryptosuite=suite,
        verification_method=method,
        controller=resolved.controller,
        key_source=resolved.source,
        created=created if isinstance(created, str) else None,
    )


def verify(
    document: Mapping[str, Any],
    *,
    documents: Mapping[str, Any] | None = None,
    resolver: Resolver | None = None,
    expected_purpose: str | None = "assertionMethod",
    expected_domain: str | None = None,
    expected_challenge: str | None = None,
    allow_fragment_key: bool = True,
    now: datetime | None = None,
) -> list[VerifiedProof]:
    """Verify every Data Integrity proof on ``document``; raise if any fails.

    ``proof`` may be one object or an array (a proof set); every proof must verify, each with
    ``previousProof`` over the proofs it names. Keys come from ``resolver`` if given, else from
    :func:`mosaics.vc.keys.resolve_verification_method` with ``documents`` (DID/URL → document)
    and ``allow_fragment_key``; the key must be authorised for the proof's purpose.
    ``expected_purpose`` (default ``assertionMethod``; None accepts any), ``expected_domain`` and
    ``expected_challenge`` must match when given; an ``expires`` in the past (relative to
    ``now``, default the current time) fails.

    Returns one :class:`VerifiedProof` per proof, in order. Raises :class:`ProofError` (also when
    there is no proof), :class:`~mosaics.vc.errors.DidResolutionError` /
    :class:`~mosaics.vc.errors.KeyFormatError` when a key cannot be resolved, and the
    canonicalization errors of :func:`mosaics.vc.jsonld.canonicalize`.
    """
    if not isinstance(document, Mapping):
        raise MalformedInput("The document must be a JSON object.")
    check_depth(document)
    proofs = _proofs_of(document)
    if not proofs:
        raise ProofError("The document has no proof.")
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware.")
    resolve = resolver or _default_resolver(documents, allow_fragment_key)
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    canonical_documents: dict[str, str] = {}  # cryptosuite -> canonical unsecured document
    results = []
    for proof in proofs:
        _check_expected(proof, expected_purpose, expected_domain, expected_challenge, moment)
        results.append(_verify_one(unsecured, proof, proofs, resolve, canonical_documents))
    return results
