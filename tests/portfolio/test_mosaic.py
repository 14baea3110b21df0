"""The mosaic page: tiles grouped by skill area (accessible SVG and a table with the same
content), the skills profile de-duplicated by alignment URL, pathway progress, and a number of
queries that does not grow with the number of badges."""

from __future__ import annotations

import html as html_module
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mosaics.awards import actions as award_actions
from mosaics.awards.models import Award, AwardResult
from mosaics.portfolio import tiles
from mosaics.portfolio.models import ExternalBadge
from mosaics.portfolio.mosaic import mosaic
from tests import factories as f
from tests.personas import client_for
from tests.portfolio.helpers import held, version_with

pytestmark = pytest.mark.django_db

MOSAIC = "/mosaic"


def _svg(html: str) -> str:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no inline SVG"
    return match.group(0)


def _contrast(hex_colour: str, other: str = "#ffffff") -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    a, b = sorted([luminance(hex_colour), luminance(other)], reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.fixture
def several(world: Any) -> dict[str, Any]:
    """Four badges in three areas, one pending (not in the mosaic), one imported."""
    learner = world.learner
    data1 = version_with(world.issuer, field_of_study="Data analysis", title="Statistics at Work")
    data2 = version_with(world.issuer, field_of_study="data  ANALYSIS", title="Dashboards")
    lead = version_with(world.issuer, tags=["Leadership", "Teams"], title="Leading Teams")
    plain = version_with(world.issuer, competencies=0, title="Workplace Safety")
    pending = version_with(world.issuer, field_of_study="Secret", title="Not Accepted Yet")
    awards = {
        "data1": held(learner, data1),
        "data2": held(learner, data2),
        "lead": held(learner, lead),
        "plain": held(learner, plain),
        "pending": held(learner, pending, accept=False),
    }
    # Awarded within the same second: the area takes the spelling of the earlier one.
    Award.objects.filter(pk=awards["data2"].pk).update(
        awarded_at=awards["data1"].awarded_at + timedelta(minutes=1)
    )
    external = ExternalBadge.objects.create(
        owner=learner,
        format="ob3-json",
        payload="{}",
        credential={
            "credentialSubject": {
                "achievement": {
                    "name": "Imported Python",
                    "alignment": [
                        {
                            "targetName": "Python (computer programming)",
                            "targetUrl": "http://data.europa.eu/esco/skill/python",
                            "targetFramework": "ESCO",
                        }
                    ],
                }
            }
        },
        verified=True,
        status="valid",
        title="Imported Python",
        issuer_name="Elsewhere Academy",
    )
    ExternalBadge.objects.create(
        owner=learner, format="ob3-json", payload="{}", verified=False, status="invalid",
        title="Rejected Upload",
    )  # fmt: skip
    return {"awards": awards, "external": external, "versions": (data1, data2, lead, plain)}


def test_the_mosaic_groups_tiles_by_skill_area(client: Any, world: Any, several: Any) -> None:
    response = client_for(client, world.learner).get(MOSAIC)
    assert response.status_code == 200
    html = response.content.decode()
    svg = _svg(html)
    # role group named by its title and described by its desc (role="img" would hide the links).
    assert 'role="group"' in svg.split(">", 1)[0]
    assert 'aria-labelledby="mosaic-title"' in svg
    assert '<title id="mosaic-title">' in svg
    assert '<desc id="mosaic-desc">5 badges in 4 skill areas' in svg
    # Areas in order: named ones alphabetically (case-insensitive, first spelling), then
    # the alignment-derived one, Other skills last.
    areas = re.findall(r'<text id="mosaic-area-\d+"[^>]*>([^<]*)</text>', svg)
    assert areas == [
        "Data analysis (2)",
        "Leadership (1)",
        "Python (computer programming) (1)",
        "Other skills (1)",
    ]
    # Each tile is a link with its own accessible name that says issuer and status in words.
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', svg)
    assert len(links) == 5
    award = several["awards"]["data1"]
    assert (
        reverse("awards:detail", kwargs={"uuid": award.uuid}),
        "Statistics at Work, issued by Northern College School of Business, Valid",
    ) in links
    # An imported badge whose issuer nothing confirms: never "issued by", never plain "Valid".
    assert (
        "Imported Python, Issuer's name as written in the badge: Elsewhere Academy — not "
        "confirmed, external badge, Signature valid; issuer not confirmed"
    ) in [html_module.unescape(label) for _, label in links]
    assert "⚠ Issuer not confirmed" in svg
    assert "✓ Signature valid · External" in svg  # not only the dashed border
    assert "✓ Valid · External" not in svg
    assert 'stroke-dasharray="6 4"' in svg
    # Not in the mosaic: the pending claim, the rejected upload, other people's badges.
    assert "Not Accepted Yet" not in html
    assert "Rejected Upload" not in html


def test_the_text_alternative_lists_the_same_badges(client: Any, world: Any, several: Any) -> None:
    html = client_for(client, world.learner).get(MOSAIC).content.decode()
    table = html[html.index('id="mosaic-table"') :]
    table = table[: table.index("</table>")]
    for title in ("Statistics at Work", "Dashboards", "Leading Teams", "Workplace Safety",
                  "Imported Python"):  # fmt: skip
        assert title in table
    assert table.count("<tbody>") == 4
    assert '<th scope="rowgroup" rowspan="2">Data analysis</th>' in table
    assert "External" in table


def test_skills_are_deduplicated_by_alignment_url(world: Any, several: Any) -> None:
    data1 = several["awards"]["data1"]
    competency = data1.version.competencies.first()
    level = competency.levels.get(name="Exemplary")
    AwardResult.objects.create(award=data1, competency=competency, level=level)
    profile = mosaic(world.learner).skills
    esco = [s for s in profile if s.url == f.AlignmentFactory.target_url]
    assert len(esco) == 1  # eight aligned competencies, one framework entry
    skill = esco[0]
    assert skill.framework == "ESCO"
    assert skill.code == "S7.2"
    # Two competencies of each of four... three aligned badges evidence it.
    titles = {e.title for e in skill.evidence}
    assert titles == {"Statistics at Work", "Dashboards", "Leading Teams"}
    assert "Exemplary" in skill.levels
    assert len(skill.statements) == 6
    python = [s for s in profile if s.name == "Python (computer programming)"]
    assert len(python) == 1
    assert python[0].evidence[0].external


def test_skills_profile_on_the_page(client: Any, world: Any, several: Any) -> None:
    html = client_for(client, world.learner).get(MOSAIC).content.decode()
    section = html[html.index('id="skills-title"') :]
    assert section.count(f'href="{f.AlignmentFactory.target_url}"') == 1
    assert "use statistical analysis techniques" in section


def test_area_rule() -> None:
    class Alignment:
        def __init__(self, name: str) -> None:
            self.target_name = name

    class Many:
        def __init__(self, items: list[Any]) -> None:
            self.items = items

        def all(self) -> list[Any]:
            return self.items

    class Competency:
        def __init__(self, *names: str) -> None:
            self.alignments = Many([Alignment(n) for n in names])

    class Version:
        def __init__(self, field: str = "", tags: Any = None, competencies: Any = ()) -> None:
            self.field_of_study = field
            self.tags = tags or []
            self.competencies = Many(list(competencies))

    assert tiles.area_of_version(Version("  Nursing ", ["x"])) == "Nursing"
    assert tiles.area_of_version(Version("", ["", " Care  work "])) == "Care work"
    assert tiles.area_of_version(Version("", [], [Competency(), Competency("SQL")])) == "SQL"
    assert tiles.area_of_version(Version()) == ""
    assert tiles.area_of_achievement({"fieldOfStudy": "Law", "tag": ["x"]}) == "Law"
    assert tiles.area_of_achievement({"alignment": {"targetName": "Excel"}}) == "Excel"
    assert tiles.area_of_achievement(["garbage"]) == ""


def test_palette_has_enough_contrast() -> None:
    for colour in tiles.PALETTE:
        assert _contrast(colour) >= 4.5, colour  # white text on the tile
    assert _contrast("#1a1a1a") >= 4.5  # area headings on the page


def test_svg_escapes_everything(world: Any) -> None:
    nasty = '<script>alert("x")</script> & "quotes"'
    tile = tiles.Tile(
        key="k", title=nasty, issuer=nasty, url='/x" onclick="evil', status="valid",
        status_label="Valid", external=False, area=nasty, awarded=None,
    )  # fmt: skip
    out = tiles.svg(tiles.group([tile]), title=nasty, description=nasty)
    assert "<script>" not in out
    assert '" onclick="' not in out
    assert "&lt;script&gt;" in out


def test_pathway_progress(client: Any, world: Any) -> None:
    first = version_with(world.issuer, title="Statistical Analysis Software")
    second = version_with(world.issuer, title="Data Visualisation")
    third = version_with(world.issuer, title="Data Storytelling")
    unrelated = version_with(world.issuer, title="Unrelated")
    pathway = f.published_pathway(
        world.issuer,
        [first.micro_credential, second.micro_credential, third.micro_credential],
        title="Data Analytics Foundations Certificate",
    )
    f.published_pathway(world.issuer, [unrelated.micro_credential], slug="other", title="Other")
    held(world.learner, first)
    declined = held(world.learner, second)
    award_actions.award_decline(actor=world.learner, award=declined)
    entries = mosaic(world.learner).pathways
    assert [e.pathway for e in entries] == [pathway]
    entry = entries[0]
    assert (entry.met, entry.needed, entry.satisfied, entry.earned) == (1, 3, False, False)
    assert entry.done == ["Statistical Analysis Software"]
    assert [m.title for m in entry.missing] == ["Data Visualisation", "Data Storytelling"]
    assert entry.missing[0].url == reverse(
        "catalogue:detail", kwargs={"slug": second.micro_credential.slug}
    )
    html = client_for(client, world.learner).get(MOSAIC).content.decode()
    assert "1 of 3 requirements met" in html
    assert '<progress max="3" value="1"' in html
    assert f'href="{entry.missing[1].url}"' in html


def test_a_completed_pathway_shows_as_earned(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = version_with(world.issuer)
    second = version_with(world.issuer)
    f.published_pathway(world.issuer, [first.micro_credential, second.micro_credential])
    with django_capture_on_commit_callbacks(execute=True):
        held(world.learner, first)
        held(world.learner, second)
    entry = mosaic(world.learner).pathways[0]
    assert (entry.met, entry.needed, entry.satisfied, entry.earned) == (2, 2, True, True)
    assert entry.missing == []


def test_an_empty_mosaic(client: Any, world: Any) -> None:
    html = client_for(client, world.learner).get(MOSAIC).content.decode()
    assert "No badges yet" in html
    assert "<svg " not in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Any) -> None:
    response = client.get(MOSAIC)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_learners_badges_never_show(client: Any, world: Any, several: Any) -> None:
    html = client_for(client, world.assessor).get(MOSAIC).content.decode()
    assert "Statistics at Work" not in html
    assert "Imported Python" not in html


def test_the_navigation_links_to_the_mosaic(client: Any, world: Any) -> None:
    html = client_for(client, world.learner).get(MOSAIC).content.decode()
    assert f'<a href="{MOSAIC}" aria-current="page">' in html


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MOSAIC).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_badges(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    first = version_with(world.issuer, field_of_study="Data")
    f.published_pathway(world.issuer, [first.micro_credential])
    held(world.learner, first)
    signed_in = client_for(client, world.learner)
    baseline = _queries(signed_in)
    for n in range(6):
        version = version_with(world.issuer, field_of_study=f"Area {n}", tags=["t"])
        award = held(world.learner, version)
        competency = version.competencies.first()
        AwardResult.objects.create(
            award=award, competency=competency, level=competency.levels.first()
        )
    ExternalBadge.objects.create(
        owner=world.learner, format="ob3-json", payload="{}", verified=True, status="valid",
        title="Imported", credential={},
    )  # fmt: skip
    with django_assert_max_num_queries(baseline):
        response = signed_in.get(MOSAIC)
    assert _svg(response.content.decode()).count('<a href="/awards/') == 7


def test_a_revoked_or_suspended_badge_evidences_no_skill(world: Any, several: Any) -> None:
    data1 = several["awards"]["data1"]
    award_actions.award_revoke(actor=world.tlc_admin, award=data1, reason="Issued in error")
    award_actions.award_suspend(
        actor=world.tlc_admin, award=several["awards"]["data2"], reason="Checking"
    )
    titles = {e.title for skill in mosaic(world.learner).skills for e in skill.evidence}
    assert "Statistics at Work" not in titles
    assert "Dashboards" not in titles
    assert "Leading Teams" in titles
