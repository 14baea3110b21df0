"""Importing badges earned elsewhere into the learner's mosaic.

`external_badge_import` takes what the learner uploads or pastes — Open Badges 2.0 or 3.0 JSON,
a VC-JWT, a CLR 2.0, or a baked PNG or SVG — works out what it is from its content (never from
the file name), verifies it **offline** (nothing is fetched: our own issuers' DID documents and
status lists are the only outside knowledge), and checks that it is the learner's: the
credential subject must name one of their verified e-mail addresses (an IdentityObject, hashed
or not) or one of their bound DIDs.

Outcomes, and why:

- Something that is not a badge at all (empty, too large, binary, not JSON, an image with no
  credential inside, a status list, an endorsement, a BadgeClass) raises `ImportRefused` and
  nothing is saved: there is nothing to keep, and the learner is told why on the form.
- A badge is kept as an `ExternalBadge` either way. ``verified=True`` only when the verifier
  says *valid* and the badge names the learner; the mosaic shows only those. Anything else is
  kept with ``verified=False`` and its report, so the learner can read *why* it was rejected
  (on its own page and in the "imports that failed" list) and delete it; it is never shown as a
  badge, and cannot be shared.
- Importing a badge that is already accepted (same credential id, or one of our own awards
  already in the mosaic) raises `ImportRefused` (``duplicate`` / ``in_mosaic``). Importing
  again something that was rejected replaces the earlier attempt (the verdict may have changed:
  the learner may have verified the address since).

Verification is `mosaics.verification.service.verify_any(data, allow_fetch=False)`, the same
verifier as the public verification page, offline. What that means for badges from elsewhere:

- an OB 3.0 / CLR credential is *valid* only when its key is confirmed offline — a ``did:key``
  issuer, or one of our issuers. A key named ``<issuer>#<key>`` whose issuer's document we do
  not hold is *unconfirmed* (anyone can make such a key), and the import is rejected with that
  reason rather than accepted on trust;
- status lists of other issuers are not fetched (a warning says so);
- a hosted OB 2.0 assertion is only as good as the issuer's copy, which is not fetched: one from
  elsewhere is *unconfirmed*; one of ours is checked against our own records.

What was proved is kept apart from what the badge says. A *valid* signature shows that the
badge is intact and was signed by the key of the DID it gives as its issuer — not who that is:
anyone can make a ``did:key`` and write "Harvard Medical School" as its name. So the issuer's
identity is *confirmed* only when something we trust vouches for the key: the issuer is one of
ours (its DID document is among `mosaics.issuance.signing.trusted_documents()`, and its key
signed the badge), or, for an OB 2.0 hosted assertion, the assertion is one of ours, read from
our records. Nothing else is ever confirmed offline. `issuer_identity`, `issuer_text` and
`status_text` say which it is on every page: an unconfirmed issuer's name is shown only as
"the name as written in the badge — not confirmed (signed by <DID>)", and its status as
"signature valid; issuer not confirmed", never as a bare "issued by …" or "valid".
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.portfolio.models import ExternalBadge
from mosaics.vc import baking, jose, limits
from mosaics.vc import verify as vc_verify
from mosaics.vc._util import as_list
from mosaics.vc.errors import VCError
from mosaics.vc.ob3 import verify_identity_hash
from mosaics.verification.service import verify_any

__all__ = [
    "DEFAULT_MAX_IMPORT_BYTES",
    "ImportRefused",
    "IssuerIdentity",
    "clean_text",
    "external_badge_delete",
    "external_badge_import",
    "external_badge_share",
    "human_size",
    "issued_by_label",
    "issuer_identity",
    "issuer_text",
    "max_import_bytes",
    "recipient_text",
    "rejection_text",
    "status_text",
]

DEFAULT_MAX_IMPORT_BYTES: Final = 2 * 1024 * 1024
"""Largest upload accepted unless ``settings.MOSAICS_MAX_IMPORT_BYTES`` says otherwise."""

OB2_CONTEXTS: Final = frozenset(
    {"https://w3id.org/openbadges/v2", "https://w3id.org/openbadges/v2/"}
)
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_JWT_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_EMAIL_TYPES: Final = frozenset({"emailAddress", "email"})


def max_import_bytes() -> int:
    return int(getattr(settings, "MOSAICS_MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES))


class ImportRefused(ValidationError):
    """Nothing was imported (and nothing saved); the message says why, in plain words.

    Codes: ``empty``, ``too_large``, ``unreadable``, ``not_a_badge``, ``duplicate``,
    ``in_mosaic``."""


# ---------------------------------------------------------------------------------------------
# What the upload is
# ---------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """What was uploaded: its format (an `ExternalBadge.Format`), its kind (ob3, clr, ob2), the
    credential as read (unverified), the text to store, and what to hand the verifier."""

    format: str
    kind: str
    credential: dict[str, Any] | None
    payload: str
    data: bytes
    #: For OB 2.0 only: how the assertion is verified (hosted, signed) and where.
    ob2_verification: str = ""
    ob2_url: str = ""


def _refuse(message: str, code: str) -> ImportRefused:
    return ImportRefused(message, code=code)


def _types(obj: object) -> set[str]:
    if not isinstance(obj, Mapping):
        return set()
    return {t for t in as_list(obj.get("type")) if isinstance(t, str)}


def _contexts(obj: Mapping[str, Any]) -> list[str]:
    return [c for c in as_list(obj.get("@context")) if isinstance(c, str)]


def _classify(credential: Mapping[str, Any]) -> str:
    """ob3, clr or ob2 — or ImportRefused when the JSON is something other than a badge."""
    types = _types(credential)
    contexts = _contexts(credential)
    if "ClrCredential" in types:
        return "clr"
    if types & vc_verify.OB_TYPES:
        return "ob3"
    if "EndorsementCredential" in types:
        raise _refuse(
            _(
                "This is an endorsement (one organisation vouching for another or for a "
                "badge), not a badge someone earned, so it cannot go into your mosaic."
            ),
            "not_a_badge",
        )
    if "BitstringStatusListCredential" in types:
        raise _refuse(
            _("This is an issuer's status list (which badges are revoked), not a badge."),
            "not_a_badge",
        )
    if "Assertion" in types or OB2_CONTEXTS & set(contexts) or "recipient" in credential:
        ob2_other = types & {"BadgeClass", "Issuer", "Profile", "Endorsement", "CryptographicKey"}
        if "Assertion" not in types and ob2_other:
            raise _refuse(
                _(
                    "This is an Open Badges 2.0 %(type)s (part of how a badge is described), "
                    "not a badge someone earned. Upload the assertion, or the baked image, that "
                    "you received."
                )
                % {"type": sorted(ob2_other)[0]},
                "not_a_badge",
            )
        return "ob2"
    if "VerifiableCredential" in types or "credentialSubject" in credential:
        return "ob3"  # a credential of some other kind: the verifier says what is wrong with it
    raise _refuse(
        _(
            "This JSON is not a badge: it is neither an Open Badges 2.0 assertion nor an Open "
            "Badges 3.0 or CLR 2.0 credential."
        ),
        "not_a_badge",
    )


def _credential_of_jwt(token: str) -> dict[str, Any]:
    try:
        _header, payload = jose.decode_unverified(token)
    except (VCError, ValueError, TypeError):
        raise _refuse(
            _("This looks like a JWT, but it cannot be read: it is damaged or incomplete."),
            "unreadable",
        ) from None
    vc = payload.get("vc")
    if isinstance(vc, dict):
        credential = dict(vc)
        if "id" not in credential and isinstance(payload.get("jti"), str):
            credential["id"] = payload["jti"]
        return credential
    # VC-JOSE (VC 2.0): the payload is the credential, next to the JWT's own claims.
    credential = {k: v for k, v in payload.items() if k not in _JWT_CLAIMS}
    if "id" not in credential and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    return credential


def _load_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = limits.load_json(text, what=what)
    except VCError as exc:
        raise _refuse(exc.message, "unreadable") from None
    if not isinstance(value, dict):
        raise _refuse(
            _("This is JSON, but not a JSON object, so it cannot be a badge."), "unreadable"
        )
    return value


def _read_text_credential(text: str, *, where: str = "") -> tuple[dict[str, Any], bool]:
    """(credential, is_jwt) from JSON or compact JWS text."""
    text = text.strip()
    if text[:1] in ("{", "[", '"'):
        return _load_object(text, "badge"), False
    if _COMPACT_JWS.fullmatch(text):
        return _credential_of_jwt(text), True
    if where:
        raise _refuse(
            _("The %(where)s holds data that is neither JSON nor a JWT.") % {"where": where},
            "unreadable",
        )
    raise _refuse(
        _(
            "This is not a badge format we can read. Upload an Open Badges 2.0 or 3.0 JSON "
            "file, a JWT, a CLR 2.0 file, or a baked PNG or SVG badge image."
        ),
        "unreadable",
    )


def _parse(data: bytes) -> _Parsed:
    if data.startswith(_PNG_SIGNATURE):
        return _parse_image(data, "png")
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            _(
                "This file is not a badge: it is binary data, and not a PNG image. Upload a "
                "badge as JSON, a JWT, or a baked PNG or SVG image."
            ),
            "unreadable",
        ) from None
    if "\x00" in text:
        raise _refuse(_("This file contains binary data, so it is not a badge."), "unreadable")
    stripped = text.strip()
    if not stripped:
        raise _refuse(_("The file or text is empty."), "empty")
    if stripped.startswith("<"):
        return _parse_image(data, "svg")
    credential, is_jwt = _read_text_credential(stripped)
    kind = _classify(credential)
    if kind == "ob2":
        fmt = ExternalBadge.Format.OB2_JSON
    elif kind == "clr":
        fmt = ExternalBadge.Format.CLR
    else:
        fmt = ExternalBadge.Format.OB3_JWT if is_jwt else ExternalBadge.Format.OB3_JSON
    parsed = _Parsed(fmt, kind, credential, stripped, data)
    if kind == "ob2":
        _ob2_verification(parsed, signed=is_jwt)
    return parsed


def _parse_image(data: bytes, fmt: str) -> _Parsed:
    try:
        baked = baking.extract(data)
    except VCError as exc:
        raise _refuse(
            _("This image holds no badge that can be read: %(reason)s.")
            % {"reason": exc.message.rstrip(".")},
            "unreadable",
        ) from None
    except (LookupError, ValueError, RecursionError):
        raise _refuse(_("This image cannot be read: it is damaged."), "unreadable") from None
    where = _("PNG image") if fmt == "png" else _("SVG image")
    payload = base64.b64encode(data).decode("ascii") if fmt == "png" else _decode_svg(data)
    if baked.kind == "url":
        # An OB 2.0 image that only points at the issuer's hosted assertion.
        parsed = _Parsed(fmt, "ob2", {"id": baked.text}, payload, data)
        parsed.ob2_verification, parsed.ob2_url = "hosted", baked.text
        return parsed
    credential, is_jwt = _read_text_credential(baked.text, where=where)
    kind = "ob2" if baked.ob_version == "2.0" else _classify(credential)
    if kind == "ob2" and baked.ob_version == "3.0":
        kind = "ob3"  # an OB 3.0 baking slot holds an OB 3.0 credential, whatever it claims
    parsed = _Parsed(fmt, kind, credential, payload, data)
    if kind == "ob2":
        _ob2_verification(parsed, signed=is_jwt)
    return parsed


def _decode_svg(data: bytes) -> str:
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return raw.decode("utf-8", "replace")


def _ob2_verification(parsed: _Parsed, *, signed: bool) -> None:
    credential = parsed.credential or {}
    verification = credential.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if signed or kind in ("signed", "SignedBadge"):
        parsed.ob2_verification = "signed"
        creator = verification.get("creator") if isinstance(verification, Mapping) else None
        parsed.ob2_url = creator if isinstance(creator, str) else ""
    else:
        parsed.ob2_verification = "hosted"
        cid = credential.get("id")
        parsed.ob2_url = cid if isinstance(cid, str) else ""


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


@dataclass
class _Verdict:
    status: str
    verified: bool
    report: dict[str, Any]
    credential: dict[str, Any] | None
    summary: dict[str, Any] = field(default_factory=dict)
    #: One of our own awards this badge is (found offline, in our records), if any.
    award: Any = None


def _verify(parsed: _Parsed, now: datetime | None) -> _Verdict:
    """The shared verifier, offline: our issuers' documents and status lists are known (so our
    own awards verify completely, revocation reasons included); nothing else is fetched."""
    verdict = verify_any(parsed.data, allow_fetch=False, now=now)
    report = verdict.to_json()
    report.pop("credential", None)  # kept once, in ExternalBadge.credential
    summary = report.get("summary") if isinstance(report.get("summary"), dict) else {}
    award = None
    if verdict.award_uuid is not None:
        from mosaics.awards.models import Award

        award = Award.objects.filter(uuid=verdict.award_uuid).first()
    return _Verdict(
        status=verdict.status,
        verified=verdict.verified,
        report=report,
        credential=verdict.credential if isinstance(verdict.credential, dict) else None,
        summary=summary or {},
        award=award,
    )


def _our_award_for_url(url: str) -> Any:
    """The award whose OB 2.0 hosted assertion is at `url`, when that is on this site."""
    from django.urls import Resolver404, resolve

    from mosaics.awards.models import Award
    from mosaics.issuance.signing import site_url

    base = site_url("")
    if not url or not url.startswith(base + "/"):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name != "awards:ob2_assertion":
        return None
    for value in match.kwargs.values():
        try:
            key = uuid_module.UUID(str(value))
        except ValueError:
            continue
        return Award.objects.filter(uuid=key).first()
    return None


def _our_award(credential: Mapping[str, Any] | None) -> Any:
    """The award of ours the credential is (by its `urn:uuid:` id), if any."""
    if not isinstance(credential, Mapping):
        return None
    cid = credential.get("id")
    if not isinstance(cid, str) or not cid.startswith("urn:uuid:"):
        return None
    try:
        key = uuid_module.UUID(cid.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    from mosaics.awards.models import Award

    return Award.objects.filter(uuid=key).first()


# ---------------------------------------------------------------------------------------------
# Whose badge is it?
# ---------------------------------------------------------------------------------------------


@dataclass
class _Identities:
    emails: list[str]
    dids: set[str]


def _identities(actor: Any) -> _Identities:
    from allauth.account.models import EmailAddress

    from mosaics.accounts.models import BoundDid

    emails = list(
        EmailAddress.objects.filter(user=actor, verified=True).values_list("email", flat=True)
    )
    dids = set(BoundDid.objects.filter(user=actor).values_list("did", flat=True))
    return _Identities(emails=emails, dids=dids)


def _email_matches(identity: str, hashed: bool, salt: Any, emails: list[str]) -> str | None:
    salt_text = salt if isinstance(salt, str) else None
    for email in emails:
        for candidate in dict.fromkeys((email, email.lower())):
            if hashed:
                if verify_identity_hash(identity, candidate, salt_text):
                    return email
            elif identity.strip().lower().removeprefix("mailto:") == candidate.lower():
                return email
    return None


def _recipient(credential: Mapping[str, Any] | None, kind: str, who: _Identities) -> dict[str, Any]:
    """{"ok", "code", "value"}: whether the badge names the learner, and by what."""
    if not isinstance(credential, Mapping):
        return {"ok": False, "code": "no_recipient", "value": ""}
    if kind == "ob2":
        recipient = credential.get("recipient")
        if not isinstance(recipient, Mapping) or not isinstance(recipient.get("identity"), str):
            return {"ok": False, "code": "no_recipient", "value": ""}
        rtype = recipient.get("type")
        if rtype != "email":
            return {"ok": False, "code": "other_identity", "value": str(rtype)[:40]}
        email = _email_matches(
            recipient["identity"],
            recipient.get("hashed") is True,
            recipient.get("salt"),
            who.emails,
        )
        if email:
            return {"ok": True, "code": "email", "value": email}
        return {"ok": False, "code": "not_yours", "value": ""}
    subjects = [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]
    named = False
    for subject in subjects:
        sid = subject.get("id")
        if isinstance(sid, str) and sid:
            named = True
            if sid in who.dids:
                return {"ok": True, "code": "did", "value": sid}
            if sid.startswith("mailto:"):
                email = _email_matches(sid, False, None, who.emails)
                if email:
                    return {"ok": True, "code": "email", "value": email}
        for ident in as_list(subject.get("identifier")):
            if not isinstance(ident, Mapping) or not isinstance(ident.get("identityHash"), str):
                continue
            named = True
            hashed = ident.get("hashed") is True
            value = ident["identityHash"]
            if ident.get("identityType") in _EMAIL_TYPES:
                email = _email_matches(value, hashed, ident.get("salt"), who.emails)
                if email:
                    return {"ok": True, "code": "email", "value": email}
            else:
                for did in who.dids:
                    if (hashed and verify_identity_hash(value, did, ident.get("salt"))) or (
                        not hashed and value == did
                    ):
                        return {"ok": True, "code": "did", "value": did}
    return {"ok": False, "code": "not_yours" if named else "no_recipient", "value": ""}


def recipient_text(recipient: Mapping[str, Any] | None) -> str:
    """The recipient check of a stored report, in the reader's language."""
    recipient = recipient or {}
    code = recipient.get("code")
    value = recipient.get("value", "")
    if code == "email":
        return _("It was issued to your verified e-mail address %(email)s.") % {"email": value}
    if code == "did":
        return _("It was issued to your DID %(did)s.") % {"did": value}
    if code == "other_identity":
        return _(
            "It names its recipient by a %(kind)s, which cannot be matched to your account "
            "(only e-mail addresses and DIDs can)."
        ) % {"kind": value}
    if code == "no_recipient":
        return _("It does not say who it was issued to, so it cannot be shown to be yours.")
    return _(
        "It was issued to someone else: its recipient is none of your verified e-mail addresses "
        "or DIDs. If it is yours, add and verify the address it was sent to, then import it again."
    )


