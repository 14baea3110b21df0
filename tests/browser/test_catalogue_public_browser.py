"""Browser walk: a visitor searches the public catalogue, filters it and reads a detail page,
with axe-core on every page load (the fixtures come from tests/browser/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from mosaics.catalogue.models import Version
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem
from tests import factories as f
from tests.browser.conftest import run_axe
from tests.web.test_catalogue_public_support import design, endorse, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _load(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state()
    assert run_axe(page) == []


def test_visitor_searches_filters_and_reads_a_micro_credential(
    page: Any,
    live_server: Any,
    world: Any,
) -> None:
    version = design(
        world,
        title="Statistical Analysis Software",
        summary="Analyse real data with statistical software.",
        description="## Why\n\nEmployers ask for it.",
        prerequisites="Basic algebra.",
        tags=["statistics"],
        validity_months=24,
        level="intermediate",
    )
    endorse(world, version)
    publish(version)
    pathway = Pathway.objects.create(
        issuer=world.issuer, slug="data-analyst", title="Data Analyst Pathway", state="published"
    )
    RuleItem.objects.create(
        group=RuleGroup.objects.create(pathway=pathway), micro_credential=version.micro_credential
    )
    for i in range(21):
        f.VersionFactory(
            micro_credential__issuer=world.issuer,
            title=f"Workshop {i:02}",
            state=Version.State.PUBLISHED,
            search_text=f"workshop {i:02}",
        )
    retired = f.VersionFactory(
        micro_credential__issuer=world.issuer,
        title="Old Workshop",
        state=Version.State.RETIRED,
        retired_at=timezone.now(),
    )

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Browse all micro-credentials").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Micro-credential catalogue"
    assert page.get_by_role("navigation", name="Result pages").is_visible()

    page.get_by_label("Search micro-credentials").fill("statistical software")
    page.get_by_label("Intermediate").check()
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("1 micro-credential found.").is_visible()
    assert page.get_by_label("Intermediate").is_checked()

    page.get_by_role("link", name="Statistical Analysis Software").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Statistical Analysis Software"
    assert page.get_by_role("heading", name="What you will reflect on").is_visible()
    assert page.get_by_role("heading", name="Prairie Analytics").is_visible()
    assert page.get_by_role("table").first.is_visible()
    assert page.get_by_role("link", name="Data Analyst Pathway").is_visible()

    _load(page, live_server.url + "/catalogue/?q=astrophysics")
    assert page.get_by_text("No micro-credential matches your search.").is_visible()
    _load(page, live_server.url + "/catalogue/?q=workshop&page=2")
    _load(page, live_server.url + f"/catalogue/{retired.micro_credential.slug}")
    assert page.get_by_text("No longer offered.").is_visible()
