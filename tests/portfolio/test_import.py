"""Importing badges: our own awards in every form (verified for their learner, rejected for
anyone else, revoked when revoked), duplicates, and hostile uploads that must never crash."""

from __future__ import annotations

import io
import json
import zlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from PIL import Image

from mosaics.accounts.models import BoundDid
from mosaics.audit.models import AuditEntry
from mosaics.awards import actions as award_actions
from mosaics.portfolio import imports
from mosaics.portfolio.imports import ImportRefused, external_badge_import
from mosaics.portfolio.models import ExternalBadge
from mosaics.vc import baking
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


def _forms(award: Any) -> dict[str, bytes]:
    """Every form a learner can download of one award."""
    jwt = award_actions.award_credential_form(award, "jwt")
    jcs = award_actions.award_credential_form(award, "eddsa-jcs-2022")
    return {
        "credential.json": json.dumps(award.credential).encode(),
        "credential-jcs.json": json.dumps(jcs).encode(),
        "credential.jwt": str(jwt).encode(),
        "badge.png": baking.bake(_png(), award.credential),
        "badge.svg": baking.bake(SVG, award.credential),
        "badge-jwt.png": baking.bake(_png(), jwt),
        "badge-jwt.svg": baking.bake(SVG, jwt),
    }


EXPECTED_FORMAT = {
    "credential.json": "ob3-json",
    "credential-jcs.json": "ob3-json",
    "credential.jwt": "ob3-jwt",
    "badge.png": "png",
    "badge.svg": "svg",
    "badge-jwt.png": "png",
    "badge-jwt.svg": "svg",
}


def _nothing_saved(before_audit: int) -> None:
    assert not ExternalBadge.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="portfolio.").count() == before_audit


@pytest.fixture
def award(world: Any) -> Any:
    version = f.published_version(world.issuer)
    return f.award(version, email=world.learner.email)


def test_our_award_in_every_form_imports_as_verified_for_its_learner(world: Any, award: Any):
    for name, data in _forms(award).items():
        badge = external_badge_import(actor=world.learner, data=data, filename=name)
        assert badge.verified, (name, badge.report)
        assert badge.status == "valid"
        assert badge.format == EXPECTED_FORMAT[name]
        assert badge.title == award.title
        assert badge.issuer_name == world.issuer.name
        assert badge.issued_on == award.valid_from
        assert badge.report["recipient"] == {
            "ok": True,
            "code": "email",
            "value": world.learner.email,
        }
        assert badge.report["rejection"] is None
        assert badge.credential["id"] == award.credential_id
        assert imports.rejection_text(badge) == ""
        entry = AuditEntry.objects.get(action="portfolio.import", target__endswith=f":{badge.pk}")
        assert entry.actor == world.learner
        assert entry.data["verified"] is True
        # Each form is the same badge: the next one is a duplicate until this one goes.
        with pytest.raises(ImportRefused) as refused:
            external_badge_import(actor=world.learner, data=data)
        assert refused.value.code == "duplicate"
        assert "already imported" in refused.value.message
        imports.external_badge_delete(actor=world.learner, badge=badge)
    assert not ExternalBadge.objects.exists()


def test_our_award_is_rejected_for_another_learner_and_kept_as_a_failed_import(
    world: Any, award: Any
) -> None:
    someone = f.UserFactory()
    for name, data in _forms(award).items():
        badge = external_badge_import(actor=someone, data=data, filename=name)
        assert not badge.verified, name
        assert badge.status == "valid"  # the badge itself checks out...
        assert badge.report["rejection"] == {"code": "not_yours"}  # ...but it is not theirs
        assert badge.report["recipient"]["ok"] is False
        text = imports.rejection_text(badge)
        assert "not yours" in text
        assert "someone else" in text
    # A second attempt replaces the first instead of piling up.
    assert ExternalBadge.objects.filter(owner=someone).count() == 1
    assert not ExternalBadge.objects.filter(owner=someone, verified=True).exists()


