"""1EdTech's own validator fixtures, with 1EdTech's expected verdicts.

``tests/conformance/1edtech-validator/expected-outcomes.json`` lists, per test of 1EdTech's
validator, the fixture files and the assertions made on them. Every OB 3.0, endorsement, CLR 2.0
and Bitstring Status List entry becomes a case here (new entries are picked up automatically):

* ``assertValid`` → verified, with no warnings unless a warning is asserted too;
* ``assertInvalid`` (or an error/fatal count, or ``assertFalse(report.asBoolean())``) → not
  verified, and where a probe is named, the matching check is among the failed ones;
* ``assertWarning`` → verified with a warning (not verified when ``assertInvalid`` is there too).

Where we deliberately differ from 1EdTech, the case is listed in :data:`DIFFERENCES` with the
reason, and the test asserts *our* verdict instead — it still runs, and fails if either verdict
changes.

1EdTech's validator takes a key named ``<issuer id>#<publicKeyMultibase>`` as the issuer's. We do
not (anyone can make such a key): without the issuer's published controller document such a
credential is ``unconfirmed``, not verified. So each fixture is verified as if its issuers had
published their keys — with a ``documents`` mapping holding, for every ``<id>#z6Mk…`` key the
fixture (or the status list it uses) names, the controller document of ``<id>`` listing that key
(:func:`mosaics.vc.keys.controller_document`) — which gives 1EdTech's verdict;
:func:`test_without_the_issuers_published_keys_valid_fixtures_are_unconfirmed` checks the
deliberate difference without them.

``digitalbazaar-verdicts.json`` (the JavaScript reference stack) is a second opinion, compared in
:func:`test_second_opinion_from_digital_bazaar`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mosaics.vc import baking
from mosaics.vc.keys import Ed25519Multikey, controller_document
from mosaics.vc.verify import Report, verify

ROOT = Path(__file__).resolve().parents[1] / "conformance" / "1edtech-validator"
OUTCOMES: list[dict[str, Any]] = json.loads((ROOT / "expected-outcomes.json").read_text())
DB_VERDICTS: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "digitalbazaar-verdicts.json").read_text()
)
OB30 = "inspector-vc/src/test/resources/ob30/"

# The moment the Digital Bazaar verdicts were produced; fixed so expiry-based outcomes are stable.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# The bit-string-list fixtures point at this URL; 1EdTech's test fetches it, we supply it.
TESTLIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)
STATUS_LISTS = {TESTLIST_URL: json.loads((ROOT / OB30 / "bit-string-list/testlist").read_text())}

# 1EdTech probe → the checks of ours that cover the same ground.
PROBES: dict[str, set[str]] = {
    "JsonLDValidationProbe": {"safe_mode"},
    "TypePropertyProbe": {"type"},
    "EmbeddedProofProbe": {"proof", "issuer_key"},
    "ExpirationProbe": {"validity"},
    "IssuanceProbe": {"validity"},
    "ContextPropertyProbe": {"context"},
    "JsonSchemaProbe": {"schema"},
    "InlineJsonSchemaProbe": {"schema"},
    # 1EdTech has a probe per kind of nested object; undefined types there are JSON-LD
    # (safe mode) and schema errors for us.
    "CredentialSubjectProbe": {"safe_mode", "schema", "type"},
    "EvidenceProbe": {"safe_mode", "schema"},
    "IssuerProbe": {"safe_mode", "schema", "issuer_key"},
    "RevocationListProbe": {"status"},
    "BitstringStatusListProbe": {"status"},
    "CredentialParseProbe": {"parse", "schema"},
}
# Probes whose failure means a specific status rather than "invalid".
PROBE_STATUS = {
    "ExpirationProbe": "expired",
    "IssuanceProbe": "not_yet_valid",
    "BitstringStatusListProbe": "revoked",
}

IN_SCOPE = re.compile(r"/(ob30|clr20)/")
IN_SCOPE_SUITES = {
    "OB30Tests.java",
    "Endorsement30Tests.java",
    "BitstringStatusListCredentialInspectorTest.java",
    "CLR20Tests.java",
}


@dataclass(frozen=True)
class Difference:
    """A fixture where our verdict deliberately differs from 1EdTech's, and why."""

    reason: str
    verified: bool
    failing: str | None = None  # the first check of ours that fails (when not verified)
    warns: bool = False


