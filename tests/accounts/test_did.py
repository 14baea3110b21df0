"""Binding a did:key to an account by signing a challenge — with real keys and real signatures,
made exactly as the page tells learners to (the `mosaics vc` command) — and unbinding it.

What is signed names this site and the purpose (`did.signing_request`); the security rules
(one account per DID, the site and purpose, single-use challenges) have their own tests in
test_did_rules.py."""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from mosaics.accounts import did as did_proof
from mosaics.accounts.models import BoundDid
from mosaics.accounts.views import SESSION_KEY
from mosaics.audit.models import AuditEntry
from mosaics.awards import actions
from mosaics.vc import dataintegrity, jose
from mosaics.vc.cli import main as vc_main
from mosaics.vc.keys import Ed25519Multikey
from tests import factories as f
from tests.personas import client_for

URL = "/accounts/did/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _request(did: str, challenge: str, **extra: Any) -> dict[str, Any]:
    """The text the page asks the learner to sign (challenge.json)."""
    return {**did_proof.signing_request(challenge, did=did), **extra}


def _jwt(key: Ed25519Multikey, challenge: str, **extra: Any) -> str:
    """What `mosaics vc sign --suite jwt` makes of the page's challenge.json."""
    return jose.sign_credential(_request(key.did_key, challenge, **extra), key)


def _page_text_to_sign(page: str, did: str) -> str:
    """challenge.json exactly as the page shows it, with the learner's DID put in."""
    shown = re.search(r'<code id="did-to-sign">(.*?)</code>', page, re.S)
    assert shown is not None
    text = html_lib.unescape(shown.group(1))
    assert text.count("did:key:z6Mk…") == 1
    return text.replace("did:key:z6Mk…", did)


def _challenge(client: Any) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    value = client.session[SESSION_KEY]["value"]
    assert value in response.content.decode()
    return value


@pytest.fixture
def learner(client: Any, db: None) -> Any:
    user = f.UserFactory(email="sam@example.org")
    client_for(client, user)
    return user


# --- the page --------------------------------------------------------------------------------


def test_url_name() -> None:
    assert reverse("accounts:did") == URL