def rejection_text(badge: ExternalBadge) -> str:
    """Why an import was rejected (empty for an accepted one), in the reader's language."""
    if badge.verified:
        return ""
    rejection = (badge.report or {}).get("rejection") or {}
    code = rejection.get("code") or badge.status
    if code == "not_yours":
        return (
            _("This badge checks out, but it is not yours.")
            + " "
            + recipient_text(badge.report.get("recipient"))
        )
    texts = {
        "invalid": _(
            "This badge did not pass verification: it was changed after it was issued, is not "
            "signed by its issuer, or is not a valid badge."
        ),
        "unconfirmed": _(
            "This badge could not be confirmed: nothing its issuer publishes that we can check "
            "offline shows that the issuer made it."
        ),
        "expired": _("This badge has expired."),
        "not_yet_valid": _("This badge is not valid yet."),
        "revoked": _("Its issuer has revoked this badge."),
        "suspended": _("Its issuer has suspended this badge."),
    }
    return texts.get(code, texts["invalid"])


# ---------------------------------------------------------------------------------------------
# What it is: title, issuer, date
# ---------------------------------------------------------------------------------------------


def _name(obj: object) -> str | None:
    if isinstance(obj, str):
        return None if obj.startswith(("http://", "https://", "did:", "urn:")) else obj
    if isinstance(obj, Mapping):
        for key in ("name", "title"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, Mapping):  # a language map
                for text in value.values():
                    if isinstance(text, str) and text.strip():
                        return text.strip()
    return None


