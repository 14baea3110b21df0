"""Endorsements against the JavaScript reference verifier (@digitalbazaar/vc, through
``interop/bridge.mjs``): a fresh endorsement verifies there, with the endorser's DID document
and status list as the only documents it is given, and after withdrawal it reads the revocation
bit we set."""

from __future__ import annotations

from typing import Any

import pytest

from mosaics.endorsements import actions
from mosaics.issuance.actions import key_generate, status_list_credentials
from mosaics.issuance.signing import issuer_did, trusted_documents
from tests import factories as f
from tests.interop import Bridge
from tests.vc.conftest import js_bridge  # noqa: F401 - the session's Node bridge

pytestmark = pytest.mark.interop


@pytest.fixture
def bridge(js_bridge: Bridge) -> Bridge:  # noqa: F811 - the fixture imported above
    return js_bridge


def _documents(world: Any) -> dict[str, Any]:
    did = issuer_did(world.endorser_profile)
    return {did: trusted_documents([world.endorser_profile])[did]}


def test_the_js_verifier_accepts_a_fresh_endorsement_and_sees_its_withdrawal(
    world: Any, bridge: Bridge, settings: Any
) -> None:
    settings.SITE_URL = "https://mosaics.example"
    key_generate(issuer=world.endorser_profile, actor=None)
    version = f.VersionFactory(
        micro_credential=f.MicroCredentialFactory(issuer=world.issuer),
        title="Statistical Analysis Software",
    )
    f.complete_competency(version)
    request = actions.endorsement_request_send(
        actor=world.designer, version=version, partner=world.partner
    )
    endorsement = actions.endorsement_sign(
        actor=world.endorser, request=request, statement="Ready for our analysts on day one."
    )
    url = endorsement.credential["credentialStatus"]["statusListCredential"]

    fresh = bridge.verify(
        endorsement.credential,
        status_lists={url: status_list_credentials()[url]},
        documents=_documents(world),
    )
    assert fresh.verified, fresh.errors
    assert fresh.status is not None
    assert fresh.status["checked"], fresh.status
    assert not fresh.revoked

    actions.endorsement_withdraw(
        actor=world.endorser, endorsement=endorsement, reason="Our tools changed."
    )
    withdrawn = bridge.verify(
        endorsement.credential,
        status_lists={url: status_list_credentials()[url]},
        documents=_documents(world),
    )
    assert withdrawn.status is not None
    assert withdrawn.status["checked"], withdrawn.status
    assert withdrawn.revoked, withdrawn.status
    # The signature itself is intact: only the status says it is withdrawn.
    assert bridge.verify(endorsement.credential, mode="proof", documents=_documents(world)).verified


def test_the_js_verifier_rejects_a_tampered_endorsement(world: Any, bridge: Bridge) -> None:
    key_generate(issuer=world.endorser_profile, actor=None)
    version = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    request = actions.endorsement_request_send(
        actor=world.designer, version=version, partner=world.partner
    )
    endorsement = actions.endorsement_sign(actor=world.endorser, request=request, statement="Yes.")
    tampered = {
        **endorsement.credential,
        "credentialSubject": {
            **endorsement.credential["credentialSubject"],
            "endorsementComment": "No.",
        },
    }
    url = endorsement.credential["credentialStatus"]["statusListCredential"]
    result = bridge.verify(
        tampered,
        status_lists={url: status_list_credentials()[url]},
        documents=_documents(world),
    )
    assert not result.verified
