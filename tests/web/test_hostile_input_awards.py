"""Hostile input to every form and JSON endpoint of awards, the mosaic, verification and the
issuer API: never a 500, never a request to a private address, never a credential issued.

The forms are read from the pages that show them (as in `test_hostile_input`): each field's
name and the value the page gives it. They are then posted by a person allowed to use them
with values no form expects — overlong text, NUL and control characters, numbers far out of
range, lists, empty values, bytes that are not UTF-8 — every field hostile at once, one field
hostile among the page's own values, and mixtures drawn by hypothesis. The import and
verification forms also get hostile files (0 bytes, 3 MB, a PNG claiming a 2 GB chunk, an SVG
with a DOCTYPE, JSON nested 100,000 deep, ...) and the verification page hostile links, with
every socket connection recorded. The VC-API endpoints get hostile JSON bodies and must answer
with a 4xx JSON message and issue nothing. Each attempt runs in a rolled-back transaction.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaics.audit.models import AuditEntry
from mosaics.awards.actions import award_decline, award_suspend, claim_token
from mosaics.awards.models import Award, AwardEvidence
from mosaics.issuance.models import StatusEntry
from mosaics.portfolio.models import ExternalBadge
from mosaics.verification import fetch
from mosaics.verification.tokens import api_token_create
from tests import factories as f
from tests.web.test_hostile_input import HOSTILE_VALUES
from tests.web.test_role_matrix import Scene, scene  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

LONE_SURROGATE = "\udcff"

HOSTILE = (
    *HOSTILE_VALUES,
    "line\r\nSet-Cookie: hostile=1",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "9" * 19,  # one past the largest 64-bit integer
    "-0",
    "1e-400",
    "0x10",
    "true",
    "on",
    "\t \u00a0\u2028",
    "../../../etc/passwd",
    "%00",
)
"""Field values (all encodable as UTF-8 by the test client)."""

FEW = ("x" * 20_000, "nul\x00byte", "99999999999999999999999999999", "line\r\nbreak")
"""Values tried in one field at a time, the page's own values in the others."""

RAW_ESCAPES = ("%00", "%ED%B2%BF", "%FF%FE", "%C0%AF", "%F4%90%80%80")
"""Percent-escapes of bytes that are not UTF-8 (a lone surrogate, overlong forms, > U+10FFFF),
sent in a raw urlencoded body the test client could not produce from text."""

# Who drives the forms: the first listed persona, then the others.
ADMIN = ("tlc_admin",)
AWARDERS = ("tlc_admin", "assessor")
HOLDER = ("learner",)


# --------------------------------------------------------------------------------------------
# Reading forms from pages
# --------------------------------------------------------------------------------------------


