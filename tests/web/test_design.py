"""Authoring designs through the web: create, edit every part, see it on the design page;
who may see and edit (and who gets nothing at all); forged posts; locked versions; the audit
entry each edit leaves; markdown made inert."""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    MicroCredential,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
from tests import factories as f
from tests.personas import client_for


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (11, 92, 173)).save(out, format="PNG")
    return SimpleUploadedFile("badge.png", out.getvalue(), content_type="image/png")


def url(name: str, version: Version, **kwargs: Any) -> str:
    return reverse(
        f"catalogue:{name}",
        kwargs={"slug": version.micro_credential.slug, "number": version.number, **kwargs},
    )


def snapshot() -> dict[str, Any]:
    """Everything an edit could change, to assert that nothing did."""
    return {
        "micro_credentials": MicroCredential.objects.count(),
        "versions": list(
            Version.objects.order_by("pk").values_list(
                "pk", "state", "title", "summary", "tags", "image", "image_alt"
            )
        ),
        "goals": list(Version.goals.through.objects.order_by("pk").values_list("pk")),
        "competencies": list(
            Competency.objects.order_by("pk").values_list(
                "pk", "statement", "demonstration", "position", "passing_level"
            )
        ),
        "levels": list(RubricLevel.objects.order_by("pk").values_list("pk", "name", "position")),
        "alignments": list(Alignment.objects.order_by("pk").values_list("pk", "target_url")),
        "prompts": list(ReflectionPrompt.objects.order_by("pk").values_list("pk", "text")),
        "audit": AuditEntry.objects.count(),
    }


@dataclass
class Design:
    version: Version
    competency: Competency
    level: RubricLevel
    alignment: Alignment
    prompt: ReflectionPrompt


def make_design(world: Any, **version: Any) -> Design:
    v = f.VersionFactory(micro_credential__issuer=world.issuer, **version)
    competency = f.complete_competency(v)
    second = f.CompetencyFactory(version=v, statement="Communicate the findings")
    assert second.position > competency.position
    level = competency.levels.first()
    prompt = f.ReflectionPromptFactory(version=v)
    return Design(v, competency, level, competency.alignments.get(), prompt)


def endpoints(d: Design) -> list[tuple[str, str, dict[str, Any]]]:
    """(url, method, data) for every authoring endpoint, in an order that works when each
    POST succeeds (adds and edits before removals)."""
    v, c, lv, al, pr = d.version, d.competency, d.level, d.alignment, d.prompt
    return [
        (url("design_edit", v), "get", {}),
        (url("design_edit", v), "post", {"title": "Renamed", "language": "en", "tags": "a, b"}),
        (url("design_image", v), "get", {}),
        (url("design_image", v), "post", {"image-image": png, "image-alt": "A blue badge"}),
        (url("design_goals", v), "get", {}),
        (url("design_goals", v), "post", {"goals-goals": ["GOAL"]}),
        (url("competency_add", v), "get", {}),
        (url("competency_add", v), "post", {"competency-statement": "Clean the data"}),
        (url("competency_edit", v, pk=c.pk), "get", {}),
        (
            url("competency_edit", v, pk=c.pk),
            "post",
            {"competency-statement": "Analyse it", "competency-demonstration": "At work"},
        ),
        (url("competency_move", v, pk=c.pk), "post", {"direction": "down"}),
        (url("rubric_level_add", v, pk=c.pk), "get", {}),
        (
            url("rubric_level_add", v, pk=c.pk),
            "post",
            {f"level-{c.pk}-name": "Expert", f"level-{c.pk}-description": "Teaches others"},
        ),
        (url("rubric_level_edit", v, pk=lv.pk), "get", {}),
        (
            url("rubric_level_edit", v, pk=lv.pk),
            "post",
            {f"level-{c.pk}-name": "Novice", f"level-{c.pk}-description": "Starting out"},
        ),
        (url("passing_level_set", v, pk=c.pk), "get", {}),
        (url("passing_level_set", v, pk=c.pk), "post", {f"passing-{c.pk}-level": str(lv.pk)}),
        (url("alignment_add", v, pk=c.pk), "get", {}),
        (
            url("alignment_add", v, pk=c.pk),
            "post",
            {
                f"alignment-{c.pk}-framework": "O*NET",
                f"alignment-{c.pk}-target_name": "Statisticians",
                f"alignment-{c.pk}-target_url": "https://www.onetonline.org/link/summary/15-2041.00",
                f"alignment-{c.pk}-target_code": "15-2041.00",
            },
        ),
        (url("alignment_remove", v, pk=al.pk), "post", {}),
        (url("rubric_level_remove", v, pk=lv.pk), "post", {}),
        (url("prompt_add", v), "get", {}),
        (url("prompt_add", v), "post", {"prompt-text": "What would you do differently?"}),
        (url("prompt_edit", v, pk=pr.pk), "get", {}),
        (url("prompt_edit", v, pk=pr.pk), "post", {"prompt-text": "What surprised you?"}),
        (url("prompt_remove", v, pk=pr.pk), "post", {}),
        (url("competency_remove", v, pk=c.pk), "post", {}),
    ]


