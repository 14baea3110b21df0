"""The verifier's report: statuses, checks, warnings, nesting, formats — on credentials we sign."""

from __future__ import annotations

import base64
import copy
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mosaics.vc import baking, dataintegrity, jose, ob3, statuslist
from mosaics.vc.keys import Ed25519Multikey, controller_document
from mosaics.vc.verify import STATUSES, Report, normalise_for_schema, summarise
from mosaics.vc.verify import verify as verify_offline

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER = "https://badges.example.edu/issuers/1"
LIST_URL = "https://badges.example.edu/status/1"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# The issuer's key, and the controller document in which the issuer publishes it. Verifying
# with that document is how a key named `<issuer>#<key>` is confirmed as the issuer's. Another
# issuer (an endorser, or someone signing in our issuer's name) publishes its own.
ISSUER_KEY = Ed25519Multikey.generate(controller=ISSUER)
OTHER_KEY = Ed25519Multikey.generate(controller="https://elsewhere.example/issuers/9")
PUBLISHED = {
    ISSUER: controller_document(ISSUER, [ISSUER_KEY]),
    OTHER_KEY.controller: controller_document(OTHER_KEY.controller, [OTHER_KEY]),
}


def verify(data: Any, **options: Any) -> Report:
    """The verifier, given the issuer's published keys (unless a test passes its own)."""
    options.setdefault("documents", PUBLISHED)
    return verify_offline(data, **options)


@pytest.fixture(scope="module")
def key() -> Ed25519Multikey:
    return ISSUER_KEY


@pytest.fixture(scope="module")
def other_key() -> Ed25519Multikey:
    return OTHER_KEY


