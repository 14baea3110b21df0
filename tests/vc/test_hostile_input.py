"""Hostile input: every answer is a clean failed report, in bounded time, never an exception."""

from __future__ import annotations

import base64
import json
import os
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaics.vc import dataintegrity, limits
from mosaics.vc.errors import InputTooLarge, MalformedInput
from mosaics.vc.verify import Report, verify

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
OB30 = CONFORMANCE / "1edtech-validator/inspector-vc/src/test/resources/ob30"
SIMPLE = json.loads((OB30 / "simple.json").read_text())
NOW = None


@contextmanager
def within(seconds: float) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.2f}s (limit {seconds}s)"


@contextmanager
def memory_below(mebibytes: int) -> Iterator[None]:
    """The peak of Python allocations while the block runs stays below ``mebibytes``."""
    tracemalloc.start()
    try:
        yield
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < mebibytes * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"


def assert_clean_failure(report: Report, *codes: str) -> None:
    assert isinstance(report, Report)
    assert not report.verified
    assert report.status == "invalid"
    assert report.failed, "a failed report names the failed check"
    for check in report.failed:
        assert check.message
        assert "Traceback" not in check.message
        assert check.code != "check_error", check  # a known hostile case, not a crash
    if codes:
        assert report.failed[0].code in codes, report.failed[0]
    json.dumps(report.to_json())  # always serialisable


# -- the loader -------------------------------------------------------------------------------


def test_load_json_rejects_duplicate_keys() -> None:
    with pytest.raises(MalformedInput, match="twice"):
        limits.load_json('{"a": 1, "a": 2}')


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"x": -Infinity}', "[1e999]"])
def test_load_json_rejects_non_finite_numbers(text: str) -> None:
    with pytest.raises(MalformedInput):
        limits.load_json(text)


def test_load_json_rejects_undecodable_bytes_plainly() -> None:
    with pytest.raises(MalformedInput, match="not valid UTF-8"):
        limits.load_json(b'{"a": "\xff"}')


def test_load_json_accepts_a_bom_and_exactly_the_depth_limit() -> None:
    assert limits.load_json(b"\xef\xbb\xbf{}") == {}
    depth = limits.MAX_JSON_DEPTH
    assert limits.load_json("[" * depth + "]" * depth) is not None
    with pytest.raises(MalformedInput, match="nested too deeply"):
        limits.load_json("[" * (depth + 1) + "]" * (depth + 1))


def test_brackets_inside_strings_are_not_nesting() -> None:
    assert limits.load_json(json.dumps({"a": "[" * 10_000})) == {"a": "[" * 10_000}


def test_load_json_size_is_checked_before_parsing() -> None:
    with within(1), pytest.raises(InputTooLarge):
        limits.load_json(b" " * (limits.MAX_JSON_BYTES + 1))


def test_huge_integers_are_malformed_not_value_errors() -> None:
    with pytest.raises(MalformedInput):
        limits.load_json("[" + "9" * 10_000 + "]")


def test_check_depth_handles_self_referencing_objects() -> None:
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(MalformedInput):
        limits.check_depth(looped)


# -- verify() ---------------------------------------------------------------------------------


def test_huge_json_input() -> None:
    data = b'{"a": "' + b"x" * (limits.MAX_JSON_BYTES + 10) + b'"}'
    with within(2):
        report = verify(data)
    assert_clean_failure(report, "too_large")