def send(client: Any, world: Any, target: str, method: str, data: dict[str, Any]) -> Any:
    data = {
        key: (value() if callable(value) else value) for key, value in data.items()
    }  # fresh uploads each time
    if data.get("goals-goals") == ["GOAL"]:
        data["goals-goals"] = [str(world.goal.pk)]
    return client.get(target) if method == "get" else client.post(target, data)


# --- create, edit everything, see it -----------------------------------------------------


def test_designer_creates_edits_every_part_and_the_page_shows_it(world, client):
    client_for(client, world.designer)
    response = client.post(
        reverse("catalogue:design_create"),
        {"issuer": world.issuer.pk, "title": "Statistical Analysis Software"},
    )
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("design", version)
    assert version.micro_credential.slug == "statistical-analysis-software"
    assert version.state == Version.State.DRAFT

    posts = [
        (
            url("design_edit", version),
            {
                "title": "Statistical Analysis Software",
                "summary": "Analyse real data with statistical software.",
                "description": "Learn **SAS** and R.",
                "criteria": "Demonstrate and reflect.",
                "estimated_hours": "40",
                "delivery_mode": "blended",
                "language": "en",
                "credits_available": "1.5",
                "level": "intermediate",
                "field_of_study": "Data analytics",
                "human_code": "SAS-101",
                "tags": "statistics, SAS, statistics , R",
                "validity_months": "36",
                "prerequisites": "Basic spreadsheets",
            },
        ),
        (url("design_image", version), {"image-image": png(), "image-alt": "A blue SAS badge"}),
        (url("design_goals", version), {"goals-goals": [str(world.goal.pk)]}),
        (
            url("competency_add", version),
            {
                "competency-statement": "Run a regression",
                "competency-demonstration": "On a workplace data set",
            },
        ),
    ]
    for target, data in posts:
        response = client.post(target, data)
        assert response.status_code == 302, (target, response.content.decode()[:2000])
    competency = Competency.objects.get()
    for name, text in (("Beginning", "Needs help"), ("Proficient", "Runs it alone")):
        response = client.post(
            url("rubric_level_add", version, pk=competency.pk),
            {f"level-{competency.pk}-name": name, f"level-{competency.pk}-description": text},
        )
        assert response.status_code == 302
    passing = RubricLevel.objects.get(name="Proficient")
    more = [
        (
            url("passing_level_set", version, pk=competency.pk),
            {f"passing-{competency.pk}-level": str(passing.pk)},
        ),
        (
            url("alignment_add", version, pk=competency.pk),
            {
                f"alignment-{competency.pk}-framework": "ESCO",
                f"alignment-{competency.pk}-target_name": "use statistical analysis techniques",
                f"alignment-{competency.pk}-target_url": "http://data.europa.eu/esco/skill/abc",
                f"alignment-{competency.pk}-target_code": "S7.2",
            },
        ),
        (url("prompt_add", version), {"prompt-text": "How did the workplace data differ?"}),
    ]
    for target, data in more:
        response = client.post(target, data)
        assert response.status_code == 302, (target, response.content.decode()[:2000])

    version.refresh_from_db()
    assert version.tags == ["statistics", "SAS", "R"]
    assert str(version.credits_available) == "1.50"
    page = client.get(url("design", version))
    assert page.status_code == 200
    html = page.content.decode()
    for expected in (
        "<h1>Statistical Analysis Software</h1>",
        "Analyse real data with statistical software.",
        "<strong>SAS</strong>",
        "SAS-101",
        "Data analytics",
        "36 months",
        "Basic spreadsheets",
        'alt="A blue SAS badge"',
        world.goal.title,
        "Run a regression",
        "On a workplace data set",
        "Needs help",
        "Runs it alone",
        "passes",
        "use statistical analysis techniques",
        "http://data.europa.eu/esco/skill/abc",
        "How did the workplace data differ?",
        'id="checklist-heading"',
        'id="lifecycle-heading"',
        'id="endorsement-panel-heading"',
    ):
        assert expected in html, expected
    # The includes come in the agreed order.
    assert html.index('id="checklist-heading"') < html.index('id="lifecycle-heading"')
    assert html.index('id="lifecycle-heading"') < html.index('id="about-heading"')
    assert html.index('id="prompts-heading"') < html.index('id="endorsement-panel-heading"')
    # Every gate but the endorsement holds.
    checklist = {gate.code: gate.passed for gate in page.context["checklist"]}
    assert checklist == {
        "endorsed": False,
        "demonstration": True,
        "rubric": True,
        "reflection": True,
        "goals": True,
        "image": True,
    }
    assert page.context["can"] == {
        "edit": True,
        "review": False,
        "publish": False,
        "request_endorsement": True,
    }

    # History: one audit entry per change, naming the actor and what changed.
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [entry.action for entry in entries] == [
        "design.created",
        "design.updated",
        "design.image_set",
        "design.goals_set",
        "design.competency_added",
        "design.rubric_level_added",
        "design.rubric_level_added",
        "design.passing_level_set",
        "design.alignment_added",
        "design.prompt_added",
    ]
    assert all(entry.actor == world.designer for entry in entries)
    assert all(entry.target == f"catalogue.version:{version.pk}" for entry in entries)
    assert all(entry.organisation == world.business for entry in entries)
    updated = entries[1].data
    assert "summary" in updated["fields"]
    assert updated["changes"]["human_code"] == {"old": "", "new": "SAS-101"}
    assert updated["changes"]["tags"]["new"] == ["statistics", "SAS", "R"]
    assert entries[7].data["changes"]["passing_level"] == {"old": None, "new": "Proficient"}
    assert list(version.contributors.all()) == [world.designer]


