from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing.exceptions import Unresolvable

from mosaics.vc import schema
from mosaics.vc.errors import SchemaError
from mosaics.vc.schema import (
    SchemaProblem,
    SchemaValidationError,
    clr_problems,
    detect_schema,
    schema_for_id,
    schema_problems,
    validate,
)

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"
OB30 = CONFORMANCE / "1edtech-validator/inspector-vc/src/test/resources/ob30"
CLR20 = CONFORMANCE / "1edtech-validator/inspector-clr/src/test/resources/clr20"
VECTOR = CONFORMANCE / "ob3-ldp-vector"

# Types the official schema wants as arrays but that issuers (1EdTech's fixtures among them)
# write as single strings. Used only to isolate the problem a fixture is *about*.
_ARRAY_TYPES = {
    "AchievementSubject",
    "Achievement",
    "Profile",
    "Alignment",
    "Evidence",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "Related",
    "Address",
    "EndorsementSubject",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _as_lists(document: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    if isinstance(doc.get("proof"), dict):
        doc["proof"] = [doc["proof"]]
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("type"), str) and node["type"] in _ARRAY_TYPES:
                node["type"] = [node["type"]]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return doc


def test_bundled_schemas_equal_the_conformance_copies() -> None:
    bundled = Path(schema.__file__).parent / "schemas"
    for name in ("achievementcredential", "endorsementcredential", "profile"):
        ours = (bundled / f"{name}.json").read_bytes()
        assert ours == (CONFORMANCE / "ob3-schemas" / f"{name}.json").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        OB30 / "simple.json",
        OB30 / "simple.1ob",
        OB30 / "complete.json",
        OB30 / "simple-context-alias.json",
        OB30 / "simple-context-version.json",
        OB30 / "simple-did-key-method.json",
        OB30 / "simple-multiple-proofs.json",
        OB30 / "sd/derivedcredential.json",
        VECTOR / "obv3p0/unsigned.json",
    ],
    ids=lambda p: p.name,
)
def test_valid_fixtures_validate(path: Path) -> None:
    assert schema_problems(_load(path)) == []
    validate(_load(path))


def test_endorsement_fixture_validates() -> None:
    doc = _load(OB30 / "endorsement-valid.json")
    assert detect_schema(doc) == "endorsementcredential"
    assert schema_problems(doc) == []


def test_signed_ob3_vector_needs_proof_as_array() -> None:
    # 1EdTech's own signed vector writes proof as one object, which its schema forbids.
    doc = _load(VECTOR / "obv3p0/signed.json")
    assert [str(p) for p in schema_problems(doc)] == [
        "$.proof: is an object, but must be of type 'array'"
    ]
    assert schema_problems(_as_lists(doc)) == []


def test_the_json_schema_fixture_fails_with_a_clear_message() -> None:
    # expected-outcomes.json: testSimpleJsonSchemaError → JsonSchemaProbe.
    outcomes = _load(CONFORMANCE / "1edtech-validator/expected-outcomes.json")
    (entry,) = [e for e in outcomes if e["test"] == "testSimpleJsonSchemaError"]
    assert entry["files"] == ["inspector-vc/src/test/resources/ob30/simple-err-issuer.json"]
    problems = schema_problems(_load(OB30 / "simple-err-issuer.json"))
    assert SchemaProblem("$", "'issuer' is a required property") in problems
    with pytest.raises(SchemaValidationError) as exc:
        validate(_load(OB30 / "simple-err-issuer.json"))
    assert exc.value.code == "schema_invalid"
    assert "'issuer' is a required property" in exc.value.message
    assert exc.value.problems == problems
    assert isinstance(exc.value, SchemaError)


@pytest.mark.parametrize(
    ("name", "path", "needle"),
    [
        (
            "simple-err-credential-subject-type.json",
            "$.credentialSubject.type",
            "AchievementSubject",
        ),
        (
            "simple-err-credential-subject-identifier-type.json",
            "$.credentialSubject.identifier[0].type",
            "IdentityObject",
        ),
        (
            "simple-err-credential-subject-result-type.json",
            "$.credentialSubject.result[1].type",
            "Result",
        ),
        (
            "simple-err-credential-subject-achievement-result-description-type.json",
            "$.credentialSubject.achievement.resultDescription[2].type",
            "ResultDescription",
        ),
        (
            "simple-err-credential-subject-profile-type.json",
            "$.credentialSubject.source.type",
            "Profile",
        ),
        ("simple-err-evidence-type.json", "$.evidence[1].type", "Evidence"),
        ("simple-err-issuer-type.json", "$.issuer.type", "Profile"),
        ("simple-err-issuer-parentorg-type.json", "$.issuer.parentOrg.type", "Profile"),
        (
            "simple-err-issuer-otheridentifier-type.json",
            "$.issuer.otherIdentifier[1].type",
            "IdentifierEntry",
        ),
    ],
)
def test_type_error_fixtures_point_at_the_wrong_type(name: str, path: str, needle: str) -> None:
    # 1EdTech checks these with dedicated type probes; the schema catches them too. Single-string
    # types elsewhere in the fixtures are turned into lists first, so that exactly the broken
    # type remains.
    problems = schema_problems(_as_lists(_load(OB30 / name)))
    assert len(problems) == 1, problems
    assert problems[0].path == path
    assert needle in problems[0].message


