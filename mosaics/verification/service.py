"""Verify any badge: one call for the verification page, the import of external badges and the
VC-API.

:func:`verify_any` takes what a person gave us — JSON or JWT text, a baked PNG or SVG, or a
link — and returns a :class:`Verdict`: the status (valid, invalid, expired, not yet valid,
revoked, suspended, unconfirmed), every check with its message in plain words, and a
:class:`Summary` saying who issued it, to whom, for what, endorsed by whom, when, and why it was
revoked or suspended when the issuer is one of ours.

- Open Badges 3.0, CLR 2.0, endorsement credentials, VC-JWTs and baked images go to
  :func:`mosaics.vc.verify.verify`, with the DID documents and status lists of our own issuers
  (nothing is fetched for those: a credential of ours is checked against our database). With
  ``allow_fetch`` (or a ``resolver``), what another issuer publishes is fetched too — at most
  :data:`MAX_DOCUMENTS` documents: the did:web DID documents of the issuers of the credential,
  of its endorsements and of a CLR's credentials; the profile of an issuer identified by an
  https URL that signs with ``<issuer-url>#<key>`` (passed on only when it lists that key); and
  the Bitstring status lists the credentials name. What could not be fetched is said, and
  leaves the credential *unconfirmed*.
- Who issued it is told apart from who the badge says issued it (:class:`Summary`'s
  ``issuer_confirmed``): the issuer is confirmed only when a document resolved from its
  identifier vouches for the key that signed — one of our issuers, a did:web DID document
  fetched from its domain, or an https issuer's profile listing the key. A ``did:key`` issuer is
  identified only by its key, whatever name it writes.
- Open Badges 2.0 assertions go to :mod:`mosaics.verification.ob2`: hosted assertions are
  fetched from their id (only with ``allow_fetch``; our own are read from our database), signed
  ones are checked with the issuer's published key.
- A link (``https://…``) is opened with the safe fetcher (:mod:`mosaics.verification.fetch`)
  when ``allow_fetch`` is true; links to our own site are answered from our database, never
  fetched.
- Every request to another site is counted: one call makes at most :data:`MAX_FETCHES`
  (``max_fetches``), and ``charge(url)`` — the verification page's per-visitor budget — is asked
  before each and may refuse it (:class:`~mosaics.verification.fetch.FetchLimited`). A badge
  whose parts could not be read for that reason is *unconfirmed*, and says why.

It never raises for bad input.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mosaics.vc import limits
from mosaics.vc import verify as vc_verify
from mosaics.vc._util import as_list
from mosaics.vc.errors import VCError
from mosaics.vc.verify import Check, Report
from mosaics.verification import fetch as safe_fetch

__all__ = [
    "KINDS",
    "MAX_DOCUMENTS",
    "MAX_FETCHES",
    "STATUS_LABELS",
    "Endorser",
    "Summary",
    "Verdict",
    "verify_any",
]

KINDS: Final = ("ob3", "clr", "ob2", "endorsement", "unknown")

STATUS_LABELS: Final = {
    "valid": gettext_lazy("Valid"),
    "invalid": gettext_lazy("Not valid"),
    "unconfirmed": gettext_lazy("Could not be confirmed"),
    "expired": gettext_lazy("Expired"),
    "not_yet_valid": gettext_lazy("Not valid yet"),
    "revoked": gettext_lazy("Revoked"),
    "suspended": gettext_lazy("Suspended"),
}

#: Failure codes that do not make a badge "invalid" by themselves (as in mosaics.vc.verify).
_SOFT: Final = frozenset({"revoked", "suspended", "expired", "not_yet_valid"})
#: Failure codes that make it "unconfirmed": intact, but nothing shows the issuer made it (or
#: whether it still stands), e.g. a hosted OB 2.0 assertion that could not be fetched.
UNCONFIRMED_CODES: Final = frozenset(
    {
        "issuer_key_unconfirmed",
        "status_list_unconfirmed",
        "nested_unconfirmed",
        "not_fetched",
        "fetch_failed",
        "fetch_refused",
        "fetch_limited",
    }
)
#: Most requests to other sites one verification makes (an OB 2.0 badge's hosted copy,
#: BadgeClass, Issuer, key and revocation list; a link a baked image holds, and where it leads;
#: an OB 3.0 badge's DID documents, issuer profiles and status lists).
MAX_FETCHES: Final = 8
#: Most documents (DID documents, issuer profiles, status lists) fetched for one OB 3.0 / CLR
#: verification.
MAX_DOCUMENTS: Final = 8
#: What DID documents, profiles and status lists are served as, besides what a badge is.
_DOCUMENT_TYPES: Final = (
    *safe_fetch.CREDENTIAL_TYPES,
    "application/did+json",
    "application/did+ld+json",
)
_URL: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S*")
_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_OB2_CONTEXTS: Final = ("https://w3id.org/openbadges/v2", "https://w3id.org/openbadges/v1")

#: The one thing from outside we call: GET a URL → (content type, bytes); raises FetchError.
Resolver = Callable[[str], tuple[str, bytes]]
#: Asked before each request to another site, with its URL; raises FetchLimited to refuse it.
Charge = Callable[[str], None]


@dataclass
class Endorser:
    """One endorsement of the badge, its achievement or its issuer."""

    name: str
    status: str
    comment: str = ""
    path: str = ""
    id: str = ""
    """The endorser's identifier as the endorsement writes it."""
    confirmed: bool = False
    """A document resolved from the endorser's identifier vouches for the key that signed."""
    confirmed_by: str = ""
    """``site`` (one of our issuers) or the domain that vouches (did:web, https profile)."""
    signer: str = ""
    """The identifier whose key made a signature that checks out (empty when none did)."""

    @property
    def verified(self) -> bool:
        return self.status == "valid"

    @property
    def key_only(self) -> bool:
        return self.id.startswith("did:key:")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "verified": self.verified,
            "comment": self.comment,
            "path": self.path,
            "id": self.id,
            "confirmed": self.confirmed,
            "confirmed_by": self.confirmed_by,
            "signer": self.signer,
        }


