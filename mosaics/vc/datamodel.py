"""The W3C Verifiable Credentials Data Model 2.0 rules an issuer must check before it signs.

:func:`data_model_problems` says, in plain words, what in a credential breaks the rules of VC DM
2.0 that JSON Schema and JSON-LD safe mode do not catch (https://www.w3.org/TR/vc-data-model-2.0/):

- ``issuer`` (§4.7): a URL, or an object whose ``id`` is a URL (never ``null``);
- ``credentialSubject`` (§4.8): one object or a non-empty list of objects, each saying something;
- ``validFrom`` / ``validUntil`` (§4.9): XML Schema ``dateTimeStamp`` values (with a time zone),
  ``validFrom`` not after ``validUntil``;
- ``credentialStatus`` (§4.10), ``credentialSchema`` (§4.11), ``refreshService`` (§5.4),
  ``termsOfUse`` (§5.5), ``evidence`` (§5.6): one object or a list of objects, each with a
  ``type``; a schema also needs an ``id`` URL, and a status entry's ``id``, when it has one, is
  a URL;
- ``relatedResource`` (§5.3): one object or a list of objects, each with a URL ``id`` (unique
  among them) and a ``digestSRI`` or ``digestMultibase``.

Framework-free: messages are plain English, lower-case, meant to follow "The credential was not
issued: ". The digests are only checked for their form: nothing is fetched.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

__all__ = ["data_model_problems", "is_date_time_stamp", "is_url", "parse_date_time_stamp"]

#: A scheme, a colon and no space or control character (RFC 3986/3987 URLs have none).
_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")
#: XML Schema dateTimeStamp: a date and time with a time zone (VC DM 2.0 §4.9).
_DATE_TIME_STAMP: Final = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
#: Subresource Integrity: algorithm, a hyphen and the digest in standard base64 (W3C SRI §3.5).
_SRI: Final = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})", re.ASCII)
_SRI_BYTES: Final = {"sha256": 32, "sha384": 48, "sha512": 64}
#: Multibase: base64url without padding (``u``) or base58btc (``z``), as VC DM 2.0 §5.3 allows.
_MULTIBASE: Final = re.compile(
    r"u[A-Za-z0-9_-]+|z[123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]+", re.ASCII
)
#: The properties whose values are typed objects (one, or a list): VC DM 2.0 §4.10, §4.11,
#: §5.4, §5.5, §5.6.
TYPED_OBJECTS: Final = (
    "credentialStatus",
    "credentialSchema",
    "refreshService",
    "termsOfUse",
    "evidence",
)


def is_url(value: object) -> bool:
    """Whether ``value`` is a URL string (a scheme, a colon, no spaces or control characters)."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def parse_date_time_stamp(value: object) -> datetime | None:
    """``value`` as an aware datetime, if it is an XML Schema dateTimeStamp we can read."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # a month 13, a year beyond 9999, ...
        return None


def is_date_time_stamp(value: object) -> bool:
    """Whether ``value`` is an XML Schema dateTimeStamp (a date and time with a time zone)."""
    return parse_date_time_stamp(value) is not None


def _items(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _where(name: str, index: int, count: int) -> str:
    return f"{name}[{index}]" if count > 1 else name


def _has_type(entry: Mapping[str, Any]) -> bool:
    kind = entry.get("type")
    if isinstance(kind, str):
        return bool(kind)
    return isinstance(kind, list) and bool(kind) and all(isinstance(k, str) and k for k in kind)


def _issuer_problems(credential: Mapping[str, Any], *, require_issuer: bool) -> list[str]:
    if "issuer" not in credential:
        return ["it has no issuer"] if require_issuer else []
    issuer = credential["issuer"]
    if isinstance(issuer, Mapping):
        if is_url(issuer.get("id")):
            return []
        return ["its issuer object needs an id that is a URL"]
    if is_url(issuer):
        return []
    return ["its issuer must be a URL, or an object whose id is a URL"]


def _subject_problems(credential: Mapping[str, Any]) -> list[str]:
    if "credentialSubject" not in credential or credential["credentialSubject"] is None:
        return ["it has no credentialSubject"]
    subjects = _items(credential["credentialSubject"])
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        return [
            "its credentialSubject must be one or more objects, each with at least one property"
        ]
    return []


def _validity_problems(credential: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    moments: dict[str, datetime] = {}
    for name in ("validFrom", "validUntil"):
        if name not in credential:
            continue
        moment = parse_date_time_stamp(credential[name])
        if moment is None:
            problems.append(
                f"its {name} is not a date and time with a time zone (such as 2025-01-31T09:00:00Z)"
            )
        else:
            moments[name] = moment
    if len(moments) == 2 and moments["validUntil"] < moments["validFrom"]:
        problems.append("its validUntil is before its validFrom")
    return problems


def _typed_object_problems(credential: Mapping[str, Any], name: str) -> list[str]:
    if name not in credential:
        return []
    entries = _items(credential[name])
    if not entries or not all(isinstance(e, Mapping) for e in entries):
        return [f"its {name} must be one or more objects"]
    problems: list[str] = []
    for index, entry in enumerate(entries):
        where = _where(name, index, len(entries))
        if not _has_type(entry):
            problems.append(f"its {where} has no type (a name, or a list of names)")
        if name == "credentialSchema" and not is_url(entry.get("id")):
            problems.append(f"its {where} needs an id that is a URL")
        if name == "credentialStatus" and "id" in entry and not is_url(entry["id"]):
            problems.append(f"the id of its {where} must be a URL")
    return problems


def _digest_sri_ok(value: object) -> bool:
    if not isinstance(value, str):
        return False
    match = _SRI.fullmatch(value)
    if match is None:
        return False
    try:
        digest = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(digest) == _SRI_BYTES[match.group(1)]


def _digest_multibase_ok(value: object) -> bool:
    return isinstance(value, str) and _MULTIBASE.fullmatch(value) is not None


def _related_resource_problems(credential: Mapping[str, Any]) -> list[str]:
    if "relatedResource" not in credential:
        return []
    entries = _items(credential["relatedResource"])
    if not entries or not all(isinstance(e, Mapping) for e in entries):
        return ["its relatedResource must be one or more objects (each with an id and a digest)"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = _where("relatedResource", index, len(entries))
        rid = entry.get("id")
        if not is_url(rid):
            problems.append(f"its {where} needs an id that is a URL")
        elif rid in seen:
            problems.append(f"its {where} repeats the id of another related resource")
        else:
            seen.add(str(rid))
        has_sri = "digestSRI" in entry
        has_multibase = "digestMultibase" in entry
        if not (has_sri or has_multibase):
            problems.append(f"its {where} needs a digestSRI or a digestMultibase")
        if has_sri and not _digest_sri_ok(entry["digestSRI"]):
            problems.append(
                f"the digestSRI of its {where} must be sha256-, sha384- or sha512- followed by "
                "the digest in base64"
            )
        if has_multibase and not _digest_multibase_ok(entry["digestMultibase"]):
            problems.append(
                f"the digestMultibase of its {where} must be a multibase string (starting with "
                "u for base64url or z for base58btc)"
            )
    return problems


def data_model_findings(
    credential: Mapping[str, Any], *, require_issuer: bool = True
) -> list[tuple[str, str]]:
    """Like :func:`data_model_problems`, each problem with the top-level property it concerns
    (``"issuer"``, ``"credentialSubject"``, ``"validFrom"``/``"validUntil"`` as
    ``"validity"``, ``"credentialStatus"``, ...), for callers that check some properties
    elsewhere with their own codes."""
    found: list[tuple[str, str]] = []
    found += [("issuer", p) for p in _issuer_problems(credential, require_issuer=require_issuer)]
    found += [("credentialSubject", p) for p in _subject_problems(credential)]
    found += [("validity", p) for p in _validity_problems(credential)]
    for name in TYPED_OBJECTS:
        found += [(name, p) for p in _typed_object_problems(credential, name)]
    found += [("relatedResource", p) for p in _related_resource_problems(credential)]
    return found


def data_model_problems(credential: Mapping[str, Any], *, require_issuer: bool = True) -> list[str]:
    """What in ``credential`` breaks the VC Data Model 2.0 rules listed in the module docstring,
    each in plain words (empty when nothing does).

    ``require_issuer=False`` is for an issuer that fills in a missing ``issuer`` itself; an
    ``issuer`` that is present (even ``null``) is checked all the same."""
    return [
        problem for _name, problem in data_model_findings(credential, require_issuer=require_issuer)
    ]