def test_unknown_credential_type() -> None:
    problems = schema_problems(_load(OB30 / "simple-err-type.json"))
    assert [p.path for p in problems] == ["$.type"]


def test_vc11_fixtures_fail_on_context_and_validfrom() -> None:
    problems = schema_problems(_load(OB30 / "simple_v1.json"))
    assert SchemaProblem("$", "'validFrom' is a required property") in problems
    assert any(p.path == "$.@context[0]" for p in problems)


def test_endorsement_error_fixture_fails() -> None:
    problems = schema_problems(_load(OB30 / "endorsement-err-schema-status-refresh.json"))
    assert problems
    assert SchemaProblem("$", "'validFrom' is a required property") in problems


def test_explicit_schema_choice() -> None:
    issuer = _load(OB30 / "simple.json")["issuer"]
    assert schema_problems(issuer, "profile") == []
    with pytest.raises(SchemaError):
        schema_problems(issuer, "nonsense")  # type: ignore[arg-type]


def test_schema_ids() -> None:
    assert (
        schema_for_id(
            "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
        )
        == "achievementcredential"
    )
    assert (
        schema_for_id(
            "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json"
        )
        == "achievementcredential"
    )
    assert schema_for_id("https://example.com/schema.json") is None


def test_registry_never_fetches() -> None:
    with pytest.raises(Unresolvable):
        schema._registry().resolver().lookup("https://example.com/remote-schema.json")


def test_clr_fixtures() -> None:
    assert clr_problems(_load(CLR20 / "simple.json")) == []
    validate(_load(CLR20 / "simple.json"))
    vector = _load(VECTOR / "clrv2p0/unsigned.json")
    assert all("is not of type 'array'" in p.message for p in clr_problems(vector))
    assert clr_problems(_as_lists(vector)) == []
    # VC 1.1-era CLR: envelope and nested credential problems, with paths into the nesting.
    problems = clr_problems(_load(CLR20 / "simple_v1.json"))
    assert SchemaProblem("$.validFrom", "is required and must be a string") in problems
    assert any(p.path.startswith("$.credentialSubject.verifiableCredential[0]") for p in problems)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}), "$.@context"),
        (lambda d: d.update({"type": ["VerifiableCredential"]}), "$.type"),
        (lambda d: d.pop("issuer"), "$.issuer"),
        (lambda d: d.update({"credentialSubject": []}), "$.credentialSubject"),
        (
            lambda d: d["credentialSubject"].update({"verifiableCredential": []}),
            "$.credentialSubject.verifiableCredential",
        ),
        (
            lambda d: d["credentialSubject"].update({"verifiableCredential": [{"type": ["X"]}]}),
            "$.credentialSubject.verifiableCredential[0].type",
        ),
        (lambda d: d["credentialSubject"].update({"type": "Other"}), "$.credentialSubject.type"),
    ],
)
def test_clr_shape_problems(mutate: Any, path: str) -> None:
    doc = _load(CLR20 / "simple.json")
    mutate(doc)
    assert path in [p.path for p in clr_problems(doc)]


def test_clr_nested_jws_is_not_schema_checked() -> None:
    doc = _load(CLR20 / "simple.json")
    doc["credentialSubject"]["verifiableCredential"].append("eyJhbGciOiJFZERTQSJ9.e30.AAAA")
    assert clr_problems(doc) == []


def test_problem_list_is_bounded() -> None:
    doc = _load(OB30 / "simple.json")
    doc["evidence"] = [{"type": "Evidence"}] * 500
    assert len(schema_problems(doc)) == 100


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "id", "@context", "issuer", "credentialSubject", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(document=_json)
def test_hypothesis_any_json_gives_problems_not_crashes(document: Any) -> None:
    for which in (None, "achievementcredential", "profile"):
        problems = schema_problems(document, which)  # type: ignore[arg-type]
        assert all(isinstance(p, SchemaProblem) for p in problems)
    assert all(isinstance(p, SchemaProblem) for p in clr_problems(document))
