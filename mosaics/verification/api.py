"""The W3C VC-API endpoints' work (https://w3c-ccg.github.io/vc-api/): reading requests,
issuing with an API token, and verifying credentials and presentations. `views_api` is the thin
HTTP layer around it.

Every problem with a request is an `ApiError` (HTTP status, stable code, message in plain
words), which the views turn into a JSON answer: bad input never causes a 500.

Verification is offline: the DID documents and status lists of our own issuers are supplied,
did:key issuers resolve by themselves, and nothing is fetched.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, RawPostDataException
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.issuance import actions as issuance_actions
from mosaics.issuance import signing
from mosaics.issuance.keystore import KeyUnavailable
from mosaics.vc import dataintegrity, datamodel, jsonld, limits, statuslist
from mosaics.vc import verify as vc_verify
from mosaics.vc.errors import ContextError, InputTooLarge, SafeModeError, VCError
from mosaics.verification import tokens
from mosaics.verification.models import ApiToken

__all__ = [
    "MAX_BODY_BYTES",
    "ApiError",
    "issue_credential",
    "read_json_body",
    "verify_credential",
    "verify_presentation",
]

#: The largest request body accepted (a credential is a few kilobytes; a CLR rarely 100 kB).
MAX_BODY_BYTES: Final = 1024 * 1024
#: Most credentials verified inside one presentation.
MAX_PRESENTED_CREDENTIALS: Final = 32

VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
# XSD dateTimeStamp (VC 2.0 §4.9: validFrom/validUntil carry a time zone).
_DATETIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
#: A scheme, a colon and no space or control character (RFC 3987 IRIs have none; a NUL
#: cannot even be stored in PostgreSQL text, where the id goes with its status entry and in
#: the audit log).
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")
_JWT_ENVELOPE = "data:application/vc+jwt,"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
#: Added to a VC 1.1 credential that lacks it, as jsonld-signatures does: the VC 1.1 context
#: does not define DataIntegrityProof.
DATA_INTEGRITY_CONTEXT: Final = "https://w3id.org/security/data-integrity/v2"
_DATA_INTEGRITY_CONTEXTS: Final = frozenset(
    {DATA_INTEGRITY_CONTEXT, "https://w3id.org/security/data-integrity/v1"}
)
#: The longest credential `id` issued: it is stored with a status entry
#: (`issuance.StatusEntry.credential_id` holds 200 characters).
MAX_CREDENTIAL_ID: Final = 200
#: `options.created` may be this far ahead of our clock (the client's clock may run fast) ...
CREATED_LEEWAY: Final = timedelta(days=1)
#: ... and no earlier than this (Data Integrity proofs did not exist before; a year 0000 is a
#: typing mistake or a trick).
EARLIEST_CREATED: Final = datetime(2000, 1, 1, tzinfo=UTC)
#: What a did:key token's issuer object may carry besides `id`: a name and a description
#: (the W3C VC 2.0 suite issues with both) and the type Profile. Nothing that points anywhere
#: (url, image, email, parentOrg, …).
DID_KEY_ISSUER_FIELDS: Final = frozenset({"id", "name", "description", "type"})
#: Contexts that define the OB 3.0 Profile.
_OB_CONTEXT_PREFIXES: Final = (
    "https://purl.imsglobal.org/spec/ob/v3p0/context",
    "https://purl.imsglobal.org/spec/clr/v2p0/context",
)


class ApiError(Exception):
    """A request the API refuses: HTTP `status`, stable `code`, `message` for a person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "errors": [{"code": self.code, "message": self.message}],
        }


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