def test_huge_binary_input() -> None:
    with within(2):
        report = verify(b"\x00" * (limits.MAX_IMAGE_BYTES + 1))
    assert_clean_failure(report, "too_large")


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_json_text(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    data = '{"x":' + opener * 100_000 + "1" + closer * 100_000 + "}"
    with within(3):
        report = verify(data)
    assert_clean_failure(report, "malformed")
    assert "nested too deeply" in report.failed[0].message


def test_deeply_nested_python_mapping() -> None:
    nested: dict[str, Any] = {}
    node = nested
    for _ in range(100_000):
        node["a"] = {}
        node = node["a"]
    with within(3):
        report = verify(nested)
    assert_clean_failure(report, "malformed")


def test_self_referencing_mapping() -> None:
    looped: dict[str, Any] = dict(SIMPLE)
    looped["credentialSubject"] = looped
    report = verify(looped)
    assert_clean_failure(report, "malformed")


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage(seed: int) -> None:
    import random

    data = random.Random(seed).randbytes(10_000)
    with within(2):
        report = verify(data)
    assert_clean_failure(report)
    assert report.format in ("unknown", "svg", "json")


def test_truncated_png() -> None:
    png = (OB30 / "simple-json.png").read_bytes()
    for cut in (8, 20, len(png) // 2, len(png) - 5):
        with within(2):
            report = verify(png[:cut])
        assert_clean_failure(report)
        assert report.format == "png"
        assert report.failed[0].name == "parse"


def test_png_with_a_corrupted_chunk() -> None:
    png = bytearray((OB30 / "simple-json.png").read_bytes())
    png[40] ^= 0xFF  # inside the first chunk: its CRC no longer matches
    assert_clean_failure(verify(bytes(png)))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&lol9;</openbadges:credential>
</svg>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential>
</svg>"""


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_svg_with_entities(svg: str) -> None:
    with within(2):
        report = verify(svg.encode())
    assert_clean_failure(report)
    assert report.format == "svg"
    assert "root:" not in json.dumps(report.to_json())


def test_svg_with_malformed_xml() -> None:
    assert_clean_failure(verify(b"<svg><openbadges:credential>"))


def test_svg_with_an_unknown_encoding() -> None:
    svg = (OB30 / "simple-json.svg").read_bytes().replace(b'encoding="utf-8"', b'encoding="utfB8"')
    report = verify(svg)
    assert_clean_failure(report)
    assert report.failed[0].name == "parse"


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_jwt_with_alg_none() -> None:
    payload = {"vc": SIMPLE, "iss": SIMPLE["issuer"]["id"]}
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    report = verify(token)
    assert not report.verified
    assert report.check("proof") is not None
    assert not report.check("proof").ok  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "header",
    [{"alg": {}}, {"alg": "EdDSA", "typ": {}}, {"alg": "EdDSA", "kid": ["x"]}, {"alg": ["EdDSA"]}],
    ids=repr,
)
def test_jwt_with_wrongly_typed_headers(header: dict[str, Any]) -> None:
    token = f"{_b64(header)}.{_b64({'vc': SIMPLE})}.AAAA"
    assert_clean_failure(verify(token))


def test_jwt_with_garbage_segments() -> None:
    for token in ("a.b.c", "eyJhbGciOiJFZERTQSJ9.!!!.x", f"{_b64({'alg': 'EdDSA'})}.{_b64([1])}.x"):
        assert_clean_failure(verify(token))


def test_proofs_array_of_ten_thousand_items() -> None:
    credential = dict(SIMPLE)
    credential["proof"] = [SIMPLE["proof"][0]] * 10_000
    with within(5):
        report = verify(credential)
    assert_clean_failure(report, "too_large")


@pytest.mark.parametrize("text", ["[]", "1", '"x"', "null", "true", "[{}]", "", "   "])
def test_non_object_json(text: str) -> None:
    assert_clean_failure(verify(text))
    assert_clean_failure(verify(text.encode()))


WRONG_TYPES: list[Any] = [None, 5, 1.5, True, "x", [], {}, [None], [5, {"a": []}], {"id": 5}]


@pytest.mark.parametrize("field", [*sorted(SIMPLE), "credentialStatus", "endorsement", "evidence"])
@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
def test_wrong_types_everywhere(field: str, value: Any) -> None:
    credential = dict(SIMPLE)
    credential[field] = value
    report = verify(credential)
    assert isinstance(report, Report)
    if value == [] and field in ("endorsement", "evidence"):
        # An empty list adds nothing to the signed data (no RDF triples) and the schema
        # allows it, so the signature still holds: right, not a weakness. (SIMPLE's key is in
        # the fragment form, which only the issuer's published document confirms.)
        proof = report.check("proof")
        assert proof is not None
        assert proof.ok, proof
        assert all(c.code == "issuer_key_unconfirmed" for c in report.failed), report.failed
    else:
        assert not report.verified
    assert not any(c.code == "check_error" for c in report.checks), report.failed


@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
def test_wrong_types_in_the_proof(value: Any) -> None:
    for key in (
        "type",
        "cryptosuite",
        "verificationMethod",
        "proofValue",
        "proofPurpose",
        "created",
    ):
        credential = json.loads(json.dumps(SIMPLE))
        credential["proof"][0][key] = value
        report = verify(credential)
        assert not report.verified
        assert not any(c.code == "check_error" for c in report.checks), (key, report.failed)


def test_not_bytes_at_all() -> None:
    for value in (None, 5, [SIMPLE], object()):
        report = verify(value)  # type: ignore[arg-type]
        assert_clean_failure(report)


# -- property-based: never raises, always a report ------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)

credential_keys = st.sampled_from(
    [
        "@context",
        "type",
        "issuer",
        "validFrom",
        "validUntil",
        "credentialSubject",
        "proof",
        "credentialStatus",
        "endorsement",
        "issuanceDate",
        "id",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=8))
def test_arbitrary_json_objects_never_raise(value: dict[str, Any]) -> None:
    report = verify(value)
    assert isinstance(report, Report)
    assert report.status in ("valid", "invalid", "expired", "not_yet_valid", "revoked", "suspended")
    json.dumps(report.to_json())
    text_report = verify(json.dumps(value))
    assert text_report.status == report.status or not text_report.verified


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credential_keys, json_values)
def test_mutated_credentials_never_raise(key: str, value: Any) -> None:
    credential = json.loads(json.dumps(SIMPLE))
    credential[key] = value
    report = verify(credential)
    assert isinstance(report, Report)
    assert not any(c.code == "check_error" for c in report.checks), report.failed
    json.dumps(report.to_json())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    report = verify(data)
    assert isinstance(report, Report)
    assert not report.verified
    json.dumps(report.to_json())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_png_prefixed_garbage_never_raises(data: bytes) -> None:
    report = verify(b"\x89PNG\r\n\x1a\n" + data)
    assert_clean_failure(report)


def test_random_bytes_from_os() -> None:
    assert_clean_failure(verify(os.urandom(4096)))


def test_long_lists_are_refused_before_json_ld_work() -> None:
    # pyld's node map is quadratic in a property's number of values: 10,000 tags would take
    # minutes to canonicalise, so lists are bounded before any JSON-LD processing.
    credential = json.loads(json.dumps(SIMPLE))
    credential["credentialSubject"]["achievement"]["tag"] = [f"t{i}" for i in range(10_000)]
    with within(1):
        report = verify(json.dumps(credential))
    assert_clean_failure(report, "too_large")


def test_many_values_are_refused_before_json_ld_work() -> None:
    credential = json.loads(json.dumps(SIMPLE))
    credential["credentialSubject"]["extra"] = [{"a": [1] * 200} for _ in range(200)]
    with within(1):
        report = verify(credential)
    assert_clean_failure(report, "too_large")


def test_lists_at_the_limit_are_checked_in_bounded_time() -> None:
    credential = json.loads(json.dumps(SIMPLE))
    achievement = credential["credentialSubject"]["achievement"]
    achievement["tag"] = [f"t{i}" for i in range(limits.MAX_ARRAY_ITEMS)]
    credential["evidence"] = [
        {"id": f"https://e.example/{i}", "type": ["Evidence"], "name": "n"}
        for i in range(limits.MAX_ARRAY_ITEMS)
    ]
    with within(10):
        report = verify(credential)
    assert not report.verified  # the proof no longer matches
    assert report.check("proof") is not None


def _objects_sharing_an_id(objects: int, items: int, *, alias: bool = False) -> dict[str, Any]:
    """The reviewer's slow input: ``objects`` credential subjects with one id, each with an
    ``items``-long ``name`` list, and an inline context that sends the document down pyld's path
    (6.5 minutes to verify at 77 × 250). With ``alias`` each subject writes the id with its own
    prefix, all defined inline to expand to the same IRI."""
    credential = json.loads(json.dumps(SIMPLE))
    inline: dict[str, Any] = {"@version": 1.1}
    if alias:
        inline.update({f"p{j}": {"@id": "did:example:", "@prefix": True} for j in range(objects)})
    credential["@context"] = [*credential["@context"], inline]
    credential["credentialSubject"] = [
        {
            "id": f"p{j}:same" if alias else "did:example:same",
            "type": ["AchievementSubject"],
            "name": [f"v{j}-{i}" for i in range(items)],
        }
        for j in range(objects)
    ]
    return credential


def test_objects_sharing_an_id_are_refused_before_json_ld_work() -> None:
    slow = _objects_sharing_an_id(77, 250)
    assert len(json.dumps(slow)) < 256 * 1024  # small, and within every older limit
    with pytest.raises(InputTooLarge, match=r'"did:example:same" give "name" \d+ values'):
        limits.check_structure(slow)
    report = verify(json.dumps(slow))
    assert_clean_failure(report, "too_large")
    # Refused while parsing: no context, safe-mode or proof check ran, so no JSON-LD work.
    assert {c.name for c in report.checks} == {"parse"}
    assert "did:example:same" in report.failed[0].message


def test_values_merging_into_one_node_are_counted_across_objects() -> None:
    fits = _objects_sharing_an_id(2, limits.MAX_MERGED_VALUES // 2)
    limits.check_structure(fits)
    one_more = _objects_sharing_an_id(2, limits.MAX_MERGED_VALUES // 2)
    one_more["credentialSubject"][1]["name"].append("x")
    with pytest.raises(InputTooLarge, match="at most 256 are accepted"):
        limits.check_structure(one_more)
    # "@id" names the same node as "id" (the VC context's alias for it).
    one_more["credentialSubject"][1]["@id"] = one_more["credentialSubject"][1].pop("id")
    with pytest.raises(InputTooLarge, match="JSON-LD merges them into one list"):
        limits.check_structure(one_more)


def test_objects_without_an_id_or_with_different_ids_do_not_merge() -> None:
    separate = _objects_sharing_an_id(40, 250)
    for subject in separate["credentialSubject"]:
        del subject["id"]
    limits.check_structure(separate)
    for j, subject in enumerate(separate["credentialSubject"]):
        subject["id"] = f"did:example:{j}"
    limits.check_structure(separate)


def test_many_objects_sharing_an_id_are_refused() -> None:
    credential = json.loads(json.dumps(SIMPLE))
    credential["evidence"] = [
        [{"id": "https://e.example/1", "name": "n"} for _ in range(200)] for _ in range(2)
    ]
    with pytest.raises(InputTooLarge, match=r'more than 256 objects with the id "https://e\.ex'):
        limits.check_structure(credential)


def test_term_definitions_in_contexts_are_not_nodes() -> None:
    credential = json.loads(json.dumps(SIMPLE))
    inline = {f"t{j}": {"@id": "https://example.org/same"} for j in range(300)}
    credential["@context"] = [*credential["@context"], inline]
    limits.check_structure(credential)


def test_aliased_ids_are_caught_on_the_expanded_form() -> None:
    # Prefixes defined inline make 77 different strings name one node: the check on the
    # compact form cannot see it, the check on the expanded form (ids are IRIs there) does.
    from mosaics.vc import jsonld

    aliased = _objects_sharing_an_id(77, 250, alias=True)
    del aliased["proof"]
    expanded = jsonld.expand(aliased)
    with pytest.raises(InputTooLarge, match=r'"did:example:same" give "https://schema\.org/name"'):
        limits.check_node_merges(expanded)
    limits.check_node_merges(jsonld.expand(_objects_sharing_an_id(2, 100, alias=True)))


def test_aliased_ids_are_refused_before_the_node_map() -> None:
    aliased = _objects_sharing_an_id(3, 100, alias=True)  # 300 names for one node
    limits.check_structure(aliased)  # different strings: the compact form looks harmless
    with pytest.raises(InputTooLarge, match=r"\d+ values between them"):
        dataintegrity.verify(aliased)
    report = verify(aliased)
    assert_clean_failure(report)
    proof = report.check("proof")
    assert proof is not None
    assert not proof.ok
    # Refused while hashing, before pyld's node map (or not attempted at all, when the
    # verifier already refuses contexts that define terms inline).
    assert proof.code in ("too_large", "not_checked"), proof


def test_check_node_merges_counts_types_reverse_properties_and_graphs() -> None:
    node = {"@id": "https://n.example", "@type": ["https://t.example/A"]}
    limits.check_node_merges([node] * 3, max_values=3)
    with pytest.raises(InputTooLarge, match='"@type" 4 values'):
        limits.check_node_merges([node] * 4, max_values=3)
    with pytest.raises(InputTooLarge, match="more than 3 objects"):
        limits.check_node_merges([{"@graph": [{"@included": [node] * 4}]}], max_objects=3)
    referrer = {"@id": "https://r.example"}
    reverse = [
        {"@id": f"https://x.example/{i}", "@reverse": {"https://p": [referrer]}} for i in range(4)
    ]
    with pytest.raises(InputTooLarge, match=r'"https://r\.example" give "https://p" 4 values'):
        limits.check_node_merges(reverse, max_values=3)
    values = {
        "@id": "https://v.example",
        "https://p": [{"@value": "a"}, {"@list": [{"@value": 1}]}],
    }
    limits.check_node_merges([values, {"@id": "https://w.example", "https://q": [values]}])


@pytest.mark.parametrize(
    "make",
    [
        lambda: b'{"a": "' + b"x" * (limits.MAX_JSON_BYTES + 10) + b'"}',
        lambda: ("[" * 100_000 + "]" * 100_000).encode(),
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0diHDR" + b"\xff" * 1000,
        lambda: BILLION_LAUGHS.encode(),
        lambda: json.dumps({**SIMPLE, "proof": [SIMPLE["proof"][0]] * 10_000}).encode(),
    ],
    ids=["huge", "deep", "bad-png", "billion-laughs", "10k-proofs"],
)
def test_memory_stays_bounded(make: Any) -> None:
    data = make()
    # The input itself aside, a refusal costs little: nothing is expanded or copied wholesale.
    with memory_below(3 * len(data) // (1024 * 1024) + 32):
        report = verify(data)
    assert_clean_failure(report)
