"""Hostile input to every form of the design side: never a 500.

For each POST view of the role matrix, the fields of its form are read from the page that
shows the form (or the view's own page), then posted by a person allowed to use it with values
no form expects: overlong text, NUL and control characters, numbers far out of range, a list
where one value is expected, missing fields. The view must answer with a page or a redirect
(400/200/302/403/404), never a server error; each attempt runs in a rolled-back transaction.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.web.test_role_matrix import ROUTES, Scene, scene  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = (
    "x" * 20_000,
    "nul\x00byte",
    "\x01\x02\x1b[31m\u202e",
    "-1",
    "99999999999999999999999999999",
    "1e309",
    "NaN",
    "<script>alert(1)</script>",
    "",
    "ﬁ\U0001f600 \udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
)

# Who drives each form: the first persona of the audience found in this order.
DRIVERS = ("designer", "tlc_admin", "endorser", "reviewer", "platform_admin", "learner")


class _Forms(HTMLParser):
    """Field names of the forms on a page, by form action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._action = found.get("action") or ""
            self.forms.setdefault(self._action, set())
        elif tag in ("input", "textarea", "select", "button") and self._action is not None:
            name = found.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[self._action].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def _host_pages(s: Scene) -> list[str]:
    draft = {"slug": s.draft.micro_credential.slug, "number": s.draft.number}
    return [
        reverse("catalogue:design", kwargs=draft),
        reverse(
            "catalogue:design", kwargs={"slug": s.submitted.micro_credential.slug, "number": 1}
        ),
        reverse("catalogue:design", kwargs={"slug": s.approved.micro_credential.slug, "number": 1}),
        reverse(
            "catalogue:design", kwargs={"slug": s.published.micro_credential.slug, "number": 1}
        ),
        reverse("endorsements:request", kwargs={"pk": s.request.pk}),
        reverse("endorsements:request", kwargs={"pk": s.endorsement.request.pk}),
        reverse("pathways:edit", kwargs={"slug": s.pathway_draft.slug}),
        reverse("organisations:detail", kwargs={"slug": s.world.business.slug}),
        reverse("organisations:detail", kwargs={"slug": s.world.institution.slug}),
        reverse("issuance:keys", kwargs={"slug": s.world.issuer.slug}),
    ]


def _fields(client: Client, url: str, pages: list[str]) -> set[str]:
    names: set[str] = set()
    for page in [url, *pages]:
        response = client.get(page)
        if response.status_code != 200:
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        names |= parser.forms.get(url, set())
        if page == url:  # a form that posts back to its own page
            names |= parser.forms.get("", set())
    return names


# The design side's namespaces; awards, the mosaic, verification and accounts have their own
# module (test_hostile_input_awards.py), with their uploads and JSON bodies.
DESIGN_SIDE = ("organisations", "issuance", "catalogue", "endorsements", "pathways")
POST_ROUTES = sorted(
    name
    for name, route in ROUTES.items()
    if route.method == "post" and name.split(":")[0] in DESIGN_SIDE
)


@pytest.mark.parametrize("name", POST_ROUTES)
def test_hostile_values_never_give_a_server_error(name: str, scene: Scene) -> None:  # noqa: F811
    route = ROUTES[name]
    driver = next(p for p in DRIVERS if p in route.audience)
    client = Client(raise_request_exception=False)
    client.force_login(scene.world.people[driver])
    url = reverse(name, kwargs=route.kwargs(scene))
    names = _fields(client, url, _host_pages(scene)) | KNOWN_FIELDS.get(name, set())
    assert names or name in NO_FIELDS, f"no form found for {name}: the test would prove nothing"
    failures = []
    payloads: list[dict[str, Any]] = [dict.fromkeys(names, value) for value in HOSTILE_VALUES]
    payloads.append({field: ["a", "b"] for field in names})
    for payload in payloads:
        with transaction.atomic():
            response = client.post(url, payload)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            sample = next(iter(payload.values()), "")
            failures.append(f"{response.status_code} for {str(sample)[:40]!r}")
    assert failures == [], f"{name} ({url}) as {driver}: " + "; ".join(failures)


# Forms the scene does not show (moving needs two competencies).
KNOWN_FIELDS = {"catalogue:competency_move": {"direction"}}

# Views that are a bare button (no fields besides the CSRF token).
NO_FIELDS = frozenset(
    {
        "catalogue:competency_remove",
        "catalogue:rubric_level_remove",
        "catalogue:alignment_remove",
        "catalogue:prompt_remove",
        "catalogue:version_submit",
        "catalogue:version_publish",
        "catalogue:version_retire",
        "catalogue:version_start_next",
        "endorsements:request_cancel",
        "organisations:invitation_revoke",
        "organisations:membership_revoke",
        "organisations:goal_deactivate",
        "pathways:publish",
        "pathways:retire",
        "pathways:group_remove",
        "pathways:item_remove",
    }
)
