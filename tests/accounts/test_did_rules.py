"""The security rules of DID binding (security review), with real keys and real signatures:

1. a DID is bound to one account at most (database constraint and a refusal in words);
   binding it again to the same account is idempotent;
2. what is signed names this site (``domain``, or the JWT ``aud``) and the purpose, so a
   challenge relayed by another site, or a signature made for anything else, is refused;
3. a challenge is used once, and only by the account and session it was shown to.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from mosaics.accounts import actions as account_actions
from mosaics.accounts import did as did_proof
from mosaics.accounts.models import BoundDid
from mosaics.accounts.views import SESSION_KEY
from mosaics.audit.models import AuditEntry
from mosaics.vc import dataintegrity, jose
from mosaics.vc.keys import Ed25519Multikey
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

URL = "/accounts/did/"
OURS = "http://127.0.0.1:8000"  # the origin of the test settings' SITE_URL
TAKEN = "This DID is already bound to another account."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _request(did: str, challenge: str, **extra: Any) -> dict[str, Any]:
    return {**did_proof.signing_request(challenge, did=did), **extra}


def _jwt(key: Ed25519Multikey, challenge: str, **extra: Any) -> str:
    """What `mosaics vc sign --suite jwt` makes of the page's challenge.json."""
    return jose.sign_credential(_request(key.did_key, challenge, **extra), key)


def _wallet_jwt(key: Ed25519Multikey, payload: dict[str, Any]) -> str:
    """A JWT as a wallet signs it (any claims, `aud` included), by the key itself."""
    head = _b64(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": key.id}).encode())
    body = _b64(json.dumps(payload).encode())
    return f"{head}.{body}.{_b64(key.sign(f'{head}.{body}'.encode()))}"


def _signed_json(key: Ed25519Multikey, document: dict[str, Any], **options: Any) -> str:
    return json.dumps(dataintegrity.sign(document, key, cryptosuite="eddsa-jcs-2022", **options))


def _challenge(client: Any) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return str(client.session[SESSION_KEY]["value"])


def _signed_in(user: Any) -> Client:
    return client_for(Client(), user)


@pytest.fixture
def learner(client: Any) -> Any:
    user = f.UserFactory(email="sam@example.org")
    client_for(client, user)
    return user


# --- 1. one account per DID --------------------------------------------------------------------


def test_a_did_bound_to_another_account_is_refused(client: Any, learner: Any) -> None:
    """B gets A's help to sign (A holds the key): B is told no, and nothing changes."""
    key = Ed25519Multikey.generate()
    assert client.post(URL, {"response": _jwt(key, _challenge(client))}).status_code == 302
    other = f.UserFactory()
    theirs = _signed_in(other)
    for signed in (
        _jwt(key, _challenge(theirs)),
        _signed_json(key, _request(key.did_key, _challenge(theirs))),
    ):
        response = theirs.post(URL, {"response": signed})
        assert response.status_code == 400
        assert TAKEN in response.content.decode()
    assert list(BoundDid.objects.values_list("user", "did")) == [(learner.pk, key.did_key)]
    assert not AuditEntry.objects.filter(action="accounts.did_bind", actor=other).exists()
    # The action says so too, in words and with a code.
    with pytest.raises(account_actions.DidProofRefused) as refused:
        account_actions.did_bind(actor=other, response=_jwt(key, "c"), challenge="c")
    assert refused.value.message == TAKEN
    assert refused.value.code == "did_taken"


def test_the_database_refuses_one_did_for_two_accounts(db: None) -> None:
    did = Ed25519Multikey.generate().did_key
    BoundDid.objects.create(user=f.UserFactory(), did=did)
    with pytest.raises(IntegrityError), transaction.atomic():
        BoundDid.objects.create(user=f.UserFactory(), did=did)
    with pytest.raises(IntegrityError), transaction.atomic():
        BoundDid.objects.create(user=BoundDid.objects.get().user, did=did)
    assert BoundDid.objects.count() == 1


def test_binding_the_same_did_again_is_idempotent(client: Any, learner: Any) -> None:
    """The same person binding their DID again: no error, one binding, which becomes the
    latest (the one new awards use); the audit trail says it was bound again."""
    key, other = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    assert client.post(URL, {"response": _jwt(key, _challenge(client))}).status_code == 302
    first = BoundDid.objects.get(did=key.did_key)
    assert client.post(URL, {"response": _jwt(other, _challenge(client))}).status_code == 302
    assert learner.bound_dids.first().did == other.did_key
    response = client.post(URL, {"response": _jwt(key, _challenge(client))})
    assert response.status_code == 302
    again = BoundDid.objects.get(did=key.did_key)
    assert again.pk == first.pk
    assert again.bound_at >= first.bound_at
    assert learner.bound_dids.count() == 2
    assert learner.bound_dids.first().did == key.did_key
    entries = AuditEntry.objects.filter(action="accounts.did_bind", actor=learner)
    assert [entry.data["again"] for entry in entries.order_by("pk")] == [False, False, True]


def test_an_unbound_did_can_be_bound_by_another_account(client: Any, learner: Any) -> None:
    key = Ed25519Multikey.generate()
    client.post(URL, {"response": _jwt(key, _challenge(client))})
    bound = BoundDid.objects.get()
    client.post(f"/accounts/did/{bound.pk}/unbind")
    assert not BoundDid.objects.exists()
    other = f.UserFactory()
    theirs = _signed_in(other)
    assert theirs.post(URL, {"response": _jwt(key, _challenge(theirs))}).status_code == 302
    assert BoundDid.objects.get().user == other


def test_a_did_named_by_another_accounts_badges_is_refused(client: Any, learner: Any) -> None:
    """Lending a DID one after the other: A binds it, is awarded a badge naming it, unbinds
    it; B (given the key) cannot bind it and so cannot import A's badge as theirs."""
    key = Ed25519Multikey.generate()
    client.post(URL, {"response": _jwt(key, _challenge(client))})
    award = f.award(email="sam@example.org")
    assert award.recipient_did == key.did_key
    client.post(f"/accounts/did/{BoundDid.objects.get().pk}/unbind")
    other = f.UserFactory()
    theirs = _signed_in(other)
    response = theirs.post(URL, {"response": _jwt(key, _challenge(theirs))})
    assert response.status_code == 400
    assert "Badges awarded to another account already name this DID" in (response.content.decode())
    assert not BoundDid.objects.exists()
    # Its holder can bind it again.
    assert client.post(URL, {"response": _jwt(key, _challenge(client))}).status_code == 302
    assert BoundDid.objects.get().user == learner


@pytest.mark.django_db(transaction=True)
def test_concurrent_bindings_of_one_did_bind_one_account() -> None:
    """Two accounts bind the same DID at the same moment: the unique constraint lets one
    win, and the other is told in words (never an IntegrityError)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    key = Ed25519Multikey.generate()
    users = [f.UserFactory() for _ in range(4)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(user: Any, challenge: str) -> None:
        try:
            signed = _jwt(key, challenge)
            barrier.wait()
            account_actions.did_bind(actor=user, response=signed, challenge=challenge)
            outcomes.append("bound")
        except account_actions.DidProofRefused as refused:
            outcomes.append(str(refused.code))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(user, f"challenge-{n}")) for n, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["bound", "did_taken", "did_taken", "did_taken"]
    assert BoundDid.objects.filter(did=key.did_key).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_unbinds_a_did_shared_by_several_accounts() -> None:
    """Data from before the constraint: a DID bound to two accounts is unbound from both
    (nothing tells whose it is), with an audit entry each; other bindings stay."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0002_bounddid")], [("accounts", "0003_bound_did_one_account")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before[0]).apps
        User, Old = old.get_model("accounts", "User"), old.get_model("accounts", "BoundDid")
        a, b, c = (User.objects.create(username=name) for name in ("a", "b", "c"))
        shared, own = Ed25519Multikey.generate().did_key, Ed25519Multikey.generate().did_key
        Old.objects.create(user=a, did=shared)
        Old.objects.create(user=b, did=shared)
        Old.objects.create(user=c, did=own)
        Old.objects.create(user=a, did=own + "x")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    assert sorted(BoundDid.objects.values_list("user__username", "did")) == [
        ("a", own + "x"),
        ("c", own),
    ]
    entries = AuditEntry.objects.filter(action="accounts.did_unbind", actor=None)
    assert sorted(entry.data["user"] for entry in entries) == sorted([a.pk, b.pk])
    assert {entry.data["did"] for entry in entries} == {shared}