def _issuer_label(obj: object) -> str:
    name = _name(obj)
    if name:
        return name
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping) and isinstance(obj.get("id"), str):
        return str(obj["id"])
    return ""


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _describe(credential: Mapping[str, Any] | None, kind: str) -> tuple[str, str, datetime | None]:
    """(title, issuer name, issued on) as the credential says, clipped to the columns."""
    if not isinstance(credential, Mapping):
        return "", "", None
    if kind == "ob2":
        badge = credential.get("badge")
        title = _name(badge) or ""
        issuer = _issuer_label(badge.get("issuer")) if isinstance(badge, Mapping) else ""
        issued = _datetime(credential.get("issuedOn"))
    else:
        subjects = [
            s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)
        ]
        achievement = subjects[0].get("achievement") if subjects else None
        title = (_name(achievement) if kind == "ob3" else None) or _name(credential) or ""
        issuer = _issuer_label(credential.get("issuer"))
        issued = (
            _datetime(credential.get("validFrom"))
            or _datetime(credential.get("issuanceDate"))
            or _datetime(credential.get("awardedDate"))
        )
    return title[:300], issuer[:300], issued


def credential_id(credential: Mapping[str, Any] | None) -> str:
    if isinstance(credential, Mapping) and isinstance(credential.get("id"), str):
        return str(credential["id"])[:500]
    return ""