def test_every_edit_endpoint_works_for_the_designer_and_leaves_one_audit_entry(world, client):
    design = make_design(world)
    client_for(client, world.designer)
    for target, method, data in endpoints(design):
        before = AuditEntry.objects.count()
        response = send(client, world, target, method, data)
        if method == "get":
            assert response.status_code == 200, target
            assert AuditEntry.objects.count() == before
        else:
            assert response.status_code == 302, (target, response.content.decode()[:3000])
            assert response["Location"].startswith(url("design", design.version))
            assert AuditEntry.objects.count() == before + 1, target
            entry = AuditEntry.objects.order_by("-pk").first()
            assert entry.actor == world.designer
    assert not Competency.objects.filter(pk=design.competency.pk).exists()
    design.version.refresh_from_db()
    assert design.version.title == "Renamed"


@pytest.mark.parametrize("persona", ["tlc_admin", "platform_admin"])
def test_institution_admins_may_edit_too(world, client, persona):
    design = make_design(world)
    client_for(client, world.people[persona])
    for target, method, data in endpoints(design):
        response = send(client, world, target, method, data)
        assert response.status_code == (200 if method == "get" else 302), target


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("reviewer", 403),
        ("assessor", 404),
        ("endorser", 404),
        ("learner", 404),
        ("other_designer", 404),
        ("other_admin", 404),
        ("other_endorser", 404),
    ],
)
def test_every_edit_endpoint_refuses_everyone_else_and_changes_nothing(
    world, client, persona, status
):
    design = make_design(world)
    before = snapshot()
    client_for(client, world.people[persona])
    for target, method, data in endpoints(design):
        response = send(client, world, target, method, data)
        assert response.status_code == status, (persona, method, target)
    assert snapshot() == before


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(world, client):
    design = make_design(world)
    before = snapshot()
    login = reverse("account_login")
    for target, method, data in [
        *endpoints(design),
        (url("design", design.version), "get", {}),
        (reverse("catalogue:design_list"), "get", {}),
        (reverse("catalogue:design_create"), "get", {}),
        (reverse("catalogue:design_create"), "post", {"title": "x"}),
    ]:
        response = send(client, world, target, method, data)
        assert response.status_code == 302, target
        assert response["Location"].startswith(login)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "status", "editable"),
    [
        ("designer", 200, True),
        ("tlc_admin", 200, True),
        ("reviewer", 200, False),
        ("assessor", 404, False),
        ("endorser", 404, False),
        ("learner", 404, False),
        ("other_designer", 404, False),
        ("other_admin", 404, False),
    ],
)
def test_design_page_by_persona(world, client, persona, status, editable):
    design = make_design(world)
    response = client_for(client, world.people[persona]).get(url("design", design.version))
    assert response.status_code == status
    if status == 200:
        assert response.context["can"]["edit"] is editable
        html = response.content.decode()
        assert ('action="' + url("competency_add", design.version) + '"' in html) is editable
        assert design.competency.statement in html


