"""The verifier: a credential in (JSON, compact JWT, baked PNG or SVG), a report of checks out.

:func:`verify` never raises for anything wrong with its input — hostile, truncated, binary,
enormous — it returns a :class:`Report` whose checks say, in plain words, what was wrong. It
never touches the network: JSON-LD contexts come from the bundled loader, status lists and
controller documents are supplied by the caller.

Before any JSON-LD work the input is bounded (:mod:`mosaics.vc.limits`: size, nesting, list
lengths, number of values, proofs, nested credentials), because canonicalisation cost grows
quickly with some shapes of input.

Checks, in order (each one a :class:`Check`):

``parse``
    What the input is (JSON object, compact JWT, PNG, SVG) and that it can be read within the
    limits of :mod:`mosaics.vc.limits`.
``context``
    ``@context`` starts with the VC 2.0 context (VC 1.1 is accepted with a warning, as
    1EdTech's validator does), carries the Open Badges (and for CLR the CLR) context, and names
    only contexts we hold locally — an unknown context fails; it is never fetched.
``type``
    ``VerifiableCredential`` plus one of the credential types we understand.
``plain_form``
    The credential is written in the plain JSON form these checks read: every property name is
    a term its contexts define (no ``@id``/``@type``/``@value``… keywords, no full or prefixed
    IRIs as names or types), and ``@context`` appears only at the top of a credential or proof,
    as URLs (never inline definitions). Two VC DM 2.0 spellings that cannot hide anything are
    accepted: a language value object (``@value`` text, optional ``@language``/``@direction``,
    nothing else) as the value of ``name`` or ``description``, and a type given as an absolute
    IRI that is not the full IRI of any term a bundled context defines. An ``eddsa-rdfc-2022``
    signature covers the RDF, not the JSON spelling, so without this rule a property could be
    renamed to its full IRI — an expiry date, a status entry, a CLR's credentials, an
    endorsement, a proof's ``expires`` — and be skipped by the checks below while the signature
    still verifies.
``safe_mode``
    Every term and type is defined by the contexts (JSON-LD safe mode). Terms a context does not
    define would be dropped by canonicalisation and so would not be covered by the signature.
``schema``
    The official Open Badges 3.0 JSON Schema where one applies (achievement and endorsement
    credentials; for CLR 2.0, which has no bundled schema, :func:`mosaics.vc.schema.clr_problems`).
    Single values that issuers emit where the schema wants a list (``proof`` as one object, as
    1EdTech's own signed example does), several ``credentialStatus`` entries, and VC 1.1 names
    are normalised first, and the check's message says so.
``proof``
    The Data Integrity proofs — ``eddsa-rdfc-2022`` or ``eddsa-jcs-2022``, every proof of a set
    must verify — or the JWT signature (EdDSA only; a key in the token's own header is never
    trusted). The older ``Ed25519Signature2020`` and the draft name ``eddsa-2022``, which sign
    the same RDFC-1.0 hashes, are read with a warning (their ``expires`` and purpose are
    honoured as for Data Integrity proofs).
``issuer_key``
    The key that signed belongs to the issuer: the verification method's controller is the
    issuer's id, and something confirms the key: the issuer is the ``did:key``, or the key is
    listed in the issuer's controller (DID) document supplied by the caller. A key read only
    from ``<issuer id>#<publicKeyMultibase>`` is not vouched for by anything the issuer
    publishes (anyone can make one): the credential is then ``unconfirmed``, not verified.
``validity``
    ``validFrom``/``validUntil`` (VC 1.1: ``issuanceDate``/``expirationDate``). Outside the
    window the status is ``expired`` or ``not_yet_valid`` — distinct from ``invalid``.
``status``
    Bitstring Status List entries, checked against list credentials the caller supplies (whose
    own proofs are verified too, whose ``id`` must be the URL it is used for). Revoked and
    suspended are reported as such; an entry whose list was not supplied is a warning ("could
    not be checked offline"), not a failure. An entry of an unexpected shape fails.
``credentials`` / ``endorsements``
    For a CLR, every credential inside it, and every embedded endorsement, is verified too; each
    gets its own :class:`Report` in :attr:`Report.nested`. One that is *invalid* or
    *unconfirmed* fails this check; one that is merely expired, not yet valid, revoked or
    suspended is a warning here (its own report says which).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from mosaics.vc import limits
from mosaics.vc._util import as_list as _as_list
from mosaics.vc.errors import InputTooLarge, MalformedInput, VCError

__all__ = [
    "CREDENTIAL_TYPES",
    "STATUSES",
    "Check",
    "Report",
    "normalise_for_schema",
    "summarise",
    "verify",
]

Status = Literal[
    "valid", "invalid", "unconfirmed", "expired", "not_yet_valid", "revoked", "suspended"
]
Format = Literal["json", "jwt", "png", "svg", "unknown"]

STATUSES: Final[tuple[str, ...]] = (
    "valid",
    "invalid",
    "unconfirmed",
    "expired",
    "not_yet_valid",
    "revoked",
    "suspended",
)

VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT_LATEST: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_OB_CONTEXT: Final = re.compile(
    r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)?\.json"
    r"|https://imsglobal\.github\.io/openbadges-specification/context\.json"
)
_CLR_CONTEXT: Final = re.compile(
    r"https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)?\.json"
    r"|https://dc\.imsglobal\.org/draft/clr/v2p0/context"
)

_CLR_SCHEMA_IDS: Final = frozenset(
    {
        "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/schema/json-ld/clr_v2p0_clrcredential_schema.json",
    }
)
OB_TYPES: Final = frozenset({"OpenBadgeCredential", "AchievementCredential"})
CREDENTIAL_TYPES: Final = frozenset(
    {*OB_TYPES, "EndorsementCredential", "ClrCredential", "BitstringStatusListCredential"}
)

# Bounds on the work one input may cause beyond the limits in mosaics.vc.limits.
MAX_NESTED_CREDENTIALS: Final = 64
"""Most credentials verified inside one input (CLR members, endorsements, at every level)."""
MAX_CREDENTIAL_NESTING: Final = 4
"""How deep credentials may sit inside credentials (a CLR holding a badge holding endorsements)."""

MAX_STATUS_ENTRIES: Final = 32
"""Most ``credentialStatus`` entries one credential may have; more fail the status check."""

# The JWT claims (RFC 7519 §4.1) that are not part of a VC-JOSE payload's credential: the same
# set as mosaics.vc.jose.REGISTERED_CLAIMS (a test holds them equal). Anything else in the
# payload is the credential's and goes through every check.
_JWT_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_XSD_DATETIME: Final = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)


@dataclass(frozen=True)
class Check:
    """One step of verification: its ``name``, whether it passed, a stable ``code`` and a
    ``message`` in plain words for a person who is not a standards expert."""

    name: str
    ok: bool
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "code": self.code, "message": self.message}


@dataclass
class Report:
    """The outcome of :func:`verify`.

    ``verified`` is true only when ``status`` is ``valid``: every check passed. ``warnings``
    are things worth knowing that do not make the credential fail (an old VC 1.1 credential, a
    status that could not be checked offline). ``nested`` holds one report per credential
    found inside this one (CLR members, endorsements), each with its ``path``.
    """

    format: Format = "unknown"
    credential: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    warnings: list[Check] = field(default_factory=list)
    nested: list[Report] = field(default_factory=list)
    summary: str = ""
    path: str = ""

    @property
    def status(self) -> Status:
        """``valid``, ``invalid``, ``unconfirmed``, ``expired``, ``not_yet_valid``, ``revoked``
        or ``suspended``.

        Anything failed other than the validity window, the status list and an unconfirmed key
        makes the credential ``invalid``. Otherwise a key that nothing confirms is the issuer's
        (here, in a status list or in a credential inside) makes it ``unconfirmed``: the
        signature is intact, but it is not shown that the issuer made it, so what it says about
        revocation or expiry is not the issuer's word either. Then revoked > suspended > expired
        > not yet valid.
        """
        failed = [c for c in self.checks if not c.ok]
        if not failed and self.checks:
            return "valid"
        if not self.checks:
            return "invalid"
        codes = {c.code for c in failed}
        if any(c.code not in _SOFT_CODES and c.code not in _UNCONFIRMED_CODES for c in failed):
            return "invalid"
        if codes & _UNCONFIRMED_CODES:
            return "unconfirmed"
        for status in ("revoked", "suspended", "expired", "not_yet_valid"):
            if status in codes:
                return status
        return "invalid"  # pragma: no cover - every soft code is listed above

    @property
    def verified(self) -> bool:
        """True when every check passed (warnings allowed)."""
        return self.status == "valid"

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it ran."""
        for c in self.checks:
            if c.name == name:
                return c
        return None

    @property
    def failed(self) -> list[Check]:
        """The checks that did not pass."""
        return [c for c in self.checks if not c.ok]

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``verified``, ``status``, ``format``, ``summary``,
        ``checks``, ``warnings``, ``nested``, and the ``credential``)."""
        out: dict[str, Any] = {
            "verified": self.verified,
            "status": self.status,
            "format": self.format,
            "summary": self.summary,
            "checks": [c.to_json() for c in self.checks],
            "warnings": [c.to_json() for c in self.warnings],
            "nested": [n.to_json() for n in self.nested],
            "credential": self.credential,
        }
        if self.path:
            out["path"] = self.path
        return out

    # -- building ------------------------------------------------------------------------

    def ok(self, name: str, message: str) -> None:
        self.checks.append(Check(name, True, "ok", message))

    def fail(self, name: str, code: str, message: str) -> None:
        self.checks.append(Check(name, False, code, message))

    def warn(self, name: str, code: str, message: str) -> None:
        self.warnings.append(Check(name, True, code, message))


# Failure codes that do not make a credential "invalid" on their own.
_SOFT_CODES: Final = frozenset({"revoked", "suspended", "expired", "not_yet_valid"})
# Failure codes that make it "unconfirmed" (when nothing makes it invalid): an intact signature
# by a key that nothing the issuer publishes vouches for — the credential's own, a status
# list's, or a nested credential's or endorsement's.
_UNCONFIRMED_CODES: Final = frozenset(
    {"issuer_key_unconfirmed", "status_list_unconfirmed", "nested_unconfirmed"}
)


@dataclass
class _Context:
    """What one call of :func:`verify` shares with the verification of nested credentials."""

    now: datetime
    status_lists: dict[str, Any]
    documents: dict[str, Any]
    budget: int = MAX_NESTED_CREDENTIALS
    verified_lists: dict[str, Report] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------


def verify(
    data: bytes | str | Mapping[str, Any],
    *,
    now: datetime | None = None,
    status_lists: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None,
) -> Report:
    """Verify a credential and report every check.

    ``data`` is the credential as bytes (JSON, compact JWT, PNG or SVG), text (JSON or JWT), or
    an already parsed JSON object. ``now`` (timezone-aware; default: the current time) is the
    moment the validity window and status lists are judged at. ``status_lists`` maps each
    ``statusListCredential`` URL to the list credential found there (a parsed object, JSON text
    or bytes, or a compact JWT). ``documents`` maps URLs/DIDs to controller (DID) documents used
    to resolve verification methods that are not self-describing. Nothing is fetched.

    Never raises for bad input: the returned :class:`Report` says what was wrong.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    ctx = _Context(now=now, status_lists=dict(status_lists or {}), documents=dict(documents or {}))
    report = Report()
    try:
        _verify_input(data, report, ctx)
    except RecursionError:
        report.fail("parse", "malformed", "The data is nested too deeply to be checked.")
    except MemoryError:
        report.fail("parse", "too_large", "The data is too large to be checked.")
    except VCError as exc:
        # A helper raised where we expected a report entry; still a clean report.
        report.fail("parse", exc.code, exc.message)
    except Exception as exc:  # last resort: verify() never raises for bad input
        report.fail(
            "parse",
            "check_error",
            f"The data could not be checked ({type(exc).__name__}), so it cannot be trusted.",
        )
    return report