@dataclass
class Summary:
    """What the badge says, in plain words (all empty when it could not be read)."""

    sentence: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    issuer_url: str = ""
    """A web page of the issuer (https), when the badge gives one."""
    issuer_profile_url: str = ""
    """Our own page of the issuer, when the issuer is one of ours."""
    recipient: str = ""
    """Who it was awarded to, in words: a name, a DID, or "a hashed e-mail address"."""
    recipient_id: str = ""
    achievement_name: str = ""
    achievement_description: str = ""
    criteria_url: str = ""
    criteria_narrative: str = ""
    endorsements: list[Endorser] = field(default_factory=list)
    issued: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    status_reason: str = ""
    credential_count: int | None = None
    """For a CLR: how many credentials it holds."""
    issuer_confirmed: bool = False
    """Who issued it is proved, not only claimed: a document resolved from the issuer's
    identifier (ours, its did:web DID document, its https profile) vouches for the key that
    signed. Otherwise ``issuer_name`` is only what the badge says."""
    issuer_confirmed_by: str = ""
    """``site`` (one of our issuers) or the domain that vouches for the issuer's key."""
    issuer_signer: str = ""
    """The identifier (DID or URL) whose key made a signature that checks out, when one did."""

    @property
    def issuer_key_only(self) -> bool:
        """The issuer is a did:key: identified by its key alone, never by a name."""
        return self.issuer_id.startswith("did:key:")

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "sentence": self.sentence,
            "issuer": {
                "name": self.issuer_name,
                "id": self.issuer_id,
                "url": self.issuer_url,
                "profile": self.issuer_profile_url,
                "confirmed": self.issuer_confirmed,
                "confirmed_by": self.issuer_confirmed_by,
                "signer": self.issuer_signer,
            },
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "achievement": {
                "name": self.achievement_name,
                "description": self.achievement_description,
                "criteria_url": self.criteria_url,
                "criteria_narrative": self.criteria_narrative,
            },
            "endorsements": [e.to_json() for e in self.endorsements],
            "issued": when(self.issued),
            "valid_from": when(self.valid_from),
            "valid_until": when(self.valid_until),
            "status_reason": self.status_reason,
            "credential_count": self.credential_count,
        }


@dataclass
class Verdict:
    """The outcome of :func:`verify_any`."""

    status: str
    kind: str = "unknown"
    format: str = "unknown"
    checks: list[Check] = field(default_factory=list)
    warnings: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    summary: Summary = field(default_factory=Summary)
    report: Report | None = None
    """The report of mosaics.vc.verify (OB 3.0, CLR, endorsements), with nested reports."""
    source_url: str = ""
    """The link the badge was read from, when it was given as one."""
    award_uuid: uuid.UUID | None = None
    """Ours: the award this credential is, when it is one of our awards."""
    unresolved: list[str] = field(default_factory=list)
    """What another site publishes that could not be fetched (or was refused), and why."""

    @property
    def verified(self) -> bool:
        return self.status == "valid"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def nested(self) -> list[Report]:
        return list(self.report.nested) if self.report is not None else []

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "status": self.status,
            "kind": self.kind,
            "format": self.format,
            "summary": self.summary.to_json(),
            "checks": [c.to_json() for c in self.checks],
            "warnings": [c.to_json() for c in self.warnings],
            "nested": [n.to_json() for n in self.nested],
            "source_url": self.source_url,
            "unresolved": list(self.unresolved),
            "credential": self.credential,
        }


def status_of(checks: list[Check]) -> str:
    """The status the checks add up to (the rules of mosaics.vc.verify.Report.status, with the
    codes of OB 2.0 and fetching that leave a badge unconfirmed)."""
    if not checks:
        return "invalid"
    failed = [c for c in checks if not c.ok]
    if not failed:
        return "valid"
    codes = {c.code for c in failed}
    if any(c.code not in _SOFT and c.code not in UNCONFIRMED_CODES for c in failed):
        return "invalid"
    if codes & UNCONFIRMED_CODES:
        return "unconfirmed"
    for status in ("revoked", "suspended", "expired", "not_yet_valid"):
        if status in codes:
            return status
    return "invalid"


def failed_verdict(message: str, *, code: str = "malformed", kind: str = "unknown") -> Verdict:
    """A verdict for input that could not even be read."""
    checks = [Check("parse", False, code, message)]
    return Verdict(status=status_of(checks), kind=kind, checks=checks)


# --- the entry point -------------------------------------------------------------------------


