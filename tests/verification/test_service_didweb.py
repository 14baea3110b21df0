"""verify_any on other issuers' OB 3.0 badges: with fetching on, the did:web DID document of the
issuer (and of endorsers), an https issuer's profile and the status lists the badge names are
fetched — here served by the `resolver=` hook from documents made in the test, so nothing
touches the network — and what could not be fetched is said and leaves the badge unconfirmed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mosaics.vc import dataintegrity, jose, keys, ob3, statuslist
from mosaics.verification import fetch
from mosaics.verification.service import MAX_DOCUMENTS, verify_any
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, tzinfo=UTC)
DID = "did:web:badges.example.edu"
DID_URL = "https://badges.example.edu/.well-known/did.json"
LIST_URL = "https://badges.example.edu/status/revocation"


def _key(did: str = DID) -> keys.Ed25519Multikey:
    return keys.Ed25519Multikey.generate(controller=did, id=f"{did}#key-1")


def _badge(
    issuer: str = DID,
    *,
    name: str = "Example College",
    status_url: str | None = LIST_URL,
    endorsement: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    achievement = ob3.achievement(
        id=f"urn:uuid:{uuid.uuid4()}",
        name="Bread baking",
        description="Bakes a sourdough loaf.",
        criteria=ob3.criteria(narrative="Bake a loaf."),
        endorsement=endorsement,
    )
    credential = ob3.achievement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=ob3.profile(id=issuer, name=name),
        credential_subject=ob3.achievement_subject(
            id="did:example:learner-1", achievement=achievement
        ),
        valid_from=NOW - timedelta(days=30),
        name="Bread baking",
    )
    if status_url:
        credential["credentialStatus"] = statuslist.status_entry(status_url, 7, "revocation")
    return credential


def _sign(credential: dict[str, Any], key: keys.Ed25519Multikey) -> dict[str, Any]:
    return dataintegrity.sign(credential, key, created=NOW - timedelta(days=30))


def _list(key: keys.Ed25519Multikey, *bits: int, issuer: str = DID, url: str = LIST_URL) -> dict:
    status = statuslist.BitstringStatusList()
    for bit in bits:
        status.set(bit)
    unsigned = statuslist.status_list_credential(
        list_url=url,
        issuer=issuer,
        status_list=status,
        purpose="revocation",
        valid_from=NOW - timedelta(days=1),
    )
    return dataintegrity.sign(unsigned, key, created=NOW - timedelta(days=1))


def _serve(documents: dict[str, Any], asked: list[str] | None = None) -> Callable:
    """A resolver serving `documents` (URL → JSON object) and refusing everything else."""

    def get(url: str) -> tuple[str, bytes]:
        if asked is not None:
            asked.append(url)
        if url not in documents:
            raise fetch.FetchFailed("The site answered with an error (HTTP 404).")
        return "application/json", json.dumps(documents[url]).encode()

    return get


def _site(key: keys.Ed25519Multikey, *bits: int) -> dict[str, Any]:
    return {DID_URL: keys.did_web_document(DID, [key]), LIST_URL: _list(key, *bits)}


def _explain(verdict: Any) -> str:
    return json.dumps([c.message for c in verdict.failed] + verdict.unresolved)[:3000]


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_a_did_web_badge_of_another_issuer_verifies_with_its_fetched_document(form: str) -> None:
    key = _key()
    credential = _badge()
    data = (
        jose.sign_credential(credential, key)
        if form == "jwt"
        else json.dumps(_sign(credential, key))
    )
    asked: list[str] = []
    verdict = verify_any(data, resolver=_serve(_site(key), asked), now=NOW)
    assert verdict.status == "valid", _explain(verdict)
    assert asked == [DID_URL, LIST_URL]
    assert any(c.name == "status" and c.ok for c in verdict.checks)
    s = verdict.summary
    assert s.issuer_confirmed
    assert s.issuer_confirmed_by == "badges.example.edu"
    assert s.issuer_signer == DID
    assert verdict.unresolved == []
    assert verdict.to_json()["summary"]["issuer"]["confirmed"] is True


def test_revoked_when_its_bit_is_set_in_the_fetched_status_list() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(), key))
    verdict = verify_any(data, resolver=_serve(_site(key, 7)), now=NOW)
    assert verdict.status == "revoked", _explain(verdict)
    # Another bit set: not this badge.
    assert verify_any(data, resolver=_serve(_site(key, 8)), now=NOW).status == "valid"


def test_unconfirmed_when_the_did_document_cannot_be_fetched() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(status_url=None), key))
    verdict = verify_any(data, resolver=_serve({}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert not verdict.summary.issuer_confirmed
    assert len(verdict.unresolved) == 1
    assert DID_URL in verdict.unresolved[0]
    assert "HTTP 404" in verdict.unresolved[0]  # the fetcher's own words
    proof = next(c for c in verdict.checks if c.name == "proof")
    assert not proof.ok
    assert "HTTP 404" in proof.message


def test_unconfirmed_not_invalid_when_only_the_status_list_could_be_fetched() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(), key))
    verdict = verify_any(data, resolver=_serve({LIST_URL: _list(key)}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert [c.code for c in verdict.failed] == ["issuer_key_unconfirmed", "status_list_unconfirmed"]


def test_a_clr_member_of_a_did_web_issuer_is_checked_with_its_document() -> None:
    key = _key()
    member = _sign(_badge(status_url=None), key)
    holder = keys.Ed25519Multikey.generate()
    clr = ob3.clr_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=ob3.profile(id=holder.controller, name="A learner's record"),
        valid_from=NOW - timedelta(days=1),
        name="Transcript",
        credential_subject=ob3.clr_subject(
            id="did:example:learner-1", verifiable_credential=[member]
        ),
    )
    data = json.dumps(_sign(clr, holder))
    verdict = verify_any(data, resolver=_serve(_site(key)), now=NOW)
    assert verdict.kind == "clr"
    assert verdict.status == "valid", _explain(verdict)
    assert [n.status for n in verdict.nested] == ["valid"]
    verdict = verify_any(data, resolver=_serve({}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert [n.status for n in verdict.nested] == ["unconfirmed"]


def test_unconfirmed_when_the_did_document_does_not_list_the_key() -> None:
    key = _key()
    other = keys.Ed25519Multikey.generate(controller=DID, id=f"{DID}#key-2")
    data = json.dumps(_sign(_badge(status_url=None), key))
    site = {DID_URL: keys.did_web_document(DID, [other])}
    verdict = verify_any(data, resolver=_serve(site), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert not verdict.summary.issuer_confirmed
    assert "does not list the key" in verdict.unresolved[0]
    # The issuer's document gives another key under the id that signed: a forged signature.
    forged = {DID_URL: keys.did_web_document(DID, [_key()])}
    assert verify_any(data, resolver=_serve(forged), now=NOW).status == "invalid"


def test_a_did_document_whose_id_differs_is_refused() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(status_url=None), key))
    # The document of another DID, listing the very key: still not this DID's document.
    impostor = keys.did_web_document("did:web:elsewhere.example", [key])
    verdict = verify_any(data, resolver=_serve({DID_URL: impostor}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert "its id is did:web:elsewhere.example" in verdict.unresolved[0]
    assert not verdict.summary.issuer_confirmed


def test_a_status_list_that_cannot_be_fetched_leaves_it_unconfirmed() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(), key))
    site = {DID_URL: keys.did_web_document(DID, [key])}
    verdict = verify_any(data, resolver=_serve(site), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert verdict.summary.issuer_confirmed  # who issued it is shown; whether it stands is not
    assert any(LIST_URL in m and "HTTP 404" in m for m in verdict.unresolved)


def test_did_web_paths_and_ports_follow_the_did_web_spec() -> None:
    did = "did:web:example.com:user:alice"
    key = _key(did)
    asked: list[str] = []
    site = {"https://example.com/user/alice/did.json": keys.did_web_document(did, [key])}
    data = json.dumps(_sign(_badge(did, status_url=None), key))
    verdict = verify_any(data, resolver=_serve(site, asked), now=NOW)
    assert asked == ["https://example.com/user/alice/did.json"]
    assert verdict.status == "valid", _explain(verdict)
    assert verdict.summary.issuer_confirmed_by == "example.com"

    did = "did:web:example.com%3A8443"
    key = _key(did)
    asked.clear()
    data = json.dumps(_sign(_badge(did, status_url=None), key))
    verdict = verify_any(data, resolver=_serve({}, asked), now=NOW)
    assert asked == []  # refused before anything was asked
    assert verdict.status == "unconfirmed"
    assert "443" in verdict.unresolved[0]


def test_an_https_issuer_is_confirmed_only_by_a_profile_that_lists_its_key() -> None:
    issuer = "https://college.example.org/issuer"
    key = keys.Ed25519Multikey.generate(controller=issuer)  # id: <issuer>#<publicKeyMultibase>
    data = json.dumps(_sign(_badge(issuer, status_url=None), key))
    profile = keys.controller_document(issuer, [key])
    asked: list[str] = []
    verdict = verify_any(data, resolver=_serve({issuer: profile}, asked), now=NOW)
    assert asked == [issuer]
    assert verdict.status == "valid", _explain(verdict)
    assert verdict.summary.issuer_confirmed_by == "college.example.org"

    # A profile that lists another key does not vouch for this one: unconfirmed, as offline.
    other = keys.controller_document(issuer, [keys.Ed25519Multikey.generate(controller=issuer)])
    verdict = verify_any(data, resolver=_serve({issuer: other}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert not verdict.summary.issuer_confirmed
    assert "does not list the key" in verdict.unresolved[0]


def test_an_endorser_with_a_did_web_document_is_confirmed_by_its_domain() -> None:
    endorser_did = "did:web:guild.example.org"
    endorser_key = _key(endorser_did)
    badge_key = keys.Ed25519Multikey.generate()  # a did:key issuer
    endorsement = dataintegrity.sign(
        ob3.endorsement_credential(
            id=f"urn:uuid:{uuid.uuid4()}",
            issuer=ob3.profile(id=endorser_did, name="Bakers' Guild"),
            valid_from=NOW - timedelta(days=40),
            name="Guild endorsement",
            credential_subject=ob3.endorsement_subject(
                id="https://example.org/achievement", endorsement_comment="A fine course."
            ),
        ),
        endorser_key,
        created=NOW - timedelta(days=40),
    )
    credential = _badge(badge_key.controller, status_url=None, endorsement=[endorsement])
    data = json.dumps(_sign(credential, badge_key))
    site = {
        "https://guild.example.org/.well-known/did.json": keys.did_web_document(
            endorser_did, [endorser_key]
        )
    }
    verdict = verify_any(data, resolver=_serve(site), now=NOW)
    assert verdict.status == "valid", _explain(verdict)
    assert not verdict.summary.issuer_confirmed  # a did:key: identified by its key only
    assert verdict.summary.issuer_key_only
    assert verdict.summary.issuer_signer == badge_key.controller
    (endorser,) = verdict.summary.endorsements
    assert endorser.confirmed
    assert endorser.confirmed_by == "guild.example.org"

    # Without the endorser's document the endorsement, and so the badge, is unconfirmed.
    verdict = verify_any(data, resolver=_serve({}), now=NOW)
    assert verdict.status == "unconfirmed", _explain(verdict)
    assert verdict.summary.endorsements[0].status == "unconfirmed"
    assert not verdict.summary.endorsements[0].confirmed


def test_offline_nothing_is_fetched_and_the_result_is_as_before() -> None:
    key = _key()
    data = json.dumps(_sign(_badge(), key))
    verdict = verify_any(data, now=NOW)  # imports and the VC-API: offline
    assert verdict.status == "invalid"  # a did:web key cannot be found offline
    assert verdict.unresolved == []
    assert not verdict.summary.issuer_confirmed


def test_our_own_award_is_answered_from_our_database_never_fetched() -> None:
    award = f.award()
    asked: list[str] = []
    verdict = verify_any(json.dumps(award.credential), resolver=_serve({}, asked))
    assert verdict.status == "valid", _explain(verdict)
    assert asked == []
    assert verdict.summary.issuer_confirmed_by == "site"
    assert verdict.summary.issuer_name == award.issuer.name


def test_at_most_max_documents_are_fetched_and_the_rest_is_said() -> None:
    key = _key()
    credential = _badge(status_url=None)
    credential["credentialStatus"] = [
        statuslist.status_entry(f"{LIST_URL}/{n}", 7, "revocation")
        for n in range(MAX_DOCUMENTS + 2)
    ]
    data = json.dumps(_sign(credential, key))
    asked: list[str] = []
    verdict = verify_any(data, resolver=_serve(_site(key), asked), now=NOW)
    assert len(asked) == MAX_DOCUMENTS
    assert verdict.status == "unconfirmed"
    assert any(f"at most {MAX_DOCUMENTS} documents" in m for m in verdict.unresolved)


def test_every_request_counts_against_the_visitors_budget(monkeypatch) -> None:
    key = _key()
    site = _site(key)
    made: list[str] = []

    def fake_fetch(url: str, **options: Any) -> fetch.Fetched:
        made.append(url)
        assert "application/did+json" in options.get("accept", ())
        body = json.dumps(site[url]).encode()
        return fetch.Fetched(url, url, "application/did+json", body)

    monkeypatch.setattr(fetch, "fetch", fake_fetch)
    charged: list[str] = []
    data = json.dumps(_sign(_badge(), key))
    verdict = verify_any(data, allow_fetch=True, charge=charged.append, now=NOW)
    assert verdict.status == "valid", _explain(verdict)
    assert charged == made == [DID_URL, LIST_URL]

    def refuse(url: str) -> None:
        raise fetch.FetchLimited("No more for you.")

    made.clear()
    verdict = verify_any(data, allow_fetch=True, charge=refuse, now=NOW)
    assert made == []
    assert verdict.status == "unconfirmed"
    assert any("No more for you." in m for m in verdict.unresolved)