# --- 2. the site and the purpose ---------------------------------------------------------------


def test_a_challenge_relayed_by_another_site_is_refused(client: Any, learner: Any) -> None:
    """Another site shows the learner our challenge and has them sign it for its own origin
    (or for no site at all): the signature is no use to it here."""
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    evil = "https://evil.example"
    refused = [
        _jwt(key, challenge, domain=evil),
        _jwt(key, challenge, domain=OURS + "/accounts/did/"),  # a page, not the origin
        _jwt(key, challenge, domain="https://127.0.0.1:8000"),  # another scheme
        _jwt(key, challenge, domain=[OURS, evil]),
        _wallet_jwt(key, {**_request(key.did_key, challenge), "iss": key.did_key, "aud": evil}),
        _wallet_jwt(
            key, {**_request(key.did_key, challenge), "iss": key.did_key, "aud": [OURS, evil]}
        ),
        _signed_json(key, _request(key.did_key, challenge, domain=evil)),
        # A wallet's proof options naming another site (or another challenge) are refused too.
        _signed_json(key, _request(key.did_key, challenge), domain=evil),
        _signed_json(key, _request(key.did_key, challenge), challenge="another"),
    ]
    for signed in refused:
        response = client.post(URL, {"response": signed})
        assert response.status_code == 400, signed[:200]
        assert "meant for another site" in response.content.decode() or (
            "does not contain the challenge" in response.content.decode()
        )
    # No site named at all: the old form ({"issuer", "challenge"}) with the purpose added.
    no_site = {"issuer": key.did_key, "challenge": challenge, "purpose": did_proof.PURPOSE}
    for signed in (
        jose.sign_credential(no_site, key),
        _signed_json(key, no_site),
    ):
        response = client.post(URL, {"response": signed})
        assert response.status_code == 400
        assert f"must name this site ({OURS})" in response.content.decode()
    assert not BoundDid.objects.exists()
    assert client.post(URL, {"response": _jwt(key, challenge)}).status_code == 302