def test_reviewer_edit_refusal_says_why(world, client):
    design = make_design(world)
    response = client_for(client, world.reviewer).get(url("design_edit", design.version))
    assert response.status_code == 403
    assert "Only the design" in response.content.decode()


def test_invited_endorser_sees_the_design_but_cannot_edit(world, client):
    from mosaics.endorsements.models import EndorsementRequest

    design = make_design(world)
    EndorsementRequest.objects.create(
        version=design.version, partner=world.partner, requested_by=world.designer
    )
    client_for(client, world.endorser)
    page = client.get(url("design", design.version))
    assert page.status_code == 200
    assert page.context["can"]["edit"] is False
    before = snapshot()
    for target, method, data in endpoints(design):
        assert send(client, world, target, method, data).status_code == 403, target
    assert snapshot() == before


# --- forged posts ------------------------------------------------------------------------


def test_forged_posts_into_another_organisations_design_are_404_and_change_nothing(world, client):
    theirs = f.VersionFactory(micro_credential__issuer=world.other_issuer)
    their_competency = f.complete_competency(theirs)
    their_prompt = f.ReflectionPromptFactory(version=theirs)
    mine = make_design(world)
    before = snapshot()
    client_for(client, world.designer)
    level = their_competency.levels.first()
    alignment = their_competency.alignments.get()
    forged = [
        # Their design's own URLs.
        (url("design_edit", theirs), {"title": "Hijacked", "language": "en"}),
        (url("competency_add", theirs), {"competency-statement": "Injected"}),
        (url("prompt_remove", theirs, pk=their_prompt.pk), {}),
        # My design's URL with their objects' ids.
        (
            url("competency_edit", mine.version, pk=their_competency.pk),
            {"competency-statement": "Hijacked"},
        ),
        (url("competency_remove", mine.version, pk=their_competency.pk), {}),
        (url("competency_move", mine.version, pk=their_competency.pk), {"direction": "up"}),
        (
            url("rubric_level_add", mine.version, pk=their_competency.pk),
            {f"level-{their_competency.pk}-name": "Injected"},
        ),
        (
            url("rubric_level_edit", mine.version, pk=level.pk),
            {f"level-{their_competency.pk}-name": "Hijacked"},
        ),
        (url("rubric_level_remove", mine.version, pk=level.pk), {}),
        (
            url("passing_level_set", mine.version, pk=their_competency.pk),
            {f"passing-{their_competency.pk}-level": ""},
        ),
        (url("alignment_remove", mine.version, pk=alignment.pk), {}),
        (url("prompt_edit", mine.version, pk=their_prompt.pk), {"prompt-text": "Hijacked"}),
        (url("prompt_remove", mine.version, pk=their_prompt.pk), {}),
    ]
    for target, data in forged:
        assert client.post(target, data).status_code == 404, target
    # Their level as my competency's passing level: refused as a bad choice.
    response = client.post(
        url("passing_level_set", mine.version, pk=mine.competency.pk),
        {f"passing-{mine.competency.pk}-level": str(level.pk)},
    )
    assert response.status_code == 200
    assert "Choose one of this competency" in response.content.decode()
    # Their institution's goal on my design: refused.
    elsewhere = f.GoalFactory(institution=world.other_institution)
    response = client.post(url("design_goals", mine.version), {"goals-goals": [elsewhere.pk]})
    assert response.status_code == 200
    assert "Choose only goals your institution offers" in response.content.decode()
    # Creating a design for their issuer: refused as a bad choice.
    response = client.post(
        reverse("catalogue:design_create"), {"issuer": world.other_issuer.pk, "title": "Mine now"}
    )
    assert response.status_code == 200
    assert "Choose one of the issuers you design for" in response.content.decode()
    assert snapshot() == before


