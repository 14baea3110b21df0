"""Issuance: issuer keys encrypted at rest, rotation, signing as a did:web issuer, Bitstring
status lists, the public issuer documents and key management."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.issuance import actions, keystore, signing
from mosaics.issuance.models import SigningKey, StatusEntry, StatusList
from mosaics.vc import jsonld, ob3, schema, statuslist
from mosaics.vc.verify import verify
from tests import factories as f
from tests.conftest import TEST_KEK
from tests.personas import PERSONAS, client_for
from tests.vc.conftest import js_bridge  # noqa: F401 - the session fixture, shared

SITE = "https://badges.example.org"
OTHER_KEK = base64.urlsafe_b64encode(b"another key encryption key 32 by").decode().rstrip("=")


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def _credential(issuer: Any, *, n: int = 1, status: dict[str, Any] | None = None) -> dict:
    """An unsigned OB 3.0 credential from `issuer` (its Profile embedded as the issuer)."""
    achievement = ob3.achievement(
        id=f"{SITE}/achievements/statistical-analysis-software",
        name="Statistical Analysis Software",
        description="Analyses real data sets with statistical software.",
        criteria=ob3.criteria(narrative="Demonstrate each competency and reflect."),
        achievement_type="MicroCredential",
    )
    return ob3.achievement_credential(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        issuer=signing.profile_document(issuer, with_context=False),
        credential_subject=ob3.achievement_subject(
            id="did:example:learner", achievement=achievement
        ),
        valid_from="2024-01-01T00:00:00Z",
        name="Statistical Analysis Software",
        credential_status=status,
    )


def _verify(credential: dict) -> Any:
    return verify(
        credential,
        status_lists=actions.status_list_credentials(),
        documents=signing.trusted_documents(),
    )


# --- keystore ------------------------------------------------------------------------------


def test_keystore_round_trip() -> None:
    seed = os.urandom(32)
    kek_id, blob = keystore.encrypt_seed(seed, aad=b"issuer 1, key z6Mk")
    assert len(kek_id) == 16
    assert kek_id == keystore.kek_id_of(base64.urlsafe_b64decode(TEST_KEK + "="))
    assert seed not in blob
    assert keystore.decrypt_seed(kek_id, blob, aad=b"issuer 1, key z6Mk") == seed
    # a fresh nonce each time
    assert keystore.encrypt_seed(seed, aad=b"a")[1] != keystore.encrypt_seed(seed, aad=b"a")[1]


def test_keystore_refuses_other_aad_and_tampering() -> None:
    kek_id, blob = keystore.encrypt_seed(os.urandom(32), aad=b"issuer 1")
    with pytest.raises(keystore.KeyUnavailable, match="another issuer or key"):
        keystore.decrypt_seed(kek_id, blob, aad=b"issuer 2")
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(keystore.KeyUnavailable, match="altered"):
        keystore.decrypt_seed(kek_id, flipped, aad=b"issuer 1")
    with pytest.raises(keystore.KeyUnavailable, match="damaged"):
        keystore.decrypt_seed(kek_id, blob[:5], aad=b"issuer 1")


def test_the_database_never_holds_the_secret(world: Any) -> None:
    signing_key = actions.key_generate(issuer=world.issuer, actor=world.tlc_admin)
    key = signing.active_key(world.issuer)
    seed = key.secret_seed_bytes()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_secret, kek_id, public_key_multibase FROM issuance_signingkey "
            "WHERE id = %s",
            [signing_key.pk],
        )
        (blob, kek_id, public) = cursor.fetchone()
    blob = bytes(blob)
    assert seed not in blob
    assert seed.hex() not in kek_id + public
    assert key.secret_key_multibase() not in repr(blob)
    assert len(blob) == 12 + 32 + 16  # nonce, ciphertext, tag
    assert public == key.public_key_multibase


def test_a_different_kek_cannot_decrypt(world: Any, settings: Any) -> None:
    f.with_key(world.issuer)
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK]
    with pytest.raises(keystore.KeyUnavailable) as caught:
        signing.active_key(world.issuer)
    message = str(caught.value)
    assert "not configured" in message
    assert OTHER_KEK not in message
    assert TEST_KEK not in message


def test_kek_rotation_keeps_old_keys_readable(world: Any, settings: Any) -> None:
    old = f.with_key(world.issuer).signing_keys.get()
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK, TEST_KEK]  # the new KEK first: it encrypts
    assert signing.active_key(world.issuer).public_key_multibase == old.public_key_multibase
    new = actions.key_rotate(issuer=world.issuer, actor=None)
    assert new.kek_id != old.kek_id
    assert new.kek_id == keystore.kek_id_of(base64.urlsafe_b64decode(OTHER_KEK + "="))


def test_rewrap_completes_a_kek_rotation(world: Any, settings: Any) -> None:
    from django.core.management import call_command

    f.with_key(world.issuer)
    f.with_key(world.endorser_profile)
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK, TEST_KEK]
    out = StringIO()
    call_command("rewrap_keys", stdout=out)
    assert "2 signing key(s) re-encrypted" in out.getvalue()
    assert set(SigningKey.objects.values_list("kek_id", flat=True)) == {keystore.current_kek_id()}
    assert AuditEntry.objects.filter(action="issuance.key_rewrap").count() == 2
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK]  # the old KEK is gone
    signed = signing.sign_credential(world.issuer, _credential(world.issuer))
    assert _verify(signed).status == "valid"
    assert actions.keys_rewrap(actor=None) == 0


def test_rewrap_without_the_old_kek_is_a_clear_error(world: Any, settings: Any) -> None:
    from django.core.management import CommandError, call_command

    f.with_key(world.issuer)
    before = list(SigningKey.objects.values_list("kek_id", "encrypted_secret"))
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK]
    with pytest.raises(CommandError, match="not configured"):
        call_command("rewrap_keys", stdout=StringIO())
    assert list(SigningKey.objects.values_list("kek_id", "encrypted_secret")) == before


@pytest.mark.parametrize(
    "bad",
    [
        "not a key",
        "dG9vIHNob3J0",  # base64url, but 9 bytes
        "A" * 42 + "B",  # 43 characters whose last one carries bits beyond 32 bytes
        "A" * 43 + "==",
    ],
)
def test_malformed_kek_is_a_clear_configuration_error(settings: Any, bad: str) -> None:
    settings.KEY_ENCRYPTION_KEYS = [TEST_KEK, bad]
    with pytest.raises(ImproperlyConfigured) as caught:
        keystore.encrypt_seed(os.urandom(32), aad=b"x")
    message = str(caught.value)
    assert "Key encryption key 2 in MOSAICS_KEY_ENCRYPTION_KEYS" in message
    assert "32-byte" in message
    assert bad not in message
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_laptop_kek_is_generated_once_with_mode_0600(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOSAICS_REQUIRE_SECRET_KEY", raising=False)
    settings.KEY_ENCRYPTION_KEYS = []
    settings.VAR_DIR = tmp_path / "var"
    kek_id, blob = keystore.encrypt_seed(b"s" * 32, aad=b"x")
    path = tmp_path / "var" / "key_encryption_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert keystore.decrypt_seed(kek_id, blob, aad=b"x") == b"s" * 32
    assert path.read_text() == first  # never regenerated

    monkeypatch.setenv("MOSAICS_REQUIRE_SECRET_KEY", "true")
    with pytest.raises(ImproperlyConfigured, match="MOSAICS_KEY_ENCRYPTION_KEYS must be set"):
        keystore.encrypt_seed(b"s" * 32, aad=b"x")


# --- identity and signing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "did"),
    [
        (SITE, "did:web:badges.example.org:issuers:northern-business"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000:issuers:northern-business"),
        (
            "https://College.example/mosaics/",
            "did:web:college.example:mosaics:issuers:northern-business",
        ),
    ],
)
def test_issuer_did(world: Any, settings: Any, site: str, did: str) -> None:
    settings.SITE_URL = site
    assert signing.issuer_did(world.issuer) == did
    signing_key = f.with_key(world.issuer).signing_keys.get()
    assert (
        signing.verification_method_id(signing_key) == f"{did}#{signing_key.public_key_multibase}"
    )
    key = signing.active_key(world.issuer)
    assert (key.id, key.controller) == (signing.verification_method_id(signing_key), did)


def test_signing_needs_an_active_key(world: Any) -> None:
    with pytest.raises(signing.NoActiveKey, match="no active signing key"):
        signing.sign_credential(world.issuer, _credential(world.issuer))


def test_generate_refuses_a_second_active_key(world: Any) -> None:
    f.with_key(world.issuer)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(actions.ActiveKeyExists):
        actions.key_generate(issuer=world.issuer, actor=world.tlc_admin)
    assert world.issuer.signing_keys.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_signed_credential_verifies_with_the_published_did_document(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    signed = signing.sign_credential(issuer, _credential(issuer))
    (proof,) = signed["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == signing.verification_method_id(issuer.signing_keys.get())
    report = _verify(signed)
    assert report.status == "valid", report.to_json()
    # without the issuer's document nothing confirms the did:web key
    assert verify(signed).status != "valid"
    jcs = signing.sign_credential(issuer, _credential(issuer), cryptosuite="eddsa-jcs-2022")
    assert _verify(jcs).status == "valid"


def test_rotation_keeps_old_credentials_verifying(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    old_key = issuer.signing_keys.get()
    before = signing.sign_credential(issuer, _credential(issuer, n=1))

    new_key = actions.key_rotate(issuer=issuer, actor=world.tlc_admin)

    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert not old_key.is_active
    assert new_key.is_active
    assert _verify(before).status == "valid"
    after = signing.sign_credential(issuer, _credential(issuer, n=2))
    assert after["proof"][0]["verificationMethod"] == signing.verification_method_id(new_key)
    assert _verify(after).status == "valid"
    assert signing.active_key(issuer).public_key_multibase == new_key.public_key_multibase

    document = signing.did_document(issuer)
    old_id = signing.verification_method_id(old_key)
    new_id = signing.verification_method_id(new_key)
    assert {m["id"] for m in document["verificationMethod"]} == {old_id, new_id}
    assert set(document["assertionMethod"]) == {old_id, new_id}
    assert document["authentication"] == [new_id]

    # a second rotation: the retired key never signs again
    newest = actions.key_rotate(issuer=issuer, actor=world.tlc_admin)
    for n in range(3, 6):
        signed = signing.sign_credential(issuer, _credential(issuer, n=n))
        assert signed["proof"][0]["verificationMethod"] == signing.verification_method_id(newest)
    assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).get() == newest
    (entry,) = AuditEntry.objects.filter(
        action="issuance.key_rotate", target__endswith=f":{new_key.pk}"
    )
    assert entry.data["retired_public_key"] == old_key.public_key_multibase


def test_another_issuers_document_does_not_vouch_for_a_key(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    other = f.with_key(world.other_issuer)
    signed = signing.sign_credential(issuer, _credential(issuer))
    report = verify(signed, documents=signing.trusted_documents([other]))
    assert report.status != "valid"


# --- status lists ---------------------------------------------------------------------------


def test_status_entries_are_random_and_distinct(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    entries = [
        actions.status_entry_allocate(
            issuer=issuer, purpose="revocation", credential_id=f"urn:uuid:{n}"
        )
        for n in range(200)
    ]
    indexes = [entry.index for entry in entries]
    assert len(set(indexes)) == 200
    assert indexes != sorted(indexes)
    assert max(indexes) > 10_000  # spread over the 131,072 entries, not counted up from 0
    (status_list,) = StatusList.objects.filter(issuer=issuer)
    assert status_list.allocated == 200
    assert status_list.length == 131_072
    assert status_list.credential is not None
    assert status_list.credential["validFrom"]
    assert status_list.credential["id"] == actions.status_list_url(status_list)
    # a list for the other purpose is a separate list
    suspension = actions.status_entry_allocate(
        issuer=issuer, purpose="suspension", credential_id="urn:uuid:0"
    )
    assert suspension.status_list != status_list
    assert StatusList.objects.filter(issuer=issuer).count() == 2


def test_a_full_list_makes_room_in_a_new_one(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    first = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:a"
    )
    StatusList.objects.filter(pk=first.status_list_id).update(allocated=131_072)
    second = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:b"
    )
    assert second.status_list_id != first.status_list_id


def test_allocation_survives_collisions(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = f.with_key(world.issuer)
    taken = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:a"
    )
    picks = iter([taken.index] * 8)
    real = statuslist.allocate_index

    def colliding(used: Any, length: int = 131_072) -> int:
        return next(picks, None) or real(used, length)

    monkeypatch.setattr(actions.statuslist, "allocate_index", colliding)
    entry = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:b"
    )
    assert entry.index != taken.index
    assert StatusEntry.objects.filter(status_list=taken.status_list).count() == 2
    assert StatusList.objects.get(pk=taken.status_list_id).allocated == 2


@pytest.mark.parametrize(
    ("purpose", "when_set"), [("revocation", "revoked"), ("suspension", "suspended")]
)
def test_set_and_clear_a_status(world: Any, purpose: str, when_set: str) -> None:
    issuer = f.with_key(world.issuer)
    entry = actions.status_entry_allocate(
        issuer=issuer, purpose=purpose, credential_id="urn:uuid:1"
    )
    url = actions.status_list_url(entry.status_list)
    signed = signing.sign_credential(
        issuer, _credential(issuer, status=statuslist.status_entry(url, entry.index, purpose))
    )
    assert _verify(signed).status == "valid"

    actions.status_entry_set(entry=entry, value=True, actor=world.tlc_admin, reason="Misconduct")
    report = _verify(signed)
    assert report.status == when_set, report.to_json()
    entry.refresh_from_db()
    assert entry.set_at is not None
    assert entry.reason == "Misconduct"
    # the list was re-signed and still verifies on its own
    list_credential = actions.status_list_credentials()[url]
    assert verify(list_credential, documents=signing.trusted_documents()).status == "valid"

    actions.status_entry_set(
        entry=entry, value=False, actor=world.tlc_admin, reason="Appeal upheld"
    )
    assert _verify(signed).status == "valid"
    entry.refresh_from_db()
    assert entry.set_at is None
    actions_logged = list(
        AuditEntry.objects.filter(target=f"issuance.statusentry:{entry.pk}")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_logged == ["issuance.status_set", "issuance.status_clear"]


def test_status_lists_keep_verifying_after_rotation(world: Any) -> None:
    issuer = f.with_key(world.issuer)
    entry = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:1"
    )
    url = actions.status_list_url(entry.status_list)
    signed = signing.sign_credential(
        issuer, _credential(issuer, status=statuslist.status_entry(url, entry.index))
    )
    new_key = actions.key_rotate(issuer=issuer, actor=None)
    list_credential = actions.status_list_credentials([issuer])[url]
    assert list_credential["proof"][0]["verificationMethod"] == signing.verification_method_id(
        new_key
    )
    actions.status_entry_set(entry=entry, value=True, actor=None)
    assert _verify(signed).status == "revoked"


def test_a_new_list_needs_a_key(world: Any) -> None:
    with pytest.raises(signing.NoActiveKey):
        actions.status_entry_allocate(
            issuer=world.issuer, purpose="revocation", credential_id="urn:uuid:1"
        )
    assert not StatusList.objects.exists()
    assert not StatusEntry.objects.exists()


# --- public documents ----------------------------------------------------------------------


def _json(response: Any) -> Any:
    return json.loads(response.content.decode("utf-8"))


def test_profile_page(client: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    retired = issuer.signing_keys.get()
    active = actions.key_rotate(issuer=issuer, actor=None)
    response = client.get(reverse("issuance:profile", kwargs={"slug": issuer.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    page = response.content.decode()
    assert "<h1>Northern College School of Business</h1>" in page
    assert "School of Business" in page
    assert "Northern College" in page
    assert "badges@college.example" in page
    assert active.public_key_multibase in page
    assert retired.public_key_multibase in page
    assert "not used for new signatures" in page
    for name in ("issuance:profile_json", "issuance:did", "issuance:ob2_issuer"):
        assert reverse(name, kwargs={"slug": issuer.slug}) in page
    assert reverse("issuance:keys", kwargs={"slug": issuer.slug}) not in page  # not a manager


@pytest.mark.parametrize(
    "accept",
    ["application/ld+json", "application/json", "application/json, text/html;q=0.5"],
)
def test_profile_content_negotiation(client: Any, world: Any, accept: str) -> None:
    issuer = world.issuer
    response = client.get(
        reverse("issuance:profile", kwargs={"slug": issuer.slug}), HTTP_ACCEPT=accept
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response["Vary"]
    assert _json(response) == signing.profile_document(issuer)


def test_browsers_get_the_page(client: Any, world: Any) -> None:
    response = client.get(
        reverse("issuance:profile", kwargs={"slug": world.issuer.slug}),
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    assert response["Content-Type"].startswith("text/html")


def test_profile_json_is_a_valid_ob3_profile(client: Any, world: Any) -> None:
    response = client.get(reverse("issuance:profile_json", kwargs={"slug": world.issuer.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert b'\n  "id"' in response.content  # pretty-printed
    document = _json(response)
    assert document["@context"] == [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT]
    assert document["id"] == "did:web:badges.example.org:issuers:northern-business"
    assert document["type"] == ["Profile"]
    assert document["url"] == f"{SITE}/issuers/northern-business"
    assert document["name"] == "Northern College School of Business"
    assert document["email"] == "badges@college.example"
    school = document["parentOrg"]
    assert school["name"] == "School of Business"
    assert school["parentOrg"]["name"] == "Northern College"
    jsonld.check_safe(document)  # every term defined: nothing dropped silently
    assert schema.schema_problems(document, "profile") == []
    # embedded as a credential's issuer, it validates as part of the credential too
    embedded = signing.profile_document(world.issuer, with_context=False)
    assert "@context" not in embedded
    assert schema.schema_problems(_credential(world.issuer)) == []


def test_did_document_endpoint(client: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    response = client.get(reverse("issuance:did", kwargs={"slug": issuer.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = _json(response)
    assert document == signing.did_document(issuer)
    assert document["id"] == signing.issuer_did(issuer)
    (method,) = document["verificationMethod"]
    key = issuer.signing_keys.get()
    assert method == {
        "id": signing.verification_method_id(key),
        "type": "Multikey",
        "controller": document["id"],
        "publicKeyMultibase": key.public_key_multibase,
    }
    assert document["assertionMethod"] == [method["id"]]
    # the URL is where did:web resolution looks for it
    from mosaics.vc.keys import did_web_to_url

    assert did_web_to_url(document["id"]) == SITE + reverse(
        "issuance:did", kwargs={"slug": issuer.slug}
    )
    jsonld.check_safe(document)
    # a did.json holds no secret
    assert "secretKeyMultibase" not in response.content.decode()


def test_ob2_issuer_endpoint(client: Any, world: Any) -> None:
    response = client.get(reverse("issuance:ob2_issuer", kwargs={"slug": world.issuer.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert _json(response) == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{SITE}/issuers/northern-business/ob2.json",
        "name": "Northern College School of Business",
        "url": "https://college.example/micro-credentials",
        "email": "badges@college.example",
    }


def test_status_list_endpoint(client: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    entry = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:1"
    )
    url = reverse("issuance:status_list", kwargs={"pk": entry.status_list_id})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = _json(response)
    assert document["id"] == SITE + url
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert verify(document, documents=signing.trusted_documents()).status == "valid"
    assert client.get(reverse("issuance:status_list", kwargs={"pk": 999_999})).status_code == 404


@pytest.mark.parametrize(
    "name", ["issuance:profile", "issuance:profile_json", "issuance:did", "issuance:ob2_issuer"]
)
def test_unknown_issuer_is_a_404_page(client: Any, db: None, name: str) -> None:
    response = client.get(reverse(name, kwargs={"slug": "nobody"}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_public_documents_refuse_posts(client: Any, world: Any) -> None:
    response = client.post(reverse("issuance:did", kwargs={"slug": world.issuer.slug}))
    assert response.status_code == 405


# --- key management ------------------------------------------------------------------------

MANAGERS = {"tlc_admin", "platform_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_key_page_by_persona(client: Any, world: Any, persona: str) -> None:
    f.with_key(world.issuer)
    url = reverse("issuance:keys", kwargs={"slug": world.issuer.slug})
    response = client_for(client, getattr(world, persona)).get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif persona in MANAGERS:
        assert response.status_code == 200
        page = response.content.decode()
        assert world.issuer.signing_keys.get().public_key_multibase in page
        assert 'name="confirm"' in page
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_rotate_by_persona(client: Any, world: Any, persona: str) -> None:
    issuer = f.with_key(world.issuer)
    old = issuer.signing_keys.get()
    audit_before = AuditEntry.objects.count()
    url = reverse("issuance:key_rotate", kwargs={"slug": issuer.slug})
    response = client_for(client, getattr(world, persona)).post(url, {"confirm": "on"})
    if persona in MANAGERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("issuance:keys", kwargs={"slug": issuer.slug})
        assert issuer.signing_keys.count() == 2
        assert SigningKey.objects.get(pk=old.pk).retired_at is not None
        assert AuditEntry.objects.count() == audit_before + 1
        entry = AuditEntry.objects.get(action="issuance.key_rotate")
        assert entry.action == "issuance.key_rotate"
        assert entry.actor == getattr(world, persona)
        assert entry.organisation == world.business
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert issuer.signing_keys.get() == old
        assert old.is_active
        assert AuditEntry.objects.count() == audit_before


def test_other_institutions_admin_cannot_rotate_by_forged_post(client: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    client_for(client, world.tlc_admin)
    # tlc_admin manages Northern College, not Elsewhere: a forged post for its issuer is a 404
    other = f.with_key(world.other_issuer)
    response = client.post(
        reverse("issuance:key_rotate", kwargs={"slug": other.slug}), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert other.signing_keys.count() == 1
    assert issuer.signing_keys.count() == 1


def test_partner_endorser_manages_its_endorser_profile_keys(client: Any, world: Any) -> None:
    client_for(client, world.endorser)
    url = reverse("issuance:key_rotate", kwargs={"slug": world.endorser_profile.slug})
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert world.endorser_profile.signing_keys.filter(retired_at__isnull=True).count() == 1


def test_rotate_without_confirmation_changes_nothing(client: Any, world: Any) -> None:
    issuer = f.with_key(world.issuer)
    old = issuer.signing_keys.get()
    audit_before = AuditEntry.objects.count()
    client_for(client, world.tlc_admin)
    response = client.post(reverse("issuance:key_rotate", kwargs={"slug": issuer.slug}), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the box to confirm" in page
    assert 'aria-describedby="confirm-error"' in page
    assert 'aria-invalid="true"' in page
    assert issuer.signing_keys.get() == old
    assert old.is_active
    assert AuditEntry.objects.count() == audit_before


def test_rotate_is_post_only(client: Any, world: Any) -> None:
    client_for(client, world.tlc_admin)
    response = client.get(reverse("issuance:key_rotate", kwargs={"slug": world.issuer.slug}))
    assert response.status_code == 405


def test_first_key_from_the_key_page(client: Any, world: Any) -> None:
    client_for(client, world.tlc_admin)
    page = client.get(reverse("issuance:keys", kwargs={"slug": world.issuer.slug}))
    assert "no signing key yet" in page.content.decode()
    response = client.post(
        reverse("issuance:key_rotate", kwargs={"slug": world.issuer.slug}),
        {"confirm": "on"},
        follow=True,
    )
    assert "signing key is ready" in response.content.decode()
    assert world.issuer.signing_keys.filter(retired_at__isnull=True).count() == 1
    (entry,) = AuditEntry.objects.filter(action="issuance.key_rotate")
    assert entry.data["retired_public_key"] is None


def test_unknown_issuer_keys_page_is_404(client: Any, world: Any) -> None:
    client_for(client, world.platform_admin)
    assert client.get(reverse("issuance:keys", kwargs={"slug": "nobody"})).status_code == 404


# --- secrets stay secret ---------------------------------------------------------------------


def test_no_secret_in_logs_or_audit(
    client: Any, world: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    issuer = f.with_key(world.issuer)
    client_for(client, world.tlc_admin)
    client.post(reverse("issuance:key_rotate", kwargs={"slug": issuer.slug}), {"confirm": "on"})
    entry = actions.status_entry_allocate(
        issuer=issuer, purpose="revocation", credential_id="urn:uuid:1"
    )
    actions.status_entry_set(entry=entry, value=True, actor=world.tlc_admin, reason="r")
    signing.sign_credential(issuer, _credential(issuer))
    client.get(reverse("issuance:keys", kwargs={"slug": issuer.slug}))
    client.get(reverse("issuance:did", kwargs={"slug": issuer.slug}))
    settings.KEY_ENCRYPTION_KEYS = [OTHER_KEK]
    with pytest.raises(keystore.KeyUnavailable) as caught:
        signing.active_key(issuer)
    settings.KEY_ENCRYPTION_KEYS = [TEST_KEK]

    secrets: list[str] = [TEST_KEK, OTHER_KEK, base64.urlsafe_b64decode(TEST_KEK + "=").hex()]
    for signing_key in SigningKey.objects.filter(issuer=issuer):
        key = signing.unlock(signing_key)
        seed = key.secret_seed_bytes()
        secrets += [
            key.secret_key_multibase(),
            seed.hex(),
            base64.b64encode(seed).decode(),
            base64.urlsafe_b64encode(seed).decode().rstrip("="),
            base64.b64encode(bytes(signing_key.encrypted_secret)).decode(),
        ]
    audit = json.dumps(list(AuditEntry.objects.values("action", "target", "data")))
    texts = {
        "log": caplog.text,
        "audit": audit,
        "error": str(caught.value),
        "keys page": client.get(
            reverse("issuance:keys", kwargs={"slug": issuer.slug})
        ).content.decode(),
    }
    assert AuditEntry.objects.filter(action="issuance.key_rotate").exists()
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a secret appears in the {where}"


# --- the JavaScript reference verifier ------------------------------------------------------


@pytest.mark.interop
def test_js_reference_verifies_a_platform_issuers_credential(
    world: Any,
    js_bridge: Any,  # noqa: F811 - the imported fixture
) -> None:
    issuer = f.with_key(world.issuer)
    old = signing.sign_credential(issuer, _credential(issuer, n=1))
    actions.key_rotate(issuer=issuer, actor=None)
    new = signing.sign_credential(issuer, _credential(issuer, n=2))
    documents = {signing.issuer_did(issuer): signing.did_document(issuer)}
    for signed in (old, new):
        result = js_bridge.verify(signed, documents=documents)
        assert result.verified, result.errors
    tampered = {**new, "name": "Something else"}
    assert not js_bridge.verify(tampered, documents=documents).verified
    # the JS verifier reads the supplied document: without the retired key listed in it, what
    # that key signed no longer verifies there
    did = signing.issuer_did(issuer)
    active_only = signing.did_document(issuer)
    active_only["verificationMethod"] = active_only["verificationMethod"][:1]
    active_only["assertionMethod"] = active_only["assertionMethod"][:1]
    assert not js_bridge.verify(old, documents={did: active_only}).verified
    assert js_bridge.verify(new, documents={did: active_only}).verified