def test_signed_out_visitors_are_sent_to_sign_in(client: Any, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_documents_the_command(client: Any, learner: Any) -> None:
    html = client.get(URL).content.decode()
    assert "mosaics vc keygen --did-key" in html
    assert "mosaics vc sign --key my-did.key --suite jwt challenge.json" in html
    assert "<h1>" in html
    # What to sign names this site and the purpose (and the wallet instructions say so too).
    challenge = client.session[SESSION_KEY]["value"]
    shown = json.loads(_page_text_to_sign(html, "did:key:z6MkX"))
    assert shown == {
        "issuer": "did:key:z6MkX",
        "purpose": "mosaics-did-binding",
        "domain": "http://127.0.0.1:8000",
        "challenge": challenge,
    }
    assert "http://127.0.0.1:8000 as aud" in html
    assert "mosaics-did-binding as purpose" in html


def test_binding_with_the_mosaics_command_as_documented(
    client: Any, learner: Any, tmp_path: Path, capsys: Any
) -> None:
    """Follow the page's instructions to the letter: keygen, write the text the page shows
    into challenge.json (with the DID put in), sign, paste."""
    key_file = tmp_path / "my-did.key"
    assert vc_main(["keygen", "--did-key", "-o", str(key_file)]) == 0
    did = json.loads(key_file.read_text())["id"].split("#")[0]
    capsys.readouterr()
    for suite in ("jwt", "eddsa-jcs-2022"):
        page = client.get(URL).content.decode()  # a fresh challenge each time (used once)
        (tmp_path / "challenge.json").write_text(_page_text_to_sign(page, did))
        assert (
            vc_main(
                ["sign", "--key", str(key_file), "--suite", suite, str(tmp_path / "challenge.json")]
            )
            == 0
        )
        signed = capsys.readouterr().out
        response = client.post(URL, {"response": signed})
        assert response.status_code == 302, response.content.decode()
        assert list(BoundDid.objects.filter(user=learner).values_list("did", flat=True)) == [did]
    assert AuditEntry.objects.filter(action="accounts.did_bind", actor=learner).count() == 2


def test_an_award_made_after_binding_names_the_did_and_verifies(client: Any, learner: Any) -> None:
    before = f.award(email="sam@example.org")
    key = Ed25519Multikey.generate()
    response = client.post(URL, {"response": _jwt(key, _challenge(client))})
    assert response.status_code == 302
    after = f.award(email="sam@example.org")
    assert after.learner == learner
    assert after.recipient_did == key.did_key
    assert after.credential["credentialSubject"]["id"] == key.did_key
    assert actions.verify_award(after).status == "valid"
    # The award made before keeps its hashed e-mail identity.
    assert "id" not in before.credential["credentialSubject"]
    assert actions.verify_award(before).status == "valid"


def test_the_latest_binding_is_the_one_awards_use(client: Any, learner: Any) -> None:
    first, second = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    client.post(URL, {"response": _jwt(first, _challenge(client))})
    client.post(URL, {"response": _jwt(second, _challenge(client))})
    assert learner.bound_dids.first().did == second.did_key
    client.post(URL, {"response": _jwt(first, _challenge(client))})  # bound again
    assert learner.bound_dids.count() == 2
    assert learner.bound_dids.first().did == first.did_key
    assert f.award(email="sam@example.org").recipient_did == first.did_key


def test_a_challenge_is_used_once(client: Any, learner: Any) -> None:
    key = Ed25519Multikey.generate()
    signed = _jwt(key, _challenge(client))
    assert client.post(URL, {"response": signed}).status_code == 302
    BoundDid.objects.all().delete()
    response = client.post(URL, {"response": signed})
    assert response.status_code == 400
    assert not BoundDid.objects.exists()


def test_a_wrong_challenge_is_refused(client: Any, learner: Any) -> None:
    _challenge(client)
    key = Ed25519Multikey.generate()
    response = client.post(URL, {"response": _jwt(key, "an old challenge")})
    assert response.status_code == 400
    assert "challenge" in response.content.decode()
    assert not BoundDid.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.did_bind").exists()


def test_another_sessions_challenge_is_refused(client: Any, learner: Any) -> None:
    from django.test import Client

    other = Client()
    other.force_login(f.UserFactory())
    theirs = _challenge(other)
    _challenge(client)
    response = client.post(URL, {"response": _jwt(Ed25519Multikey.generate(), theirs)})
    assert response.status_code == 400
    assert not BoundDid.objects.exists()


def test_a_signature_by_another_key_is_refused(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    claimed, signer = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    # The header names the claimed DID's key, but the signer's key signed it.
    forged = jose.sign_credential(_request(claimed.did_key, challenge), signer, kid=claimed.id)
    response = client.post(URL, {"response": forged})
    assert response.status_code == 400
    assert "does not verify" in response.content.decode()
    # A payload naming another DID than the one that signed it.
    other = jose.sign_credential(_request(claimed.did_key, challenge), signer)
    response = client.post(URL, {"response": other})
    assert response.status_code == 400
    assert "as its issuer" in response.content.decode()
    # A Data Integrity document signed by another key than its verification method says.
    document = dataintegrity.sign(
        _request(claimed.did_key, challenge),
        signer,
        cryptosuite="eddsa-jcs-2022",
        verification_method=claimed.id,
    )
    assert client.post(URL, {"response": json.dumps(document)}).status_code == 400
    assert not BoundDid.objects.exists()


def test_a_changed_payload_is_refused(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    head, _body, signature = _jwt(key, "something else").split(".")
    body = _b64(json.dumps({**_request(key.did_key, challenge), "iss": key.did_key}).encode())
    assert client.post(URL, {"response": f"{head}.{body}.{signature}"}).status_code == 400
    assert not BoundDid.objects.exists()


def test_an_expired_challenge_is_refused_and_replaced(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    session = client.session
    session[SESSION_KEY] = {
        "value": challenge,
        "expires": (datetime.now(UTC) - timedelta(seconds=1)).timestamp(),
    }
    session.save()
    key = Ed25519Multikey.generate()
    response = client.post(URL, {"response": _jwt(key, challenge)})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not BoundDid.objects.exists()
    fresh = client.session[SESSION_KEY]["value"]
    assert fresh != challenge
    assert fresh in response.content.decode()


def test_an_expired_jwt_is_refused(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    signed = _jwt(key, challenge, validUntil="2020-01-01T00:00:00Z")  # becomes exp
    assert client.post(URL, {"response": signed}).status_code == 400
    assert not BoundDid.objects.exists()


def _header(**fields: Any) -> str:
    return _b64(json.dumps({"alg": "EdDSA", **fields}).encode())


def _garbage(key: Ed25519Multikey, challenge: str) -> list[str]:
    header = {"alg": "none", "kid": key.id}
    good = _jwt(key, challenge)
    head, body, sig = good.split(".")
    return [
        "",
        " ",
        "hello",
        "a.b.c",
        "...",
        "{",
        "[]",
        "{}",
        "null",
        '{"challenge": "' + challenge + '", "proof": 1}',
        '{"challenge": "' + challenge + '", "proof": {"type": "DataIntegrityProof"}}',
        '{"challenge": 1e999999}',
        "[" * 5000 + "]" * 5000,
        "{" + '"a":{' * 3000 + "}" * 3001,
        "x" * 30_000,
        f"{_b64(json.dumps(header).encode())}.{body}.",
        f"{head}.{body}.{sig}!",
        f"{head}.{body}.{sig[:-4]}",
        f"{head}.{body}.{_b64(b'x' * 64)}",
        f"{_b64(b'{}')}.{body}.{sig}",
        f"{_b64(json.dumps({'alg': 'EdDSA', 'kid': 5}).encode())}.{body}.{sig}",
        f"{_header(kid='https://x.example#' + key.did_key[8:])}.{body}.{sig}",
        f"{_header(kid=key.did_key + '#z6MkOther')}.{body}.{sig}",
        f"{_b64(json.dumps({'alg': 'HS256', 'kid': key.id}).encode())}.{body}.{sig}",
        f"{_b64(json.dumps({'alg': 'EdDSA', 'kid': key.id, 'crit': ['x']}).encode())}.{body}.{sig}",
        f"{head}.{_b64(b'[1,2]')}.{sig}",
        f"{head}.{_b64(bytes([0xFF, 0xFE]))}.{sig}",
        "é.é.é",
        "\x00\x01\x02",
        "did:key:" + key.did_key[8:],
    ]


def test_garbage_never_gives_a_500_and_binds_nothing(client: Any, learner: Any) -> None:
    challenge = _challenge(client)
    key = Ed25519Multikey.generate()
    for text in _garbage(key, challenge):
        response = client.post(URL, {"response": text})
        assert response.status_code == 400, text[:80]
        assert 'class="errorlist"' in response.content.decode() or "form-errors" in (
            response.content.decode()
        )
    assert not BoundDid.objects.exists()
    # ...and the good one still works afterwards.
    assert client.post(URL, {"response": _jwt(key, challenge)}).status_code == 302


@given(st.text(max_size=300))
def test_verify_did_proof_only_ever_refuses_in_words(text: str) -> None:
    with pytest.raises(did_proof.DidProofRefused) as refused:
        did_proof.verify_did_proof(text, challenge="c")
    assert refused.value.message


@given(st.binary(max_size=200))
def test_random_jwt_parts_only_ever_refuse_in_words(data: bytes) -> None:
    key = Ed25519Multikey.generate()
    head, body, _sig = _jwt(key, "c").split(".")
    for token in (f"{head}.{body}.{_b64(data)}", f"{head}.{_b64(data)}.{_b64(data)}"):
        with pytest.raises(did_proof.DidProofRefused):
            did_proof.verify_did_proof(token, challenge="c")


def test_only_ed25519_did_keys() -> None:
    with pytest.raises(did_proof.DidProofRefused) as refused:
        did_proof.verify_did_proof(
            f"{_b64(json.dumps({'alg': 'EdDSA', 'kid': 'did:key:zDnaeX#zDnaeX'}).encode())}"
            f".{_b64(b'{}')}.{_b64(b'x' * 64)}",
            challenge="c",
        )
    assert refused.value.code == "not_did_key"


# --- unbinding -------------------------------------------------------------------------------


def test_unbinding(client: Any, learner: Any) -> None:
    key = Ed25519Multikey.generate()
    client.post(URL, {"response": _jwt(key, _challenge(client))})
    bound = BoundDid.objects.get(user=learner)
    html = client.get(URL).content.decode()
    assert key.did_key in html
    unbind = reverse("accounts:did_unbind", kwargs={"pk": bound.pk})
    assert client.get(unbind).status_code == 405
    response = client.post(unbind)
    assert response.status_code == 302
    assert not BoundDid.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.did_unbind", actor=learner).count() == 1
    award = f.award(email="sam@example.org")
    assert award.recipient_did == ""
    assert "id" not in award.credential["credentialSubject"]


def test_nobody_unbinds_someone_elses_did(client: Any, learner: Any) -> None:
    other = f.UserFactory()
    bound = BoundDid.objects.create(user=other, did=Ed25519Multikey.generate().did_key)
    unbind = reverse("accounts:did_unbind", kwargs={"pk": bound.pk})
    assert client.post(unbind).status_code == 404
    client.logout()
    assert client.post(unbind).status_code == 302
    assert BoundDid.objects.filter(pk=bound.pk).exists()