# ---------------------------------------------------------------------------------------------
# Who issued it: what was proved, kept apart from what the badge says
# ---------------------------------------------------------------------------------------------

#: Longest text of a badge's own that is kept and shown (a title, a name): the model's columns.
MAX_TEXT: Final = 300
#: Longest identifier of a badge's own (a DID, a URL) that is kept and shown.
MAX_ID: Final = 200

# Characters that change how the text around them reads without being seen: C0/C1 controls,
# bidirectional marks, embeddings, overrides and isolates, zero-width space, word joiner and
# invisible operators, byte order mark. (Zero-width joiners stay: some scripts need them.)
_HIDDEN: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_HOW: Final = frozenset({"key", "records"})


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Text a badge gives, fit to show: a string (anything else gives ""), without control or
    bidirectional characters, whitespace collapsed, at most `limit` characters (cut with "…").
    Templates escape it; this keeps a badge from disguising or flooding what a page says."""
    if not isinstance(value, str):
        return ""
    text = " ".join(_HIDDEN.sub(" ", unicodedata.normalize("NFC", value)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class IssuerIdentity:
    """Who issued a badge (or an endorsement, or a credential inside a CLR), as far as it was
    proved.

    ``confirmed`` only when something we trust vouches for it; ``how`` says what: ``key`` —
    the issuer is one of ours and its published key (in `trusted_documents()`) signed it;
    ``records`` — our own hosted OB 2.0 assertion, read from our records. ``name`` is then our
    issuer's name as we know it; otherwise it is only the name *as written in the badge*.
    ``signer`` is the DID (or URL) whose key made a signature that checks out — which proves
    the badge is intact, not who that DID is. ``id`` is the issuer's identifier as written.
    """

    confirmed: bool = False
    name: str = ""
    id: str = ""
    signer: str = ""
    how: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "name": self.name,
            "id": self.id,
            "signer": self.signer,
            "how": self.how,
        }

    @classmethod
    def from_json(cls, value: object, *, name: object = "", id: object = "") -> IssuerIdentity:
        """From a stored report (cleaned again: reports are data). A missing or damaged entry,
        e.g. of a badge imported before issuers were told apart, is never confirmed; `name` and
        `id` are then what the badge said, as far as it is known."""
        if not isinstance(value, Mapping):
            return cls(name=clean_text(name), id=clean_text(id, MAX_ID))
        how = value.get("how") if value.get("how") in _HOW else ""
        return cls(
            confirmed=value.get("confirmed") is True and bool(how),
            name=clean_text(value.get("name")),
            id=clean_text(value.get("id"), MAX_ID),
            signer=clean_text(value.get("signer"), MAX_ID),
            how=str(how) if value.get("confirmed") is True else "",
        )


def _passed(checks: object, name: str) -> bool:
    """The check `name` ran and passed (and no check of that name failed)."""
    found = [c for c in as_list(checks) if isinstance(c, Mapping) and c.get("name") == name]
    return bool(found) and all(c.get("ok") is True for c in found)


def _issuer_id(credential: Mapping[str, Any] | None) -> str:
    """The issuer's id as the credential writes it (as mosaics.vc.verify reads it)."""
    if not isinstance(credential, Mapping):
        return ""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return ""