def test_the_learner_can_import_once_they_verify_the_address_it_was_sent_to(world: Any):
    version = f.published_version(world.issuer)
    award = f.award(version, email="old-address@example.org")
    data = json.dumps(award.credential).encode()
    first = external_badge_import(actor=world.learner, data=data)
    assert not first.verified
    assert first.report["rejection"] == {"code": "not_yours"}
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=world.learner, email="Old-Address@example.org", verified=True)
    again = external_badge_import(actor=world.learner, data=data)
    assert again.verified
    assert again.report["recipient"]["value"] == "Old-Address@example.org"
    assert not ExternalBadge.objects.filter(pk=first.pk).exists()  # replaced
    assert again.report is not None
    entry = AuditEntry.objects.filter(action="portfolio.import").latest("pk")
    assert entry.data["replaced"] == [str(first.uuid)]


def test_an_unverified_address_is_not_enough(world: Any) -> None:
    from allauth.account.models import EmailAddress

    version = f.published_version(world.issuer)
    award = f.award(version, email="unverified@example.org")
    EmailAddress.objects.create(user=world.learner, email="unverified@example.org", verified=False)
    badge = external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())
    assert not badge.verified
    assert badge.report["rejection"] == {"code": "not_yours"}


def test_a_bound_did_matches_the_subject_id(world: Any) -> None:
    from mosaics.vc.keys import Ed25519Multikey

    did = Ed25519Multikey.generate().controller
    version = f.published_version(world.issuer)
    BoundDid.objects.create(user=world.learner, did=did)
    award = f.award(version, email=world.learner.email)
    subject = award.credential["credentialSubject"]
    assert subject.get("id") == did, "awards name the learner's bound DID"
    someone = f.UserFactory(verified_email=False)
    BoundDid.objects.create(user=someone, did=did + "x")
    rejected = external_badge_import(actor=someone, data=json.dumps(award.credential).encode())
    assert rejected.report["rejection"] == {"code": "not_yours"}
    badge = external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())
    assert badge.verified
    assert badge.report["recipient"] == {"ok": True, "code": "did", "value": did}


def test_a_revoked_award_imports_as_revoked(world: Any, award: Any) -> None:
    award_actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    for name, data in _forms(award).items():
        badge = external_badge_import(actor=world.learner, data=data, filename=name)
        assert not badge.verified, name
        assert badge.status == "revoked", (name, badge.report)
        assert badge.report["rejection"] == {"code": "revoked"}
        assert "revoked" in imports.rejection_text(badge)
        messages = " ".join(c["message"] for c in badge.report["checks"] if not c["ok"])
        assert "revoked" in messages.lower()


def test_a_suspended_award_imports_as_suspended(world: Any, award: Any) -> None:
    award_actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review")
    badge = external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())
    assert (badge.verified, badge.status) == (False, "suspended")


def test_an_award_already_in_the_mosaic_is_not_imported_twice(world: Any, award: Any) -> None:
    award_actions.award_accept(actor=world.learner, award=award)
    before = AuditEntry.objects.filter(action__startswith="portfolio.").count()
    for data in _forms(award).values():
        with pytest.raises(ImportRefused) as refused:
            external_badge_import(actor=world.learner, data=data)
        assert refused.value.code == "in_mosaic"
        assert award.title in refused.value.message
    _nothing_saved(before)


def test_a_tampered_award_is_rejected_as_invalid(world: Any, award: Any) -> None:
    credential = json.loads(json.dumps(award.credential))
    credential["credentialSubject"]["achievement"]["name"] = "Rocket science"
    badge = external_badge_import(actor=world.learner, data=json.dumps(credential).encode())
    assert (badge.verified, badge.status) == (False, "invalid")
    assert badge.report["rejection"] == {"code": "invalid"}
    assert any(c["name"] == "proof" and not c["ok"] for c in badge.report["checks"])
    assert badge.title == "Rocket science"  # what it claims, shown only as a failed import