def read_json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, within the size limit; `ApiError` (415/413/400) otherwise."""
    content_type = (request.content_type or "").strip().lower()
    if not _JSON_TYPE.match(content_type):
        raise ApiError(
            415,
            "unsupported_media_type",
            _("Send the request as JSON (Content-Type: application/json)."),
        )
    too_large = ApiError(
        413,
        "too_large",
        _("The request is too large: at most %(size)s kB is accepted.")
        % {"size": MAX_BODY_BYTES // 1024},
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise too_large
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_large from None
    except RawPostDataException:  # pragma: no cover - the views never read POST first
        raise ApiError(400, "malformed", _("The request body could not be read.")) from None
    if len(body) > MAX_BODY_BYTES:
        raise too_large
    if not body.strip():
        raise ApiError(400, "malformed", _("The request body is empty; send a JSON object."))
    try:
        data = limits.load_json(body, max_bytes=MAX_BODY_BYTES, what="request body")
    except InputTooLarge:
        raise too_large from None
    except VCError as exc:
        raise ApiError(400, "malformed", exc.message) from None
    if not isinstance(data, dict):
        raise ApiError(
            400,
            "malformed",
            _("The request body must be a JSON object, not %(kind)s.") % {"kind": _json_kind(data)},
        )
    return data


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return _("a string")
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("true or false")
    return _("a number")


def _options(body: Mapping[str, Any]) -> dict[str, Any]:
    options = body.get("options", {})
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ApiError(400, "malformed", _("“options” must be a JSON object."))
    return options


def _optional_text(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise ApiError(
            400, "malformed", _("The option “%(name)s” must be a short text.") % {"name": name}
        )
    return value


def _check_structure(document: Any, what: str) -> None:
    try:
        limits.check_structure(document)
    except InputTooLarge as exc:
        raise ApiError(413, "too_large", f"{what}: {exc.message}") from None
    except VCError as exc:
        raise ApiError(400, exc.code, f"{what}: {exc.message}") from None


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def _types(value: object) -> list[str]:
    if not isinstance(value, Mapping):
        return []
    raw = value.get("type")
    items = raw if isinstance(raw, list) else [raw]
    return [t for t in items if isinstance(t, str)]


def _problem(check: Any) -> dict[str, Any]:
    return {"check": check.name, "code": check.code, "message": check.message}


def _accept_plain_vc(report: vc_verify.Report) -> vc_verify.Report:
    """The core verifier reads Open Badges, CLRs, endorsements and status lists; the VC-API also
    verifies plain W3C Verifiable Credentials (what the W3C test suites send). For those, the
    one thing the core refuses — "not a kind of credential we check" — is replaced by a pass;
    every other check (contexts, safe mode, proof, issuer key, validity, status) still counts."""
    credential = report.credential
    types = _types(credential)
    if "VerifiableCredential" not in types or set(types) & vc_verify.CREDENTIAL_TYPES:
        return report
    for position, check in enumerate(report.checks):
        if check.name == "type" and not check.ok and check.code == "type_invalid":
            report.checks[position] = vc_verify.Check(
                "type", True, "ok", _("The credential is a W3C Verifiable Credential.")
            )
    return report


def _verify_any() -> Any:
    """`mosaics.verification.service.verify_any` once it exists, else None."""
    try:
        module = importlib.import_module("mosaics.verification.service")
    except ImportError:
        return None
    return getattr(module, "verify_any", None)


def _report(data: Mapping[str, Any] | str, *, now: datetime | None = None) -> Any:
    """Verify one credential (object or compact JWT) offline with our issuers' documents and
    status lists. Returns an object with `verified`, `status`, `checks`, `warnings`."""
    report = vc_verify.verify(
        data,
        documents=signing.trusted_documents(),
        status_lists=issuance_actions.status_list_credentials(),
        now=now,
    )
    plain = "VerifiableCredential" in _types(report.credential) and not (
        set(_types(report.credential)) & vc_verify.CREDENTIAL_TYPES
    )
    if plain:
        return _accept_plain_vc(report)
    verify_any = _verify_any()
    if verify_any is not None and report.credential is not None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        return verify_any(text, allow_fetch=False, now=now)
    return report


def _result(report: Any) -> dict[str, Any]:
    """The VC-API verification result: `verified`, names of the `checks` that passed,
    `warnings` and `errors` (each with check, code, message), and our `status`."""
    checks = list(report.checks)
    return {
        "verified": bool(report.verified),
        "status": str(report.status),
        "checks": [c.name for c in checks if c.ok],
        "warnings": [_problem(c) for c in report.warnings],
        "errors": [_problem(c) for c in checks if not c.ok],
    }


def _credential_input(value: object, what: str) -> Mapping[str, Any] | str:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(_JWT_ENVELOPE):
            text = text[len(_JWT_ENVELOPE) :]
        # A string is a compact JWT; a credential's JSON sent as a string is not a credential
        # (VC Data Integrity §4.4: a secured document that is not a map is an error).
        if _COMPACT_JWS.fullmatch(text):
            return text
    raise ApiError(
        400,
        "malformed",
        _("“%(what)s” must be a credential: a JSON object or a compact JWT.") % {"what": what},
    )


def verify_credential(body: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """`POST /credentials/verify`: (verified, response body)."""
    if "verifiableCredential" not in body:
        raise ApiError(
            400,
            "missing_field",
            _("The request has no “verifiableCredential” to verify."),
        )
    _options(body)
    data = _credential_input(body["verifiableCredential"], "verifiableCredential")
    result = _result(_report(data))
    return result["verified"], result


def _presentation_holder(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, str):
        return holder
    if isinstance(holder, Mapping) and isinstance(holder.get("id"), str):
        return str(holder["id"])
    return None


def _presentation_checks(
    presentation: dict[str, Any], options: Mapping[str, Any]
) -> tuple[list[vc_verify.Check], list[vc_verify.Check]]:
    """The presentation's own checks (form and proof) and warnings."""
    checks: list[vc_verify.Check] = []
    warnings: list[vc_verify.Check] = []
    contexts = presentation.get("@context")
    first = (contexts[0] if contexts else None) if isinstance(contexts, list) else contexts
    if first not in (VC2_CONTEXT, VC1_CONTEXT):
        checks.append(
            vc_verify.Check(
                "context",
                False,
                "context_invalid",
                _("The presentation's first @context must be %(url)s.") % {"url": VC2_CONTEXT},
            )
        )
    if "VerifiablePresentation" not in _types(presentation):
        checks.append(
            vc_verify.Check(
                "type",
                False,
                "type_invalid",
                _("The presentation does not say it is a VerifiablePresentation."),
            )
        )
    if checks:
        return checks, warnings
    challenge = _optional_text(options, "challenge")
    domain = _optional_text(options, "domain")
    if "proof" not in presentation:
        warnings.append(
            vc_verify.Check(
                "proof",
                True,
                "presentation_unsigned",
                _(
                    "The presentation is not signed, so it does not show who presents the "
                    "credentials; each credential was verified on its own."
                ),
            )
        )
        return checks, warnings
    try:
        proofs = dataintegrity.verify(
            presentation,
            documents=signing.trusted_documents(),
            expected_purpose="authentication",
            expected_challenge=challenge,
            expected_domain=domain,
            allow_fragment_key=False,
        )
    except VCError as exc:
        checks.append(vc_verify.Check("proof", False, exc.code, exc.message))
        return checks, warnings
    except (TypeError, ValueError, LookupError, AttributeError) as exc:
        checks.append(
            vc_verify.Check(
                "proof",
                False,
                "proof_invalid",
                _("The presentation's proof is malformed (%(kind)s).")
                % {"kind": type(exc).__name__},
            )
        )
        return checks, warnings
    checks.append(vc_verify.Check("proof", True, "ok", _("The presentation's signature is valid.")))
    holder = _presentation_holder(presentation)
    if holder is not None and not any(p.controller == holder for p in proofs):
        checks.append(
            vc_verify.Check(
                "holder",
                False,
                "holder_mismatch",
                _("The presentation was signed by %(signer)s, not by its holder %(holder)s.")
                % {"signer": proofs[0].controller[:200], "holder": holder[:200]},
            )
        )
    return checks, warnings