def verify_any(
    data: bytes | str,
    *,
    allow_fetch: bool = False,
    now: datetime | None = None,
    resolver: Resolver | None = None,
    charge: Charge | None = None,
    max_fetches: int = MAX_FETCHES,
) -> Verdict:
    """Verify a badge of any kind we know (see the module's docstring). Never raises for bad
    input: the :class:`Verdict` says what was wrong.

    ``allow_fetch`` lets a link (and an OB 2.0 badge's hosted parts, keys and revocation lists)
    be opened with the safe fetcher; our own site's links are always answered locally. At most
    ``max_fetches`` requests are made, and ``charge(url)`` is asked before each (it raises
    :class:`~mosaics.verification.fetch.FetchLimited` to refuse one).
    ``resolver`` replaces the fetcher entirely (tests use it to serve fixtures).
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    get = resolver or _default_resolver(allow_fetch, charge=charge, max_fetches=max_fetches)
    try:
        return _verify(data, now=now, get=get, depth=0)
    except RecursionError:
        return failed_verdict(_("The data is nested too deeply to be checked."))
    except MemoryError:
        return failed_verdict(_("The data is too large to be checked."), code="too_large")


def _verify(
    data: bytes | str | dict[str, Any], *, now: datetime, get: Resolver, depth: int
) -> Verdict:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes | str | dict):
        return failed_verdict(_("This is not something that can hold a badge."))
    if isinstance(data, str | bytes) and len(data) > limits.MAX_IMAGE_BYTES:
        return failed_verdict(_("The data is too large to be a badge."), code="too_large")
    if isinstance(data, dict):
        if _is_ob2(data):
            return _verify_ob2(data, now=now, get=get)
        return _verify_vc(data, now=now, get=get)
    if isinstance(data, bytes) and data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _verify_image(data, now=now, get=get, depth=depth)
    text = data if isinstance(data, str) else _text(data)
    if text is None:
        return _verify_vc(data, now=now, get=get)  # the core says it is binary in its own words
    stripped = text.strip().lstrip("\ufeff")
    if stripped.startswith("<"):
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        return _verify_image(raw, now=now, get=get, depth=depth)
    if _URL.fullmatch(stripped):
        return _verify_url(stripped, now=now, get=get, depth=depth)
    if stripped.startswith("{"):
        try:
            value = limits.load_json(stripped, what="badge")
        except VCError:
            return _verify_vc(stripped, now=now, get=get)  # the core words the problem
        if isinstance(value, dict) and _is_ob2(value):
            return _verify_ob2(value, now=now, get=get)
        return _verify_vc(stripped, now=now, get=get)
    if _JWS.fullmatch(stripped):
        payload = _jws_payload(stripped)
        if payload is not None and _is_ob2(payload):
            return _verify_ob2(stripped, now=now, get=get)
    return _verify_vc(stripped, now=now, get=get)


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _jws_payload(token: str) -> dict[str, Any] | None:
    try:
        segment = token.split(".")[1]
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = limits.load_json(raw, what="JWT payload")
    except (IndexError, binascii.Error, ValueError, VCError):
        return None
    return value if isinstance(value, dict) else None


def _is_ob2(document: Mapping[str, Any]) -> bool:
    """An Open Badges 2.0 (or 1.x) object: its context, or an assertion's shape."""
    contexts = [c for c in as_list(document.get("@context")) if isinstance(c, str)]
    if any(c.rstrip("/") in _OB2_CONTEXTS for c in contexts):
        return True
    if any("w3.org" in c and "credentials" in c for c in contexts):
        return False
    types = [t for t in as_list(document.get("type")) if isinstance(t, str)]
    return "Assertion" in types or ("recipient" in document and "badge" in document)


def _verify_image(data: bytes, *, now: datetime, get: Resolver, depth: int) -> Verdict:
    from mosaics.vc import baking

    try:
        baked = baking.extract(data)
    except (VCError, LookupError, ValueError):
        return _verify_vc(data, now=now, get=get)  # the core explains what is wrong with the image
    if baked.ob_version == "3.0":
        return _verify_vc(data, now=now, get=get)
    fmt = baked.image_format
    if baked.kind == "url":
        verdict = _verify_url(baked.text, now=now, get=get, depth=depth)
    elif baked.kind == "jws":
        verdict = _verify_ob2(baked.text, now=now, get=get)
    else:
        try:
            value = baked.json()
        except VCError as exc:
            return failed_verdict(
                _("The image holds a badge that could not be read: %(why)s") % {"why": exc.message},
                kind="ob2",
            )
        if not isinstance(value, dict):
            return failed_verdict(_("The image holds data that is not a badge."), kind="ob2")
        verdict = _verify_ob2(value, now=now, get=get)
    verdict.format = fmt
    return verdict


# --- links -----------------------------------------------------------------------------------


class NotFetched(safe_fetch.FetchRefused):
    """Fetching is off (offline verification)."""