def _verify_input(data: object, report: Report, ctx: _Context) -> None:
    if isinstance(data, Mapping):
        report.format = "json"
        try:
            credential = _normalise_mapping(data)
        except VCError as exc:
            report.fail("parse", exc.code, exc.message)
            return
        report.ok("parse", "The credential is a JSON object.")
        _verify_credential(credential, report, ctx, depth=0)
        return
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes | str):
        report.fail(
            "parse",
            "unsupported_format",
            "This is not something that can hold a credential (expected a file's contents, "
            "text or a JSON object).",
        )
        return
    if isinstance(data, bytes) and data.startswith(_PNG_SIGNATURE):
        report.format = "png"
        _verify_baked(data, report, ctx, "png")
        return
    text = _as_text(data, report)
    if text is None:
        return
    stripped = text.strip()
    if stripped.startswith("<"):
        report.format = "svg"
        _verify_baked(data, report, ctx, "svg")
        return
    _verify_text(stripped, report, ctx)


def _verify_text(text: str, report: Report, ctx: _Context) -> None:
    if text.startswith("{"):
        report.format = "json"
        try:
            value = limits.load_json(text, what="credential")
        except VCError as exc:
            report.fail("parse", exc.code, exc.message)
            return
        if not isinstance(value, dict):  # pragma: no cover - "{" always parses to a dict
            report.fail("parse", "malformed", "The data is JSON but not a JSON object.")
            return
        report.ok("parse", "The credential is a JSON object.")
        _verify_credential(value, report, ctx, depth=0)
        return
    if _COMPACT_JWS.fullmatch(text):
        report.format = "jwt"
        _verify_jwt(text, report, ctx, depth=0)
        return
    if text[:1] in ("[", '"') or text[:1].isdigit() or text in ("true", "false", "null"):
        report.fail(
            "parse",
            "malformed",
            "The data is JSON but not a JSON object, so it cannot be a credential.",
        )
        return
    if not text:
        report.fail("parse", "malformed", "The input is empty.")
        return
    report.fail(
        "parse",
        "unsupported_format",
        "This is not a credential format we recognise (expected JSON, a JWT, a PNG or an SVG).",
    )


def _as_text(data: bytes | str, report: Report) -> str | None:
    try:
        limits.check_size(data, limits.MAX_IMAGE_BYTES)
    except InputTooLarge as exc:
        report.fail("parse", exc.code, exc.message)
        return None
    if isinstance(data, str):
        return data
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        report.fail(
            "parse",
            "unsupported_format",
            "This file is not a credential: it is binary data that is not a PNG image.",
        )
        return None


def _normalise_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a caller's Mapping into plain JSON (and apply the same limits as to text)."""
    limits.check_depth(data)
    try:
        text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise MalformedInput(f"The credential holds a value that is not JSON ({exc}).") from None
    value = limits.load_json(text, what="credential")
    if not isinstance(value, dict):  # pragma: no cover - a Mapping dumps to an object
        raise MalformedInput("The credential is not a JSON object.")
    return value


# ---------------------------------------------------------------------------------------------
# Baked images and JWTs
# ---------------------------------------------------------------------------------------------


def _verify_baked(
    data: bytes | str, report: Report, ctx: _Context, kind: Literal["png", "svg"]
) -> None:
    try:
        limits.check_size(data, limits.MAX_IMAGE_BYTES, what="image")
        ob_version, payload = _backend.extract_baked(data, kind)
    except VCError as exc:
        report.fail("parse", exc.code, f"The image could not be read: {exc.message}")
        return
    payload = payload.strip()
    where = "PNG image" if kind == "png" else "SVG image"
    if ob_version != "3.0":
        report.fail(
            "parse",
            "ob2_unsupported",
            f"The {where} holds an older Open Badges {ob_version} badge; this verifier checks "
            "Open Badges 3.0 credentials.",
        )
        return
    if payload.startswith("{"):
        try:
            value = limits.load_json(payload, what="credential")
        except VCError as exc:
            report.fail(
                "parse", exc.code, f"The {where} holds a credential that {_lower(exc.message)}"
            )
            return
        report.ok("parse", f"The {where} holds a credential (JSON).")
        _verify_credential(value, report, ctx, depth=0)
    elif _COMPACT_JWS.fullmatch(payload):
        _verify_jwt(payload, report, ctx, depth=0, where=where)
    else:
        report.fail(
            "parse", "baking_invalid", f"The {where} holds data that is neither JSON nor a JWT."
        )


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:]