# --- locked versions ---------------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "approved", "published", "superseded", "retired"])
def test_editing_a_locked_version_is_refused_and_changes_nothing(world, client, state):
    design = make_design(world, state=state)
    before = snapshot()
    client_for(client, world.designer)
    for target, method, data in endpoints(design):
        response = send(client, world, target, method, data)
        assert response.status_code == 403, (state, target)
        assert "can no longer be edited" in response.content.decode()
    assert snapshot() == before
    page = client.get(url("design", design.version))
    assert page.status_code == 200
    assert page.context["can"]["edit"] is False
    assert 'action="' + url("competency_add", design.version) not in page.content.decode()


def test_changes_requested_version_is_editable(world, client):
    design = make_design(world, state="changes_requested")
    client_for(client, world.designer)
    response = client.post(
        url("prompt_add", design.version), {"prompt-text": "What will you do next?"}
    )
    assert response.status_code == 302


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message", "kept"),
    [
        (
            "design_edit",
            {"title": "  ", "summary": "Kept summary", "language": "en"},
            "Give the micro-credential a title",
            "Kept summary",
        ),
        (
            "design_edit",
            {"title": "T", "language": "en", "tags": ", ".join(f"tag{n}" for n in range(21))},
            "at most 20 tags",
            "tag20",
        ),
        (
            "design_edit",
            {"title": "T", "language": "en", "tags": "x" * 41},
            "at most 40 characters",
            "x" * 41,
        ),
        (
            "design_edit",
            {"title": "Kept title", "language": "en", "estimated_hours": "lots"},
            "whole number",
            "Kept title",
        ),
        (
            "design_edit",
            {"title": "T", "language": "xx", "summary": "Kept"},
            "Select a valid choice",
            "Kept",
        ),
        (
            "competency_add",
            {"competency-statement": "", "competency-demonstration": "Kept demonstration"},
            "Write the competency statement",
            "Kept demonstration",
        ),
        ("prompt_add", {"prompt-text": "   "}, "Write the reflection prompt", ""),
    ],
)
def test_bad_input_is_explained_kept_and_changes_nothing(world, client, name, data, message, kept):
    design = make_design(world)
    before = snapshot()
    client_for(client, world.designer)
    response = client.post(url(name, design.version), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert kept in html
    assert "Nothing was saved" in html
    assert 'aria-invalid="true"' in html
    assert snapshot() == before


@pytest.mark.parametrize(
    ("target_url", "framework", "framework_name", "message"),
    [
        ("javascript:alert(1)", "ESCO", "", "http:// or https://"),
        ("ftp://example.org/skill", "ESCO", "", "http:// or https://"),
        ("https://example.org/skill", "Bogus", "", "Choose a framework from the list"),
        ("https://example.org/skill", "other", "", "Name the framework"),
    ],
)
def test_bad_alignment_is_refused(world, client, target_url, framework, framework_name, message):
    design = make_design(world)
    c = design.competency
    before = snapshot()
    response = client_for(client, world.designer).post(
        url("alignment_add", design.version, pk=c.pk),
        {
            f"alignment-{c.pk}-framework": framework,
            f"alignment-{c.pk}-framework_name": framework_name,
            f"alignment-{c.pk}-target_name": "A skill",
            f"alignment-{c.pk}-target_url": target_url,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_remove_and_move_are_post_only(world, client):
    design = make_design(world)
    client_for(client, world.designer)
    before = snapshot()
    for name, pk in (
        ("competency_remove", design.competency.pk),
        ("competency_move", design.competency.pk),
        ("rubric_level_remove", design.level.pk),
        ("alignment_remove", design.alignment.pk),
        ("prompt_remove", design.prompt.pk),
    ):
        assert client.get(url(name, design.version, pk=pk)).status_code == 405
    response = client.post(url("competency_move", design.version, pk=design.competency.pk), {})
    assert response.status_code == 302
    assert snapshot() == before


def test_competencies_move_up_and_down(world, client):
    design = make_design(world)
    client_for(client, world.designer)
    client.post(
        url("competency_move", design.version, pk=design.competency.pk), {"direction": "down"}
    )
    assert [c.statement for c in design.version.competencies.all()] == [
        "Communicate the findings",
        "Analyse a data set",
    ]
    client.post(
        url("competency_move", design.version, pk=design.competency.pk), {"direction": "up"}
    )
    assert design.version.competencies.first() == design.competency


# --- markdown is inert -------------------------------------------------------------------


def test_scripts_and_javascript_links_in_markdown_are_inert(world, client):
    design = make_design(world)
    client_for(client, world.designer)
    hostile = (
        "Hello <script>alert('x')</script>\n\n"
        "[click me](javascript:alert(1)) <img src=x onerror=alert(2)> "
        '<a href="javascript:alert(3)">raw</a>\n\n<iframe src="https://evil.example"></iframe>'
    )
    response = client.post(
        url("design_edit", design.version),
        {"title": "Safe", "language": "en", "description": hostile, "criteria": hostile},
    )
    assert response.status_code == 302
    html = client.get(url("design", design.version)).content.decode()
    about = html[html.index('id="about-heading"') : html.index('id="image-heading"')]
    assert "Hello" in about
    assert "click me" in about
    for needle in ("<script", "javascript:", "onerror", "<iframe", "<img", "alert("):
        assert needle not in about, needle


# --- list and create ---------------------------------------------------------------------


def test_design_list_shows_own_organisations_designs_grouped_by_state(world, client):
    draft = f.VersionFactory(micro_credential__issuer=world.issuer, title="Draft design")
    published = f.VersionFactory(
        micro_credential__issuer=world.issuer, title="Published design", state="published"
    )
    f.VersionFactory(micro_credential__issuer=world.other_issuer, title="Their design")
    client_for(client, world.reviewer)
    html = client.get(reverse("catalogue:design_list")).content.decode()
    assert "Draft design" in html
    assert "Published design" in html
    assert "Their design" not in html
    assert url("design", draft) in html
    assert html.index('id="state-draft"') < html.index('id="state-published"')
    filtered = client.get(reverse("catalogue:design_list"), {"state": "published"})
    assert "Draft design" not in filtered.content.decode()
    assert url("design", published) in filtered.content.decode()
    assert client.get(reverse("catalogue:design_list"), {"state": "bogus"}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("designer", 200),
        ("tlc_admin", 200),
        ("reviewer", 200),
        ("learner", 404),
        ("assessor", 404),
        ("endorser", 404),
    ],
)
def test_design_list_by_persona(world, client, persona, status):
    response = client_for(client, world.people[persona]).get(reverse("catalogue:design_list"))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("designer", 200),
        ("tlc_admin", 200),
        ("reviewer", 404),
        ("learner", 404),
        ("assessor", 404),
        ("endorser", 404),
    ],
)
def test_design_create_by_persona(world, client, persona, status):
    client_for(client, world.people[persona])
    assert client.get(reverse("catalogue:design_create")).status_code == status
    response = client.post(
        reverse("catalogue:design_create"), {"issuer": world.issuer.pk, "title": "New thing"}
    )
    assert response.status_code == (302 if status == 200 else 404)
    assert MicroCredential.objects.exists() is (status == 200)