class _Fetcher:
    """The resolver :func:`verify_any` uses by default: our own site's addresses answered
    locally; others opened with the safe fetcher when fetching is allowed, each request counted
    (``max_fetches``, ``charge``)."""

    def __init__(
        self, allow_fetch: bool, *, charge: Charge | None = None, max_fetches: int = MAX_FETCHES
    ) -> None:
        self.fetching = allow_fetch
        self.charge = charge
        self.max_fetches = max_fetches
        self.made = 0

    def __call__(self, url: str) -> tuple[str, bytes]:
        found = local_resolve(url)
        if found is not None:
            return found
        if not self.fetching:
            raise NotFetched(
                _("%(url)s was not opened: badges are checked offline here.") % {"url": url[:200]}
            )
        if self.made >= self.max_fetches:
            raise safe_fetch.FetchLimited(
                _(
                    "Checking this badge needs more requests to other sites than one "
                    "verification may make (%(n)s), so %(url)s was not opened."
                )
                % {"n": self.max_fetches, "url": url[:200]}
            )
        if self.charge is not None:
            self.charge(url)
        self.made += 1  # counted before it is made: a request that fails was made all the same
        fetched = safe_fetch.fetch(url, accept=_DOCUMENT_TYPES)
        return fetched.content_type, fetched.content


def _default_resolver(
    allow_fetch: bool, *, charge: Charge | None = None, max_fetches: int = MAX_FETCHES
) -> Resolver:
    return _Fetcher(allow_fetch, charge=charge, max_fetches=max_fetches)


#: Our public views that serve a badge or what a badge refers to (all anonymous GETs).
_LOCAL_VIEWS: Final = frozenset(
    {
        "issuance:profile",
        "issuance:profile_json",
        "issuance:did",
        "issuance:ob2_issuer",
        "issuance:status_list",
        "catalogue:badgeclass",
        "catalogue:achievement_json",
    }
)


def _is_ours(url: str) -> str | None:
    """The path of ``url`` on our own site (SITE_URL), or None when it is elsewhere."""
    from django.conf import settings

    try:
        ours, theirs = urlsplit(str(settings.SITE_URL)), urlsplit(url)
        our_port = ours.port or (443 if ours.scheme == "https" else 80)
        their_port = theirs.port or (443 if theirs.scheme == "https" else 80)
    except ValueError:
        return None
    if (theirs.scheme.lower(), (theirs.hostname or "").lower(), their_port) != (
        ours.scheme.lower(),
        (ours.hostname or "").lower(),
        our_port,
    ) or theirs.username is not None:
        return None
    prefix = ours.path.rstrip("/")
    if prefix and not theirs.path.startswith(prefix + "/"):
        return None
    return theirs.path[len(prefix) :] or "/"