def _our_issuer(did: str) -> Any:
    """The issuer of ours whose DID is `did`, when its DID document is one we trust."""
    from mosaics.issuance import signing
    from mosaics.organisations.models import Issuer

    prefix = signing.issuer_did(Issuer(slug="x"))[:-1]  # did:web:<host>[:<path>]:issuers:
    if not did.startswith(prefix) or len(did) > 500:
        return None
    issuer = Issuer.objects.filter(slug=did[len(prefix) :]).first()
    if issuer is None or did not in signing.trusted_documents([issuer]):
        return None
    return issuer


def _vc_identity(
    credential: Mapping[str, Any] | None, checks: object, claimed_name: str
) -> IssuerIdentity:
    """An OB 3.0 / CLR / endorsement credential's issuer: confirmed only when the signature and
    the issuer's key check out and the issuer is one of ours."""
    issuer_id = _issuer_id(credential)
    signed = bool(issuer_id) and _passed(checks, "proof") and _passed(checks, "issuer_key")
    if signed:
        ours = _our_issuer(issuer_id)
        if ours is not None:
            return IssuerIdentity(
                confirmed=True,
                name=clean_text(ours.name),
                id=clean_text(issuer_id, MAX_ID),
                signer=clean_text(issuer_id, MAX_ID),
                how="key",
            )
    return IssuerIdentity(
        name=clean_text(claimed_name),
        id=clean_text(issuer_id, MAX_ID),
        signer=clean_text(issuer_id, MAX_ID) if signed else "",
    )


