"""Helpers shared by the browser tests of awards, the mosaic and verification (issue 4)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.test import Client

from mosaics.awards.models import Award
from tests import factories as f

TITLE = "Data Analysis Fundamentals"
PASSWORD = "a long and unusual passphrase"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Share a session made by Django's test client with the browser (signing in through the
    form is tested with accounts, and once in the claim journey)."""
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


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def click(page: Any, name: str, *, within: Any = None) -> None:
    """Press the button called `name` (in `within`, else anywhere) and wait for the next page."""
    (within or page).get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def version(world: Any, title: str = TITLE, **fields: Any) -> Any:
    """A published micro-credential of the School of Business issuer (keyed), two competencies
    with a three-level rubric each."""
    fields.setdefault("field_of_study", "Data analytics")
    return f.published_version(world.issuer, title=title, **fields)


def link_in(body: str, path_part: str) -> str:
    """The first link in an e-mail body whose address contains `path_part`."""
    for match in LINK.finditer(body):
        if path_part in match.group(0):
            return match.group(0)
    raise AssertionError(f"no link containing {path_part!r} in:\n{body}")


def local(url: str, live_server: Any) -> str:
    """A link from an e-mail, made to point at the live server (e-mails name the site's own
    address, which the test server does not listen on)."""
    path = re.sub(r"^https?://[^/]+", "", url)
    return str(live_server.url) + path


def accepted_award(
    world: Any, learner: Any, *, title: str = TITLE, field_of_study: str = "Data analytics"
) -> Award:
    """An award of a new micro-credential called `title`, already in `learner`'s mosaic."""
    from mosaics.awards import actions

    awarded = version(world, title=title, field_of_study=field_of_study)
    award = f.award(awarded, email=learner.email)
    return actions.award_accept(actor=learner, award=award)
