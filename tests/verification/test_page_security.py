"""The verification page's server-side requests: a link in the page's address is never opened
(only a POST with the CSRF token opens one), every request a verification makes — the link and
each part of an Open Badges 2.0 badge published elsewhere — counts against the visitor's budget,
and behind our own reverse proxies the visitor is the address they forwarded.

Links to other sites are served by the local HTTPS server of test_fetch (127.0.0.1, its own
certificate authority, allowed only in these tests); nothing touches the network."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape

from mosaics.verification import fetch, views_page
from mosaics.verification.service import MAX_FETCHES, verify_any
from tests.verification.test_fetch import _Handler, local, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

URL = "/verify"
OB2 = "https://w3id.org/openbadges/v2"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lookups(monkeypatch) -> list[str]:
    """Every host name the fetcher looks up (each answered with a private address, so that
    nothing could be opened even if the page tried)."""
    seen: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        seen.append(host)
        return ["10.0.0.1"]

    monkeypatch.setattr(fetch, "_resolve", resolve)
    return seen


# --- a link in the address only fills in the form ---------------------------------------------


def test_a_link_in_the_address_is_filled_in_not_opened(lookups):
    link = "https://badges.example.org/assertions/42.json"
    response = Client(REMOTE_ADDR="203.0.113.30").get(URL, {"url": link})
    assert response.status_code == 200
    body = response.content.decode()
    assert lookups == []  # not even looked up
    assert f'value="{escape(link)}"' in body
    assert "filled in for you but not opened yet" in body
    assert "Result:" not in body
    assert cache.get("verification:fetch:203.0.113.30") is None  # nothing counted either


def test_opening_the_link_takes_the_visitors_press_with_the_csrf_token(lookups):
    link = "https://badges.example.org/assertions/42.json"
    client = Client(enforce_csrf_checks=True)
    response = client.get(URL, {"url": link})
    assert lookups == []
    # Another site's form posting here (no token) is refused before anything is looked up.
    assert client.post(URL, {"method": "url", "url": link}).status_code == 403
    assert lookups == []
    token = response.cookies["csrftoken"].value
    pressed = client.post(URL, {"method": "url", "url": link, "csrfmiddlewaretoken": token})
    assert lookups == ["badges.example.org"]
    assert "private network" in pressed.content.decode()  # (our fake answer for the name)


def test_a_link_in_the_address_that_could_never_be_opened_says_so_at_once(lookups):
    response = Client().get(URL, {"url": "http://badges.example.org/x.json"})
    assert response.status_code == 400
    assert "https://" in response.content.decode()
    assert lookups == []


# --- every request counts against the visitor's budget ----------------------------------------


def _serve_hosted_ob2(base: str) -> str:
    """A hosted OB 2.0 badge on the local server: its assertion, BadgeClass and Issuer are
    three documents there. Returns the assertion's address."""
    issuer = {
        "@context": OB2,
        "type": "Issuer",
        "id": f"{base}/ob2/issuer.json",
        "name": "Remote College",
        "url": "https://remote.example",
        "email": "badges@remote.example",
    }
    badge = {
        "@context": OB2,
        "type": "BadgeClass",
        "id": f"{base}/ob2/badge.json",
        "name": "Remote Skill",
        "description": "A skill shown elsewhere.",
        "image": "https://remote.example/badge.png",
        "criteria": {"narrative": "Show the skill."},
        "issuer": issuer["id"],
    }
    assertion = {
        "@context": OB2,
        "type": "Assertion",
        "id": f"{base}/ob2/assertion.json",
        "recipient": {
            "type": "email",
            "hashed": True,
            "identity": "sha256$" + hashlib.sha256(b"someone@remote.example").hexdigest(),
        },
        "badge": badge["id"],
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2025-01-01T00:00:00Z",
    }
    json_type = {"Content-Type": "application/ld+json"}
    for document in (issuer, badge, assertion):
        path = document["id"][len(base) :]
        _Handler.routes[path] = (200, json_type, json.dumps(document).encode())
    return assertion["id"]


def _requests_for(path_prefix: str) -> int:
    return sum(1 for seen in _Handler.seen if seen["path"].startswith(path_prefix))


