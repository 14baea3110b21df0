"""1EdTech's OB 3.0, endorsement and CLR 2.0 fixtures through verify_any: the verdict is the
credential core's (tests/vc/test_1edtech_fixtures.py holds those against 1EdTech's), and the
summary says in plain words what each one is."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mosaics.vc import verify as vc_verify
from mosaics.verification.service import verify_any

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1] / "conformance" / "1edtech-validator"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _files() -> list[str]:
    outcomes = json.loads((ROOT / "expected-outcomes.json").read_text())
    names = {
        name for case in outcomes for name in case["files"] if "/ob30/" in name or "/clr20/" in name
    }
    return sorted(names)


@pytest.mark.parametrize("name", _files())
def test_fixture_verdicts_match_the_core_and_are_described(name):
    data = (ROOT / name).read_bytes()
    verdict = verify_any(data, now=NOW)
    report = vc_verify.verify(data, now=NOW)
    assert verdict.status == report.status
    assert [c.code for c in verdict.checks] == [c.code for c in report.checks]
    json.dumps(verdict.to_json())
    if report.credential is not None and verdict.kind in ("ob3", "clr", "endorsement"):
        assert verdict.summary.sentence
        if isinstance(report.credential.get("issuer"), str | dict):
            assert verdict.summary.issuer_name or verdict.summary.issuer_id
        assert verdict.summary.recipient


def test_a_clr_is_summarised_with_its_credentials():
    for name in _files():
        if "/clr20/" not in name:
            continue
        verdict = verify_any((ROOT / name).read_bytes(), now=NOW)
        if verdict.kind == "clr":
            assert verdict.summary.credential_count is not None
            return
    pytest.skip("no CLR fixture")  # pragma: no cover


def test_endorsements_are_listed_with_their_verdicts():
    found = False
    for name in _files():
        verdict = verify_any((ROOT / name).read_bytes(), now=NOW)
        nested = [n for n in verdict.nested if "endorsement" in n.path]
        if nested:
            found = True
            assert len(verdict.summary.endorsements) == len(nested)
            for endorser, report in zip(verdict.summary.endorsements, nested, strict=True):
                assert endorser.name
                assert endorser.status == report.status
    assert found
