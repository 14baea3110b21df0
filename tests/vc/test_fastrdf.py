"""Differential tests: the fast RDFC-1.0 path (``mosaics.vc._fastrdf``) against the general one.

The general path is ``mosaics.vc.jsonld.canonicalize`` with the fast path switched off (pyld
expansion and RDF conversion, safe mode, canonical escaping and order). For every document the
fast path must either decline (``None``) or return exactly the same text; it must never accept a
document the general path rejects. It must also *handle* what we issue, so it cannot quietly fall
back forever.

``MOSAICS_FASTRDF_EXAMPLES`` sets the number of hypothesis examples per property (default 400).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaics.vc import _fastrdf, jsonld
from mosaics.vc.errors import SafeModeError

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR201 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES = int(os.environ.get("MOSAICS_FASTRDF_EXAMPLES", "400"))


def general(document: Any) -> str:
    """``jsonld.canonicalize`` with the fast path switched off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fastrdf, "canonicalize", lambda _document: None)
        return jsonld.canonicalize(document)


def agree(document: Any) -> str | None:
    """Assert the two paths agree on ``document``; return the fast path's answer."""
    before = json.dumps(document, sort_keys=True)
    with contextlib.suppress(_fastrdf.Unsupported):
        _fastrdf.to_quads(document)  # only Unsupported may come out, never a crash
    fast = _fastrdf.canonicalize(document)
    assert json.dumps(document, sort_keys=True) == before  # the input is left alone
    try:
        expected: str | None = general(document)
    except Exception:  # the general path rejects it (safe mode, unknown context, not JSON-LD)
        expected = None
    if fast is not None:
        assert expected is not None, "the fast path accepted a document the general path rejects"
        assert fast == expected
    return fast


# --- Every conformance fixture --------------------------------------------------------------


def _variants(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The document, its unsecured form and each proof's options (how Data Integrity uses it)."""
    yield "document", document
    proofs = document.get("proof")
    if proofs is None:
        return
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    yield "unsecured", unsecured
    for index, proof in enumerate(proofs if isinstance(proofs, list) else [proofs]):
        if isinstance(proof, dict):
            options = {k: v for k, v in proof.items() if k != "proofValue"}
            options["@context"] = document["@context"]
            yield f"proof options {index}", options


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _fixture_files() -> list[Path]:
    """Every JSON-LD document among the conformance files (OB 2.0 JSON and the like left out)."""
    return sorted(
        p
        for p in CONFORMANCE.rglob("*")
        if p.suffix in (".json", ".jsonld")
        and p.is_file()
        and isinstance(document := _load(p), dict)
        and "@context" in document
    )


_HANDLED: dict[str, bool] = {}


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: str(p.relative_to(CONFORMANCE)))
def test_conformance_fixture_agrees(path: Path) -> None:
    document = _load(path)
    for name, variant in _variants(document):
        fast = agree(variant)
        _HANDLED[f"{path}:{name}"] = fast is not None


def test_most_conformance_documents_take_the_fast_path() -> None:
    handled = 0
    for path in _fixture_files():
        document = _load(path)
        if isinstance(document, dict) and "@context" in document:
            handled += sum(
                _fastrdf.canonicalize(variant) is not None for _, variant in _variants(document)
            )
    # 182 of the 306 documents and variants on 2026-11-22; the rest use unbundled or inline
    # contexts, undefined terms (1EdTech's negative fixtures) or OB 2.0.
    assert handled >= 175


@pytest.mark.parametrize("vector", ["obv3p0", "clrv2p0"])
def test_1edtech_vectors_byte_for_byte(vector: str) -> None:
    folder = CONFORMANCE / "ob3-ldp-vector" / vector
    unsigned = json.loads((folder / "unsigned.json").read_text(encoding="utf-8"))
    unsigned.pop("proof", None)
    expected = (folder / "document-canon.txt").read_text(encoding="utf-8")
    assert _fastrdf.canonicalize(unsigned) == expected
    signed = json.loads((folder / "signed.json").read_text(encoding="utf-8"))
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    options = {k: v for k, v in proofs[0].items() if k != "proofValue"}
    options["@context"] = signed["@context"]
    assert _fastrdf.canonicalize(options) == (folder / "proof-canon.txt").read_text("utf-8")