def local_resolve(url: str) -> tuple[str, bytes] | None:
    """What our own site serves at ``url`` — read from our database and views in this process,
    never over the network — or None when ``url`` is not on our site. Raises
    :class:`~mosaics.verification.fetch.FetchFailed` for our addresses that hold no badge."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404, HttpRequest, QueryDict
    from django.template.response import SimpleTemplateResponse
    from django.urls import Resolver404, resolve

    path = _is_ours(url)
    if path is None:
        return None
    nothing = safe_fetch.FetchFailed(
        _("This address on our site does not hold a badge: %(url)s") % {"url": url[:200]}
    )
    try:
        match = resolve(path)
    except Resolver404:
        raise nothing from None
    name = match.view_name
    if name in ("awards:public", "awards:detail"):
        from mosaics.awards.models import Award

        award = Award.objects.filter(uuid=str(match.kwargs.get("uuid")), shared=True).first()
        if award is None:
            raise safe_fetch.FetchFailed(
                _("This badge is not shared publicly, so it cannot be verified from its link.")
            )
        return "application/ld+json", json.dumps(award.credential).encode("utf-8")
    namespace, _sep, short = name.partition(":")
    if name not in _LOCAL_VIEWS and not (namespace == "awards" and short.startswith("ob2")):
        raise nothing
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(urlsplit(url).query)
    host = urlsplit(url)
    request.META = {
        "HTTP_ACCEPT": "application/ld+json, application/json;q=0.9",
        "SERVER_NAME": host.hostname or "localhost",
        "SERVER_PORT": str(host.port or (443 if host.scheme == "https" else 80)),
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": host.netloc,
    }
    request.user = AnonymousUser()
    try:
        response = match.func(request, *match.args, **match.kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
    except Http404:
        raise nothing from None
    if response.status_code not in (200, 410) or getattr(response, "streaming", False):
        raise nothing
    content_type = str(response.get("Content-Type", "")).split(";")[0].strip().lower()
    return content_type, bytes(response.content)


def _verify_url(url: str, *, now: datetime, get: Resolver, depth: int) -> Verdict:
    if depth >= 2:
        return failed_verdict(_("The badge points to another link, which was not followed."))
    try:
        _content_type, content = get(url)
    except NotFetched:
        return failed_verdict(
            _(
                "This is a link to a badge, not the badge itself, and links are not opened "
                "here; download the badge and give the file instead."
            ),
            code="not_fetched",
        )
    except safe_fetch.FetchError as exc:
        code = "fetch_limited" if isinstance(exc, safe_fetch.FetchLimited) else "link"
        verdict = failed_verdict(exc.message, code=code)
        verdict.source_url = url
        return verdict
    verdict = _verify(content, now=now, get=get, depth=depth + 1)
    verdict.source_url = url
    return verdict


# --- Open Badges 3.0, CLR, endorsements ------------------------------------------------------


def _verify_vc(data: bytes | str | dict[str, Any], *, now: datetime, get: Resolver) -> Verdict:
    from mosaics.issuance import actions as issuance
    from mosaics.issuance import signing

    documents = signing.trusted_documents()
    status_lists = issuance.status_list_credentials()
    report = vc_verify.verify(data, documents=documents, status_lists=status_lists, now=now)
    resolved = _Resolved()
    if getattr(get, "fetching", True) and report.credential is not None:
        # What other issuers publish (their DID documents, profiles, status lists), fetched
        # once the first pass has shown which credentials, keys and lists are involved.
        resolved = _resolve_foreign(report, data, get=get, documents=documents, lists=status_lists)
        if resolved.documents or resolved.status_lists:
            report = vc_verify.verify(
                data,
                documents={**documents, **resolved.documents},
                status_lists={**status_lists, **resolved.status_lists},
                now=now,
            )
        _soften(report, resolved.unavailable)
    credential = report.credential
    checks = [*report.checks, *resolved.checks]
    verdict = Verdict(
        status=status_of(checks) if resolved.checks else report.status,
        kind=_kind(credential),
        format=report.format,
        checks=checks,
        warnings=list(report.warnings),
        credential=credential,
        report=report,
        unresolved=list(resolved.messages),
    )
    if credential is not None:
        try:
            verdict.summary = summarise_vc(
                credential, report, ours=documents, confirmed_by=resolved.confirmed_by
            )
            _add_our_award(verdict, credential)
        except Exception:  # the summary is a courtesy: never let it break verification
            verdict.summary = Summary(sentence=report.summary)
    return verdict


# --- what other issuers publish --------------------------------------------------------------


@dataclass
class _Resolved:
    """What was fetched for one verification, and what could not be."""

    documents: dict[str, Any] = field(default_factory=dict)
    """Issuer id → its DID document or profile, accepted (its id and keys check out)."""
    status_lists: dict[str, Any] = field(default_factory=dict)
    confirmed_by: dict[str, str] = field(default_factory=dict)
    """Issuer id → the domain its accepted document came from."""
    unavailable: dict[str, str] = field(default_factory=dict)
    """did:web DID → why its keys could not be had (its credentials are then unconfirmed)."""
    checks: list[Check] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _issuer_of(credential: Mapping[str, Any] | None) -> str:
    if not isinstance(credential, Mapping):
        return ""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def _reports(report: Report) -> list[Report]:
    """The report and every nested one, outermost first."""
    out: list[Report] = []
    queue = [report]
    while queue and len(out) <= vc_verify.MAX_NESTED_CREDENTIALS + 1:
        current = queue.pop(0)
        out.append(current)
        queue.extend(current.nested)
    return out


def _jws_kid(token: str) -> str | None:
    try:
        segment = token.split(".")[0]
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        header = limits.load_json(raw, what="JWT header")
    except (IndexError, binascii.Error, ValueError, VCError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def _methods_in(value: object, out: set[str], budget: list[int]) -> None:
    """Every verification method named in ``value``: the proofs' ``verificationMethod`` and
    the ``kid`` of every compact JWT in it (embedded endorsements and CLR members)."""
    stack = [value]
    while stack and budget[0] > 0:
        budget[0] -= 1
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, child in node.items():
                if key == "proof":
                    for proof in as_list(child):
                        if isinstance(proof, Mapping) and isinstance(
                            proof.get("verificationMethod"), str
                        ):
                            out.add(proof["verificationMethod"])
                elif key != "@context":
                    stack.append(child)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and len(node) < 100_000 and _JWS.fullmatch(node.strip()):
            kid = _jws_kid(node.strip())
            if kid:
                out.add(kid)


def _raw_jwt(data: bytes | str | dict[str, Any]) -> str | None:
    """The compact JWT the input is, or that a baked image holds."""
    if isinstance(data, dict):
        return None
    if isinstance(data, bytes) and (data.startswith(b"\x89PNG") or data.lstrip()[:1] == b"<"):
        from mosaics.vc import baking

        try:
            text = baking.extract(data).text
        except (VCError, LookupError, ValueError):
            return None
    else:
        text = data if isinstance(data, str) else (_text(data) or "")
        if text.lstrip().startswith("<"):
            return _raw_jwt(text.encode("utf-8"))
    text = text.strip()
    return text if len(text) < limits.MAX_IMAGE_BYTES and _JWS.fullmatch(text) else None


def _base(method: str) -> str:
    return method.split("#", 1)[0]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _document_url(kind: str, ident: str) -> str:
    if kind != "did":
        return ident
    from mosaics.vc import keys

    try:
        return keys.did_web_to_url(ident)
    except VCError:
        raise safe_fetch.FetchRefused(
            _("%(did)s is not a well-formed did:web DID.") % {"did": ident[:200]}
        ) from None


def _fetch_code(exc: safe_fetch.FetchError) -> str:
    if isinstance(exc, safe_fetch.FetchLimited):
        return "fetch_limited"
    if isinstance(exc, safe_fetch.FetchRefused):
        return "fetch_refused"
    return "fetch_failed"


def _resolve_foreign(
    report: Report,
    data: bytes | str | dict[str, Any],
    *,
    get: Resolver,
    documents: Mapping[str, Any],
    lists: Mapping[str, Any],
) -> _Resolved:
    """Fetch what the credentials in ``report`` need from other sites (see the module's
    docstring); our own issuers' documents and lists (``documents``, ``lists``) never."""
    out = _Resolved()
    reports = _reports(report)
    methods: set[str] = set()
    budget = [50_000]
    token = _raw_jwt(data)
    if token:
        kid = _jws_kid(token)
        if kid:
            methods.add(kid)
    for item in reports:
        _methods_in(item.credential, methods, budget)
    wanted: list[tuple[str, str]] = []
    for item in reports:
        credential = item.credential
        if credential is None:
            continue
        issuer = _issuer_of(credential)
        if issuer and issuer not in documents:
            if issuer.startswith("did:web:"):
                wanted.append(("did", issuer))
            elif issuer.startswith("https://") and any(_base(m) == issuer for m in methods):
                wanted.append(("profile", issuer))
        for entry in as_list(credential.get("credentialStatus"))[: vc_verify.MAX_STATUS_ENTRIES]:
            url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
            if isinstance(url, str) and url and url not in lists:
                wanted.append(("list", url))
    fetched: dict[tuple[str, str], tuple[str, Any]] = {}
    for number, (kind, ident) in enumerate(dict.fromkeys(wanted)):
        url = ident
        try:
            url = _document_url(kind, ident)
            if number >= MAX_DOCUMENTS:
                raise safe_fetch.FetchLimited(
                    _("one verification fetches at most %(n)s documents from other sites.")
                    % {"n": MAX_DOCUMENTS}
                )
            safe_fetch.check_url(url)
            _type, content = get(url)
        except NotFetched:
            continue  # offline: as if nothing was asked
        except safe_fetch.FetchError as exc:
            _problem(out, kind, ident, url, _fetch_code(exc), exc.message)
            continue
        if kind == "list":
            text = _text(content)
            if text is None:
                _problem(out, kind, ident, url, "fetch_failed", _("it is not text."))
                continue
            out.status_lists[ident] = text.strip().lstrip("\ufeff")
            jwt = out.status_lists[ident]
            if _JWS.fullmatch(jwt):
                kid = _jws_kid(jwt)
                if kid:
                    methods.add(kid)
            else:
                with contextlib.suppress(VCError):  # the verifier says what is wrong with it
                    _methods_in(limits.load_json(jwt, what="status list"), methods, budget)
            continue
        try:
            document = limits.load_json(content, what="document")
        except VCError as exc:
            _problem(out, kind, ident, url, "fetch_failed", exc.message)
            continue
        if not isinstance(document, dict):
            _problem(out, kind, ident, url, "fetch_failed", _("it is not a JSON object."))
            continue
        fetched[(kind, ident)] = (url, document)
    for (kind, ident), (url, document) in fetched.items():
        problem = _document_problem(kind, ident, document, methods)
        if problem:
            _problem(out, kind, ident, url, "fetch_refused", problem)
            continue
        out.documents[ident] = document
        out.confirmed_by[ident] = _host(url)
    return out