def test_detected_by_content_not_by_name(world: Any, award: Any) -> None:
    png = baking.bake(_png(), award.credential)
    badge = external_badge_import(actor=world.learner, data=png, filename="badge.json")
    assert badge.format == "png"
    assert badge.verified
    assert badge.report["filename"] == "badge.json"


def test_pasted_text_with_whitespace_and_a_byte_order_mark(world: Any, award: Any) -> None:
    text = "\ufeff\n  " + json.dumps(award.credential, indent=2) + "\n\n"
    badge = external_badge_import(actor=world.learner, data=text.encode("utf-8"))
    assert badge.verified
    jwt = str(award_actions.award_credential_form(award, "jwt"))
    imports.external_badge_delete(actor=world.learner, badge=badge)
    badge = external_badge_import(actor=world.learner, data=f"  {jwt}\n".encode())
    assert badge.verified
    assert badge.format == "ob3-jwt"


def test_only_a_signed_in_person_may_import(world: Any, award: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    data = json.dumps(award.credential).encode()
    for actor in (None, AnonymousUser(), f.UserFactory(is_active=False)):
        with pytest.raises(PermissionDenied):
            external_badge_import(actor=actor, data=data)
    assert not ExternalBadge.objects.exists()


def test_share_and_delete_belong_to_the_owner(world: Any, award: Any) -> None:
    badge = external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())
    for other in (world.tlc_admin, world.platform_admin, f.UserFactory()):
        with pytest.raises(PermissionDenied):
            imports.external_badge_share(actor=other, badge=badge, shared=True)
        with pytest.raises(PermissionDenied):
            imports.external_badge_delete(actor=other, badge=badge)
    badge.refresh_from_db()
    assert not badge.shared
    imports.external_badge_share(actor=world.learner, badge=badge, shared=True)
    badge.refresh_from_db()
    assert badge.shared
    assert AuditEntry.objects.filter(action="portfolio.import_share").count() == 1
    imports.external_badge_share(actor=world.learner, badge=badge, shared=False)
    badge.refresh_from_db()
    assert not badge.shared
    imports.external_badge_delete(actor=world.learner, badge=badge)
    assert not ExternalBadge.objects.exists()
    assert AuditEntry.objects.filter(action="portfolio.import_delete").count() == 1


def test_a_rejected_import_cannot_be_shared(world: Any, award: Any) -> None:
    someone = f.UserFactory()
    badge = external_badge_import(actor=someone, data=json.dumps(award.credential).encode())
    with pytest.raises(ImportRefused):
        imports.external_badge_share(actor=someone, badge=badge, shared=True)
    badge.refresh_from_db()
    assert not badge.shared


# --- hostile and wrong input: a clear reason, nothing saved, never an exception of another kind


def _deep(n: int) -> bytes:
    return ("[" * n + "]" * n).encode()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