@dataclass
class FormFields:
    """One form of a page: each field's name and the value the page gives it."""

    values: dict[str, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """The forms of a page by the path they post to ("" posts back to the page)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: dict[str, FormFields] = {}
        self._form: FormFields | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            if found.get("method", "get").lower() != "post":
                self._form = None
                return
            action = urlsplit(found.get("action") or self.page).path or urlsplit(self.page).path
            self._form = self.forms.setdefault(action, FormFields())
            return
        form = self._form
        if form is None:
            return
        name = found.get("name")
        if tag == "option" and self._select is not None:
            if found.get("value") and not form.values.get(self._select):
                form.values[self._select] = found["value"]
            return
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "select":
            self._select = name
            form.values.setdefault(name, "")
        elif tag == "textarea":
            form.values.setdefault(name, "")
        elif tag in ("input", "button"):
            if found.get("type") == "file":
                form.files.add(name)
            elif not form.values.get(name):
                form.values[name] = found.get(
                    "value", "on" if found.get("type") == "checkbox" else ""
                )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def read_form(client: Client, url: str, pages: list[str]) -> FormFields | None:
    """The form posting to `url` found on `pages` (fields of all its copies merged), or None."""
    found: FormFields | None = None
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, f"{page} answered {response.status_code}"
        parser = _Forms(page)
        parser.feed(response.content.decode())
        form = parser.forms.get(urlsplit(url).path)
        if form is None:
            continue
        found = found or FormFields()
        for name, value in form.values.items():
            if not found.values.get(name):
                found.values[name] = value
        found.files |= form.files
    return found


# --------------------------------------------------------------------------------------------
# The forms of issue 4
# --------------------------------------------------------------------------------------------


def _award(s: Scene) -> dict[str, Any]:
    return {"uuid": s.award.uuid}


def _collection(s: Scene) -> dict[str, Any]:
    return {"uuid": s.collection.uuid}


def _external(s: Scene) -> dict[str, Any]:
    return {"uuid": s.external.uuid}


def _page(name: str, kwargs: Callable[[Scene], dict[str, Any]] | None = None) -> Any:
    return lambda s: [reverse(name, kwargs=kwargs(s) if kwargs else None)]


def _suspended(s: Scene) -> dict[str, Any]:
    award_suspend(actor=s.world.tlc_admin, award=s.award, reason="Checking a complaint.")
    return _award(s)


def _declined(s: Scene) -> dict[str, Any]:
    award_decline(actor=s.world.learner, award=s.award)
    return _award(s)


def _with_evidence(s: Scene) -> dict[str, Any]:
    AwardEvidence.objects.create(award=s.award, name="Capstone project", url="https://example.org/")
    return _award(s)


def _claimable(s: Scene) -> dict[str, Any]:
    """An award to an address the learner has not added: the claim page offers to add it."""
    award = f.award(s.published, email="learner.elsewhere@example.org")
    assert award.learner_id is None
    return {"uuid": award.uuid, "token": claim_token(award)}


def _token(s: Scene) -> dict[str, Any]:
    return {"slug": s.world.issuer.slug, "pk": s.api_token.pk}


@dataclass(frozen=True)
class Form:
    drivers: tuple[str | None, ...]
    kwargs: Callable[[Scene], dict[str, Any]]
    """The URL's arguments (and any state the form needs first)."""
    pages: Callable[[Scene], list[str]]
    """The pages that show the form."""
    bare: bool = False
    """A button with no fields besides the CSRF token."""


_RECORD = _page("awards:record", _award)
_DETAIL = _page("awards:detail", _award)
_SHARING = _page("awards:sharing", _award)
_MOSAIC = _page("portfolio:mosaic")
_COLLECTION = _page("portfolio:collection", _collection)
_EXTERNAL = _page("portfolio:external", _external)
_DID = _page("accounts:did")

FORMS: dict[str, Form] = {
    # awards: staff
    "awards:new_version": Form(
        AWARDERS,
        lambda s: {"pk": s.published.pk},
        lambda s: [reverse("awards:new_version", kwargs={"pk": s.published.pk})],
    ),
    "awards:new_pathway": Form(
        AWARDERS,
        lambda s: {"pk": s.pathway_published.pk},
        lambda s: [reverse("awards:new_pathway", kwargs={"pk": s.pathway_published.pk})],
    ),
    "awards:bulk": Form(
        AWARDERS,
        lambda s: {"pk": s.published.pk},
        lambda s: [reverse("awards:bulk", kwargs={"pk": s.published.pk})],
    ),
    "awards:revoke": Form(ADMIN, _award, _RECORD),
    "awards:suspend": Form(ADMIN, _award, _RECORD),
    "awards:reinstate": Form(ADMIN, _suspended, _RECORD),
    # awards: the learner's
    "awards:accept": Form(HOLDER, _declined, _DETAIL, bare=True),
    "awards:decline": Form(HOLDER, _award, _DETAIL, bare=True),
    "awards:claim": Form(
        HOLDER, _claimable, lambda s: [reverse("awards:claim", kwargs=_claimable_kwargs(s))]
    ),
    "awards:share": Form(HOLDER, _award, _SHARING),
    "awards:evidence_privacy": Form(HOLDER, _with_evidence, _SHARING),
    "accounts:did": Form(HOLDER, lambda s: {}, _DID),
    "accounts:did_unbind": Form(HOLDER, lambda s: {"pk": s.learner_did.pk}, _DID, bare=True),
    # the mosaic
    "portfolio:collection_new": Form(HOLDER, lambda s: {}, _MOSAIC),
    "portfolio:mosaic_clr": Form(HOLDER, lambda s: {}, _MOSAIC, bare=True),
    "portfolio:collection_update": Form(HOLDER, _collection, _COLLECTION),
    "portfolio:collection_delete": Form(HOLDER, _collection, _COLLECTION, bare=True),
    "portfolio:collection_share": Form(HOLDER, _collection, _COLLECTION),
    "portfolio:collection_add": Form(HOLDER, _collection, _COLLECTION),
    "portfolio:collection_remove": Form(HOLDER, _collection, _COLLECTION),
    "portfolio:collection_clr": Form(HOLDER, _collection, _COLLECTION, bare=True),
    "portfolio:import": Form(HOLDER, lambda s: {}, _page("portfolio:import")),
    "portfolio:external_delete": Form(HOLDER, _external, _EXTERNAL, bare=True),
    "portfolio:external_share": Form(HOLDER, _external, _EXTERNAL),
    # verification and the issuer's API tokens
    "verification:verify": Form((None, "learner"), lambda s: {}, _page("verification:verify")),
    "verification:api_token_create": Form(
        ADMIN,
        lambda s: {"slug": s.world.issuer.slug},
        lambda s: [reverse("verification:api_tokens", kwargs={"slug": s.world.issuer.slug})],
    ),
    "verification:api_token_revoke": Form(
        ADMIN,
        _token,
        lambda s: [reverse("verification:api_tokens", kwargs={"slug": s.world.issuer.slug})],
        bare=True,
    ),
}


def _claimable_kwargs(s: Scene) -> dict[str, Any]:
    award = Award.objects.get(recipient_email="learner.elsewhere@example.org")
    return {"uuid": award.uuid, "token": claim_token(award)}


def _client(s: Scene, persona: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if persona is not None:
        client.force_login(s.world.people[persona])
    return client


def _post(client: Client, url: str, data: Any, **extra: Any) -> int:
    """POST in a transaction that is rolled back; the status code."""
    cache.clear()  # the verification page's rate limit must not hide the fetcher
    with transaction.atomic():
        response = client.post(url, data, **extra)
        transaction.set_rollback(True)
    return int(response.status_code)


def _payloads(form: FormFields) -> Iterator[tuple[str, dict[str, Any]]]:
    names = [*sorted(form.values), "next"]
    yield "nothing", {}
    for value in HOSTILE:
        yield f"all {value[:30]!r}", dict.fromkeys(names, value)
    yield "lists", {name: ["a", "b"] for name in names}
    yield "hostile lists", {name: list(FEW) for name in names}
    for name in names:
        for value in FEW[:2]:  # (the others are in every field at once above)
            yield f"{name}={value[:30]!r}", {**form.values, name: value}
        yield f"{name}=list", {**form.values, name: [form.values.get(name, ""), "x"]}


def _raw(form: FormFields, escape: str) -> bytes:
    names = [*sorted(form.values), "next"]
    return "&".join(f"{quote(name)}=a{escape}b" for name in names).encode("ascii")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_form_values_never_give_a_server_error(
    name: str,
    scene: Scene,  # noqa: F811
    network: Network,
) -> None:
    spec = FORMS[name]
    url = reverse(name, kwargs=spec.kwargs(scene))
    failures: list[str] = []
    for number, persona in enumerate(spec.drivers):
        client = _client(scene, persona)
        form = read_form(client, url, spec.pages(scene))
        assert form is not None, f"no form posting to {url} on {spec.pages(scene)}"
        assert form.values or spec.bare, f"{name}: no fields found; the test would prove nothing"
        assert not spec.bare or not form.values, f"{name} has fields now: {sorted(form.values)}"
        # Everything as the first driver; the others (who may see other choices) the lot at once.
        payloads = list(_payloads(form))
        for label, payload in payloads if number == 0 else payloads[: len(HOSTILE) + 3]:
            status = _post(client, url, payload)
            if status >= 500:
                failures.append(f"{persona}: {status} for {label}")
        for escape in RAW_ESCAPES:
            raw = _raw(form, escape)
            status = _post(client, url, raw, content_type="application/x-www-form-urlencoded")
            if status >= 500:
                failures.append(f"{persona}: {status} for raw {escape}")
        failures += _mixtures(client, url, form, str(persona))
    assert failures == [], f"{name} ({url}):\n" + "\n".join(failures)
    network.assert_nothing_private()


def _mixtures(client: Client, url: str, form: FormFields, persona: str) -> list[str]:
    """Hypothesis: each field left out, given the page's value, or something hostile."""
    failures: list[str] = []
    value = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3),
    )
    fields = {n: st.one_of(st.just(v), value) for n, v in form.values.items()}

    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(payload=st.fixed_dictionaries({}, optional=fields))
    def mixtures(payload: dict[str, Any]) -> None:
        status = _post(client, url, payload)
        if status >= 500:
            failures.append(f"{persona}: {status} for {payload!r:.200}")

    mixtures()
    return failures