RS256_SELF_KEYED = (
    "signed with RS256 and verified by 1EdTech with the RSA key embedded in the JWT's own header "
    "(jwk). A key that comes with the token proves nothing about who issued it — anyone can sign "
    "any credential naming any issuer that way — and we accept only EdDSA (Ed25519), whose key "
    "must resolve to the issuer (did:key, a controller document, or <issuer>#<key>)."
)
DID_KEY_NOT_ISSUER = (
    "signed with a bare did:key (no #fragment, which is not a verification method: "
    "@digitalbazaar/vc refuses it too) whose controller is not the credential's issuer "
    "(a urn:uuid). Accepting it would let anyone with any key sign in anyone's name; OB 3.0 "
    "requires the key to belong to the issuer."
)

TESTLIST_NOT_THE_NAMED_LIST = (
    "1EdTech's test reads the status list it fetches from raw.githubusercontent.com/…/testlist, "
    "but that list credential's id is https://example.com/credentials/status/3. A list whose id "
    "is not the URL the credential names says nothing about this credential (another list of "
    "the same issuer, one where the bit is clear, could be supplied or served in its place), so "
    "we refuse it: the status check fails (status_list_invalid) and the credential is invalid "
    "rather than revoked"
)

DIFFERENCES: dict[str, Difference] = {
    f"{OB30}bit-string-list/credential-status-revoked.json": Difference(
        TESTLIST_NOT_THE_NAMED_LIST, False, "status"
    ),
    f"{OB30}bit-string-list/credential-status-revoked-blank-nodes.json": Difference(
        TESTLIST_NOT_THE_NAMED_LIST, False, "status"
    ),
    f"{OB30}simple-did-key-method.json": Difference(DID_KEY_NOT_ISSUER, False, "proof"),
    f"{OB30}simple-jwt.png": Difference(RS256_SELF_KEYED, False, "proof"),
    f"{OB30}simple-jwt.svg": Difference(RS256_SELF_KEYED, False, "proof"),
    f"{OB30}simple-jwt_v1.png": Difference(RS256_SELF_KEYED, False, "proof", warns=True),
    f"{OB30}simple-jwt_v1.svg": Difference(RS256_SELF_KEYED, False, "proof", warns=True),
    f"{OB30}sd/derivedcredential.json": Difference(
        "an ecdsa-sd-2023 (P-256, selective disclosure) derived proof; Mosaics verifies the "
        "EdDSA cryptosuites only and says so rather than guess",
        False,
        "proof",
    ),
    f"{OB30}credential-status-revoked.json": Difference(
        "1EdTech fetches the 1EdTechRevocationList online and finds the credential revoked. We "
        "never fetch: that status kind is reported as a warning ('could not be checked "
        "offline'). The credential still fails, but on its proof: its did:web key cannot be "
        "resolved offline (no DID document supplied)",
        False,
        "proof",
        warns=True,
    ),
    f"{OB30}complete.json": Difference(
        "not verified, as 1EdTech says, but for another reason. 1EdTech fails it on the inline "
        "credentialSchema it names (accrediter.edu), which it cannot load; we never fetch a "
        "schema we do not hold (a warning says so). It fails for us because its five embedded "
        "endorsements use types their contexts do not define and carry made-up proofs "
        "(cryptosuite 'eddsa-rdf-2022')",
        False,
        "endorsements",
        warns=True,
    ),
    f"{OB30}complete_v1.json": Difference(
        "not verified, as 1EdTech says, but not on the schema probe (see complete.json): its "
        "1EdTech* types are undefined by its contexts (safe mode), its key '…#key-1' cannot be "
        "resolved offline, it expired in 2020, and its endorsements do not verify",
        False,
        "safe_mode",
        warns=True,
    ),
    f"{OB30}endorsement-err-schema-status-refresh.json": Difference(
        "not verified, as 1EdTech says; 1EdTech stops at parsing its credentialStatus and "
        "refreshService, we read them (a 1EdTechRevocationList cannot be checked offline: a "
        "warning) and fail it because its Ed25519Signature2020 proof does not verify",
        False,
        "proof",
        warns=True,
    ),
    "inspector-clr/src/test/resources/clr20/simple_v1.json": Difference(
        "five of the six credentials inside are signed with a bare did:key whose controller is "
        "not their issuer (see simple-did-key-method.json), so the CLR's 'credentials' check "
        "fails",
        False,
        "credentials",
        warns=True,
    ),
    "inspector-clr/src/test/resources/clr20/complex.json": Difference(
        "the CLR and every credential inside are signed with a bare did:key whose controller "
        "is not the issuer (a urn:uuid); see simple-did-key-method.json",
        False,
        "proof",
        warns=True,
    ),
    "inspector-clr/src/test/resources/clr20/simple.jwt": Difference(
        RS256_SELF_KEYED + " It also uses pre-release draft contexts "
        "(dc.imsglobal.org/draft/clr/v2p0/context, imsglobal.github.io/…/context.json) that are "
        "not bundled, and contexts are never fetched",
        False,
        "context",
        warns=True,
    ),
}