def test_w3c_eddsa_rdfc_vector_byte_for_byte() -> None:
    folder = CONFORMANCE / "vc-di-eddsa" / "TestVectors"
    unsigned = json.loads((folder / "unsigned.json").read_text(encoding="utf-8"))
    canon = sorted(folder.glob("canonDocDataInt*")) + sorted(folder.glob("*/canonDoc*"))
    for path in canon:
        text = path.read_text(encoding="utf-8")
        if text.startswith("<") or text.startswith("_:"):
            assert _fastrdf.canonicalize(unsigned) == text
            return
    pytest.fail("no RDFC canonical document found among the W3C vectors")


def test_context_table_matches_the_loader() -> None:
    for url, name in _fastrdf.CONTEXT_FILES.items():
        assert jsonld.CONTEXT_FILES[url] == name


# --- What we issue is handled ---------------------------------------------------------------


def _issued_credential() -> dict[str, Any]:
    issuer = "https://badges.example.edu/issuers/1"
    return {
        "@context": [VC2, OB303],
        "id": "urn:uuid:9a3c1a40-7c0e-4c3a-a4a1-0c6b8f0d2b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Stewardship — Level 1",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Example University\u0007",
            "url": "https://www.example.edu/",
            "email": "badges@example.edu",
            "image": {"id": "https://badges.example.edu/logo.png", "type": "Image"},
        },
        "validFrom": "2026-11-22T10:00:00Z",
        "validUntil": "2030-11-22T10:00:00Z",
        "awardedDate": "2026-11-22T10:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-42",
            "type": ["AchievementSubject"],
            "activityEndDate": "2026-11-01",
            "creditsEarned": 2.5,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": "sha256$28d3c9f1",
                    "identityType": "emailAddress",
                    "salt": "pepper",
                }
            ],
            "achievement": {
                "id": "https://badges.example.edu/achievements/7",
                "type": ["Achievement"],
                "name": "Data Stewardship",
                "description": 'Line one\nline two\ttabbed "quoted" \\ backslash',
                "criteria": {"narrative": "# Criteria\n1. Do the thing 🚀"},
                "achievementType": "Competency",
                "creditsAvailable": 3,
                "tag": ["data", "stewardship"],
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "ESCO: manage data",
                        "targetUrl": "http://data.europa.eu/esco/skill/abc",
                        "targetFramework": "ESCO",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "ESCO: manage data",
                        "targetUrl": "http://data.europa.eu/esco/skill/abc",
                        "targetFramework": "ESCO",
                    },
                ],
                "resultDescription": [
                    {
                        "id": "https://badges.example.edu/achievements/7/results/1",
                        "type": ["ResultDescription"],
                        "name": "Grade",
                        "resultType": "LetterGrade",
                        "allowedValue": ["A", "B", "C", "A"],
                    }
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": "https://badges.example.edu/achievements/7/results/1",
                    "value": "A",
                }
            ],
        },
        "evidence": [
            {
                "id": "https://badges.example.edu/evidence/3",
                "type": ["Evidence"],
                "name": "Portfolio",
                "narrative": "Submitted 3 artefacts",
                "genre": "Portfolio",
            }
        ],
        "credentialStatus": {
            "id": "https://badges.example.edu/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://badges.example.edu/status/1",
        },
    }


def _proof_options(context: Any) -> dict[str, Any]:
    return {
        "@context": context,
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-22T10:00:00Z",
        "verificationMethod": "https://badges.example.edu/issuers/1#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "proofPurpose": "assertionMethod",
    }


def test_issued_credential_and_proof_options_take_the_fast_path() -> None:
    credential = _issued_credential()
    assert agree(credential) is not None
    assert agree(_proof_options(credential["@context"])) is not None
    clr = {
        "@context": [VC2, OB303, CLR201],
        "id": "urn:uuid:6b3b2a55-1f0a-4b59-9d7e-5d0b8f4a2c10",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://badges.example.edu/issuers/1", "type": ["Profile"]},
        "validFrom": "2026-11-22T10:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner-42",
            "type": ["ClrSubject"],
            "verifiableCredential": [credential],
        },
    }
    assert agree(clr) is not None


