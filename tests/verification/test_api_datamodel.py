"""`POST /credentials/issue` applies the VC Data Model 2.0 rules (`mosaics.vc.datamodel`): what
the W3C vc-data-model-2.0 suite expects refused is refused with 400 `credential_invalid` and
nothing issued, and the valid forms (with language value objects and absolute-IRI types, which
the plain-form check now accepts) are issued and verify."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mosaics.audit.models import AuditEntry
from mosaics.verification import tokens

pytestmark = pytest.mark.django_db

ISSUE = "/credentials/issue"
VERIFY = "/credentials/verify"
VC2 = "https://www.w3.org/ns/credentials/v2"
SRI = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
MULTIBASE = "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"
RESOURCE = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def suite(world: Any) -> tuple[str, str]:
    """A did:key token (as the W3C suites are configured) and the did:key it issues as."""
    row, token = tokens.api_token_create(
        actor=None, issuer=world.issuer, name="vc-dm-2.0 suite", did_key=True
    )
    return token, tokens.signer_for(row).issuer_id


def credential(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC2],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
    }
    doc.update(extra)
    return doc


def issue(client: Client, token: str, sent: dict[str, Any]) -> Any:
    return client.post(
        ISSUE,
        data=json.dumps({"credential": sent, "options": {}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def issued_count() -> int:
    return AuditEntry.objects.filter(action="verification.api_issue").count()


#: The issuer and credentialStatus have their own checks, with their own codes, before the
#: data-model rules; whatever they let through is refused as `credential_invalid`.
OWN_CODES = {
    "issuer-null": "issuer_invalid",
    "issuer-no-url": "issuer_mismatch",
    "issuer-object-id-null": "issuer_invalid",
    "issuer-object-id-no-url": "issuer_mismatch",
    "status-missing-type": "status_invalid",
    "status-multiple-id": "status_invalid",
}


def assert_refused(response: Any, text: str, code: str = "credential_invalid") -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"][0]["code"] == code, body
    assert text in body["message"], body["message"]
    if code == "credential_invalid":
        assert body["message"].startswith("The credential was not issued: ")


def assert_issued_and_verifies(client: Client, response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    signed = response.json()["verifiableCredential"]
    answer = client.post(
        VERIFY,
        data=json.dumps({"verifiableCredential": signed}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["verified"] is True, answer.json()
    return signed  # type: ignore[no-any-return]


# -- refused ----------------------------------------------------------------------------------

REFUSED = {
    # 4.7 issuer
    "issuer-null": ({"issuer": None}, "issuer"),
    "issuer-no-url": ({"issuer": "not a url"}, "issuer"),
    "issuer-object-id-null": ({"issuer": {"id": None}}, "issuer"),
    "issuer-object-id-no-url": ({"issuer": {"id": "example"}}, "issuer"),
    # 4.8 credentialSubject
    "subject-empty": ({"credentialSubject": {}}, "credentialSubject"),
    "subject-empty-list": ({"credentialSubject": []}, "credentialSubject"),
    # 4.9 validity period
    "validFrom-no-zone": ({"validFrom": "2025-01-01T00:00:00"}, "validFrom"),
    "validUntil-date-only": ({"validUntil": "2030-01-01"}, "validUntil"),
    "validUntil-before-validFrom": (
        {"validFrom": "2025-01-02T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"},
        "validUntil is before its validFrom",
    ),
    # 4.10 status
    "status-missing-type": ({"credentialStatus": {"id": "https://example.org/s"}}, "type"),
    "status-multiple-id": (
        {"credentialStatus": {"id": ["did:example:s:1", "did:example:s:2"], "type": "X"}},
        "credentialStatus",
    ),
    # (a type its own check lets through: the data-model rule refuses it)
    "status-type-number": ({"credentialStatus": {"id": "did:example:s", "type": 2}}, "type"),
    "status-type-list-with-number": (
        {"credentialStatus": {"id": "did:example:s", "type": ["X", 2]}},
        "credentialStatus has no type",
    ),
    # 4.11 data schemas
    "schema-no-type": ({"credentialSchema": {"id": "https://example.org/s"}}, "type"),
    "schema-no-id": (
        {"credentialSchema": {"type": "https://example.org/#Schema"}},
        "credentialSchema needs an id that is a URL",
    ),
    "schema-non-url-id": (
        {"credentialSchema": {"type": "JsonSchema", "id": "https ://not-a-url.org/1"}},
        "credentialSchema needs an id that is a URL",
    ),
    # 5.3 related resources
    "related-array-of-strings": ({"relatedResource": [RESOURCE]}, "relatedResource"),
    "related-no-id": ({"relatedResource": [{"digestMultibase": MULTIBASE}]}, "needs an id"),
    "related-duplicate-ids": (
        {
            "relatedResource": [
                {"id": RESOURCE, "digestSRI": SRI},
                {"id": RESOURCE, "digestMultibase": MULTIBASE},
            ]
        },
        "repeats the id",
    ),
    "related-no-digest": ({"relatedResource": [{"id": RESOURCE}]}, "digestSRI or a digest"),
    # 5.4 refresh, 5.5 terms of use, 5.6 evidence
    "refresh-no-type": ({"refreshService": {"id": "did:example:refresh/1"}}, "type"),
    "termsofuse-no-type": ({"termsOfUse": {"id": "did:example:terms/1"}}, "type"),
    "termsofuse-empty": ({"termsOfUse": {}}, "termsOfUse has no type"),
    "evidence-missing-type": (
        {"evidence": [{"type": "https://example.org/#Evidence"}, {"id": "urn:uuid:1"}]},
        "evidence[1] has no type",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_the_data_model_forbids_is_refused(
    client: Client, suite: tuple[str, str], case: str
) -> None:
    token, _issuer = suite
    extra, text = REFUSED[case]
    before = issued_count()
    response = issue(client, token, credential(**extra))
    assert_refused(response, text, OWN_CODES.get(case, "credential_invalid"))
    assert issued_count() == before


def test_a_null_issuer_is_refused_not_filled_in(client: Client, suite: tuple[str, str]) -> None:
    token, issuer = suite
    assert_refused(issue(client, token, credential(issuer=None)), "issuer", "issuer_invalid")
    # Absent, it is filled in with the token's issuer.
    signed = assert_issued_and_verifies(client, issue(client, token, credential()))
    assert signed["issuer"] == issuer


# -- issued -----------------------------------------------------------------------------------

ISSUED = {
    "issuer-object": {"issuer": "ISSUER-OBJECT"},
    "schema": {"credentialSchema": {"type": "https://example.org/#Schema", "id": "did:ex:s/1"}},
    "schemas": {
        "credentialSchema": [
            {"type": "JsonSchema", "id": "https://example.org/schemas/1"},
            {"type": "https://example.org/#Schema", "id": "https://example.org/schemas/2"},
        ]
    },
    "refresh": {"refreshService": {"type": "https://example.org/#Refresh", "id": "did:ex:r/1"}},
    "terms-of-use": {"termsOfUse": [{"type": "https://example.org/#Policy", "id": "did:ex:t"}]},
    "evidence": {"evidence": [{"type": "https://example.org/#Ev"}, {"type": ["urn:ex:Ev"]}]},
    "related-sri": {"relatedResource": {"id": RESOURCE, "digestSRI": SRI}},
    "related-multibase": {"relatedResource": {"id": RESOURCE, "digestMultibase": MULTIBASE}},
    "related-media-type": {
        "relatedResource": [
            {"id": RESOURCE, "mediaType": "application/ld+json", "digestSRI": SRI},
            {"id": "https://example.org/logo.png", "digestMultibase": MULTIBASE},
        ]
    },
    "validity": {"validFrom": "2025-01-01T00:00:00+02:00", "validUntil": "2099-01-01T00:00:00Z"},
    "custom-type": {"type": ["VerifiableCredential", "https://example.org/#ExampleCredential"]},
    "subject-name-language": {
        "credentialSubject": {"id": "did:example:subject", "name": {"@value": "Alice"}}
    },
    "description-languages": {
        "description": [
            {"@value": "A test credential", "@language": "en"},
            {"@value": "Un justificatif d'essai", "@language": "fr"},
        ]
    },
}


@pytest.mark.parametrize("case", list(ISSUED))
def test_what_the_data_model_allows_is_issued_and_verifies(
    client: Client, suite: tuple[str, str], case: str
) -> None:
    token, issuer = suite
    extra = dict(ISSUED[case])
    if extra.get("issuer") == "ISSUER-OBJECT":
        extra["issuer"] = {"id": issuer, "name": "Example issuer"}
    signed = assert_issued_and_verifies(client, issue(client, token, credential(**extra)))
    for name, value in extra.items():
        assert signed[name] == value


@pytest.mark.parametrize(
    "name",
    [
        {"@value": "ExampleIssuer", "@language": "en"},  # issuer-name-language-en-ok
        [
            {"@value": "Dog", "@language": "en"},
            {"@value": "Chien", "@language": "fr"},
            {"@value": "Cane", "@language": "it"},
        ],  # issuer-multi-language-name-ok
    ],
)
def test_an_issuer_name_with_languages_is_issued_and_verifies(
    client: Client, suite: tuple[str, str], name: Any
) -> None:
    token, issuer = suite
    sent = credential(issuer={"id": issuer, "name": name, "description": name})
    signed = assert_issued_and_verifies(client, issue(client, token, sent))
    assert signed["issuer"]["name"] == name


@pytest.mark.parametrize(
    "name",
    [
        {"@value": "ExampleIssuer", "@language": "en", "extra": "x"},  # name-extra-prop-en-fail
        {"@value": "ExampleIssuer", "@type": "http://www.w3.org/2001/XMLSchema#string"},
    ],
)
def test_other_issuer_name_objects_are_refused(
    client: Client, suite: tuple[str, str], name: Any
) -> None:
    token, issuer = suite
    response = issue(client, token, credential(issuer={"id": issuer, "name": name}))
    assert response.status_code == 400, response.content
    assert issued_count() == 0


@pytest.mark.parametrize(
    "full",
    [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
    ],
)
def test_a_defined_type_spelled_as_its_full_iri_is_not_issued(
    client: Client, suite: tuple[str, str], full: str
) -> None:
    token, _issuer = suite
    response = issue(client, token, credential(type=["VerifiableCredential", full]))
    assert response.status_code == 400, response.content
    assert full in response.json()["message"]
    assert issued_count() == 0
