"""The public catalogue: search and filters, detail pages, content negotiation, and that
nothing unpublished is ever shown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mosaics.catalogue.models import Version
from mosaics.catalogue.search import Filters, search
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem
from tests import factories as f
from tests.personas import client_for
from tests.web.test_catalogue_public_support import design, endorse, publish, published

pytestmark = pytest.mark.django_db


def _quick(**fields: Any) -> Version:
    """A published version straight from the factories (no personas: cheaper to set up)."""
    version = f.VersionFactory(state=Version.State.PUBLISHED, **fields)
    f.complete_competency(version)
    return publish(version)


def _titles(response: Any) -> list[str]:
    return [v.title for v in response.context["page"].object_list]


def _search(query: str = "", **filters: Any) -> list[str]:
    return [v.title for v in search(query, Filters(**filters))]


def _index(client: Client, **params: Any) -> Any:
    response = client.get(reverse("catalogue:index"), params)
    assert response.status_code == 200
    return response


# ---------------------------------------------------------------------------------- search


def test_index_lists_published_micro_credentials_to_anonymous_visitors(
    world: Any, client: Client
) -> None:
    version = published(world, title="Statistical Analysis Software", summary="Use SAS well.")
    endorse_and_keep = endorse(world, version)
    response = _index(client)
    html = response.content.decode()
    assert _titles(response) == ["Statistical Analysis Software"]
    assert reverse("catalogue:detail", args=[version.micro_credential.slug]) in html
    assert "Use SAS well." in html
    assert "School of Business" in html
    assert "Introductory" in html
    assert "30 hours" in html
    assert "Blended" in html
    assert "English" in html
    assert endorse_and_keep.endorser.organisation.name in html  # Prairie Analytics
    assert 'role="search"' in html
    assert '<label for="id_q">' in html


def test_search_needs_every_word(world: Any) -> None:
    published(world, title="Spreadsheet Modelling")
    published(world, title="Spreadsheet Auditing")
    published(world, title="Customer Service")
    assert _search("spreadsheet") == ["Spreadsheet Auditing", "Spreadsheet Modelling"]
    assert _search("spreadsheet modelling") == ["Spreadsheet Modelling"]
    assert _search("  SPREADSHEET   auditing ") == ["Spreadsheet Auditing"]
    assert _search("spreadsheet cooking") == []
    assert _search("\x00spreadsheet\tmodelling\x7f") == ["Spreadsheet Modelling"]
    assert _search("") == ["Customer Service", "Spreadsheet Auditing", "Spreadsheet Modelling"]


def test_search_matches_competencies_alignments_tags_and_school(world: Any) -> None:
    version = published(world, title="Data Stories", tags=["visualisation"])
    f.AlignmentFactory(
        competency=version.competencies.first(), target_name="present data", target_code="S1.9"
    )
    publish(version)  # the search text is built at publication
    health = f.IssuerFactory(organisation=world.health, slug="health-issuer")
    published(world, title="Patient Safety", issuer=health)
    assert _search("visualisation") == ["Data Stories"]
    assert _search("s1.9") == ["Data Stories"]
    assert _search("analyse a data set") == ["Data Stories", "Patient Safety"]
    assert _search("school of health") == ["Patient Safety"]


def test_search_ignores_case_and_accents_in_the_query(world: Any) -> None:
    published(world, title="Analyse écologique")
    assert _search("ÉCOLOGIQUE") == ["Analyse écologique"]
    assert _search("Écologique analyse") == ["Analyse écologique"]
    # Search text stored without accents is still found by an accented query.
    folded = published(world, title="Gestion de projet")
    Version.objects.filter(pk=folded.pk).update(search_text="gestion de projet reseaux")
    assert _search("réseaux") == ["Gestion de projet"]


def test_filter_by_skill(world: Any) -> None:
    aligned = published(world, title="Aligned")
    f.AlignmentFactory(
        competency=aligned.competencies.first(),
        target_name="Manage budgets",
        target_code="B.42",
    )
    stated = published(world, title="Stated")
    f.CompetencyFactory(version=stated, statement="Manage budgets for a small team")
    published(world, title="Neither")
    assert _search(skill="manage budgets") == ["Aligned", "Stated"]
    assert _search(skill="b.42") == ["Aligned"]
    assert _search(skill="no such skill") == []


def test_filter_by_school(world: Any) -> None:
    published(world, title="Business one")
    health = f.IssuerFactory(organisation=world.health, slug="health-issuer")
    published(world, title="Health one", issuer=health)
    assert _search(school="health") == ["Health one"]
    assert _search(school="business") == ["Business one"]
    assert _search(school="northern") == ["Business one", "Health one"]  # the institution
    assert _search(school="nowhere") == []


def test_filter_by_industry_partner_counts_only_current_endorsements(world: Any) -> None:
    endorsed = design(world, title="Endorsed")
    endorse(world, endorsed)
    publish(endorsed)
    withdrawn = design(world, title="Withdrawn")
    endorsement = endorse(world, withdrawn)
    publish(withdrawn)
    endorsement.withdrawn_at = timezone.now()
    endorsement.save(update_fields=["withdrawn_at"])
    published(world, title="Not endorsed")
    assert _search(partner="prairie-analytics") == ["Endorsed"]
    assert _search(partner="other-partner") == []


def test_filter_by_level_delivery_and_language(world: Any) -> None:
    published(world, title="A", level="advanced", delivery_mode="online", language="fr")
    published(world, title="B", level="introductory", delivery_mode="online", language="en")
    published(world, title="C", level="advanced", delivery_mode="in_person", language="en")
    assert _search(levels=("advanced",)) == ["A", "C"]
    assert _search(levels=("advanced", "introductory")) == ["A", "B", "C"]
    assert _search(delivery_modes=("online",)) == ["A", "B"]
    assert _search(languages=("fr",)) == ["A"]
    assert _search(levels=("advanced",), delivery_modes=("online",)) == ["A"]


def test_words_and_filters_combine_through_the_page(world: Any, client: Client) -> None:
    published(world, title="Statistics online", delivery_mode="online", level="advanced")
    published(world, title="Statistics in person", delivery_mode="in_person", level="advanced")
    published(world, title="Budgets online", delivery_mode="online", level="advanced")
    response = _index(client, q="statistics", delivery="online", level="advanced")
    assert _titles(response) == ["Statistics online"]
    html = response.content.decode()
    assert 'id="delivery-online" checked' in html
    assert 'value="statistics"' in html


def test_no_results_says_so(world: Any, client: Client) -> None:
    published(world, title="Statistics")
    response = _index(client, q="astrophysics")
    assert _titles(response) == []
    assert "No micro-credential matches your search." in response.content.decode()


def test_empty_catalogue_says_so(world: Any, client: Client) -> None:
    response = _index(client)
    assert "No micro-credential is published yet." in response.content.decode()


def test_results_are_paginated_twenty_to_a_page(world: Any, client: Client) -> None:
    for i in range(23):
        f.VersionFactory(
            micro_credential__issuer=world.issuer,
            title=f"Design {i:02}",
            state=Version.State.PUBLISHED,
            search_text=f"design {i:02}",
        )
    first = _index(client, q="design")
    assert len(_titles(first)) == 20
    html = first.content.decode()
    assert 'aria-label="Result pages"' in html
    assert "q=design&amp;page=2" in html
    second = _index(client, q="design", page=2)
    assert _titles(second) == ["Design 20", "Design 21", "Design 22"]
    assert 'aria-current="page"' in second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "9999"},
        {"page": "-1"},
        {"level": "expert"},
        {"delivery": ["online", "by-pigeon"]},
        {"language": "xx"},
        {"school": "no-such-school"},
        {"partner": "no-such-partner"},
        {"q": "x" * 5000},
        {"q": " ".join(["word"] * 2500)},
        {"skill": "y" * 5000},
        {"q": "%_\\'\""},
        {"q": "\x00"},
    ],
)
def test_bad_query_parameters_give_a_normal_page(client: Client, params: dict[str, Any]) -> None:
    _quick(title="Statistics")
    response = client.get(reverse("catalogue:index"), params)
    assert response.status_code == 200
    assert "Micro-credential catalogue" in response.content.decode()


def test_unknown_filter_value_is_ignored_not_an_error(db: None, client: Client) -> None:
    _quick(title="Statistics", level="advanced")
    assert _titles(_index(client, level="expert")) == ["Statistics"]


def test_index_query_count_does_not_grow_with_results(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    def make(n: int) -> None:
        for _ in range(n):
            publish(design(world))

    make(3)
    with django_assert_max_num_queries(12) as small:
        _index(client)
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _index(client)
    assert len(_titles(response)) == 20


def test_index_query_count_with_endorsements_is_constant(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(2):
        version = design(world)
        endorse(world, version)
        publish(version)
    with django_assert_max_num_queries(12) as small:
        _index(client)
    for _ in range(3):
        version = design(world)
        endorse(world, version)
        publish(version)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _index(client)


# ------------------------------------------------------------------------ never unpublished


def test_unpublished_designs_are_never_public(world: Any, client: Client) -> None:
    hidden = {}
    for state in Version.OPEN_STATES:
        version = design(world, title=f"Secret {state}", state=state)
        version.search_text = f"secret {state}"
        version.save()
        hidden[state] = version
    for persona in ("anonymous", "designer", "tlc_admin", "platform_admin"):
        client.logout()
        client_for(client, world.people[persona])
        assert "Secret" not in _index(client).content.decode()
        assert "Secret" not in _index(client, q="secret").content.decode()
        for version in hidden.values():
            slug = version.micro_credential.slug
            for url in (
                reverse("catalogue:detail", args=[slug]),
                reverse("catalogue:version", args=[slug, 1]),
                reverse("catalogue:achievement_json", args=[slug, 1]),
                reverse("catalogue:badgeclass", args=[slug, 1]),
            ):
                for accept in ("text/html", "application/ld+json"):
                    response = client.get(url, headers={"accept": accept})
                    assert response.status_code == 404, (persona, version.state, url)
                    assert b"Secret" not in response.content


def test_a_new_draft_of_a_published_design_stays_hidden(world: Any, client: Client) -> None:
    v1 = published(world, title="Public title")
    f.VersionFactory(micro_credential=v1.micro_credential, number=2, title="Draft title")
    slug = v1.micro_credential.slug
    page = client.get(reverse("catalogue:detail", args=[slug])).content.decode()
    assert "Public title" in page
    assert "Draft title" not in page
    assert client.get(reverse("catalogue:version", args=[slug, 2])).status_code == 404
    assert client.get(reverse("catalogue:achievement_json", args=[slug, 2])).status_code == 404


def test_unknown_slug_and_version_are_404(world: Any, client: Client) -> None:
    version = published(world)
    slug = version.micro_credential.slug
    assert client.get(reverse("catalogue:detail", args=["no-such-thing"])).status_code == 404
    assert client.get(reverse("catalogue:version", args=[slug, 7])).status_code == 404


def test_the_catalogue_refuses_writes(world: Any, client: Client) -> None:
    version = published(world)
    assert client.post(reverse("catalogue:index")).status_code == 405
    detail = reverse("catalogue:detail", args=[version.micro_credential.slug])
    assert client.post(detail).status_code == 405


# ---------------------------------------------------------------------------------- detail


def test_detail_page_shows_the_whole_design(world: Any, client: Client) -> None:
    version = design(
        world,
        title="Statistical Analysis Software",
        summary="Use SAS on real data.",
        description="## Why it matters\n\nEmployers **need** it.<script>alert(1)</script>",
        credits_available="1.5",
        field_of_study="Data analytics",
        human_code="SAS-101",
        tags=["statistics", "sas"],
        validity_months=24,
        prerequisites="Basic algebra.",
        level="intermediate",
    )
    endorsement = endorse(world, version)
    publish(version)
    pathway = Pathway.objects.create(
        issuer=world.issuer, slug="data-analyst", title="Data Analyst Pathway", state="published"
    )
    RuleItem.objects.create(
        group=RuleGroup.objects.create(pathway=pathway), micro_credential=version.micro_credential
    )
    draft_pathway = Pathway.objects.create(issuer=world.issuer, slug="hidden", title="Hidden path")
    RuleItem.objects.create(
        group=RuleGroup.objects.create(pathway=draft_pathway),
        micro_credential=version.micro_credential,
    )
    response = client.get(reverse("catalogue:detail", args=[version.micro_credential.slug]))
    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Statistical Analysis Software" in html
    assert "Use SAS on real data." in html
    assert "<strong>need</strong>" in html
    assert "<script>alert" not in html
    for fact in ("Intermediate", "30 hours", "Blended", "English", "1.5", "Data analytics"):
        assert fact in html, fact
    assert "SAS-101" in html
    assert "24 months" in html
    assert "Basic algebra." in html
    assert "statistics, sas" in html
    competency = version.competencies.get()
    assert competency.statement in html
    assert "Apply it to a real data set from the workplace." in html
    assert 'href="http://data.europa.eu/esco/skill/' in html
    assert "use statistical analysis techniques" in html
    assert '<th scope="row">Proficient' in html
    assert "Passing level" in html
    assert "What you will reflect on" in html
    assert "What did you learn about applying this skill at work?" in html
    assert "Work-integrated learning for all" in html
    assert "Prairie Analytics" in html
    assert endorsement.statement in html
    assert "Data Analyst Pathway" in html
    assert "Hidden path" not in html
    json_url = reverse("catalogue:achievement_json", args=[version.micro_credential.slug, 1])
    assert f'<link rel="alternate" type="application/ld+json" href="{json_url}">' in html
    assert json_url in response["Link"]
    assert reverse("catalogue:badgeclass", args=[version.micro_credential.slug, 1]) in html
    assert "no longer offered" not in html.lower()


def test_detail_links_each_endorsement(world: Any, client: Client) -> None:
    version = design(world)
    endorsement = endorse(world, version)
    publish(version)
    html = client.get(
        reverse("catalogue:detail", args=[version.micro_credential.slug])
    ).content.decode()
    uuid = endorsement.credential_id.removeprefix("urn:uuid:")
    assert reverse("endorsements:detail", kwargs={"uuid": uuid}) in html


def test_superseded_version_page_points_to_the_current_one(world: Any, client: Client) -> None:
    v1 = design(world, title="Old title")
    publish(v1)
    Version.objects.filter(pk=v1.pk).update(state=Version.State.SUPERSEDED)
    v2 = f.VersionFactory(micro_credential=v1.micro_credential, number=2, title="New title")
    publish(v2)
    slug = v1.micro_credential.slug
    old = client.get(reverse("catalogue:version", args=[slug, 1])).content.decode()
    assert "Old title" in old
    assert "This is not the current version." in old
    assert reverse("catalogue:detail", args=[slug]) in old
    current = client.get(reverse("catalogue:detail", args=[slug])).content.decode()
    assert "New title" in current
    assert "not the current version" not in current
    same = client.get(reverse("catalogue:version", args=[slug, 2])).content.decode()
    assert "not the current version" not in same
    assert _search("title") == ["New title"]


def test_retired_micro_credential_says_it_is_no_longer_offered(world: Any, client: Client) -> None:
    version = published(world, title="Retired design")
    Version.objects.filter(pk=version.pk).update(
        state=Version.State.RETIRED, retired_at=timezone.now()
    )
    slug = version.micro_credential.slug
    for url in (
        reverse("catalogue:detail", args=[slug]),
        reverse("catalogue:version", args=[slug, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "No longer offered." in response.content.decode()
    assert client.get(reverse("catalogue:achievement_json", args=[slug, 1])).status_code == 200
    assert "Retired design" not in _index(client).content.decode()


# ------------------------------------------------------------------ machine-readable forms


@pytest.mark.parametrize(
    "accept", ["application/ld+json", "application/json", "application/ld+json, text/html;q=0.5"]
)
@pytest.mark.parametrize("name", ["catalogue:detail", "catalogue:version"])
def test_content_negotiation_gives_the_achievement(client: Client, accept: str, name: str) -> None:
    version = _quick()
    slug = version.micro_credential.slug
    args = [slug] if name == "catalogue:detail" else [slug, 1]
    response = client.get(reverse(name, args=args), headers={"accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert "Accept" in response["Vary"]
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    assert document["id"].endswith(f"/catalogue/{slug}/v1")
    assert document["achievementType"] == "MicroCredential"


@pytest.mark.parametrize(
    "accept", ["text/html", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", ""]
)
def test_browsers_get_the_page(client: Client, accept: str) -> None:
    version = _quick()
    headers = {"accept": accept} if accept else {}
    response = client.get(
        reverse("catalogue:detail", args=[version.micro_credential.slug]), headers=headers
    )
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_explicit_json_links(world: Any, client: Client) -> None:
    version = published(world)
    slug = version.micro_credential.slug
    achievement = client.get(reverse("catalogue:achievement_json", args=[slug, 1]))
    assert achievement.status_code == 200
    assert achievement["Content-Type"].startswith("application/ld+json")
    assert achievement["Access-Control-Allow-Origin"] == "*"
    assert json.loads(achievement.content)["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    badgeclass = client.get(reverse("catalogue:badgeclass", args=[slug, 1]))
    assert badgeclass.status_code == 200
    assert badgeclass["Content-Type"].startswith("application/json")
    assert badgeclass["Access-Control-Allow-Origin"] == "*"
    document = json.loads(badgeclass.content)
    assert document["type"] == "BadgeClass"
    for field in ("name", "description", "image", "criteria", "issuer"):
        assert document[field], field


def test_superseded_versions_keep_their_documents(world: Any, client: Client) -> None:
    v1 = published(world, title="First")
    Version.objects.filter(pk=v1.pk).update(state=Version.State.SUPERSEDED)
    publish(f.VersionFactory(micro_credential=v1.micro_credential, number=2, title="Second"))
    slug = v1.micro_credential.slug
    one = json.loads(client.get(reverse("catalogue:achievement_json", args=[slug, 1])).content)
    assert (one["name"], one["version"]) == ("First", "1")
    current = client.get(
        reverse("catalogue:detail", args=[slug]), headers={"accept": "application/ld+json"}
    )
    assert json.loads(current.content)["name"] == "Second"


# ---------------------------------------------------------------------------------- pathways


def test_published_pathways_are_listed_in_their_own_section(world: Any, client: Client) -> None:
    published(world, title="Statistics")
    Pathway.objects.create(
        issuer=world.issuer,
        slug="analyst",
        title="Data Analyst Pathway",
        summary="Three badges, one certificate.",
        state="published",
    )
    Pathway.objects.create(issuer=world.issuer, slug="draft", title="Draft Pathway")
    html = _index(client).content.decode()
    assert "Data Analyst Pathway" in html
    assert "Three badges, one certificate." in html
    assert "Draft Pathway" not in html
    assert 'id="pathways-title"' in html
    searched = _index(client, q="analyst").content.decode()
    assert "Data Analyst Pathway" in searched
    assert "Data Analyst Pathway" not in _index(client, q="cooking").content.decode()


def test_search_text_matches_with_or_without_accents(world: Any) -> None:
    from mosaics.catalogue.actions.lifecycle import search_text

    version = f.VersionFactory(
        micro_credential=f.MicroCredentialFactory(issuer=world.issuer),
        title="Pratique écologique en santé",
        state="published",
    )
    version.search_text = search_text(version)
    version.save(update_fields=["search_text"])
    for query in ("écologique", "ECOLOGIQUE", "sante", "Santé"):
        assert list(search(query, Filters())) == [version], query
    assert list(search("ecologie", Filters())) == []
