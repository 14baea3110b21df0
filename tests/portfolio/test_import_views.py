"""The import pages: upload or paste, the result in plain words, delete and share — and who may
do what (the owner only; everyone else gets 404, signed-out visitors the sign-in page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions as award_actions
from mosaics.portfolio.imports import external_badge_import
from mosaics.portfolio.models import ExternalBadge
from mosaics.vc import baking
from tests import factories as f
from tests.personas import PERSONAS, client_for
from tests.portfolio.test_import import HOSTILE, _png

pytestmark = pytest.mark.django_db

IMPORT = reverse("portfolio:import")


@pytest.fixture
def award(world: Any) -> Any:
    return f.award(f.published_version(world.issuer), email=world.learner.email)


def _external(badge: ExternalBadge, what: str = "") -> str:
    name = f"portfolio:external_{what}" if what else "portfolio:external"
    return reverse(name, kwargs={"uuid": badge.uuid})


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, award: Any) -> None:
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    data = json.dumps(award.credential).encode()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("b.json", data)})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not ExternalBadge.objects.exists()


def test_upload_a_file_and_read_the_result(client: Any, world: Any, award: Any) -> None:
    client_for(client, world.learner)
    page = client.get(IMPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "You have not imported any badge yet." in html

    png = baking.bake(_png(), award.credential)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("mine.png", png, "image/png")})
    badge = ExternalBadge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _external(badge)
    assert badge.verified
    assert badge.format == "png"
    assert badge.report["filename"] == "mine.png"

    html = client.get(_external(badge)).content.decode()
    assert "Accepted." in html
    assert "It is in your mosaic, marked as an external badge." in html
    assert award.title in html
    assert world.issuer.name in html
    assert f"It was issued to your verified e-mail address {world.learner.email}." in html
    assert "Baked PNG image" in html
    assert "an Open Badges 3.0 badge" in html
    assert "✓" in html
    assert "Share publicly" in html
    listing = client.get(IMPORT).content.decode()
    assert award.title in listing
    assert "Imports that failed" not in listing


def test_paste_a_jwt(client: Any, world: Any, award: Any) -> None:
    client_for(client, world.learner)
    jwt = str(award_actions.award_credential_form(award, "jwt"))
    response = client.post(IMPORT, {"text": f"\n{jwt}\n"})
    assert response.status_code == 302
    badge = ExternalBadge.objects.get()
    assert badge.verified
    assert badge.format == "ob3-jwt"
    again = client.post(IMPORT, {"text": jwt})
    assert again.status_code == 400
    assert "You have already imported this badge" in again.content.decode()
    assert ExternalBadge.objects.count() == 1


def test_someone_elses_badge_is_rejected_with_the_reason(
    client: Any, world: Any, award: Any
) -> None:
    client_for(client, world.assessor)
    response = client.post(IMPORT, {"text": json.dumps(award.credential)})
    badge = ExternalBadge.objects.get()
    assert response["Location"] == _external(badge)
    assert not badge.verified
    html = client.get(_external(badge)).content.decode()
    assert "Import not accepted" in html
    assert "Rejected." in html
    assert "This badge checks out, but it is not yours." in html
    assert "It was issued to someone else" in html
    assert "never shown as one of your badges" in html
    assert "Share publicly" not in html
    assert "Remove this failed import" in html
    listing = client.get(IMPORT).content.decode()
    assert "Imports that failed" in listing
    assert "(not accepted)" in listing
    assert "it is not yours" in listing


def test_a_revoked_badge_shows_the_issuers_reason(client: Any, world: Any, award: Any) -> None:
    award_actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    client_for(client, world.learner)
    client.post(IMPORT, {"text": json.dumps(award.credential)})
    badge = ExternalBadge.objects.get()
    html = client.get(_external(badge)).content.decode()
    assert "Its issuer has revoked this badge." in html
    assert "Issued in error" in html
    assert "Failed:" in html


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_uploads_give_a_clear_reason_never_a_500(
    client: Any, world: Any, name: str
) -> None:
    data, _code, words = HOSTILE[name]
    client_for(client, world.learner)
    if data.strip():
        response = client.post(IMPORT, {"file": SimpleUploadedFile("x.bin", data)})
        assert response.status_code == 400
        html = response.content.decode()
        assert "The badge was not imported:" in html
        assert words.lower() in html.lower().replace("&#x27;", "'").replace("&quot;", '"')
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        response = client.post(IMPORT, {"text": text})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert not ExternalBadge.objects.exists()


def test_an_empty_file_and_an_empty_form(client: Any, world: Any) -> None:
    client_for(client, world.learner)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("empty.json", b"")})
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    response = client.post(IMPORT, {"text": "   "})
    assert response.status_code == 400
    assert "Choose a badge file, or paste the badge as text." in response.content.decode()


def test_both_a_file_and_text_is_refused(client: Any, world: Any, award: Any) -> None:
    client_for(client, world.learner)
    data = json.dumps(award.credential)
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("b.json", data.encode()), "text": data}
    )
    assert response.status_code == 400
    assert "Give either a file or pasted text, not both." in response.content.decode()
    assert not ExternalBadge.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client: Any, world: Any) -> None:
    client_for(client, world.learner)
    with override_settings(MOSAICS_MAX_IMPORT_BYTES=1024):
        response = client.post(IMPORT, {"file": SimpleUploadedFile("big.json", b"{" * 2048)})
        assert response.status_code == 400
        assert "This is too large to be a badge: the limit is 1 KB." in response.content.decode()
        response = client.post(IMPORT, {"text": "x" * 2048})
        assert response.status_code == 400
    assert not ExternalBadge.objects.exists()


# --- the permission matrix -------------------------------------------------------------------


@pytest.fixture
def imported(world: Any, award: Any) -> ExternalBadge:
    return external_badge_import(actor=world.learner, data=json.dumps(award.credential).encode())


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "learner"])
def test_nobody_but_the_owner_sees_or_changes_an_import(
    client: Any, world: Any, imported: ExternalBadge, persona: str
) -> None:
    user = getattr(world, persona)
    client_for(client, user)
    before = AuditEntry.objects.count()
    responses = [
        client.get(_external(imported)),
        client.post(_external(imported, "delete")),
        client.post(_external(imported, "share"), {"shared": "on"}),
    ]
    for response in responses:
        if user is None:
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]
        else:
            assert response.status_code == 404
            assert imported.title not in response.content.decode()
    imported.refresh_from_db()
    assert not imported.shared
    assert AuditEntry.objects.count() == before
    if user is not None:  # their own import page lists only their own imports
        assert imported.title not in client.get(IMPORT).content.decode()


def test_an_unknown_import_is_404(client: Any, world: Any) -> None:
    client_for(client, world.learner)
    url = reverse("portfolio:external", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    assert client.get(url).status_code == 404


def test_the_owner_shares_unshares_and_deletes(
    client: Any, world: Any, imported: ExternalBadge
) -> None:
    client_for(client, world.learner)
    assert client.get(_external(imported, "share")).status_code == 405
    assert client.get(_external(imported, "delete")).status_code == 405
    response = client.post(_external(imported, "share"), {"shared": "on"})
    assert response["Location"] == _external(imported)
    imported.refresh_from_db()
    assert imported.shared
    assert "Stop sharing" in client.get(_external(imported)).content.decode()
    client.post(_external(imported, "share"), {})
    imported.refresh_from_db()
    assert not imported.shared
    response = client.post(_external(imported, "delete"))
    assert response["Location"] == IMPORT
    assert not ExternalBadge.objects.exists()
    assert AuditEntry.objects.filter(action="portfolio.import_delete").count() == 1


def test_a_rejected_import_cannot_be_shared_through_the_view(
    client: Any, world: Any, award: Any
) -> None:
    badge = external_badge_import(actor=world.assessor, data=json.dumps(award.credential).encode())
    client_for(client, world.assessor)
    response = client.post(_external(badge, "share"), {"shared": "on"})
    assert response.status_code == 400
    assert "A rejected import cannot be shared." in response.content.decode()
    badge.refresh_from_db()
    assert not badge.shared


def test_csrf_is_enforced(world: Any, imported: ExternalBadge) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner)
    assert client.post(_external(imported, "delete")).status_code == 403
    assert client.post(IMPORT, {"text": "{}"}).status_code == 403
    assert ExternalBadge.objects.filter(pk=imported.pk).exists()