def claimed_issuer_name(credential: Mapping[str, Any] | None) -> str:
    issuer = credential.get("issuer") if isinstance(credential, Mapping) else None
    return clean_text(_name(issuer) if isinstance(issuer, Mapping) else None)


def _ob2_identity(parsed: _Parsed, verdict: _Verdict, claimed_name: str) -> IssuerIdentity:
    """An OB 2.0 assertion's issuer: confirmed only for our own hosted assertion (read from our
    records); the keys and hosted copies of other issuers are never fetched, so never."""
    issuer = verdict.summary.get("issuer")
    issuer_id = clean_text(issuer.get("id") if isinstance(issuer, Mapping) else "", MAX_ID)
    award = verdict.award
    if award is not None and parsed.ob2_verification == "hosted" and verdict.verified:
        return IssuerIdentity(
            confirmed=True, name=clean_text(award.issuer.name), id=issuer_id, how="records"
        )
    return IssuerIdentity(name=clean_text(claimed_name), id=issuer_id)


def _mark_nested(report: dict[str, Any]) -> None:
    """Each credential inside (CLR members, endorsements) gets its own issuer identity and
    title, and each endorser in the summary its endorsement's identity."""
    identities: dict[str, IssuerIdentity] = {}
    nested = report.get("nested")
    for item in nested if isinstance(nested, list) else []:
        if not isinstance(item, dict):
            continue
        credential = item.get("credential")
        credential = credential if isinstance(credential, Mapping) else None
        identity = _vc_identity(credential, item.get("checks"), claimed_issuer_name(credential))
        item["issuer"] = identity.to_json()
        kind = "clr" if "ClrCredential" in _types(credential) else "ob3"
        item["title"] = clean_text(_describe(credential, kind)[0])
        if isinstance(item.get("path"), str):
            identities[item["path"]] = identity
    summary = report.get("summary")
    endorsements = summary.get("endorsements") if isinstance(summary, dict) else None
    for endorser in endorsements if isinstance(endorsements, list) else []:
        if isinstance(endorser, dict):
            identity = identities.get(str(endorser.get("path")), IssuerIdentity())
            if not identity.confirmed:
                identity = IssuerIdentity(
                    name=clean_text(endorser.get("name")), id=identity.id, signer=identity.signer
                )
            endorser["issuer"] = identity.to_json()


def issuer_identity(badge: ExternalBadge) -> IssuerIdentity:
    """Who issued an imported badge, as far as it was proved when it was imported."""
    report = badge.report if isinstance(badge.report, Mapping) else {}
    summary = report.get("summary")
    issuer = summary.get("issuer") if isinstance(summary, Mapping) else None
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else ""
    return IssuerIdentity.from_json(report.get("issuer"), name=badge.issuer_name, id=issuer_id)


def _words(identity: IssuerIdentity, *, endorser: bool = False) -> str:
    name = clean_text(identity.name)
    signer = clean_text(identity.signer, MAX_ID)
    ident = clean_text(identity.id, MAX_ID)
    if identity.confirmed and name:
        return _("%(name)s (confirmed)") % {"name": name}
    if endorser:
        if name and signer:
            return _(
                "Endorser's name as written in the endorsement: %(name)s — not confirmed "
                "(signed by %(signer)s)"
            ) % {"name": name, "signer": signer}
        if name:
            return _("Endorser's name as written in the endorsement: %(name)s — not confirmed") % {
                "name": name
            }
        if signer:
            return _("An endorser that gives no name — not confirmed (signed by %(signer)s)") % {
                "signer": signer
            }
        return _("An endorser that gives no name — not confirmed")
    if name and signer:
        return _(
            "Issuer's name as written in the badge: %(name)s — not confirmed (signed by %(signer)s)"
        ) % {"name": name, "signer": signer}
    if name and ident:
        return _(
            "Issuer's name as written in the badge: %(name)s — not confirmed (it gives its "
            "issuer as %(id)s)"
        ) % {"name": name, "id": ident}
    if name:
        return _("Issuer's name as written in the badge: %(name)s — not confirmed") % {"name": name}
    if signer:
        return _("The badge gives no issuer name — not confirmed (signed by %(signer)s)") % {
            "signer": signer
        }
    if ident:
        return _(
            "The badge gives no issuer name — not confirmed (it gives its issuer as %(id)s)"
        ) % {"id": ident}
    return _("The badge does not say who issued it")


def issuer_text(identity: IssuerIdentity) -> str:
    """The issuer in words for every page: "<name> (confirmed)", or "Issuer's name as written in
    the badge: <name> — not confirmed (signed by <DID>)" — never a bare name."""
    return _words(identity)


def endorser_text(identity: IssuerIdentity) -> str:
    return _words(identity, endorser=True)


def issued_by_label(identity: IssuerIdentity) -> str:
    """The heading of the issuer's line: "Issued by" only when the issuer is confirmed."""
    return _("Issued by") if identity.confirmed else _("Issuer")


