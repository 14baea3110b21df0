"""The plain-form check allows two VC DM 2.0 spellings that cannot hide anything from the checks
(language value objects on name/description, and types given as absolute IRIs that are not the
full IRI of a term our contexts define), and keeps refusing every spelling that could."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pyld import jsonld as pyld

from mosaics.vc import dataintegrity, jsonld, ob3
from mosaics.vc import verify as vc_verify
from mosaics.vc.errors import SafeModeError
from mosaics.vc.keys import Ed25519Multikey
from mosaics.vc.verify import Report, summarise

VC2 = "https://www.w3.org/ns/credentials/v2"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = Ed25519Multikey.generate()  # a did:key: confirmed by itself, no documents needed
ISSUER = KEY.controller
CUSTOM_TYPE = "https://example.org/SomeCustomType"
STATUS_ENTRY_IRI = "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"
VC_IRI = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def badge(**extra: Any) -> dict[str, Any]:
    credential = ob3.achievement_credential(
        id="urn:uuid:0e6c5b55-3c0e-4f55-9b8e-6a1f2a7d9c01",
        issuer=ob3.profile(id=ISSUER, name="Example College"),
        valid_from=NOW - timedelta(days=30),
        name="Bread baking",
        credential_subject=ob3.achievement_subject(
            id="did:example:learner-1",
            achievement=ob3.achievement(
                id="https://badges.example.edu/achievements/bread",
                name="Bread baking",
                description="Bakes a sourdough loaf.",
                criteria=ob3.criteria(narrative="Bake a loaf in front of an assessor."),
            ),
        ),
    )
    credential.update(extra)
    return credential


def plain_vc(**extra: Any) -> dict[str, Any]:
    """A plain W3C credential (what the W3C VC 2.0 suite issues): no Open Badge type."""
    credential: dict[str, Any] = {
        "@context": [VC2],
        "id": "urn:uuid:4b7e2d0a-9a51-4a8e-8f0e-2f3b8d1c6e77",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner-1"},
    }
    credential.update(extra)
    return credential


def sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dataintegrity.sign(credential, KEY, created=NOW)


def verify(data: Any) -> Report:
    return vc_verify.verify(data, now=NOW)


def explain(report: Report) -> str:
    return json.dumps(report.to_json(), indent=1)[:4000]


def failed(report: Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def assert_plain_vc_verifies(report: Report) -> None:
    """Everything passes but the kind of credential (the core reads Open Badges, CLRs,
    endorsements and status lists; the VC-API accepts plain VCs on top, see the API tests)."""
    assert failed(report) == ["type"], explain(report)
    for name in ("plain_form", "safe_mode", "proof", "issuer_key", "validity"):
        check = report.check(name)
        assert check is not None
        assert check.ok, explain(report)


def assert_refused(report: Report, text: str) -> None:
    check = report.check("plain_form")
    assert check is not None
    assert not check.ok, explain(report)
    assert check.code == "not_plain_form"
    assert text in check.message, check.message
    assert report.status == "invalid"
    proof = report.check("proof")
    assert proof is not None
    assert proof.code == "not_checked"


# -- language value objects (VC DM 2.0 §11.1) -------------------------------------------------

EN = {"@value": "Bread baking", "@language": "en"}
FR = {"@value": "Boulangerie", "@language": "fr-CA"}


@pytest.mark.parametrize(
    "extra",
    [
        {"name": EN},
        {"name": {"@value": "Bread baking"}},
        {"description": [EN, FR]},
        {"name": [EN, FR], "description": {"@value": "Bakes bread.", "@language": "en"}},
        {"issuer": {"id": ISSUER, "name": [EN, FR], "description": FR}},
        {"credentialSubject": {"id": "did:example:learner-1", "name": FR}},
    ],
    ids=["name", "value-only", "description-list", "both", "issuer", "subject"],
)
def test_language_value_objects_on_name_and_description_verify(extra: dict[str, Any]) -> None:
    signed = sign(plain_vc(**extra))
    assert_plain_vc_verifies(verify(signed))


def test_a_language_value_object_is_signed_as_a_language_string() -> None:
    """It is data the signature covers: changing the text or the language breaks the proof."""
    signed = sign(plain_vc(name=EN))
    for field, value in (("@value", "Cake baking"), ("@language", "de")):
        tampered = copy.deepcopy(signed)
        tampered["name"][field] = value
        report = verify(tampered)
        assert report.check("plain_form").ok  # type: ignore[union-attr]
        assert not report.check("proof").ok, explain(report)  # type: ignore[union-attr]


def test_a_base_direction_is_plain_but_not_signed() -> None:
    """@direction passes the plain-form check, but RDFC-1.0 here has no form for it, so the
    safe-mode check refuses it (a signature would not cover it), and so does signing."""
    credential = plain_vc(name={"@value": "خبز", "@language": "ar", "@direction": "rtl"})
    with pytest.raises(SafeModeError):
        sign(credential)
    report = verify(credential)
    assert report.check("plain_form").ok, explain(report)  # type: ignore[union-attr]
    assert not report.check("safe_mode").ok, explain(report)  # type: ignore[union-attr]
    assert report.status == "invalid"


def test_an_open_badge_with_value_objects_is_plain_but_not_schema_valid() -> None:
    """The Open Badges 3.0 schema wants strings for names: the schema check says so."""
    credential = badge()
    credential["credentialSubject"]["achievement"]["name"] = EN
    report = verify(sign(credential))
    assert report.check("plain_form").ok, explain(report)  # type: ignore[union-attr]
    assert report.check("proof").ok, explain(report)  # type: ignore[union-attr]
    assert not report.check("schema").ok, explain(report)  # type: ignore[union-attr]


def test_the_summary_shows_the_text_of_value_objects() -> None:
    credential = badge()
    credential["issuer"]["name"] = [{"@value": "Collège exemple", "@language": "fr"}]
    credential["credentialSubject"]["achievement"]["name"] = {
        "@language": "en",
        "@value": "Sourdough",
    }
    credential["credentialSubject"]["name"] = [FR, EN]
    summary = summarise(credential)
    assert "Collège exemple" in summary
    assert "“Sourdough”" in summary
    assert "Boulangerie" in summary
    assert "@" not in summary
    assert "'en'" not in summary
    assert summarise(plain_vc(name={"@value": "", "@language": "en"}))  # never raises


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        # Anywhere but name/description, a value object could carry a date, an id, a type.
        ({"validUntil": {"@value": "2026-07-01T00:00:00Z"}}, "@value"),
        ({"validUntil": {"@value": "2026-07-01T00:00:00Z", "@type": XSD_DATETIME}}, "@value"),
        ({"id": {"@value": "urn:uuid:1"}}, "@value"),
        ({"credentialSubject": {"id": "did:example:1", "narrative": EN}}, "@value"),
        ({"credentialSubject": {"id": "did:example:1", "nickname": [EN]}}, "@value"),
        # On name/description, only the exact shape.
        ({"name": {"@value": "x", "@type": XSD_DATETIME}}, "@type"),
        ({"name": {"@value": "x", "@language": "en", "extra": "y"}}, "@value"),
        ({"name": {"@value": {"@value": "x"}}}, "@value"),
        ({"name": {"@value": 3}}, "@value"),
        ({"name": {"@value": "x", "@language": "not a tag!"}}, "@value"),
        ({"name": {"@value": "x", "@direction": "up"}}, "@value"),
        ({"name": {"@language": "en"}}, "@language"),
        ({"description": [EN, {"@value": "x", "@id": "urn:x"}]}, "@id"),
        ({"name": [[EN]]}, "@value"),
        ({"name": {"@value": "x", "@context": VC2}}, "@context"),
    ],
    ids=[
        "validUntil",
        "validUntil-typed",
        "id",
        "other-property",
        "other-property-list",
        "name-with-type",
        "extra-property",
        "nested",
        "not-text",
        "bad-language",
        "bad-direction",
        "no-value",
        "list-with-id",
        "list-in-list",
        "with-context",
    ],
)
def test_other_value_objects_stay_refused(extra: dict[str, Any], text: str) -> None:
    credential = plain_vc()
    credential.update(extra)
    assert_refused(verify(credential), text)


def test_a_value_object_expiry_in_an_open_badge_stays_refused() -> None:
    signed = sign(badge(validUntil=(NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    assert verify(signed).status == "expired"
    hidden = copy.deepcopy(signed)
    hidden["validUntil"] = {"@value": hidden["validUntil"], "@type": XSD_DATETIME}
    assert_refused(verify(hidden), "@value")


# -- types as absolute IRIs -------------------------------------------------------------------


def test_a_custom_type_as_an_absolute_iri_verifies() -> None:
    credential = badge()
    credential["type"] = [*credential["type"], CUSTOM_TYPE]
    report = verify(sign(credential))
    assert report.status == "valid", explain(report)


@pytest.mark.parametrize(
    "custom",
    [CUSTOM_TYPE, "urn:example:type:1", "did:example:some-type", "https://example.org/v#Thing"],
)
def test_custom_absolute_iri_types_verify_on_a_plain_credential(custom: str) -> None:
    signed = sign(
        plain_vc(
            type=["VerifiableCredential", custom],
            credentialSubject={"id": "did:example:learner-1", "type": custom},
        )
    )
    assert_plain_vc_verifies(verify(signed))


def test_a_custom_type_is_signed() -> None:
    credential = badge()
    credential["type"] = [*credential["type"], CUSTOM_TYPE]
    tampered = sign(credential)
    tampered["type"][-1] = "https://example.org/AnotherType"
    report = verify(tampered)
    assert report.check("plain_form").ok  # type: ignore[union-attr]
    assert not report.check("proof").ok, explain(report)  # type: ignore[union-attr]


def test_the_full_iri_of_the_status_entry_type_stays_refused() -> None:
    entry = {
        "id": "https://badges.example.edu/status/1#7",
        "type": STATUS_ENTRY_IRI,
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://badges.example.edu/status/1",
    }
    # (Our own signer refuses to sign it: its properties are defined only in the scope of the
    # term. Someone else's could; the plain-form check comes before the signature anyway.)
    assert_refused(verify(badge(credentialStatus=entry)), STATUS_ENTRY_IRI)


@pytest.mark.parametrize(
    ("types", "text"),
    [
        ([VC_IRI, "OpenBadgeCredential"], VC_IRI),
        (["VerifiableCredential", OB_IRI], OB_IRI),
        (["VerifiableCredential", "OpenBadgeCredential", OB_IRI], OB_IRI),
        (
            [
                "VerifiableCredential",
                "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement",
            ],
            "vocab.html#Achievement",
        ),
        (
            [
                "VerifiableCredential",
                "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrCredential",
            ],
            "ClrCredential",
        ),
    ],
)
def test_full_iris_of_defined_types_stay_refused(types: list[str], text: str) -> None:
    assert_refused(verify(badge(type=types)), text)


@pytest.mark.parametrize(
    "name",
    ["xsd:string", "cred:VerifiableCredential", "sec:Ed25519Signature2020", "schema:Thing", "_:b0"],
)
def test_prefixed_types_stay_refused(name: str) -> None:
    credential = badge()
    credential["type"] = [*credential["type"], name]
    assert_refused(verify(credential), name)


@pytest.mark.parametrize("name", ["@id", "@json", "https:", "has space:x"])
def test_other_non_terms_stay_refused_as_types(name: str) -> None:
    credential = badge()
    credential["credentialSubject"]["type"] = ["AchievementSubject", name]
    assert_refused(verify(credential), "credentialSubject.type")


def test_the_defined_terms_are_what_json_ld_expands_them_to() -> None:
    """Every term at the top of every served context, used as a type, expands (pyld) to an IRI
    in the refused set: the set is computed right, not just plausibly."""
    iris, terms = vc_verify._defined_terms()
    checked = 0
    for url in jsonld.CONTEXT_FILES:
        context = jsonld.load_context(url)["@context"]
        contexts = [VC2, url] if url.endswith("extensions.json") else [url]
        for local in context if isinstance(context, list) else [context]:
            if not isinstance(local, dict):
                continue
            for term, definition in local.items():
                target = definition.get("@id") if isinstance(definition, dict) else definition
                if term.startswith("@") or (isinstance(target, str) and target.startswith("@")):
                    continue
                assert term in terms
                document = {"@context": contexts, "@id": "urn:x", "@type": term}
                try:
                    expanded = pyld.expand(document, {"documentLoader": jsonld.document_loader})
                except pyld.JsonLdError:
                    continue  # a type-scoped context that clashes when used alone
                for iri in expanded[0].get("@type", []):
                    assert iri in iris, (url, term, iri)
                    checked += 1
    assert checked > 400
    assert {STATUS_ENTRY_IRI, VC_IRI, OB_IRI} <= iris
    assert CUSTOM_TYPE not in iris
