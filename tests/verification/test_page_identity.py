"""The verification page tells what was proved from what a badge claims: "Issued by" only for an
issuer whose key a document resolved from its identifier vouches for (ours; a did:web document
from its domain), otherwise the name as written in the badge, not confirmed — and a valid
signature of an unconfirmed issuer never reads a bare "Valid". Pasted badges of other issuers
are checked with what those issuers publish (the safe fetcher is replaced here by a stand-in
serving documents made in the test; nothing touches the network), each request counted
against the visitor's budget."""

from __future__ import annotations

import html as html_module
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from mosaics.awards import actions
from mosaics.issuance import signing
from mosaics.vc import dataintegrity, keys, ob3
from mosaics.verification import fetch
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/verify"
FAMOUS = "Harvard Medical School"
DID = "did:web:badges.example.edu"
DID_URL = "https://badges.example.edu/.well-known/did.json"
VISITOR = "203.0.113.77"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def served(monkeypatch) -> dict[str, Any]:
    """What other sites serve (URL → JSON), through a stand-in for the safe fetcher."""
    documents: dict[str, Any] = {}

    def fake_fetch(url: str, **options: Any) -> fetch.Fetched:
        if url not in documents:
            raise fetch.FetchFailed("The site answered with an error (HTTP 404).")
        body = json.dumps(documents[url]).encode()
        return fetch.Fetched(url, url, "application/did+json", body)

    monkeypatch.setattr(fetch, "fetch", fake_fetch)
    return documents


def _badge(issuer: str, key: keys.Ed25519Multikey, *, name: str = FAMOUS) -> str:
    now = datetime.now(UTC) - timedelta(days=3)
    credential = ob3.achievement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=ob3.profile(id=issuer, name=name),
        credential_subject=ob3.achievement_subject(
            id="did:example:learner-1",
            achievement=ob3.achievement(
                id=f"urn:uuid:{uuid.uuid4()}",
                name="Doctor of Medicine",
                description="Completed the programme.",
                criteria=ob3.criteria(narrative="Completed the programme."),
            ),
        ),
        valid_from=now,
        name="Doctor of Medicine",
    )
    return json.dumps(dataintegrity.sign(credential, key, created=now))


def _paste(text: str) -> str:
    response = Client(REMOTE_ADDR=VISITOR).post(URL, {"method": "paste", "text": text})
    assert response.status_code == 200
    return " ".join(html_module.unescape(response.content.decode()).split())


def _result(page: str) -> str:
    return page[page.index('id="result-heading"') : page.index('id="paste-heading"')]


def test_a_did_key_badge_with_a_famous_name_is_never_shown_as_issued_by_it_nor_plainly_valid(
    served,
):
    key = keys.Ed25519Multikey.generate()
    page = _paste(_badge(key.controller, key))
    result = _result(page)
    assert "Result: Signature valid — issuer not confirmed" in result
    assert "<title>Signature valid — issuer not confirmed" in page
    assert "who issued it is not confirmed" in result
    assert not re.search(r"issued by\W*(<[^>]*>\W*)*" + FAMOUS, result, re.I)
    assert "Issued by" not in result
    assert "Result: Valid" not in result
    assert not re.search(r">\s*Valid\s*<", result)
    assert "This badge is valid" not in result
    assert f"Issuer's name as written in the badge: {FAMOUS} — not confirmed" in result
    assert f"identified only by its key ({key.controller})" in result
    assert cache.get(f"verification:fetch:{VISITOR}") is None  # nothing to fetch for a did:key


def test_our_own_award_shows_its_issuer_as_confirmed(world):
    award = f.award(f.published_version(world.issuer))
    result = _result(_paste(json.dumps(award.credential)))
    assert "Result: Valid" in result
    assert "This badge is valid" in result
    assert "Issued by" in result
    assert "Confirmed: one of this site's issuers" in result
    assert world.issuer.name in result
    assert "not confirmed" not in result


def test_our_own_ob2_link_shows_its_issuer_as_confirmed(world):
    award = f.award(f.published_version(world.issuer), email=world.learner.email)
    actions.award_accept(actor=world.learner, award=award)  # its OB 2.0 form is then published
    link = signing.site_url(reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid}))
    response = Client().post(URL, {"method": "url", "url": link})
    assert response.status_code == 200
    result = _result(" ".join(html_module.unescape(response.content.decode()).split()))
    assert "Result: Valid" in result, result[:3000]
    assert "Issued by" in result
    assert "Confirmed: one of this site's issuers" in result


def test_a_did_web_badge_shows_confirmed_by_its_domain_and_each_request_is_counted(served):
    key = keys.Ed25519Multikey.generate(controller=DID, id=f"{DID}#key-1")
    served[DID_URL] = keys.did_web_document(DID, [key])
    result = _result(_paste(_badge(DID, key, name="Example College")))
    assert "Result: Valid" in result
    assert "Issued by" in result
    assert "Confirmed by badges.example.edu" in result
    assert cache.get(f"verification:fetch:{VISITOR}") == 1  # the DID document


def test_a_did_web_badge_whose_document_cannot_be_fetched_says_why(served):
    key = keys.Ed25519Multikey.generate(controller=DID, id=f"{DID}#key-1")
    result = _result(_paste(_badge(DID, key)))
    assert "Result: Could not be confirmed" in result
    assert "Not everything could be checked:" in result
    assert DID_URL in result
    assert "HTTP 404" in result
    assert "Issued by" not in result
    assert f"Issuer's name as written in the badge: {FAMOUS} — not confirmed" in result


def test_an_endorser_is_shown_confirmed_only_by_a_document_from_its_domain(served):
    endorser_did = "did:web:guild.example.org"
    endorser_key = keys.Ed25519Multikey.generate(controller=endorser_did, id=f"{endorser_did}#k")
    stranger = keys.Ed25519Multikey.generate()
    now = datetime.now(UTC) - timedelta(days=3)

    def endorsement(key: keys.Ed25519Multikey, issuer: str, name: str) -> dict[str, Any]:
        return dataintegrity.sign(
            ob3.endorsement_credential(
                id=f"urn:uuid:{uuid.uuid4()}",
                issuer=ob3.profile(id=issuer, name=name),
                valid_from=now,
                name="Endorsement",
                credential_subject=ob3.endorsement_subject(
                    id="https://example.org/achievement", endorsement_comment="Fine."
                ),
            ),
            key,
            created=now,
        )

    award_key = keys.Ed25519Multikey.generate()
    credential = json.loads(_badge(award_key.controller, award_key, name="Example College"))
    credential.pop("proof")
    credential["credentialSubject"]["achievement"]["endorsement"] = [
        endorsement(endorser_key, endorser_did, "Bakers' Guild"),
        endorsement(stranger, stranger.controller, "World Health Organization"),
    ]
    signed = dataintegrity.sign(credential, award_key, created=now)
    served["https://guild.example.org/.well-known/did.json"] = keys.did_web_document(
        endorser_did, [endorser_key]
    )
    result = _result(_paste(json.dumps(signed)))
    assert "Bakers' Guild (confirmed by guild.example.org) — endorsement verified" in result
    assert (
        "Endorser's name as written in the endorsement: World Health Organization — not "
        f"confirmed: identified only by its key ({stranger.controller})"
    ) in result
    assert "signature valid; endorser not confirmed" in result
    assert "World Health Organization — endorsement verified" not in result
