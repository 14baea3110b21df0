"""The mosaic in a real browser, with axe-core on every page load (WCAG 2.1 A/AA): a learner
gathers badges in a collection, shares it and opens its public page signed out; imports a badge
earned elsewhere and finds it in the mosaic marked external; and a keyboard user tabs through
the tiles in reading order, each with a visible focus indicator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from mosaics.portfolio.models import Collection, ExternalBadge
from tests import factories as f
from tests.browser.awards_support import TITLE, accepted_award, click, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "Applied Statistical Analysis and Reporting for Evidence-Based Decisions in Business"


def test_a_learner_shares_a_collection_of_badges(world: Any, page: Any, live_server: Any) -> None:
    learner = world.learner
    accepted_award(world, learner)
    accepted_award(world, learner, title="Spreadsheet Modelling")

    sign_in(page, live_server, learner)
    page.goto(live_server.url + reverse("awards:inbox"))
    # A collection needs a name (the form explains, on its own page).
    page.goto(live_server.url + reverse("portfolio:collection_new"))
    assert page.locator("h1").inner_text() == "New collection"
    click(page, "Create the collection")
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    assert not Collection.objects.exists()

    page.goto(live_server.url + reverse("portfolio:mosaic"))
    new = page.get_by_role("group", name="New collection")
    new.get_by_label("Name").fill("For employers")
    new.get_by_label("Description").fill("Badges from my **data** work.")
    click(page, "Create the collection")
    collection = Collection.objects.get()
    assert page.url.endswith(reverse("portfolio:collection", kwargs={"uuid": collection.uuid}))
    assert page.locator("h1").inner_text() == "For employers"
    assert "The collection was created." in page.content()
    assert "No badges in this collection yet." in page.content()
    assert "Private: only you can see this collection." in page.content()

    # Add one badge; the other stays out.
    page.get_by_role("group", name="Badges", exact=True).get_by_label(TITLE).check()
    click(page, "Add to the collection")
    assert "The badges were added." in page.content()
    badges = page.get_by_role("region", name="Badges in this collection")
    assert badges.get_by_role("link", name=TITLE).is_visible()
    assert badges.get_by_role("link", name="Spreadsheet Modelling").count() == 0

    # Share it and open its public page signed out.
    click(page, "Share this collection")
    assert "The collection is shared: anyone with its address can see it." in page.content()
    public = reverse("portfolio:collection_public", kwargs={"uuid": collection.uuid})
    assert page.get_by_role("link", name=public).is_visible()
    page.goto(live_server.url + reverse("portfolio:mosaic"))
    collections = page.get_by_role("region", name="Collections")
    assert "For employers — 1 badge, shared" in collections.inner_text()

    sign_out(page)
    page.goto(live_server.url + public)
    assert page.locator("h1").inner_text() == "For employers"
    assert page.get_by_role("heading", name=TITLE).is_visible()
    assert world.issuer.name in page.locator("main").inner_text()
    assert "Spreadsheet Modelling" not in page.content()
    assert learner.email not in page.content()


def test_a_learner_imports_a_badge_earned_elsewhere(
    world: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    learner = world.learner
    accepted_award(world, learner)
    elsewhere = f.award(
        f.published_version(world.other_issuer, title="Python for Data Work"), email=learner.email
    )
    upload = tmp_path / "python-for-data-work.json"
    upload.write_text(json.dumps(elsewhere.credential))

    sign_in(page, live_server, learner)
    page.goto(live_server.url + reverse("portfolio:mosaic"))
    page.get_by_role("link", name="Import a badge earned elsewhere").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Import a badge"
    assert "You have not imported any badge yet." in page.content()
    # Something that is not a badge is refused with the reason, and kept out of the mosaic.
    page.get_by_label("Or paste the badge").fill("this is not a badge")
    click(page, "Check and import")
    alert = page.get_by_role("alert")
    assert "The badge was not imported:" in alert.inner_text()
    assert page.get_by_label("Or paste the badge").input_value() == "this is not a badge"
    assert not ExternalBadge.objects.filter(verified=True).exists()

    page.goto(live_server.url + reverse("portfolio:import"))
    page.get_by_label("Badge file", exact=True).set_input_files(upload)
    click(page, "Check and import")
    badge = ExternalBadge.objects.get(verified=True)
    assert page.url.endswith(reverse("portfolio:external", kwargs={"uuid": badge.uuid}))
    assert page.locator("h1").inner_text() == "Python for Data Work"
    assert "It is in your mosaic, marked as an external badge." in page.content()

    page.get_by_role("link", name="Your mosaic").click()
    page.wait_for_load_state()
    assert "You hold 2 badges." in page.content()
    tile = page.locator("svg.mosaic-svg").get_by_role("link", name="Python for Data Work")
    assert "external badge" in (tile.get_attribute("aria-label") or "")
    table = page.get_by_role("table", name="Your badges, by skill area")
    assert "External" in table.get_by_role("row", name="Python for Data Work").inner_text()


_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || !el.closest('svg.mosaic-svg')) return null;
  const rect = el.querySelector('rect');
  const box = rect.getBoundingClientRect();
  const style = getComputedStyle(rect);
  return {label: el.getAttribute('aria-label'), x: box.x, y: box.y,
          stroke: style.stroke, width: parseFloat(style.strokeWidth),
          focusVisible: el.matches(':focus-visible')};
}"""


def test_keyboard_users_reach_the_tiles_in_order_with_a_visible_focus(
    world: Any, page: Any, live_server: Any
) -> None:
    learner = world.learner
    for title in ("Spreadsheet Modelling", TITLE, LONG_TITLE):
        accepted_award(world, learner, title=title)
    accepted_award(world, learner, title="Team Leadership", field_of_study="Leadership")

    sign_in(page, live_server, learner)
    page.goto(live_server.url + reverse("portfolio:mosaic"))
    tiles = page.locator("svg.mosaic-svg a")
    expected = [tiles.nth(n).get_attribute("aria-label") for n in range(tiles.count())]
    assert len(expected) == 4
    unfocused = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('svg.mosaic-svg a rect'))"
        ".strokeWidth)"
    )

    page.locator("h1").click()  # start from the page's heading, as a reader would
    reached: list[dict[str, Any]] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            if reached:
                break
            continue
        reached.append(focused)
    assert [tile["label"] for tile in reached] == expected
    # Areas in alphabetical order (Data analytics, then Leadership), each tile's label says
    # the title, the issuer and the status.
    assert expected[-1].startswith("Team Leadership, issued by")
    assert all(f"issued by {world.issuer.name}, Valid" in label for label in expected)
    # Reading order: left to right along a row, then down.
    positions = [(round(tile["y"]), round(tile["x"])) for tile in reached]
    assert positions == sorted(positions)
    # Each focused tile shows a focus ring: a thicker, coloured outline than when unfocused.
    for tile in reached:
        assert tile["focusVisible"]
        assert tile["width"] >= unfocused + 2
        assert tile["stroke"] == "rgb(255, 191, 71)"
    # After the tiles, Tab moves on to the text alternative's links.
    assert page.evaluate("() => document.activeElement.closest('#mosaic-table') !== null")
