from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaics.vc import ob3
from mosaics.vc.errors import MalformedInput
from mosaics.vc.schema import clr_problems, schema_problems
from mosaics.vc.statuslist import status_entry

ISSUER_ID = "https://mosaics.example/issuers/1"
VALID_FROM = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _issuer() -> dict[str, Any]:
    return ob3.profile(
        id=ISSUER_ID,
        name="Mosaics University",
        url="https://mosaics.example",
        email="badges@mosaics.example",
        description="A university.",
        image=ob3.image("https://mosaics.example/logo.png", caption="Logo"),
        address=ob3.address(country="Netherlands", country_code="NL", locality="Utrecht"),
        parent_org=ob3.profile(id="https://mosaics.example/orgs/parent", name="Parent"),
        other_identifier=[ob3.identifier_entry("12345", "sourcedId")],
    )


def _achievement() -> dict[str, Any]:
    levels = [
        ob3.rubric_criterion_level(id="urn:level:1", name="Novice", points="1"),
        ob3.rubric_criterion_level(
            id="urn:level:2",
            name="Proficient",
            points="2",
            description="Works independently.",
            alignment=[
                ob3.alignment(
                    target_name="Collaboration",
                    target_url="https://framework.example/collab",
                    target_type="CFRubricCriterionLevel",
                )
            ],
        ),
    ]
    return ob3.achievement(
        id="https://mosaics.example/achievements/teamwork",
        name="Teamwork",
        description="Works well in teams.",
        criteria=ob3.criteria(narrative="Complete **three** team projects."),
        achievement_type="MicroCredential",
        image=ob3.image("data:image/png;base64,iVBORw0KGgo="),
        creator=_issuer(),
        alignment=[
            ob3.alignment(
                target_name="Teamwork",
                target_url="https://esco.example/skill/teamwork",
                target_code="S1.2",
                target_framework="ESCO",
                target_type="ceasn:Competency",
            )
        ],
        result_description=[
            ob3.result_description(
                id="urn:rd:rubric",
                name="Project rubric",
                result_type="RubricCriterionLevel",
                rubric_criterion_level=levels,
                required_level="urn:level:2",
            ),
            ob3.result_description(
                id="urn:rd:grade", name="Grade", result_type="LetterGrade", allowed_value=["A", "B"]
            ),
        ],
        credits_available=1.5,
        field_of_study="Social skills",
        human_code="TW-101",
        specialization="Remote teams",
        in_language="en",
        version="1.0",
        tags=["teamwork", "soft skills"],
        related=[ob3.related(id="https://mosaics.example/achievements/teamwork-v0", version="0")],
    )


def _subject() -> dict[str, Any]:
    return ob3.achievement_subject(
        id="did:example:learner",
        achievement=_achievement(),
        identifier=[ob3.identity_object(identity="learner@example.org", salt="pepper")],
        result=[
            ob3.result(result_description="urn:rd:rubric", achieved_level="urn:level:2"),
            ob3.result(result_description="urn:rd:grade", value="A", status="Completed"),
        ],
        credits_earned=1.5,
        activity_start_date=datetime(2026, 1, 1, tzinfo=UTC),
        activity_end_date="2026-02-01T00:00:00Z",
        narrative="Three projects.",
        role="Team lead",
        term="Spring 2026",
        source=ob3.profile(id="https://mosaics.example/orgs/faculty", name="Faculty"),
    )


def _credential(**extra: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"credential_schema": [ob3.ACHIEVEMENT_CREDENTIAL_SCHEMA]}
    options.update(extra)
    return ob3.achievement_credential(
        id="urn:uuid:6f1c7e0a-0d0a-4c2b-9f44-7f1c1f1f1f1f",
        issuer=_issuer(),
        credential_subject=_subject(),
        valid_from=VALID_FROM,
        valid_until=VALID_FROM + timedelta(days=365),
        awarded_date=VALID_FROM,
        name="Teamwork",
        description="Teamwork micro-credential.",
        image=ob3.image("https://mosaics.example/badges/teamwork.png"),
        evidence=[
            ob3.evidence(
                id="https://mosaics.example/evidence/1",
                name="Project report",
                narrative="See the report.",
                genre="Report",
                audience="Assessors",
            )
        ],
        credential_status=status_entry("https://mosaics.example/status/1", 4711),
        **options,
    )