def test_every_issue_four_post_view_is_covered() -> None:
    """Every POST view of the issue's apps is here (or is a JSON endpoint tested below)."""
    from tests.web.test_role_matrix import ROUTES

    apps = ("awards:", "portfolio:", "verification:", "accounts:")
    posts = {n for n, r in ROUTES.items() if r.method == "post" and n.startswith(apps)}
    posts |= {"accounts:did", "awards:claim", "verification:verify"}  # GET and POST
    json_endpoints = {
        "verification:api_issue",
        "verification:api_verify",
        "verification:api_presentations_verify",
    }
    assert sorted(posts - set(FORMS) - json_endpoints) == []


# --------------------------------------------------------------------------------------------
# The network: every connection recorded, none made
# --------------------------------------------------------------------------------------------

PUBLIC = "93.184.215.14"
#: What the fake DNS answers; any other name is public.
DNS = {
    "private.example.org": ["10.0.0.5"],
    "rebind.example.org": [PUBLIC, "127.0.0.1"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "metadata.example.org": ["169.254.169.254"],
    "mapped.example.org": ["::ffff:127.0.0.1"],
}


@dataclass
class Network:
    lookups: list[str] = field(default_factory=list)
    connects: list[str] = field(default_factory=list)

    def assert_nothing_private(self) -> None:
        private = [a for a in self.connects if fetch.address_problem(a) or a != PUBLIC]
        assert private == [], f"connections to {private}"


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Network:
    """No test here may reach the network: name lookups get fixed answers and every
    connection is recorded, then refused."""
    seen = Network()

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        seen.lookups.append(name)
        answers = DNS.get(name.lower(), [PUBLIC])
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, int(port or 443)),
            )
            for a in answers
        ]

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        seen.connects.append(str(address[0]))
        raise ConnectionRefusedError("the tests make no connections")

    def connect(self: socket.socket, address: Any) -> None:
        target = address[0] if isinstance(address, tuple) else address
        seen.connects.append(str(target))
        raise ConnectionRefusedError("the tests make no connections")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return seen


# --------------------------------------------------------------------------------------------
# Hostile files: the import and the verification page
# --------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes, length: int | None = None) -> bytes:
    size = len(data) if length is None else length
    return struct.pack(">I", size) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(*chunks: bytes) -> bytes:
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    idat = _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(chunks) + idat + _chunk(b"IEND", b"")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _itxt(keyword: bytes, text: bytes) -> bytes:
    return _chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text)


DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b'<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
    + b'<!ENTITY net SYSTEM "https://127.0.0.1/secret">\n]>\n'
    + b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    + b"<openbadges:credential>&lol9;&xxe;&net;</openbadges:credential></svg>"
)
HUGE_SEGMENT = b"A" * 1_000_000
NUL_CREDENTIAL = json.dumps(
    {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:\x00",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "nul\x00name",
        "issuer": {"id": "did:web:nul\x00.example", "type": ["Profile"], "name": "\x00"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:\x00",
                "type": ["Achievement"],
                "name": "\x00",
                "criteria": {"narrative": "\x00"},
            },
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofValue": "z\x00",
        },
    }
).encode()