def badge(
    *,
    issuer: str = ISSUER,
    valid_from: datetime = NOW - timedelta(days=30),
    valid_until: datetime | None = None,
    status: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential, built with the project's OB 3.0 builders."""
    credential = ob3.achievement_credential(
        id="urn:uuid:5b1d0c1e-2f4a-4a5e-9d8f-1a2b3c4d5e6f",
        issuer=ob3.profile(id=issuer, name="Example College"),
        valid_from=valid_from,
        valid_until=valid_until,
        name="Bread baking",
        credential_subject=ob3.achievement_subject(
            id="did:example:learner-1",
            achievement=ob3.achievement(
                id="https://badges.example.edu/achievements/bread",
                name="Bread baking",
                description="Bakes a sourdough loaf.",
                criteria=ob3.criteria(narrative="Bake a loaf in front of an assessor."),
            ),
        ),
    )
    if status is not None:
        # One entry as an object (as the OB schema has it); several as a list (VC 2.0 allows).
        credential["credentialStatus"] = status if len(status) != 1 else status[0]
    credential.update(extra)
    return credential


def sign(credential: dict[str, Any], key: Ed25519Multikey, suite: str = "eddsa-rdfc-2022") -> Any:
    if suite == "jwt":
        return jose.sign_credential(credential, key)
    if suite == "eddsa-jcs-2022":
        return dataintegrity.sign(credential, key, cryptosuite="eddsa-jcs-2022", created=NOW)
    return dataintegrity.sign(credential, key, created=NOW)


def status_list(
    key: Ed25519Multikey, purpose: str, *set_bits: int, issuer: str = ISSUER
) -> dict[str, Any]:
    bits = statuslist.BitstringStatusList()
    for index in set_bits:
        bits.set(index)
    unsigned = statuslist.status_list_credential(
        list_url=f"{LIST_URL}/{purpose}",
        issuer=issuer,
        status_list=bits,
        purpose=purpose,
        valid_from=NOW - timedelta(days=1),
    )
    return dataintegrity.sign(unsigned, key, created=NOW)


def entry(purpose: str, index: int) -> dict[str, Any]:
    return statuslist.status_entry(f"{LIST_URL}/{purpose}", index, purpose)


def explain(report: Report) -> str:
    return json.dumps(report.to_json(), indent=1)[:4000]


# -- the happy path ---------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"])
def test_a_signed_badge_verifies(key: Ed25519Multikey, suite: str) -> None:
    report = verify(sign(badge(), key, suite), now=NOW)
    assert report.verified, explain(report)
    assert report.status == "valid"
    assert report.format == ("jwt" if suite == "jwt" else "json")
    assert not report.warnings
    names = [c.name for c in report.checks]
    assert names[:5] == ["parse", "context", "type", "plain_form", "safe_mode"]
    assert {"schema", "proof", "issuer_key", "validity"} <= set(names)
    assert report.summary == (
        "Issued by Example College to did:example:learner-1 for “Bread baking”."
    )


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"])
def test_a_key_read_from_the_method_id_alone_is_reported_as_unconfirmed(
    key: Ed25519Multikey, suite: str
) -> None:
    """`<issuer>#<key>` with no published document: the signature is intact, but nothing
    confirms the key is the issuer's, so the credential is not verified: "unconfirmed"."""
    report = verify(sign(badge(), key, suite), now=NOW, documents={})
    assert not report.verified, explain(report)
    assert report.status == "unconfirmed"
    assert report.check("proof").ok  # type: ignore[union-attr]
    assert [(c.name, c.code) for c in report.failed] == [("issuer_key", "issuer_key_unconfirmed")]
    message = report.failed[0].message
    assert "nothing confirms" in message
    assert "published key document" in message
    assert report.to_json()["status"] == "unconfirmed"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jwt"])
def test_anyone_can_name_a_key_under_an_issuers_address(suite: str) -> None:
    """A key made by someone else, named `<issuer>#<their key>`: never verified. Unconfirmed
    without the issuer's document, invalid with it (the document does not list that key)."""
    intruder = Ed25519Multikey.generate(controller=ISSUER)
    forged = sign(badge(), intruder, suite)
    assert verify(forged, now=NOW, documents={}).status == "unconfirmed"
    report = verify(forged, now=NOW)
    assert report.status == "invalid", explain(report)
    assert report.failed[0].name == "proof"


def test_unconfirmed_outranks_expired(key: Ed25519Multikey) -> None:
    report = verify(sign(badge(valid_until=NOW - timedelta(days=1)), key), now=NOW, documents={})
    assert report.status == "unconfirmed", explain(report)
    assert {c.code for c in report.failed} == {"issuer_key_unconfirmed", "expired"}


def test_report_json_shape(key: Ed25519Multikey) -> None:
    data = verify(json.dumps(sign(badge(), key)).encode(), now=NOW).to_json()
    assert data["verified"] is True
    assert data["status"] == "valid"
    assert data["format"] == "json"
    assert data["credential"]["name"] == "Bread baking"
    assert set(data["checks"][0]) == {"name", "ok", "code", "message"}
    json.dumps(data)


def test_bytes_text_and_mapping_agree(key: Ed25519Multikey) -> None:
    signed = sign(badge(), key)
    reports = [verify(signed, now=NOW), verify(json.dumps(signed), now=NOW)]
    reports.append(verify(json.dumps(signed).encode(), now=NOW))
    assert all(r.verified for r in reports)


def test_now_defaults_to_the_current_time(key: Ed25519Multikey) -> None:
    assert verify(sign(badge(valid_from=datetime.now(UTC) - timedelta(days=1)), key)).verified


# -- validity window --------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jwt"])
def test_expired_is_reported_as_expired(key: Ed25519Multikey, suite: str) -> None:
    signed = sign(badge(valid_until=NOW - timedelta(days=1)), key, suite)
    report = verify(signed, now=NOW)
    assert report.status == "expired", explain(report)
    assert not report.verified
    assert [c.name for c in report.failed] == ["validity"]
    assert "expired" in report.failed[0].message
    # and it was fine before
    assert verify(signed, now=NOW - timedelta(days=2)).verified


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jwt"])
def test_not_yet_valid_is_reported_as_such(key: Ed25519Multikey, suite: str) -> None:
    signed = sign(badge(valid_from=NOW + timedelta(days=3)), key, suite)
    report = verify(signed, now=NOW)
    assert report.status == "not_yet_valid", explain(report)
    assert [c.name for c in report.failed] == ["validity"]
    assert verify(signed, now=NOW + timedelta(days=4)).verified


def test_a_window_that_ends_before_it_starts_is_invalid(key: Ed25519Multikey) -> None:
    signed = sign(badge(valid_from=NOW, valid_until=NOW - timedelta(days=1)), key)
    report = verify(signed, now=NOW)
    assert report.status == "invalid"


def test_unreadable_dates_are_invalid_not_expired(key: Ed25519Multikey) -> None:
    credential = badge()
    credential["validUntil"] = "next Tuesday"
    report = verify(credential, now=NOW)
    assert report.status == "invalid"
    assert not report.check("validity").ok  # type: ignore[union-attr]


def test_naive_now_is_taken_as_utc(key: Ed25519Multikey) -> None:
    signed = sign(badge(valid_until=NOW + timedelta(hours=1)), key)
    assert verify(signed, now=NOW.replace(tzinfo=None)).verified


# -- status lists -----------------------------------------------------------------------------


def test_revoked_is_reported_as_revoked(key: Ed25519Multikey) -> None:
    revocations = status_list(key, "revocation", 42)
    signed = sign(badge(status=[entry("revocation", 42)]), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": revocations})
    assert report.status == "revoked", explain(report)
    assert [c.name for c in report.failed] == ["status"]
    assert report.failed[0].code == "revoked"


def test_not_revoked_when_the_bit_is_clear(key: Ed25519Multikey) -> None:
    revocations = status_list(key, "revocation", 42)
    signed = sign(badge(status=[entry("revocation", 41)]), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": revocations})
    assert report.verified, explain(report)
    assert report.check("status").ok  # type: ignore[union-attr]


def test_suspended_is_reported_as_suspended(key: Ed25519Multikey) -> None:
    suspensions = status_list(key, "suspension", 7)
    revocations = status_list(key, "revocation")
    signed = sign(badge(status=[entry("revocation", 7), entry("suspension", 7)]), key)
    lists = {f"{LIST_URL}/suspension": suspensions, f"{LIST_URL}/revocation": revocations}
    report = verify(signed, now=NOW, status_lists=lists)
    assert report.status == "suspended", explain(report)


def test_revoked_wins_over_expired(key: Ed25519Multikey) -> None:
    revocations = status_list(key, "revocation", 1)
    signed = sign(badge(status=[entry("revocation", 1)], valid_until=NOW - timedelta(days=1)), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": revocations})
    assert report.status == "revoked"
    assert {c.name for c in report.failed} == {"status", "validity"}


def test_a_status_list_not_supplied_is_a_warning(key: Ed25519Multikey) -> None:
    report = verify(sign(badge(status=[entry("revocation", 3)]), key), now=NOW)
    assert report.verified, explain(report)
    assert [w.code for w in report.warnings] == ["status_not_checked"]
    assert "could not be checked offline" in report.warnings[0].message
    assert report.check("status") is None


def test_a_status_list_can_be_supplied_as_text_or_jwt(key: Ed25519Multikey) -> None:
    revocations = status_list(key, "revocation", 5)
    signed = sign(badge(status=[entry("revocation", 5)]), key)
    for supplied in (json.dumps(revocations), json.dumps(revocations).encode()):
        report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": supplied})
        assert report.status == "revoked", explain(report)
    unsigned = {k: v for k, v in revocations.items() if k != "proof"}
    token = jose.sign_credential(unsigned, key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": token})
    assert report.status == "revoked", explain(report)


def test_a_tampered_status_list_is_not_trusted(key: Ed25519Multikey) -> None:
    revocations = status_list(key, "revocation", 9)
    forged = copy.deepcopy(revocations)
    forged["credentialSubject"]["encodedList"] = statuslist.BitstringStatusList().encode()
    signed = sign(badge(status=[entry("revocation", 9)]), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": forged})
    assert report.status == "invalid", explain(report)
    assert report.failed[0].name == "status"
    assert report.failed[0].code == "status_list_invalid"


def test_a_status_list_from_another_issuer_is_not_trusted(
    key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    theirs = status_list(other_key, "revocation", issuer=other_key.controller)
    signed = sign(badge(status=[entry("revocation", 9)]), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": theirs})
    assert report.status == "invalid", explain(report)
    assert "not by the credential's issuer" in report.failed[0].message


def test_a_status_list_with_the_wrong_purpose_fails(key: Ed25519Multikey) -> None:
    suspensions = status_list(key, "suspension", 9)
    signed = sign(badge(status=[entry("revocation", 9)]), key)
    report = verify(signed, now=NOW, status_lists={f"{LIST_URL}/revocation": suspensions})
    assert report.status == "invalid"


def test_unknown_status_kinds_are_a_warning(key: Ed25519Multikey) -> None:
    status = [{"id": "https://x.example/revocations", "type": "1EdTechRevocationList"}]
    credential = badge(status=status)
    credential["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    report = verify(sign(credential, key), now=NOW)
    assert report.verified, explain(report)
    assert [w.code for w in report.warnings] == ["status_unsupported"]


# -- proofs and keys --------------------------------------------------------------------------


def test_a_tampered_credential_fails_the_proof(key: Ed25519Multikey) -> None:
    signed = sign(badge(), key)
    signed["credentialSubject"]["achievement"]["name"] = "Cake baking"
    report = verify(signed, now=NOW)
    assert report.status == "invalid"
    assert [c.name for c in report.failed] == ["proof"]


def test_an_unsigned_credential_fails(key: Ed25519Multikey) -> None:
    report = verify(badge(), now=NOW)
    assert report.status == "invalid"
    assert report.check("proof").code == "proof_missing"  # type: ignore[union-attr]


def test_a_key_that_is_not_the_issuers_fails(other_key: Ed25519Multikey) -> None:
    report = verify(sign(badge(), other_key), now=NOW)
    assert report.check("proof").ok, explain(report)  # type: ignore[union-attr]
    assert report.failed[0].name == "issuer_key"
    assert report.status == "invalid"


def test_did_key_issuers(key: Ed25519Multikey) -> None:
    did_key = Ed25519Multikey.generate()
    report = verify(sign(badge(issuer=did_key.controller), did_key), now=NOW)
    assert report.verified, explain(report)
    assert did_key.controller.startswith("did:key:")


def test_did_web_issuers_need_their_document(key: Ed25519Multikey) -> None:
    did = "did:web:badges.example.edu"
    web_key = Ed25519Multikey.generate(controller=did, id=f"{did}#key-1")
    signed = sign(badge(issuer=did), web_key)
    without = verify(signed, now=NOW)
    assert not without.verified
    assert without.failed[0].name == "proof"
    document = controller_document(did, [web_key])
    report = verify(signed, now=NOW, documents={did: document})
    assert report.verified, explain(report)


def test_a_single_proof_object_is_accepted_and_said_so(key: Ed25519Multikey) -> None:
    signed = sign(badge(), key)
    signed["proof"] = signed["proof"][0]
    report = verify(signed, now=NOW)
    assert report.verified, explain(report)
    assert "a single proof object as a one-item list" in report.check("schema").message  # type: ignore[union-attr]


def test_normalise_for_schema_turns_single_values_into_lists() -> None:
    doc, changes = normalise_for_schema(
        {"@context": [VC2], "proof": {"type": "DataIntegrityProof"}, "issuer": {"type": "Profile"}}
    )
    assert doc["proof"] == [{"type": "DataIntegrityProof"}]
    assert doc["issuer"]["type"] == ["Profile"]
    assert changes


def test_jwt_with_a_foreign_kid_fails(key: Ed25519Multikey, other_key: Ed25519Multikey) -> None:
    token = jose.sign_credential(badge(), other_key)
    report = verify(token, now=NOW)
    assert not report.verified
    assert report.check("proof").ok  # type: ignore[union-attr]  # a real signature …
    assert [c.name for c in report.failed] == ["issuer_key"]  # … by someone else


def test_jwt_tampered_payload_fails(key: Ed25519Multikey) -> None:
    header, payload, signature = jose.sign_credential(badge(), key).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Forged"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    report = verify(f"{header}.{forged}.{signature}", now=NOW)
    assert report.status == "invalid"
    assert report.check("proof").ok is False  # type: ignore[union-attr]


def test_undefined_terms_fail_safe_mode(key: Ed25519Multikey) -> None:
    credential = badge()
    credential["credentialSubject"]["favouriteColour"] = "blue"
    report = verify(credential, now=NOW)
    assert report.check("safe_mode").ok is False  # type: ignore[union-attr]
    assert "favouriteColour" in report.check("safe_mode").message  # type: ignore[union-attr]


def test_unknown_contexts_fail_and_are_not_fetched(key: Ed25519Multikey) -> None:
    credential = badge()
    credential["@context"].append("https://evil.example/context.json")
    report = verify(credential, now=NOW)
    context = report.check("context")
    assert context is not None
    assert context.code == "context_unknown"
    assert "not fetched" in context.message


def test_vc_1_1_is_accepted_with_a_warning(key: Ed25519Multikey) -> None:
    credential = badge()
    credential["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        OB3,
        "https://w3id.org/security/data-integrity/v2",  # VC 1.1 does not define the proof terms
    ]
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = iso(NOW + timedelta(days=1))
    report = verify(sign(credential, key), now=NOW)
    assert report.verified, explain(report)
    assert [w.code for w in report.warnings] == ["vc_1_1"]
    late = verify(sign(credential, key), now=NOW + timedelta(days=2))
    assert late.status == "expired"


# -- baked images -----------------------------------------------------------------------------


def png_image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    b'<rect width="4" height="4"/></svg>'
)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jwt"])
@pytest.mark.parametrize("kind", ["png", "svg"])
def test_baked_images_verify(key: Ed25519Multikey, suite: str, kind: str) -> None:
    signed = sign(badge(), key, suite)
    image = baking.bake_png(png_image(), signed) if kind == "png" else baking.bake_svg(SVG, signed)
    report = verify(image, now=NOW)
    assert report.verified, explain(report)
    assert report.format == kind


def test_an_image_without_a_credential_fails(key: Ed25519Multikey) -> None:
    for image in (png_image(), SVG):
        report = verify(image, now=NOW)
        assert report.status == "invalid"
        assert report.failed[0].name == "parse"


# -- CLR and endorsements ---------------------------------------------------------------------


def clr(members: list[Any], key: Ed25519Multikey) -> dict[str, Any]:
    unsigned = ob3.clr_credential(
        id="urn:uuid:0c7e6d5a-1111-4a5e-9d8f-1a2b3c4d5e6f",
        issuer=ob3.profile(id=ISSUER, name="Example College"),
        valid_from=NOW - timedelta(days=1),
        name="Transcript",
        credential_subject=ob3.clr_subject(
            id="did:example:learner-1", verifiable_credential=members
        ),
    )
    return sign(unsigned, key)


def test_a_clr_reports_each_nested_credential(key: Ed25519Multikey) -> None:
    good = sign(badge(), key)
    expired = sign(badge(valid_until=NOW - timedelta(days=1)), key)
    report = verify(clr([good, expired], key), now=NOW)
    assert report.verified, explain(report)  # an expired badge inside is worth a warning only
    assert [n.status for n in report.nested] == ["valid", "expired"]
    assert [w.code for w in report.warnings] == ["nested_expired"]
    assert "holding 2 credentials" in report.summary


def test_a_clr_with_a_forged_member_fails(key: Ed25519Multikey) -> None:
    forged = sign(badge(), key)
    forged["name"] = "Forged"
    # the CLR itself is signed over the forged member: its own proof is fine
    report = verify(clr([sign(badge(), key), forged], key), now=NOW)
    assert report.status == "invalid"
    assert [c.name for c in report.failed] == ["credentials"]
    assert report.nested[1].failed[0].name == "proof"


def endorsement(key: Ed25519Multikey, subject_id: str) -> dict[str, Any]:
    unsigned = ob3.endorsement_credential(
        id="urn:uuid:e0d0e0d0-2222-4a5e-9d8f-1a2b3c4d5e6f",
        issuer=ob3.profile(id=key.controller, name="Bakers' Guild"),
        valid_from=NOW - timedelta(days=10),
        name="Guild endorsement",
        credential_subject=ob3.endorsement_subject(
            id=subject_id, endorsement_comment="A fine course."
        ),
    )
    return sign(unsigned, key)


def test_embedded_endorsements_are_verified(
    key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    credential = badge()
    achievement = credential["credentialSubject"]["achievement"]
    achievement["endorsement"] = [endorsement(other_key, achievement["id"])]
    report = verify(sign(credential, key), now=NOW)
    assert report.verified, explain(report)
    assert [n.path for n in report.nested] == ["credentialSubject.achievement.endorsement[0]"]
    assert report.nested[0].summary.startswith("An endorsement by Bakers' Guild")

    forged = endorsement(other_key, achievement["id"])
    forged["credentialSubject"]["endorsementComment"] = "The best course."
    achievement["endorsement"] = [forged]
    report = verify(sign(credential, key), now=NOW)
    assert report.status == "invalid"
    assert [c.name for c in report.failed] == ["endorsements"]


def test_an_endorsement_credential_on_its_own(other_key: Ed25519Multikey) -> None:
    report = verify(endorsement(other_key, ISSUER), now=NOW)
    assert report.verified, explain(report)


# -- summary ----------------------------------------------------------------------------------


def test_summary_handles_odd_shapes() -> None:
    assert "an unnamed issuer" in summarise({"type": "VerifiableCredential"})
    subject = {"identifier": [{"hashed": True, "identityType": "emailAddress"}]}
    text = summarise({"issuer": "https://x.example", "credentialSubject": subject})
    assert "hashed emailAddress" in text
    assert summarise({"issuer": {"name": {"en": "Lang map"}}}).startswith("Issued by Lang map")


def test_every_status_is_listed() -> None:
    assert set(STATUSES) == {
        "valid",
        "invalid",
        "unconfirmed",
        "expired",
        "not_yet_valid",
        "revoked",
        "suspended",
    }


def test_a_baked_open_badges_2_image_is_recognised_but_not_verified() -> None:
    from pathlib import Path

    png = (
        Path(__file__).resolve().parents[1]
        / "conformance/1edtech-validator/inspector-vc/src/test/resources/ob20/simple-badge.png"
    ).read_bytes()
    report = verify(png, now=NOW)
    assert report.status == "invalid"
    assert report.format == "png"
    assert report.failed[0].code == "ob2_unsupported"
    assert "Open Badges 2.0" in report.failed[0].message


# -- plain form: what the checks read is what the signature covers ----------------------------

XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
CRED = "https://www.w3.org/2018/credentials#"
CLR_VOCAB = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#"
OB_VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"


def same_rdf(a: dict[str, Any], b: dict[str, Any]) -> bool:
    from mosaics.vc import jsonld

    def unsecured(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k != "proof"}

    return jsonld.canonicalize(unsecured(a)) == jsonld.canonicalize(unsecured(b))


def assert_not_plain(report: Report, name: str) -> None:
    check = report.check("plain_form")
    assert check is not None, explain(report)
    assert not check.ok, explain(report)
    assert check.code == "not_plain_form"
    assert name in check.message
    assert report.status == "invalid"
    assert report.check("proof").code == "not_checked"  # type: ignore[union-attr]


def test_an_expiry_renamed_to_its_full_iri_is_refused(key: Ed25519Multikey) -> None:
    signed = sign(badge(valid_until=NOW - timedelta(days=1)), key)
    assert verify(signed, now=NOW).status == "expired"
    hidden = copy.deepcopy(signed)
    hidden[f"{CRED}validUntil"] = {"@value": hidden.pop("validUntil"), "@type": XSD_DATETIME}
    assert same_rdf(signed, hidden)  # the signature cannot tell the two apart
    assert_not_plain(verify(hidden, now=NOW), f"{CRED}validUntil")


def test_a_start_renamed_to_its_full_iri_is_refused(key: Ed25519Multikey) -> None:
    signed = sign(badge(valid_from=NOW + timedelta(days=10)), key)
    hidden = copy.deepcopy(signed)
    hidden[f"{CRED}validFrom"] = {"@value": hidden.pop("validFrom"), "@type": XSD_DATETIME}
    assert_not_plain(verify(hidden, now=NOW), f"{CRED}validFrom")


def test_a_status_renamed_to_its_full_iri_is_refused(key: Ed25519Multikey) -> None:
    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation", 1234)}
    signed = sign(badge(status=[entry("revocation", 1234)]), key)
    assert verify(signed, now=NOW, status_lists=lists).status == "revoked"
    hidden = copy.deepcopy(signed)
    hidden[f"{CRED}credentialStatus"] = hidden.pop("credentialStatus")
    assert same_rdf(signed, hidden)
    assert_not_plain(verify(hidden, now=NOW, status_lists=lists), f"{CRED}credentialStatus")


def test_keywords_instead_of_id_and_type_are_refused(key: Ed25519Multikey) -> None:
    signed = sign(badge(status=[entry("revocation", 3)]), key)
    hidden = copy.deepcopy(signed)
    hidden["credentialStatus"]["@type"] = hidden["credentialStatus"].pop("type")
    assert same_rdf(signed, hidden)
    assert_not_plain(verify(hidden, now=NOW), "@type")
    hidden = copy.deepcopy(signed)
    hidden["@id"] = hidden.pop("id")
    assert_not_plain(verify(hidden, now=NOW), "@id")


def test_a_status_type_written_as_its_full_iri_is_refused(key: Ed25519Multikey) -> None:
    """Otherwise a revoked credential's entry reads as "a kind we cannot check": a warning."""
    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation", 8)}
    signed = sign(badge(status=[entry("revocation", 8)]), key)
    hidden = copy.deepcopy(signed)
    full = "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"
    hidden["credentialStatus"]["type"] = full
    assert_not_plain(verify(hidden, now=NOW, status_lists=lists), full)


def test_a_proofs_expiry_renamed_to_its_full_iri_is_refused(key: Ed25519Multikey) -> None:
    signed = dataintegrity.sign(
        badge(), key, created=NOW - timedelta(days=2), expires=NOW - timedelta(days=1)
    )
    assert verify(signed, now=NOW).status == "invalid"
    hidden = copy.deepcopy(signed)
    proof = hidden["proof"][0]
    proof["https://w3id.org/security#expiration"] = {
        "@value": proof.pop("expires"),
        "@type": XSD_DATETIME,
    }
    report = verify(hidden, now=NOW)
    assert_not_plain(report, "https://w3id.org/security#expiration")
    assert "proof[0]" in report.check("plain_form").message  # type: ignore[union-attr]


def test_value_objects_are_refused(key: Ed25519Multikey) -> None:
    signed = sign(badge(valid_until=NOW + timedelta(days=1)), key)
    hidden = copy.deepcopy(signed)
    hidden["validUntil"] = {"@value": hidden["validUntil"], "@type": XSD_DATETIME}
    assert_not_plain(verify(hidden, now=NOW), "@value")


@pytest.mark.parametrize(
    "where",
    ["credential", "proof", "nested"],
)
def test_inline_contexts_are_refused(key: Ed25519Multikey, where: str) -> None:
    credential = sign(badge(), key)
    inline = {"colour": "https://example.org/colour"}
    if where == "credential":
        credential["@context"] = [*credential["@context"], inline]
        name = "defines terms itself"
    elif where == "proof":
        credential["proof"][0]["@context"] = inline
        name = "defines terms itself"
    else:
        credential["credentialSubject"]["@context"] = [VC2]
        name = "an @context inside credentialSubject"
    assert_not_plain(verify(credential, now=NOW), name)


def test_clr_members_renamed_to_their_full_iri_are_refused(key: Ed25519Multikey) -> None:
    forged = sign(badge(), key)
    forged["name"] = "Forged"
    signed = clr([sign(badge(), key), forged], key)
    assert verify(signed, now=NOW).status == "invalid"
    # all of them, or only the bad ones, under the full IRI
    for split in (0, 1):
        hidden = copy.deepcopy(signed)
        subject = hidden["credentialSubject"]
        members = subject.pop("verifiableCredential")
        if split:
            subject["verifiableCredential"] = members[:split]
        subject[f"{CLR_VOCAB}verifiableCredential"] = members[split:]
        assert_not_plain(verify(hidden, now=NOW), f"{CLR_VOCAB}verifiableCredential")


def test_endorsements_renamed_to_their_full_iri_are_refused(
    key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    credential = badge()
    achievement = credential["credentialSubject"]["achievement"]
    forged = endorsement(other_key, achievement["id"])
    forged["credentialSubject"]["endorsementComment"] = "The best course in the world."
    achievement["endorsement"] = [forged]
    signed = sign(credential, key)
    assert verify(signed, now=NOW).status == "invalid"
    hidden = copy.deepcopy(signed)
    moved = hidden["credentialSubject"]["achievement"]
    moved[f"{OB_VOCAB}endorsement"] = moved.pop("endorsement")
    assert same_rdf(signed, hidden)
    assert_not_plain(verify(hidden, now=NOW), f"{OB_VOCAB}endorsement")


# -- status entries of an unexpected shape fail closed ----------------------------------------


def test_a_status_list_given_as_a_node_reference_fails(key: Ed25519Multikey) -> None:
    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation", 1234)}
    signed = sign(badge(status=[entry("revocation", 1234)]), key)
    hidden = copy.deepcopy(signed)
    hidden["credentialStatus"]["statusListCredential"] = {"id": f"{LIST_URL}/revocation"}
    assert same_rdf(signed, hidden)  # the same RDF: statusListCredential is an @id term
    report = verify(hidden, now=NOW, status_lists=lists)
    assert report.status == "invalid", explain(report)
    assert [(c.name, c.code) for c in report.failed] == [("status", "status_entry_invalid")]
    assert "statusListCredential" in report.failed[0].message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statusListIndex", [5]),
        ("statusListIndex", 5.0),
        ("statusListIndex", True),
        ("statusPurpose", ["revocation"]),
        ("statusPurpose", None),
        ("statusListCredential", [f"{LIST_URL}/revocation"]),
        ("type", None),
        ("type", {"id": "BitstringStatusListEntry"}),
    ],
)
def test_status_entries_of_an_unexpected_shape_fail(field: str, value: Any) -> None:
    credential = badge(status=[entry("revocation", 5)])
    if value is None:
        del credential["credentialStatus"][field]
    else:
        credential["credentialStatus"][field] = value
    report = verify(credential, now=NOW)
    status = report.check("status")
    assert status is not None, explain(report)
    assert status.code == "status_entry_invalid"


def test_a_status_entry_split_in_two_with_one_id_fails(key: Ed25519Multikey) -> None:
    """Two JSON objects with the same id are one node in RDF: each alone says too little."""
    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation", 6)}
    signed = sign(badge(status=[entry("revocation", 6)]), key)
    hidden = copy.deepcopy(signed)
    whole = hidden["credentialStatus"]
    hidden["credentialStatus"] = [
        {k: v for k, v in whole.items() if k != "statusListCredential"},
        {k: v for k, v in whole.items() if k in ("id", "type", "statusListCredential")},
    ]
    assert same_rdf(signed, hidden)
    report = verify(hidden, now=NOW, status_lists=lists)
    assert report.status == "invalid", explain(report)
    assert report.check("status").code == "status_entry_invalid"  # type: ignore[union-attr]


def test_more_status_entries_than_the_limit_fail(key: Ed25519Multikey) -> None:
    from mosaics.vc.verify import MAX_STATUS_ENTRIES

    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation", 5)}
    entries = [
        statuslist.status_entry(f"https://badges.example.edu/status/other{i}", i, "revocation")
        for i in range(MAX_STATUS_ENTRIES)
    ]
    signed = sign(badge(status=[*entries, entry("revocation", 5)]), key)
    report = verify(signed, now=NOW, status_lists=lists)
    assert not report.verified, explain(report)
    assert report.check("status").code == "too_large"  # type: ignore[union-attr]


def test_a_status_list_must_be_the_one_named(key: Ed25519Multikey) -> None:
    """Another list of the same issuer (say one where the bit is clear) does not stand in."""
    other = statuslist.status_list_credential(
        list_url=f"{LIST_URL}/another",
        issuer=ISSUER,
        status_list=statuslist.BitstringStatusList(),
        purpose="revocation",
        valid_from=NOW - timedelta(days=1),
    )
    signed = sign(badge(status=[entry("revocation", 5)]), key)
    lists = {f"{LIST_URL}/revocation": dataintegrity.sign(other, key, created=NOW)}
    report = verify(signed, now=NOW, status_lists=lists)
    assert report.status == "invalid", explain(report)
    assert report.failed[0].code == "status_list_invalid"
    assert f"{LIST_URL}/another" in report.failed[0].message


# -- nested credentials of an unexpected shape fail closed ------------------------------------


def test_endorsements_must_be_objects(key: Ed25519Multikey, other_key: Ed25519Multikey) -> None:
    credential = badge()
    achievement = credential["credentialSubject"]["achievement"]
    token = jose.sign_credential(
        {k: v for k, v in endorsement(other_key, achievement["id"]).items() if k != "proof"},
        other_key,
    )
    achievement["endorsement"] = [token]  # a JWT where an object belongs
    report = verify(credential, now=NOW)
    endorsements = report.check("endorsements")
    assert endorsements is not None, explain(report)
    assert endorsements.code == "nested_invalid"
    assert "not a credential object" in endorsements.message


def test_a_clr_subject_that_is_not_an_object_fails(key: Ed25519Multikey) -> None:
    signed = clr([sign(badge(), key)], key)
    signed["credentialSubject"] = [signed["credentialSubject"], "did:example:learner-2"]
    report = verify(signed, now=NOW)
    assert not report.verified
    assert report.check("credentials").code == "malformed"  # type: ignore[union-attr]


# -- unconfirmed keys anywhere inside ---------------------------------------------------------

STRANGER = Ed25519Multikey.generate(controller="https://stranger.example/issuers/2")


def test_an_unconfirmed_clr_member_makes_the_clr_unconfirmed(key: Ed25519Multikey) -> None:
    member = sign(badge(issuer=STRANGER.controller), STRANGER)  # no document for the stranger
    report = verify(clr([sign(badge(), key), member], key), now=NOW)
    assert report.status == "unconfirmed", explain(report)
    assert [n.status for n in report.nested] == ["valid", "unconfirmed"]
    assert [(c.name, c.code) for c in report.failed] == [("credentials", "nested_unconfirmed")]
    assert "verifiableCredential[1]" in report.failed[0].message
    published = {
        **PUBLISHED,
        STRANGER.controller: controller_document(STRANGER.controller, [STRANGER]),
    }
    assert verify(clr([member], key), now=NOW, documents=published).verified


def test_an_unconfirmed_endorsement_makes_the_credential_unconfirmed(
    key: Ed25519Multikey,
) -> None:
    credential = badge()
    achievement = credential["credentialSubject"]["achievement"]
    achievement["endorsement"] = [endorsement(STRANGER, achievement["id"])]
    report = verify(sign(credential, key), now=NOW)
    assert report.status == "unconfirmed", explain(report)
    assert report.check("endorsements").code == "nested_unconfirmed"  # type: ignore[union-attr]


def test_an_unconfirmed_status_list_is_not_relied_on(key: Ed25519Multikey) -> None:
    lists = {f"{LIST_URL}/revocation": status_list(key, "revocation")}  # bit clear
    signed = sign(badge(status=[entry("revocation", 4)]), key)
    assert verify(signed, now=NOW, status_lists=lists).verified
    report = verify(signed, now=NOW, status_lists=lists, documents={})
    assert report.status == "unconfirmed", explain(report)
    status = report.check("status")
    assert status is not None
    assert (status.ok, status.code) == (False, "status_list_unconfirmed")
    assert "nothing confirms" in status.message


def test_a_did_key_issuers_status_list_is_confirmed() -> None:
    did_key = Ed25519Multikey.generate()
    bits = statuslist.BitstringStatusList()
    bits.set(3)
    unsigned = statuslist.status_list_credential(
        list_url=f"{LIST_URL}/revocation",
        issuer=did_key.controller,
        status_list=bits,
        purpose="revocation",
        valid_from=NOW - timedelta(days=1),
    )
    lists = {f"{LIST_URL}/revocation": dataintegrity.sign(unsigned, did_key, created=NOW)}
    signed = sign(badge(issuer=did_key.controller, status=[entry("revocation", 3)]), did_key)
    assert verify(signed, now=NOW, status_lists=lists, documents={}).status == "revoked"


# -- legacy proofs, validity bounds, JWT claims -----------------------------------------------


def legacy_sign(credential: dict[str, Any], key: Ed25519Multikey, **options: Any) -> Any:
    """A DataIntegrityProof with the draft cryptosuite name eddsa-2022 (the RDFC-1.0 hashing)."""
    import hashlib

    import base58

    from mosaics.vc import jsonld

    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": iso(NOW - timedelta(days=2)),
        "verificationMethod": key.id,
        "proofPurpose": "assertionMethod",
        **options,
    }
    hash_data = (
        hashlib.sha256(
            jsonld.canonicalize({**proof, "@context": credential["@context"]}).encode()
        ).digest()
        + hashlib.sha256(jsonld.canonicalize(credential).encode()).digest()
    )
    proof["proofValue"] = "z" + base58.b58encode(key.sign(hash_data)).decode()
    return {**credential, "proof": [proof]}


def test_legacy_proofs_honour_expires(key: Ed25519Multikey) -> None:
    current = verify(legacy_sign(badge(), key, expires=iso(NOW + timedelta(days=1))), now=NOW)
    assert current.verified, explain(current)
    assert [w.code for w in current.warnings] == ["proof_legacy"]
    expired = verify(legacy_sign(badge(), key, expires=iso(NOW - timedelta(days=1))), now=NOW)
    assert expired.status == "invalid", explain(expired)
    assert "expired" in expired.check("proof").message  # type: ignore[union-attr]
    broken = verify(legacy_sign(badge(), key, expires="soon"), now=NOW)
    assert broken.status == "invalid"


def test_legacy_proofs_need_the_assertion_purpose(key: Ed25519Multikey) -> None:
    report = verify(legacy_sign(badge(), key, proofPurpose="authentication"), now=NOW)
    assert report.status == "invalid"
    assert "purpose" in report.check("proof").message  # type: ignore[union-attr]


def test_vc_1_1_takes_the_earliest_end(key: Ed25519Multikey) -> None:
    credential = badge()
    credential["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        OB3,
        "https://w3id.org/security/data-integrity/v2",
    ]
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = iso(NOW - timedelta(days=1))
    credential["validUntil"] = iso(NOW + timedelta(days=30))
    report = verify(sign(credential, key), now=NOW)
    assert report.status == "expired", explain(report)
    assert iso(NOW - timedelta(days=1))[:10] in report.check("validity").message  # type: ignore[union-attr]


def test_jwt_claims_left_out_of_the_credential_are_the_registered_ones(
    key: Ed25519Multikey,
) -> None:
    from mosaics.vc import verify as verify_module

    assert verify_module._JWT_CLAIMS == jose.REGISTERED_CLAIMS
    # Anything else in the payload is the credential's and is checked like the rest of it.
    report = verify(jose.sign_credential(badge(nonce="abc"), key), now=NOW)
    assert not report.verified, explain(report)
    assert "nonce" in report.check("safe_mode").message  # type: ignore[union-attr]
