"""1EdTech's validator fixtures, imported by a learner: each gives its expected verdict.

``tests/conformance/1edtech-validator/expected-outcomes.json`` says, per fixture, what 1EdTech's
validator concludes; ``tests/vc/test_1edtech_fixtures.py`` checks that our verifier agrees (or
documents, in ``DIFFERENCES``, where it deliberately does not). Importing is that verifier run
**offline**, plus the question "is it this learner's?". So the verdict of an import follows from
1EdTech's by these rules, each explicit below:

1. *Not a badge.* Endorsements, status lists and OB 2.0 BadgeClasses/Issuers are refused
   outright (nothing saved): they are valid documents, but nothing a learner earned.
2. *Deliberate differences* of the verifier (``DIFFERENCES``): rejected, as the core decides.
3. *1EdTech says invalid*: rejected, and the check 1EdTech's probe names fails here too — except
   where the evidence is online: status lists of other issuers are not fetched on import (a
   "could not be checked offline" warning instead of "revoked"), and OB 2.0 problems that only
   the issuer's hosted copy would reveal (see 5).
4. *1EdTech says valid*, OB 3.0 / CLR: 1EdTech trusts a key named ``<issuer id>#<key>``; an
   import has no published document of that issuer, and anyone can make such a key, so the
   badge is **unconfirmed** and rejected with that reason ("issuer_key" fails with
   ``issuer_key_unconfirmed``; for a CLR, also its credentials). Nothing in the fixtures has a
   key an offline import can confirm; our own awards do (``test_import.py``).
5. *OB 2.0*: a hosted assertion is only as good as the issuer's copy, and a signed one's key
   and BadgeClass are published online; none are fetched on import, so every OB 2.0 fixture is
   **unconfirmed** (``not_fetched``), unless the file itself is wrong (context, type): then
   invalid, as 1EdTech says.

Recipients: the learner is given what the fixture names — its subject's DID (bound), or for OB
2.0 the address ``nobody@example.org`` whose salted hash the fixtures carry (verified) — and the
recipient check must then say "yours"; :func:`test_a_fixture_for_someone_else_names_the_mismatch`
checks the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from mosaics.accounts.models import BoundDid
from mosaics.portfolio import imports
from mosaics.portfolio.imports import ImportRefused, external_badge_import
from mosaics.portfolio.models import ExternalBadge
from tests import factories as f
from tests.vc.test_1edtech_fixtures import (
    DIFFERENCES,
    NOW,
    OUTCOMES,
    PROBE_STATUS,
    PROBES,
    ROOT,
    published_documents,
)

pytestmark = pytest.mark.django_db

OB30 = "inspector-vc/src/test/resources/ob30/"
OB20 = "inspector-vc/src/test/resources/ob20/"
CLR20 = "inspector-clr/src/test/resources/clr20/"

#: The address the OB 2.0 fixtures are issued to (sha256 with the salt "deadsea").
OB2_RECIPIENT = "nobody@example.org"

#: Rule 1: refused as not a badge, with words the message must contain.
NOT_BADGES = {
    f"{OB30}endorsement-valid.json": "endorsement",
    f"{OB30}endorsement-err-schema-status-refresh.json": "endorsement",
    f"{OB30}bit-string-list/testlist": "status list",
    f"{OB20}assets/badgeclass1.json": "not a badge",  # a BadgeClass without a type
    f"{OB20}assets/badge-with-data-image.json": "BadgeClass",
    f"{OB20}assets/badgeclass-with-complex-image.json": "BadgeClass",
    f"{OB20}issuer-compact-iri-validation.json": "Issuer",
}

#: Rule 3's exceptions: 1EdTech finds these invalid with what it fetches; offline the import
#: cannot see it, and rejects them as unconfirmed instead (never as valid).
OFFLINE: dict[str, str] = {
    f"{OB30}bit-string-list/credential-status-revoked.json": (
        "revoked in 1EdTech's status list, which is not fetched on import (a warning says the "
        "status could not be checked offline); unconfirmed for its <issuer>#<key> key"
    ),
    f"{OB30}bit-string-list/credential-status-revoked-blank-nodes.json": "as above",
    f"{OB30}simple-err-expired.json": (
        "expired (that check fails here too), and unconfirmed for its key, which outranks it"
    ),
}
OB2_FILE_PROBLEMS = {"ContextPropertyProbe": "context", "TypePropertyProbe": "type"}

UNCONFIRMED_CODES = {"issuer_key_unconfirmed", "status_list_unconfirmed", "nested_unconfirmed"}
SOFT_CODES = {"expired", "not_yet_valid", "revoked", "suspended"}


@dataclass(frozen=True)
class Case:
    path: str
    valid: bool  # 1EdTech's verdict
    warns: bool
    probes: tuple[str, ...]


def _verdict(asserts: list[str]) -> tuple[bool, bool, tuple[str, ...]]:
    invalid = any(
        a.startswith(("assertInvalid", "assertFalse(report.asBoolean"))
        or re.match(r"assert(Error|Fatal)Count\(report, [1-9]", a)
        for a in asserts
    )
    warns = any(a.startswith("assertWarning") for a in asserts)
    probes = tuple(
        m.group(1)
        for a in asserts
        if (m := re.match(r"assertHasProbeID\(report, (\w+)\.ID, true\)", a))
    )
    return not invalid, warns, probes


def _cases() -> list[Any]:
    cases: dict[str, Case] = {}
    for entry in OUTCOMES:
        files = [p for p in entry["files"] if re.search(r"/(ob20|ob30|clr20)/", p)]
        verdicts = [
            a for a in entry["asserts"] if a in ("assertValid(report)", "assertInvalid(report)")
        ]
        if len(files) > 1 and len(verdicts) == len(files):
            # One test, several files, one verdict each (in order): OB 2.0's allowed origins.
            for path, verdict in zip(files, verdicts, strict=True):
                cases.setdefault(path, Case(path, verdict == "assertValid(report)", False, ()))
            continue
        valid, warns, probes = _verdict(entry["asserts"])
        for path in files:
            cases.setdefault(path, Case(path, valid, warns, probes))
    return [pytest.param(c, id=c.path.split("/resources/")[1]) for c in cases.values()]


CASES = _cases()


def _subject_ids(credential: Any) -> list[str]:
    from mosaics.vc._util import as_list

    if not isinstance(credential, dict):
        return []
    return [
        s["id"]
        for s in as_list(credential.get("credentialSubject"))
        if isinstance(s, dict) and isinstance(s.get("id"), str)
    ]


def _learner_named_by(data: bytes) -> tuple[Any, str]:
    """A learner holding the recipient the fixture names: (learner, what was given)."""
    learner = f.UserFactory()
    parsed = imports._parse(data)
    if parsed.kind == "ob2":
        EmailAddress.objects.create(user=learner, email=OB2_RECIPIENT, verified=True)
        recipient = (parsed.credential or {}).get("recipient")
        return learner, "email" if isinstance(recipient, dict) else ""
    ids = _subject_ids(parsed.credential)
    for did in ids:
        BoundDid.objects.create(user=learner, did=did)
    return learner, "did" if ids else ""


def describe(badge: ExternalBadge) -> str:
    failed = [
        f"{c['name']}/{c['code']}: {c['message']}" for c in badge.report["checks"] if not c["ok"]
    ]
    warnings = [f"{w['name']}/{w['code']}" for w in badge.report["warnings"]]
    return (
        f"{badge.status} failed={failed} warnings={warnings} recipient={badge.report['recipient']}"
    )


def test_every_fixture_is_a_case() -> None:
    paths = {p for e in OUTCOMES for p in e["files"] if re.search(r"/(ob20|ob30|clr20)/", p)}
    assert {c.values[0].path for c in CASES} == paths
    assert len(CASES) > 60
    assert set(NOT_BADGES) <= paths
    assert set(OFFLINE) <= paths


@pytest.mark.parametrize("case", CASES)
def test_1edtech_fixture_imports_with_its_expected_verdict(case: Case) -> None:
    data = (ROOT / case.path).read_bytes()
    if case.path in NOT_BADGES:  # rule 1
        someone = f.UserFactory()
        with pytest.raises(ImportRefused) as refused:
            external_badge_import(actor=someone, data=data, now=NOW)
        assert refused.value.code == "not_a_badge"
        assert NOT_BADGES[case.path].lower() in refused.value.message.lower()
        assert not ExternalBadge.objects.exists()
        return

    learner, given = _learner_named_by(data)
    badge = external_badge_import(actor=learner, data=data, filename=case.path, now=NOW)
    failed = {c["name"] for c in badge.report["checks"] if not c["ok"]}
    codes = {c["code"] for c in badge.report["checks"] if not c["ok"]}

    # Whatever the verdict, no fixture is accepted into the mosaic, and the learner sees why.
    assert not badge.verified, describe(badge)
    assert badge.report["rejection"] == {"code": badge.status}, describe(badge)
    assert imports.rejection_text(badge)
    # The recipient check is independent of the verdict: the learner holds what it names.
    if given:
        assert badge.report["recipient"] == {"ok": True, "code": given, "value": ANY}, describe(
            badge
        )
    else:
        assert badge.report["recipient"]["ok"] is False, describe(badge)

    is_ob2 = "/ob20/" in case.path
    if is_ob2:  # rule 5
        file_problems = {OB2_FILE_PROBLEMS[p] for p in case.probes if p in OB2_FILE_PROBLEMS}
        if file_problems:
            assert badge.status == "invalid", describe(badge)
            assert file_problems <= failed, describe(badge)
        else:
            assert badge.status == "unconfirmed", describe(badge)
            assert "not_fetched" in codes, describe(badge)
            assert codes <= {"not_fetched"} | SOFT_CODES, describe(badge)
        return

    difference = DIFFERENCES.get(case.path)
    if difference is not None:  # rule 2
        assert difference.verified is False
        assert badge.status != "valid", describe(badge)
        if case.path not in OFFLINE:
            assert difference.failing in failed, describe(badge)
        return

    if case.path in OFFLINE:  # rule 3's exceptions
        assert badge.status == "unconfirmed", describe(badge)
        if "bit-string-list" in case.path:
            assert "status_not_checked" in {w["code"] for w in badge.report["warnings"]}
        else:
            assert "expired" in codes, describe(badge)
        return

    if not case.valid:  # rule 3
        assert badge.status != "valid", describe(badge)
        for probe in case.probes:
            assert PROBES[probe] & failed, f"{probe}: {describe(badge)}"
            if probe in PROBE_STATUS:
                assert PROBE_STATUS[probe] in codes, describe(badge)
        return

    # Rule 4: valid for 1EdTech, on a key only its issuer's published document could vouch for.
    assert published_documents(data), "a valid fixture an offline import could confirm"
    assert badge.status == "unconfirmed", describe(badge)
    assert "issuer_key" in failed or "credentials" in failed, describe(badge)
    assert codes <= UNCONFIRMED_CODES, describe(badge)
    if case.warns:
        assert badge.report["warnings"], describe(badge)
    assert "could not be confirmed" in imports.rejection_text(badge)


class _Any:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)


ANY = _Any()


def test_a_fixture_for_someone_else_names_the_mismatch() -> None:
    """The same fixtures for a learner who holds neither the DID nor the address: the recipient
    check says it is not theirs (the verdict is unconfirmed as before: that reason leads)."""
    someone = f.UserFactory()
    BoundDid.objects.create(user=someone, did="did:example:someone-else")
    for path, code in (
        (f"{OB30}simple.json", "not_yours"),
        (f"{CLR20}simple.json", "not_yours"),
        (f"{OB20}basic-assertion.json", "not_yours"),
        # Names its recipient by an identifier (a hashed lisSourcedId) that is not theirs.
        (f"{OB30}simple-err-credential-subject-identifier-type.json", "not_yours"),
    ):
        badge = external_badge_import(actor=someone, data=(ROOT / path).read_bytes(), now=NOW)
        assert badge.report["recipient"]["ok"] is False, path
        assert badge.report["recipient"]["code"] == code, path
        words = imports.recipient_text(badge.report["recipient"])
        assert "someone else" in words
        assert not badge.verified


def test_fixture_imports_are_kept_as_failed_imports_and_replaced_when_repeated() -> None:
    learner = f.UserFactory()
    data = (ROOT / OB30 / "simple.json").read_bytes()
    first = external_badge_import(actor=learner, data=data, now=NOW)
    again = external_badge_import(actor=learner, data=data, now=NOW)
    assert list(ExternalBadge.objects.filter(owner=learner)) == [again]
    assert first.pk != again.pk
    assert again.title == "Teamwork"  # the achievement, not the credential's name
    assert again.issuer_name == "Example Corp"
    assert again.issued_on is not None