HOSTILE_FILES: tuple[tuple[str, str, bytes], ...] = (
    ("empty", "badge.json", b""),
    ("3 MB of brackets", "badge.json", b"[" * 3_000_000),
    ("3 MB string", "badge.json", b'{"a": "' + b"x" * 3_000_000 + b'"}'),
    ("random bytes as png", "badge.png", bytes(range(256)) * 64),
    ("png 2 GB iTXt", "badge.png", _png(_chunk(b"iTXt", b"openbadges\x00" * 4, 0x7FFFFFFF))),
    ("png 4 GB iTXt", "badge.png", _png(_chunk(b"iTXt", b"openbadges\x00", 0xFFFFFFFF))),
    ("png truncated", "badge.png", _png()[:40]),
    ("png iTXt garbage", "badge.png", _png(_itxt(b"openbadgecredential", b"\xff\xfe\x00{"))),
    ("png iTXt deep", "badge.png", _png(_itxt(b"openbadgecredential", DEEP))),
    (
        "png iTXt compressed bomb",
        "badge.png",
        _png(
            _chunk(
                b"iTXt",
                b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b"{" * 50_000_000, 9),
            )
        ),
    ),
    ("svg doctype", "badge.svg", BILLION_LAUGHS),
    ("svg not xml", "badge.svg", b"<svg><openbadges:credential>{</svg"),
    ("json 100000 deep", "badge.json", DEEP),
    ("json object 100000 deep", "badge.json", DEEP_OBJECT),
    ("json 1e400", "badge.json", b'{"@context": 1e400, "type": [1e400], "validFrom": -1e400}'),
    ("json NaN", "badge.json", b'{"@context": NaN, "x": Infinity}'),
    ("json duplicate keys", "badge.json", b'{"type": "OpenBadgeCredential", "type": "x"}'),
    ("json list", "badge.json", b"[]"),
    ("json null", "badge.json", b"null"),
    ("json string", "badge.json", b'"eyJ.eyJ.sig"'),
    ("json invalid utf-8", "badge.json", b'{"name": "\xff\xfe\xc0\xaf"}'),
    ("json utf-16", "badge.json", '{"type": "OpenBadgeCredential"}'.encode("utf-16")),
    ("json nul", "badge.json", b'{"name": "a\\u0000b", "id": "urn:\x00"}'),
    ("nul after json", "badge.json", b'{"type": "OpenBadgeCredential"}\x00\x00'),
    ("nul before json", "badge.json", b'\x00{"type": "OpenBadgeCredential"}'),
    ("svg with nul", "badge.svg", b"<svg>\x00</svg>"),
    (
        "json wrong types",
        "badge.json",
        json.dumps(
            {
                "@context": [{"@vocab": "https://127.0.0.1/"}, 1, None],
                "type": {"a": 1},
                "issuer": ["x"] * 300,
                "credentialSubject": [1] * 10_000,
                "proof": "garbage",
                "validFrom": "99999-99-99T99:99:99Z",
            }
        ).encode(),
    ),
    (
        "json unknown contexts",
        "badge.json",
        json.dumps(
            {
                "@context": ["https://127.0.0.1/ctx", "https://169.254.169.254/ctx"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "credentialSubject": {"id": "did:example:1"},
                "proof": {"type": "DataIntegrityProof", "proofValue": "z" + "1" * 5000},
            }
        ).encode(),
    ),
    ("jwt 3 huge segments", "badge.jwt", HUGE_SEGMENT + b"." + HUGE_SEGMENT + b"." + HUGE_SEGMENT),
    ("jwt deep header", "badge.jwt", _b64(DEEP) + b"." + _b64(b"{}") + b".c2ln"),
    (
        "jwt alg none",
        "badge.jwt",
        _b64(b'{"alg":"none","kid":"https://127.0.0.1/"}') + b"." + _b64(b'{"vc":1e400}') + b".",
    ),
    ("jwt not base64", "badge.jwt", b"!!!.???.***"),
    ("name with nul", "badge\x00.json", b"{}"),
    ("long name", "b" * 5000 + ".json", b"{}"),
    ("name without extension", "badge", b"{}"),
)


def _import_posts(client: Client, url: str, extra: dict[str, str]) -> list[str]:
    failures = []
    for label, name, content in HOSTILE_FILES:
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        status = _post(client, url, {**extra, "file": upload})
        if status >= 500:
            failures.append(f"{status} for upload {label}")
        text = content.decode("utf-8", "replace")
        status = _post(client, url, {**extra, "text": text})
        if status >= 500:
            failures.append(f"{status} for paste {label}")
    return failures


def test_hostile_files_to_the_import(scene: Scene, network: Network) -> None:  # noqa: F811
    client = _client(scene, "learner")
    url = reverse("portfolio:import")
    before = ExternalBadge.objects.filter(verified=True).count()
    failures = _import_posts(client, url, {})
    assert failures == [], "\n".join(failures)
    assert ExternalBadge.objects.filter(verified=True).count() == before
    network.assert_nothing_private()


CSV_FILES: tuple[tuple[str, bytes], ...] = (
    ("10,001 lines", b"email,name\n" + b"not-an-address,x\n" * 10_001),
    ("one long line", b"a@example.org," + b"x" * 1_500_000),
    ("nul in a name", b"email,name\nnul.name@example.org,a\x00b\n"),
    ("nul in an address", b"email,name\nnul\x00@example.org,a\n"),
    ("long name", b"email,name\nlong.name@example.org," + b"n" * 20_000 + b"\n"),
    ("formula", b"email,name\nformula@example.org,=cmd|' /C calc'!A0\n"),
    ("bom and crlf", b"\xef\xbb\xbfemail,name\r\nbom@example.org,B\r\n"),
    ("invalid utf-8", b"email,name\n\xff\xfe@example.org,\xc0\xaf\n"),
    ("utf-16", "email,name\nutf16@example.org,U\n".encode("utf-16")),
    ("unbalanced quote", b'email,name\n"quote@example.org,Q\n'),
    ("many columns", b"email,name\ncols@example.org" + b",x" * 10_000 + b"\n"),
    ("only commas", b",,,,\n,,,\n"),
    ("bidi name", "email,name\nbidi@example.org,\u202egnp.exe\n".encode()),
)


def test_hostile_files_to_bulk_awarding(scene: Scene, network: Network) -> None:  # noqa: F811
    client = _client(scene, "assessor")
    url = reverse("awards:bulk", kwargs={"pk": scene.published.pk})
    failures = []
    for label, content in CSV_FILES:
        upload = SimpleUploadedFile("learners.csv", content, content_type="text/csv")
        status = _post(client, url, {"file": upload, "narrative": "Hostile"})
        if status >= 500:
            failures.append(f"{status} for upload {label}")
        status = _post(client, url, {"text": content.decode("utf-8", "replace")})
        if status >= 500:
            failures.append(f"{status} for paste {label}")
    for label, name, content in HOSTILE_FILES:
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        status = _post(client, url, {"file": upload})
        if status >= 500:
            failures.append(f"{status} for upload {label}")
    assert failures == [], "\n".join(failures)
    network.assert_nothing_private()


def test_hostile_files_to_the_verification_page(scene: Scene, network: Network) -> None:  # noqa: F811
    client = _client(scene, None)
    url = reverse("verification:verify")
    failures = _import_posts(client, url, {"method": "upload"})
    failures += _import_posts(client, url, {"method": "paste"})
    assert failures == [], "\n".join(failures)
    network.assert_nothing_private()


