"""The design workflows themselves (mosaics.catalogue.actions.design), below the views."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.catalogue import actions
from mosaics.catalogue.actions import design
from mosaics.catalogue.errors import CatalogueError, DesignLocked
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    MicroCredential,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
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


# --- who may act -------------------------------------------------------------------------

# Everyone who must be refused every design edit on the Northern College issuer's designs.
MAY_NOT_EDIT = (
    "anonymous",
    "learner",
    "assessor",
    "reviewer",
    "endorser",
    "other_designer",
    "other_admin",
    "other_endorser",
)
MAY_EDIT = ("designer", "tlc_admin", "platform_admin")


def _design_state() -> dict[str, list[dict[str, object]]]:
    """Every row the design workflows could touch, to show that a refusal changed nothing."""
    models = {
        "micro_credentials": MicroCredential,
        "versions": Version,
        "contributors": Version.contributors.through,
        "goals": Version.goals.through,
        "competencies": Competency,
        "levels": RubricLevel,
        "alignments": Alignment,
        "prompts": ReflectionPrompt,
        "audit": AuditEntry,
    }
    return {name: list(model.objects.order_by("pk").values()) for name, model in models.items()}


def _edits(actor, version):
    """One call of every editing workflow on `version` (draft or locked), each on its own
    rows so that, for someone allowed, each succeeds in turn and writes one audit entry."""
    competency = f.complete_competency(version, "Analyse a data set")
    removable = f.complete_competency(version, "Clean a data set")
    level = competency.levels.get(name="Beginning")
    removable_level = competency.levels.get(name="Exemplary")
    alignment = removable.alignments.get()
    prompt = f.ReflectionPromptFactory(version=version, text="Why?")
    removable_prompt = f.ReflectionPromptFactory(version=version, text="How?")
    return [
        (
            "version_update",
            lambda: actions.version_update(actor=actor, version=version, title="Changed"),
        ),
        (
            "version_goals_set",
            lambda: actions.version_goals_set(
                actor=actor, version=version, goals=[world_goal(version)]
            ),
        ),
        (
            "version_image_set",
            lambda: actions.version_image_set(
                actor=actor,
                version=version,
                image=SimpleUploadedFile("a.png", png_bytes()),
                alt="A badge",
            ),
        ),
        (
            "competency_add",
            lambda: actions.competency_add(actor=actor, version=version, statement="New"),
        ),
        (
            "competency_update",
            lambda: actions.competency_update(
                actor=actor, competency=competency, statement="Changed", demonstration="Do it"
            ),
        ),
        (
            "competency_move",
            lambda: actions.competency_move(actor=actor, competency=removable, direction="up"),
        ),
        (
            "rubric_level_add",
            lambda: actions.rubric_level_add(actor=actor, competency=competency, name="Mastery"),
        ),
        (
            "rubric_level_update",
            lambda: actions.rubric_level_update(
                actor=actor, level=level, name="Starting", description="Just starting"
            ),
        ),
        (
            "competency_passing_level_set",
            lambda: actions.competency_passing_level_set(
                actor=actor, competency=competency, level=removable_level
            ),
        ),
        (
            "rubric_level_remove",
            lambda: actions.rubric_level_remove(actor=actor, level=removable_level),
        ),
        (
            "alignment_add",
            lambda: actions.alignment_add(
                actor=actor,
                competency=competency,
                framework="ESCO",
                target_name="x",
                target_url="https://example.test/x",
            ),
        ),
        ("alignment_remove", lambda: actions.alignment_remove(actor=actor, alignment=alignment)),
        ("competency_remove", lambda: actions.competency_remove(actor=actor, competency=removable)),
        (
            "reflection_prompt_add",
            lambda: actions.reflection_prompt_add(actor=actor, version=version, text="What next?"),
        ),
        (
            "reflection_prompt_update",
            lambda: actions.reflection_prompt_update(
                actor=actor, prompt=prompt, text="Why, really?"
            ),
        ),
        (
            "reflection_prompt_remove",
            lambda: actions.reflection_prompt_remove(actor=actor, prompt=removable_prompt),
        ),
    ]


def world_goal(version):
    return version.micro_credential.issuer.organisation.institution.goals.get()


def test_every_workflow_is_listed_in_the_edits(db):
    workflows = {
        name
        for name in design.__all__
        if callable(getattr(design, name))
        and name not in ("goals_available", "normalise_tags", "micro_credential_create")
    }
    names = {name for name, _ in _edits(None, f.VersionFactory())}
    assert names == workflows


@pytest.mark.parametrize("persona", MAY_NOT_EDIT)
@pytest.mark.parametrize("state", ["draft", "changes_requested", "submitted", "published"])
def test_who_may_not_edit_is_refused_every_workflow_and_nothing_changes(world, persona, state):
    actor = getattr(world, persona)
    version = f.VersionFactory(micro_credential__issuer=world.issuer, state=state, title="Same")
    edits = _edits(actor, version)
    before = _design_state()
    for name, edit in edits:
        with pytest.raises(PermissionDenied):
            edit()
        assert _design_state() == before, name
    assert not version.contributors.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", MAY_NOT_EDIT)
def test_who_may_not_edit_cannot_create_a_design(world, persona):
    before = _design_state()
    with pytest.raises(PermissionDenied):
        actions.micro_credential_create(
            actor=getattr(world, persona), issuer=world.issuer, title="Pwned"
        )
    assert _design_state() == before
    assert not MicroCredential.objects.exists()


def test_a_designer_creates_only_for_their_own_organisation(world):
    with pytest.raises(PermissionDenied):
        actions.micro_credential_create(
            actor=world.designer, issuer=world.other_issuer, title="Elsewhere"
        )
    assert not MicroCredential.objects.exists()
    version = actions.micro_credential_create(
        actor=world.other_designer, issuer=world.other_issuer, title="Elsewhere"
    )
    assert list(version.contributors.all()) == [world.other_designer]


@pytest.mark.parametrize("persona", MAY_EDIT)
@pytest.mark.parametrize("state", ["draft", "changes_requested"])
def test_designers_and_admins_may_do_every_workflow(world, persona, state):
    actor = getattr(world, persona)
    created = actions.micro_credential_create(actor=actor, issuer=world.issuer, title="Made")
    assert list(created.contributors.all()) == [actor]
    version = f.VersionFactory(micro_credential__issuer=world.issuer, state=state, title="Same")
    for name, edit in _edits(actor, version):
        entries = AuditEntry.objects.count()
        edit()
        assert AuditEntry.objects.count() == entries + 1, name
    version.refresh_from_db()
    assert version.title == "Changed"
    assert version.image
    assert list(version.goals.all()) == [world.goal]
    assert list(version.contributors.all()) == [actor]
    assert {c.statement for c in version.competencies.all()} == {"Changed", "New"}
    assert {p.text for p in version.reflection_prompts.all()} == {"Why, really?", "What next?"}
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {actor.pk}


@pytest.mark.parametrize("persona", ["designer", "tlc_admin"])
def test_a_designer_on_a_locked_version_is_told_it_is_locked(world, persona):
    version = f.VersionFactory(micro_credential__issuer=world.issuer, state="submitted")
    with pytest.raises(DesignLocked):
        actions.competency_add(actor=getattr(world, persona), version=version, statement="x")
    assert not version.competencies.exists()
    assert not AuditEntry.objects.exists()
