"""API token management: the pages (institution admins of the issuer's organisation only), the
token shown once and stored as a SHA-256, revocation, the did:key key encrypted at rest, and
the `mosaics api_token` command."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.issuance.keystore import KeyUnavailable
from mosaics.verification import tokens
from mosaics.verification.models import ApiToken
from tests.personas import PERSONAS, client_for

pytestmark = pytest.mark.django_db

#: Who may manage the API tokens of world.issuer (School of Business, Northern College).
ALLOWED = {"tlc_admin", "platform_admin"}


def _state() -> tuple[Any, ...]:
    return (
        AuditEntry.objects.count(),
        list(ApiToken.objects.values_list("pk", "revoked_at").order_by("pk")),
    )


def _urls(world: Any, row: ApiToken) -> dict[str, tuple[str, str, dict[str, str]]]:
    slug = world.issuer.slug
    return {
        "list": ("get", reverse("verification:api_tokens", args=[slug]), {}),
        "create": (
            "post",
            reverse("verification:api_token_create", args=[slug]),
            {"name": "New", "signs_as": "did_key"},
        ),
        "revoke": (
            "post",
            reverse("verification:api_token_revoke", args=[slug, row.pk]),
            {},
        ),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["list", "create", "revoke"])
def test_role_matrix(client: Client, world: Any, persona: str, action: str) -> None:
    row, _token = tokens.api_token_create(actor=None, issuer=world.issuer, name="Existing")
    method, url, data = _urls(world, row)[action]
    before = _state()
    response = getattr(client_for(client, getattr(world, persona)), method)(url, data)
    if persona in ALLOWED:
        assert response.status_code in (200, 201, 302), response.status_code
        if action == "list":
            assert b"Existing" in response.content
        return
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    assert _state() == before


def test_the_other_institutions_admin_manages_only_their_own(client: Client, world: Any) -> None:
    client_for(client, world.other_admin)
    assert (
        client.get(reverse("verification:api_tokens", args=[world.other_issuer.slug])).status_code
        == 200
    )
    mine, _token = tokens.api_token_create(actor=None, issuer=world.issuer, name="Mine")
    # A token of another issuer cannot be revoked through one's own issuer's URL either.
    response = client.post(
        reverse("verification:api_token_revoke", args=[world.other_issuer.slug, mine.pk])
    )
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.is_active


def test_create_shows_the_token_once_and_stores_only_its_hash(client: Client, world: Any) -> None:
    client_for(client, world.tlc_admin)
    url = reverse("verification:api_token_create", args=[world.issuer.slug])
    response = client.post(url, {"name": "Registrar system", "signs_as": "did_web"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(name="Registrar system")
    html = response.content.decode()
    start = html.index(tokens.TOKEN_MARKER, html.index('id="api-token"'))
    token = html[start : html.index('"', start)]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix)
    assert len(token) > 40
    assert row.created_by == world.tlc_admin
    assert not row.signs_as_did_key
    # The list shows the prefix, never the token.
    listing = client.get(reverse("verification:api_tokens", args=[world.issuer.slug]))
    assert row.prefix.encode() in listing.content
    assert token.encode() not in listing.content
    entry = AuditEntry.objects.get(action="verification.api_token_create")
    assert token not in json.dumps(entry.data)
    assert row.token_hash not in json.dumps(entry.data)
    assert tokens.authenticate(f"Bearer {token}") == row


def test_create_a_did_key_token(client: Client, world: Any) -> None:
    client_for(client, world.tlc_admin)
    url = reverse("verification:api_token_create", args=[world.issuer.slug])
    response = client.post(url, {"name": "W3C suite", "signs_as": "did_key"})
    assert response.status_code == 201
    row = ApiToken.objects.get(name="W3C suite")
    assert row.did_key.startswith("did:key:z6Mk")
    assert row.did_key.encode() in response.content
    assert row.did_key_secret
    assert row.did_key_kek_id
    signer = tokens.signer_for(row)
    assert signer.issuer_id == row.did_key
    assert signer.did_key
    assert signer.key.id == f"{row.did_key}#{row.did_key_public}"
    # The seed is bound to its row: moved to another issuer's token, it does not decrypt.
    other, _token = tokens.api_token_create(actor=None, issuer=world.other_issuer, name="o")
    other.did_key_public = row.did_key_public
    other.did_key_secret = row.did_key_secret
    other.did_key_kek_id = row.did_key_kek_id
    with pytest.raises(KeyUnavailable):
        tokens.signer_for(other)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "signs_as": "did_web"},
        {"name": "x", "signs_as": "nonsense"},
        {"name": "x" * 121, "signs_as": "did_web"},
        {},
    ],
)
def test_create_with_bad_input_shows_the_form_again(
    client: Client, world: Any, data: dict[str, str]
) -> None:
    client_for(client, world.tlc_admin)
    before = _state()
    response = client.post(reverse("verification:api_token_create", args=[world.issuer.slug]), data)
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert _state() == before


def test_revoke(client: Client, world: Any) -> None:
    row, token = tokens.api_token_create(actor=None, issuer=world.issuer, name="Old")
    client_for(client, world.tlc_admin)
    url = reverse("verification:api_token_revoke", args=[world.issuer.slug, row.pk])
    response = client.post(url)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert tokens.authenticate(f"Bearer {token}") is None
    assert AuditEntry.objects.filter(action="verification.api_token_revoke").count() == 1
    # Again: nothing changes.
    client.post(url)
    assert AuditEntry.objects.filter(action="verification.api_token_revoke").count() == 1
    assert client.get(url).status_code == 405


def test_actions_check_the_actor(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        tokens.api_token_create(actor=world.designer, issuer=world.issuer, name="x")
    row, _token = tokens.api_token_create(actor=world.tlc_admin, issuer=world.issuer, name="x")
    with pytest.raises(PermissionDenied):
        tokens.api_token_revoke(actor=world.other_admin, token=row)
    with pytest.raises(tokens.TokenRefused):
        tokens.api_token_create(actor=None, issuer=world.endorser_profile, name="x")


def test_the_command_prints_the_token_once(world: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "api_token", "create", "--issuer", world.issuer.slug, "--name", "CI", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    row = ApiToken.objects.get(name="CI")
    assert tokens.authenticate(f"Bearer {token}") == row
    assert token not in err.getvalue()
    assert row.prefix in err.getvalue()
    out = StringIO()
    call_command(
        "api_token",
        "create",
        "--issuer",
        world.issuer.slug,
        "--name",
        "suite",
        "--did-key",
        "--json",
        stdout=out,
    )
    made = json.loads(out.getvalue())
    row = ApiToken.objects.get(name="suite")
    assert made["issuer"] == row.did_key
    assert made["verificationMethod"] == f"{row.did_key}#{row.did_key_public}"
    assert tokens.authenticate(f"Bearer {made['token']}") == row
    with pytest.raises(CommandError, match="no-such"):
        call_command("api_token", "create", "--issuer", "no-such", "--name", "x")
