"""Interoperability with the JavaScript reference stack (@digitalbazaar/vc 7.3.0 and friends).

Both directions for both cryptosuites over generated Open Badges 3.0 credentials (and CLR 2.0
credentials bundling them): what mosaics.vc signs verifies in JavaScript with the same
proofValue, what JavaScript signs verifies in mosaics.vc, and one changed, added or removed field
is rejected by both. RDFC-1.0 canonical N-Quads compared byte for byte with jsonld.js; 1EdTech's
OB 3.0 and CLR vectors; the credentials mosaics.vc.ob3 builds; proof sets; JSON numbers; and
Bitstring Status Lists in both directions (revoked / suspended). The JavaScript side runs in one
Node process for the whole session (``tests/interop.py``); no network on either side.
MOSAICS_INTEROP_EXAMPLES sets how many credentials each property test generates.
"""

from __future__ import annotations

import copy
import json
import os
import string
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaics.vc import dataintegrity, ob3, statuslist, verify
from mosaics.vc.dataintegrity import Cryptosuite
from mosaics.vc.errors import MalformedInput, VCError
from mosaics.vc.keys import Ed25519Multikey, controller_document
from tests.conftest import CONFORMANCE_DIR
from tests.interop import CRYPTOSUITES, JCS, RDFC, Bridge, BridgeError, multikey_from_seed

pytestmark = pytest.mark.interop

Json = dict[str, Any]

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREATED = "2024-05-01T12:00:00Z"

