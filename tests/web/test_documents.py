"""The machine-readable forms of a design: the OB 3.0 Achievement and the OB 2.0 BadgeClass."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from mosaics.catalogue.documents import (
    achievement_document,
    achievement_id,
    badgeclass_document,
)
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.vc import jsonld, ob3, schema
from mosaics.vc import verify as vc_verify
from tests import factories as f
from tests.web.test_catalogue_public_support import design, endorse, publish

pytestmark = pytest.mark.django_db


SITE = "https://badges.college.example"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def _rich(world: Any) -> Any:
    version = design(
        world,
        title="Statistical Analysis Software",
        summary="Analyse **real** data with statistical software.",
        description="## Why\n\nEmployers ask for it. <script>alert(1)</script>",
        credits_available=Decimal("1.50"),
        field_of_study="Data analytics",
        human_code="SAS-101",
        tags=["statistics", "SAS"],
        language="fr",
        competencies=2,
    )
    competency = version.competencies.first()
    f.AlignmentFactory(
        competency=competency,
        framework="NOC",
        target_name="Data scientists",
        target_url="https://noc.esdc.gc.ca/Structure/NocProfile?objectid=21211",
        target_code="21211",
        target_description="Data scientists use advanced analytics.",
    )
    f.AlignmentFactory(
        competency=competency,
        framework="other",
        framework_name="SFIA",
        target_name="Data science",
        target_url="https://sfia-online.org/en/sfia-8/skills/data-science",
        target_code="DATS",
    )
    level = competency.levels.first()
    level.points = 2
    level.save()
    return version


def _as_credential(achievement: dict[str, Any]) -> dict[str, Any]:
    """The bare Achievement inside an unsigned AchievementCredential: the official schemas
    validate credentials, and the Achievement as the subject's `achievement`."""
    return ob3.achievement_credential(
        id="urn:uuid:5d2c2a5e-7b0c-4f3e-9a83-6f8f1f0e9a11",
        issuer={"id": "did:example:issuer", "type": ["Profile"], "name": "Test"},
        credential_subject=ob3.achievement_subject(
            id="did:example:learner", achievement=achievement
        ),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        name="Test credential",
    )


def test_achievement_document_has_every_field(world: Any) -> None:
    version = publish(_rich(world))
    document = achievement_document(version)
    aid = f"{SITE}/catalogue/{version.micro_credential.slug}/v1"
    assert document["@context"] == [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT]
    assert document["id"] == aid == achievement_id(version)
    assert document["type"] == ["Achievement"]
    assert document["achievementType"] == "MicroCredential"
    assert document["name"] == "Statistical Analysis Software"
    # Plain text: no markdown markers, no markup, no script.
    assert document["description"].startswith("Analyse real data with statistical software.")
    assert "Employers ask for it." in document["description"]
    assert "<" not in document["description"]
    assert "script" not in document["description"]
    assert document["criteria"]["id"] == aid + "#criteria"
    narrative = document["criteria"]["narrative"]
    assert "Demonstrate each competency" in narrative
    assert "**Analyse a data set 0**: Apply it to a real data set from the workplace." in narrative
    assert document["creator"] == signing.profile_document(world.issuer, with_context=False)
    assert document["creditsAvailable"] == 1.5
    assert document["fieldOfStudy"] == "Data analytics"
    assert document["humanCode"] == "SAS-101"
    assert document["inLanguage"] == "fr"
    assert document["version"] == "1"
    assert document["tag"] == ["statistics", "SAS"]
    assert "image" not in document
    assert "endorsement" not in document


def test_alignments_name_their_framework_and_type(world: Any) -> None:
    document = achievement_document(publish(_rich(world)))
    by_code = {a["targetCode"]: a for a in document["alignment"]}
    assert set(by_code) == {"S7.2", "21211", "DATS"}
    assert by_code["S7.2"]["targetFramework"] == "ESCO"
    assert by_code["S7.2"]["targetType"] == "ceasn:Competency"
    assert by_code["21211"]["targetFramework"] == "National Occupational Classification (NOC)"
    assert by_code["21211"]["targetType"] == "ext:Occupation"
    assert by_code["21211"]["targetDescription"] == "Data scientists use advanced analytics."
    assert by_code["DATS"]["targetFramework"] == "SFIA"
    assert by_code["DATS"]["targetUrl"].startswith("https://sfia-online.org/")


def test_result_descriptions_carry_the_rubric_and_the_passing_level(world: Any) -> None:
    version = publish(_rich(world))
    document = achievement_document(version)
    aid = document["id"]
    competencies = list(version.competencies.all())
    assert len(document["resultDescription"]) == 2
    for described, competency in zip(document["resultDescription"], competencies, strict=True):
        assert described["id"] == f"{aid}#competency-{competency.pk}"
        assert described["name"] == competency.statement
        assert described["resultType"] == "RubricCriterionLevel"
        levels = described["rubricCriterionLevel"]
        assert [lv["name"] for lv in levels] == ["Beginning", "Proficient", "Exemplary"]
        assert all(lv["id"].startswith(described["id"] + "-level-") for lv in levels)
        assert described["requiredLevel"] == levels[1]["id"]
        assert described["alignment"]
    assert document["resultDescription"][0]["rubricCriterionLevel"][0]["points"] == "2"