def test_signing_uses_the_fast_path() -> None:
    from mosaics.vc import dataintegrity
    from mosaics.vc.keys import Ed25519Multikey

    key = Ed25519Multikey.generate(id="https://badges.example.edu/issuers/1#key-1")
    calls: list[bool] = []
    real = _fastrdf.canonicalize

    def spy(document: Any) -> str | None:
        result = real(document)
        calls.append(result is not None)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fastrdf, "canonicalize", spy)
        signed = dataintegrity.sign(
            _issued_credential(), key, created=datetime(2026, 11, 22, tzinfo=UTC)
        )
    assert "proof" in signed
    assert calls, "jsonld.canonicalize no longer tries the fast path"
    assert calls == [True, True]  # the document and the proof options


def test_status_list_credential_takes_the_fast_path() -> None:
    from mosaics.vc import statuslist

    credential = statuslist.status_list_credential(
        list_url="https://badges.example.edu/status/1",
        issuer="https://badges.example.edu/issuers/1",
        status_list=statuslist.BitstringStatusList(),
        valid_from="2026-11-22T10:00:00Z",
    )
    assert agree(credential) is not None


def test_did_and_controller_documents_take_the_fast_path() -> None:
    from mosaics.vc import keys

    did_key = keys.did_key_document(keys.Ed25519Multikey.generate())
    controller = keys.controller_document(
        "https://badges.example.edu/issuers/1",
        [keys.Ed25519Multikey.generate(id="https://badges.example.edu/issuers/1#key-1")],
    )
    assert agree(did_key) is not None
    assert agree(controller) is not None


def test_presentation_with_embedded_credentials_takes_the_fast_path() -> None:
    # VC 2.0's verifiableCredential resets the context ("@context": null) and puts each
    # credential into a graph of its own; the credential brings its own @context.
    credential = _issued_credential()
    proof = {**_proof_options(None), "proofValue": "z5x9aCBY"}
    del proof["@context"]
    presentation = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:learner-42",
        "verifiableCredential": [{**credential, "proof": [proof]}, credential],
    }
    assert agree(presentation) is not None
    assert agree({**credential, "proof": [proof, proof]}) is not None


def test_declines_a_graph_holding_only_a_reference() -> None:
    credential = {**_issued_credential(), "proof": [{"id": "https://example.org/proof/1"}]}
    assert _fastrdf.canonicalize(credential) is None
    agree(credential)


def test_declines_what_it_does_not_support() -> None:
    base = _issued_credential()
    undefined = copy.deepcopy(base)
    undefined["credentialSubject"]["favouriteColour"] = "green"
    undefined_type = copy.deepcopy(base)
    undefined_type["type"].append("FancyCredential")
    inline = copy.deepcopy(base)
    inline["@context"] = [VC2, OB303, {"colour": "https://example.org/colour"}]
    unknown = copy.deepcopy(base)
    unknown["@context"] = [VC2, OB303, "https://example.org/context.json"]
    null = copy.deepcopy(base)
    null["name"] = None
    relative = copy.deepcopy(base)
    relative["credentialSubject"]["id"] = "learner-42"
    for document in (undefined, undefined_type, inline, unknown, null, relative):
        assert _fastrdf.canonicalize(document) is None
        agree(document)
    with pytest.raises(SafeModeError):
        general(undefined)


@pytest.mark.parametrize(
    "value",
    [
        *(0, -0.0, 1, -7, 2.5, 1e21, 1e-7, -3e-7, 123456789012345678901234, 3.0, 1.0e300, 0.1),
        *(9007199254740993, 1234567890123456.5, 5e-324, True, False, "12"),
    ],
)
def test_numbers_and_booleans_agree(value: Any) -> None:
    credential = _issued_credential()
    credential["credentialSubject"]["creditsEarned"] = value  # typed xsd:float
    credential["credentialSubject"]["achievement"]["resultDescription"][0]["valueMax"] = value
    credential["credentialSubject"]["result"][0]["value"] = value  # untyped
    assert agree(credential) is not None