def test_an_svg_entity_is_never_expanded(scene: Scene, network: Network) -> None:  # noqa: F811
    client = _client(scene, None)
    upload = SimpleUploadedFile("badge.svg", BILLION_LAUGHS, content_type="image/svg+xml")
    response = client.post(reverse("verification:verify"), {"method": "upload", "file": upload})
    assert response.status_code < 500
    body = response.content.decode()
    assert "root:" not in body
    assert "lollollol" not in body
    network.assert_nothing_private()


# --------------------------------------------------------------------------------------------
# Links on the verification page
# --------------------------------------------------------------------------------------------

HOSTILE_URLS = (
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::1]/",
    "https://[::]/",
    "https://[fe80::1%25eth0]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:7f00:1::]/",
    "https://[fd00:ec2::254]/",
    "https://0x7f000001/",
    "https://0x7f.1/",
    "https://2130706433/",
    "https://017700000001/",
    "https://127.1/",
    "https://127.0.0.1/",
    "https://127.0.0.1:8000/",
    "https://0.0.0.0/",
    "https://10.0.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.100.100.200/",
    "https://localhost/",
    "https://localhost./",
    "https://printer.local/",
    "https://user@127.0.0.1@example.org/",
    "https://user:pass@example.org/",
    "https://example.org\\@127.0.0.1/",
    "https://example.org#@127.0.0.1/",
    "https://%31%32%37.0.0.1/",
    "https://example.org/" + "a" * 5000,
    "https://" + "a" * 64 + ".example.org/",
    "https://example.org:0/",
    "https://example.org:22/",
    "https://example.org:99999/",
    "https://example.org:-1/",
    "https://exаmple.org/",  # Cyrillic a
    "https://аррӏе.com/",  # all Cyrillic
    "https://xn--80ak6aa92e.com/",
    "https://xn--/",
    "https://ex ample.org/",
    "https://example.org/\x00",
    "https://example.org/\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "https://private.example.org/badge.json",
    "https://rebind.example.org/badge.json",
    "https://127.0.0.1.nip.io/",
    "https://metadata.example.org/",
    "https://mapped.example.org/",
    "http://example.org/",
    "HTTPS://127.0.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "ftp://example.org/",
    "javascript:alert(1)",
    "data:application/json,{}",
    "//127.0.0.1/",
    "https:///",
    "https://",
    "https://[",
    "https://example.org/badge.json",  # public: tried, and refused by the fake network
)


def _our_urls(s: Scene) -> list[str]:
    site = str(django_settings.SITE_URL)
    zero = "00000000-0000-0000-0000-000000000000"
    return [
        f"{site}/badges/{s.award.uuid}",
        f"{site}/badges/{zero}",
        f"{site}/awards/{s.award.uuid}/ob2",
        f"{site}/awards/{zero}/ob2",
        f"{site}/awards/{s.award.uuid}/ob2/badge.{'x' * 300}",
        f"{site}/verify?url=https://127.0.0.1/",
        f"{site}/%00",
        f"{site}/{'a' * 1900}",
        f"{site}/pathways/{'x' * 1000}/badgeclass.json",
        f"{site}/manage/awards/{s.award.uuid}",
        f"{site}/admin/",
    ]


def test_hostile_links_on_the_verification_page(scene: Scene, network: Network) -> None:  # noqa: F811
    client = _client(scene, None)
    url = reverse("verification:verify")
    failures = []
    for link in (*HOSTILE_URLS, *_our_urls(scene)):
        status = _post(client, url, {"method": "url", "url": link})
        if status >= 500:
            failures.append(f"{status} for POST {link[:80]!r}")
        cache.clear()
        response = client.get(url, {"url": link})
        if response.status_code >= 500:
            failures.append(f"{response.status_code} for GET {link[:80]!r}")
    assert failures == [], "\n".join(failures)
    network.assert_nothing_private()
    # The only host ever looked up is a public name (private literals never reach DNS).
    assert all(not h.replace(".", "").isdigit() for h in network.lookups), network.lookups


@pytest.mark.parametrize(
    "link",
    [u for u in HOSTILE_URLS if u != "https://example.org/badge.json"],
)
def test_the_fetcher_refuses_hostile_links_before_connecting(link: str, network: Network) -> None:
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(link)
    assert refused.value.message
    if isinstance(refused.value, fetch.FetchFailed):
        # Tried: only a public host, whose every address was public.
        assert network.lookups, link
    network.assert_nothing_private()


def test_a_public_link_is_tried_at_the_checked_address_only(network: Network) -> None:
    """The test can fail: a public name is looked up and its address connected to."""
    with pytest.raises(fetch.FetchFailed):
        fetch.fetch("https://example.org/badge.json")
    assert network.lookups == ["example.org"]
    assert network.connects == [PUBLIC]


# --------------------------------------------------------------------------------------------
# The VC-API
# --------------------------------------------------------------------------------------------

VC2 = "https://www.w3.org/ns/credentials/v2"
JSON_TYPE = "application/json"


def _plain() -> dict[str, Any]:
    return {
        "@context": [VC2],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Example"},
    }


WRONG = (
    None,
    0,
    -1,
    10**30,
    1.5e308,
    True,
    "",
    "x" * 20_000,
    "nul\x00",
    LONE_SURROGATE,
    [],
    [None],
    [1] * 300,
    {},
    {"@id": 1},
    {"id": ["a"]},
)
"""Values of the wrong type (or shape) for any field."""