def verify_presentation(body: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """`POST /presentations/verify`: the presentation's proof (if any) and every credential in
    it. (verified, response body)."""
    presentation = body.get("verifiablePresentation")
    if presentation is None:
        raise ApiError(
            400, "missing_field", _("The request has no “verifiablePresentation” to verify.")
        )
    if not isinstance(presentation, dict):
        raise ApiError(
            400,
            "malformed",
            _(
                "“verifiablePresentation” must be a JSON object (presentations as JWTs are not "
                "supported)."
            ),
        )
    options = _options(body)
    _check_structure(presentation, _("The presentation"))
    checks, warnings = _presentation_checks(presentation, options)
    raw = presentation.get("verifiableCredential", [])
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > MAX_PRESENTED_CREDENTIALS:
        raise ApiError(
            413,
            "too_large",
            _("The presentation holds %(count)s credentials; at most %(most)s are verified.")
            % {"count": len(items), "most": MAX_PRESENTED_CREDENTIALS},
        )
    credential_results: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict) and "EnvelopedVerifiableCredential" in _types(item):
            item = item.get("id")
        try:
            data = _credential_input(item, "verifiableCredential")
        except ApiError as exc:
            credential_results.append(
                {
                    "verified": False,
                    "status": "invalid",
                    "checks": [],
                    "warnings": [],
                    "errors": [{"check": "parse", "code": exc.code, "message": exc.message}],
                }
            )
            continue
        credential_results.append(_result(_report(data)))
    if items and not all(r["verified"] for r in credential_results):
        checks.append(
            vc_verify.Check(
                "credentials",
                False,
                "credential_invalid",
                _("A credential in the presentation did not verify (see credentialResults)."),
            )
        )
    elif items:
        checks.append(
            vc_verify.Check(
                "credentials", True, "ok", _("Every credential in the presentation verified.")
            )
        )
    verified = all(c.ok for c in checks)
    presentation_result = {
        "verified": verified,
        "checks": [c.name for c in checks if c.ok],
        "warnings": [_problem(c) for c in warnings],
        "errors": [_problem(c) for c in checks if not c.ok],
    }
    return verified, {
        **presentation_result,
        "presentationResult": presentation_result,
        "credentialResults": credential_results,
    }