def _lower(message: str) -> str:
    # "The input is not valid JSON (...)." -> "is not valid JSON (...)."
    for prefix in ("The credential ", "The input ", "The data "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message[:1].lower() + message[1:]


def _b64url_json(segment: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise MalformedInput(f"The JWT's {what} is not base64url.") from None
    return limits.load_json(raw, what=f"JWT {what}")


def _verify_jwt(
    token: str, report: Report, ctx: _Context, *, depth: int, where: str | None = None
) -> None:
    """A VC-JOSE (VC 2.0: the payload is the credential) or VC-JWT 1.1 (``vc`` claim) token."""
    prefix = f"The {where} holds a credential as a JWT" if where else "The credential is a JWT"
    try:
        limits.check_size(token, limits.MAX_JSON_BYTES, what="JWT")
        header_b64, payload_b64, _ = token.split(".")
        header = _b64url_json(header_b64, "header")
        payload = _b64url_json(payload_b64, "payload")
    except VCError as exc:
        report.fail("parse", exc.code, exc.message)
        return
    if not isinstance(header, dict) or not isinstance(payload, dict):
        report.fail("parse", "malformed", f"{prefix}, but its header or payload is not an object.")
        return
    if isinstance(payload.get("vc"), dict):  # VC-JWT for VC 1.1: the credential is the vc claim
        credential = dict(payload["vc"])
    else:
        # VC-JOSE-COSE (VC 2.0): the payload is the credential, next to JWT claims (RFC 7519
        # §4.1) that are not part of the JSON-LD document and so are left out of its checks.
        credential = {k: v for k, v in payload.items() if k not in _JWT_CLAIMS}
    if "@context" not in credential:
        report.fail("parse", "malformed", f"{prefix} that does not contain a credential.")
        return
    report.ok("parse", f"{prefix} (signed with {str(header.get('alg'))[:20]}).")
    _verify_credential(credential, report, ctx, depth=depth, jwt=(token, header, payload))


# ---------------------------------------------------------------------------------------------
# The credential checks
# ---------------------------------------------------------------------------------------------


def _types(obj: object) -> list[str]:
    if not isinstance(obj, Mapping):
        return []
    return [t for t in _as_list(obj.get("type")) if isinstance(t, str)]


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _verify_credential(
    credential: dict[str, Any],
    report: Report,
    ctx: _Context,
    *,
    depth: int,
    jwt: tuple[str, dict[str, Any], dict[str, Any]] | None = None,
) -> None:
    if depth == 0 or jwt is not None:  # (a JWT's payload was not part of the outer document)
        try:
            limits.check_structure(credential)
        except VCError as exc:
            # Before any JSON-LD work, whose cost grows fast with list lengths.
            report.fail("parse", exc.code, exc.message)
            return
    report.credential = credential
    report.summary = _guarded_summary(credential)
    proofs = credential.get("proof")
    if isinstance(proofs, list) and len(proofs) > limits.MAX_PROOFS:
        # Refuse before any JSON-LD work: each proof would be expanded and canonicalised.
        report.fail(
            "proof",
            "too_large",
            f"The credential carries {len(proofs)} proofs; at most {limits.MAX_PROOFS} are "
            "accepted, so it was not checked further.",
        )
        return
    context_ok = _run("context", report, lambda: _check_context(credential, report))
    _run("type", report, lambda: _check_type(credential, report))
    # Before any JSON-LD work (safe mode, canonicalisation): what the checks read must be what
    # the signature covers, and inline contexts never reach pyld.
    plain = _run("plain_form", report, lambda: _check_plain_form(credential, report))
    safe = (
        context_ok
        and plain
        and _run("safe_mode", report, lambda: _check_safe_mode(credential, report))
    )
    _run("schema", report, lambda: _check_schema(credential, report))
    if jwt is not None:
        _run("proof", report, lambda: _check_jwt_proof(credential, jwt, report, ctx))
    elif safe:
        _run("proof", report, lambda: _check_proofs(credential, report, ctx))
    elif context_ok and not plain:
        report.fail(
            "proof",
            "not_checked",
            "The signature was not checked, because the credential is written in a form these "
            "checks do not read (see the plain-form check).",
        )
    elif context_ok:
        # eddsa-rdfc-2022 canonicalises in safe mode, so it would fail for the same reason.
        report.fail(
            "proof",
            "not_checked",
            "The signature was not checked, because the credential contains data that its "
            "contexts do not define (see the safe-mode check).",
        )
    else:
        report.fail(
            "proof",
            "context_unknown",
            "The signature could not be checked because the credential's contexts could not be "
            "used.",
        )
    jwt_payload = jwt[2] if jwt else None
    _run(
        "validity",
        report,
        lambda: _check_validity(credential, report, ctx, jwt_payload=jwt_payload),
    )
    _run("status", report, lambda: _check_status(credential, report, ctx, depth=depth))
    _run("credentials", report, lambda: _check_nested(credential, report, ctx, depth=depth))


def _run(name: str, report: Report, check: Callable[[], bool | None]) -> bool:
    """Run one check; whatever goes wrong inside becomes a failed check, never an exception.

    Returns what the check returns (True when it has no opinion)."""
    before = len(report.checks)
    try:
        result = check()
    except VCError as exc:
        del report.checks[before:]
        report.fail(name, exc.code, exc.message)
        return False
    except RecursionError:
        del report.checks[before:]
        report.fail(name, "malformed", "The data is nested too deeply to be checked.")
        return False
    except Exception as exc:  # a bug or an unexpected shape: fail closed, say so plainly
        del report.checks[before:]
        report.fail(
            name,
            "check_error",
            f"This check could not be completed on this data ({type(exc).__name__}), so the "
            "credential cannot be trusted.",
        )
        return False
    return True if result is None else result


def _guarded_summary(credential: Mapping[str, Any]) -> str:
    try:
        return summarise(credential)
    except Exception:  # the summary is a courtesy; never let it break verification
        return ""


# -- context ----------------------------------------------------------------------------------


def _check_context(credential: Mapping[str, Any], report: Report) -> bool:
    contexts = credential.get("@context")
    if contexts is None:
        report.fail(
            "context",
            "context_missing",
            "The credential has no @context, so it is not a W3C Verifiable Credential.",
        )
        return False
    items = _as_list(contexts)
    first = items[0] if items else None
    if first == VC1_CONTEXT:
        report.warn(
            "context",
            "vc_1_1",
            "This credential uses the older Verifiable Credentials 1.1 format; it is accepted, "
            "but new credentials should use version 2.0.",
        )
    elif first != VC2_CONTEXT:
        report.fail(
            "context",
            "context_invalid",
            "The credential's first @context must be the W3C Verifiable Credentials context "
            f"({VC2_CONTEXT}).",
        )
        return False
    urls = [c for c in items if isinstance(c, str)]
    for c in items:
        if not isinstance(c, str | Mapping):
            report.fail(
                "context", "context_invalid", "An @context entry is neither a URL nor an object."
            )
            return False
    types = set(_types(credential))
    wants_ob = bool(types & (OB_TYPES | {"EndorsementCredential", "ClrCredential"}))
    ob_contexts = [u for u in urls if _OB_CONTEXT.fullmatch(u)]
    if wants_ob and not ob_contexts:
        report.fail(
            "context",
            "context_invalid",
            "The credential is an Open Badge but does not use the Open Badges 3.0 context.",
        )
        return False
    if "ClrCredential" in types and not any(_CLR_CONTEXT.fullmatch(u) for u in urls):
        report.fail(
            "context",
            "context_invalid",
            "The credential is a Comprehensive Learner Record but does not use the CLR 2.0 "
            "context.",
        )
        return False
    unknown = [u for u in urls if not _backend.context_known(u)]
    if unknown:
        report.fail(
            "context",
            "context_unknown",
            f"The credential uses a context we do not know ({unknown[0][:200]}); it was not "
            "fetched, so the credential cannot be checked.",
        )
        return False
    if first == VC2_CONTEXT and ob_contexts and OB_CONTEXT_LATEST not in ob_contexts:
        report.warn(
            "context",
            "context_outdated",
            f"The credential uses an older version of the Open Badges context ({ob_contexts[0]}); "
            f"the current one is {OB_CONTEXT_LATEST}.",
        )
    report.ok("context", "The credential uses known, standard contexts.")
    return True


# -- type -------------------------------------------------------------------------------------


def _check_type(credential: Mapping[str, Any], report: Report) -> None:
    raw = credential.get("type")
    if not isinstance(raw, str | list) or not all(isinstance(t, str) for t in _as_list(raw)):
        report.fail(
            "type", "type_invalid", "The credential's type is missing or not a list of names."
        )
        return
    types = _types(credential)
    if "VerifiableCredential" not in types:
        report.fail(
            "type", "type_invalid", "The credential does not say it is a VerifiableCredential."
        )
        return
    known = [t for t in types if t in CREDENTIAL_TYPES]
    if not known:
        others = ", ".join(t for t in types if t != "VerifiableCredential")[:200] or "none"
        report.fail(
            "type",
            "type_invalid",
            f"This is not a kind of credential we check (its type is {others}); expected an Open "
            "Badge, an endorsement, a Comprehensive Learner Record or a status list.",
        )
        return
    report.ok("type", f"The credential is {_KIND[known[0]]}.")


_KIND: Final = {
    "OpenBadgeCredential": "an Open Badge",
    "AchievementCredential": "an Open Badge",
    "EndorsementCredential": "an endorsement",
    "ClrCredential": "a Comprehensive Learner Record",
    "BitstringStatusListCredential": "a status list",
}


# -- plain form -------------------------------------------------------------------------------

# Where a credential (or a proof) starts inside another one, and so may carry its own @context.
_CONTEXT_HOLDERS: Final = frozenset({"proof", "verifiableCredential", "endorsement"})
_MAX_FORM_PROBLEMS: Final = 10


def _is_term(name: str) -> bool:
    """A plain term: not a JSON-LD keyword (``@…``), not a full or prefixed IRI (``…:…``)."""
    return bool(name) and not name.startswith("@") and ":" not in name


# VC DM 2.0 §11.1 language value objects, accepted only as the value of these properties.
_TEXT_PROPERTIES: Final = frozenset({"name", "description"})
_VALUE_OBJECT_KEYS: Final = frozenset({"@value", "@language", "@direction"})
# BCP 47 well-formedness as jsonld.js checks it for @language.
_LANGUAGE_TAG: Final = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", re.ASCII)
# An absolute IRI as JSON-LD tells it (a scheme, a colon, no white space).
_ABSOLUTE_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\ufeff]+")


def _is_language_value(value: object) -> bool:
    """A language value object: ``@value`` (a string), optionally ``@language`` (a well-formed
    language tag) and ``@direction`` (``ltr`` or ``rtl``), and nothing else."""
    return (
        isinstance(value, Mapping)
        and "@value" in value
        and set(value) <= _VALUE_OBJECT_KEYS
        and isinstance(value["@value"], str)
        and (
            "@language" not in value
            or (
                isinstance(value["@language"], str)
                and _LANGUAGE_TAG.fullmatch(value["@language"]) is not None
            )
        )
        and ("@direction" not in value or value["@direction"] in ("ltr", "rtl"))
    )


def _type_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a type in the plain form, or None.

    A plain term is fine. An absolute IRI (``https://example.org/SomeType``) is fine unless it
    is the full IRI of a term one of our bundled contexts defines (``…/status#Bitstring
    StatusListEntry`` would hide the status entry from the checks, which read terms) or its
    scheme is a term a context defines (then JSON-LD reads it as a prefixed name)."""
    if _is_term(name):
        return None
    if name.startswith("@") or not _ABSOLUTE_IRI.fullmatch(name):
        return "a full or prefixed name rather than the term its context defines"
    prefix, _, suffix = name.partition(":")
    iris, terms = _backend.defined_terms()
    if prefix == "_" or (prefix in terms and not suffix.startswith("//")):
        return "a prefixed name rather than the term its context defines"
    if name in iris:
        return "the full name of a type its contexts define, rather than the term itself"
    return None


def _plain_form_problems(credential: Mapping[str, Any]) -> list[str]:
    """What in ``credential`` is not in the plain form the checks read (see ``plain_form``)."""
    problems: list[str] = []
    stack: list[tuple[str, Any, bool]] = [("", credential, True)]
    while stack and len(problems) < _MAX_FORM_PROBLEMS:  # iterative: stay flat
        path, node, holds_context = stack.pop()
        if isinstance(node, list):
            stack.extend(
                (f"{path}[{i}]", item, holds_context) for i, item in reversed(list(enumerate(node)))
            )
            continue
        if not isinstance(node, Mapping):
            continue
        children: list[tuple[str, Any, bool]] = []
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key == "@context":
                if not holds_context:
                    problems.append(
                        f"an @context inside {_clip(path, 80)} (only a credential or a proof may "
                        "have one)"
                    )
                elif not (
                    isinstance(value, str)
                    or (isinstance(value, list) and all(isinstance(c, str) for c in value))
                ):
                    problems.append(
                        f"an @context at {_clip(where, 80)} that defines terms itself (only "
                        "context URLs are accepted)"
                    )
                continue
            if not _is_term(key):
                what = "the JSON-LD keyword" if key.startswith("@") else "the full or prefixed name"
                problems.append(
                    f"{what} “{_clip(key, 80)}” at {_clip(path or 'the top level', 80)}"
                )
                continue
            if key == "type":
                names = value if isinstance(value, list) else [value]
                for name in names:
                    if not isinstance(name, str):
                        problems.append(f"a type at {_clip(where, 80)} that is not a name")
                    elif (why := _type_name_problem(name)) is not None:
                        problems.append(
                            f"the type “{_clip(name, 80)}” at {_clip(where, 80)} ({why})"
                        )
                continue
            if key in _TEXT_PROPERTIES:
                # A language value object (or a list with some) is text with a language: it
                # holds nothing the checks read. Anything else in it is walked as usual.
                if _is_language_value(value):
                    continue
                if isinstance(value, list):
                    children.extend(
                        (f"{where}[{i}]", item, False)
                        for i, item in enumerate(value)
                        if not _is_language_value(item)
                    )
                    continue
            children.append((where, value, key in _CONTEXT_HOLDERS))
        stack.extend(reversed(children))
    return problems


def _check_plain_form(credential: Mapping[str, Any], report: Report) -> bool:
    problems = _plain_form_problems(credential)
    if problems:
        shown = "; ".join(problems[:3])
        if len(problems) > 3:
            shown += "; and more"
        report.fail(
            "plain_form",
            "not_plain_form",
            "The credential spells some of its data in a form these checks do not read: "
            f"{shown}. A signature covers what the data means, not how it is spelled, so such "
            "spellings could hide an expiry date, a revocation or a credential inside from the "
            "checks; credentials must use the plain names their contexts define.",
        )
        return False
    report.ok("plain_form", "The credential uses the plain names its contexts define.")
    return True


# -- safe mode --------------------------------------------------------------------------------


def _check_safe_mode(credential: Mapping[str, Any], report: Report) -> bool:
    try:
        _backend.check_safe(credential)
    except VCError as exc:
        report.fail(
            "safe_mode",
            exc.code,
            "The credential contains names (properties or types) that its contexts do not define, "
            f"so they would not be protected by the signature: {exc.message}",
        )
        return False
    report.ok("safe_mode", "Every property and type in the credential is defined.")
    return True


# -- schema -----------------------------------------------------------------------------------

# Where the official schema wants a list but issuers (1EdTech's own example among them) emit a
# single value. Top-level keys, and the objects whose "type" the schema wants as a list.
_LIST_KEYS: Final = ("proof", "credentialSchema", "evidence", "termsOfUse", "endorsement")
_LIST_TYPED: Final = frozenset(
    {
        # The $defs whose "type" the official schemas declare as an array (checked against
        # achievementcredential.json and endorsementcredential.json).
        "AchievementSubject",
        "Achievement",
        "Address",
        "Alignment",
        "EndorsementSubject",
        "Evidence",
        "Profile",
        "Related",
        "Result",
        "ResultDescription",
        "RubricCriterionLevel",
    }
)


def normalise_for_schema(credential: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``credential`` with single values turned into one-item lists where the official
    OB 3.0 schema wants lists, and VC 1.1 names mapped to VC 2.0 ones — in the credential and in
    every credential embedded in it (CLR members, endorsements). Returns the copy and what was
    changed, in words."""
    changes: dict[str, None] = {}
    doc = json.loads(json.dumps(credential))
    stack: list[Any] = [doc]
    while stack:  # iterative: depth is bounded by the limits already, but stay flat anyway
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "@context" in node:
            _normalise_credential(node, changes)
        t = node.get("type")
        if isinstance(t, str) and t in _LIST_TYPED:
            node["type"] = [t]
            changes["single type names as one-item lists"] = None
        stack.extend(v for k, v in node.items() if k != "@context")
    return doc, list(changes)


def _normalise_credential(node: dict[str, Any], changes: dict[str, None]) -> None:
    for key in _LIST_KEYS:
        value = node.get(key)
        if value is not None and not isinstance(value, list):
            node[key] = [value]
            changes[f"a single {key} object as a one-item list"] = None
    contexts = node.get("@context")
    if isinstance(contexts, list) and contexts and contexts[0] == VC1_CONTEXT:
        node["@context"] = [VC2_CONTEXT, *contexts[1:]]
        if "issuanceDate" in node and "validFrom" not in node:
            node["validFrom"] = node.pop("issuanceDate")
        if "expirationDate" in node and "validUntil" not in node:
            node["validUntil"] = node.pop("expirationDate")
        changes["the VC 1.1 issuanceDate/expirationDate as validFrom/validUntil"] = None


def _check_schema(credential: Mapping[str, Any], report: Report) -> None:
    types = set(_types(credential))
    which: str
    if types & OB_TYPES:
        which, what = "achievementcredential", "Open Badges 3.0"
    elif "EndorsementCredential" in types:
        which, what = "endorsementcredential", "Open Badges 3.0"
    elif "ClrCredential" in types:
        which, what = "clr", "CLR 2.0"
    else:
        return  # status lists have no OB schema
    doc, changes = normalise_for_schema(credential)
    statuses = doc.get("credentialStatus")
    if isinstance(statuses, list) and statuses:
        # VC 2.0 allows several status entries (revocation and suspension); the OB 3.0 schema
        # describes one object. Each entry is checked in turn as that one object.
        problems: list[str] = []
        for entry in statuses[:8]:
            for problem in _backend.schema_errors({**doc, "credentialStatus": entry}, which):
                if problem not in problems:
                    problems.append(problem)
        if len(statuses) > 1:
            changes.append("several credentialStatus entries one by one")
    else:
        problems = _backend.schema_errors(doc, which)
    # Say what was read leniently: issuers (1EdTech's own example among them) write these.
    note = f" (after reading {'; '.join(changes)})" if changes else ""
    if problems:
        shown = "; ".join(problems[:3])
        if len(problems) > 3:
            shown += f"; and {len(problems) - 3} more"
        report.fail(
            "schema",
            "schema_invalid",
            f"The credential does not follow the official {what} schema{note}: {shown}",
        )
        return
    for entry in _as_list(credential.get("credentialSchema")):
        sid = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(sid, str) and not _backend.schema_known(sid):
            report.warn(
                "schema",
                "schema_not_checked",
                f"The credential also names the schema {_clip(sid, 200)}, which we do not hold "
                "and never fetch, so it was not checked.",
            )
    report.ok("schema", f"The credential follows the official {what} schema{note}.")


# -- proofs -----------------------------------------------------------------------------------


_LEGACY_SUITES: Final = {
    "Ed25519Signature2020": "Ed25519Signature2020",
    "eddsa-2022": "eddsa-2022 (the draft name of eddsa-rdfc-2022)",
}


def _legacy_name(proof: Mapping[str, Any]) -> str | None:
    """The older signature formats we still read (with a warning): the same Ed25519 over
    RDFC-1.0 hashing as eddsa-rdfc-2022, under their earlier names."""
    if proof.get("type") == "Ed25519Signature2020":
        return _LEGACY_SUITES["Ed25519Signature2020"]
    if proof.get("type") == "DataIntegrityProof" and proof.get("cryptosuite") == "eddsa-2022":
        return _LEGACY_SUITES["eddsa-2022"]
    return None


def _check_proofs(credential: dict[str, Any], report: Report, ctx: _Context) -> None:
    proofs = _as_list(credential.get("proof"))
    if not proofs:
        report.fail(
            "proof",
            "proof_missing",
            "The credential is not signed (it has no proof), so nobody can tell who issued it.",
        )
        return
    if not all(isinstance(p, Mapping) for p in proofs):
        report.fail("proof", "proof_invalid", "A proof in the credential is not an object.")
        return
    try:
        signers = _backend.verify_proofs(credential, ctx.documents, ctx.now)
    except VCError as exc:
        report.fail(
            "proof",
            exc.code,
            f"The signature does not check out, so the credential cannot be trusted: {exc.message}",
        )
        return
    for signer in signers:
        if signer.legacy:
            report.warn(
                "proof",
                "proof_legacy",
                f"The credential is signed in an older format ({signer.legacy}); the signature is "
                "valid, but new credentials should use eddsa-rdfc-2022.",
            )
    report.ok(
        "proof",
        "The signature is valid: the credential has not been changed since it was signed."
        if len(signers) == 1
        else f"All {len(signers)} signatures are valid: the credential has not been changed "
        "since it was signed.",
    )
    _check_issuer_key(credential, signers, report)


# How a key may be found for it to count as the issuer's (keys.ResolvedKey.source): computed
# from the issuer's own did:key, or listed in a controller document the caller supplied.
_CONFIRMED_SOURCES: Final = frozenset({"did:key", "controller-document"})


@dataclass(frozen=True)
class _Signer:
    """Who signed: the verification method and the controller of its key."""

    verification_method: str
    controller: str
    legacy: str | None = None
    #: How the key was found (keys.ResolvedKey.source): "did:key", "controller-document", or
    #: "fragment" — a key read from the verification method id itself, which nothing published
    #: by the issuer vouches for.
    key_source: str = ""


def _check_issuer_key(
    credential: Mapping[str, Any], signers: Iterable[_Signer], report: Report
) -> None:
    """The key that signed must be controlled by the issuer (OB 3.0 §8.3 / VC DI §4.4)."""
    issuer = _issuer_id(credential)
    if issuer is None:
        report.fail(
            "issuer_key",
            "issuer_missing",
            "The credential does not name its issuer, so the signing key cannot be tied to anyone.",
        )
        return
    signers = list(signers)
    issuers_signers = [s for s in signers if s.controller == issuer]
    if issuers_signers:
        if any(s.key_source in _CONFIRMED_SOURCES for s in issuers_signers):
            report.ok(
                "issuer_key", f"The signing key belongs to the issuer ({_clip(issuer, 200)})."
            )
            return
        # The `<issuer id>#<publicKeyMultibase>` convention (what the 1EdTech validator
        # accepts) only names a key under the issuer's address: anyone can generate a key and
        # write that. Only the issuer's own published keys (its DID or controller document)
        # show that it holds the key, so without them the credential is not verified.
        report.fail(
            "issuer_key",
            "issuer_key_unconfirmed",
            "The signature is intact, but nothing confirms that the key which made it is the "
            f"issuer's: the key is only named under the issuer's address "
            f"({_clip(issuers_signers[0].verification_method, 200)}), and anyone can make such "
            "a key. Obtain the issuer's published key document (its DID document or controller "
            f"document, from {_clip(issuer, 200)}) and verify again with it "
            "(mosaics vc verify --document FILE).",
        )
        return
    other = signers[0].controller if signers else "nobody"
    report.fail(
        "issuer_key",
        "issuer_key_mismatch",
        f"The credential was signed with a key of {_clip(other, 200)}, not of its issuer "
        f"({_clip(issuer, 200)}); anyone can make such a signature, so it does not show that "
        "the issuer issued it.",
    )


def _check_jwt_proof(
    credential: Mapping[str, Any],
    jwt: tuple[str, dict[str, Any], dict[str, Any]],
    report: Report,
    ctx: _Context,
) -> None:
    token, _header, _payload = jwt
    if "proof" in credential:
        report.warn(
            "proof",
            "proof_ignored",
            "The JWT's credential also carries an embedded proof; only the JWT signature was "
            "checked.",
        )
    try:
        signer = _backend.verify_jwt(token, ctx.documents)
    except VCError as exc:
        report.fail(
            "proof",
            exc.code,
            f"The JWT signature does not check out, so the credential cannot be trusted: "
            f"{exc.message}",
        )
        return
    report.ok(
        "proof",
        "The JWT signature is valid: the credential has not been changed since it was signed.",
    )
    _check_issuer_key(credential, [signer], report)


# -- validity window --------------------------------------------------------------------------


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not _XSD_DATETIME.fullmatch(value):
        return None
    text = value.replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def _fmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_validity(
    credential: Mapping[str, Any],
    report: Report,
    ctx: _Context,
    *,
    jwt_payload: Mapping[str, Any] | None = None,
) -> None:
    # Every bound that is given counts: the window starts at the latest start and ends at the
    # earliest end (a VC 1.1 credential may carry both validUntil and expirationDate; a JWT's
    # nbf/exp are signed too).
    starts: list[datetime] = []
    ends: list[datetime] = []
    for key in ("validFrom", "issuanceDate", "validUntil", "expirationDate"):
        if key not in credential:
            continue
        when = _parse_datetime(credential[key])
        if when is None:
            report.fail(
                "validity",
                "malformed",
                f"The credential's {key} is not a valid date and time.",
            )
            return
        (starts if key in ("validFrom", "issuanceDate") else ends).append(when)
    if jwt_payload is not None:
        for claim, bounds in (("nbf", starts), ("exp", ends)):
            if claim not in jwt_payload:
                continue
            raw = jwt_payload[claim]
            try:
                if not isinstance(raw, int | float) or isinstance(raw, bool):
                    raise ValueError(claim)
                bounds.append(datetime.fromtimestamp(raw, UTC))
            except (OverflowError, OSError, ValueError):
                report.fail("validity", "malformed", f"The JWT's {claim} is not a valid time.")
                return
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start and end and end < start:
        report.fail(
            "validity",
            "validity_invalid",
            "The credential's validity ends before it begins.",
        )
        return
    if start and ctx.now < start:
        report.fail(
            "validity",
            "not_yet_valid",
            f"The credential is not valid yet: it becomes valid on {_fmt(start)}.",
        )
        return
    if end and ctx.now >= end:
        report.fail(
            "validity", "expired", f"The credential has expired: it was valid until {_fmt(end)}."
        )
        return
    if end:
        report.ok("validity", f"The credential is within its validity period (until {_fmt(end)}).")
    else:
        report.ok("validity", "The credential is valid now (it does not expire).")


# -- status -----------------------------------------------------------------------------------


def _check_status(
    credential: Mapping[str, Any], report: Report, ctx: _Context, *, depth: int
) -> None:
    entries = _as_list(credential.get("credentialStatus"))
    if not entries:
        return
    if len(entries) > MAX_STATUS_ENTRIES:
        # Checking only some would let a revocation hide behind the rest.
        report.fail(
            "status",
            "too_large",
            f"The credential has {len(entries)} status entries; at most {MAX_STATUS_ENTRIES} "
            "can be checked, so whether it was revoked cannot be told.",
        )
        return
    for entry in entries:
        problem = _status_entry_problem(entry)
        if problem:
            # Fail closed: an entry we cannot read as written might be one the signature covers
            # in another spelling (a list URL as {"id": …}, split entries with the same id, …).
            report.fail(
                "status",
                "status_entry_invalid",
                f"A status entry of the credential {problem}, so whether it was revoked or "
                "suspended cannot be told.",
            )
            return
    issuer = _issuer_id(credential)
    unchecked = 0
    set_purposes: list[str] = []
    for entry in entries:
        types = _types(entry)
        if "BitstringStatusListEntry" not in types:
            unchecked += 1
            report.warn(
                "status",
                "status_unsupported",
                f"The credential's status ({', '.join(types)[:100] or 'of no type'}) is of a kind "
                "we cannot check offline, so whether it was revoked is unknown.",
            )
            continue
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or url not in ctx.status_lists:
            unchecked += 1
            report.warn(
                "status",
                "status_not_checked",
                "Whether the credential was revoked or suspended could not be checked offline "
                f"(its status list {str(url)[:200]} was not supplied).",
            )
            continue
        list_credential = _verified_status_list(url, issuer, report, ctx, depth=depth)
        if list_credential is None:
            return
        try:
            results = _backend.check_status_entry(entry, url, list_credential, ctx.now)
        except VCError as exc:
            report.fail(
                "status", exc.code, f"The credential's status could not be read: {exc.message}"
            )
            return
        for result in results:
            for note in result.notes:
                report.warn("status", "status_nonstandard", f"The status entry is unusual: {note}.")
            if result.is_set:
                set_purposes.append(result.purpose)
    if "revocation" in set_purposes:
        report.fail("status", "revoked", "The issuer has revoked this credential.")
    elif "suspension" in set_purposes:
        report.fail("status", "suspended", "The issuer has suspended this credential for now.")
    elif unchecked < len(entries):
        for purpose in dict.fromkeys(set_purposes):  # e.g. "refresh" or "message": not a failure
            report.warn(
                "status",
                "status_flagged",
                f"The issuer has set this credential's {_clip(purpose, 50)} status.",
            )
        report.ok(
            "status",
            "The credential has not been revoked or suspended."
            if not unchecked
            else "The status lists that were supplied show no revocation or suspension.",
        )


def _status_entry_problem(entry: object) -> str | None:
    """Why a status entry does not have the shape the status check reads, or None."""
    if not isinstance(entry, Mapping):
        return "is not an object"
    kind = entry.get("type")
    if isinstance(kind, str):
        kinds = [kind]
    elif isinstance(kind, list) and kind and all(isinstance(k, str) for k in kind):
        kinds = kind
    else:
        return "has no type (or one that is not a name)"
    if "BitstringStatusListEntry" not in kinds:
        return None
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        return "does not give its status list as one URL (statusListCredential)"
    index = entry.get("statusListIndex")
    if not (isinstance(index, str) or (isinstance(index, int) and not isinstance(index, bool))):
        return "does not give its position in the list as one number (statusListIndex)"
    if not isinstance(entry.get("statusPurpose"), str):
        return "does not give its purpose as one word (statusPurpose)"
    return None


def _verified_status_list(
    url: str, issuer: str | None, report: Report, ctx: _Context, *, depth: int
) -> dict[str, Any] | None:
    """Verify the supplied list credential itself (proof, issuer, validity); None if it fails."""
    sub = ctx.verified_lists.get(url)
    if sub is None:
        # The list is verified like any credential, but without status lists of its own (a
        # list has no status) so that lists cannot send us round in circles. Once per call.
        sub = Report(path=f"statusListCredential {url}")
        sub_ctx = _Context(now=ctx.now, status_lists={}, documents=ctx.documents, budget=0)
        _verify_input(ctx.status_lists[url], sub, sub_ctx)
        ctx.verified_lists[url] = sub
    if sub.credential is None or "BitstringStatusListCredential" not in _types(sub.credential):
        report.fail(
            "status",
            "status_list_invalid",
            f"What was supplied as the status list {url[:200]} is not a status list credential.",
        )
        return None
    list_id = sub.credential.get("id")
    if list_id != url:
        # Otherwise another list of the same issuer (one where this bit is clear) could be
        # supplied, or served, in its place.
        report.fail(
            "status",
            "status_list_invalid",
            f"What was supplied as the status list {url[:200]} is the list "
            f"{_clip(str(list_id), 200)}, not the one the credential names, so it says nothing "
            "about this credential.",
        )
        return None
    # The list's own warnings are the credential's concern too (say which list they are about).
    for warning in sub.warnings:
        message = f"The status list {url[:200]}: {_lower_first(warning.message)}"
        if not any(w.message == message for w in report.warnings):
            report.warn("status", f"status_list_{warning.code}", message)
    if sub.status == "unconfirmed":
        reason = next((c.message for c in sub.failed if c.code in _UNCONFIRMED_CODES), "")
        report.fail(
            "status",
            "status_list_unconfirmed",
            f"The status list {url[:200]} cannot be relied on: {_lower_first(reason)}",
        )
        return None
    if not sub.verified:
        reason = sub.failed[0].message if sub.failed else "it did not verify"
        report.fail(
            "status",
            "status_list_invalid",
            f"The status list {url[:200]} could not be trusted: {reason}",
        )
        return None
    list_issuer = _issuer_id(sub.credential)
    if issuer is not None and list_issuer != issuer:
        report.fail(
            "status",
            "status_list_invalid",
            f"The status list {url[:200]} was published by {str(list_issuer)[:200]}, not by the "
            "credential's issuer, so it cannot revoke or vouch for it.",
        )
        return None
    return sub.credential


# -- nested credentials and endorsements ------------------------------------------------------


def _check_nested(
    credential: Mapping[str, Any], report: Report, ctx: _Context, *, depth: int
) -> None:
    found: dict[str, list[tuple[str, Any, _Shape]]] = {"credentials": [], "endorsements": []}
    if "ClrCredential" in _types(credential):
        subjects = _as_list(credential.get("credentialSubject"))
        for s_no, subject in enumerate(subjects):
            path = "credentialSubject" + (f"[{s_no}]" if len(subjects) > 1 else "")
            if not isinstance(subject, Mapping):
                # Its credentials would be elsewhere, out of the checks' sight: fail closed.
                report.fail(
                    "credentials",
                    "malformed",
                    f"The record's subject ({path}) is not an object, so the credentials it "
                    "holds cannot be checked.",
                )
                return
            for i, vc in enumerate(_as_list(subject.get("verifiableCredential"))):
                found["credentials"].append((f"{path}.verifiableCredential[{i}]", vc, "any"))
    found["endorsements"] = _find_endorsements(credential)
    for name, items in found.items():
        if not items:
            continue
        what = "credential" if name == "credentials" else "endorsement"
        if depth + 1 > MAX_CREDENTIAL_NESTING or len(items) > ctx.budget:
            report.fail(
                name,
                "too_large",
                f"The credential holds too many {what}s inside it to check "
                f"(at most {MAX_NESTED_CREDENTIALS}, {MAX_CREDENTIAL_NESTING} levels deep).",
            )
            continue
        ctx.budget -= len(items)
        invalid: list[Report] = []
        unconfirmed: list[Report] = []
        for path, item, shape in items:
            sub = Report(path=path)
            _verify_nested(item, sub, ctx, depth + 1, shape)
            report.nested.append(sub)
            if sub.status == "invalid":
                invalid.append(sub)
            elif sub.status == "unconfirmed":
                unconfirmed.append(sub)
            elif sub.status != "valid":
                report.warn(
                    name,
                    f"nested_{sub.status}",
                    f"The {what} at {path} is {_STATUS_WORDS[sub.status]}.",
                )
        if invalid:
            first = invalid[0]
            reason = first.failed[0].message if first.failed else "it did not verify"
            report.fail(
                name,
                "nested_invalid",
                f"{len(invalid)} of the {len(items)} {what}s inside do not verify; the first, at "
                f"{first.path}: {reason}",
            )
        elif unconfirmed:
            first = unconfirmed[0]
            reason = next((c.message for c in first.failed if c.code in _UNCONFIRMED_CODES), "")
            report.fail(
                name,
                "nested_unconfirmed",
                f"{len(unconfirmed)} of the {len(items)} {what}s inside cannot be confirmed as "
                f"their issuers'; the first, at {first.path}: {reason}",
            )
        elif all(sub.verified for sub in report.nested[-len(items) :]):
            report.ok(
                name,
                f"The {what} inside verifies."
                if len(items) == 1
                else f"All {len(items)} {what}s inside verify.",
            )
        else:
            report.ok(
                name,
                f"None of the {len(items)} {what}s inside is forged or broken, but not all are "
                "current (see the warnings).",
            )


_STATUS_WORDS: Final = {
    "unconfirmed": "unconfirmed (nothing confirms the key that signed it is its issuer's)",
    "expired": "expired",
    "not_yet_valid": "not valid yet",
    "revoked": "revoked",
    "suspended": "suspended",
    "invalid": "not valid",
    "valid": "valid",
}


_Shape = Literal["object", "jwt", "any"]
"""What a nested credential must be: a JSON object (``endorsement``), a compact JWT
(``endorsementJwt``), or either (a CLR's ``verifiableCredential``)."""


def _find_endorsements(credential: Mapping[str, Any]) -> list[tuple[str, Any, _Shape]]:
    """Embedded ``endorsement`` and ``endorsementJwt`` arrays (credential, issuer, achievement,
    achievement's creator, and nested profiles), with their paths. Not inside nested CLR
    credentials: those are verified on their own and find their own endorsements."""
    out: list[tuple[str, Any, _Shape]] = []
    stack: list[tuple[str, Any]] = [("", credential)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in ("@context", "proof", "verifiableCredential"):
                    continue
                child = f"{path}.{key}" if path else key
                if key in ("endorsement", "endorsementJwt"):
                    shape: _Shape = "object" if key == "endorsement" else "jwt"
                    out.extend((f"{child}[{i}]", e, shape) for i, e in enumerate(_as_list(value)))
                    continue
                stack.append((child, value))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(node))
    out.sort(key=lambda item: item[0])
    return out


def _verify_nested(
    item: object, report: Report, ctx: _Context, depth: int, shape: _Shape = "any"
) -> None:
    if isinstance(item, Mapping) and shape in ("object", "any"):
        report.format = "json"
        report.ok("parse", "The credential is a JSON object.")
        _verify_credential(dict(item), report, ctx, depth=depth)
    elif isinstance(item, str) and shape in ("jwt", "any") and _COMPACT_JWS.fullmatch(item.strip()):
        report.format = "jwt"
        _verify_jwt(item.strip(), report, ctx, depth=depth)
    elif shape == "object":
        report.fail("parse", "malformed", "This is not a credential object.")
    elif shape == "jwt":
        report.fail("parse", "malformed", "This is not a credential as a compact JWT.")
    else:
        report.fail("parse", "malformed", "This is neither a credential object nor a JWT.")


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def _text_of(value: object) -> str | None:
    """The text of a ``name``/``description``: a string, a language value object's ``@value``,
    a language map's first text, or the first of a list of those."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        if "@value" in value:  # a language value object (VC DM 2.0 §11.1)
            text = value["@value"]
            return text if isinstance(text, str) and text else None
        for text in value.values():  # a language map
            if isinstance(text, str) and text:
                return text
        return None
    if isinstance(value, list):
        for item in value[:20]:
            found = _text_of(item) if not isinstance(item, list) else None
            if found:
                return found
    return None


def _name_of(obj: object) -> str | None:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        for key in ("name", "id"):
            text = _text_of(obj.get(key))
            if text:
                return text
    return None


def _clip(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def summarise(credential: Mapping[str, Any]) -> str:
    """One plain sentence: who issued the credential, to whom, for what."""
    issuer = _name_of(credential.get("issuer")) or "an unnamed issuer"
    types = set(_types(credential))
    subjects = [s for s in _as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]
    subject = subjects[0] if subjects else {}
    recipient = _recipient(subject)
    if "BitstringStatusListCredential" in types:
        purpose = subject.get("statusPurpose")
        kind = f"{purpose} " if isinstance(purpose, str) else ""
        return _clip(f"A {kind}status list published by {issuer}.", 300)
    if "EndorsementCredential" in types:
        comment = subject.get("endorsementComment")
        target = subject.get("id") if isinstance(subject.get("id"), str) else "something"
        text = f"An endorsement by {_clip(issuer)} of {_clip(str(target))}"
        if isinstance(comment, str) and comment:
            text += f": “{_clip(comment)}”"
        return text + "."
    if "ClrCredential" in types:
        count = len(_as_list(subject.get("verifiableCredential")))
        return (
            f"A Comprehensive Learner Record issued by {_clip(issuer)} to {recipient}, "
            f"holding {count} credential{'s' if count != 1 else ''}."
        )
    achievement = subject.get("achievement")
    what = _name_of(achievement) if isinstance(achievement, Mapping) else None
    what = what or _name_of({"name": credential.get("name")}) or "an achievement"
    return f"Issued by {_clip(issuer)} to {recipient} for “{_clip(what)}”."


def _recipient(subject: Mapping[str, Any]) -> str:
    name = _text_of(subject.get("name"))
    if name:
        return _clip(name)
    sid = subject.get("id")
    if isinstance(sid, str) and sid:
        return _clip(sid)
    identifiers = _as_list(subject.get("identifier"))
    for ident in identifiers:
        if isinstance(ident, Mapping):
            kind = ident.get("identityType")
            if ident.get("hashed") is True:
                what = kind if isinstance(kind, str) else "identifier"
                return f"a recipient identified by a hashed {what}"
            value = ident.get("identityHash")
            if isinstance(value, str):
                return _clip(value)
    return "an unnamed recipient"


# ---------------------------------------------------------------------------------------------
# The colleagues' modules, behind one thin adapter (see _backend.py notes in the docstrings).
# ---------------------------------------------------------------------------------------------


class _Backend:
    """Calls into keys/jsonld/dataintegrity/jose/schema/statuslist/baking, mapping their APIs and
    exceptions to what the checks above need. Everything that is not ours lives here, imported
    lazily so that a problem in one of them shows up as a failed check, not an import error."""

    def context_known(self, url: str) -> bool:
        from mosaics.vc import jsonld

        return url in jsonld.CONTEXT_FILES

    def defined_terms(self) -> tuple[frozenset[str], frozenset[str]]:
        """(the full IRI of every term, every term) that a bundled context defines."""
        return _defined_terms()

    def check_safe(self, credential: Mapping[str, Any]) -> None:
        from mosaics.vc import jsonld

        jsonld.check_safe(credential)

    def schema_errors(self, document: Mapping[str, Any], which: str) -> list[str]:
        from mosaics.vc import schema

        if which == "clr":
            problems = schema.clr_problems(document)
        elif which == "endorsementcredential":
            problems = schema.schema_problems(document, "endorsementcredential")
        else:
            problems = schema.schema_problems(document, "achievementcredential")
        return [str(p) for p in problems]

    def schema_known(self, schema_id: str) -> bool:
        from mosaics.vc import schema

        # The CLR 2.0 schema is not bundled, but schema.clr_problems checks what it requires.
        return schema.schema_for_id(schema_id) is not None or schema_id in _CLR_SCHEMA_IDS

    def verify_proofs(
        self, credential: Mapping[str, Any], documents: Mapping[str, Any], now: datetime
    ) -> list[_Signer]:
        """Verify every proof (raises on the first that fails); who signed each."""
        from mosaics.vc import dataintegrity
        from mosaics.vc.errors import ProofError

        proofs = [p for p in _as_list(credential.get("proof")) if isinstance(p, Mapping)]
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        current = [p for p in proofs if _legacy_name(p) is None]
        signers: list[_Signer] = []
        if current:
            try:
                verified_proofs = dataintegrity.verify(
                    {**unsecured, "proof": current}, documents=documents, now=now
                )
            except (TypeError, ValueError, LookupError, AttributeError) as exc:
                # A wrongly shaped proof should be a VCError there; if not, it is still just a
                # malformed proof here, not an internal error.
                raise ProofError(f"The proof is malformed ({type(exc).__name__}).") from None
            signers.extend(
                _Signer(v.verification_method, v.controller, key_source=v.key_source)
                for v in verified_proofs
            )
        for proof in proofs:
            legacy = _legacy_name(proof)
            if legacy is not None:
                signers.append(self._verify_legacy(unsecured, proof, documents, legacy, now))
        return signers

    def _verify_legacy(
        self,
        unsecured: Mapping[str, Any],
        proof: Mapping[str, Any],
        documents: Mapping[str, Any],
        legacy: str,
        now: datetime,
    ) -> _Signer:
        """Ed25519Signature2020 / eddsa-2022: RDFC-1.0 canonical proof options (with the
        document's @context) and document, SHA-256 each, proof hash first, Ed25519 — the
        hashing eddsa-rdfc-2022 later standardised (vc-di-eddsa §3.2; the Ed25519Signature2020
        suite spec §3)."""
        import hashlib

        import base58

        from mosaics.vc import jsonld, keys
        from mosaics.vc.errors import ProofError

        method = proof.get("verificationMethod")
        value = proof.get("proofValue")
        if not isinstance(method, str) or not method:
            raise ProofError("The proof has no verificationMethod.")
        _check_proof_options(proof, now)
        if not isinstance(value, str) or not value.startswith("z"):
            raise ProofError("The proofValue is not base58btc multibase.")
        try:
            signature = base58.b58decode(value[1:].encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ProofError("The proofValue is not valid base58btc.") from None
        if len(signature) != 64:
            raise ProofError("The proofValue is not an Ed25519 signature (64 bytes).")
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        options["@context"] = unsecured.get("@context")
        resolved = keys.resolve_verification_method(method, documents=documents)
        hash_data = (
            hashlib.sha256(jsonld.canonicalize(options).encode("utf-8")).digest()
            + hashlib.sha256(jsonld.canonicalize(unsecured).encode("utf-8")).digest()
        )
        try:
            resolved.key.verify(signature, hash_data)
        except ProofError:
            raise ProofError(
                f"The {legacy} proof by {method} does not verify: the credential or the proof was "
                "changed after signing, or it was signed with another key."
            ) from None
        return _Signer(method, resolved.controller, legacy, key_source=resolved.source)

    def verify_jwt(self, token: str, documents: Mapping[str, Any]) -> _Signer:
        """Verify the JWS; who signed it. The key's controller is returned rather than checked
        here, so that a key of someone other than the issuer is reported by the issuer_key
        check (as for Data Integrity proofs), not as a broken signature."""
        from mosaics.vc import jose, keys
        from mosaics.vc.errors import ProofError

        found: list[keys.ResolvedKey] = []

        def resolver(kid: str | None, iss: str | None) -> keys.Ed25519Multikey | None:
            # As jose.document_key_resolver: the kid, or a did:key issuer's own key.
            if kid is None:
                if iss is None or not iss.startswith("did:key:"):
                    return None
                kid = f"{iss}#{iss.removeprefix('did:key:')}"
            resolved = keys.resolve_verification_method(kid, documents=documents)
            found.append(resolved)
            return resolved.key  # a bare key: jose leaves the controller to us

        try:
            jose.verify_credential_jwt(token, resolver)
        except (TypeError, ValueError, LookupError, AttributeError) as exc:
            # e.g. an object where the header wants a string ("alg": {}) makes jose raise
            # TypeError (reported to jose.py's owner); for us it is simply a malformed JWT.
            raise ProofError(
                f"the JWT is malformed ({type(exc).__name__})", code="jwt_malformed"
            ) from None
        resolved = found[-1]
        return _Signer(
            resolved.verification_method, resolved.controller, key_source=resolved.source
        )

    def check_status_entry(
        self, entry: Mapping[str, Any], url: str, list_credential: Mapping[str, Any], now: datetime
    ) -> list[Any]:
        from mosaics.vc import statuslist

        return list(
            statuslist.check_status(
                {"credentialStatus": dict(entry)}, {url: list_credential}, now=now
            )
        )

    def extract_baked(self, data: bytes | str, kind: str) -> tuple[str, str]:
        """(OB version, payload text) of a baked image."""
        from mosaics.vc import baking
        from mosaics.vc.errors import BakingError

        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            baked = baking.extract(raw)
        except (LookupError, ValueError) as exc:
            # e.g. expat's LookupError for <?xml encoding="nonsense"?> (reported to baking.py's
            # owner): still a plain "cannot read this image", not an internal error.
            raise BakingError(f"the image is not readable ({exc})") from None
        return baked.ob_version, baked.text


def _check_proof_options(
    proof: Mapping[str, Any],
    now: datetime,
    *,
    expected_domain: str | None = None,
    expected_challenge: str | None = None,
) -> None:
    """The proof options a legacy proof must honour, as dataintegrity.verify does for Data
    Integrity proofs: the purpose is ``assertionMethod``, ``domain``/``challenge`` match when
    one is expected (the verifier expects none), ``created``/``expires`` are dateTimes, and an
    ``expires`` in the past fails."""
    from mosaics.vc.errors import ProofError

    purpose = proof.get("proofPurpose")
    if purpose != "assertionMethod":
        raise ProofError(
            f"The proof's purpose is {_clip(str(purpose), 80)!r}, but 'assertionMethod' was "
            "expected."
        )
    if expected_domain is not None and expected_domain not in _as_list(proof.get("domain")):
        raise ProofError(f"The proof's domain does not include {expected_domain!r}.")
    if expected_challenge is not None and proof.get("challenge") != expected_challenge:
        raise ProofError("The proof's challenge does not match the expected challenge.")
    if "created" in proof and _parse_datetime(proof["created"]) is None:
        raise ProofError("The proof's created value is not a date and time.")
    if "expires" in proof:
        expires = _parse_datetime(proof["expires"])
        if expires is None:
            raise ProofError("The proof's expires value is not a date and time.")
        if expires <= now:
            raise ProofError(f"The proof expired at {_fmt(expires)}.")


# -- the terms our contexts define (for the plain-form check) ---------------------------------

_MAX_PREFIX_DEPTH: Final = 8


def _term_iri(
    term: str, definition: object, mappings: Mapping[str, Any], vocab: object, depth: int = 0
) -> str | None:
    """The full IRI ``term`` stands for under ``definition`` (JSON-LD 1.1 §4.2 IRI expansion,
    enough for term definitions: explicit ``@id``/``@reverse``, prefixes, ``@vocab``)."""
    if definition is None:
        return None
    target: object
    if isinstance(definition, str):
        target = definition
    elif isinstance(definition, Mapping):
        target = definition.get("@id", definition.get("@reverse", term))
    else:
        return None
    if target == term and not isinstance(definition, str) and ":" not in term:
        # No @id: the term is vocabulary-relative.
        return f"{vocab}{term}" if isinstance(vocab, str) and ":" in vocab else None
    return _expand_iri(target, mappings, vocab, depth)


def _expand_iri(
    value: object, mappings: Mapping[str, Any], vocab: object, depth: int
) -> str | None:
    if (
        not isinstance(value, str)
        or not value
        or value.startswith("@")
        or depth > _MAX_PREFIX_DEPTH
    ):
        return None
    if ":" in value:
        prefix, _, suffix = value.partition(":")
        if prefix == "_":
            return None
        if prefix in mappings and not suffix.startswith("//"):
            base = _term_iri(prefix, mappings[prefix], mappings, vocab, depth + 1)
            return base + suffix if base else None
        return value
    if value in mappings:
        return _term_iri(value, mappings[value], mappings, vocab, depth + 1)
    return f"{vocab}{value}" if isinstance(vocab, str) and ":" in vocab else None


def _context_documents() -> list[Any]:
    """Every context file bundled in ``mosaics/vc/contexts/`` (served or only kept)."""
    from importlib import resources

    folder = resources.files("mosaics.vc").joinpath("contexts")
    documents: list[Any] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".json", ".jsonld")):
            documents.append(json.loads(entry.read_text("utf-8")))
    return documents


@functools.lru_cache(maxsize=1)
def _defined_terms() -> tuple[frozenset[str], frozenset[str]]:
    """(the full IRI of every term, every term name) defined anywhere in a bundled context —
    at the top or in a scoped (property- or type-scoped) context. Computed once."""
    iris: set[str] = set()
    terms: set[str] = set()
    stack: list[tuple[Any, dict[str, Any], object]] = [
        (doc.get("@context"), {}, None) for doc in _context_documents() if isinstance(doc, Mapping)
    ]
    while stack:
        context, inherited, vocab = stack.pop()
        mappings = dict(inherited)
        for local in _as_list(context):
            if local is None:
                mappings, vocab = {}, None
            if not isinstance(local, Mapping):
                continue  # a context URL: it is one of the bundled files, read on its own
            vocab = local.get("@vocab", vocab)
            defined = {
                k: v for k, v in local.items() if isinstance(k, str) and not k.startswith("@")
            }
            mappings.update(defined)
            for term, definition in defined.items():
                terms.add(term)
                iri = _term_iri(term, definition, mappings, vocab)
                if iri is not None:
                    iris.add(iri)
                if isinstance(definition, Mapping) and "@context" in definition:
                    stack.append((definition["@context"], dict(mappings), vocab))
    return frozenset(iris), frozenset(terms)


_backend: _Backend = _Backend()