def test_json_literal_and_language_value_objects_agree() -> None:
    document = {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "https://example.org/issuer",
        "validFrom": "2026-11-22T10:00:00Z",
        "name": {"@value": "Abzeichen", "@language": "DE-at"},
        "description": [{"@value": "x", "@language": "en"}, {"@value": "y"}],
        "credentialSubject": {
            "id": "did:example:1",
            "score": {"@value": "5", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "ratio": [
                {"@value": "1.5abc", "@type": "http://www.w3.org/2001/XMLSchema#double"},
                {"@value": -0.0, "@type": "http://www.w3.org/2001/XMLSchema#double"},
                {"@value": 7, "@type": "http://www.w3.org/2001/XMLSchema#double"},
            ],
        },
        "credentialSchema": {"id": "https://example.org/s.json", "type": "JsonSchema"},
    }
    assert agree(document) is not None


# --- Generated Open Badges 3.0 credentials --------------------------------------------------

_any_char = st.characters(blacklist_categories=("Cs",))
_control_char = st.characters(min_codepoint=0, max_codepoint=0x9F)
text = st.one_of(
    st.text(_any_char, max_size=24),
    st.text(
        st.one_of(_control_char, st.sampled_from('"\\<>{}|^` \u2028\ufeff🚀\ue000')), max_size=12
    ),
)
iri = st.one_of(
    st.builds(
        "https://example.org/{}".format,
        st.text(st.sampled_from("abcxyz0129-._~/#?=&%{}|^`"), max_size=12),
    ),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.sampled_from(["did:example:learner", "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQ"]),
)
number = st.one_of(
    st.integers(min_value=-(10**24), max_value=10**24),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalar = st.one_of(text, number, st.booleans())
date = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    text,
)


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def _node(types: list[str], required: dict[str, Any], **optional: Any) -> Any:
    base = st.fixed_dictionaries(
        {"type": st.sampled_from([types, types[0]]), **required}, optional=optional
    )
    return base


profile = _node(
    ["Profile"],
    {"id": iri},
    name=text,
    url=iri,
    email=text,
    image=_node(["Image"], {"id": iri}, caption=text),
    address=_node(["Address"], {}, addressLocality=text, postalCode=text),
    official=text,
)
alignment = _node(
    ["Alignment"],
    {"targetName": st.sampled_from(["Skill A", "Skill B"])},
    targetUrl=st.sampled_from(["https://example.org/skill", "https://example.org/other"]),
    targetCode=text,
    targetFramework=text,
)
result_description = _node(
    ["ResultDescription"],
    {"id": iri, "name": text, "resultType": st.sampled_from(["LetterGrade", "Status"])},
    allowedValue=st.lists(text, max_size=4),
    requiredValue=text,
    valueMax=scalar,
    rubricCriterionLevel=st.lists(
        _node(["RubricCriterionLevel"], {"id": iri}, level=text, points=scalar), max_size=2
    ),
)
related = _node(["Related"], {"id": iri}, version=text, inLanguage=st.sampled_from(["en", "de"]))
achievement = _node(
    ["Achievement"],
    {
        "id": iri,
        "name": text,
        "criteria": st.one_of(
            st.fixed_dictionaries({"narrative": text}),
            st.fixed_dictionaries({"id": iri}, optional={"narrative": text}),
        ),
    },
    description=text,
    achievementType=st.sampled_from(["Badge", "Certificate", "Competency", "ext:Custom"]),
    creditsAvailable=number,
    tag=st.lists(text, max_size=3),
    alignment=st.lists(alignment, max_size=3),
    resultDescription=st.lists(result_description, max_size=2),
    related=st.lists(related, max_size=2),
    creator=profile,
    humanCode=text,
    fieldOfStudy=text,
    version=text,
    image=_node(["Image"], {"id": iri}, caption=text),
)
result = _node(
    ["Result"],
    {},
    resultDescription=iri,
    value=scalar,
    achievedLevel=iri,
    status=st.sampled_from(["Completed", "InProgress"]),
    alignment=st.lists(alignment, max_size=2),
)
identity = _node(
    ["IdentityObject"],
    {"hashed": st.booleans(), "identityHash": text},
    identityType=st.sampled_from(["emailAddress", "sourcedId"]),
    salt=text,
)
subject = _node(
    ["AchievementSubject"],
    {"achievement": achievement},
    id=iri,
    result=st.lists(result, max_size=3),
    identifier=st.lists(identity, max_size=2),
    creditsEarned=number,
    activityStartDate=date,
    activityEndDate=date,
    role=text,
    term=text,
    licenseNumber=text,
)
evidence = _node(
    ["Evidence"], {}, id=iri, name=text, narrative=text, description=text, genre=text, audience=text
)
status_entry = st.fixed_dictionaries(
    {
        "id": iri,
        "type": st.just("BitstringStatusListEntry"),
        "statusPurpose": st.sampled_from(["revocation", "suspension"]),
        "statusListIndex": st.integers(min_value=0, max_value=131071).map(str),
        "statusListCredential": iri,
    }
)
credential = st.fixed_dictionaries(
    {
        "@context": st.just([VC2, OB303]),
        "type": st.sampled_from(
            [
                ["VerifiableCredential", "OpenBadgeCredential"],
                ["VerifiableCredential", "AchievementCredential"],
            ]
        ),
        "issuer": st.one_of(iri, profile),
        "validFrom": date,
        "credentialSubject": subject,
    },
    optional={
        "id": iri,
        "name": text,
        "description": text,
        "validUntil": date,
        "awardedDate": date,
        "evidence": st.lists(evidence, max_size=3),
        "credentialStatus": status_entry,
        "endorsement": st.just([]),
        "image": _node(["Image"], {"id": iri}, caption=text),
    },
)
proof_options = st.fixed_dictionaries(
    {
        "@context": st.just([VC2, OB303]),
        "type": st.just("DataIntegrityProof"),
        "cryptosuite": st.just("eddsa-rdfc-2022"),
        "created": date,
        "verificationMethod": iri,
        "proofPurpose": st.sampled_from(["assertionMethod", "authentication"]),
    },
    optional={"challenge": text, "domain": text, "expires": date, "id": iri},
)

_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_settings
@given(credential)
def test_generated_credentials_agree(document: dict[str, Any]) -> None:
    agree(document)


@_settings
@given(proof_options)
def test_generated_proof_options_agree(document: dict[str, Any]) -> None:
    agree(document)


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for member in value.values():
            yield from _nodes(member)
    elif isinstance(value, list):
        for member in value:
            yield from _nodes(member)


@_settings
@given(
    credential,
    st.data(),
    st.sampled_from(["favouriteColour", "zz", "Achievement", "@foo"]),
    scalar,
)
def test_undefined_terms_are_declined(
    document: dict[str, Any], data: st.DataObject, term: str, value: Any
) -> None:
    nodes = [n for n in _nodes(document) if "type" in n and n is not document["@context"]]
    target = data.draw(st.sampled_from(nodes))
    if term == "Achievement":
        types = target["type"]
        target["type"] = [*(types if isinstance(types, list) else [types]), "UndefinedType"]
    else:
        target[term] = value
    assert _fastrdf.canonicalize(document) is None
    agree(document)


# --- Generated JSON-LD: any shape, over the terms of the bundled contexts --------------------


def _term_names() -> tuple[list[str], list[str]]:
    names: set[str] = set()

    def walk(context: Any) -> None:
        if isinstance(context, dict):
            for term, definition in context.items():
                if not term.startswith("@"):
                    names.add(term)
                if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
                    walk(definition["@context"])

    for url in (VC2, OB303, CLR201):
        walk(jsonld.load_context(url)["@context"])
    ordered = sorted(names)
    return [n for n in ordered if n[:1].islower()], [n for n in ordered if n[:1].isupper()]


_properties, _types = _term_names()
_keys = st.one_of(
    st.sampled_from(_properties),
    st.sampled_from(["id", "type", "@id", "@type", "@value", "@language", "@list", "@set"]),
    st.sampled_from(["@graph", "@context", "@json", "undefinedTerm", "ex:term", ""]),
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    number,
    text,
    iri,
    st.sampled_from(_types + _properties[:20] + ["en", "de-CH", "_:b0", "_:b1"]),
)
_json = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(_keys, children, max_size=4),
        st.fixed_dictionaries(
            {"type": st.lists(st.sampled_from(_types), min_size=1, max_size=2)},
            optional={"id": iri, "name": children, "description": children},
        ).flatmap(
            lambda node: st.dictionaries(st.sampled_from(_properties), children, max_size=3).map(
                lambda extra: {**extra, **node}
            )
        ),
    ),
    max_leaves=25,
)
_documents = st.builds(
    lambda context, types, body: {**body, "@context": context, "type": types},
    st.sampled_from([[VC2, OB303], [VC2, OB303, CLR201], [VC2], [VC2, EXAMPLES_V2]]),
    st.lists(st.sampled_from(_types), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(_properties), _json, max_size=6),
)


@_settings
@given(_documents)
def test_generated_jsonld_agrees(document: dict[str, Any]) -> None:
    agree(document)
