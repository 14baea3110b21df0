"""Verifying Open Badges 2.0 assertions (https://www.imsglobal.org/sites/default/files/Badges/
OBv2p0Final/index.html), hosted and signed.

- **Hosted** (``verification.type`` ``hosted``, §Verification "HostedBadge"): the assertion is what
  the issuer serves at its ``id``, so we fetch it from there and check that copy; its id must be
  on an origin the issuer allows (``verification.allowedOrigins``, by default the host of the
  issuer's own id) and start with one of ``verification.startsWith`` when the issuer gives them.
  ``revoked: true`` in the hosted copy revokes it (with ``revocationReason``).
- **Signed** (``signed``, "SignedBadge"): the assertion is the payload of a JWS (RS256 or ES256),
  signed by the ``CryptographicKey`` that ``verification.creator`` names; the key's ``owner``
  must be the issuer, and the issuer's ``revocationList`` (when it has one) must not list it.

In both, the BadgeClass (``badge``) and its Issuer are read (fetched when given as URLs), the
recipient must be a well-formed IdentityObject, ``issuedOn``/``expires`` make it not yet valid
or expired.

Everything outside the input is read through ``get(url) → (content type, bytes)``, which raises
:class:`mosaics.verification.fetch.FetchError`; when it cannot be read (offline, unreachable),
the badge is *unconfirmed*, with the reason — never *valid*.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from mosaics.vc import limits
from mosaics.vc._util import as_list
from mosaics.vc.errors import VCError
from mosaics.vc.verify import Check
from mosaics.verification import fetch as safe_fetch
from mosaics.verification.service import Summary

__all__ = ["OB2_CONTEXT", "Result", "verify"]

OB2_CONTEXT: Final = "https://w3id.org/openbadges/v2"
_HASH: Final = re.compile(r"(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})")
_ALGORITHMS: Final = ("RS256", "ES256")
Resolver = Callable[[str], tuple[str, bytes]]


@dataclass
class Result:
    checks: list[Check] = field(default_factory=list)
    warnings: list[Check] = field(default_factory=list)
    assertion: dict[str, Any] | None = None
    badge: dict[str, Any] | None = None
    issuer: dict[str, Any] | None = None
    summary: Summary = field(default_factory=Summary)
    issuer_from_id: bool = False
    """The Issuer profile was read from its own id (its address), not taken from the badge."""
    vouched: bool = False
    """The issuer's own profile vouches for the badge: the hosted copy is where the profile
    allows, or the profile (or the issuer's host) publishes the key that signed it."""

    def ok(self, name: str, message: str) -> None:
        self.checks.append(Check(name, True, "ok", message))

    def fail(self, name: str, code: str, message: str) -> None:
        self.checks.append(Check(name, False, code, message))

    def warn(self, name: str, code: str, message: str) -> None:
        self.warnings.append(Check(name, True, code, message))


class _Stop(Exception):
    """The checks cannot go on (what is wrong has been reported)."""


def _types(obj: Mapping[str, Any]) -> list[str]:
    return [t for t in as_list(obj.get("type")) if isinstance(t, str)]


def _clip(text: object, n: int = 200) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= n else value[: n - 1] + "…"


def verify(data: Mapping[str, Any] | str, *, now: datetime, get: Resolver) -> Result:
    """Check an OB 2.0 assertion given as a JSON object or a compact JWS."""
    result = Result()
    try:
        _verify(data, result, now, get)
    except _Stop:
        pass
    except RecursionError:
        result.fail("parse", "malformed", _("The data is nested too deeply to be checked."))
    except Exception as exc:  # never raise for bad input; fail closed and say so
        result.fail(
            "parse",
            "check_error",
            _("The badge could not be checked (%(error)s), so it cannot be trusted.")
            % {"error": type(exc).__name__},
        )
    _summarise(result)
    return result


def _verify(data: Mapping[str, Any] | str, result: Result, now: datetime, get: Resolver) -> None:
    jws: tuple[dict[str, Any], bytes, bytes] | None = None
    if isinstance(data, str):
        header, payload, signing_input, signature = _decode_jws(data, result)
        jws = (header, signing_input, signature)
        assertion = payload
        result.ok(
            "parse",
            _("The badge is an Open Badges 2.0 assertion signed as a JWS (%(alg)s).")
            % {"alg": _clip(header.get("alg"), 20)},
        )
    else:
        assertion = dict(data)
        result.ok("parse", _("The badge is an Open Badges 2.0 assertion (JSON)."))
    result.assertion = assertion
    _check_context(assertion, result)
    types = _types(assertion)
    if "Assertion" not in types:
        what = ", ".join(types)[:100] or _("no type")
        if "BadgeClass" in types:
            message = _(
                "This is the description of a badge (a BadgeClass), not a badge awarded to "
                "someone, so there is nothing to verify."
            )
        else:
            message = _("This is not an Open Badges 2.0 assertion (its type is %(type)s).") % {
                "type": what
            }
        result.fail("type", "type_invalid", message)
        _describe_badge(assertion, result, get, quiet=True)
        raise _Stop
    result.ok("type", _("The badge is an assertion (an awarded badge)."))
    verification = assertion.get("verification") or assertion.get("verify")
    kind = ""
    if isinstance(verification, Mapping):
        kind = str(verification.get("type") or "")
    kind = {"HostedBadge": "hosted", "SignedBadge": "signed"}.get(kind, kind)
    if not kind:
        kind = "signed" if jws else "hosted"
    if kind == "signed" and jws is None:
        result.fail(
            "verification",
            "proof_missing",
            _(
                "The assertion says it is signed, but it was given without its signature "
                "(the JWS); give the signed form."
            ),
        )
        raise _Stop
    if kind not in ("hosted", "signed"):
        result.fail(
            "verification",
            "verification_invalid",
            _("The assertion's verification method (%(kind)s) is not one Open Badges 2.0 defines.")
            % {"kind": _clip(kind, 40)},
        )
        raise _Stop
    revoked = False
    if kind == "hosted":
        hosted = _hosted_copy(assertion, result, get)
        revoked = hosted.get("revoked") is True
        if revoked:
            reason = hosted.get("revocationReason")
            result.summary.status_reason = _clip(reason, 2000) if isinstance(reason, str) else ""
            result.fail("status", "revoked", _("The issuer has revoked this badge."))
            if "badge" not in assertion:  # only the issuer's notice: describe nothing more
                raise _Stop
        else:
            assertion = hosted
            result.assertion = assertion
    badge = _describe_badge(assertion, result, get, quiet=False)
    issuer = result.issuer
    _check_recipient(assertion, result)
    _check_dates(assertion, result, now)
    if badge is None or issuer is None:
        return
    if kind == "hosted":
        _check_origin(assertion, issuer, result)
        if not revoked:
            _check_hosted_revocation(assertion, result)
    else:
        assert jws is not None
        _check_signature(assertion, issuer, jws, result, get)
        _check_revocation_list(assertion, issuer, result, get)


# --- reading ---------------------------------------------------------------------------------


def _decode_jws(token: str, result: Result) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = limits.load_json(_b64(header_b64), what="JWS header")
        payload = limits.load_json(_b64(payload_b64), what="JWS payload")
        signature = _b64(signature_b64)
    except (ValueError, binascii.Error):
        result.fail("parse", "malformed", _("The JWS is not well formed."))
        raise _Stop from None
    except VCError as exc:
        result.fail("parse", exc.code, exc.message)
        raise _Stop from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        result.fail("parse", "malformed", _("The JWS's header or payload is not a JSON object."))
        raise _Stop
    return header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _get_json(url: str, what: str, result: Result, get: Resolver, name: str) -> dict[str, Any]:
    """The JSON object at ``url``; reports and stops when it cannot be had."""
    try:
        _type, content = get(url)
    except safe_fetch.FetchError as exc:
        from mosaics.verification.service import NotFetched

        if isinstance(exc, NotFetched):
            result.fail(
                name,
                "not_fetched",
                _(
                    "The badge could not be confirmed offline: %(what)s is published at "
                    "%(url)s, which is only opened when you give the badge as a link or "
                    "verify it on the verification page."
                )
                % {"what": what, "url": _clip(url)},
            )
        elif isinstance(exc, safe_fetch.FetchLimited):
            result.fail(
                name,
                "fetch_limited",
                _("The badge could not be confirmed: %(what)s at %(url)s was not opened. %(why)s")
                % {"what": what, "url": _clip(url), "why": exc.message},
            )
        else:
            result.fail(
                name,
                "fetch_failed",
                _(
                    "The badge could not be confirmed: %(what)s at %(url)s could not be read "
                    "(%(why)s)"
                )
                % {"what": what, "url": _clip(url), "why": exc.message},
            )
        raise _Stop from None
    try:
        value = limits.load_json(content, what=what)
    except VCError:
        result.fail(
            name,
            "malformed",
            _("%(what)s at %(url)s is not valid JSON (or is too large).")
            % {"what": what[:1].upper() + what[1:], "url": _clip(url)},
        )
        raise _Stop from None
    if not isinstance(value, dict):
        result.fail(
            name,
            "malformed",
            _("%(what)s at %(url)s is not a JSON object.")
            % {"what": what[:1].upper() + what[1:], "url": _clip(url)},
        )
        raise _Stop
    return value


def _check_context(document: Mapping[str, Any], result: Result) -> None:
    contexts = [c for c in as_list(document.get("@context")) if isinstance(c, str)]
    if any(c.rstrip("/") == OB2_CONTEXT for c in contexts):
        result.ok("context", _("The badge uses the Open Badges 2.0 context."))
        return
    if any("openbadges/v1" in c for c in contexts):
        message = _(
            "The badge uses the Open Badges 1.x context; only Open Badges 2.0 and 3.0 are checked."
        )
    else:
        message = _("The badge does not use the Open Badges 2.0 context (%(context)s).") % {
            "context": OB2_CONTEXT
        }
    result.fail("context", "context_invalid", message)


def _hosted_copy(assertion: dict[str, Any], result: Result, get: Resolver) -> dict[str, Any]:
    aid = assertion.get("id")
    if not isinstance(aid, str) or not aid.startswith(("https://", "http://")):
        result.fail(
            "hosted",
            "malformed",
            _("A hosted assertion must have the web address it is published at as its id."),
        )
        raise _Stop
    hosted = _get_json(aid, _("the issuer's copy of the badge"), result, get, "hosted")
    if hosted.get("id") != aid:
        result.fail(
            "hosted",
            "hosted_mismatch",
            _("What is published at %(url)s is another assertion (%(other)s).")
            % {"url": _clip(aid), "other": _clip(hosted.get("id"))},
        )
        raise _Stop
    if hosted.get("revoked") is True:
        result.ok(
            "hosted",
            _("The issuer publishes a notice for this badge at %(url)s.") % {"url": _clip(aid)},
        )
        return hosted
    if "Assertion" not in _types(hosted):
        result.fail(
            "hosted",
            "hosted_mismatch",
            _("What is published at %(url)s is not an assertion.") % {"url": _clip(aid)},
        )
        raise _Stop
    if _comparable(hosted) != _comparable(assertion):
        result.warn(
            "hosted",
            "hosted_differs",
            _(
                "The copy you gave differs from the one the issuer publishes; the issuer's copy "
                "was checked."
            ),
        )
    if not aid.startswith("https://"):
        result.warn(
            "hosted",
            "not_https",
            _("The badge is published at an address that is not secure (http)."),
        )
    result.ok(
        "hosted",
        _("The issuer publishes this badge at %(url)s.") % {"url": _clip(aid)},
    )
    return hosted


def _comparable(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("@context",)}


def _describe_badge(
    assertion: Mapping[str, Any], result: Result, get: Resolver, *, quiet: bool
) -> dict[str, Any] | None:
    """Read the BadgeClass and its Issuer into the result (quiet: only for the summary)."""
    badge_ref = assertion.get("badge")
    if quiet:
        badge_ref = assertion if "Assertion" not in _types(assertion) else badge_ref
    badge: dict[str, Any] | None = None
    if isinstance(badge_ref, Mapping):
        badge = dict(badge_ref)
    elif isinstance(badge_ref, str) and not quiet:
        badge = _get_json(
            badge_ref, _("the badge's description (BadgeClass)"), result, get, "badge"
        )
    elif not quiet:
        result.fail("badge", "malformed", _("The assertion does not say which badge it awards."))
        raise _Stop
    if badge is None:
        return None
    result.badge = badge
    if not quiet:
        if "BadgeClass" not in _types(badge) or not isinstance(badge.get("name"), str):
            result.fail(
                "badge",
                "badge_invalid",
                _(
                    "The badge's description is not a valid BadgeClass (it needs a type and a "
                    "name)."
                ),
            )
            raise _Stop
        if isinstance(badge_ref, str) and badge.get("id") != badge_ref:
            # Issuers move their files (and 1EdTech's validator only warns): say so.
            result.warn(
                "badge",
                "badge_moved",
                _("The badge's description at %(url)s gives another address as its id (%(other)s).")
                % {"url": _clip(badge_ref), "other": _clip(badge.get("id"))},
            )
        result.ok("badge", _("The badge is “%(name)s”.") % {"name": _clip(badge.get("name"), 120)})
    issuer_ref = badge.get("issuer")
    issuer: dict[str, Any] | None = None
    if isinstance(issuer_ref, Mapping):
        issuer = dict(issuer_ref)
    elif isinstance(issuer_ref, str) and not quiet:
        issuer = _get_json(issuer_ref, _("the issuer's profile"), result, get, "issuer")
        result.issuer_from_id = issuer.get("id") == issuer_ref
        if issuer.get("id") != issuer_ref:
            result.warn(
                "issuer",
                "issuer_moved",
                _("The issuer's profile at %(url)s gives another address as its id (%(other)s).")
                % {"url": _clip(issuer_ref), "other": _clip(issuer.get("id"))},
            )
    elif not quiet:
        result.fail("issuer", "issuer_missing", _("The badge does not name its issuer."))
        raise _Stop
    if issuer is None:
        return badge
    result.issuer = issuer
    if not quiet:
        if not set(_types(issuer)) & {"Issuer", "Profile"} or not isinstance(
            issuer.get("name"), str
        ):
            result.fail(
                "issuer",
                "issuer_invalid",
                _("The issuer's profile is not a valid Issuer (it needs a type and a name)."),
            )
            raise _Stop
        iid = issuer.get("id")
        if isinstance(iid, str) and iid.startswith("http://"):
            result.warn(
                "issuer",
                "not_https",
                _("The issuer's profile is published at an address that is not secure (http)."),
            )
        result.ok("issuer", _("The issuer is %(name)s.") % {"name": _clip(issuer.get("name"), 120)})
    return badge


# --- checks ----------------------------------------------------------------------------------


def _check_recipient(assertion: Mapping[str, Any], result: Result) -> None:
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping):
        result.fail("recipient", "malformed", _("The badge does not say who it was awarded to."))
        return
    identity = recipient.get("identity")
    kind = recipient.get("type")
    if not isinstance(identity, str) or not identity or not isinstance(kind, str):
        result.fail(
            "recipient",
            "malformed",
            _("The badge's recipient has no identity (or no type of identity)."),
        )
        return
    hashed = recipient.get("hashed")
    if hashed is True and not _HASH.fullmatch(identity):
        result.fail(
            "recipient",
            "malformed",
            _("The badge's recipient is hashed, but the hash is not a sha256$… or md5$… value."),
        )
        return
    if hashed is not True and _HASH.fullmatch(identity):
        result.fail(
            "recipient",
            "malformed",
            _("The badge's recipient looks hashed, but the badge does not say it is."),
        )
        return
    result.ok("recipient", _("The badge names its recipient."))


