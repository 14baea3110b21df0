"""The public verification page: every way in, every kind of bad input, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from mosaics.awards import actions
from mosaics.issuance.signing import profile_url
from mosaics.vc import baking
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/verify"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


def _page(response) -> str:
    return response.content.decode()


def test_the_url_name_and_an_empty_form():
    assert reverse("verification:verify") == URL
    response = Client().get(URL)
    assert response.status_code == 200
    body = _page(response)
    assert "Paste a badge" in body
    assert "Upload a badge file" in body
    assert "Open a link to a badge" in body


def test_pasting_our_award_says_who_to_whom_for_what(world):
    award = f.award(f.published_version(world.issuer))
    response = Client().post(URL, {"method": "paste", "text": json.dumps(award.credential)})
    assert response.status_code == 200
    body = _page(response)
    assert "This badge is valid" in body
    assert award.issuer.name in body
    assert award.title in body
    assert "a hashed e-mail address" in body
    assert award.recipient_email not in body
    assert profile_url(award.issuer).split("://", 1)[1].split("/", 1)[1] in body
    assert "<details>" in body
    assert "The signature is valid" in body


def test_uploading_a_jwt_and_baked_images(world):
    award = f.award(f.published_version(world.issuer))
    jwt = actions.award_credential_form(award, "jwt")
    files = {
        "badge.jwt": jwt.encode(),
        "badge.png": baking.bake(_png(), award.credential),
        "badge.svg": baking.bake(SVG, jwt),
        "badge.json": json.dumps(award.credential).encode(),
    }
    for name, content in files.items():
        upload = SimpleUploadedFile(name, content)
        response = Client().post(URL, {"method": "upload", "file": upload})
        assert response.status_code == 200, name
        assert "This badge is valid" in _page(response), name


def test_revoked_award_shows_revoked_and_the_reason(world):
    award = f.award(f.published_version(world.issuer))
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error.")
    response = Client().post(URL, {"method": "paste", "text": json.dumps(award.credential)})
    body = _page(response)
    assert "has been revoked by its issuer" in body
    assert "Issued in error." in body


def test_suspended_award_shows_suspended(world):
    award = f.award(f.published_version(world.issuer))
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Being checked.")
    body = _page(Client().post(URL, {"method": "paste", "text": json.dumps(award.credential)}))
    assert "suspended by its issuer" in body
    assert "Being checked." in body


def test_a_link_to_our_own_shared_badge_is_answered_without_fetching(world):
    award = f.award(f.published_version(world.issuer))
    link = f"{actions.documents.public_url(award)}"
    # Not shared: nothing is said about it.
    response = Client().get(URL, {"url": link})
    assert response.status_code == 400
    assert "not shared publicly" in _page(response)
    award.shared = True
    award.save(update_fields=["shared"])
    response = Client().get(URL, {"url": link})
    assert response.status_code == 200, _page(response)
    assert "This badge is valid" in _page(response)
    assert award.title in _page(response)


@pytest.mark.parametrize(
    "text",
    [
        "   ",
        "\u0000",
        "not a badge",
        "[1,2]",
        '{"a":' * 5000 + "1" + "}" * 5000,
        "eyJhbGciOiJub25lIn0.eyJ9.",
        "a.b.c",
        "<svg><!DOCTYPE x [<!ENTITY a 'b'>]></svg>",
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
        '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": 5}',
    ],
)
def test_malformed_pastes_get_a_clear_message_and_keep_the_text(text):
    response = Client().post(URL, {"method": "paste", "text": text})
    assert response.status_code in (200, 400)
    body = _page(response)
    assert "errorlist" in body or "could not be verified" in body or "not valid" in body
    if text.strip() and "\x00" not in text:
        # The form keeps what was typed (HTML-escaped).
        from django.utils.html import escape

        assert escape(text)[:200] in body


def test_invalid_utf8_in_the_request_body_is_a_verdict_not_an_error():
    response = Client().post(
        URL,
        data=b"method=paste&text=%FF%FE%7B%22a%22%3A%FF%7D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "not valid" in _page(response)


def test_ten_megabytes_of_text_is_refused_in_words():
    response = Client().post(URL, {"method": "paste", "text": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large to be a badge" in _page(response)


def test_csrf_is_still_checked():
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, {"method": "paste", "text": "{}"}).status_code == 403
    response = client.get(URL)
    token = response.cookies["csrftoken"].value
    ok = client.post(URL, {"method": "paste", "text": "{}", "csrfmiddlewaretoken": token})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("badge.png", b"", "empty"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * 1024 * 1024), "at most 5 MB"),
        ("binary.bin", b"\x00\x01\x02\x03" * 100, "not a badge file"),
        ("badge.exe", b"{}", "not a badge file"),
        ("invalid.json", b"\xff\xfe{\x00", "not a badge file"),
    ],
)
def test_bad_uploads_are_refused_in_words(name, content, message):
    response = Client().post(URL, {"method": "upload", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in _page(response)


def test_bad_badge_files_get_a_verdict_not_an_error():
    for name, content in {
        "broken.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        "bomb.json": ('{"a":[' * 3000 + "]}" * 3000).encode(),
        "entities.svg": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">'
        b'<!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
        "utf8.json": b'{"name": "\xff\xfe"}',
    }.items():
        response = Client().post(
            URL, {"method": "upload", "file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 200, name
        assert "not valid" in _page(response), name


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/badge.json",
        "https://127.0.0.1/badge.json",
        "https://10.0.0.1/badge.json",
        "https://[::1]/badge.json",
        "https://169.254.169.254/latest/meta-data/",
        "https://2130706433/badge.json",
        "https://0x7f.0.0.1/badge.json",
        "https://017700000001/badge.json",
        "https://user:pass@example.org/badge.json",
        "https://example.org@127.0.0.1/badge.json",
        "https://[::ffff:127.0.0.1]/",
        "https://100.64.0.1/",
        "https://[fd00::1]/",
        "https://localhost/badge.json",
        "https://example.org:22/",
        "gopher://example.org/",
        "javascript:alert(1)",
        "https://",
        "https://exa mple.org/",
    ],
)
def test_links_that_must_not_be_opened_are_refused_in_words(url):
    response = Client().post(URL, {"method": "url", "url": url})
    assert response.status_code == 400
    body = _page(response)
    assert "errorlist" in body
    # The form keeps the link that was typed.
    from django.utils.html import escape

    assert escape(url) in body


def test_get_with_a_refused_url_is_a_clear_message_too():
    response = Client().get(URL, {"url": "https://127.0.0.1/x"})
    assert response.status_code == 400
    assert "loopback" in _page(response)


def test_link_opening_is_rate_limited_per_client():
    from mosaics.verification.views_page import FETCH_LIMIT

    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(FETCH_LIMIT):
        response = client.post(URL, {"method": "url", "url": "https://10.0.0.1/x"})
        assert "private network" in _page(response)
    response = client.post(URL, {"method": "url", "url": "https://10.0.0.1/x"})
    assert "many links in a short time" in _page(response)
    # Another client is not affected; pasting is never limited.
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert "private network" in _page(
        other.post(URL, {"method": "url", "url": "https://10.0.0.1/x"})
    )
    assert client.post(URL, {"method": "paste", "text": "{}"}).status_code == 200


def test_unknown_method_and_head_and_put():
    assert Client().post(URL, {"method": "nonsense", "text": "x"}).status_code == 400
    assert Client().head(URL).status_code == 200
    assert Client().put(URL).status_code == 405