def _document_problem(
    kind: str, ident: str, document: Mapping[str, Any], methods: set[str]
) -> str | None:
    """Why a fetched DID document or profile is not the one to trust for ``ident``'s keys."""
    from mosaics.vc import keys

    if document.get("id") != ident:
        what = _("DID") if kind == "did" else _("issuer")
        return _("its id is %(id)s, not the %(what)s %(ident)s, so it is not that %(what)s's.") % {
            "id": str(document.get("id"))[:200],
            "what": what,
            "ident": ident[:200],
        }
    for method in sorted(m for m in methods if _base(m) == ident):
        try:
            keys.resolve_verification_method(method, documents={ident: document})
        except VCError:
            return _(
                "it does not list the key %(key)s that signed, so it does not vouch for it."
            ) % {"key": method[:300]}
    return None


def _problem(out: _Resolved, kind: str, ident: str, url: str, code: str, why: str) -> None:
    if kind == "did":
        message = _("The DID document of %(did)s (%(url)s) could not be used: %(why)s") % {
            "did": ident[:200],
            "url": url[:200],
            "why": why,
        }
        out.unavailable[ident] = message
    elif kind == "profile":
        message = _("The issuer's profile at %(url)s could not be used: %(why)s") % {
            "url": url[:200],
            "why": why,
        }
    else:
        message = _("The status list %(url)s could not be fetched: %(why)s") % {
            "url": url[:200],
            "why": why,
        }
        out.checks.append(
            Check(
                "status",
                False,
                code,
                _("Whether the credential was revoked or suspended could not be checked. %(why)s")
                % {"why": message},
            )
        )
    out.messages.append(message)


