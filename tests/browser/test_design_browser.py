"""A designer drafts a micro-credential in a real browser, without JavaScript help, and every
page passes axe-core (WCAG 2.1 A/AA) — including pages showing form errors."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from mosaics.catalogue.models import Version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_designer_drafts_a_design_in_the_browser(
    page: Any,
    live_server: Any,
    world: Any,
    tmp_path: Any,
) -> None:
    sign_in(page, live_server, world.designer)
    page.goto(live_server.url + "/design/")
    page.get_by_role("link", name="Design a new micro-credential").click()
    page.wait_for_load_state()
    page.get_by_label("Title").fill("Statistical Analysis Software")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Statistical Analysis Software"
    version = Version.objects.get()

    # Bad input: the error page is accessible and keeps the input.
    page.get_by_label("Competency statement").fill("")
    page.get_by_label("What the learner must demonstrate").first.fill("On real data")
    page.get_by_role("button", name="Add the competency").click()
    page.wait_for_load_state()
    assert "Write the competency statement" in page.content()
    page.get_by_label("Competency statement").fill("Run a regression")
    page.get_by_role("button", name="Add the competency").click()
    page.wait_for_load_state()
    assert "The competency was added." in page.content()

    competency = version.competencies.get()
    page.locator(f"#competency-{competency.pk} summary", has_text="Add a rubric level").click()
    page.locator(f"#id_level-{competency.pk}-name").fill("Beginning")
    page.locator(f"#id_level-{competency.pk}-description").fill("Needs help")
    page.get_by_role("button", name="Add the level").click()
    page.wait_for_load_state()

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (11, 92, 173)).save(out, format="PNG")
    path = tmp_path / "badge.png"
    path.write_bytes(out.getvalue())
    page.locator("#id_image-image").set_input_files(str(path))
    page.get_by_label("Text alternative").fill("A blue square badge")
    page.get_by_role("button", name="Save the image").click()
    page.wait_for_load_state()
    assert page.locator("#image img").get_attribute("alt") == "A blue square badge"
    assert page.evaluate("() => document.querySelector('#image img').naturalWidth") == 64

    page.get_by_role("link", name="Edit the details").click()
    page.wait_for_load_state()
    page.get_by_label("Tags").fill(", ".join(f"t{n}" for n in range(25)))
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_load_state()
    assert "at most 20 tags" in page.content()