def test_every_request_of_a_linked_ob2_badge_counts_against_the_visitor(local, monkeypatch):  # noqa: F811
    base, _port = local
    link = _serve_hosted_ob2(base)
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 6)
    client = Client(REMOTE_ADDR="203.0.113.31")
    before = _requests_for("/ob2/")

    # The link, then the issuer's hosted copy, the BadgeClass and the Issuer: four requests.
    first = client.post(URL, {"method": "url", "url": link})
    assert "This badge is valid" in first.content.decode()
    assert _requests_for("/ob2/") - before == 4
    assert cache.get("verification:fetch:203.0.113.31") == 4

    # Two more are left: the link and the hosted copy; the BadgeClass is not fetched.
    second = client.post(URL, {"method": "url", "url": link})
    body = second.content.decode()
    assert _requests_for("/ob2/") - before == 6
    assert "could not be confirmed" in body
    assert "Not everything could be checked" in body
    assert "many links in a short time" in body
    assert "This badge is valid" not in body

    # Then nothing more leaves for this visitor.
    third = client.post(URL, {"method": "url", "url": link})
    assert third.status_code == 400
    assert "many links in a short time" in third.content.decode()
    assert _requests_for("/ob2/") - before == 6


def test_one_verification_makes_at_most_its_cap_of_requests(local):  # noqa: F811
    base, _port = local
    link = _serve_hosted_ob2(base)
    assert MAX_FETCHES == 8
    before = _requests_for("/ob2/")
    capped = verify_any(link, allow_fetch=True, max_fetches=2)  # the link and its hosted copy
    assert _requests_for("/ob2/") - before == 2
    assert capped.status == "unconfirmed"
    limited = [c for c in capped.failed if c.code == "fetch_limited"]
    assert limited, [c.message for c in capped.checks]
    assert "more requests to other sites than one verification may make" in limited[0].message
    # With the ordinary cap the same badge is checked in full.
    assert verify_any(link, allow_fetch=True).status == "valid"


def test_the_charge_is_asked_before_each_request_and_can_refuse_it(local):  # noqa: F811
    base, _port = local
    link = _serve_hosted_ob2(base)
    asked: list[str] = []

    def charge(url: str) -> None:
        asked.append(url)
        if len(asked) > 3:
            raise fetch.FetchLimited("No more for you.")

    verdict = verify_any(link, allow_fetch=True, charge=charge)
    assert asked == [link, link, f"{base}/ob2/badge.json", f"{base}/ob2/issuer.json"]
    assert verdict.status == "unconfirmed"
    assert any("No more for you." in c.message for c in verdict.failed)


# --- the visitor's address behind our own reverse proxies -------------------------------------


def _exhaust(client: Client, **extra: str) -> None:
    for _ in range(views_page.FETCH_LIMIT):
        client.post(URL, {"method": "url", "url": "https://10.0.0.1/x"}, **extra)


def _limited(client: Client, **extra: str) -> bool:
    response = client.post(URL, {"method": "url", "url": "https://10.0.0.1/x"}, **extra)
    return "many links in a short time" in response.content.decode()


def test_behind_one_trusted_proxy_each_forwarded_visitor_has_a_budget(settings, monkeypatch):
    settings.MOSAICS_TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 3)
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    _exhaust(proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _limited(proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    # Another visitor behind the same proxy is not limited…
    assert not _limited(proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")
    # …and what a visitor puts in front of the header themselves does not help them.
    assert _limited(proxy, HTTP_X_FORWARDED_FOR="192.0.2.44, 198.51.100.7")
    assert _limited(proxy, HTTP_X_FORWARDED_FOR="192.0.2.45,198.51.100.7")


def test_behind_two_trusted_proxies_the_second_address_from_the_right_counts(settings, monkeypatch):
    settings.MOSAICS_TRUSTED_PROXY_COUNT = 2
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 3)
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    _exhaust(proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.9")
    assert _limited(proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7, 10.0.0.10")
    assert not _limited(proxy, HTTP_X_FORWARDED_FOR="198.51.100.8, 10.0.0.9")


def test_without_trusted_proxies_the_forwarded_header_is_ignored(monkeypatch):
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 3)
    client = Client(REMOTE_ADDR="203.0.113.40")
    _exhaust(client, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _limited(client, HTTP_X_FORWARDED_FOR="198.51.100.99")


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , ", "[::1", "1.2.3.4.5"])
def test_a_missing_or_odd_forwarded_header_falls_back_to_the_proxy(
    settings, monkeypatch, forwarded
):
    settings.MOSAICS_TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 3)
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    _exhaust(proxy, HTTP_X_FORWARDED_FOR=forwarded)
    assert _limited(proxy, HTTP_X_FORWARDED_FOR=forwarded)
    assert _limited(proxy)  # the same budget: the proxy's own


def test_ipv6_visitors_are_counted_by_their_network(monkeypatch):
    monkeypatch.setattr(views_page, "FETCH_LIMIT", 3)
    _exhaust(Client(REMOTE_ADDR="2001:db8:1:2::1"))
    assert _limited(Client(REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    assert not _limited(Client(REMOTE_ADDR="2001:db8:1:3::1"))
