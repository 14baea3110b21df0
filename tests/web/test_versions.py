"""Versions: a published version is immutable; a new version is a deep copy; publishing it
supersedes the old one, which stays reachable; the history shows who changed what."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.actions import lifecycle
from mosaics.catalogue.errors import DesignLocked, TransitionRefused
from mosaics.catalogue.models import Alignment, Competency, RubricLevel, Version
from tests import factories as f
from tests.personas import PERSONAS, client_for
from tests.web.test_lifecycle_support import (
    audit_count,
    design_page,  # noqa: F401 - fixture
    design_url,
    endorse,
    make_complete,
    make_design,
    step_url,
)

State = Version.State


def _published(world: Any, **fields: Any) -> Version:
    version = make_complete(
        make_design(world, state=State.APPROVED, **fields), world, endorsed=False
    )
    f.complete_competency(version, "Report the findings to a manager")
    version.goals.add(f.GoalFactory(institution=world.institution, title="Digital fluency"))
    endorse(version, world)  # the partner endorses the design as it is published
    return lifecycle.version_publish(actor=world.tlc_admin, version=version)


def _reload(version: Version) -> Version:
    return Version.objects.get(pk=version.pk)


@pytest.mark.parametrize(
    "state", [State.SUBMITTED, State.APPROVED, State.PUBLISHED, State.SUPERSEDED, State.RETIRED]
)
def test_only_drafts_and_changes_requested_are_editable(world: Any, state: str) -> None:
    assert not make_design(world, state=state).is_editable


def test_the_authoring_actions_refuse_a_published_version(world: Any) -> None:
    from mosaics.catalogue.actions import design

    version = _published(world)
    before = audit_count()
    with pytest.raises(DesignLocked):
        design.version_update(actor=world.designer, version=version, title="Changed")
    with pytest.raises(DesignLocked):
        design.competency_add(actor=world.designer, version=version, statement="New")
    assert _reload(version).title != "Changed"
    assert version.competencies.count() == 2
    assert audit_count() == before


def test_start_next_copies_everything_into_a_new_draft(world: Any) -> None:
    v1 = _published(world, title="Statistical Analysis Software")
    v1.contributors.add(world.designer)
    v2 = lifecycle.version_start_next(actor=world.tlc_admin, version=v1)

    assert v2.pk != v1.pk
    assert v2.number == 2
    assert v2.state == State.DRAFT
    assert v2.created_by == world.tlc_admin
    assert not v2.contributors.exists()
    assert v2.submitted_at is None
    assert v2.approved_at is None
    assert v2.published_at is None
    assert v2.search_text == ""
    for field in (
        "title",
        "summary",
        "description",
        "image_alt",
        "estimated_hours",
        "delivery_mode",
        "language",
        "credits_available",
        "level",
        "field_of_study",
        "human_code",
        "tags",
        "validity_months",
        "prerequisites",
        "criteria",
    ):
        assert getattr(v2, field) == getattr(v1, field), field
    assert v2.image.name == v1.image.name  # the same image file, referenced again
    assert set(v2.goals.all()) == set(v1.goals.all())
    assert [p.text for p in v2.reflection_prompts.all()] == [
        p.text for p in v1.reflection_prompts.all()
    ]
    assert not {p.pk for p in v2.reflection_prompts.all()} & {
        p.pk for p in v1.reflection_prompts.all()
    }

    old = list(v1.competencies.all())
    new = list(v2.competencies.all())
    assert [c.statement for c in new] == [c.statement for c in old]
    for before, after in zip(old, new, strict=True):
        assert after.pk != before.pk
        assert after.demonstration == before.demonstration
        assert after.position == before.position
        old_levels, new_levels = list(before.levels.all()), list(after.levels.all())
        assert [(lv.name, lv.description, lv.points, lv.position) for lv in new_levels] == [
            (lv.name, lv.description, lv.points, lv.position) for lv in old_levels
        ]
        assert not {lv.pk for lv in new_levels} & {lv.pk for lv in old_levels}
        # The passing level is the copy of the old passing level, not the old one.
        assert after.passing_level is not None
        assert after.passing_level.competency_id == after.pk
        assert after.passing_level.name == before.passing_level.name  # type: ignore[union-attr]
        old_alignments = [
            (a.framework, a.target_name, a.target_url, a.target_code)
            for a in before.alignments.all()
        ]
        assert [
            (a.framework, a.target_name, a.target_url, a.target_code)
            for a in after.alignments.all()
        ] == old_alignments
    # The published version is untouched.
    assert _reload(v1).state == State.PUBLISHED
    assert v1.competencies.count() == 2
    assert RubricLevel.objects.filter(competency__version=v1).count() == 6
    assert Alignment.objects.filter(competency__version=v1).count() == 2
    assert Competency.objects.filter(version=v2).count() == 2
    entry = AuditEntry.objects.get(action="version.start_next")
    assert entry.target == f"catalogue.version:{v2.pk}"
    assert entry.data == {"number": 2, "copied_from": 1}


def test_start_next_is_refused_while_another_version_is_open(world: Any) -> None:
    v1 = _published(world)
    lifecycle.version_start_next(actor=world.designer, version=v1)
    before = audit_count()
    with pytest.raises(TransitionRefused, match="Version 2 is already being worked on") as error:
        lifecycle.version_start_next(actor=world.designer, version=v1)
    assert error.value.open_version.number == 2  # type: ignore[attr-defined]
    assert Version.objects.filter(micro_credential=v1.micro_credential).count() == 2
    assert audit_count() == before


@pytest.mark.usefixtures("design_page")
def test_the_refusal_links_to_the_open_version(client: Any, world: Any) -> None:
    v1 = _published(world)
    v2 = lifecycle.version_start_next(actor=world.designer, version=v1)
    client = client_for(client, world.designer)
    response = client.post(step_url("version_start_next", v1), follow=True)
    page = response.content.decode()
    assert "Version 2 is already being worked on" in page
    assert f'href="{design_url(v2)}"' in page


@pytest.mark.usefixtures("design_page")
def test_start_next_through_the_page_opens_the_new_draft(client: Any, world: Any) -> None:
    v1 = _published(world)
    client = client_for(client, world.designer)
    response = client.post(step_url("version_start_next", v1))
    v2 = Version.objects.get(micro_credential=v1.micro_credential, number=2)
    assert response["Location"] == design_url(v2)
    assert v2.created_by == world.designer


def test_publishing_v2_supersedes_v1_which_stays_reachable(client: Any, world: Any) -> None:
    v1 = _published(world)
    v2 = lifecycle.version_start_next(actor=world.designer, version=v1)
    lifecycle.version_submit(actor=world.designer, version=v2)
    lifecycle.version_approve(actor=world.reviewer, version=v2)
    # Endorsements belong to the version that was endorsed: v2 needs its own.
    with pytest.raises(TransitionRefused, match="No industry partner"):
        lifecycle.version_publish(actor=world.tlc_admin, version=v2)
    endorse(v2, world)
    lifecycle.version_publish(actor=world.tlc_admin, version=v2)

    v1, v2 = _reload(v1), _reload(v2)
    assert v1.state == State.SUPERSEDED
    assert v1.published_at is not None
    assert v2.state == State.PUBLISHED
    assert list(Version.objects.published().filter(micro_credential=v1.micro_credential)) == [v2]
    entry = AuditEntry.objects.filter(action="version.publish").order_by("id").last()
    assert entry is not None
    assert entry.data == {"number": 2, "superseded": 1}
    # v1 is still there, with its content, for the awards that point at it.
    assert v1.competencies.count() == 2


@pytest.mark.usefixtures("design_page")
def test_a_superseded_version_stays_reachable_on_its_page(client: Any, world: Any) -> None:
    v1 = _published(world)
    v2 = lifecycle.version_start_next(actor=world.designer, version=v1)
    lifecycle.version_submit(actor=world.designer, version=v2)
    lifecycle.version_approve(actor=world.reviewer, version=v2)
    endorse(v2, world)
    lifecycle.version_publish(actor=world.tlc_admin, version=v2)
    response = client_for(client, world.designer).get(design_url(v1))
    assert response.status_code == 200
    assert "Superseded by a newer version" in response.content.decode()


def test_a_superseded_or_retired_version_cannot_start_a_new_one(world: Any) -> None:
    v1 = _published(world)
    Version.objects.filter(pk=v1.pk).update(state=State.SUPERSEDED)
    with pytest.raises(TransitionRefused):
        lifecycle.version_start_next(actor=world.designer, version=v1)
    Version.objects.filter(pk=v1.pk).update(state=State.RETIRED)
    with pytest.raises(TransitionRefused):
        lifecycle.version_start_next(actor=world.designer, version=v1)
    assert Version.objects.count() == 1


def test_publishing_twice_from_stale_copies_publishes_once(world: Any) -> None:
    version = make_complete(make_design(world, state=State.APPROVED), world)
    first, second = _reload(version), _reload(version)  # two requests, same moment
    lifecycle.version_publish(actor=world.tlc_admin, version=first)
    assert second.state == State.APPROVED  # the stale copy still thinks so
    with pytest.raises(TransitionRefused):
        lifecycle.version_publish(actor=world.platform_admin, version=second)
    assert Version.objects.published().count() == 1
    assert AuditEntry.objects.filter(action="version.publish").count() == 1


def test_the_database_holds_one_published_and_one_open_version(world: Any) -> None:
    v1 = make_design(world, state=State.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.VersionFactory(micro_credential=v1.micro_credential, number=2, state=State.PUBLISHED)
    f.VersionFactory(micro_credential=v1.micro_credential, number=2, state=State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.VersionFactory(micro_credential=v1.micro_credential, number=3, state=State.APPROVED)
    assert Version.objects.filter(micro_credential=v1.micro_credential).count() == 2


# --- history --------------------------------------------------------------------------------


@pytest.mark.usefixtures("design_page")
def test_the_history_shows_who_changed_what(client: Any, world: Any) -> None:
    from mosaics.catalogue.actions import design

    version = make_complete(make_design(world, title="Statistical Analysis Software"), world)
    design.version_update(actor=world.designer, version=version, summary="Use SAS at work.")
    design.competency_add(actor=world.designer, version=version, statement="Clean a messy data set")
    staff = {
        "designer": client_for(client.__class__(), world.designer),
        "reviewer": client_for(client.__class__(), world.reviewer),
        "tlc_admin": client_for(client.__class__(), world.tlc_admin),
    }
    staff["designer"].post(step_url("version_submit", version))
    staff["reviewer"].post(
        step_url("version_request_changes", version), {"comment": "Add a rubric for cleaning."}
    )
    staff["designer"].post(step_url("version_submit", version))
    staff["reviewer"].post(step_url("version_approve", version), {"comment": "Fine."})

    response = staff["designer"].get(
        reverse("catalogue:design_history", kwargs={"slug": version.micro_credential.slug})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "History of Statistical Analysis Software" in page
    for expected in [
        "Changed the design",
        "Use SAS at work.",
        "Added a competency",
        "Clean a messy data set",
        "Submitted for framework review",
        "Requested changes",
        "Add a rubric for cleaning.",
        "Approved",
        "version 1",
        world.designer.get_full_name(),
        world.reviewer.get_full_name(),
    ]:
        assert expected in page, expected
    assert '<th scope="col">' in page


@pytest.mark.usefixtures("design_page")
def test_the_history_lists_every_version(client: Any, world: Any) -> None:
    v1 = _published(world)
    v2 = lifecycle.version_start_next(actor=world.designer, version=v1)
    page = (
        client_for(client, world.reviewer)
        .get(reverse("catalogue:design_history", kwargs={"slug": v1.micro_credential.slug}))
        .content.decode()
    )
    assert f'href="{design_url(v1)}"' in page
    assert f'href="{design_url(v2)}"' in page
    assert "Published" in page
    assert "Started a new version" in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_history_by_persona(client: Any, world: Any, persona: str) -> None:
    version = make_design(world)
    url = reverse("catalogue:design_history", kwargs={"slug": version.micro_credential.slug})
    response = client_for(client, world.people[persona]).get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif persona in {"designer", "reviewer", "tlc_admin", "platform_admin"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_history_of_an_unknown_design_is_a_404(client: Any, world: Any) -> None:
    url = reverse("catalogue:design_history", kwargs={"slug": "no-such-design"})
    assert client_for(client, world.tlc_admin).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_publish_once(world: Any) -> None:
    """Two admins press Publish at the same moment: the row lock lets one through; the other
    is refused because the version is no longer approved."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite runs one writer at a time")
    version = make_complete(make_design(world, state=State.APPROVED), world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(actor: Any) -> None:
        try:
            barrier.wait()
            lifecycle.version_publish(actor=actor, version=version)
            outcomes.append("published")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=publish, args=(person,))
        for person in (world.tlc_admin, world.platform_admin)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "refused"]
    assert Version.objects.published().count() == 1
    assert AuditEntry.objects.filter(action="version.publish").count() == 1
