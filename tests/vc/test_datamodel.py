"""The VC Data Model 2.0 rules an issuer checks before signing (`mosaics.vc.datamodel`).

Fixture names in comments are those of the W3C vc-data-model-2.0 test suite."""

from __future__ import annotations

from typing import Any

import pytest

from mosaics.vc import data_model_problems
from mosaics.vc.datamodel import is_date_time_stamp, is_url

VC2 = "https://www.w3.org/ns/credentials/v2"
SRI = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
MULTIBASE = "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"
RESOURCE = "https://www.w3.org/ns/credentials/v2"


def credential(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    for name, value in changes.items():
        if value is ...:
            doc.pop(name, None)
        else:
            doc[name] = value
    return doc


def problems(**changes: Any) -> list[str]:
    return data_model_problems(credential(**changes))


def test_a_minimal_credential_has_no_problems() -> None:
    assert problems() == []


# -- issuer -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issuer",
    ["did:example:issuer", "https://example.edu/issuers/1", {"id": "did:example:i", "name": "X"}],
)
def test_an_issuer_url_or_object_with_a_url_id_is_accepted(issuer: Any) -> None:
    assert problems(issuer=issuer) == []


@pytest.mark.parametrize(
    "issuer",
    [
        None,  # credential-issuer-null-fail
        "not a url",  # credential-issuer-no-url-fail
        "",
        {"id": None},  # credential-issuer-object-id-null-fail
        {"id": "example"},  # credential-issuer-object-id-no-url-fail
        {"name": "No id"},
        ["did:example:a"],
        3,
    ],
)
def test_other_issuers_are_refused(issuer: Any) -> None:
    found = problems(issuer=issuer)
    assert len(found) == 1
    assert "issuer" in found[0]


def test_a_missing_issuer_is_refused_unless_the_issuer_fills_it_in() -> None:
    assert problems(issuer=...) == ["it has no issuer"]
    assert data_model_problems(credential(issuer=...), require_issuer=False) == []
    # Present but null is never "missing".
    assert data_model_problems(credential(issuer=None), require_issuer=False) != []


# -- credentialSubject ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [{"id": "did:example:s"}, {"name": "Alice"}, [{"name": "Alice"}, {"name": "Bob"}]],
)
def test_subjects_with_something_to_say_are_accepted(subject: Any) -> None:
    assert problems(credentialSubject=subject) == []


@pytest.mark.parametrize(
    "subject",
    [..., None, {}, [], [{}], [{"name": "Alice"}, {}], "did:example:s", ["did:example:s"]],
    ids=["missing", "null", "empty", "empty-list", "list-of-empty", "one-empty", "str", "strs"],
)
def test_empty_or_missing_subjects_are_refused(subject: Any) -> None:
    found = problems(credentialSubject=subject)
    assert len(found) == 1
    assert "credentialSubject" in found[0]


# -- validFrom / validUntil -------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        "2025-01-31T09:00:00Z",
        "2025-01-31T09:00:00.123Z",
        "2025-01-31T09:00:00+02:00",
        "2025-01-31T09:00:00-11:30",
    ],
)
def test_date_time_stamps_are_accepted(when: str) -> None:
    assert is_date_time_stamp(when)
    assert problems(validFrom=when, validUntil="2099-01-01T00:00:00Z") == []


@pytest.mark.parametrize(
    "when",
    [
        "2025-01-31T09:00:00",  # no time zone: a dateTime, not a dateTimeStamp
        "2025-01-31",
        "2025-13-01T00:00:00Z",
        "2025-01-31 09:00:00Z",
        "yesterday",
        20250131,
        None,
    ],
)
def test_other_dates_are_refused(when: Any) -> None:
    assert not is_date_time_stamp(when)
    for name in ("validFrom", "validUntil"):
        found = problems(**{name: when})
        assert len(found) == 1
        assert name in found[0]


def test_valid_until_before_valid_from_is_refused() -> None:
    assert problems(validFrom="2025-01-02T00:00:00Z", validUntil="2025-01-01T00:00:00Z") == [
        "its validUntil is before its validFrom"
    ]
    # Equal is fine; time zones are taken into account.
    assert problems(validFrom="2025-01-02T00:00:00Z", validUntil="2025-01-02T00:00:00Z") == []
    assert problems(validFrom="2025-01-02T02:00:00+02:00", validUntil="2025-01-02T00:00:00Z") == []
    assert problems(validFrom="2025-01-02T00:00:00Z", validUntil="2025-01-02T01:00:00+02:00") != []


# -- typed objects: credentialSchema, termsOfUse, evidence, refreshService, credentialStatus ---

TYPED = ["credentialSchema", "termsOfUse", "evidence", "refreshService", "credentialStatus"]


def typed(name: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "ExampleType"}
    if name == "credentialSchema":
        entry["id"] = "https://example.org/schemas/1"
    entry.update(extra)
    return entry


@pytest.mark.parametrize("name", TYPED)
def test_typed_objects_one_or_several_are_accepted(name: str) -> None:
    assert problems(**{name: typed(name)}) == []
    assert problems(**{name: [typed(name), typed(name, type=["A", "B"])]}) == []