NO_FILE_REASONS = {
    "testIssue52": (
        "1EdTech's test fetches a status list credential from a live URL; Mosaics never fetches "
        "(status lists are supplied by the caller), and no copy of that document is bundled"
    ),
}


@dataclass(frozen=True)
class Case:
    test: str
    path: str
    asserts: tuple[str, ...]
    disabled: bool

    @property
    def expects_invalid(self) -> bool:
        return any(
            a.startswith(("assertInvalid", "assertFalse(report.asBoolean"))
            or re.match(r"assert(Error|Fatal)Count\(report, [1-9]", a)
            for a in self.asserts
        )

    @property
    def expects_warning(self) -> bool:
        return any(a.startswith("assertWarning") for a in self.asserts)

    @property
    def probes(self) -> list[str]:
        return [
            m.group(1)
            for a in self.asserts
            if (m := re.match(r"assertHasProbeID\(report, (\w+)\.ID, true\)", a))
        ]


def _cases() -> list[Any]:
    params = []
    for entry in OUTCOMES:
        files = entry["files"]
        if entry["suite"] not in IN_SCOPE_SUITES:
            continue  # OB 2.0 (out of scope here; baked OB 2.0 extraction is tested in baking)
        if not files:
            reason = NO_FILE_REASONS.get(entry["test"])
            assert reason, f"new fileless 1EdTech test {entry['test']}: decide and document"
            params.append(
                pytest.param(
                    Case(entry["test"], "", tuple(entry["asserts"]), entry["disabled"]),
                    id=f"{entry['suite']}::{entry['test']}",
                    marks=pytest.mark.skip(reason=f"deliberate difference: {reason}"),
                )
            )
            continue
        for path in files:
            if not IN_SCOPE.search(path):
                continue
            case = Case(entry["test"], path, tuple(entry["asserts"]), entry["disabled"])
            params.append(pytest.param(case, id=f"{entry['test']}[{path.split('/')[-1]}]"))
    return params


