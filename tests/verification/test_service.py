"""verify_any on our own awards: every form, and what revocation, suspension and expiry do."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from mosaics.awards import actions
from mosaics.issuance.signing import issuer_did, profile_url
from mosaics.vc import baking
from mosaics.verification.service import verify_any
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


def _forms(award) -> dict[str, bytes | str]:
    """Every form a learner can download: JSON (rdfc, jcs), JWT, baked PNG and SVG of each."""
    out: dict[str, bytes | str] = {}
    for form in ("eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"):
        signed = actions.award_credential_form(award, form)
        out[form] = signed if isinstance(signed, str) else json.dumps(signed)
        out[f"{form}.png"] = baking.bake(_png(), signed)
        out[f"{form}.svg"] = baking.bake(SVG, signed)
    out["bytes"] = json.dumps(award.credential).encode()
    return out


def test_every_form_of_our_award_is_valid_and_described_in_plain_words():
    award = f.award(narrative="Built a bridge.")
    for name, data in _forms(award).items():
        verdict = verify_any(data)
        assert verdict.status == "valid", (name, [c.message for c in verdict.failed])
        assert verdict.verified
        assert verdict.kind == "ob3"
        s = verdict.summary
        assert s.issuer_name == award.issuer.name
        assert s.issuer_id == issuer_did(award.issuer)
        assert s.issuer_profile_url == profile_url(award.issuer)
        assert s.recipient == "a hashed e-mail address", name
        assert "learner@example.org" not in json.dumps(verdict.summary.to_json())
        assert s.achievement_name == award.title
        assert s.criteria_url.startswith("http") or s.criteria_narrative
        assert s.issued is not None
        assert s.valid_from is not None
        assert verdict.award_uuid == award.uuid
        assert {c.name for c in verdict.checks} >= {"proof", "issuer_key", "status"}
    out = verify_any(_forms(award)["jwt.png"])
    assert out.format == "png"
    assert json.loads(json.dumps(out.to_json()))["status"] == "valid"


def test_revoked_award_shows_revoked_with_the_reason(world):
    award = f.award(f.published_version(world.issuer))
    forms = _forms(award)
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Plagiarised portfolio.")
    for name, data in forms.items():
        verdict = verify_any(data)
        assert verdict.status == "revoked", (name, [c.message for c in verdict.failed])
        assert verdict.summary.status_reason == "Plagiarised portfolio."
        assert not verdict.verified


def test_suspended_award_shows_suspended_with_the_reason(world):
    award = f.award(f.published_version(world.issuer))
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review.")
    verdict = verify_any(json.dumps(award.credential))
    assert verdict.status == "suspended"
    assert verdict.summary.status_reason == "Under review."
    actions.award_reinstate(actor=world.tlc_admin, award=award)
    assert verify_any(json.dumps(award.credential)).status == "valid"


def test_expired_award_is_expired():
    version = f.published_version(validity_months=12)
    award = f.award(version, now=datetime.now(UTC) - timedelta(days=800))
    verdict = verify_any(json.dumps(award.credential))
    assert verdict.status == "expired", [c.message for c in verdict.failed]
    assert verdict.summary.valid_until is not None
    assert verdict.summary.valid_until < datetime.now(UTC)


def test_a_tampered_award_is_invalid_and_no_reason_leaks(world):
    award = f.award(f.published_version(world.issuer))
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Secret reason.")
    doc = dict(award.credential)
    doc["name"] = "Something else"
    verdict = verify_any(json.dumps(doc))
    assert verdict.status == "invalid"
    assert verdict.summary.status_reason == ""


def test_a_forged_credential_reusing_our_award_id_gets_no_reason(world):
    """A credential naming our award's id but signed by someone else's key is not ours."""
    from mosaics.vc import dataintegrity, keys

    award = f.award(f.published_version(world.issuer))
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Private matter.")
    key = keys.Ed25519Multikey.generate()
    did = key.controller
    doc = {k: v for k, v in award.credential.items() if k != "proof"}
    doc["issuer"] = {**doc["issuer"], "id": did}
    signed = dataintegrity.sign(doc, key, cryptosuite="eddsa-rdfc-2022", verification_method=key.id)
    verdict = verify_any(json.dumps(signed))
    assert verdict.summary.status_reason == ""
    assert verdict.award_uuid is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        "   ",
        b"\x00\x01\x02binary",
        b"\xff\xfe\xfa not utf-8",
        "[1, 2, 3]",
        "{not json",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJ9.",
        '{"a":' * 10000 + "1" + "}" * 10000,
        "<svg><!DOCTYPE x [<!ENTITY a 'b'>]></svg>",
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
        "x" * (11 * 1024 * 1024),
        "file:///etc/passwd",
        "https://127.0.0.1/badge.json",
        '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}',
        '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "badge": 5, '
        '"verification": {"type": "signed"}}',
    ],
)
def test_malformed_input_gives_a_verdict_never_an_exception(data):
    verdict = verify_any(data)
    assert verdict.status in ("invalid", "unconfirmed")
    assert verdict.checks
    assert all(c.message for c in verdict.checks)
    json.dumps(verdict.to_json())