HOSTILE: dict[str, tuple[bytes, str, str]] = {
    # name: (data, code, words the message must contain)
    "empty": (b"", "empty", "empty"),
    "whitespace": (b"  \n\t ", "empty", "empty"),
    "binary garbage": (bytes(range(256)) * 8, "unreadable", "binary"),
    "nul in text": (b'{"a": "\x00"}', "unreadable", "binary"),
    "json bomb (deep nesting)": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "unreadable", "deep"),
    "deep array": (_deep(50_000), "unreadable", "deep"),
    "json array": (b"[1, 2, 3]", "unreadable", "not a JSON object"),
    "json string": (b'"hello"', "unreadable", "not a JSON object"),
    "broken json": (b'{"@context": ', "unreadable", "not valid JSON"),
    "duplicate keys": (b'{"id": "a", "id": "b"}', "unreadable", "twice"),
    "NaN": (b'{"a": NaN}', "unreadable", "NaN"),
    "plain text": (b"hello, this is my badge", "unreadable", "not a badge format"),
    "json without a badge": (b'{"name": "My badge"}', "not_a_badge", "not a badge"),
    "broken jwt": (b"eyJhbGciOi.eyJpc3Mi.c2ln", "unreadable", "JWT"),
    "fake png": (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "unreadable", "image"),
    "png with no badge": (b"", "unreadable", "no badge"),  # filled in below
    "png with a bad crc": (b"", "unreadable", "image"),  # filled in below
    "svg with entities": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
        "unreadable",
        "image",
    ),
    "svg with an external entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        "unreadable",
        "image",
    ),
    "svg with no badge": (SVG, "unreadable", "no badge"),
    "html": (b"<html><body>hi</body></html>", "unreadable", "image"),
    "broken svg": (b"<svg xmlns='http://www.w3.org/2000/svg'><g>", "unreadable", "image"),
    "svg holding garbage": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential><![CDATA[not json]]></openbadges:credential></svg>",
        "unreadable",
        "neither JSON nor a compact JWS",
    ),
    "status list": (
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            }
        ).encode(),
        "not_a_badge",
        "status list",
    ),
    "endorsement": (
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "EndorsementCredential"],
            }
        ).encode(),
        "not_a_badge",
        "endorsement",
    ),
    "ob2 badge class": (
        json.dumps(
            {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "name": "x"}
        ).encode(),
        "not_a_badge",
        "BadgeClass",
    ),
}
_plain_png = _png()
HOSTILE["png with no badge"] = (_plain_png, "unreadable", "no badge")
HOSTILE["png with a bad crc"] = (
    _plain_png[:-8]
    + _png_chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00{}")[:-4]
    + b"\x00\x00\x00\x00"
    + _plain_png[-12:],
    "unreadable",
    "image",
)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_uploads_are_refused_with_a_reason(world: Any, name: str) -> None:
    data, code, words = HOSTILE[name]
    with pytest.raises(ImportRefused) as refused:
        external_badge_import(actor=world.learner, data=data)
    assert refused.value.code == code, refused.value.message
    assert words.lower() in refused.value.message.lower(), refused.value.message
    assert not ExternalBadge.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="portfolio.").exists()


def test_the_size_limit_is_a_setting(world: Any, award: Any) -> None:
    data = json.dumps(award.credential).encode()
    with (
        override_settings(MOSAICS_MAX_IMPORT_BYTES=len(data) - 1),
        pytest.raises(ImportRefused) as refused,
    ):
        external_badge_import(actor=world.learner, data=data)
    assert refused.value.code == "too_large"
    assert "too large" in refused.value.message
    assert not ExternalBadge.objects.exists()
    with override_settings(MOSAICS_MAX_IMPORT_BYTES=len(data)):
        assert external_badge_import(actor=world.learner, data=data).verified


def test_the_default_limit_is_two_megabytes(world: Any) -> None:
    assert imports.max_import_bytes() == 2 * 1024 * 1024
    data = b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    with pytest.raises(ImportRefused) as refused:
        external_badge_import(actor=world.learner, data=data)
    assert refused.value.code == "too_large"
    assert "2 MB" in refused.value.message


def test_a_credential_of_unknown_shape_is_kept_as_a_failed_import(world: Any) -> None:
    """JSON that claims to be a credential but is not a valid one: verified (and failed) — the
    learner sees the verifier's reasons, not a crash."""
    data = json.dumps(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://example.org", "name": 42},
            "credentialSubject": [1, "x", None],
        }
    ).encode()
    badge = external_badge_import(actor=world.learner, data=data)
    assert (badge.verified, badge.status) == (False, "invalid")
    assert badge.report["recipient"]["code"] == "no_recipient"
    assert badge.report["checks"]


# --- our own Open Badges 2.0 forms: checked against our records, never fetched --------------


def _ob2_forms(client: Any, award: Any) -> dict[str, bytes]:
    from django.urls import reverse

    forms = {
        "assertion.json": client.get(
            reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid}),
            HTTP_ACCEPT="application/json",
        ).content
    }
    for ext in ("png", "svg"):
        response = client.get(reverse("awards:ob2_baked", kwargs={"uuid": award.uuid, "ext": ext}))
        assert response.status_code == 200
        forms[f"ob2.{ext}"] = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return forms