# --------------------------------------------------------------------------------------------
# Issuance
# --------------------------------------------------------------------------------------------


def _is_vc1(credential: Mapping[str, Any]) -> bool:
    contexts = credential.get("@context")
    return isinstance(contexts, list) and bool(contexts) and contexts[0] == VC1_CONTEXT


def _credential_problems(credential: Mapping[str, Any]) -> list[str]:
    """Why `credential` is not a credential we will sign, in plain words.

    VC 2.0 is what we issue. A plain W3C credential in the VC 1.1 form (no Open Badge, CLR or
    endorsement type, which must be VC 2.0) is signed too, as the W3C Data Integrity test
    suites ask; it needs its `issuanceDate`."""
    problems: list[str] = []
    if limits.contains_nul(credential):
        problems.append(_("it contains a NUL character (\\u0000), which no credential needs"))
    contexts = credential.get("@context")
    items = contexts if isinstance(contexts, list) else [contexts]
    vc1 = _is_vc1(credential)
    if contexts is None:
        problems.append(_("it has no @context"))
    elif vc1 and set(_types(credential)) & vc_verify.CREDENTIAL_TYPES:
        problems.append(
            _(
                "it uses the Verifiable Credentials 1.1 context; Open Badges, CLRs and "
                "endorsements are issued as version 2.0 only (%(url)s)"
            )
            % {"url": VC2_CONTEXT}
        )
    elif not vc1 and (not items or items[0] != VC2_CONTEXT):
        problems.append(_("its first @context must be %(url)s") % {"url": VC2_CONTEXT})
    elif not all(isinstance(c, str) for c in items):
        problems.append(_("its @context must list context URLs only"))
    if vc1:
        issued = credential.get("issuanceDate")
        if not (isinstance(issued, str) and _DATETIME_STAMP.fullmatch(issued)):
            problems.append(
                _("a Verifiable Credentials 1.1 credential needs an issuanceDate with a time zone")
            )
    raw_type = credential.get("type")
    type_items = raw_type if isinstance(raw_type, list) else [raw_type]
    if raw_type is None or not all(isinstance(t, str) for t in type_items):
        problems.append(_("its type is missing or not a list of names"))
    elif "VerifiableCredential" not in type_items:
        problems.append(_("its type does not include VerifiableCredential"))
    if "id" in credential and not (
        isinstance(credential["id"], str) and _URL_LIKE.fullmatch(credential["id"])
    ):
        problems.append(_("its id must be a URL"))
    elif isinstance(credential.get("id"), str) and len(credential["id"]) > MAX_CREDENTIAL_ID:
        problems.append(
            _("its id is %(length)s characters long; at most %(most)s are accepted")
            % {"length": len(credential["id"]), "most": MAX_CREDENTIAL_ID}
        )
    # VC DM 2.0: credentialSubject, validFrom/validUntil, credentialSchema, refreshService,
    # termsOfUse, evidence, relatedResource. The issuer and credentialStatus have their own
    # checks and codes first (`_issuer_value`, `_check_client_status`), then
    # `_check_data_model_late`.
    problems.extend(
        problem
        for name, problem in datamodel.data_model_findings(credential, require_issuer=False)
        if name not in _CHECKED_LATE
    )
    if "proof" in credential:
        problems.append(_("it already has a proof (send the credential unsigned)"))
    return problems