def _raw_json(value: Any) -> bytes:
    """JSON text as bytes; lone surrogates stay as \\u escapes."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def _bodies() -> list[tuple[str, bytes, str]]:
    """(label, body, content type): all of them must be refused."""
    bodies: list[tuple[str, bytes, str]] = [
        ("empty", b"", JSON_TYPE),
        ("spaces", b"  \n ", JSON_TYPE),
        ("array", b"[]", JSON_TYPE),
        ("string", b'"credential"', JSON_TYPE),
        ("null", b"null", JSON_TYPE),
        ("number", b"42", JSON_TYPE),
        ("1e400", b"1e400", JSON_TYPE),
        ("NaN", b'{"credential": NaN}', JSON_TYPE),
        ("deep", DEEP, JSON_TYPE),
        ("deep object", DEEP_OBJECT, JSON_TYPE),
        ("huge string", b'{"a": "' + b"x" * 2_000_000 + b'"}', JSON_TYPE),
        ("truncated", b'{"credential": {', JSON_TYPE),
        ("duplicate keys", b'{"credential": {}, "credential": {}}', JSON_TYPE),
        ("invalid utf-8", b'{"credential": "\xff\xfe"}', JSON_TYPE),
        ("utf-16", '{"credential": {}}'.encode("utf-16"), JSON_TYPE),
        ("lone surrogate key", b'{"\\ud800": {}}', JSON_TYPE),
        ("nul", b'{"credential": "\\u0000"}', JSON_TYPE),
        ("form", b"credential=1", "application/x-www-form-urlencoded"),
        ("text", b'{"credential": {}}', "text/plain"),
        ("no type", b'{"credential": {}}', ""),
        ("json with junk type", b'{"credential": {}}', "application/json; charset=ebcdic"),
        ("xml", b"<credential/>", "application/xml"),
        ("multipart", b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x"),
    ]
    return bodies


def _issue_bodies() -> list[tuple[str, Any]]:
    """Request bodies to /credentials/issue that must be refused (no credential issued)."""
    plain = _plain()
    out: list[tuple[str, Any]] = [
        ("no credential", {}),
        ("credential null", {"credential": None}),
        ("options only", {"options": {}}),
    ]
    for wrong in WRONG:
        out.append((f"credential={wrong!r:.30}", {"credential": wrong}))
    for key in ("@context", "type", "credentialSubject", "id", "validFrom", "validUntil"):
        for wrong in WRONG:
            out.append((f"{key}={wrong!r:.30}", {"credential": {**plain, key: wrong}}))
    for wrong in WRONG:
        # No issuer: it is filled in. A lone surrogate: see test_lone_surrogates_in_json.
        if wrong is not None and wrong != LONE_SURROGATE:
            out.append((f"issuer={wrong!r:.30}", {"credential": {**plain, "issuer": wrong}}))
    for key in ("cryptosuite", "credentialStatus", "created"):
        for wrong in WRONG:
            if wrong is None or (key == "credentialStatus" and isinstance(wrong, dict | bool)):
                continue  # the default; an object or true asks for a (default) status entry
            options = {key: wrong}
            out.append((f"options.{key}={wrong!r:.30}", {"credential": plain, "options": options}))
    for wrong in WRONG:
        if wrong is not None and not isinstance(wrong, dict):  # no options, or some
            out.append((f"options={wrong!r:.30}", {"credential": plain, "options": wrong}))
    out += [
        (
            "unknown contexts",
            {
                "credential": {
                    **plain,
                    "@context": [VC2, "https://127.0.0.1/ctx", "https://example.org/x"],
                }
            },
        ),
        ("inline context", {"credential": {**plain, "@context": [VC2, {"@vocab": "https://x/"}]}}),
        (
            "subjects 10000",
            {"credential": {**plain, "credentialSubject": [{"id": "did:x:1"}] * 10_000}},
        ),
        (
            "subjects 10000 numbers",
            {"credential": {**plain, "credentialSubject": list(range(10_000))}},
        ),
        ("proof garbage", {"credential": {**plain, "proof": "garbage"}}),
        ("proof object", {"credential": {**plain, "proof": {"type": "DataIntegrityProof"}}}),
        ("proof list", {"credential": {**plain, "proof": [1] * 300}}),
        (
            "validUntil before validFrom",
            {
                "credential": {
                    **plain,
                    "validFrom": "2030-01-01T00:00:00Z",
                    "validUntil": "2020-01-01T00:00:00Z",
                }
            },
        ),
        ("year 0", {"credential": {**plain, "validFrom": "0000-00-00T00:00:00Z"}}),
        ("huge year", {"credential": {**plain, "validFrom": "99999999-01-01T00:00:00Z"}}),
        ("other issuer", {"credential": {**plain, "issuer": "did:web:evil.example"}}),
        ("nul in issuer", {"credential": {**plain, "issuer": "did:\x00"}}),
        ("nul in type", {"credential": {**plain, "type": ["VerifiableCredential", "A\x00"]}}),
        ("nul in context", {"credential": {**plain, "@context": [VC2, "https://x/\x00"]}}),
        (
            "nul in created",
            {"credential": plain, "options": {"created": "2024-01-01T00:00:00Z\x00"}},
        ),
        (
            "surrogate cryptosuite",
            {"credential": plain, "options": {"cryptosuite": LONE_SURROGATE}},
        ),
        (
            "surrogate type",
            {"credential": {**plain, "type": ["VerifiableCredential", LONE_SURROGATE]}},
        ),
        ("nested deep", {"credential": {**plain, "credentialSubject": _nested(200)}}),
        ("1e400 in subject", None),  # raw below
    ]
    return out


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"id": "did:x:1"}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.fixture
def api(world: Any) -> dict[str, Any]:
    f.with_key(world.issuer)
    _row, web = api_token_create(actor=None, issuer=world.issuer, name="Hostile")
    _row, key = api_token_create(actor=None, issuer=world.issuer, name="Hostile key", did_key=True)
    return {"web": web, "key": key}


def _state() -> tuple[int, int]:
    return (
        AuditEntry.objects.filter(action="verification.api_issue").count(),
        StatusEntry.objects.count(),
    )


def _api_post(client: Client, path: str, body: bytes, content_type: str, **headers: Any) -> Any:
    """POST in a transaction that is rolled back; `response.changes` is what it added to the
    issuing audit entries and status entries before the rollback."""
    before = _state()
    with transaction.atomic():
        response = client.generic("POST", path, body, content_type=content_type, headers=headers)
        after = _state()
        transaction.set_rollback(True)
    response.changes = (after[0] - before[0], after[1] - before[1])
    return response


def _json_error(response: Any) -> str | None:
    """What is wrong with an answer that should be a 4xx JSON refusal (None: nothing)."""
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}"
    if response["Content-Type"].split(";")[0] != JSON_TYPE:
        return f"content type {response['Content-Type']}"
    try:
        payload = json.loads(response.content)
    except ValueError:
        return "not JSON"
    if not isinstance(payload, dict):
        return "not an object"
    messages = [payload.get("message")] + [
        e.get("message") for e in payload.get("errors", []) if isinstance(e, dict)
    ]
    for result in payload.get("credentialResults", []):
        messages += [e.get("message") for e in result.get("errors", [])]
    if not any(isinstance(m, str) and m.strip() for m in messages):
        return f"no message: {payload!r:.200}"
    if "verifiableCredential" in payload:
        return "a credential was issued"
    return None


ENDPOINTS = ("/credentials/issue", "/credentials/verify", "/presentations/verify")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_hostile_bodies_to_the_vc_api(path: str, api: dict[str, Any], network: Network) -> None:
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {api['web']}"}
    failures = []
    bodies = _bodies()
    wrappers: dict[str, Callable[[Any], dict[str, Any]]] = {
        "/credentials/issue": lambda v: {"credential": v},
        "/credentials/verify": lambda v: {"verifiableCredential": v},
        "/presentations/verify": lambda v: {"verifiablePresentation": v},
    }
    wrap = wrappers[path]
    for wrong in WRONG:
        if path == "/presentations/verify" and wrong == {}:
            continue  # an empty object is a presentation with nothing in it: see below
        bodies.append((f"field={wrong!r:.30}", _raw_json(wrap(wrong)), JSON_TYPE))
    bodies.append(
        ("field 1e400", b'{"credential": 1e400, "verifiableCredential": 1e400}', JSON_TYPE)
    )
    bodies.append(("jwt huge", _raw_json(wrap((HUGE_SEGMENT.decode() + ".") * 2 + "A")), JSON_TYPE))
    bodies.append(("jwt garbage", _raw_json(wrap("eyJ.eyJ.AAAA")), JSON_TYPE))
    bodies.append(("jwt envelope", _raw_json(wrap("data:application/vc+jwt,a.b.c")), JSON_TYPE))
    for label, body, content_type in bodies:
        response = _api_post(client, path, body, content_type, **headers)
        problem = _json_error(response) or ("recorded" if response.changes != (0, 0) else None)
        if problem:
            failures.append(f"{label}: {problem}")
    assert failures == [], f"{path}:\n" + "\n".join(failures)
    network.assert_nothing_private()


def test_hostile_credentials_are_never_issued(api: dict[str, Any], network: Network) -> None:
    client = Client(raise_request_exception=False)
    failures = []
    for token in (api["web"], api["key"]):
        headers = {"Authorization": f"Bearer {token}"}
        for label, body in _issue_bodies():
            raw = (
                b'{"credential": {"@context": ["' + VC2.encode() + b'"], "type": '
                b'["VerifiableCredential"], "credentialSubject": {"id": "did:x:1", "n": 1e400}}}'
                if body is None
                else _raw_json(body)
            )
            response = _api_post(client, "/credentials/issue", raw, JSON_TYPE, **headers)
            problem = _json_error(response)
            if response.changes != (0, 0):
                problem = f"recorded {response.changes}"
            if problem:
                failures.append(f"{label}: {problem}")
    assert failures == [], "\n".join(failures)
    network.assert_nothing_private()


def test_hostile_tokens_are_refused(api: dict[str, Any]) -> None:
    client = Client(raise_request_exception=False)
    body = _raw_json({"credential": _plain()})
    for header in (
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 20_000,
        "Bearer " + api["web"] + "x",
        "Bearer " + api["web"][:-1],
        "bearer\x00" + api["web"],
        "Bearer " + api["web"] + ", Bearer " + api["web"],
    ):
        response = _api_post(client, "/credentials/issue", body, JSON_TYPE, Authorization=header)
        assert response.status_code == 401, (header[:40], response.content[:200])
        assert _json_error(response) is None
        assert response.changes == (0, 0)


def test_the_valid_body_is_issued(api: dict[str, Any]) -> None:
    """The refusals above mean something: the same token and a plain credential issue."""
    client = Client(raise_request_exception=False)
    for token in (api["web"], api["key"]):
        response = _api_post(
            client,
            "/credentials/issue",
            _raw_json({"credential": _plain()}),
            JSON_TYPE,
            Authorization=f"Bearer {token}",
        )
        assert response.status_code == 201, response.content[:500]
        assert response.json()["verifiableCredential"]["proof"]
        assert response.changes[0] == 1  # audited (then rolled back)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_credentials_never_give_a_server_error(
    data: st.DataObject, api: dict[str, Any]
) -> None:
    """Random wrong values put into a plain credential (and its options): never a 500;
    anything issued is audited, anything refused leaves no trace."""
    plain = _plain()
    leaf = st.one_of(
        st.sampled_from([w for w in WRONG if w != LONE_SURROGATE]),
        st.text(max_size=20),
        st.integers(),
        st.floats(allow_nan=False),
    )
    path = data.draw(st.sampled_from([*plain, "credentialSubject.id", "credentialSubject.name"]))
    value = data.draw(leaf)
    credential: dict[str, Any] = json.loads(json.dumps(plain))
    if "." in path:
        outer, inner = path.split(".")
        credential[outer][inner] = value
    else:
        credential[path] = value
    options = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "cryptosuite": st.sampled_from(["eddsa-rdfc-2022", "eddsa-jcs-2022", "x", 1]),
                "credentialStatus": st.one_of(st.booleans(), st.sampled_from(WRONG)),
                "created": st.one_of(st.just("2024-01-01T00:00:00Z"), leaf),
            },
        )
    )
    token = data.draw(st.sampled_from([api["web"], api["key"]]))
    raw = _raw_json({"credential": credential, "options": options})
    response = _api_post(
        Client(raise_request_exception=False),
        "/credentials/issue",
        raw,
        JSON_TYPE,
        Authorization=f"Bearer {token}",
    )
    assert response.status_code < 500, (path, value, options, response.content[:300])
    assert response["Content-Type"].split(";")[0] == JSON_TYPE
    if response.status_code == 201:
        assert response.changes[0] == 1, "issued without an audit entry"
    else:
        assert _json_error(response) is None, response.content[:300]
        assert response.changes == (0, 0), "refused, yet something was recorded"


# --------------------------------------------------------------------------------------------
# Lone surrogates in JSON (\udcff escapes): refused as not text
# --------------------------------------------------------------------------------------------

SURROGATE_JSON = b'{"name": "\\udcff", "issuer": {"id": "did:\\udcff", "name": "\\ud800"}}'


def _surrogate_credential(**fields: str) -> bytes:
    body = {"credential": {**_plain(), **fields}}
    return _raw_json(body)


@pytest.mark.parametrize(
    "where",
    [
        "import upload",
        "import paste",
        "verification page upload",
        "verification page paste",
        "verify credential",
        "verify presentation",
        "issue: issuer",  # (the API's message no longer quotes it)
        "issue: issuer id",
        "issue: context",
        "issue: id",
    ],
)
def test_lone_surrogates_in_json(
    where: str,
    scene: Scene,  # noqa: F811
    api: dict[str, Any],
    network: Network,
) -> None:
    """JSON whose strings hold lone surrogates is refused in words (or reported), never a 500."""
    client = _client(scene, "learner")
    if where.startswith(("import", "verification page")):
        url = reverse("portfolio:import" if where.startswith("import") else "verification:verify")
        data: dict[str, Any] = {"method": where.rsplit(" ", 1)[1]}
        if where.endswith("upload"):
            data["file"] = SimpleUploadedFile("badge.json", SURROGATE_JSON)
        else:
            data["text"] = SURROGATE_JSON.decode()
        assert _post(client, url, data) < 500
        return
    credential = {**_plain(), "issuer": "did:\udcff"}
    if where == "verify credential":
        body, path = _raw_json({"verifiableCredential": credential}), "/credentials/verify"
    elif where == "verify presentation":
        presentation = {
            "@context": [VC2],
            "type": ["VerifiablePresentation"],
            "holder": "did:\udcff",
            "verifiableCredential": [credential],
        }
        body, path = _raw_json({"verifiablePresentation": presentation}), "/presentations/verify"
    else:
        fields = {
            "issue: issuer": {"issuer": LONE_SURROGATE},
            "issue: issuer id": {"issuer": {"id": "did:" + LONE_SURROGATE}},
            "issue: context": {"@context": [VC2, LONE_SURROGATE]},
            "issue: id": {"id": "urn:" + LONE_SURROGATE},
        }[where]
        body, path = _surrogate_credential(**fields), "/credentials/issue"
    response = _api_post(client, path, body, JSON_TYPE, Authorization=f"Bearer {api['web']}")
    assert _json_error(response) is None, (response.status_code, response.content[:300])
    assert response.changes == (0, 0)


# --------------------------------------------------------------------------------------------
# NUL characters in credentials: PostgreSQL cannot store them (json \u0000, text \x00)
# --------------------------------------------------------------------------------------------

ON_POSTGRESQL = connection.vendor == "postgresql"
NUL_FILES = {
    "credential": ("badge.json", NUL_CREDENTIAL),
    "jwt": ("badge.jwt", _b64(b'{"alg":"EdDSA"}') + b"." + _b64(NUL_CREDENTIAL) + b".c2ln"),
    "png": ("badge.png", _png(_itxt(b"openbadgecredential", NUL_CREDENTIAL))),
}


@pytest.mark.parametrize(
    ("where", "mode", "kind"),
    [
        *(
            ("import", mode, kind)
            for mode in ("upload", "paste")
            for kind in NUL_FILES
            if not (mode == "paste" and kind == "png")
        ),
        *(("verify", mode, kind) for mode in ("upload", "paste") for kind in NUL_FILES),
    ],
)
def test_nul_characters_in_badges(
    where: str,
    mode: str,
    kind: str,
    scene: Scene,  # noqa: F811
    network: Network,
) -> None:
    client = _client(scene, "learner")
    url = reverse("portfolio:import" if where == "import" else "verification:verify")
    name, content = NUL_FILES[kind]
    data: dict[str, Any] = {"method": mode}
    if mode == "upload":
        data["file"] = SimpleUploadedFile(name, content)
    else:
        data["text"] = content.decode("utf-8", "replace")
    assert _post(client, url, data) < 500
    network.assert_nothing_private()


@pytest.mark.parametrize(
    "fields",
    [
        # (Before the API's review these were signed; on PostgreSQL the audit entry then failed.)
        pytest.param({"id": "urn:x\x00"}, id="id"),
        pytest.param({"credentialSubject": {"id": "did:x:\x00"}}, id="subject id"),
        pytest.param({"id": "urn:x\x01\x1b"}, id="control id"),
    ],
)
def test_control_characters_in_ids_are_not_issued(
    fields: dict[str, Any], api: dict[str, Any]
) -> None:
    client = Client(raise_request_exception=False)
    for token in (api["web"], api["key"]):
        body = _raw_json({"credential": {**_plain(), **fields}})
        response = _api_post(
            client, "/credentials/issue", body, JSON_TYPE, Authorization=f"Bearer {token}"
        )
        assert _json_error(response) is None, (response.status_code, response.content[:300])
        assert response.changes == (0, 0)