def test_our_ob2_forms_are_checked_against_our_records(client: Any, world: Any, award: Any) -> None:
    """The OB 2.0 documents of an award are published once its learner accepted it — it is then
    in their mosaic already; anyone else's import is checked against our records (never
    fetched), and rejected as not theirs. Its issuer is confirmed by those records."""
    award = award_actions.award_accept(actor=world.learner, award=award)
    forms = _ob2_forms(client, award)
    someone = f.UserFactory()
    for name, data in forms.items():
        with pytest.raises(ImportRefused) as refused:
            external_badge_import(actor=world.learner, data=data, filename=name)
        assert refused.value.code == "in_mosaic", name

        other = external_badge_import(actor=someone, data=data, filename=name)
        assert not other.verified, name
        assert other.status == "valid", (name, other.report)
        assert other.report["kind"] == "ob2"
        assert other.report["award"] == str(award.uuid)
        assert other.report["rejection"] == {"code": "not_yours"}
        assert other.title == award.title
        assert other.issuer_name == world.issuer.name
        identity = imports.issuer_identity(other)
        assert (identity.confirmed, identity.how) == (True, "records")


def test_our_ob2_assertion_of_a_revoked_award_is_not_accepted(
    client: Any, world: Any, award: Any
) -> None:
    award = award_actions.award_accept(actor=world.learner, award=award)
    data = _ob2_forms(client, award)["assertion.json"]  # downloaded while it was valid
    award_actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    badge = external_badge_import(actor=f.UserFactory(), data=data)
    assert not badge.verified
    assert badge.status == "revoked", badge.report
    assert badge.report["rejection"] == {"code": "revoked"}
    assert imports.rejection_text(badge)


def test_an_address_that_only_looks_alike_is_not_the_recipients(world: Any) -> None:
    """E-mail addresses are compared exactly, lower-cased, as allauth stores them. PostgreSQL's
    case-insensitive match compares UPPER() of both, and UPPER('ı') is 'I': a learner who
    verified alıce@gmaıl.com (dotless ı) must not get a badge made to alice@gmail.com."""
    from django.db import connection

    from mosaics.awards import ob2

    if connection.vendor != "postgresql":
        pytest.skip("UPPER('ı') = 'I' is PostgreSQL's; SQLite folds ASCII only")
    award = f.award(f.published_version(world.issuer), email="alice@gmail.com")
    assert award.learner_id is None
    impostor = f.UserFactory(email="al\u0131ce@gma\u0131l.com")  # verified, dotless ı
    with connection.cursor() as cursor:  # the premise: a case-insensitive match would match
        cursor.execute("SELECT UPPER(%s) = UPPER(%s)", [impostor.email, award.recipient_email])
        assert cursor.fetchone()[0] is True
    data = json.dumps(ob2.assertion_document(award)).encode()
    badge = external_badge_import(actor=impostor, data=data)
    assert badge.report["award"] == str(award.uuid)  # our own hosted assertion: our records
    assert badge.report["recipient"] == {"ok": False, "code": "not_yours", "value": ""}
    assert not badge.verified


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_badge_accept_one() -> None:
    """A learner presses Import twice at once (two tabs): the learner's row lock serialises the
    two, so one is accepted and the other is told it is a duplicate."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    learner = f.UserFactory()
    award = f.award(f.published_version(), email=learner.email)
    data = json.dumps(award.credential).encode()
    barrier = threading.Barrier(3)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            badge = external_badge_import(actor=learner, data=data)
            outcomes.append("verified" if badge.verified else "rejected")
        except ImportRefused as refused:
            outcomes.append(str(refused.code))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["duplicate", "duplicate", "verified"]
    assert ExternalBadge.objects.filter(owner=learner).count() == 1