#: VC DM 2.0 properties whose own checks (with their own codes) come first.
_CHECKED_LATE: Final = frozenset({"issuer", "credentialStatus"})


def _check_data_model_late(credential: Mapping[str, Any]) -> None:
    """The VC DM 2.0 rules for the issuer and credentialStatus as sent, after their own checks
    (whatever those let through is still refused)."""
    problems = [
        problem
        for name, problem in datamodel.data_model_findings(credential, require_issuer=False)
        if name in _CHECKED_LATE
    ]
    if problems:
        raise ApiError(
            400,
            "credential_invalid",
            _("The credential was not issued: %(problems)s.") % {"problems": "; ".join(problems)},
        )


def _cryptosuite(options: Mapping[str, Any]) -> dataintegrity.Cryptosuite:
    suite = options.get("cryptosuite", "eddsa-rdfc-2022")
    if suite not in dataintegrity.CRYPTOSUITES:
        raise ApiError(
            400,
            "unknown_cryptosuite",
            _("The cryptosuite %(suite)s is not supported; use eddsa-rdfc-2022 or eddsa-jcs-2022.")
            % {"suite": json.dumps(suite)[:100]},
        )
    return suite  # type: ignore[no-any-return]


def _status_purpose(options: Mapping[str, Any]) -> str | None:
    """The status purpose asked for by `options.credentialStatus`, or None."""
    wanted = options.get("credentialStatus")
    if wanted is None or wanted is False:
        return None
    if wanted is True:
        return "revocation"
    if not isinstance(wanted, dict):
        raise ApiError(
            400,
            "malformed",
            _(
                "The option “credentialStatus” must be an object such as "
                '{"type": "BitstringStatusListEntry"}.'
            ),
        )
    kind = wanted.get("type", "BitstringStatusListEntry")
    purpose = wanted.get("statusPurpose", "revocation")
    if kind != "BitstringStatusListEntry" or purpose not in ("revocation", "suspension"):
        raise ApiError(
            400,
            "unsupported_status",
            _("Only a BitstringStatusListEntry for revocation or suspension can be added."),
        )
    return str(purpose)


def _issuer_value(
    credential: Mapping[str, Any], signer: tokens.Signer, token: ApiToken
) -> str | dict[str, Any]:
    """The credential's issuer, which the token cannot rename.

    Absent: filled in (our Profile for an Open Badge of a did:web token, else the id). A URL:
    kept, when it is the token's own id. An object whose `id` is the token's:
    - did:web token — replaced by what we say about the issuer profile: its OB 3.0 Profile in
      an Open Badge or CLR (`signing.profile_document`), else its id, name and description
      (terms the VC 2.0 context defines). A name, url or parent organisation sent by the
      client never speaks for one of our issuers. (Replacing rather than refusing keeps the
      W3C suites' issuer objects acceptable; what was sent is still checked for JSON-LD
      safety, so a malformed one is refused rather than quietly dropped.)
    - did:key token — kept, but it may carry only `id`, `name`, `description` and the type
      Profile (`DID_KEY_ISSUER_FIELDS`). The name is the client's own: the W3C VC 2.0 suite
      issues with any name and description, and a did:key is not one of our issuers'
      published identities, so its name claims nothing on our behalf.
    Anyone else named: `ApiError`."""
    if "issuer" not in credential:
        if not signer.did_key and set(_types(credential)) & vc_verify.OB_TYPES:
            return signing.profile_document(token.issuer, with_context=False)
        return signer.issuer_id
    issuer = credential["issuer"]
    named = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(named, str):  # null included: refused, never filled in
        raise ApiError(
            400,
            "issuer_invalid",
            _("The credential's issuer must be a URL, or an object whose id is one."),
        )
    if named != signer.issuer_id:
        raise ApiError(
            400,
            "issuer_mismatch",
            _(
                "This token issues as %(ours)s, but the credential names the issuer %(theirs)s. "
                "Leave the issuer out (it is filled in) or use %(ours)s."
            )
            % {"ours": signer.issuer_id, "theirs": named[:200]},
        )
    if not isinstance(issuer, dict):
        return named
    if signer.did_key:
        extra = sorted(str(k)[:50] for k in issuer if k not in DID_KEY_ISSUER_FIELDS)
        kind = issuer.get("type", "Profile")
        if extra or kind not in ("Profile", ["Profile"]):
            raise ApiError(
                400,
                "issuer_invalid",
                _(
                    "The issuer object of a did:key token may carry only its id, a name, a "
                    "description and the type Profile; remove %(fields)s."
                )
                % {"fields": ", ".join(extra) if extra else "type"},
            )
        return issuer
    if _uses_ob_context(credential):
        return signing.profile_document(token.issuer, with_context=False)
    ours: dict[str, Any] = {"id": signer.issuer_id, "name": token.issuer.name}
    if token.issuer.description:
        ours["description"] = token.issuer.description
    return ours


