"""Browser walk through the framework review: submit, review queue, changes requested,
resubmit, approve, publication refused by a gate and then allowed, history, a new version —
with axe (WCAG 2.1 AA) on every page load. Fixtures from tests/browser/conftest.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mosaics.catalogue.models import Version
from tests.web.test_lifecycle_support import endorse, make_complete, make_design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_a_design_is_reviewed_and_published(page: Any, live_server: Any, world: Any) -> None:
    version = make_complete(
        make_design(world, title="Statistical Analysis Software"), world, endorsed=False
    )
    design = live_server.url + reverse(
        "catalogue:design", kwargs={"slug": version.micro_credential.slug, "number": 1}
    )

    _sign_in(page, live_server, world.designer)
    page.goto(design)
    _click(page, "Submit for framework review")
    assert "Submitted for framework review" in page.content()

    _sign_in(page, live_server, world.reviewer)
    page.goto(live_server.url + reverse("catalogue:review_queue"))
    page.get_by_role("link", name="Statistical Analysis Software").click()
    page.wait_for_load_state()
    # The browser itself insists on a comment; without that check the server explains.
    page.eval_on_selector("#lifecycle-changes-comment", "el => el.removeAttribute('required')")
    _click(page, "Request changes")
    assert "Say what needs to change" in page.content()
    page.fill("#id_comment", "Name the workplace where learners demonstrate it.")
    _click(page, "Request changes")
    assert "Changes requested" in page.content()

    _sign_in(page, live_server, world.designer)
    page.goto(design)
    _click(page, "Resubmit for framework review")

    _sign_in(page, live_server, world.reviewer)
    page.goto(design)
    page.fill("#lifecycle-approve-comment", "Meets the framework.")
    _click(page, "Approve against the framework")
    assert Version.objects.get(pk=version.pk).state == Version.State.APPROVED

    _sign_in(page, live_server, world.tlc_admin)
    page.goto(design)
    assert "Publishing will be refused" in page.content()
    _click(page, "Publish")
    assert "No industry partner has a current endorsement" in page.content()
    assert Version.objects.get(pk=version.pk).state == Version.State.APPROVED

    endorse(version, world)
    page.goto(design)
    _click(page, "Publish")
    assert Version.objects.get(pk=version.pk).state == Version.State.PUBLISHED

    page.get_by_role("link", name="All versions and the history of changes").click()
    page.wait_for_load_state()
    assert "Requested changes" in page.content()
    page.goto(design)
    _click(page, "Start a new version")
    assert Version.objects.filter(micro_credential=version.micro_credential).count() == 2