@pytest.mark.parametrize("slug", ["new", "review"])
def test_reserved_and_taken_slugs_are_explained(world, client, slug):
    f.MicroCredentialFactory(issuer=world.issuer, slug="taken")
    client_for(client, world.designer)
    for chosen, message in ((slug, "reserved"), ("taken", "already taken")):
        response = client.post(
            reverse("catalogue:design_create"),
            {"issuer": world.issuer.pk, "title": "Kept title", "slug": chosen},
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "Kept title" in response.content.decode()
    assert MicroCredential.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_new_is_not_a_design_slug(world, client):
    client_for(client, world.designer)
    response = client.get("/design/new")
    assert response.status_code == 200
    assert response.resolver_match.url_name == "design_create"


# --- markup ------------------------------------------------------------------------------


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.controls: list[tuple[str, str | None]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.label_targets.append(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append((tag, attributes.get("id")))
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))


@pytest.mark.parametrize("name", ["design", "design_edit", "competency_add", "prompt_add"])
def test_pages_have_unique_ids_labelled_controls_and_ordered_headings(world, client, name):
    design = make_design(world)
    f.RubricLevelFactory(competency=design.competency, points=3)
    client_for(client, world.designer)
    response = client.post(url(name, design.version), {}) if name != "design" else None
    if response is None or response.status_code != 200:
        response = client.get(url(name, design.version))
    markup = _Markup()
    markup.feed(response.content.decode())
    assert len(markup.ids) == len(set(markup.ids)), sorted(
        i for i in markup.ids if markup.ids.count(i) > 1
    )
    for tag, control_id in markup.controls:
        # Every control has a label (the language switcher's is in base.html).
        assert control_id in markup.label_targets, (tag, control_id)
    assert markup.headings.count(1) == 1
    for previous, current in zip(markup.headings, markup.headings[1:], strict=False):
        assert current <= previous + 1, markup.headings
