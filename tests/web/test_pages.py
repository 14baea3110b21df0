from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_landmarks_in_english(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html  # skip link
    assert "Skills you can show, wherever you go" in html


def test_home_page_in_french_when_the_browser_asks_for_it(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "fr"})
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Des compétences que vous pouvez montrer" in html
    assert "Skills you can show, wherever you go" not in html


def test_language_switch_form_sets_french_and_returns_to_the_page(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_language_switch_rejects_an_unknown_language_and_keeps_the_current_one(
    client: Client,
) -> None:
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_language_switch_never_redirects_off_site(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_pages_carry_security_headers(client: Client) -> None:
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_refuses_post_without_a_500(client: Client) -> None:
    response = client.post("/")
    assert response.status_code in {403, 405}  # CSRF or method not allowed, never 500


def test_healthz_reports_the_database_reachable(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