def _soften(report: Report, unavailable: Mapping[str, str]) -> None:
    """A credential of a did:web issuer whose DID document could not be had (or was refused, or
    does not list the key) is *unconfirmed*, not invalid: nothing wrong was found in it."""
    if not unavailable:
        return
    for sub in report.nested:
        _soften(sub, unavailable)
    issuer = _issuer_of(report.credential)
    for position, check in enumerate(report.checks):
        if (
            check.name == "proof"
            and not check.ok
            and issuer in unavailable
            and check.code == "did_unresolvable"
            and all(_base(m) == issuer for m in _proof_methods(report.credential))
        ):
            report.checks[position] = Check(
                "proof",
                False,
                "issuer_key_unconfirmed",
                _(
                    "The signature could not be checked, because the issuer's published keys "
                    "could not be had. %(why)s"
                )
                % {"why": unavailable[issuer]},
            )
        elif (
            check.name == "status"
            and not check.ok
            and issuer in unavailable
            and check.code == "status_list_invalid"
        ):
            # Its status list is signed with the same keys: it cannot be checked either.
            report.checks[position] = Check(
                "status",
                False,
                "status_list_unconfirmed",
                _(
                    "Whether the credential was revoked or suspended could not be checked: its "
                    "status list is signed with the issuer's keys, which could not be had."
                ),
            )
    for position, check in enumerate(report.checks):
        if check.name not in ("credentials", "endorsements") or check.code != "nested_invalid":
            continue
        group = [
            s for s in report.nested if ("endorsement" in s.path) == (check.name == "endorsements")
        ]
        if any(s.status == "invalid" for s in group):
            continue
        unconfirmed = [s for s in group if s.status == "unconfirmed"]
        if unconfirmed:
            report.checks[position] = Check(
                check.name,
                False,
                "nested_unconfirmed",
                _(
                    "%(n)s of the credentials inside cannot be confirmed as their issuers'; the "
                    "first, at %(path)s: %(why)s"
                )
                % {
                    "n": len(unconfirmed),
                    "path": unconfirmed[0].path,
                    "why": next(
                        (c.message for c in unconfirmed[0].failed if c.code in UNCONFIRMED_CODES),
                        "",
                    ),
                },
            )


def _proof_methods(credential: Mapping[str, Any] | None) -> list[str]:
    """The verification methods of a credential's own proofs (none known for a JWT's payload:
    its issuer is what the JWT is checked against)."""
    if not isinstance(credential, Mapping):
        return []
    return [
        p["verificationMethod"]
        for p in as_list(credential.get("proof"))
        if isinstance(p, Mapping) and isinstance(p.get("verificationMethod"), str)
    ]


def _kind(credential: Mapping[str, Any] | None) -> str:
    if credential is None:
        return "unknown"
    types = {t for t in as_list(credential.get("type")) if isinstance(t, str)}
    if "ClrCredential" in types:
        return "clr"
    if "EndorsementCredential" in types:
        return "endorsement"
    if types & vc_verify.OB_TYPES:
        return "ob3"
    return "unknown"


def _string(value: object, limit: int = 2000) -> str:
    if isinstance(value, Mapping):  # a language map: any one language
        value = next((v for v in value.values() if isinstance(v, str)), "")
    return value[:limit].strip() if isinstance(value, str) else ""


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _https(value: object) -> str:
    text = _string(value)
    return text if text.startswith("https://") else ""


def recipient_words(subject: Mapping[str, Any]) -> tuple[str, str]:
    """(who, id) for a credentialSubject: its name, DID or URL, or what its identifier is — a
    hashed identifier is described, never reversed."""
    name = _string(subject.get("name"), 200)
    sid = _string(subject.get("id"), 500)
    if name:
        return name, sid
    if sid:
        return sid, sid
    for ident in as_list(subject.get("identifier")):
        if not isinstance(ident, Mapping):
            continue
        kind = _string(ident.get("identityType"), 50)
        if ident.get("hashed") is True:
            return _hashed(kind), ""
        value = _string(ident.get("identityHash"), 200)
        if value:
            return value, ""
    return _("an unnamed recipient"), ""


def _hashed(kind: str) -> str:
    return {
        "emailAddress": _("a hashed e-mail address"),
        "email": _("a hashed e-mail address"),
        "phone": _("a hashed telephone number"),
        "telephone": _("a hashed telephone number"),
        "url": _("a hashed web address"),
    }.get(kind, _("a hashed identifier"))


def _signed_by_issuer(report: Report) -> bool:
    """The signature checks out and its key is the issuer's (as far as the verifier tells)."""
    found = [c for c in report.checks if c.name in ("proof", "issuer_key")]
    return {c.name for c in found} == {"proof", "issuer_key"} and all(c.ok for c in found)


