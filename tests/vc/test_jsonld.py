"""mosaics.vc.jsonld: bundled contexts, static loader, safe mode, RDFC-1.0 canonical N-Quads.

Canonical forms are checked byte for byte against the W3C vc-di-eddsa vectors and 1EdTech's
OB 3.0 / CLR 2.0 vectors; escaping, blank-node labelling and sort order against outputs of the
JavaScript reference (jsonld.js 9 + rdf-canonize 5, ``jsonld.canonize(doc, {safe: true})``)
recorded below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaics.vc import jsonld
from mosaics.vc.errors import ContextError, MalformedInput, SafeModeError
from tests.conftest import CONFORMANCE_DIR

VECTORS = CONFORMANCE_DIR / "vc-di-eddsa" / "TestVectors"
LDP = CONFORMANCE_DIR / "ob3-ldp-vector"
CONTEXTS_DIR = Path(jsonld.__file__).parent / "contexts"
VC2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES2 = "https://www.w3.org/ns/credentials/examples/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def canon(document: Any) -> str:
    """``jsonld.canonicalize``, checked against the general (pyld) path it may skip.

    canonicalize tries mosaics.vc._fastrdf first; the general path must give the same bytes on
    its own, since it is what every document the fast path declines goes through.
    """
    result = jsonld.canonicalize(document)
    general = jsonld._canonical_nquads(jsonld.to_dataset(jsonld.expand(document)))
    assert general == result
    return result


def credential(**extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [VC2, OB3],
        "id": "urn:uuid:5f0a2f4e-0d6c-4a39-8a8f-5f0b3c0a1e11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Uni"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works in teams.",
                "criteria": {"narrative": "Peer nominated."},
            },
        },
    }
    document.update(extra)
    return document


# --------------------------------------------------------------------------------------------
# Contexts and loader
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", sorted(jsonld.CONTEXT_FILES))
def test_every_bundled_context_loads_and_processes(url: str) -> None:
    result = jsonld.document_loader(url)
    assert result["contextUrl"] is None
    assert result["documentUrl"] == url
    assert "@context" in result["document"]
    # Processing the context (including anything it imports) needs no other URL.
    document = {"@context": [url, {"@vocab": "http://ex/"}], "@id": "http://ex/s", "zz": "x"}
    assert jsonld.expand(document)


def test_context_files_are_the_conformance_copies() -> None:
    validator = CONFORMANCE_DIR / "1edtech-validator/inspector-vc/src/main/resources/contexts"
    for filename in set(jsonld.CONTEXT_FILES.values()):
        source = CONFORMANCE_DIR / "contexts" / filename
        if filename == "odrl.jsonld":
            source = validator / "odrl.jsonld"
        assert (CONTEXTS_DIR / filename).read_bytes() == source.read_bytes(), filename


def test_origins_names_every_context_file() -> None:
    origins = (CONTEXTS_DIR / "ORIGINS.md").read_text("utf-8")
    for path in CONTEXTS_DIR.iterdir():
        if path.name != "ORIGINS.md":
            assert f"`{path.name}`" in origins, path.name
    for url in jsonld.CONTEXT_FILES:
        assert url in origins or url.rsplit("/", 1)[-1] in origins, url


def test_contexts_are_parsed_once_and_not_changed_by_processing() -> None:
    first = jsonld.load_context(VC2)
    assert jsonld.load_context(VC2) is first
    canon(credential())
    assert first == load(CONTEXTS_DIR / "credentials-v2.jsonld")
    assert jsonld.load_context(OB3) == load(CONTEXTS_DIR / "ob-v3p0-context-3.0.3.json")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/context.json",
        "http://www.w3.org/ns/credentials/v2",  # http, not https
        "https://www.w3.org/ns/credentials/v2/",
        "https://w3id.org/citizenship/v4rc1",
        "file:///etc/passwd",
        "",
    ],
)
def test_loader_refuses_every_other_url(url: str) -> None:
    with pytest.raises(ContextError) as caught:
        jsonld.document_loader(url)
    assert repr(url) in str(caught.value)
    assert "bundled" in str(caught.value)


def test_unknown_context_in_a_document_is_a_context_error_naming_it() -> None:
    document = credential()
    document["@context"] = [VC2, "https://evil.example/context.jsonld"]
    with pytest.raises(ContextError, match=re.escape("evil.example/context.jsonld")):
        canon(document)


def test_validator_variant_terms_are_undefined_with_the_published_context() -> None:
    # The 1EdTech validator's private copy of 3.0.3 defines `jti`; the published file does not.
    with pytest.raises(SafeModeError, match="'jti'"):
        jsonld.check_safe(credential(jti="urn:uuid:1"))


def test_employ_vectors_need_an_unbundled_context_and_are_refused_cleanly() -> None:
    document = load(VECTORS / "employmentAuth.json")
    with pytest.raises(ContextError, match="citizenship"):
        canon(document)


# --------------------------------------------------------------------------------------------
# Canonical forms of the official vectors, byte for byte
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("vc-di-eddsa/TestVectors/unsigned.json", "eddsa-rdfc-2022/canonDocDataInt.txt"),
        (
            "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/proofConfigDataInt.json",
            "eddsa-rdfc-2022/proofCanonDataInt.txt",
        ),
        (
            "vc-di-eddsa/TestVectors/Ed25519Signature2020/proofConfigEdSig.json",
            "Ed25519Signature2020/proofCanonEdSig.txt",
        ),
        ("vc-di-eddsa/TestVectors/unsigned.json", "Ed25519Signature2020/canonDocEdSig.txt"),
        ("ob3-ldp-vector/obv3p0/unsigned.json", "../../ob3-ldp-vector/obv3p0/document-canon.txt"),
        ("ob3-ldp-vector/clrv2p0/unsigned.json", "../../ob3-ldp-vector/clrv2p0/document-canon.txt"),
    ],
)
def test_canonical_form_of_vectors(document: str, expected: str) -> None:
    text = (VECTORS / expected).resolve().read_text("utf-8")
    assert canon(load(CONFORMANCE_DIR / document)) == text


def test_ob3_vector_reproduces_the_xsd_prefix_quirk_of_context_303() -> None:
    # 3.0.3 declares awardedDate as "xsd:dateTime" with no xsd prefix: every implementation
    # writes ^^<xsd:dateTime>, and so must we.
    document = credential()
    document["awardedDate"] = "2024-01-01T00:00:00Z"
    assert '"2024-01-01T00:00:00Z"^^<xsd:dateTime>' in canon(document)


def test_proof_set_and_chain_documents_canonicalize() -> None:
    for name in ("signedProofSet2.json", "signedProofChain2.json", "proofChainTempDoc2.json"):
        text = canon(load(VECTORS / "proof-set-chain" / name))
        assert text.endswith(" .\n")
        assert "_:c14n0" in text  # proofs live in their own blank-node graphs


# --------------------------------------------------------------------------------------------
# Escaping, labelling and order: as the JavaScript reference writes them
# --------------------------------------------------------------------------------------------

CONTROL_ESCAPES = {
    **{chr(code): f"\\u{code:04X}" for code in range(0x20)},
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    "\x7f": "\\u007F",
    '"': '\\"',
    "\\": "\\\\",
}


@pytest.mark.parametrize(("char", "escaped"), sorted(CONTROL_ESCAPES.items()))
def test_literal_escaping_of_each_special_character(char: str, escaped: str) -> None:
    assert jsonld.escape_literal(f"a{char}b") == f"a{escaped}b"
    document = {"@id": "http://ex/s", "http://ex/p": f"a{char}b"}
    assert canon(document) == f'<http://ex/s> <http://ex/p> "a{escaped}b" .\n'


@pytest.mark.parametrize(
    "text", ["plain", "é ü ß", "中文", "😀", "\u2028\u2029", "\x80\x85\x9f", "\ufeff", "'"]
)
def test_other_characters_are_written_as_they_are(text: str) -> None:
    assert jsonld.escape_literal(text) == text


def test_iri_escaping_matches_rdf_canonize() -> None:
    assert jsonld.escape_iri("http://ex/a b<c>") == "http://ex/a\\u0020b\\u003Cc\\u003E"
    assert (
        jsonld.escape_iri('x"{}|^`\\\x00')
        == "x\\u0022\\u007B\\u007D\\u007C\\u005E\\u0060\\u005C\\u0000"
    )
    assert jsonld.escape_iri("https://example.com/ä?q=1#f") == "https://example.com/ä?q=1#f"


def test_control_characters_change_blank_node_labels_exactly_as_in_javascript() -> None:
    # pyld alone labels these c14n0 = \x01 (it hashes raw characters); rdf-canonize hashes the
    # escaped form and labels c14n0 = \u0003. Output recorded from jsonld.canonize 9.0.0.
    document = {
        "@id": "http://ex/root",
        "http://ex/has": [
            {"http://ex/x": "a\x01"},
            {"http://ex/x": "a\x02"},
            {"http://ex/x": "a\x03"},
        ],
    }
    assert canon(document) == (
        "<http://ex/root> <http://ex/has> _:c14n0 .\n"
        "<http://ex/root> <http://ex/has> _:c14n1 .\n"
        "<http://ex/root> <http://ex/has> _:c14n2 .\n"
        '_:c14n0 <http://ex/x> "a\\u0003" .\n'
        '_:c14n1 <http://ex/x> "a\\u0001" .\n'
        '_:c14n2 <http://ex/x> "a\\u0002" .\n'
    )


def test_lines_sort_in_utf16_order_as_in_javascript() -> None:
    # U+1F600 is a surrogate pair D83D DE00 in UTF-16, so it sorts before U+E000 and U+FF01
    # there, but after them in code point order. Recorded from jsonld.canonize 9.0.0.
    document = {"@id": "http://ex/s", "http://ex/p": ["\uff01", "\U0001f600", "\ue000", "a"]}
    assert canon(document) == (
        '<http://ex/s> <http://ex/p> "a" .\n'
        '<http://ex/s> <http://ex/p> "\U0001f600" .\n'
        '<http://ex/s> <http://ex/p> "\ue000" .\n'
        '<http://ex/s> <http://ex/p> "\uff01" .\n'
    )


def _unescape(text: str) -> str:
    simple = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        return simple[body] if len(body) == 1 else chr(int(body[1:], 16))

    return re.sub(r'\\([btnfr"\\]|u[0-9A-F]{4})', one, text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_literals_round_trip_and_hold_no_raw_control_characters(text: str) -> None:
    escaped = jsonld.escape_literal(text)
    assert _unescape(escaped) == text
    assert not re.search(r'[\x00-\x1f\x7f]|(?<!\\)"', escaped)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=4))
def test_canonicalization_is_stable_under_value_order(values: list[str]) -> None:
    forward = {"@id": "http://ex/s", "http://ex/p": [{"http://ex/v": v} for v in values]}
    backward = {"@id": "http://ex/s", "http://ex/p": [{"http://ex/v": v} for v in reversed(values)]}
    try:
        expected = canon(forward)
    except MalformedInput:
        # identical blank nodes beyond the work limit; the reverse must fail the same way
        with pytest.raises(MalformedInput):
            canon(backward)
        return
    assert canon(backward) == expected
    assert all(line.endswith(" .") for line in expected.split("\n")[:-1])


# --------------------------------------------------------------------------------------------
# Safe mode
# --------------------------------------------------------------------------------------------


def test_safe_mode_accepts_defined_terms_and_types() -> None:
    jsonld.check_safe(credential())
    jsonld.check_safe(load(LDP / "obv3p0" / "signed.json"))
    jsonld.check_safe(load(LDP / "clrv2p0" / "signed.json"))


def test_safe_mode_rejects_an_undefined_property() -> None:
    with pytest.raises(SafeModeError) as caught:
        jsonld.check_safe(credential(favouriteColour="blue"))
    assert "'favouriteColour'" in str(caught.value)
    assert "does not define" in str(caught.value)


def test_safe_mode_rejects_an_undefined_nested_property() -> None:
    document = credential()
    document["credentialSubject"]["achievement"]["secretLevel"] = 9
    with pytest.raises(SafeModeError, match="'secretLevel'"):
        canon(document)


def test_safe_mode_rejects_an_undefined_type() -> None:
    document = credential()
    document["type"] = ["VerifiableCredential", "OpenBadgeCredential", "Foo"]
    with pytest.raises(SafeModeError) as caught:
        jsonld.check_safe(document)
    assert "types its @context does not define: 'Foo'" in str(caught.value)


def test_safe_mode_rejects_an_undefined_type_in_a_nested_object() -> None:
    document = credential()
    document["credentialSubject"]["achievement"]["type"] = ["Achievement", "Trophy"]
    with pytest.raises(SafeModeError, match="'Trophy'"):
        canon(document)


def test_safe_mode_lists_every_problem_at_once() -> None:
    document = credential(colour="blue", size=3)
    document["type"] = ["VerifiableCredential", "Foo"]
    with pytest.raises(SafeModeError) as caught:
        jsonld.check_safe(document)
    message = str(caught.value)
    assert all(word in message for word in ("'colour'", "'size'", "'Foo'"))


def test_safe_mode_rejects_relative_identifiers() -> None:
    # A relative id would drop every statement about the node from the RDF.
    document = credential()
    document["credentialSubject"]["id"] = "alice"
    with pytest.raises(SafeModeError, match="not absolute IRIs: 'alice'"):
        canon(document)


def test_safe_mode_rejects_terms_mapped_to_null() -> None:
    document = credential()
    document["@context"] = [VC2, OB3, {"hidden": None}]
    document["hidden"] = "x"
    with pytest.raises(SafeModeError):
        jsonld.check_safe(document)


def test_safe_mode_rejects_a_document_that_expands_to_nothing() -> None:
    with pytest.raises(SafeModeError, match="only an id"):
        jsonld.check_safe({"@context": VC2, "id": "https://example.com/1"})
    with pytest.raises(SafeModeError, match="empty object"):
        jsonld.check_safe({"@context": VC2})
    with pytest.raises(SafeModeError, match="survives"):
        jsonld.check_safe({"@context": VC2, "@graph": []})


def test_safe_mode_rejects_what_pyld_drops_from_graphs() -> None:
    # jsonld.js: "empty object", "free-floating scalar", "object with only @id"
    with pytest.raises(SafeModeError, match="empty object"):
        canon(credential(proof={}))
    with pytest.raises(SafeModeError, match="only an id"):
        canon(credential(proof={"id": "urn:uuid:1"}))
    vocab = {"@vocab": "http://ex/"}
    with pytest.raises(SafeModeError, match="free-floating value 'y'"):
        canon({"@context": vocab, "@graph": [{"@id": "http://ex/s", "p": 1}, "y"]})


def test_safe_mode_rejects_keyword_like_context_terms() -> None:
    document = {"@context": {"@foo": "http://ex/foo"}, "@id": "http://ex/s", "http://ex/p": "x"}
    with pytest.raises(SafeModeError, match="'@foo'"):
        jsonld.check_safe(document)


def test_safe_mode_rejects_invalid_language_tags() -> None:
    document = {
        "@context": {"@vocab": "http://ex/"},
        "@id": "http://ex/s",
        "p": {"@value": "x", "@language": "not a tag"},
    }
    with pytest.raises(SafeModeError, match="language tag"):
        jsonld.check_safe(document)


def test_vocab_contexts_define_everything() -> None:
    # examples/v2 has @vocab, so otherwise undefined terms and types become defined IRIs.
    document = load(VECTORS / "unsigned.json")
    document["anything"] = "goes"
    document["type"] = [*document["type"], "Whatever"]
    canonical = canon(document)
    assert "<https://www.w3.org/ns/credentials/examples#anything>" in canonical
    assert "<https://www.w3.org/ns/credentials/examples#Whatever>" in canonical


def test_invalid_json_ld_is_malformed_input() -> None:
    with pytest.raises(MalformedInput, match="not valid JSON-LD"):
        canon({"@context": {"@version": 2.0}, "@id": "http://ex/s"})


def test_poison_graphs_hit_the_work_limit_like_rdf_canonize() -> None:
    # A cycle of blank nodes: every node looks alike; rdf-canonize 5 refuses it too
    # ("Maximum deep iterations exceeded").
    graph = [{"@id": f"_:n{i}", "http://ex/p": {"@id": f"_:n{(i + 1) % 5}"}} for i in range(5)]
    with pytest.raises(MalformedInput, match="work limit"):
        canon({"@graph": graph})


def test_identical_blank_nodes_within_the_work_limit_canonicalize() -> None:
    document = {
        "@id": "http://ex/root",
        "http://ex/has": [{"http://ex/x": "a"}, {"http://ex/x": "a"}],
    }
    assert canon(document) == (
        "<http://ex/root> <http://ex/has> _:c14n0 .\n"
        "<http://ex/root> <http://ex/has> _:c14n1 .\n"
        '_:c14n0 <http://ex/x> "a" .\n'
        '_:c14n1 <http://ex/x> "a" .\n'
    )


# --------------------------------------------------------------------------------------------
# Numbers: as jsonld.js writes them (recorded from jsonld.canonize 9.0.0)
# --------------------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("value", "datatype", "expected"),
    [
        # jsonld.js: no "." in String(1e-7), so toFixed(0) as an integer (the spec says double)
        (1e-7, None, '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (-3e-7, None, '"-0"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (1.5e-7, None, '"1.5E-7"^^<http://www.w3.org/2001/XMLSchema#double>'),
        (0.5, None, '"5.0E-1"^^<http://www.w3.org/2001/XMLSchema#double>'),
        (1e21, None, '"1.0E21"^^<http://www.w3.org/2001/XMLSchema#double>'),
        (10**21, None, '"1.0E21"^^<http://www.w3.org/2001/XMLSchema#double>'),
        # JavaScript numbers are doubles: integers beyond 2**53 are rounded
        (9007199254740993, None, '"9007199254740992"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (123, None, '"123"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (-0.0, "double", '"0.0E0"^^<http://www.w3.org/2001/XMLSchema#double>'),
        # a rounding tie: ECMAScript rounds half away from zero, Python's %E half to even
        (
            1234567890123456.5,
            None,
            '"1.234567890123457E15"^^<http://www.w3.org/2001/XMLSchema#double>',
        ),
        (5, "double", '"5.0E0"^^<http://www.w3.org/2001/XMLSchema#double>'),
        ("1.5abc", "double", '"1.5E0"^^<http://www.w3.org/2001/XMLSchema#double>'),  # parseFloat
        ("abc", "double", '"NaN"^^<http://www.w3.org/2001/XMLSchema#double>'),
        (0.5, "integer", '"5.0E-1"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ],
)
def test_numbers_become_literals_as_in_jsonld_js(
    value: Any, datatype: str | None, expected: str
) -> None:
    term: dict[str, str] = {"@id": "http://ex/p"}
    if datatype is not None:
        term["@type"] = XSD + datatype
    document = {"@context": {"p": term}, "@id": "http://ex/s", "p": value}
    assert canon(document) == f"<http://ex/s> <http://ex/p> {expected} .\n"


def test_non_finite_numbers_are_malformed() -> None:
    with pytest.raises(MalformedInput, match="not finite"):
        canon({"@id": "http://ex/s", "http://ex/p": float("nan")})


def test_canonicalize_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    documents = [
        load(LDP / "obv3p0" / "unsigned.json"),
        load(LDP / "clrv2p0" / "unsigned.json"),
        load(VECTORS / "unsigned.json"),
    ]
    expected = [canon(d) for d in documents]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: canon(documents[i % 3]), range(48)))
    assert results == [expected[i % 3] for i in range(48)]


def test_hostile_nesting_is_malformed_input_not_recursion_error() -> None:
    document: dict[str, Any] = {"@id": "http://ex/s"}
    inner = document
    for _ in range(5000):
        inner["http://ex/p"] = {}
        inner = inner["http://ex/p"]
    with pytest.raises(MalformedInput):
        jsonld.canonicalize(document)
    with pytest.raises(MalformedInput):
        jsonld.check_safe(document)