@pytest.mark.parametrize("name", TYPED)
@pytest.mark.parametrize(
    "entry",
    [
        {"id": "https://example.org/x"},  # *-no-type-fail, evidence-missing-type-fail
        {},  # credential-termsofuse-missing-type-fail (an empty object)
        {"id": "https://example.org/x", "type": ""},
        {"id": "https://example.org/x", "type": []},
        {"id": "https://example.org/x", "type": 2},  # credential-status-type-nonurl-fail
        {"id": "https://example.org/x", "type": ["A", 2]},
    ],
    ids=["no-type", "empty-object", "empty-type", "empty-list", "number", "list-with-number"],
)
def test_typed_objects_without_a_type_are_refused(name: str, entry: dict[str, Any]) -> None:
    found = problems(**{name: entry})
    assert any(f"its {name} has no type" in p for p in found), found
    found = problems(**{name: [typed(name), entry]})
    assert any(f"its {name}[1] has no type" in p for p in found), found


@pytest.mark.parametrize("name", TYPED)
@pytest.mark.parametrize("value", ["https://example.org/x", ["https://example.org/x"], [], 3])
def test_typed_properties_must_hold_objects(name: str, value: Any) -> None:
    assert problems(**{name: value}) == [f"its {name} must be one or more objects"]


@pytest.mark.parametrize(
    "schema_id",
    [..., None, "", "https ://not-a-url.org/1", "schemas/1", ["https://example.org/s"]],
)
def test_a_credential_schema_needs_a_url_id(schema_id: Any) -> None:
    entry = {"type": "JsonSchema"}
    if schema_id is not ...:
        entry["id"] = schema_id
    assert problems(credentialSchema=entry) == ["its credentialSchema needs an id that is a URL"]


def test_a_status_entry_id_is_optional_but_a_url_when_present() -> None:
    assert problems(credentialStatus={"type": "ExampleStatus"}) == []  # status-missing-id-ok
    for bad in (["did:example:status:1", "did:example:status:2"], "not a url", None):
        assert problems(credentialStatus={"id": bad, "type": "ExampleStatus"}) == [
            "the id of its credentialStatus must be a URL"
        ]


def test_other_typed_objects_need_no_id() -> None:
    for name in ("termsOfUse", "evidence", "refreshService"):
        assert problems(**{name: {"type": "X", "id": "not a url"}}) == []  # not our rule


# -- relatedResource --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "related",
    [
        {"id": RESOURCE, "digestSRI": SRI},
        {"id": RESOURCE, "digestMultibase": MULTIBASE},
        [{"id": RESOURCE, "mediaType": "application/ld+json", "digestSRI": SRI}],
        [
            {"id": RESOURCE, "digestSRI": SRI, "digestMultibase": MULTIBASE},
            {"id": "https://example.org/image.png", "digestMultibase": "z3sHDkB2b"},
        ],
        {"id": RESOURCE, "digestSRI": "sha256-" + "A" * 43 + "="},
        {"id": RESOURCE, "digestSRI": "sha512-" + "A" * 86 + "=="},
    ],
)
def test_related_resources_with_an_id_and_a_digest_are_accepted(related: Any) -> None:
    assert problems(relatedResource=related) == []


@pytest.mark.parametrize(
    ("related", "expected"),
    [
        ([RESOURCE], "must be one or more objects"),  # array of strings
        (RESOURCE, "must be one or more objects"),
        ([], "must be one or more objects"),
        ([{"digestMultibase": MULTIBASE}], "needs an id that is a URL"),  # no id
        ({"id": "not a url", "digestSRI": SRI}, "needs an id that is a URL"),
        (
            [{"id": RESOURCE, "digestSRI": SRI}, {"id": RESOURCE, "digestMultibase": MULTIBASE}],
            "relatedResource[1] repeats the id",
        ),  # duplicate ids
        ([{"id": RESOURCE}], "needs a digestSRI or a digestMultibase"),  # no digest
        ({"id": RESOURCE, "digestSRI": "md5-" + SRI[7:]}, "digestSRI"),
        ({"id": RESOURCE, "digestSRI": SRI[7:]}, "digestSRI"),
        ({"id": RESOURCE, "digestSRI": "sha384-not base64!"}, "digestSRI"),
        ({"id": RESOURCE, "digestSRI": "sha256-" + SRI[7:]}, "digestSRI"),  # wrong length
        ({"id": RESOURCE, "digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TD"}, "digestSRI"),
        ({"id": RESOURCE, "digestSRI": None}, "digestSRI"),
        ({"id": RESOURCE, "digestMultibase": "m" + MULTIBASE[1:]}, "digestMultibase"),
        ({"id": RESOURCE, "digestMultibase": "u"}, "digestMultibase"),
        ({"id": RESOURCE, "digestMultibase": "z0OIl"}, "digestMultibase"),
        ({"id": RESOURCE, "digestMultibase": 42}, "digestMultibase"),
    ],
)
def test_other_related_resources_are_refused(related: Any, expected: str) -> None:
    found = problems(relatedResource=related)
    assert found, related
    assert any(expected in p for p in found), found


def test_urls() -> None:
    assert is_url("urn:uuid:1")
    assert is_url("did:key:z6Mk")
    for bad in ("", "no-scheme", "https ://x", "1http://x", "https://x\n", None, 3):
        assert not is_url(bad)


def test_every_problem_is_listed_not_just_the_first() -> None:
    found = problems(
        issuer=None,
        credentialSubject={},
        validFrom="soon",
        evidence={},
        relatedResource=[RESOURCE],
    )
    assert len(found) == 5


def test_findings_name_the_property_concerned() -> None:
    from mosaics.vc.datamodel import data_model_findings

    found = data_model_findings(
        credential(issuer=None, validUntil="soon", credentialStatus={"id": "x y"})
    )
    assert [name for name, _problem in found] == ["issuer", "validity", *["credentialStatus"] * 2]
    assert [p for _n, p in found] == data_model_problems(
        credential(issuer=None, validUntil="soon", credentialStatus={"id": "x y"})
    )