def identity(
    credential: Mapping[str, Any] | None,
    report: Report | None,
    *,
    ours: Mapping[str, Any] | Iterable[str] = (),
    confirmed_by: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """(confirmed by, signer) for a credential's issuer: ``site`` when it is one of our issuers
    (whose DID documents are ``ours``), the domain of the document that vouched for its key
    (``confirmed_by``: did:web DID documents and https profiles fetched from the issuer's own
    identifier), or "" when nothing did; the signer is the issuer's id when a signature by a key
    of the issuer checks out, else ""."""
    issuer = _issuer_of(credential)
    if not issuer or report is None or not _signed_by_issuer(report):
        return "", ""
    if issuer in ours:
        return "site", issuer
    domain = (confirmed_by or {}).get(issuer, "")
    return domain, issuer


def summarise_vc(
    credential: Mapping[str, Any],
    report: Report | None = None,
    *,
    ours: Mapping[str, Any] | Iterable[str] = (),
    confirmed_by: Mapping[str, str] | None = None,
) -> Summary:
    """The :class:`Summary` of an OB 3.0 / CLR / endorsement credential: what it says, and what
    was proved about who issued (and endorsed) it (see :func:`identity`)."""
    summary = Summary(sentence=vc_verify.summarise(credential))
    how, signer = identity(credential, report, ours=ours, confirmed_by=confirmed_by)
    summary.issuer_confirmed = bool(how)
    summary.issuer_confirmed_by = how
    summary.issuer_signer = signer
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        summary.issuer_name = _string(issuer.get("name"), 300)
        summary.issuer_id = _string(issuer.get("id"), 500)
        summary.issuer_url = _https(issuer.get("url"))
    elif isinstance(issuer, str):
        summary.issuer_id = issuer[:500]
    if not summary.issuer_url and summary.issuer_id.startswith("https://"):
        summary.issuer_url = summary.issuer_id
    subjects = [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]
    subject: Mapping[str, Any] = subjects[0] if subjects else {}
    summary.recipient, summary.recipient_id = recipient_words(subject)
    types = {t for t in as_list(credential.get("type")) if isinstance(t, str)}
    achievement = subject.get("achievement")
    if isinstance(achievement, Mapping):
        summary.achievement_name = _string(achievement.get("name"), 300)
        summary.achievement_description = _string(achievement.get("description"))
        criteria = achievement.get("criteria")
        if isinstance(criteria, Mapping):
            summary.criteria_url = _https(criteria.get("id"))
            summary.criteria_narrative = _string(criteria.get("narrative"), 5000)
    elif "ClrCredential" in types:
        summary.achievement_name = _string(credential.get("name"), 300)
        summary.achievement_description = _string(credential.get("description"))
        summary.credential_count = len(as_list(subject.get("verifiableCredential")))
    elif "EndorsementCredential" in types:
        summary.achievement_name = _string(credential.get("name"), 300)
        summary.achievement_description = _string(subject.get("endorsementComment"))
    if not summary.achievement_name:
        summary.achievement_name = _string(credential.get("name"), 300)
    summary.valid_from = _when(credential.get("validFrom") or credential.get("issuanceDate"))
    summary.valid_until = _when(credential.get("validUntil") or credential.get("expirationDate"))
    summary.issued = _when(credential.get("awardedDate")) or summary.valid_from
    if report is not None:
        for nested in report.nested:
            if "endorsement" not in nested.path or nested.credential is None:
                continue
            endorser = nested.credential.get("issuer")
            name = (
                _string(endorser.get("name"), 300) or _string(endorser.get("id"), 300)
                if isinstance(endorser, Mapping)
                else _string(endorser, 300)
            )
            subject_of = next(
                (
                    s
                    for s in as_list(nested.credential.get("credentialSubject"))
                    if isinstance(s, Mapping)
                ),
                {},
            )
            how, signer = identity(nested.credential, nested, ours=ours, confirmed_by=confirmed_by)
            summary.endorsements.append(
                Endorser(
                    name=name or _("an unnamed endorser"),
                    status=nested.status,
                    comment=_string(subject_of.get("endorsementComment"), 2000),
                    path=nested.path,
                    id=_issuer_of(nested.credential)[:500],
                    confirmed=bool(how),
                    confirmed_by=how,
                    signer=signer[:500],
                )
            )
    return summary


def _add_our_award(verdict: Verdict, credential: Mapping[str, Any]) -> None:
    """For a credential of one of our issuers: a link to the issuer's page; for one of our
    awards, the reason it was revoked or suspended."""
    from mosaics.awards.models import Award
    from mosaics.issuance import signing
    from mosaics.organisations.models import Issuer

    issuer_id = verdict.summary.issuer_id
    prefix = signing.issuer_did(Issuer(slug="x"))[:-1]  # did:web:<host>:…:issuers:
    if not issuer_id.startswith(prefix):
        return
    issuer = Issuer.objects.filter(slug=issuer_id[len(prefix) :]).first()
    if issuer is None:
        return
    verdict.summary.issuer_profile_url = signing.profile_url(issuer)
    if verdict.summary.issuer_confirmed_by == "site":
        verdict.summary.issuer_name = issuer.name[:300]  # the name we know, not the badge's
    cid = credential.get("id")
    if not isinstance(cid, str) or not cid.startswith("urn:uuid:"):
        return
    try:
        award_uuid = uuid.UUID(cid.removeprefix("urn:uuid:"))
    except ValueError:
        return
    award = Award.objects.filter(uuid=award_uuid, issuer=issuer).first()
    if award is None:
        return
    verdict.award_uuid = award.uuid
    if verdict.status in ("revoked", "suspended") and award.status_reason:
        verdict.summary.status_reason = award.status_reason


# --- Open Badges 2.0 -------------------------------------------------------------------------


def _verify_ob2(data: dict[str, Any] | str, *, now: datetime, get: Resolver) -> Verdict:
    from mosaics.verification import ob2

    result = ob2.verify(data, now=now, get=get)
    verdict = Verdict(
        status=status_of(result.checks),
        kind="ob2",
        format="jwt" if isinstance(data, str) else "json",
        checks=result.checks,
        warnings=result.warnings,
        credential=result.assertion,
        summary=result.summary,
    )
    summary = verdict.summary
    if result.vouched and verdict.status not in ("invalid", "unconfirmed"):
        summary.issuer_confirmed = True
        summary.issuer_confirmed_by = (
            "site" if _is_ours(summary.issuer_id) is not None else host_of(summary.issuer_id)
        )
        summary.issuer_signer = summary.issuer_id
        summary.issuer_confirmed = bool(summary.issuer_confirmed_by)
    return verdict


def dumps(verdict: Verdict) -> str:
    """The verdict as JSON text."""
    return json.dumps(verdict.to_json(), ensure_ascii=False, default=str)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