def test_achievement_validates_against_the_official_schema(world: Any) -> None:
    version = publish(_rich(world))
    achievement = achievement_document(version, with_context=False)
    assert "@context" not in achievement
    assert schema.schema_problems(_as_credential(achievement), "achievementcredential") == []


def test_achievement_passes_json_ld_safe_mode(world: Any) -> None:
    document = achievement_document(publish(_rich(world)))
    jsonld.check_safe(document)


def test_achievement_embeds_current_endorsements_as_signed_credentials(world: Any) -> None:
    version = _rich(world)
    endorsement = endorse(world, version)
    publish(version)
    document = achievement_document(version)
    assert document["endorsement"] == [endorsement.credential]
    # Still valid against the schema and in safe mode with the endorsement inside it...
    achievement = achievement_document(version, with_context=False)
    assert schema.schema_problems(_as_credential(achievement), "achievementcredential") == []
    jsonld.check_safe(document)
    # ...and the embedded endorsement still verifies on its own.
    report = vc_verify.verify(
        document["endorsement"][0],
        documents=signing.trusted_documents([world.endorser_profile]),
        status_lists=issuance.status_list_credentials([world.endorser_profile]),
    )
    assert report.status == "valid"


def test_withdrawn_endorsement_is_not_embedded(world: Any) -> None:
    version = design(world)
    endorsement = endorse(world, version)
    publish(version)
    endorsement.withdrawn_at = endorsement.valid_from
    endorsement.save(update_fields=["withdrawn_at"])
    assert "endorsement" not in achievement_document(version)


def test_achievement_image_is_the_absolute_image_url_with_its_alt_text(world: Any) -> None:
    version = design(world, image_alt="A bar chart in a hexagon")
    version.image.save("chart.png", ContentFile(PNG), save=True)
    publish(version)
    document = achievement_document(version)
    path = reverse("catalogue:image", kwargs={"slug": version.micro_credential.slug, "number": 1})
    assert document["image"] == {
        "id": SITE + path,
        "type": "Image",
        "caption": "A bar chart in a hexagon",
    }
    assert badgeclass_document(version)["image"] == SITE + path
    achievement = achievement_document(version, with_context=False)
    assert schema.schema_problems(_as_credential(achievement), "achievementcredential") == []


def test_minimal_design_still_makes_a_valid_achievement(world: Any) -> None:
    version = f.VersionFactory(
        micro_credential__issuer=world.issuer, summary="", description="", criteria=""
    )
    f.CompetencyFactory(version=version, demonstration="")  # no rubric yet
    publish(version)
    achievement = achievement_document(version, with_context=False)
    assert achievement["description"] == version.title
    assert achievement["criteria"]["narrative"]
    assert "requiredLevel" not in achievement["resultDescription"][0]
    assert schema.schema_problems(_as_credential(achievement), "achievementcredential") == []
    jsonld.check_safe(achievement_document(version))


def test_badgeclass_has_the_required_ob2_fields(world: Any) -> None:
    version = publish(_rich(world))
    document = badgeclass_document(version)
    slug = version.micro_credential.slug
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "BadgeClass"
    assert document["id"] == f"{SITE}/catalogue/{slug}/v1/badgeclass.json"
    assert document["name"] == "Statistical Analysis Software"
    assert document["description"].startswith("Analyse real data")
    # No image uploaded: OB 2.0 requires one, so the site's logo stands in.
    assert document["image"].startswith(SITE + "/static/")
    assert document["image"].endswith(".svg")
    assert document["criteria"]["id"] == f"{SITE}/catalogue/{slug}/v1"
    assert "Demonstrate each competency" in document["criteria"]["narrative"]
    assert document["issuer"] == SITE + reverse(
        "issuance:ob2_issuer", kwargs={"slug": world.issuer.slug}
    )
    assert document["tags"] == ["statistics", "SAS"]
    esco = next(a for a in document["alignment"] if a["targetCode"] == "S7.2")
    assert esco == {
        "targetName": "use statistical analysis techniques",
        "targetUrl": "http://data.europa.eu/esco/skill/7f07c3a4-4b6a-4d6e-9b43-8f5b1c7f1d2e",
        "targetCode": "S7.2",
        "targetFramework": "ESCO",
    }


def test_badgeclass_expands_with_the_ob2_context(world: Any) -> None:
    document = badgeclass_document(publish(_rich(world)))
    jsonld.check_safe(document)
