"""The VC-API endpoints: request and response shapes, and every error path answered with a 4xx
JSON body in plain words (never a 500), with nothing issued or audited on refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.issuance.models import StatusEntry
from mosaics.issuance.signing import issuer_did, trusted_documents
from mosaics.vc import dataintegrity, ob3
from mosaics.vc import verify as vc_verify
from mosaics.vc.keys import Ed25519Multikey
from mosaics.verification import tokens
from tests import factories as f

pytestmark = pytest.mark.django_db

ISSUE = "/credentials/issue"
VERIFY = "/credentials/verify"
VERIFY_VP = "/presentations/verify"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def plain_credential(**extra: Any) -> dict[str, Any]:
    """What the W3C test suites send: a plain VC 2.0 credential."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "credentialSubject": {
            "id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b",
            "name": "ExampleClaim",
        },
        **extra,
    }


def post(client: Client, url: str, body: Any, **headers: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def web_token(world: Any) -> str:
    f.with_key(world.issuer)
    _row, token = tokens.api_token_create(actor=None, issuer=world.issuer, name="CI")
    return token


@pytest.fixture
def key_token(world: Any) -> tuple[Any, str]:
    return tokens.api_token_create(actor=None, issuer=world.issuer, name="suite", did_key=True)


def assert_json_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["message"]
    assert body["errors"]
    assert all(e["message"] for e in body["errors"])
    if code is not None:
        assert body["errors"][0]["code"] == code, body
    return body


def issue_audits() -> int:
    return AuditEntry.objects.filter(action="verification.api_issue").count()


# --- issuing ---------------------------------------------------------------------------------


def test_issue_with_a_did_key_token_signs_as_is_and_verifies(
    client: Client, key_token: tuple[Any, str]
) -> None:
    row, token = key_token
    sent = plain_credential()
    response = post(client, ISSUE, {"credential": sent, "options": {}}, **bearer(token))
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json"
    issued = response.json()["verifiableCredential"]
    did = f"did:key:{row.did_key_public}"
    assert issued["issuer"] == did
    # Issued as sent: nothing added but the issuer and the proof.
    assert {k: v for k, v in issued.items() if k not in ("issuer", "proof")} == sent
    (proof,) = issued["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == f"{did}#{row.did_key_public}"
    assert proof["proofPurpose"] == "assertionMethod"
    report = vc_verify.verify(issued)
    assert [c.code for c in report.failed] == ["type_invalid"]  # core verifier: OB only
    assert dataintegrity.verify(issued)[0].controller == did
    entry = AuditEntry.objects.get(action="verification.api_issue")
    assert entry.data["issuer"] == did
    assert entry.data["cryptosuite"] == "eddsa-rdfc-2022"
    assert token not in json.dumps(entry.data)
    assert row.token_hash not in json.dumps(entry.data)
    row.refresh_from_db()
    assert row.last_used is not None


def test_issue_with_jcs_and_a_stated_issuer_object(
    client: Client, key_token: tuple[Any, str]
) -> None:
    row, token = key_token
    sent = plain_credential(issuer={"id": row.did_key, "name": "Test issuer"})
    response = post(
        client,
        ISSUE,
        {"credential": sent, "options": {"cryptosuite": "eddsa-jcs-2022"}},
        **bearer(token),
    )
    assert response.status_code == 201, response.content
    issued = response.json()["verifiableCredential"]
    assert issued["issuer"] == {"id": row.did_key, "name": "Test issuer"}
    assert issued["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert post(client, VERIFY, {"verifiableCredential": issued}).status_code == 200


def test_issue_with_a_did_web_token_an_open_badge_gets_the_profile_and_a_status_entry(
    client: Client, world: Any, web_token: str
) -> None:
    version = f.published_version(world.issuer)
    achievement = ob3.achievement(
        id=f"https://example.org/achievements/{version.pk}",
        name="Data analysis",
        description="Analyses data.",
        criteria={"narrative": "Passed the assessment."},
    )
    credential = {
        "@context": [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT],
        "id": "urn:uuid:0b0d7d2c-0a3e-4c7c-9d0e-2f1b4b2f3c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data analysis",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": achievement,
        },
    }
    response = post(
        client,
        ISSUE,
        {
            "credential": credential,
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
        **bearer(web_token),
    )
    assert response.status_code == 201, response.content
    issued = response.json()["verifiableCredential"]
    did = issuer_did(world.issuer)
    assert issued["issuer"]["id"] == did
    assert "Profile" in issued["issuer"]["type"]
    assert issued["proof"][0]["verificationMethod"].startswith(f"{did}#z6Mk")
    assert issued["credentialStatus"]["statusPurpose"] == "revocation"
    assert StatusEntry.objects.filter(credential_id=credential["id"]).count() == 1
    verified = post(client, VERIFY, {"verifiableCredential": issued})
    assert verified.status_code == 200, verified.content
    body = verified.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert {"proof", "issuer_key", "status"} <= set(body["checks"])
    report = vc_verify.verify(issued, documents=trusted_documents(), status_lists=_lists())
    assert report.verified, report.failed


def _lists() -> dict[str, Any]:
    from mosaics.issuance.actions import status_list_credentials

    return status_list_credentials()


def test_issue_fills_in_a_missing_issuer_and_refuses_another(
    client: Client, world: Any, web_token: str
) -> None:
    response = post(client, ISSUE, {"credential": plain_credential()}, **bearer(web_token))
    assert response.status_code == 201, response.content
    assert response.json()["verifiableCredential"]["issuer"] == issuer_did(world.issuer)
    before = issue_audits()
    for other in ("did:web:elsewhere.example", {"id": "did:key:z6MkotherIssuer"}):
        refused = post(
            client, ISSUE, {"credential": plain_credential(issuer=other)}, **bearer(web_token)
        )
        body = assert_json_error(refused, 400, "issuer_mismatch")
        assert issuer_did(world.issuer) in body["message"]
    refused = post(client, ISSUE, {"credential": plain_credential(issuer=42)}, **bearer(web_token))
    assert_json_error(refused, 400, "issuer_invalid")
    assert issue_audits() == before


def test_a_token_of_another_issuer_cannot_issue_as_this_one(client: Client, world: Any) -> None:
    f.with_key(world.issuer)
    f.with_key(world.other_issuer)
    _row, other = tokens.api_token_create(actor=None, issuer=world.other_issuer, name="x")
    response = post(
        client,
        ISSUE,
        {"credential": plain_credential(issuer=issuer_did(world.issuer))},
        **bearer(other),
    )
    assert_json_error(response, 400, "issuer_mismatch")
    assert issue_audits() == 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthenticated"),
        ({"Authorization": "Bearer mos_not-a-real-token"}, "invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_token"),
        ({"Authorization": "Bearer "}, "invalid_token"),
        ({"Authorization": "Bearer " + "x" * 5000}, "invalid_token"),
    ],
)
def test_issue_without_a_valid_token_is_401(
    client: Client, world: Any, headers: dict[str, str], code: str
) -> None:
    response = post(client, ISSUE, {"credential": plain_credential()}, **headers)
    assert_json_error(response, 401, code)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert issue_audits() == 0


def test_a_revoked_token_is_refused(client: Client, key_token: tuple[Any, str]) -> None:
    row, token = key_token
    tokens.api_token_revoke(actor=None, token=row)
    response = post(client, ISSUE, {"credential": plain_credential()}, **bearer(token))
    assert_json_error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert issue_audits() == 0


def test_a_did_web_token_of_an_issuer_without_a_key_is_409(client: Client, world: Any) -> None:
    _row, token = tokens.api_token_create(actor=None, issuer=world.issuer, name="nokey")
    response = post(client, ISSUE, {"credential": plain_credential()}, **bearer(token))
    assert_json_error(response, 409, "no_signing_key")


BAD_ISSUE_BODIES: list[tuple[str, Any, int, str]] = [
    ("not JSON", "{not json", 400, "malformed"),
    ("blank", "  ", 400, "malformed"),
    ("JSON array", [plain_credential()], 400, "malformed"),
    ("JSON string", '"credential"', 400, "malformed"),
    ("no credential", {"options": {}}, 400, "missing_field"),
    ("credential not an object", {"credential": "x"}, 400, "malformed"),
    ("options not an object", {"credential": plain_credential(), "options": []}, 400, "malformed"),
    (
        "unknown cryptosuite",
        {"credential": plain_credential(), "options": {"cryptosuite": "ecdsa-rdfc-2019"}},
        400,
        "unknown_cryptosuite",
    ),
    (
        "cryptosuite not a string",
        {"credential": plain_credential(), "options": {"cryptosuite": {"a": 1}}},
        400,
        "unknown_cryptosuite",
    ),
    (
        "undefined term",
        {"credential": plain_credential(credentialSubject={"id": "did:ex:1", "favourite": "x"})},
        400,
        "jsonld_undefined_term",
    ),
    (
        "undefined type",
        {"credential": plain_credential(type=["VerifiableCredential", "MadeUpCredential"])},
        400,
        "jsonld_undefined_term",
    ),
    (
        "unknown context",
        {
            "credential": plain_credential(
                **{"@context": [ob3.VC2_CONTEXT, "https://evil.example/ctx"]}
            )
        },
        400,
        "context_unknown",
    ),
    (
        "VC 1.1 context",
        {
            "credential": plain_credential(
                **{"@context": ["https://www.w3.org/2018/credentials/v1"]}
            )
        },
        400,
        "credential_invalid",
    ),
    (
        "no VerifiableCredential type",
        {"credential": plain_credential(type=["OpenBadgeCredential"])},
        400,
        "credential_invalid",
    ),
    (
        "no subject",
        {"credential": {k: v for k, v in plain_credential().items() if k != "credentialSubject"}},
        400,
        "credential_invalid",
    ),
    (
        "bad validFrom",
        {"credential": plain_credential(validFrom="yesterday")},
        400,
        "credential_invalid",
    ),
    (
        "validFrom without time zone",
        {"credential": plain_credential(validFrom="2026-01-01T00:00:00")},
        400,
        "credential_invalid",
    ),
    (
        "validUntil before validFrom",
        {
            "credential": plain_credential(
                validFrom="2026-01-02T00:00:00Z", validUntil="2026-01-01T00:00:00Z"
            )
        },
        400,
        "credential_invalid",
    ),
    ("relative id", {"credential": plain_credential(id="not a url")}, 400, "credential_invalid"),
    (
        "already signed",
        {"credential": plain_credential(proof={"type": "DataIntegrityProof"})},
        400,
        "credential_invalid",
    ),
    (
        "bad created option",
        {"credential": plain_credential(), "options": {"created": "soon"}},
        400,
        "malformed",
    ),
    (
        "status for a did:key token",
        {
            "credential": plain_credential(),
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
        400,
        "unsupported_status",
    ),
    (
        "unsupported status type",
        {
            "credential": plain_credential(),
            "options": {"credentialStatus": {"type": "StatusList2021Entry"}},
        },
        400,
        "unsupported_status",
    ),
    (
        "too deep",
        None,  # built in the test
        400,
        None,
    ),
]


def _nest(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"name": "leaf"}
    for _ in range(depth):
        node = {"name": "x", "knows": node}
    return node


@pytest.mark.parametrize(
    ("label", "body", "status", "code"), BAD_ISSUE_BODIES, ids=[b[0] for b in BAD_ISSUE_BODIES]
)
def test_bad_issue_requests_are_4xx_json_and_issue_nothing(
    client: Client, key_token: tuple[Any, str], label: str, body: Any, status: int, code: str | None
) -> None:
    _row, token = key_token
    if label == "too deep":
        body = {"credential": plain_credential(credentialSubject=_nest(100))}
    response = post(client, ISSUE, body, **bearer(token))
    payload = assert_json_error(response, status, code)
    if code == "jsonld_undefined_term":
        assert "favourite" in payload["message"] or "MadeUpCredential" in payload["message"]
    assert issue_audits() == 0
    assert StatusEntry.objects.count() == 0


def test_wrong_content_type_is_415(client: Client, key_token: tuple[Any, str]) -> None:
    _row, token = key_token
    body = json.dumps({"credential": plain_credential()})
    response = client.post(ISSUE, data=body, content_type="text/plain", headers=bearer(token))
    assert_json_error(response, 415, "unsupported_media_type")
    form = client.post(VERIFY, data={"verifiableCredential": "x"})
    assert_json_error(form, 415, "unsupported_media_type")
    ld = client.post(
        VERIFY, data=json.dumps({"verifiableCredential": {}}), content_type="application/ld+json"
    )
    assert ld.status_code == 400
    assert ld.json()["verified"] is False


def test_a_2_mb_body_is_413(client: Client, key_token: tuple[Any, str]) -> None:
    _row, token = key_token
    big = plain_credential(description="x" * (2 * 1024 * 1024))
    for url, body, headers in (
        (ISSUE, {"credential": big}, bearer(token)),
        (VERIFY, {"verifiableCredential": big}, {}),
        (VERIFY_VP, {"verifiablePresentation": {"verifiableCredential": [big]}}, {}),
    ):
        response = post(client, url, body, **headers)
        assert_json_error(response, 413, "too_large")
    assert issue_audits() == 0


def test_other_methods_are_405_json(client: Client) -> None:
    for url in (ISSUE, VERIFY, VERIFY_VP):
        response = client.get(url)
        assert_json_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "POST"


def test_the_endpoints_need_no_csrf_token(world: Any, key_token: tuple[Any, str]) -> None:
    _row, token = key_token
    client = Client(enforce_csrf_checks=True)
    assert (
        post(client, ISSUE, {"credential": plain_credential()}, **bearer(token)).status_code == 201
    )
    assert post(client, VERIFY, {"verifiableCredential": {}}).status_code == 400


def test_url_names() -> None:
    assert reverse("verification:api_issue") == ISSUE
    assert reverse("verification:api_verify") == VERIFY
    assert reverse("verification:api_presentations_verify") == VERIFY_VP


# --- verifying -------------------------------------------------------------------------------


def _signed_by_did_key(**extra: Any) -> tuple[dict[str, Any], Ed25519Multikey]:
    key = Ed25519Multikey.generate()
    key = key.with_identity(id=key.did_key_verification_method, controller=key.did_key)
    credential = plain_credential(issuer=key.did_key, **extra)
    return dataintegrity.sign(credential, key), key


def test_verify_a_valid_plain_credential_is_200(client: Client, world: Any) -> None:
    credential, _key = _signed_by_did_key(**{"@context": [ob3.VC2_CONTEXT, EXAMPLES]})
    response = post(
        client, VERIFY, {"verifiableCredential": credential, "options": {"checks": ["proof"]}}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verified"] is True
    assert body["status"] == "valid"
    assert body["errors"] == []
    assert isinstance(body["warnings"], list)
    assert "proof" in body["checks"]
    assert "type" in body["checks"]


@pytest.mark.parametrize(
    "tamper",
    [
        "subject",
        "proof_value",
        "cryptosuite",
        "purpose",
        "issuer",
        "undefined_term",
        "expired",
        "no_proof",
    ],
)
def test_verify_refuses_tampered_or_invalid_credentials_with_400(
    client: Client, world: Any, tamper: str
) -> None:
    credential, _key = _signed_by_did_key()
    proof = credential["proof"][0]
    if tamper == "subject":
        credential["credentialSubject"]["name"] = "Changed"
    elif tamper == "proof_value":
        proof["proofValue"] = "z" + "1" * 86
    elif tamper == "cryptosuite":
        proof["cryptosuite"] = "eddsa-2099"
    elif tamper == "purpose":
        proof["proofPurpose"] = "authentication"
    elif tamper == "issuer":
        credential["issuer"] = Ed25519Multikey.generate().did_key
    elif tamper == "undefined_term":
        credential["credentialSubject"]["favourite"] = "x"
    elif tamper == "expired":
        credential, _key = _signed_by_did_key(validUntil="2020-01-01T00:00:00Z")
    elif tamper == "no_proof":
        del credential["proof"]
    response = post(client, VERIFY, {"verifiableCredential": credential})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["verified"] is False
    assert body["errors"]
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiableCredential": None},
        {"verifiableCredential": 42},
        {"verifiableCredential": []},
        {"verifiableCredential": ""},
        {"verifiableCredential": "not.a.jwt"},
        {"verifiableCredential": {"@context": 5}},
        {"verifiableCredential": {}, "options": "x"},
        {"verifiableCredential": _nest(200)},
    ],
)
def test_verify_bad_input_is_400_json(client: Client, world: Any, body: dict[str, Any]) -> None:
    response = post(client, VERIFY, body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["verified"] is False
    assert payload["errors"]


def test_verify_a_jwt_and_one_of_our_awards(client: Client, world: Any) -> None:
    award = f.award(f.published_version(world.issuer))
    response = post(client, VERIFY, {"verifiableCredential": award.credential})
    assert response.status_code == 200, response.content
    from mosaics.issuance.signing import active_key
    from mosaics.vc import jose

    key = active_key(world.issuer)
    unsigned = {k: v for k, v in award.credential.items() if k != "proof"}
    token = jose.sign_credential(unsigned, key)
    response = post(client, VERIFY, {"verifiableCredential": token})
    assert response.status_code == 200, response.content


def test_verify_a_revoked_award_is_400_with_the_reason(client: Client, world: Any) -> None:
    from mosaics.awards.actions import award_revoke

    award = f.award(f.published_version(world.issuer))
    award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error.")
    response = post(client, VERIFY, {"verifiableCredential": award.credential})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "revoked"


# --- presentations ---------------------------------------------------------------------------


def _presentation(credentials: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": [ob3.VC2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
        **extra,
    }


def test_verify_an_unsigned_presentation(client: Client, world: Any) -> None:
    credential, _key = _signed_by_did_key()
    response = post(client, VERIFY_VP, {"verifiablePresentation": _presentation([credential])})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verified"] is True
    assert body["presentationResult"]["warnings"][0]["code"] == "presentation_unsigned"
    assert [r["verified"] for r in body["credentialResults"]] == [True]


def test_verify_a_signed_presentation_with_challenge_and_domain(client: Client, world: Any) -> None:
    credential, _key = _signed_by_did_key()
    holder = Ed25519Multikey.generate()
    holder = holder.with_identity(id=holder.did_key_verification_method, controller=holder.did_key)
    vp = dataintegrity.sign(
        _presentation([credential], holder=holder.did_key),
        holder,
        proof_purpose="authentication",
        challenge="abc123",
        domain="example.org",
    )
    options = {"challenge": "abc123", "domain": "example.org"}
    ok = post(client, VERIFY_VP, {"verifiablePresentation": vp, "options": options})
    assert ok.status_code == 200, ok.content
    wrong = post(
        client,
        VERIFY_VP,
        {"verifiablePresentation": vp, "options": {**options, "challenge": "other"}},
    )
    assert wrong.status_code == 400
    assert wrong.json()["presentationResult"]["errors"][0]["check"] == "proof"
    impostor = dataintegrity.sign(
        _presentation([credential], holder="did:example:someone-else"),
        holder,
        proof_purpose="authentication",
        challenge="abc123",
        domain="example.org",
    )
    refused = post(client, VERIFY_VP, {"verifiablePresentation": impostor, "options": options})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "holder_mismatch"


def test_a_presentation_with_a_bad_credential_is_400(client: Client, world: Any) -> None:
    good, _key = _signed_by_did_key()
    bad, _key = _signed_by_did_key()
    bad["credentialSubject"]["name"] = "Changed"
    response = post(client, VERIFY_VP, {"verifiablePresentation": _presentation([good, bad, 7])})
    assert response.status_code == 400
    body = response.json()
    assert [r["verified"] for r in body["credentialResults"]] == [True, False, False]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiablePresentation": "eyJ.x.y"},
        {"verifiablePresentation": []},
        {"verifiablePresentation": {"type": ["VerifiablePresentation"]}},
        {"verifiablePresentation": {"@context": [ob3.VC2_CONTEXT], "type": "Other"}},
        {"verifiablePresentation": _presentation([], proof={"type": "DataIntegrityProof"})},
        {"verifiablePresentation": _presentation([{}] * 40)},
    ],
)
def test_bad_presentations_are_4xx_json(client: Client, world: Any, body: dict[str, Any]) -> None:
    response = post(client, VERIFY_VP, body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    assert payload["verified"] is False
    assert payload["errors"]


def test_a_plain_vc_1_1_credential_is_issued_with_the_data_integrity_context(
    client: Client, key_token: tuple[Any, str]
) -> None:
    """What the W3C Data Integrity test suites send by default."""
    _row, token = key_token
    sent = plain_credential(
        **{"@context": ["https://www.w3.org/2018/credentials/v1"]},
        issuanceDate="2020-03-16T22:37:26.544Z",
    )
    del sent["credentialSubject"]["name"]  # not defined by the VC 1.1 context
    response = post(client, ISSUE, {"credential": sent}, **bearer(token))
    assert response.status_code == 201, response.content
    issued = response.json()["verifiableCredential"]
    assert issued["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    answer = post(client, VERIFY, {"verifiableCredential": issued})
    assert answer.status_code == 200, answer.content
    assert answer.json()["warnings"][0]["code"] == "vc_1_1"


def test_an_open_badge_in_the_vc_1_1_form_is_refused(
    client: Client, key_token: tuple[Any, str]
) -> None:
    _row, token = key_token
    sent = plain_credential(
        **{"@context": ["https://www.w3.org/2018/credentials/v1", ob3.OB3_CONTEXT]},
        type=["VerifiableCredential", "OpenBadgeCredential"],
        issuanceDate="2020-03-16T22:37:26Z",
    )
    response = post(client, ISSUE, {"credential": sent}, **bearer(token))
    body = assert_json_error(response, 400, "credential_invalid")
    assert "version 2.0 only" in body["message"]
    assert issue_audits() == 0


def test_a_credential_sent_as_a_json_string_is_not_a_credential(client: Client, world: Any) -> None:
    credential, _key = _signed_by_did_key()
    assert post(client, VERIFY, {"verifiableCredential": credential}).status_code == 200
    response = post(client, VERIFY, {"verifiableCredential": json.dumps(credential)})
    assert response.status_code == 400
    assert response.json()["verified"] is False