def confirmation_text(identity: IssuerIdentity) -> str:
    """What was proved about the issuer, in a sentence (for the badge's own page)."""
    if identity.confirmed and identity.how == "records":
        return _("Confirmed: this badge was issued on this site, and our records hold it.")
    if identity.confirmed:
        return _(
            "Confirmed: the issuer is one of this site's issuers, and its published key signed "
            "the badge."
        )
    if identity.signer:
        return _(
            "Not confirmed: the signature shows only that the badge has not been changed since "
            "it was signed with a key of %(signer)s. Anyone can make such a key and write any "
            "name in a badge, and nothing we trust says whose key it is."
        ) % {"signer": clean_text(identity.signer, MAX_ID)}
    return _(
        "Not confirmed: nothing we can check offline shows who issued this badge; the name is "
        "what the badge itself says."
    )


def status_words(status: str, identity: IssuerIdentity, *, endorsement: bool = False) -> str:
    """The verifier's status in words, with what was proved: a valid signature by an issuer
    nobody vouches for is "Signature valid; issuer not confirmed", never a plain "Valid"."""
    from mosaics.verification.service import STATUS_LABELS

    if status == "valid" and not identity.confirmed:
        if endorsement:
            return _("Signature valid; endorser not confirmed")
        return _("Signature valid; issuer not confirmed")
    return str(STATUS_LABELS.get(status, status))


def status_text(badge: ExternalBadge, identity: IssuerIdentity | None = None) -> str:
    """The imported badge's status in words (see `status_words`)."""
    return status_words(badge.status, identity or issuer_identity(badge))


# ---------------------------------------------------------------------------------------------
# The actions
# ---------------------------------------------------------------------------------------------