def test_achievement_credential_shape() -> None:
    cred = _credential()
    assert cred["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert cred["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert cred["validFrom"] == "2026-03-01T09:30:00Z"
    assert cred["validUntil"] == "2027-03-01T09:30:00Z"
    subject = cred["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["achievementType"] == "MicroCredential"
    assert subject["achievement"]["tag"] == ["teamwork", "soft skills"]
    assert subject["achievement"]["creditsAvailable"] == 1.5
    assert subject["result"][0]["type"] == ["Result"]
    assert isinstance(cred["evidence"], list)
    assert cred["evidence"][0]["type"] == ["Evidence"]
    assert cred["issuer"]["type"] == ["Profile"]
    assert cred["issuer"]["address"]["type"] == ["Address"]
    assert cred["image"] == {"id": "https://mosaics.example/badges/teamwork.png", "type": "Image"}
    assert cred["credentialStatus"]["statusListIndex"] == "4711"
    assert "proof" not in cred


def test_achievement_credential_validates() -> None:
    assert schema_problems(_credential(), "achievementcredential") == []


def test_minimal_credential_validates_and_omits_empty_values() -> None:
    cred = ob3.achievement_credential(
        id="urn:uuid:1",
        issuer=ISSUER_ID,
        credential_subject=ob3.achievement_subject(
            id="did:example:x",
            achievement=ob3.achievement(
                id="urn:a:1",
                name="A",
                description="D",
                criteria=ob3.criteria(id="https://mosaics.example/criteria"),
            ),
        ),
        valid_from="2026-01-01T00:00:00Z",
        name="A",
    )
    assert "validUntil" not in cred
    assert "evidence" not in cred
    assert cred["issuer"] == ISSUER_ID
    assert schema_problems(cred) == []


def test_achievement_credential_alias_type() -> None:
    cred = _credential(credential_type="AchievementCredential")
    assert cred["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert schema_problems(cred) == []


def test_profile_validates() -> None:
    assert schema_problems(_issuer(), "profile") == []


def _endorsement() -> dict[str, Any]:
    return ob3.endorsement_credential(
        id="urn:uuid:e1",
        issuer=ob3.profile(id="https://endorser.example", name="Endorser"),
        credential_subject=ob3.endorsement_subject(
            id="https://mosaics.example/achievements/teamwork",
            endorsement_comment="A rigorous badge.",
        ),
        valid_from=VALID_FROM,
        name="Endorsement of Teamwork",
    )


def test_endorsement_credential_validates() -> None:
    endorsement = _endorsement()
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert schema_problems(endorsement, "endorsementcredential") == []
    # and embedded in an achievement and a credential
    achievement = dict(_achievement(), endorsement=[endorsement])
    subject = dict(_subject(), achievement=achievement)
    cred = ob3.achievement_credential(
        id="urn:uuid:2",
        issuer=_issuer(),
        credential_subject=subject,
        valid_from=VALID_FROM,
        name="Teamwork",
        endorsement=[endorsement],
    )
    assert schema_problems(cred) == []


def _clr() -> dict[str, Any]:
    return ob3.clr_credential(
        id="urn:uuid:clr1",
        issuer=_issuer(),
        credential_subject=ob3.clr_subject(
            id="did:example:learner",
            verifiable_credential=[_credential()],
            achievement=[_achievement()],
            association=[
                ob3.association(
                    association_type="isPartOf",
                    source_id="https://mosaics.example/achievements/teamwork",
                    target_id="https://mosaics.example/achievements/programme",
                )
            ],
        ),
        valid_from=VALID_FROM,
        name="Transcript",
        partial=False,
    )


def test_clr_credential_validates() -> None:
    clr = _clr()
    assert clr["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["partial"] is False
    assert clr["credentialSubject"]["type"] == ["ClrSubject"]
    assert clr_problems(clr) == []


def test_credential_schema_adds_extensions_context() -> None:
    cred = _credential()
    assert cred["@context"][-1] == "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    assert cred["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]


def test_builders_pass_jsonld_safe_mode() -> None:
    from mosaics.vc import jsonld

    jsonld.check_safe(_credential())
    jsonld.check_safe(_credential(credential_schema=None))
    jsonld.check_safe(_endorsement())
    jsonld.check_safe(_clr())


def test_identity_hash_matches_ob_spec_example() -> None:
    # OB 3.0 §B.3 IdentityHash: 'a@example.com' salted with 'Kosher'.
    assert ob3.hash_identity("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_identity_object_hashed_with_random_salt() -> None:
    a = ob3.identity_object(identity="learner@example.org")
    b = ob3.identity_object(identity="learner@example.org")
    assert a["type"] == "IdentityObject"
    assert a["hashed"] is True
    assert a["identityType"] == "emailAddress"
    assert a["salt"] != b["salt"]
    assert a["identityHash"].startswith("sha256$")
    assert "learner@example.org" not in str(a)
    expected = hashlib.sha256(("learner@example.org" + a["salt"]).encode()).hexdigest()
    assert a["identityHash"] == f"sha256${expected}"
    assert ob3.verify_identity_hash(a["identityHash"], "learner@example.org", a["salt"])
    assert not ob3.verify_identity_hash(a["identityHash"], "other@example.org", a["salt"])
    assert not ob3.verify_identity_hash("sha1$abc", "x", None)
    md5 = "md5$" + hashlib.md5(b"xy", usedforsecurity=False).hexdigest().upper()
    assert ob3.verify_identity_hash(md5, "x", "y")


def test_identity_object_plain() -> None:
    plain = ob3.identity_object(identity="Jane", identity_type="name", hashed=False)
    assert plain == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "Jane",
        "identityType": "name",
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: ob3.achievement(
            id="urn:a", name="A", description="D", criteria={}, achievement_type="Nope"
        ),
        lambda: ob3.criteria(),
        lambda: ob3.result_description(id="urn:r", name="R", result_type="Bogus"),
        lambda: ob3.result_description(
            id="urn:r",
            name="R",
            result_type="RubricCriterionLevel",
            rubric_criterion_level=[ob3.rubric_criterion_level(id="urn:l", name="L")],
            required_level="urn:other",
        ),
        lambda: ob3.result(status="Done"),  # type: ignore[arg-type]
        lambda: ob3.alignment(target_name="x", target_url="y", target_type="Bogus"),
        lambda: ob3.identifier_entry("1", "bogus"),
        lambda: ob3.achievement_subject(achievement={}),
        lambda: ob3.clr_subject(id="did:example:x", verifiable_credential=[]),
        lambda: ob3.association(association_type="bogus", source_id="a", target_id="b"),
        lambda: ob3.achievement_credential(
            id="urn:1",
            issuer=ISSUER_ID,
            credential_subject={},
            valid_from=datetime(2026, 1, 1),  # naive
            name="x",
        ),
        lambda: ob3.achievement_credential(
            id="urn:1", issuer=ISSUER_ID, credential_subject={}, valid_from="yesterday", name="x"
        ),
        lambda: ob3.achievement(
            id="urn:a", name="A", description="D", criteria={}, credits_available="3"
        ),
    ],
)
def test_builders_refuse_bad_values(build: Any) -> None:
    with pytest.raises(MalformedInput):
        build()


def test_extension_values_and_extra() -> None:
    a = ob3.achievement(
        id="urn:a",
        name="A",
        description="D",
        criteria=ob3.criteria(narrative="n"),
        achievement_type="ext:Nanodegree",
        extra={"version": "2"},
    )
    assert a["achievementType"] == "ext:Nanodegree"
    assert a["version"] == "2"


def test_timestamps_are_normalised_to_utc_z() -> None:
    cest = timezone(timedelta(hours=2))
    cred = ob3.achievement_credential(
        id="urn:1",
        issuer=ISSUER_ID,
        credential_subject=_subject(),
        valid_from=datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=cest),
        name="x",
    )
    assert cred["validFrom"] == "2026-06-01T10:00:00Z"


_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    name=_text,
    description=_text,
    narrative=_text,
    tags=st.lists(_text, max_size=3),
    credits=st.one_of(st.none(), st.floats(min_value=0, max_value=1000, allow_nan=False)),
    achievement_type=st.sampled_from(sorted(ob3.ACHIEVEMENT_TYPES)),
    with_evidence=st.booleans(),
    with_result=st.booleans(),
)
def test_hypothesis_builders_always_validate(
    name: str,
    description: str,
    narrative: str,
    tags: list[str],
    credits: float | None,
    achievement_type: str,
    with_evidence: bool,
    with_result: bool,
) -> None:
    achievement = ob3.achievement(
        id="urn:a:1",
        name=name,
        description=description,
        criteria=ob3.criteria(narrative=narrative),
        achievement_type=achievement_type,
        tags=tags,
        credits_available=credits,
    )
    subject = ob3.achievement_subject(
        identifier=[ob3.identity_object(identity=name)],
        achievement=achievement,
        result=[ob3.result(value=name)] if with_result else None,
    )
    cred = ob3.achievement_credential(
        id="urn:uuid:x",
        issuer=ob3.profile(id=ISSUER_ID, name=name),
        credential_subject=subject,
        valid_from=VALID_FROM,
        name=name,
        evidence=[ob3.evidence(narrative=narrative)] if with_evidence else None,
    )
    assert schema_problems(cred) == []