def test_a_signature_for_another_purpose_is_refused(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    old_form = {"issuer": key.did_key, "challenge": challenge}  # what was signed before
    for signed in (
        jose.sign_credential(old_form, key),
        _signed_json(key, old_form),
        _jwt(key, challenge, purpose="login"),
        _signed_json(key, _request(key.did_key, challenge, purpose="mosaics-did-binding ")),
        _wallet_jwt(key, {"iss": key.did_key, "nonce": challenge, "aud": OURS}),
    ):
        response = client.post(URL, {"response": signed})
        assert response.status_code == 400
        assert "mosaics-did-binding" in response.content.decode()
    assert not BoundDid.objects.exists()


def test_a_wallet_jwt_with_our_audience_binds(client: Any, learner: Any) -> None:
    """A wallet puts the site in `aud` (and the challenge in `nonce`): accepted."""
    key = Ed25519Multikey.generate()
    for aud in (OURS, [OURS], OURS + "/"):
        signed = _wallet_jwt(
            key,
            {
                "iss": key.did_key,
                "aud": aud,
                "nonce": _challenge(client),
                "purpose": did_proof.PURPOSE,
            },
        )
        response = client.post(URL, {"response": signed})
        assert response.status_code == 302, response.content.decode()
    assert BoundDid.objects.get().did == key.did_key


def test_a_wallet_proof_with_our_domain_and_challenge_binds(client: Any, learner: Any) -> None:
    key = Ed25519Multikey.generate()
    challenge = _challenge(client)
    signed = _signed_json(key, _request(key.did_key, challenge), domain=OURS, challenge=challenge)
    assert client.post(URL, {"response": signed}).status_code == 302
    assert BoundDid.objects.get().did == key.did_key


def test_the_site_is_the_origin_of_site_url(client: Any, learner: Any, settings: Any) -> None:
    settings.SITE_URL = "https://Badges.Example.edu:8443/mosaics"
    origin = "https://badges.example.edu:8443"
    assert did_proof.site_origin() == origin
    page = client.get(URL).content.decode()
    assert f"&quot;domain&quot;: &quot;{origin}&quot;" in page
    challenge = client.session[SESSION_KEY]["value"]
    key = Ed25519Multikey.generate()
    response = client.post(URL, {"response": _jwt(key, challenge, domain=OURS)})
    assert response.status_code == 400
    assert "meant for another site" in response.content.decode()
    assert client.post(URL, {"response": _jwt(key, challenge)}).status_code == 302


# --- 3. a challenge is used once, by its account and session ----------------------------------


def test_a_used_challenge_is_refused_even_with_a_new_one_shown(client: Any, learner: Any) -> None:
    key = Ed25519Multikey.generate()
    signed = _jwt(key, _challenge(client))
    assert client.post(URL, {"response": signed}).status_code == 302
    BoundDid.objects.all().delete()
    fresh = _challenge(client)
    response = client.post(URL, {"response": signed})
    assert response.status_code == 400
    assert "does not contain the challenge" in response.content.decode()
    assert not BoundDid.objects.exists()
    assert client.post(URL, {"response": _jwt(key, fresh)}).status_code == 302


def test_a_refused_answer_keeps_the_challenge_for_another_try(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    assert (
        client.post(URL, {"response": _jwt(key, challenge, domain="https://x.example")}).status_code
        == 400
    )
    assert client.session[SESSION_KEY]["value"] == challenge
    assert client.post(URL, {"response": _jwt(key, challenge)}).status_code == 302
    assert SESSION_KEY not in client.session


def test_a_challenge_shown_to_another_account_is_refused(client: Any, learner: Any) -> None:
    """The challenge is tied to the account it was shown to: another person signing in on
    the same browser (or a session that somehow carries it over) cannot use it."""
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    signed = _jwt(key, challenge)
    # Signing out and in as someone else in the same browser: the challenge is gone.
    client.logout()
    other = f.UserFactory()
    client.force_login(other)
    response = client.post(URL, {"response": signed})
    assert response.status_code == 400
    # A session whose challenge was shown to another account: refused, and replaced.
    _challenge(client)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "value": challenge, "user": learner.pk}
    session.save()
    response = client.post(URL, {"response": signed})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert client.session[SESSION_KEY]["value"] != challenge
    assert client.session[SESSION_KEY]["user"] == other.pk
    assert not BoundDid.objects.exists()