def human_size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return _("%(n)d MB") % {"n": n // (1024 * 1024)}
    if n >= 1024 and n % 1024 == 0:
        return _("%(n)d KB") % {"n": n // 1024}
    return _("%(n)d bytes") % {"n": n}


def _require_person(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied


@transaction.atomic
def external_badge_import(
    *, actor: Any, data: bytes, filename: str = "", now: datetime | None = None
) -> ExternalBadge:
    """Import a badge the learner earned elsewhere (see the module docstring).

    Returns the saved `ExternalBadge` — ``verified`` when it verified offline and names the
    learner, else kept as a rejected import with the reason in its report. Raises
    `ImportRefused` (nothing saved) when the upload is not a badge, too large, or already in
    the learner's mosaic; `PermissionDenied` unless `actor` is a signed-in person. `filename`
    is recorded for the learner's reference only: the format comes from the content. `now`
    judges validity windows (tests; default the current time).
    """
    _require_person(actor)
    if isinstance(data, str):
        data = data.encode("utf-8")
    limit = max_import_bytes()
    try:
        limits.check_size(data, limit, what="file")
    except VCError as exc:
        raise _refuse(
            _("The file is too large: badges are at most %(size)s.") % {"size": human_size(limit)},
            exc.code,
        ) from None
    if not data.strip():
        raise _refuse(_("The file or text is empty."), "empty")
    parsed = _parse(bytes(data))
    if limits.contains_nul(parsed.credential):
        # No badge needs one, and the database cannot store one (PostgreSQL refuses \u0000).
        raise _refuse(
            _("The badge contains a NUL character (\\u0000), so it cannot be a real badge."),
            "nul",
        )

    from mosaics.accounts.models import User

    # One import at a time per learner: the duplicate check below must see the others.
    User.objects.select_for_update().filter(pk=actor.pk).first()

    verdict = _verify(parsed, now)
    credential = verdict.credential or parsed.credential
    if limits.contains_nul(credential):
        raise _refuse(
            _("The badge contains a NUL character (\\u0000), so it cannot be a real badge."),
            "nul",
        )
    cid = credential_id(parsed.credential) or credential_id(credential)
    digest = hashlib.sha256(parsed.data).hexdigest()
    if verdict.award is None and parsed.kind == "ob2" and parsed.ob2_verification == "hosted":
        verdict.award = _our_award_for_url(parsed.ob2_url)
    _refuse_duplicates(actor, cid, digest, verdict.award)

    if verdict.award is not None and parsed.kind == "ob2":
        # Our own hosted OB 2.0 assertion: our record of the recipient is the truth.
        who = _award_recipient(verdict.award, actor)
    else:
        who = _recipient(credential, parsed.kind, _identities(actor))
    verified = verdict.verified and who["ok"]
    report = dict(verdict.report)
    report["kind"] = parsed.kind
    report["recipient"] = who
    report["credential_id"] = cid
    report["award"] = str(verdict.award.uuid) if verdict.award is not None else None
    report["sha256"] = digest
    report["filename"] = filename[:200]
    if not verdict.verified:
        report["rejection"] = {"code": verdict.status}
    elif not who["ok"]:
        report["rejection"] = {"code": "not_yours"}
    else:
        report["rejection"] = None
    title, issuer_name, issued_on = _describe(credential, parsed.kind)
    summary = verdict.summary
    achievement = summary.get("achievement")
    issuer = summary.get("issuer")
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = issuer if isinstance(issuer, dict) else {}
    title = clean_text(achievement.get("name") or title)
    issuer_name = clean_text(issuer.get("name") or issuer_name)
    issued_on = _datetime(summary.get("issued")) or issued_on
    if verdict.award is not None:
        title = title or clean_text(verdict.award.title)
    # What was proved about the issuer, apart from the name the badge gives it.
    if parsed.kind == "ob2":
        identity = _ob2_identity(parsed, verdict, issuer_name)
    else:
        identity = _vc_identity(credential, report.get("checks"), issuer_name)
    report["issuer"] = identity.to_json()
    _mark_nested(report)
    # The column holds the name to show: ours when confirmed, else as written (and labelled so).
    issuer_name = identity.name

    replaced = _earlier_attempts(actor, cid, digest, verdict.award)
    replaced_ids = [str(b.uuid) for b in replaced]
    for old in replaced:
        old.delete()
    badge = ExternalBadge.objects.create(
        owner=actor,
        format=parsed.format,
        payload=parsed.payload,
        credential=parsed.credential,
        verified=verified,
        status=verdict.status,
        report=report,
        title=title,
        issuer_name=issuer_name,
        issued_on=issued_on,
    )
    record(
        actor=actor,
        action="portfolio.import",
        target=badge,
        organisation=None,
        format=parsed.format,
        kind=parsed.kind,
        verified=verified,
        status=verdict.status,
        rejection=(report["rejection"] or {}).get("code"),
        credential_id=cid,
        replaced=replaced_ids,
    )
    return badge


def _award_recipient(award: Any, actor: Any) -> dict[str, Any]:
    """Whether one of our awards (found by its hosted OB 2.0 URL) is the learner's: our own
    record of its recipient is the truth, not what the uploaded copy says."""
    from allauth.account.models import EmailAddress

    if award.learner_id is not None:
        if award.learner_id == actor.pk:
            return {"ok": True, "code": "email", "value": award.recipient_email}
        return {"ok": False, "code": "not_yours", "value": ""}
    # Exact, on the lower-cased address (as allauth stores and compares them): a
    # case-insensitive match would let UPPER('ı') = 'I' make alıce@… match alice@….
    if EmailAddress.objects.filter(
        user=actor, verified=True, email=award.recipient_email.lower()
    ).exists():
        return {"ok": True, "code": "email", "value": award.recipient_email}
    return {"ok": False, "code": "not_yours", "value": ""}


def _accepted(actor: Any) -> Any:
    return ExternalBadge.objects.filter(owner=actor, verified=True)


def _refuse_duplicates(actor: Any, cid: str, digest: str, award: Any) -> None:
    if award is not None and award.learner_id == actor.pk and award.in_mosaic:
        raise _refuse(
            _(
                "This badge was issued here and is already in your mosaic as “%(title)s”; there "
                "is no need to import it."
            )
            % {"title": award.title},
            "in_mosaic",
        )
    earlier: ExternalBadge | None = None
    if award is not None:  # one of ours, in another form (OB 2.0 and 3.0 have different ids)
        earlier = _accepted(actor).filter(report__award=str(award.uuid)).first()
    if earlier is None and cid:
        earlier = _accepted(actor).filter(report__credential_id=cid).first()
    if earlier is None:
        earlier = _accepted(actor).filter(report__sha256=digest).first()
    if earlier is not None:
        raise _refuse(
            _("You have already imported this badge (“%(title)s”); it is in your mosaic.")
            % {"title": earlier.title or _("untitled")},
            "duplicate",
        )


def _earlier_attempts(actor: Any, cid: str, digest: str, award: Any) -> list[ExternalBadge]:
    """The learner's rejected imports of the same thing, which the new attempt replaces."""
    rejected = ExternalBadge.objects.filter(owner=actor, verified=False)
    found = list(rejected.filter(report__sha256=digest))
    if cid:
        found += [b for b in rejected.filter(report__credential_id=cid) if b not in found]
    if award is not None:
        found += [b for b in rejected.filter(report__award=str(award.uuid)) if b not in found]
    return found


def _require_owner(actor: Any, badge: ExternalBadge) -> None:
    _require_person(actor)
    if badge.owner_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def external_badge_delete(*, actor: Any, badge: ExternalBadge) -> None:
    """Remove an imported badge (accepted or rejected) from the learner's records; it leaves
    their collections with it."""
    _require_owner(actor, badge)
    record(
        actor=actor,
        action="portfolio.import_delete",
        target=badge,
        organisation=None,
        title=badge.title,
        verified=badge.verified,
    )
    badge.delete()


@transaction.atomic
def external_badge_share(*, actor: Any, badge: ExternalBadge, shared: bool) -> ExternalBadge:
    """Share an accepted imported badge publicly, or stop sharing it. A rejected import is
    never shared."""
    _require_owner(actor, badge)
    badge = ExternalBadge.objects.select_for_update().get(pk=badge.pk)
    if shared and not badge.verified:
        raise _refuse(_("A rejected import cannot be shared."), "rejected")
    if badge.shared == bool(shared):
        return badge
    badge.shared = bool(shared)
    badge.save(update_fields=["shared"])
    record(
        actor=actor,
        action="portfolio.import_share" if shared else "portfolio.import_unshare",
        target=badge,
        organisation=None,
    )
    return badge