def _when(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _when(int(text))
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def _fmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_dates(assertion: Mapping[str, Any], result: Result, now: datetime) -> None:
    issued = _when(assertion.get("issuedOn"))
    if issued is None:
        result.fail(
            "validity",
            "malformed",
            _("The badge's issue date (issuedOn) is missing or not a date."),
        )
        return
    expires = None
    if assertion.get("expires") is not None:
        expires = _when(assertion.get("expires"))
        if expires is None:
            result.fail("validity", "malformed", _("The badge's expiry date is not a date."))
            return
    if expires is not None and expires < issued:
        result.fail("validity", "validity_invalid", _("The badge expires before it was issued."))
        return
    if now < issued:
        result.fail(
            "validity",
            "not_yet_valid",
            _("The badge is dated in the future: it was issued on %(when)s.")
            % {"when": _fmt(issued)},
        )
        return
    if expires is not None and now >= expires:
        result.fail(
            "validity",
            "expired",
            _("The badge has expired: it was valid until %(when)s.") % {"when": _fmt(expires)},
        )
        return
    if expires is not None:
        result.ok(
            "validity",
            _("The badge is within its validity period (until %(when)s).")
            % {"when": _fmt(expires)},
        )
    else:
        result.ok("validity", _("The badge is valid now (it does not expire)."))


def _host(url: object) -> str:
    if not isinstance(url, str):
        return ""
    try:
        parts = urlsplit(url)
        return (parts.netloc or "").lower().rsplit("@", 1)[-1]
    except ValueError:
        return ""


def _check_origin(assertion: Mapping[str, Any], issuer: Mapping[str, Any], result: Result) -> None:
    """OB 2.0 VerificationObject: the hosted id is on an allowed origin (by default the issuer
    id's host) and starts with an allowed prefix, when the issuer gives any."""
    aid = str(assertion.get("id"))
    rules = issuer.get("verification")
    rules = rules if isinstance(rules, Mapping) else {}
    origins = [o.lower() for o in as_list(rules.get("allowedOrigins")) if isinstance(o, str)]
    if not origins:
        origins = [_host(issuer.get("id"))]
    host = _host(aid)
    if host not in origins:
        result.fail(
            "origin",
            "origin_invalid",
            _(
                "The badge is published at %(host)s, which its issuer does not allow "
                "(allowed: %(allowed)s); anyone could publish such a copy."
            )
            % {"host": _clip(host, 100), "allowed": _clip(", ".join(origins), 200)},
        )
        return
    prefixes = [p for p in as_list(rules.get("startsWith")) if isinstance(p, str)]
    if prefixes and not any(aid.startswith(p) for p in prefixes):
        result.fail(
            "origin",
            "origin_invalid",
            _("The badge's address does not start with one its issuer allows (%(allowed)s).")
            % {"allowed": _clip(", ".join(prefixes), 200)},
        )
        return
    result.ok("origin", _("The badge is published where its issuer says its badges are."))
    result.vouched = result.issuer_from_id


def _check_hosted_revocation(assertion: Mapping[str, Any], result: Result) -> None:
    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason")
        result.summary.status_reason = _clip(reason, 2000) if isinstance(reason, str) else ""
        result.fail("status", "revoked", _("The issuer has revoked this badge."))
        return
    result.ok("status", _("The issuer has not revoked this badge."))


def _check_signature(
    assertion: Mapping[str, Any],
    issuer: Mapping[str, Any],
    jws: tuple[dict[str, Any], bytes, bytes],
    result: Result,
    get: Resolver,
) -> None:
    header, signing_input, signature = jws
    alg = header.get("alg")
    if alg not in _ALGORITHMS:
        result.fail(
            "proof",
            "proof_invalid",
            _("The badge is signed with %(alg)s; only RS256 and ES256 are accepted.")
            % {"alg": _clip(alg, 20)},
        )
        raise _Stop
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if not isinstance(creator, str) or not creator:
        keys = [k for k in as_list(issuer.get("publicKey")) if isinstance(k, str)]
        creator = keys[0] if len(keys) == 1 else None
    if not isinstance(creator, str):
        result.fail(
            "proof", "proof_invalid", _("The badge does not say which key signed it (creator).")
        )
        raise _Stop
    key_doc = _get_json(creator, _("the issuer's public key"), result, get, "issuer_key")
    pem = key_doc.get("publicKeyPem")
    if key_doc.get("id") != creator or not isinstance(pem, str):
        result.fail(
            "issuer_key",
            "issuer_key_invalid",
            _("What is published at %(url)s is not the key the badge names.")
            % {"url": _clip(creator)},
        )
        raise _Stop
    if key_doc.get("owner") != issuer.get("id"):
        result.fail(
            "issuer_key",
            "issuer_key_mismatch",
            _("The key that signed the badge belongs to %(owner)s, not to its issuer (%(issuer)s).")
            % {"owner": _clip(key_doc.get("owner")), "issuer": _clip(issuer.get("id"))},
        )
        raise _Stop
    listed = [
        k if isinstance(k, str) else k.get("id")
        for k in as_list(issuer.get("publicKey"))
        if isinstance(k, str | Mapping)
    ]
    if listed and creator not in listed:
        result.fail(
            "issuer_key",
            "issuer_key_mismatch",
            _("The issuer's profile does not list the key that signed the badge."),
        )
        raise _Stop
    if not _signature_ok(str(alg), pem, signing_input, signature):
        result.fail(
            "proof",
            "proof_invalid",
            _(
                "The signature does not check out: the badge was changed after signing, or was "
                "signed with another key."
            ),
        )
        raise _Stop
    result.ok(
        "proof",
        _("The signature is valid: the badge has not been changed since it was signed."),
    )
    result.ok("issuer_key", _("The signing key belongs to the issuer."))
    # The key says whose it is; the issuer's own profile (read from its id) must say so too,
    # or the key must be published on the issuer's own host.
    result.vouched = result.issuer_from_id and (
        creator in listed or (_host(creator) == _host(issuer.get("id")) != "")
    )


def _signature_ok(alg: str, pem: str, signing_input: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError):
        return False
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            if key.key_size < 2048:
                return False
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if key.curve.name != "secp256r1" or len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


def _check_revocation_list(
    assertion: Mapping[str, Any], issuer: Mapping[str, Any], result: Result, get: Resolver
) -> None:
    url = issuer.get("revocationList")
    if not isinstance(url, str) or not url:
        result.ok("status", _("The issuer publishes no revocation list; nothing revokes it."))
        return
    listing = _get_json(url, _("the issuer's revocation list"), result, get, "status")
    if "RevocationList" not in _types(listing):
        result.fail(
            "status",
            "status_list_invalid",
            _("What the issuer gives as its revocation list is not one."),
        )
        return
    aid, uid = assertion.get("id"), assertion.get("uid")
    for entry in as_list(listing.get("revokedAssertions")):
        if isinstance(entry, str):
            matched, reason = entry in (aid, uid), None
        elif isinstance(entry, Mapping):
            matched = (entry.get("id") is not None and entry.get("id") == aid) or (
                entry.get("uid") is not None and entry.get("uid") == uid
            )
            reason = entry.get("revocationReason")
        else:
            continue
        if matched:
            result.summary.status_reason = _clip(reason, 2000) if isinstance(reason, str) else ""
            result.fail("status", "revoked", _("The issuer has revoked this badge."))
            return
    result.ok("status", _("The issuer's revocation list does not list this badge."))


# --- summary ---------------------------------------------------------------------------------


def _text(value: object, n: int = 2000) -> str:
    return value.strip()[:n] if isinstance(value, str) else ""


def _summarise(result: Result) -> None:
    summary = result.summary
    assertion, badge, issuer = result.assertion or {}, result.badge or {}, result.issuer or {}
    summary.issuer_name = _text(issuer.get("name"), 300)
    summary.issuer_id = _text(issuer.get("id"), 500)
    url = _text(issuer.get("url"), 500)
    summary.issuer_url = url if url.startswith("https://") else ""
    summary.achievement_name = _text(badge.get("name"), 300)
    summary.achievement_description = _text(badge.get("description"))
    criteria = badge.get("criteria")
    if isinstance(criteria, str):
        summary.criteria_url = criteria if criteria.startswith("https://") else ""
    elif isinstance(criteria, Mapping):
        cid = _text(criteria.get("id"), 500)
        summary.criteria_url = cid if cid.startswith("https://") else ""
        summary.criteria_narrative = _text(criteria.get("narrative"), 5000)
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping):
        kind = _text(recipient.get("type"), 50)
        identity = _text(recipient.get("identity"), 300)
        if recipient.get("hashed") is True:
            summary.recipient = {
                "email": _("a hashed e-mail address"),
                "telephone": _("a hashed telephone number"),
                "url": _("a hashed web address"),
            }.get(kind, _("a hashed identifier"))
        else:
            summary.recipient = identity
            summary.recipient_id = identity if kind in ("url", "id") else ""
    issued = _when(assertion.get("issuedOn"))
    summary.issued = summary.valid_from = issued
    summary.valid_until = _when(assertion.get("expires")) if assertion.get("expires") else None
    for endorsement in as_list(badge.get("endorsement")) + as_list(issuer.get("endorsement")):
        if isinstance(endorsement, Mapping):
            from mosaics.verification.service import Endorser

            who = endorsement.get("issuer")
            name = _text(who.get("name"), 300) if isinstance(who, Mapping) else _text(who, 300)
            summary.endorsements.append(
                Endorser(name=name or _("an unnamed endorser"), status="unconfirmed")
            )
    who = summary.issuer_name or _("an unnamed issuer")
    to = summary.recipient or _("an unnamed recipient")
    what = summary.achievement_name or _("a badge")
    summary.sentence = _("Issued by %(issuer)s to %(recipient)s for “%(badge)s”.") % {
        "issuer": who,
        "recipient": to,
        "badge": what,
    }
