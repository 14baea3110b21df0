"""The design workflows themselves (mosaics.catalogue.actions.design), below the views."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.catalogue import actions
from mosaics.catalogue.errors import CatalogueError, DesignLocked
from mosaics.catalogue.models import Competency, MicroCredential, RubricLevel, Version
from tests import factories as f


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 90, 170)).save(out, format="PNG")
    return out.getvalue()


def test_create_makes_a_draft_first_version_with_a_unique_slug(world):
    first = actions.micro_credential_create(
        actor=world.designer, issuer=world.issuer, title="Statistical Analysis Software"
    )
    second = actions.micro_credential_create(
        actor=world.designer, issuer=world.issuer, title="Statistical analysis software!"
    )
    assert first.number == 1
    assert first.state == Version.State.DRAFT
    assert first.micro_credential.slug == "statistical-analysis-software"
    assert second.micro_credential.slug == "statistical-analysis-software-2"
    assert list(first.contributors.all()) == [world.designer]
    entry = AuditEntry.objects.get(action="design.created", target=f"catalogue.version:{first.pk}")
    assert entry.actor == world.designer
    assert entry.organisation == world.business


@pytest.mark.parametrize("slug", ["new", "review"])
def test_reserved_slugs_are_refused(world, slug):
    with pytest.raises(CatalogueError):
        actions.micro_credential_create(
            actor=world.designer, issuer=world.issuer, title="Anything", slug=slug
        )
    assert not MicroCredential.objects.exists()
    assert not AuditEntry.objects.exists()
    made = actions.micro_credential_create(actor=world.designer, issuer=world.issuer, title="New")
    assert made.micro_credential.slug == "new-micro-credential"


def test_version_update_records_old_and_new(world):
    version = f.VersionFactory(micro_credential__issuer=world.issuer, title="Old")
    actions.version_update(actor=world.designer, version=version, title="New", tags="a, b, A, , c ")
    version.refresh_from_db()
    assert version.title == "New"
    assert version.tags == ["a", "b", "c"]
    entry = AuditEntry.objects.get(action="design.updated")
    assert entry.data["fields"] == ["tags", "title"]
    assert entry.data["changes"]["title"] == {"old": "Old", "new": "New"}
    # Nothing changed: nothing recorded.
    actions.version_update(actor=world.designer, version=version, title="New")
    assert AuditEntry.objects.filter(action="design.updated").count() == 1


def test_tags_limits():
    assert actions.normalise_tags(["x"] * 30) == ["x"]
    with pytest.raises(CatalogueError):
        actions.normalise_tags([f"t{n}" for n in range(21)])
    with pytest.raises(CatalogueError):
        actions.normalise_tags(["x" * 41])


@pytest.mark.parametrize("state", ["submitted", "approved", "published", "superseded", "retired"])
def test_locked_versions_refuse_every_edit(world, state):
    version = f.VersionFactory(micro_credential__issuer=world.issuer, state=state, title="Same")
    competency = f.complete_competency(version)
    level = competency.levels.first()
    prompt = f.ReflectionPromptFactory(version=version)
    alignment = competency.alignments.get()
    attempts = [
        lambda: actions.version_update(actor=world.designer, version=version, title="Changed"),
        lambda: actions.version_goals_set(
            actor=world.designer, version=version, goals=[world.goal]
        ),
        lambda: actions.version_image_set(
            actor=world.designer,
            version=version,
            image=SimpleUploadedFile("a.png", png_bytes()),
            alt="A badge",
        ),
        lambda: actions.competency_add(actor=world.designer, version=version, statement="x"),
        lambda: actions.competency_update(
            actor=world.designer, competency=competency, statement="x", demonstration=""
        ),
        lambda: actions.competency_remove(actor=world.designer, competency=competency),
        lambda: actions.competency_move(
            actor=world.designer, competency=competency, direction="up"
        ),
        lambda: actions.rubric_level_add(actor=world.designer, competency=competency, name="x"),
        lambda: actions.rubric_level_update(
            actor=world.designer, level=level, name="x", description=""
        ),
        lambda: actions.rubric_level_remove(actor=world.designer, level=level),
        lambda: actions.competency_passing_level_set(
            actor=world.designer, competency=competency, level=level
        ),
        lambda: actions.alignment_add(
            actor=world.designer,
            competency=competency,
            framework="ESCO",
            target_name="x",
            target_url="https://example.test/x",
        ),
        lambda: actions.alignment_remove(actor=world.designer, alignment=alignment),
        lambda: actions.reflection_prompt_add(actor=world.designer, version=version, text="x"),
        lambda: actions.reflection_prompt_update(actor=world.designer, prompt=prompt, text="x"),
        lambda: actions.reflection_prompt_remove(actor=world.designer, prompt=prompt),
    ]
    for attempt in attempts:
        with pytest.raises(DesignLocked):
            attempt()
    version.refresh_from_db()
    assert version.title == "Same"
    assert not version.image
    assert not AuditEntry.objects.exists()
    assert Competency.objects.count() == 1
    assert RubricLevel.objects.count() == 3


def test_competencies_levels_alignments_and_prompts(world):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    one = actions.competency_add(actor=world.designer, version=version, statement="One")
    two = actions.competency_add(
        actor=world.designer, version=version, statement="Two", demonstration="Do it"
    )
    actions.competency_move(actor=world.designer, competency=two, direction="up")
    assert [c.statement for c in version.competencies.all()] == ["Two", "One"]
    low = actions.rubric_level_add(
        actor=world.designer, competency=one, name="Low", description="l"
    )
    high = actions.rubric_level_add(
        actor=world.designer, competency=one, name="High", description="h"
    )
    actions.competency_passing_level_set(actor=world.designer, competency=one, level=high)
    with pytest.raises(CatalogueError):
        actions.competency_passing_level_set(actor=world.designer, competency=two, level=low)
    actions.rubric_level_remove(actor=world.designer, level=high)
    one.refresh_from_db()
    assert one.passing_level is None
    assert [lv.name for lv in one.levels.all()] == ["Low"]
    with pytest.raises(CatalogueError):
        actions.alignment_add(
            actor=world.designer,
            competency=one,
            framework="ESCO",
            target_name="x",
            target_url="javascript:alert(1)",
        )
    alignment = actions.alignment_add(
        actor=world.designer,
        competency=one,
        framework="NOC",
        target_name="Data analysts",
        target_url="https://noc.esdc.gc.ca/Structure/NocProfile?objectid=21211",
        target_code="21211",
    )
    actions.alignment_remove(actor=world.designer, alignment=alignment)
    prompt = actions.reflection_prompt_add(actor=world.designer, version=version, text="Why?")
    actions.reflection_prompt_update(actor=world.designer, prompt=prompt, text="How?")
    actions.reflection_prompt_remove(actor=world.designer, prompt=prompt)
    actions.competency_remove(actor=world.designer, competency=two)
    assert [c.position for c in version.competencies.all()] == [0]


def test_goals_only_from_the_institution(world):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    elsewhere = f.GoalFactory(institution=world.other_institution)
    inactive = f.GoalFactory(institution=world.institution, active=False)
    for goals in ([elsewhere], [inactive], [world.goal, elsewhere]):
        with pytest.raises(CatalogueError):
            actions.version_goals_set(actor=world.designer, version=version, goals=goals)
    assert not version.goals.exists()
    assert not AuditEntry.objects.exists()
    actions.version_goals_set(actor=world.designer, version=version, goals=[world.goal])
    assert list(version.goals.all()) == [world.goal]


def test_image_needs_alt_text(world):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    with pytest.raises(CatalogueError):
        actions.version_image_set(
            actor=world.designer,
            version=version,
            image=SimpleUploadedFile("a.png", png_bytes()),
            alt="  ",
        )
    version.refresh_from_db()
    assert not version.image
    actions.version_image_set(
        actor=world.designer,
        version=version,
        image=SimpleUploadedFile("evil.html", png_bytes()),
        alt="A blue square",
    )
    version.refresh_from_db()
    assert version.image.name.endswith(".png")
    assert "evil" not in version.image.name