def _uses_ob_context(credential: Mapping[str, Any]) -> bool:
    """Whether the credential's contexts define the OB 3.0 Profile (the OB or CLR context)."""
    contexts = credential.get("@context")
    items = contexts if isinstance(contexts, list) else [contexts]
    return any(isinstance(c, str) and c.startswith(_OB_CONTEXT_PREFIXES) for c in items)


# --- what is ours to mint ------------------------------------------------------------------


def _site() -> tuple[str, str]:
    """SITE_URL's host name (lower case) and path (without its final slash)."""
    parts = urlsplit(str(settings.SITE_URL))
    return (parts.hostname or "").lower(), parts.path.rstrip("/")


def _is_ours(value: str) -> bool:
    """Whether `value` names something of this site: an http(s) URL on SITE_URL's host (any
    port, either scheme), or a did:web on that host (our issuers' DIDs)."""
    host, _path = _site()
    text = value.strip().lower()
    if not host:  # pragma: no cover - SITE_URL always has a host
        return False
    if text.startswith("did:web:"):
        return unquote(text.removeprefix("did:web:")).split(":", 1)[0] == host
    try:
        parts = urlsplit(text)
        return parts.scheme in ("http", "https") and parts.hostname == host
    except ValueError:
        return False


def _our_route(url: str) -> tuple[str, dict[str, Any]] | None:
    """The view name and arguments our URL `url` resolves to, or None."""
    _host, prefix = _site()
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return None
    if prefix:
        if path != prefix and not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :]
    try:
        match = resolve(path or "/")
    except Resolver404:
        return None
    return match.view_name, dict(match.kwargs)


def _check_credential_id(credential: Mapping[str, Any]) -> None:
    """Refuse a credential id that is ours to mint: one of our awards' or endorsements'
    `urn:uuid:`, or anything on this site (or a did:web of it). A credential signed with an
    API token under such an id would pass for an award (its status, its reason, its page)."""
    value = credential.get("id")
    if not isinstance(value, str):
        return
    refused = ApiError(
        400,
        "id_reserved",
        _(
            "The credential's id %(id)s belongs to this site (its awards, endorsements and "
            "pages); give the credential an id of your own, or leave it out."
        )
        % {"id": value[:200]},
    )
    if _is_ours(value):
        raise refused
    if value[:9].lower() != "urn:uuid:":
        return
    try:
        key = uuid.UUID(value[9:])
    except ValueError:
        return
    from mosaics.awards.models import Award
    from mosaics.endorsements.models import Endorsement

    if (
        Award.objects.filter(uuid=key).exists()
        or Endorsement.objects.filter(credential_id=f"urn:uuid:{key}").exists()
    ):
        raise refused


