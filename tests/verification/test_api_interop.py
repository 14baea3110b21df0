"""Credentials issued through `POST /credentials/issue` verify with the JavaScript reference
verifier (@digitalbazaar/vc through ``interop/bridge.mjs``), for did:key and did:web issuers and
both cryptosuites; a revoked did:web credential reads as revoked there too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mosaics.issuance.actions import status_entry_set, status_list_credentials
from mosaics.issuance.models import StatusEntry
from mosaics.issuance.signing import issuer_did, trusted_documents
from mosaics.vc import verify as vc_verify
from mosaics.verification import tokens
from tests import factories as f
from tests.interop import Bridge
from tests.vc.conftest import js_bridge  # noqa: F401 - the session's Node bridge

pytestmark = [pytest.mark.django_db, pytest.mark.interop]

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:5b1c2f6e-8a51-4f0b-9d3e-6c1a2b3c4d5e",
    "type": ["VerifiableCredential", "ExampleDegreeCredential"],
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science and Arts"},
    },
}


@pytest.fixture
def bridge(js_bridge: Bridge) -> Bridge:  # noqa: F811 - the fixture imported above
    return js_bridge


def _issue(client: Client, token: str, options: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/credentials/issue",
        data=json.dumps({"credential": CREDENTIAL, "options": options}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    issued: dict[str, Any] = response.json()["verifiableCredential"]
    return issued


def _verify(client: Client, credential: dict[str, Any]) -> Any:
    return client.post(
        "/credentials/verify",
        data=json.dumps({"verifiableCredential": credential}),
        content_type="application/json",
    )


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_did_key_credentials_verify_in_javascript(
    client: Client, world: Any, bridge: Bridge, cryptosuite: str
) -> None:
    row, token = tokens.api_token_create(
        actor=None, issuer=world.issuer, name="suite", did_key=True
    )
    issued = _issue(client, token, {"cryptosuite": cryptosuite})
    assert issued["issuer"] == row.did_key
    result = bridge.verify(issued)
    assert result.verified, result.errors
    assert bridge.verify(issued, mode="proof").verified
    tampered = json.loads(json.dumps(issued))
    tampered["credentialSubject"]["degree"]["name"] = "Doctor of Everything"
    assert not bridge.verify(tampered).verified


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_did_web_credentials_verify_in_javascript_and_show_revocation(
    client: Client, world: Any, bridge: Bridge, settings: Any, cryptosuite: str
) -> None:
    settings.SITE_URL = "https://mosaics.example"
    f.with_key(world.issuer)
    _row, token = tokens.api_token_create(actor=None, issuer=world.issuer, name="registrar")
    issued = _issue(
        client,
        token,
        {"cryptosuite": cryptosuite, "credentialStatus": {"type": "BitstringStatusListEntry"}},
    )
    did = issuer_did(world.issuer)
    documents = {did: trusted_documents([world.issuer])[did]}
    url = issued["credentialStatus"]["statusListCredential"]
    fresh = bridge.verify(
        issued, documents=documents, status_lists={url: status_list_credentials()[url]}
    )
    assert fresh.verified, fresh.errors
    assert fresh.status is not None
    assert fresh.status["checked"]
    assert not fresh.revoked
    # The core verifier reads Open Badges; for a plain VC its type check is the only objection,
    # and the VC-API accepts it.
    ours = vc_verify.verify(issued, documents=documents, status_lists=status_list_credentials())
    assert [c.code for c in ours.failed] == ["type_invalid"]
    assert _verify(client, issued).status_code == 200

    status_entry_set(
        entry=StatusEntry.objects.get(credential_id=CREDENTIAL["id"]),
        value=True,
        actor=None,
        reason="Issued in error.",
    )
    revoked = bridge.verify(
        issued, documents=documents, status_lists={url: status_list_credentials()[url]}
    )
    assert revoked.revoked, revoked.status
    answer = _verify(client, issued)
    assert answer.status_code == 400
    assert answer.json()["status"] == "revoked"