#: how many generated credentials each property test signs (per cryptosuite and direction);
#: MOSAICS_INTEROP_EXAMPLES overrides it (e.g. 1000 for a soak run, 10 while iterating)
EXAMPLES = int(os.environ.get("MOSAICS_INTEROP_EXAMPLES", "120"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------------------------
# Generated Open Badges 3.0 credentials
# --------------------------------------------------------------------------------------------

#: characters that have broken canonicalization somewhere: C0/C1 controls (N-Quads escapes some
#: as ECHAR, the rest as UCHAR), DEL, the JSON/JS line separators, BOM, noncharacters,
#: characters above U+FFFF next to U+E000–U+FFFF (UTF-16 vs code point sort order), combining
#: marks, bidi overrides, and text that looks like N-Quads syntax.
TRICKY = [
    *(chr(c) for c in range(0x20)),
    "\x7f", "\x80", "\x85", "\x9f", "\u00a0", "\u00e9", "e\u0301", "\u2028", "\u2029",
    "\u202e", "\ufeff", "\ue000", "\ufffd", "\uffff", "\U0001f600", "\U0001d11e", "\U0010ffff",
    '"', "\\", "\\u0041", "\\n", "<", ">", "'", "@", "_:c14n0", " .\n", "^^", "@en",
]  # fmt: skip

texts = st.lists(
    st.one_of(
        # every Unicode scalar value (JSON and RDF cannot carry lone surrogates)
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(TRICKY),
    ),
    max_size=40,
).map("".join)
slugs = st.text(alphabet=string.ascii_lowercase + string.digits + "-._~", min_size=1, max_size=16)


@st.composite
def iris(draw: st.DrawFn, kind: str = "https://example.org/") -> str:
    return f"{kind}{draw(slugs)}/{draw(slugs)}"


@st.composite
def date_times(draw: st.DrawFn, lo: datetime, hi: datetime) -> str:
    moment = draw(st.datetimes(min_value=lo, max_value=hi))
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if draw(st.booleans()):
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


PAST = (datetime(2000, 1, 1), datetime(2025, 12, 31))
FUTURE = (datetime(2030, 1, 1), datetime(2099, 12, 31))


def _maybe(draw: st.DrawFn, target: Json, key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


@st.composite
def alignments(draw: st.DrawFn) -> Json:
    alignment: Json = {
        "type": ["Alignment"],
        "targetName": draw(texts),
        "targetUrl": draw(iris("https://frameworks.example.org/")),
    }
    _maybe(draw, alignment, "targetDescription", texts)
    _maybe(draw, alignment, "targetFramework", texts)
    _maybe(draw, alignment, "targetCode", texts)
    _maybe(draw, alignment, "targetType", st.sampled_from(["CFItem", "CFRubric", "ext:Skill"]))
    return alignment


@st.composite
def evidence_items(draw: st.DrawFn) -> Json:
    evidence: Json = {"type": ["Evidence"]}
    _maybe(draw, evidence, "id", iris("https://evidence.example.org/"))
    _maybe(draw, evidence, "name", texts)
    _maybe(draw, evidence, "narrative", texts)
    _maybe(draw, evidence, "description", texts)
    _maybe(draw, evidence, "genre", texts)
    _maybe(draw, evidence, "audience", texts)
    return evidence


@st.composite
def open_badge_credentials(draw: st.DrawFn, issuer_id: str) -> Json:
    """An OpenBadgeCredential (OB 3.0, VC 2.0) with the given issuer, unsigned."""
    result_descriptions: list[Json] = []
    for index in range(draw(st.integers(0, 3))):
        description: Json = {
            # ids unique within the credential: equal ids are one node in RDF, so tampering
            # with one of two "copies" would not change the graph
            "id": f"urn:example:rd:{index}:{draw(slugs)}",
            "type": ["ResultDescription"],
            "name": draw(texts),
            "resultType": draw(st.sampled_from(["LetterGrade", "Status", "Percent", "ext:Grade"])),
        }
        # allowedValue is an @list: repeated values make list nodes that only RDFC's deep
        # iterations tell apart, which both stacks refuse past a work limit (tested below)
        _maybe(
            draw,
            description,
            "allowedValue",
            st.lists(texts, min_size=1, max_size=4, unique=True),
        )
        result_descriptions.append(description)
    achievement: Json = {
        "id": draw(iris("https://example.org/achievements/")),
        "type": ["Achievement"],
        "name": draw(texts),
        "description": draw(texts),
        "criteria": {"narrative": draw(texts)},
    }
    if draw(st.booleans()):
        achievement["criteria"]["id"] = draw(iris())
    _maybe(draw, achievement, "alignment", st.lists(alignments(), min_size=1, max_size=4))
    if result_descriptions:
        achievement["resultDescription"] = result_descriptions
    _maybe(draw, achievement, "tag", st.lists(texts, min_size=1, max_size=4))
    _maybe(draw, achievement, "humanCode", texts)
    _maybe(
        draw,
        achievement,
        "image",
        st.fixed_dictionaries(
            {"id": iris("https://img.example.org/"), "type": st.just("Image")},
            optional={"caption": texts},
        ),
    )
    _maybe(
        draw,
        achievement,
        "creditsAvailable",
        # non-integral floats: JSON numbers with a fraction canonicalize the same everywhere
        st.floats(0.01, 1000, allow_nan=False, allow_infinity=False).filter(lambda f: f % 1 != 0),
    )
    subject: Json = {"type": ["AchievementSubject"], "achievement": achievement}
    _maybe(draw, subject, "id", st.builds(lambda s: f"did:example:{s}", slugs))
    with_results: bool = draw(st.booleans())
    if result_descriptions and with_results:
        subject["result"] = [
            {"type": ["Result"], "resultDescription": rd["id"], "value": draw(texts)}
            for rd in result_descriptions
        ]
    credential: Json = {
        "@context": [VC2, OB3],
        "id": draw(st.uuids()).urn,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": draw(texts)},
        "validFrom": draw(date_times(*PAST)),
        "name": draw(texts),
        "credentialSubject": subject,
    }
    _maybe(draw, credential, "description", texts)
    _maybe(draw, credential, "awardedDate", date_times(*PAST))
    _maybe(draw, credential, "validUntil", date_times(*FUTURE))
    _maybe(draw, credential["issuer"], "url", iris("https://issuer.example.org/"))
    if draw(st.booleans()):
        evidence = draw(st.lists(evidence_items(), min_size=1, max_size=3))
        for index, item in enumerate(evidence):
            if "id" in item:
                item["id"] += f"/{index}"
        credential["evidence"] = evidence
    return credential


# --------------------------------------------------------------------------------------------
# Tampering: one changed, added or removed field
# --------------------------------------------------------------------------------------------

Path = tuple[str | int, ...]


def _walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            if key in ("proof", "@context"):
                continue  # the proof is what we test; @context changes are not "a field"
            yield from _walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, (*path, index))


def _parent(document: Json, path: Path) -> Any:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    return target


@st.composite
def tamperings(draw: st.DrawFn, signed: Json) -> tuple[str, Json]:
    """A copy of ``signed`` with one field changed, added or removed; and what was done.

    Every change alters the credential's RDF graph (so eddsa-rdfc-2022 must notice, not only
    eddsa-jcs-2022): changed strings get a character appended, added fields have non-empty
    string values, removed fields are never empty arrays.
    """
    document = copy.deepcopy(signed)
    nodes = list(_walk(document))
    kind = draw(st.sampled_from(["change", "add", "remove"]))
    if kind == "change":
        path, value = draw(st.sampled_from([(p, v) for p, v in nodes if isinstance(v, str)]))
        _parent(document, path)[path[-1]] = value + draw(st.sampled_from(["x", "\u00e9", "\n"]))
    elif kind == "add":
        path, obj = draw(st.sampled_from([(p, v) for p, v in nodes if isinstance(v, dict)]))
        key = next(k for k in ("name", "description", "narrative", "x-tampered") if k not in obj)
        obj[key] = draw(st.sampled_from(["tampered", "", "\x00"]))
    else:
        candidates = [
            (p, k)
            for p, v in nodes
            if isinstance(v, dict)
            for k in v
            if k not in ("proof", "@context")
        ]
        path, key = draw(st.sampled_from(candidates))
        del _parent(document, (*path, key))[key]
    return f"{kind} {'.'.join(map(str, path))}", document


# --------------------------------------------------------------------------------------------
# Keys and fixtures
# --------------------------------------------------------------------------------------------

SEED = bytes(range(32))
DID_KEY = multikey_from_seed(SEED)
HTTPS_ISSUER = "https://badges.example.edu/issuers/565049"
HTTPS_KEY = multikey_from_seed(SEED, controller=HTTPS_ISSUER)
KEYS = {"did:key": DID_KEY, "https": HTTPS_KEY}
# What the https issuer publishes: its controller document, which confirms its key.
HTTPS_ISSUER_DOCUMENTS = {
    HTTPS_ISSUER: controller_document(
        HTTPS_ISSUER,
        [Ed25519Multikey.from_public_multibase(HTTPS_KEY["publicKeyMultibase"])],
    )
}


def _load(relative: str) -> Any:
    return json.loads((CONFORMANCE_DIR / relative).read_text("utf-8"))


# --------------------------------------------------------------------------------------------
# The bridge itself (JavaScript only)
# --------------------------------------------------------------------------------------------


def test_bridge_serves_the_same_contexts_as_mosaics(js_bridge: Bridge) -> None:
    from mosaics.vc.jsonld import CONTEXT_FILES

    assert js_bridge.call({"op": "contexts"}) == dict(CONTEXT_FILES)


def test_bridge_survives_bad_requests(js_bridge: Bridge) -> None:
    responses = js_bridge.call_many(
        [{"op": "nope"}, {"op": "sign"}, {"op": "verify", "credential": "not an object"}]
    )
    assert [r["ok"] for r in responses] == [False, False, True]
    assert "Unknown op" in responses[0]["error"]
    assert responses[2]["result"]["verified"] is False
    assert js_bridge.ping()["pong"] is True


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_js_reproduces_the_w3c_vectors(js_bridge: Bridge, cryptosuite: Cryptosuite) -> None:
    folder, name = {RDFC: ("eddsa-rdfc-2022", "DataInt"), JCS: ("eddsa-jcs-2022", "JCS")}[
        cryptosuite
    ]
    base = f"vc-di-eddsa/TestVectors/{folder}"
    config = _load(f"{base}/proofConfig{name}.json")
    signed = js_bridge.sign(
        _load("vc-di-eddsa/TestVectors/unsigned.json"),
        key=_load("vc-di-eddsa/TestVectors/keyPair.json"),
        cryptosuite=cryptosuite,
        created=config["created"],
        api="jsigs",  # the vectors' issuer is not the key's controller: sign as a plain document
    )
    expected = (CONFORMANCE_DIR / f"{base}/sigBTC58{name}.txt").read_text().strip()
    assert signed["proof"]["proofValue"] == expected
    assert js_bridge.verify(_load(f"{base}/signed{name}.json"), mode="proof").verified


def test_js_verifies_the_1edtech_ob3_vector(js_bridge: Bridge) -> None:
    signed = _load("ob3-ldp-vector/obv3p0/signed.json")
    result = js_bridge.verify(signed)
    assert result.verified, result.errors
    resigned = js_bridge.sign(
        _load("ob3-ldp-vector/obv3p0/unsigned.json"),
        key=_load("ob3-ldp-vector/obv3p0/keyPair.json"),
        cryptosuite=RDFC,
        created=signed["proof"]["created"],
    )
    assert resigned == signed


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@HYPOTHESIS
@given(data=st.data())
def test_js_signs_and_rejects_tampering(
    js_bridge: Bridge, cryptosuite: Cryptosuite, data: st.DataObject
) -> None:
    """The JS stack against itself: the baseline the cross-implementation tests rely on."""
    key = KEYS[data.draw(st.sampled_from(sorted(KEYS)), label="issuer")]
    credential = data.draw(open_badge_credentials(key["controller"]))
    signed = js_bridge.sign(credential, key=key, cryptosuite=cryptosuite, created=CREATED)
    result = js_bridge.verify(signed)
    assert result.verified, result.errors
    what, tampered = data.draw(tamperings(signed))
    assert not js_bridge.verify(tampered).verified, what


# --------------------------------------------------------------------------------------------
# Canonical forms: mosaics.vc.jsonld against jsonld.js / canonicalize, byte for byte
# --------------------------------------------------------------------------------------------


@HYPOTHESIS
@given(credential=open_badge_credentials(HTTPS_ISSUER))
def test_rdfc_canonical_nquads_match_js(js_bridge: Bridge, credential: Json) -> None:
    from mosaics.vc.jsonld import canonicalize

    expected = js_bridge.call({"op": "canonize", "document": credential, "algorithm": "rdfc"})
    assert canonicalize(credential) == expected


# --------------------------------------------------------------------------------------------
# Both directions: mosaics.vc.dataintegrity <-> @digitalbazaar/vc
# --------------------------------------------------------------------------------------------


def _python_key(bridge_key: Json) -> Ed25519Multikey:
    return Ed25519Multikey.from_seed(SEED, id=bridge_key["id"], controller=bridge_key["controller"])


def _issuer_id(credential: Json) -> str:
    issuer = credential["issuer"]
    return str(issuer["id"] if isinstance(issuer, dict) else issuer)


def _python_rejection(document: Json) -> str | None:
    """None when mosaics.vc accepts the credential's proofs (and the key is the issuer's), else
    why not. Goes through JSON text, as a credential from elsewhere would."""
    try:
        proofs = dataintegrity.verify(json.loads(json.dumps(document)))
    except VCError as exc:
        return f"{exc.code}: {exc}"
    issuer = _issuer_id(document)
    wrong = [p.controller for p in proofs if p.controller != issuer]
    return f"key controller {wrong} is not the issuer {issuer}" if wrong else None


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@HYPOTHESIS
@given(data=st.data())
def test_python_signs_js_verifies(
    js_bridge: Bridge, cryptosuite: Cryptosuite, data: st.DataObject
) -> None:
    bridge_key = KEYS[data.draw(st.sampled_from(sorted(KEYS)), label="issuer")]
    credential = data.draw(open_badge_credentials(bridge_key["controller"]))
    signed = dataintegrity.sign(
        credential, _python_key(bridge_key), cryptosuite=cryptosuite, created=CREATED
    )

    full, proof_only = js_bridge.verify(signed), js_bridge.verify(signed, mode="proof")
    assert full.verified, full.errors
    assert proof_only.verified, proof_only.errors
    # Ed25519 is deterministic: the JS stack signing the same credential with the same key and
    # options must produce the very same proofValue.
    js_signed = js_bridge.sign(credential, key=bridge_key, cryptosuite=cryptosuite, created=CREATED)
    assert signed["proof"][-1]["proofValue"] == js_signed["proof"]["proofValue"]

    what, tampered = data.draw(tamperings(signed))
    assert not js_bridge.verify(tampered).verified, f"JS accepted: {what}"
    assert not js_bridge.verify(tampered, mode="proof").verified, f"JS accepted: {what}"
    assert _python_rejection(tampered) is not None, f"mosaics.vc accepted: {what}"


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@HYPOTHESIS
@given(data=st.data())
def test_js_signs_python_verifies(
    js_bridge: Bridge, cryptosuite: Cryptosuite, data: st.DataObject
) -> None:
    bridge_key = KEYS[data.draw(st.sampled_from(sorted(KEYS)), label="issuer")]
    credential = data.draw(open_badge_credentials(bridge_key["controller"]))
    signed = js_bridge.sign(credential, key=bridge_key, cryptosuite=cryptosuite, created=CREATED)

    assert _python_rejection(signed) is None, _python_rejection(signed)

    what, tampered = data.draw(tamperings(signed))
    assert _python_rejection(tampered) is not None, f"mosaics.vc accepted: {what}"
    assert not js_bridge.verify(tampered).verified, f"JS accepted: {what}"


def test_1edtech_ob3_vector_both_ways(js_bridge: Bridge) -> None:
    signed = _load("ob3-ldp-vector/obv3p0/signed.json")
    key_pair = _load("ob3-ldp-vector/obv3p0/keyPair.json")
    key = Ed25519Multikey.from_secret_multibase(
        key_pair["secretKeyMultibase"], id=key_pair["id"], controller=key_pair["controller"]
    )
    python_signed = dataintegrity.sign(
        _load("ob3-ldp-vector/obv3p0/unsigned.json"),
        key,
        cryptosuite=RDFC,
        created=signed["proof"]["created"],
    )
    assert python_signed["proof"] == [signed["proof"]]  # mosaics issues proof as an array
    result = js_bridge.verify(python_signed)
    assert result.verified, result.errors
    assert _python_rejection(signed) is None


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_proof_sets_both_ways(js_bridge: Bridge, cryptosuite: Cryptosuite) -> None:
    """Two proofs on one credential (VC Data Integrity §4.4 proof sets), added alternately."""
    other: Cryptosuite = JCS if cryptosuite == RDFC else RDFC
    credential = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = HTTPS_ISSUER
    key = _python_key(HTTPS_KEY)

    python_first = dataintegrity.sign(credential, key, cryptosuite=cryptosuite, created=CREATED)
    python_then_js = js_bridge.sign(
        python_first, key=HTTPS_KEY, cryptosuite=other, created=CREATED, api="jsigs"
    )
    assert len(python_then_js["proof"]) == 2
    js_first = js_bridge.sign(credential, key=HTTPS_KEY, cryptosuite=cryptosuite, created=CREATED)
    js_then_python = dataintegrity.sign(js_first, key, cryptosuite=other, created=CREATED)
    assert len(js_then_python["proof"]) == 2
    both_python = dataintegrity.sign(python_first, key, cryptosuite=other, created=CREATED)

    for document in (python_then_js, js_then_python, both_python):
        result = js_bridge.verify(document)
        assert result.verified, result.errors
        assert _python_rejection(document) is None, _python_rejection(document)
        # One proof of the set broken: mosaics.vc refuses the credential (every proof must
        # verify). jsonld-signatures 11 accepts a proof set when ANY proof verifies and only
        # lists the broken one among its errors: a policy difference, mosaics.vc is stricter.
        broken = copy.deepcopy(document)
        broken["proof"][0]["created"] = "2024-05-01T12:00:01Z"
        assert _python_rejection(broken) is not None
        js_result = js_bridge.verify(broken)
        assert js_result.verified
        assert "Error: Invalid signature." in js_result.errors
        broken["proof"][1]["created"] = "2024-05-01T12:00:01Z"
        assert not js_bridge.verify(broken).verified
        assert _python_rejection(broken) is not None


def test_1edtech_clr_vector_both_ways(js_bridge: Bridge) -> None:
    signed = _load("ob3-ldp-vector/clrv2p0/signed.json")
    result = js_bridge.verify(signed)
    assert result.verified, result.errors
    assert _python_rejection(signed) is None
    key_pair = _load("ob3-ldp-vector/clrv2p0/keyPair.json")
    key = Ed25519Multikey.from_secret_multibase(
        key_pair["secretKeyMultibase"], id=key_pair["id"], controller=key_pair["controller"]
    )
    resigned = dataintegrity.sign(
        _load("ob3-ldp-vector/clrv2p0/unsigned.json"),
        key,
        cryptosuite=RDFC,
        created=signed["proof"][0]["created"],
    )
    assert resigned["proof"] == signed["proof"]


# Identifiers and values at the edges of JSON-LD and N-Quads syntax: both sides must agree on
# the canonical form, or on refusing the document.
EDGE_IDS = [
    "https://example.org/a{b}|c^d`e",
    'https://example.org/a\\b"c<d>',
    "https://example.org/\u00e4\u2028\ue000\U0001f600",
    "https://example.org/?q=\x7f&r=%zz",
    "https://ex ample.org/",
    "urn:x:\u00a0",
    "did:example:123#frag",
    "mailto:someone@example.org",
    "_:b0",
    "relative/path",
]
EDGE_VALUES: list[Any] = [
    {"@value": "x", "@language": "en-US"},
    {"@value": "x", "@language": "ar", "@direction": "rtl"},
    {"@list": ["b", "a", "b"]},
    ["b", "a", "b"],
    {"@value": "1", "@type": "xsd:integer"},
    None,
    True,
    "",
]


def _edge_document(**fields: Any) -> Json:
    return {"@context": [VC2, OB3], "type": ["Achievement"], **fields}


@pytest.mark.parametrize(
    "document",
    [_edge_document(id=i, name="n") for i in EDGE_IDS]
    + [_edge_document(name=v) for v in EDGE_VALUES]
    + [{"@context": [VC2, OB3], "@graph": [_edge_document(name="n")]}],
    ids=repr,
)
def test_edge_cases_canonicalize_as_in_js(js_bridge: Bridge, document: Json) -> None:
    from mosaics.vc.jsonld import canonicalize

    (response,) = js_bridge.call_many([{"op": "canonize", "document": document}])
    try:
        python: str | None = canonicalize(document)
    except VCError:
        python = None
    if not response["ok"]:
        assert python is None, f"JS refused ({response['error']}), mosaics.vc did not"
    else:
        assert python == response["result"]


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_both_refuse_poison_lists(js_bridge: Bridge, cryptosuite: Cryptosuite) -> None:
    """An @list of repeated values needs RDFC deep iterations beyond rdf-canonize's default work
    limit (maxWorkFactor 1); mosaics.vc applies the same limit, so neither side signs it with
    eddsa-rdfc-2022 (eddsa-jcs-2022 does not canonicalize RDF and signs it)."""
    credential = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = HTTPS_ISSUER
    credential["credentialSubject"]["achievement"]["resultDescription"] = [
        {
            "id": "urn:example:rd:1",
            "type": ["ResultDescription"],
            "name": "Grade",
            "resultType": "LetterGrade",
            "allowedValue": ["A", "A", "A", "A"],
        }
    ]
    key = _python_key(HTTPS_KEY)
    if cryptosuite == RDFC:
        with pytest.raises(MalformedInput):
            dataintegrity.sign(credential, key, cryptosuite=cryptosuite, created=CREATED)
        with pytest.raises(BridgeError, match="Maximum deep iterations"):
            js_bridge.sign(credential, key=HTTPS_KEY, cryptosuite=cryptosuite, created=CREATED)
    else:
        signed = dataintegrity.sign(credential, key, cryptosuite=cryptosuite, created=CREATED)
        assert js_bridge.verify(signed).verified


def test_jcs_key_order_and_undefined_terms_agree(js_bridge: Bridge) -> None:
    """eddsa-jcs-2022 signs JSON, not RDF: terms the contexts do not define are signed (not
    refused, as with rdfc), and RFC 8785 orders keys by UTF-16 code units (U+1F600 sorts before
    U+E000). Both sides must produce the same proofValue."""
    credential = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = HTTPS_ISSUER
    credential["x-undefined"] = {"\ue000": 1, "\U0001f600": 2, "a": [3, "\x00"], "B": None}
    python = dataintegrity.sign(
        credential, _python_key(HTTPS_KEY), cryptosuite=JCS, created=CREATED
    )
    js = js_bridge.sign(credential, key=HTTPS_KEY, cryptosuite=JCS, created=CREATED)
    assert python["proof"][0]["proofValue"] == js["proof"]["proofValue"]
    assert js_bridge.verify(python).verified
    assert _python_rejection(js) is None


def _issued_shape(issuer: str, list_url: str, index: int) -> Json:
    """A credential the way Mosaics issues it: mosaics.vc.ob3 builders, hashed e-mail identity,
    1EdTech credentialSchema (which pulls in the extensions context), a status entry."""
    return ob3.achievement_credential(
        id="urn:uuid:3c2b0b4e-7f0e-4a67-9a55-0f7b3a1d2e90",
        issuer=ob3.profile(id=issuer, name="Northfield College", url="https://northfield.example"),
        valid_from="2025-06-30T09:00:00Z",
        valid_until="2035-06-30T09:00:00Z",
        awarded_date="2025-06-30T09:00:00Z",
        name="Bread baking — niveau 2",
        description="Sourdough, rye and a croissant dough; « assessed in the kitchen ».",
        credential_subject=ob3.achievement_subject(
            identifier=[
                ob3.identity_object(identity="learner@example.org", salt="9f1c2d3e4b5a6978")
            ],
            achievement=ob3.achievement(
                id="https://badges.northfield.example/achievements/bread-2",
                name="Bread baking 2",
                description="Bakes three breads to standard.",
                criteria=ob3.criteria(narrative="1. Sourdough\n2. Rye\n3. Croissant dough"),
                achievement_type="Competency",
                credits_available=2.5,
                tags=["baking", "\u00e9cole"],
                alignment=[
                    ob3.alignment(
                        target_name="Prepare bakery products",
                        target_url="https://esco.example.eu/skill/bakery",
                        target_framework="ESCO",
                        target_code="S1.2.3",
                        target_type="ext:ESCOSkill",
                    )
                ],
                result_description=[
                    ob3.result_description(
                        id="urn:example:rd:grade",
                        name="Grade",
                        result_type="LetterGrade",
                        allowed_value=["A", "B", "C"],
                    )
                ],
            ),
            result=[ob3.result(result_description="urn:example:rd:grade", value="A")],
        ),
        evidence=[ob3.evidence(id="https://portfolio.example/e/1", name="Photos", genre="Photo")],
        credential_status=statuslist.status_entry(list_url, index, "revocation"),
        credential_schema=[ob3.ACHIEVEMENT_CREDENTIAL_SCHEMA],
    )


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@pytest.mark.parametrize("issuer", sorted(KEYS))
def test_issued_credentials_verify_in_js(
    js_bridge: Bridge, cryptosuite: Cryptosuite, issuer: str
) -> None:
    key = KEYS[issuer]
    list_url = "https://status.northfield.example/lists/1"
    status_list = _signed_list(list_url, "revocation", [17], key, cryptosuite)
    good, revoked = (
        dataintegrity.sign(
            _issued_shape(key["controller"], list_url, index),
            _python_key(key),
            cryptosuite=cryptosuite,
        )
        for index in (16, 17)
    )
    on, off = js_bridge.verify_many([revoked, good], status_lists=[status_list])
    assert on.verified, on.errors
    assert off.verified, off.errors
    assert (on.revoked, off.revoked) == (True, False)
    assert _python_rejection(good) is None


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@settings(HYPOTHESIS, max_examples=max(EXAMPLES // 3, 1))
@given(data=st.data())
def test_clr_of_several_achievements_both_ways(
    js_bridge: Bridge, cryptosuite: Cryptosuite, data: st.DataObject
) -> None:
    """A CLR 2.0 ClrCredential bundling 1-3 signed OpenBadgeCredentials (nested credentials are
    named graphs in RDF) and their achievements: signed by one side, verified by the other,
    tampering anywhere (also inside a nested credential) rejected by both."""
    bridge_key = HTTPS_KEY
    key = _python_key(bridge_key)
    parts = data.draw(
        st.lists(open_badge_credentials(bridge_key["controller"]), min_size=1, max_size=3)
    )
    for index, part in enumerate(parts):
        part["id"] = f"urn:example:clr-part:{index}"  # distinct graphs (equal ones are poison)
        part["credentialSubject"]["achievement"]["id"] += f"/{index}"
    js_side = data.draw(st.booleans(), label="JS signs")

    def sign(document: Json) -> Json:
        if js_side:
            return js_bridge.sign(
                document, key=bridge_key, cryptosuite=cryptosuite, created=CREATED
            )
        return dataintegrity.sign(document, key, cryptosuite=cryptosuite, created=CREATED)

    signed_parts = [sign(part) for part in parts]
    clr = ob3.clr_credential(
        id="urn:example:clr:1",
        issuer=ob3.profile(id=bridge_key["controller"], name="Registrar"),
        valid_from="2025-01-01T00:00:00Z",
        name="Transcript",
        credential_subject=ob3.clr_subject(
            id="did:example:learner",
            achievement=[p["credentialSubject"]["achievement"] for p in parts],
            verifiable_credential=signed_parts,
        ),
    )
    signed = sign(clr)

    result = js_bridge.verify(signed)
    assert result.verified, result.errors
    assert _python_rejection(signed) is None, _python_rejection(signed)
    what, tampered = data.draw(tamperings(signed))
    if cryptosuite == RDFC and not _graph_changed(js_bridge, signed, tampered):
        # The CLR 2.0 context merges the nested credentials into the outer graph, so the issuer
        # and achievements appear there more than once as the same node: removing a statement
        # from one copy leaves the RDF graph (what rdfc signs) unchanged. Both must agree.
        assert js_bridge.verify(tampered).verified, what
        assert _python_rejection(tampered) is None, what
        return
    assert not js_bridge.verify(tampered).verified, f"JS accepted: {what}"
    assert _python_rejection(tampered) is not None, f"mosaics.vc accepted: {what}"


def _graph_changed(js_bridge: Bridge, signed: Json, tampered: Json) -> bool:
    """Whether the tampering changed the RDF dataset (according to jsonld.js)."""
    before, after = js_bridge.call_many(
        {"op": "canonize", "document": {k: v for k, v in d.items() if k != "proof"}}
        for d in (signed, tampered)
    )
    return not after["ok"] or before["result"] != after["result"]


# --------------------------------------------------------------------------------------------
# Numbers: JSON numbers must become the same RDF literals (and JCS text) on both sides
# --------------------------------------------------------------------------------------------

# jsonld.js 9 decides "double or integer" by looking for a "." in JavaScript's String(value), so
# 1e-7 (printed "1e-7") becomes the integer literal "0"; JSON-LD 1.1 toRdf would say "1.0E-7".
# Integers beyond 2**53 lose precision in JavaScript's JSON.parse. mosaics.vc.jsonld follows
# jsonld.js in both (found by these tests; a credential must verify where it is checked).
NUMBERS = [3.0, 3, 2.5, 0.1, 1e-6, 1.25e-7, 1e20, 1e21, 1e300, -0.0]
NUMBERS += [1e-7, -3e-7, 2e-10, 5e-324, 2**53 + 1, 123456789012345678901234567890]


def _with_credits(value: float) -> Json:
    credential: Json = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = HTTPS_ISSUER
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = value
    return credential


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_numbers_canonicalize_as_in_js(js_bridge: Bridge, value: float) -> None:
    from mosaics.vc.jsonld import canonicalize

    document = _with_credits(value)
    expected = js_bridge.call({"op": "canonize", "document": document, "algorithm": "rdfc"})
    assert canonicalize(document) == expected


def _unsafe_integer(value: float) -> bool:
    return isinstance(value, int) and abs(value) > 2**53 - 1


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_numbers_python_signs_js_verifies(
    js_bridge: Bridge, cryptosuite: Cryptosuite, value: float
) -> None:
    try:
        signed = dataintegrity.sign(
            _with_credits(value), _python_key(HTTPS_KEY), cryptosuite=cryptosuite, created=CREATED
        )
    except MalformedInput:
        # RFC 8785 (I-JSON) has no integers beyond 2**53; refusing to sign them is right
        assert cryptosuite == JCS
        assert _unsafe_integer(value)
        return
    result = js_bridge.verify(signed)
    assert result.verified, result.errors


# JavaScript writes some doubles as long integers (JSON.stringify(1e20) is
# "100000000000000000000"; 2**53 + 1 arrives as 9007199254740992). Python's json reads those as
# int and rfc8785 alone refuses them ("exceeds safe integer domain"); mosaics.vc reads such an
# integer as the double JavaScript wrote (found by this test, fixed in mosaics.vc.dataintegrity).
@pytest.mark.parametrize("value", NUMBERS, ids=repr)
@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_numbers_js_signs_python_verifies(
    js_bridge: Bridge, cryptosuite: Cryptosuite, value: float
) -> None:
    js_signed = js_bridge.sign(
        _with_credits(value), key=HTTPS_KEY, cryptosuite=cryptosuite, created=CREATED
    )
    assert _python_rejection(js_signed) is None, _python_rejection(js_signed)


# --------------------------------------------------------------------------------------------
# Bitstring Status List: lists built and signed by mosaics.vc, checked by the JS stack
# --------------------------------------------------------------------------------------------

LIST_VALID_FROM = "2024-01-01T00:00:00Z"


def _signed_list(
    list_url: str, purpose: str, set_indexes: list[int], key: Json, cryptosuite: Cryptosuite
) -> Json:
    bits = statuslist.BitstringStatusList()
    for index in set_indexes:
        bits.set(index)
    unsigned = statuslist.status_list_credential(
        list_url=list_url,
        issuer=key["controller"],
        status_list=bits,
        purpose=purpose,
        valid_from=LIST_VALID_FROM,
    )
    return dataintegrity.sign(unsigned, _python_key(key), cryptosuite=cryptosuite, created=CREATED)


def _signed_with_status(entries: list[Json], key: Json, cryptosuite: Cryptosuite) -> Json:
    credential = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = key["controller"]
    credential["credentialStatus"] = entries if len(entries) > 1 else entries[0]
    return dataintegrity.sign(
        credential, _python_key(key), cryptosuite=cryptosuite, created=CREATED
    )


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@pytest.mark.parametrize("issuer", sorted(KEYS))
@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
@pytest.mark.parametrize("index", [0, 7, 8, 23, 4242, statuslist.MIN_LENGTH - 1])
def test_js_reads_python_status_lists(
    js_bridge: Bridge, cryptosuite: Cryptosuite, issuer: str, purpose: str, index: int
) -> None:
    key = KEYS[issuer]
    list_url = f"https://status.example.edu/lists/{purpose}/1"
    other = (index + 1) % statuslist.MIN_LENGTH
    status_list = _signed_list(list_url, purpose, [index, 99], key, cryptosuite)
    set_bit = _signed_with_status(
        [statuslist.status_entry(list_url, index, purpose)], key, cryptosuite
    )
    clear_bit = _signed_with_status(
        [statuslist.status_entry(list_url, other, purpose)], key, cryptosuite
    )

    on, off = js_bridge.verify_many([set_bit, clear_bit], status_lists=[status_list])

    # vc-bitstring-status-list: verified means the check ran; the bit is in status
    assert on.verified, on.errors
    assert on.status is not None
    assert on.status["checked"]
    assert (on.revoked, on.suspended) == (purpose == "revocation", purpose == "suspension")
    assert off.verified, off.errors
    assert (off.revoked, off.suspended) == (other == 99 and purpose == "revocation", False)


def test_js_reads_both_purposes_of_one_credential(js_bridge: Bridge) -> None:
    key = HTTPS_KEY
    revocation_url = "https://status.example.edu/lists/revocation/7"
    suspension_url = "https://status.example.edu/lists/suspension/7"
    lists = [
        _signed_list(revocation_url, "revocation", [5], key, RDFC),
        _signed_list(suspension_url, "suspension", [6], key, JCS),
    ]
    both = _signed_with_status(
        [
            statuslist.status_entry(revocation_url, 6, "revocation"),
            statuslist.status_entry(suspension_url, 6, "suspension"),
        ],
        key,
        RDFC,
    )
    result = js_bridge.verify(both, status_lists=lists)
    assert result.verified, result.errors
    assert (result.revoked, result.suspended) == (False, True)


def test_js_refuses_a_tampered_or_foreign_status_list(js_bridge: Bridge) -> None:
    key = HTTPS_KEY
    list_url = "https://status.example.edu/lists/revocation/9"
    status_list = _signed_list(list_url, "revocation", [3], key, RDFC)
    credential = _signed_with_status(
        [statuslist.status_entry(list_url, 3, "revocation")], key, RDFC
    )
    # clear the bit in the published list without re-signing it
    tampered = copy.deepcopy(status_list)
    tampered["credentialSubject"]["encodedList"] = statuslist.BitstringStatusList().encode()
    # a list signed by someone else (did:key issuer, not the credential's issuer)
    foreign = _signed_list(list_url, "revocation", [], DID_KEY, RDFC)

    results = js_bridge.verify_many([credential], status_lists=[tampered])
    results += js_bridge.verify_many([credential], status_lists=[foreign])
    results += js_bridge.verify_many([credential])  # no list at all: offline, so unknown
    for result in results:
        assert not result.verified
        assert not result.revoked
        assert result.errors


def _checks(report: Any, name: str) -> list[Any]:
    return [check for check in report.checks if check.name == name]


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_python_reads_js_signed_status_lists(
    js_bridge: Bridge, cryptosuite: Cryptosuite, purpose: str
) -> None:
    """The other direction: list credential and credential signed by the JS stack, checked by
    mosaics.vc.verify (proof of both, then the bit)."""
    key = HTTPS_KEY
    list_url = f"https://status.example.edu/lists/{purpose}/js"
    bits = statuslist.BitstringStatusList()
    bits.set(1234)
    unsigned_list = statuslist.status_list_credential(
        list_url=list_url,
        issuer=key["controller"],
        status_list=bits,
        purpose=purpose,
        valid_from=LIST_VALID_FROM,
    )
    status_list = js_bridge.sign(unsigned_list, key=key, cryptosuite=cryptosuite, created=CREATED)
    credential = _load("ob3-ldp-vector/obv3p0/unsigned.json")
    credential["issuer"]["id"] = key["controller"]
    reports = {}
    for index in (1234, 1235):
        credential["credentialStatus"] = statuslist.status_entry(list_url, index, purpose)
        signed = js_bridge.sign(credential, key=key, cryptosuite=cryptosuite, created=CREATED)
        reports[index] = verify.verify(
            signed, status_lists={list_url: status_list}, documents=HTTPS_ISSUER_DOCUMENTS
        )

    for report in reports.values():
        assert [c.ok for c in _checks(report, "proof")] == [True], report.to_json()
    (revoked,) = _checks(reports[1234], "status")
    assert (revoked.ok, revoked.code) == (
        False,
        "revoked" if purpose == "revocation" else "suspended",
    )
    assert [c.ok for c in _checks(reports[1235], "status")] == [True]

    # the list tampered with after JS signed it: mosaics.vc must not read a clear bit from it
    tampered = copy.deepcopy(status_list)
    tampered["credentialSubject"]["encodedList"] = statuslist.BitstringStatusList().encode()
    credential["credentialStatus"] = statuslist.status_entry(list_url, 1234, purpose)
    signed = js_bridge.sign(credential, key=key, cryptosuite=cryptosuite, created=CREATED)
    report = verify.verify(
        signed, status_lists={list_url: tampered}, documents=HTTPS_ISSUER_DOCUMENTS
    )
    assert not report.verified
    assert [c.ok for c in _checks(report, "status")] == [False]