def _strings(value: Any) -> Iterator[str]:
    """Every string anywhere in `value`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _check_client_status(credential: Mapping[str, Any], signer: tokens.Signer) -> None:
    """Refuse a `credentialStatus` the client wrote itself, which we cannot vouch for.

    A did:web token signs as one of our issuers: the only status such a credential carries is
    an entry we allocate in that issuer's lists (`options.credentialStatus`). A did:key token
    (what the W3C suites are given) is no published identity of ours, and the VC 2.0 suite
    expects status entries of the client's own to be issued — well formed: with a type, and
    an id that is a URL (§4.10). So there an entry is accepted when it is well formed and
    points at nothing of this site. (The suite's own status fixtures also define their status
    type in an inline @context, which `_credential_problems` refuses for its own reasons.)"""
    if "credentialStatus" not in credential:
        return
    if not signer.did_key:
        raise ApiError(
            400,
            "status_refused",
            _(
                "A credential issued as %(issuer)s cannot bring its own credentialStatus: we "
                "cannot vouch for it. Leave it out and ask for one with the option "
                '"credentialStatus": {"type": "BitstringStatusListEntry"}.'
            )
            % {"issuer": signer.issuer_id},
        )
    raw = credential["credentialStatus"]
    entries = raw if isinstance(raw, list) else [raw]
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("type"):
            raise ApiError(
                400,
                "status_invalid",
                _("Each credentialStatus entry must be an object with a type."),
            )
        if "id" in entry and not (
            isinstance(entry["id"], str) and _URL_LIKE.fullmatch(entry["id"])
        ):
            raise ApiError(400, "status_invalid", _("A credentialStatus entry's id must be a URL."))
        if any(_is_ours(text) for text in _strings(entry)):
            raise ApiError(
                400,
                "status_refused",
                _(
                    "The credentialStatus points at this site's status lists, which only "
                    "this site's own credentials use."
                ),
            )


def _achievement_ids(value: Any) -> Iterator[str]:
    """The id of every `achievement` anywhere under `value` (one subject or a list of them,
    a CLR subject's achievements, achievements nested in achievements)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "achievement":
                for one in item if isinstance(item, list) else [item]:
                    named = one.get("id") if isinstance(one, Mapping) else one
                    if isinstance(named, str):
                        yield named
            yield from _achievement_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _achievement_ids(item)


def _check_achievements(credential: Mapping[str, Any], token: ApiToken) -> None:
    """Refuse an achievement of this site that is not the token's issuer's to award.

    An achievement whose id is on this site must be a published version of one of the
    issuer's micro-credentials (`catalogue:version`) or one of its published pathways
    (`pathways:detail`); anything else of ours (another issuer's, a draft, a page that is no
    achievement) is refused.

    The embedded achievement is not compared with our current Achievement document: the
    issuer owns it and could award it from its pages anyway, the document changes with every
    new endorsement (so an exact match would break clients without protecting anyone), and
    what the token signs is audited."""
    from mosaics.catalogue.models import Version
    from mosaics.pathways.models import Pathway

    for achievement_id in _achievement_ids(credential.get("credentialSubject")):
        if not _is_ours(achievement_id):
            continue
        route = _our_route(achievement_id)
        owned = False
        if route is not None and route[0] == "catalogue:version":
            owned = Version.objects.filter(
                micro_credential__slug=route[1]["slug"],
                micro_credential__issuer=token.issuer,
                number=route[1]["number"],
                published_at__isnull=False,
            ).exists()
        elif route is not None and route[0] == "pathways:detail":
            owned = Pathway.objects.filter(
                slug=route[1]["slug"],
                issuer=token.issuer,
                state=Pathway.State.PUBLISHED,
            ).exists()
        if not owned:
            raise ApiError(
                400,
                "achievement_not_yours",
                _(
                    "The achievement %(id)s is not a published micro-credential or pathway of "
                    "%(issuer)s, so this token cannot award it."
                )
                % {"id": achievement_id[:200], "issuer": token.issuer.name},
            )


def _created(options: Mapping[str, Any], *, now: datetime | None = None) -> str | None:
    """`options.created`: a date and time with a time zone, from 2000 to a day ahead."""
    created = options.get("created")
    if created is None:
        return None
    moment = None
    if isinstance(created, str) and _DATETIME_STAMP.fullmatch(created):
        try:
            moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        raise ApiError(
            400,
            "malformed",
            _("The option “created” must be a date and time with a time zone."),
        )
    latest = (now or timezone.now()) + CREATED_LEEWAY
    if not EARLIEST_CREATED <= moment <= latest:
        raise ApiError(
            400,
            "malformed",
            _(
                "The option “created” must be a date from 2000 up to a day from now, not "
                "%(created)s."
            )
            % {"created": created[:40]},
        )
    return created


def _self_check(signed: dict[str, Any], token: ApiToken) -> None:
    """What we sign must verify with our own verifier (then with anyone's)."""
    report = _report(signed)
    if report.status in ("valid", "expired", "not_yet_valid"):
        return
    failed = [c for c in report.checks if not c.ok]
    reason = failed[0].message if failed else _("it did not verify")
    raise ApiError(
        400,
        "not_issuable",
        _("The credential was not issued, because once signed it would not verify: %(reason)s")
        % {"reason": reason},
    )


def _check_safe(document: Mapping[str, Any]) -> None:
    """Refuse what JSON-LD processing would drop or cannot read."""
    try:
        jsonld.check_safe(document)
    except (SafeModeError, ContextError) as exc:
        raise ApiError(
            400, exc.code, _("The credential was not issued: %(reason)s") % {"reason": exc.message}
        ) from None
    except VCError as exc:
        raise ApiError(
            400, exc.code, _("The credential was not issued: %(reason)s") % {"reason": exc.message}
        ) from None


def issue_credential(token: ApiToken, body: Mapping[str, Any]) -> dict[str, Any]:
    """`POST /credentials/issue` for `token`: the signed credential, audited."""
    credential = body.get("credential")
    if credential is None:
        raise ApiError(400, "missing_field", _("The request has no “credential” to issue."))
    if not isinstance(credential, dict):
        raise ApiError(400, "malformed", _("“credential” must be a JSON object."))
    options = _options(body)
    cryptosuite = _cryptosuite(options)
    purpose = _status_purpose(options)
    created = _created(options)
    _check_structure(credential, _("The credential"))
    problems = _credential_problems(credential)
    if problems:
        raise ApiError(
            400,
            "credential_invalid",
            _("The credential was not issued: %(problems)s.") % {"problems": "; ".join(problems)},
        )
    try:
        signer = tokens.signer_for(token)
    except signing.NoActiveKey:
        raise ApiError(
            409,
            "no_signing_key",
            _(
                "The issuer %(name)s has no active signing key; an administrator can generate "
                "one on its key management page."
            )
            % {"name": token.issuer.name},
        ) from None
    except (KeyUnavailable, signing.KeyMismatch):
        raise ApiError(
            503,
            "key_unavailable",
            _("The signing key cannot be used right now; tell the site's administrators."),
        ) from None
    _check_credential_id(credential)
    _check_client_status(credential, signer)
    _check_achievements(credential, token)
    if purpose is not None and signer.did_key:
        raise ApiError(
            400,
            "unsupported_status",
            _(
                "A token that signs as a did:key cannot add a status entry: the issuer's status "
                "lists are published under its did:web. Use a token of the did:web issuer."
            ),
        )
    document = dict(credential)
    if _is_vc1(document) and not set(document["@context"]) & _DATA_INTEGRITY_CONTEXTS:
        document["@context"] = [*document["@context"], DATA_INTEGRITY_CONTEXT]
    sent_issuer = credential.get("issuer")
    document["issuer"] = _issuer_value(credential, signer, token)
    _check_data_model_late(credential)
    if isinstance(sent_issuer, dict) and document["issuer"] is not sent_issuer:
        # Replaced by ours: what was sent must still have been readable JSON-LD.
        _check_safe({**document, "issuer": sent_issuer})
    _check_safe(document)
    with transaction.atomic():
        status_entry = None
        if purpose is not None:
            credential_id = document.get("id")
            status_entry = issuance_actions.status_entry_allocate(
                issuer=token.issuer,
                purpose=purpose,
                credential_id=credential_id
                if isinstance(credential_id, str)
                else f"api:{token.pk}:{uuid.uuid4()}",
            )
            entry = statuslist.status_entry(
                issuance_actions.status_list_url(status_entry.status_list),
                status_entry.index,
                purpose=purpose,
            )
            # A did:web credential brings no status of its own (`_check_client_status`).
            document["credentialStatus"] = entry
        try:
            signed = dataintegrity.sign(
                document,
                signer.key,
                cryptosuite=cryptosuite,
                verification_method=signer.key.id,
                created=created,
            )
        except VCError as exc:
            raise ApiError(
                400,
                exc.code,
                _("The credential was not issued: %(reason)s") % {"reason": exc.message},
            ) from None
        _self_check(signed, token)
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        record(
            actor=None,
            action="verification.api_issue",
            target=token,
            organisation=token.issuer.organisation,
            token=token.pk,
            token_name=token.name,
            issuer=signer.issuer_id,
            verification_method=signer.key.id,
            cryptosuite=cryptosuite,
            credential_id=signed.get("id") if isinstance(signed.get("id"), str) else None,
            types=[t[:200] for t in _types(signed)[:20]],
            status_list=status_entry.status_list_id if status_entry else None,
            status_index=status_entry.index if status_entry else None,
        )
    return signed