# `<id>#z6Mk…`: a key named under an id (not a DID: did:key is self-describing, and did:web keys
# come only from DID documents, which 1EdTech resolves online and we are not given).
_FRAGMENT_KEY = re.compile(r'"((?!did:)[^"#\s]+)#(z6Mk[1-9A-HJ-NP-Za-km-z]{44})"')
_JWS = re.compile(r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")


def _texts(data: bytes) -> Iterator[str]:
    """The text of a fixture: the file, a baked image's payload, and every JWT's header and
    payload inside (endorsementJwt, CLR members as JWTs)."""
    try:
        texts = [baking.extract(data).text]
    except Exception:
        texts = [data.decode("utf-8", "replace")]
    seen = 0
    while texts and seen < 200:
        text = texts.pop()
        seen += 1
        yield text
        for token in _JWS.findall(text):
            for segment in token.split(".")[:2]:
                try:
                    decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
                except (binascii.Error, ValueError):
                    continue
                texts.append(decoded.decode("utf-8", "replace"))


def published_documents(*sources: bytes) -> dict[str, Any]:
    """The controller documents the issuers of ``sources`` would publish: for each `<id>#z6Mk…`
    key named there, the document of `<id>` listing it."""
    found: dict[str, dict[str, Ed25519Multikey]] = {}
    for data in sources:
        for text in _texts(data):
            for controller, multibase in _FRAGMENT_KEY.findall(text.replace("\\/", "/")):
                key = Ed25519Multikey.from_public_multibase(
                    multibase, id=f"{controller}#{multibase}", controller=controller
                )
                found.setdefault(controller, {})[multibase] = key
    return {c: controller_document(c, list(keys.values())) for c, keys in found.items()}


_LIST_BYTES = [json.dumps(value).encode() for value in STATUS_LISTS.values()]


def run(path: str, *, published: bool = True) -> Report:
    """Verify a fixture at :data:`NOW` with the status lists 1EdTech uses and — unless
    ``published`` is false — the issuers' published keys (see the module docstring)."""
    data = (ROOT / path).read_bytes()
    documents = published_documents(data, *_LIST_BYTES) if published else {}
    return verify(data, now=NOW, status_lists=STATUS_LISTS, documents=documents)


def describe(report: Report) -> str:
    return json.dumps(
        {
            "status": report.status,
            "failed": [f"{c.name}: {c.message}" for c in report.failed],
            "warnings": [f"{c.name}: {c.message}" for c in report.warnings],
        },
        indent=1,
    )


@pytest.mark.parametrize("case", _cases())
def test_1edtech_expected_verdict(case: Case) -> None:
    report = run(case.path)
    failed = {c.name for c in report.failed}
    difference = DIFFERENCES.get(case.path)
    if difference is not None:
        # Our deliberate verdict (see DIFFERENCES for why).
        assert report.verified is difference.verified, describe(report)
        if difference.failing:
            assert difference.failing in failed, describe(report)
        assert bool(report.warnings) is difference.warns, describe(report)
        return

    if case.expects_invalid:
        assert not report.verified, describe(report)
        for probe in case.probes:
            assert PROBES[probe] & failed, f"{probe} → {PROBES[probe]}\n{describe(report)}"
            if probe in PROBE_STATUS:
                # That is what this fixture is about, even when other checks fail too (then
                # the overall status is "invalid", which outranks the others).
                codes = {c.code for c in report.failed}
                assert PROBE_STATUS[probe] in codes, describe(report)
                if failed <= {"validity", "status"}:
                    assert report.status == PROBE_STATUS[probe], describe(report)
        if case.expects_warning:
            assert report.warnings, describe(report)
        return

    # Valid, possibly with warnings. A probe named without an invalid verdict is a warning.
    assert report.verified, describe(report)
    warnings = report.warnings
    warned = {w.name for w in warnings}
    for probe in case.probes:
        assert PROBES[probe] & warned, f"{probe} → {PROBES[probe]}\n{describe(report)}"
    if case.expects_warning or case.probes:
        assert warnings, describe(report)
    else:
        assert not warnings, describe(report)


def test_every_difference_is_a_real_fixture() -> None:
    paths = {path for entry in OUTCOMES for path in entry["files"]}
    assert set(DIFFERENCES) <= paths


def test_clr_reports_each_nested_credential() -> None:
    report = run("inspector-clr/src/test/resources/clr20/simple.json")
    assert [n.path for n in report.nested] == ["credentialSubject.verifiableCredential[0]"]
    assert all(n.verified for n in report.nested)
    bad = run("inspector-clr/src/test/resources/clr20/simple_v1.json")
    assert len(bad.nested) == 6
    assert [n.verified for n in bad.nested].count(False) == 5


def test_embedded_endorsements_are_verified_one_by_one() -> None:
    report = run(f"{OB30}complete.json")
    endorsements = [n for n in report.nested if "endorsement" in n.path]
    assert len(endorsements) == 5
    assert not any(n.verified for n in endorsements)  # "eddsa-rdf-2022" with made-up proofs
    check = report.check("endorsements")
    assert check is not None
    assert not check.ok


def test_the_testlist_itself_is_a_valid_status_list() -> None:
    report = run(f"{OB30}bit-string-list/testlist")
    assert report.verified, describe(report)
    assert "status list" in report.summary


def test_the_testlist_is_refused_for_a_url_that_is_not_its_id() -> None:
    report = run(f"{OB30}bit-string-list/credential-status-revoked.json")
    assert report.status == "invalid", describe(report)
    (check,) = report.failed
    assert (check.name, check.code) == ("status", "status_list_invalid")
    assert "https://example.com/credentials/status/3" in check.message


def test_revoked_fixture_without_its_list_is_a_warning_not_a_failure() -> None:
    path = ROOT / OB30 / "bit-string-list/credential-status-revoked.json"
    data = path.read_bytes()
    report = verify(data, now=NOW, documents=published_documents(data))
    assert report.verified, describe(report)
    status_warnings = [w for w in report.warnings if w.name == "status"]
    assert [w.code for w in status_warnings] == ["status_not_checked"]
    assert "offline" in status_warnings[0].message


# Where the JavaScript reference stack (@digitalbazaar/vc, proof + validity only, no status
# lists, no safe-mode for unknown proof types, no legacy suites) and we disagree, and why.
DB_DISAGREEMENTS = {
    "simple-multiple-proofs.json": "its extra 'SomeProofType' proof uses undefined terms; we run "
    "safe mode over proofs too (as 1EdTech does)",
    "simple_v1.json": "Ed25519Signature2020 is not installed in that stack; we read it (warning)",
    "simple-eddsa-2022.json": "the draft 'eddsa-2022' name is not installed there; we read it "
    "(warning)",
    "bit-string-list/credential-status-revoked.json": "that run did not check status lists; "
    "we refuse the supplied list, whose id is not the URL the credential names",
    "bit-string-list/credential-status-revoked-blank-nodes.json": "as above",
    "complete.json": "that stack checks the credential's own proof only; we verify the embedded "
    "endorsements too, and these five carry made-up proofs",
}


@pytest.mark.parametrize("name", sorted(DB_VERDICTS))
def test_second_opinion_from_digital_bazaar(name: str) -> None:
    report = run(OB30 + name)
    expected = DB_VERDICTS[name]["verified"]
    if name in DB_DISAGREEMENTS:
        assert report.verified is not expected, DB_DISAGREEMENTS[name]
    else:
        assert report.verified is expected, describe(report)


def _valid_fixtures_with_fragment_keys() -> list[str]:
    paths: dict[str, None] = {}
    for param in _cases():
        case = param.values[0]
        if not case.path or case.path in DIFFERENCES or case.expects_invalid:
            continue
        if published_documents((ROOT / case.path).read_bytes(), *_LIST_BYTES):
            paths[case.path] = None
    return list(paths)


@pytest.mark.parametrize("path", _valid_fixtures_with_fragment_keys())
def test_without_the_issuers_published_keys_valid_fixtures_are_unconfirmed(path: str) -> None:
    """A deliberate difference from 1EdTech: a key named `<issuer id>#<publicKeyMultibase>` is
    not the issuer's until the issuer's published document says so (anyone can make one). The
    signature is intact, so the verdict is "unconfirmed", not "invalid" — and not "valid"."""
    report = run(path, published=False)
    assert report.status == "unconfirmed", describe(report)
    assert not report.verified
    codes = {c.code for c in report.failed}
    assert codes & {"issuer_key_unconfirmed", "status_list_unconfirmed", "nested_unconfirmed"}
    assert codes <= {
        "issuer_key_unconfirmed",
        "status_list_unconfirmed",
        "nested_unconfirmed",
        "expired",
        "not_yet_valid",
        "revoked",
        "suspended",
    }, describe(report)
    assert run(path).verified  # the same fixture, with the issuer's published keys
