"""Security review of the VC-API: what an API token must not be able to do (overflow a column,
reuse our ids and status lists, rename its issuer, award another issuer's achievement, date a
proof in year 0), and the per-address limit on the public verification endpoints."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.documents import achievement_id
from mosaics.issuance.actions import status_list_url
from mosaics.issuance.models import StatusEntry, StatusList
from mosaics.issuance.signing import issuer_did, profile_document
from mosaics.pathways.documents import pathway_achievement_id
from mosaics.vc import ob3
from mosaics.verification import tokens
from tests import factories as f

pytestmark = pytest.mark.django_db

ISSUE = "/credentials/issue"
VERIFY = "/credentials/verify"
VERIFY_VP = "/presentations/verify"
STATUS = {"credentialStatus": {"type": "BitstringStatusListEntry"}}


def plain_credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [ob3.VC2_CONTEXT],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "ExampleClaim"},
        **extra,
    }


def open_badge(achievement: dict[str, Any] | list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT],
        "id": "urn:uuid:0b0d7d2c-0a3e-4c7c-9d0e-2f1b4b2f3c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data analysis",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": achievement,
        },
        **extra,
    }


def an_achievement(id: str, name: str = "Data analysis") -> dict[str, Any]:
    return ob3.achievement(
        id=id,
        name=name,
        description="Analyses data.",
        criteria={"narrative": "Passed the assessment."},
    )


def post(client: Client, url: str, body: Any, token: str | None = None, **extra: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        url, data=json.dumps(body), content_type="application/json", headers=headers, **extra
    )


@pytest.fixture
def web_token(world: Any) -> str:
    f.with_key(world.issuer)
    _row, token = tokens.api_token_create(actor=None, issuer=world.issuer, name="registrar")
    return token


@pytest.fixture
def key_token(world: Any) -> tuple[Any, str]:
    return tokens.api_token_create(actor=None, issuer=world.issuer, name="suite", did_key=True)


def refused(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"][0]["code"] == code, body
    assert body["message"]
    return body


def nothing_issued() -> None:
    assert AuditEntry.objects.filter(action="verification.api_issue").count() == 0
    assert StatusEntry.objects.count() == 0


# --- 1. a credential id longer than the column -----------------------------------------------


def test_a_credential_id_longer_than_200_characters_is_refused(
    client: Client, web_token: str
) -> None:
    """It would be stored as `StatusEntry.credential_id` (200 characters): a 500 on
    PostgreSQL, a silently long value on SQLite."""
    long_id = "urn:example:" + "a" * 189  # 201 characters
    response = post(
        client, ISSUE, {"credential": plain_credential(id=long_id), "options": STATUS}, web_token
    )
    body = refused(response, "credential_invalid")
    assert "201" in body["message"]
    assert "200" in body["message"]
    nothing_issued()
    fits = "urn:example:" + "a" * 188  # exactly 200: stored whole, on PostgreSQL too
    response = post(
        client, ISSUE, {"credential": plain_credential(id=fits), "options": STATUS}, web_token
    )
    assert response.status_code == 201, response.content
    assert StatusEntry.objects.get().credential_id == fits


@pytest.mark.parametrize("bad_id", ["urn:x\x00", "urn:x\n", "urn:x\x1fy", "urn:\x7f"])
def test_a_credential_id_with_control_characters_is_refused(
    client: Client, web_token: str, bad_id: str
) -> None:
    """PostgreSQL cannot store a NUL in the status entry or in the audit entry's JSON."""
    for options in ({}, STATUS):
        response = post(
            client,
            ISSUE,
            {"credential": plain_credential(id=bad_id), "options": options},
            web_token,
        )
        refused(response, "credential_invalid")
    nothing_issued()


def test_a_token_name_with_control_characters_is_refused(world: Any) -> None:
    from mosaics.verification.models import ApiToken

    with pytest.raises(tokens.TokenRefused):
        tokens.api_token_create(actor=None, issuer=world.issuer, name="CI\x00")
    assert not ApiToken.objects.exists()


# --- 2. ids and status lists that are ours ---------------------------------------------------


def test_a_token_cannot_reuse_an_award_id(client: Client, world: Any, web_token: str) -> None:
    award = f.award(f.published_version(world.issuer))
    entries = StatusEntry.objects.count()
    for reused in (
        award.credential_id,
        award.credential_id.upper().replace("URN:UUID:", "urn:uuid:"),
    ):
        response = post(
            client, ISSUE, {"credential": plain_credential(id=reused), "options": STATUS}, web_token
        )
        body = refused(response, "id_reserved")
        assert reused[:20] in body["message"]
    assert StatusEntry.objects.count() == entries
    assert AuditEntry.objects.filter(action="verification.api_issue").count() == 0


@pytest.mark.parametrize(
    "ours",
    [
        "{site}/awards/6b8f3a52-1c1e-4c55-9b1f-0f1c2a3b4c5d",
        "{site}/status-lists/1",
        "{https}/anything",
        "{did}",
    ],
)
def test_a_token_cannot_use_an_id_on_our_site(
    client: Client, world: Any, key_token: tuple[Any, str], ours: str
) -> None:
    _row, token = key_token
    host = settings.SITE_URL.split("://", 1)[1]
    value = ours.format(
        site=settings.SITE_URL, https=f"HTTPS://{host.upper()}", did=issuer_did(world.issuer)
    )
    response = post(client, ISSUE, {"credential": plain_credential(id=value)}, token)
    refused(response, "id_reserved")
    nothing_issued()


def test_a_did_web_token_cannot_bring_its_own_credential_status(
    client: Client, world: Any, web_token: str
) -> None:
    # An award's entry in our revocation list: the credential would share the award's status.
    award = f.award(f.published_version(world.issuer))
    entries = StatusEntry.objects.count()
    ours = StatusList.objects.filter(issuer=world.issuer, purpose="revocation").get()
    for status in (
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(award.revocation_entry.index),
            "statusListCredential": status_list_url(ours),
        },
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://status.example/lists/1",
        },
    ):
        for options in ({}, STATUS):
            response = post(
                client,
                ISSUE,
                {"credential": plain_credential(credentialStatus=status), "options": options},
                web_token,
            )
            body = refused(response, "status_refused")
            assert "credentialStatus" in body["message"]
    assert StatusEntry.objects.count() == entries
    assert AuditEntry.objects.filter(action="verification.api_issue").count() == 0


def test_a_did_key_token_may_bring_a_status_entry_that_is_not_ours(
    client: Client, world: Any, key_token: tuple[Any, str], web_token: str
) -> None:
    """The W3C VC 2.0 suite issues credentials with status entries of its own."""
    _row, token = key_token
    elsewhere = {
        "id": "https://status.example/lists/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://status.example/lists/1",
    }
    response = post(
        client, ISSUE, {"credential": plain_credential(credentialStatus=elsewhere)}, token
    )
    assert response.status_code == 201, response.content
    assert response.json()["verifiableCredential"]["credentialStatus"] == elsewhere
    # Give the issuer a status list of ours to point at.
    post(
        client,
        ISSUE,
        {"credential": plain_credential(id="urn:example:1"), "options": STATUS},
        web_token,
    )
    ours = status_list_url(StatusList.objects.get(issuer=world.issuer))
    before = AuditEntry.objects.filter(action="verification.api_issue").count()
    for status, code in (
        ({**elsewhere, "id": f"{ours}#7", "statusListCredential": ours}, "status_refused"),
        ([elsewhere, {**elsewhere, "statusListCredential": ours}], "status_refused"),
        ({k: v for k, v in elsewhere.items() if k != "type"}, "status_invalid"),
        ({**elsewhere, "id": "not a url"}, "status_invalid"),
        ("https://status.example/lists/1", "status_invalid"),
    ):
        response = post(
            client, ISSUE, {"credential": plain_credential(credentialStatus=status)}, token
        )
        refused(response, code)
    assert AuditEntry.objects.filter(action="verification.api_issue").count() == before


# --- 3. the issuer ---------------------------------------------------------------------------


def test_a_did_web_token_cannot_rename_its_issuer(
    client: Client, world: Any, web_token: str
) -> None:
    did = issuer_did(world.issuer)
    f.published_version(world.issuer)
    renamed = {
        "id": did,
        "type": ["Profile"],
        "name": "University of Elsewhere",
        "url": "https://evil.example",
        "email": "registrar@evil.example",
    }
    badge = open_badge(an_achievement("https://example.org/achievements/1"), issuer=renamed)
    response = post(client, ISSUE, {"credential": badge}, web_token)
    assert response.status_code == 201, response.content
    issued = response.json()["verifiableCredential"]
    assert issued["issuer"] == profile_document(world.issuer, with_context=False)
    assert "Elsewhere" not in json.dumps(issued)
    # A plain credential gets the terms the VC 2.0 context defines.
    plain = plain_credential(issuer={"id": did, "name": "University of Elsewhere"})
    response = post(client, ISSUE, {"credential": plain}, web_token)
    assert response.status_code == 201, response.content
    issuer = response.json()["verifiableCredential"]["issuer"]
    assert issuer["id"] == did
    assert issuer["name"] == world.issuer.name
    assert set(issuer) <= {"id", "name", "description"}
    assert post(client, VERIFY, {"verifiableCredential": issued}).status_code == 200
    # What was sent must still be readable: a malformed name is refused, not dropped.
    bad = plain_credential(issuer={"id": did, "name": {"@value": "X", "url": "did:ex:1"}})
    response = post(client, ISSUE, {"credential": bad}, web_token)
    assert 400 <= response.status_code < 500
    # A string stays a string.
    response = post(client, ISSUE, {"credential": plain_credential(issuer=did)}, web_token)
    assert response.json()["verifiableCredential"]["issuer"] == did


def test_a_did_key_issuer_object_carries_only_id_name_and_description(
    client: Client, key_token: tuple[Any, str]
) -> None:
    row, token = key_token
    for extra in (
        {"url": "https://college.example"},
        {"image": "https://college.example/logo.png"},
        {"email": "x@college.example"},
        {"type": "Organization"},
    ):
        response = post(
            client,
            ISSUE,
            {"credential": plain_credential(issuer={"id": row.did_key, **extra})},
            token,
        )
        body = refused(response, "issuer_invalid")
        assert next(iter(extra)) in body["message"]
    nothing_issued()
    # What the W3C VC 2.0 suite sends (names-and-descriptions): accepted as sent.
    sent = {"id": row.did_key, "name": "ExampleIssuer", "description": "An issuer."}
    response = post(client, ISSUE, {"credential": plain_credential(issuer=sent)}, token)
    assert response.status_code == 201, response.content
    assert response.json()["verifiableCredential"]["issuer"] == sent


# --- 4. achievements -------------------------------------------------------------------------


def test_a_token_cannot_award_another_issuers_achievement(
    client: Client, world: Any, web_token: str, key_token: tuple[Any, str]
) -> None:
    theirs = f.published_version(world.other_issuer)
    their_pathway = f.published_pathway(world.other_issuer, [theirs.micro_credential])
    mine = f.published_version(world.issuer)
    draft = f.VersionFactory(micro_credential=mine.micro_credential, number=2)
    assert draft.published_at is None
    for token in (web_token, key_token[1]):
        for achievement in (
            an_achievement(achievement_id(theirs)),
            an_achievement(pathway_achievement_id(their_pathway)),
            an_achievement(achievement_id(draft)),
            an_achievement(settings.SITE_URL + "/catalogue"),
            an_achievement(settings.SITE_URL + "/no-such-page"),
            # Any subject, any achievement, nested ones too.
            [an_achievement(achievement_id(mine)), an_achievement(achievement_id(theirs))],
        ):
            response = post(client, ISSUE, {"credential": open_badge(achievement)}, token)
            refused(response, "achievement_not_yours")
        subjects = open_badge(an_achievement(achievement_id(mine)))
        subjects["credentialSubject"] = [
            subjects["credentialSubject"],
            {"id": "did:example:2", "achievement": an_achievement(achievement_id(theirs))},
        ]
        refused(post(client, ISSUE, {"credential": subjects}, token), "achievement_not_yours")
        nested = an_achievement(achievement_id(mine))
        nested["related"] = [{"type": ["Related"], "id": achievement_id(theirs)}]
        nested["achievement"] = an_achievement(achievement_id(theirs))
        refused(
            post(client, ISSUE, {"credential": open_badge(nested)}, token), "achievement_not_yours"
        )
    nothing_issued()


def test_a_token_may_award_its_own_published_achievements(
    client: Client, world: Any, web_token: str
) -> None:
    mine = f.published_version(world.issuer)
    pathway = f.published_pathway(world.issuer, [mine.micro_credential])
    for achievement in (
        an_achievement(achievement_id(mine)),
        an_achievement(pathway_achievement_id(pathway)),
        an_achievement("https://example.org/achievements/1"),
    ):
        response = post(client, ISSUE, {"credential": open_badge(achievement)}, web_token)
        assert response.status_code == 201, response.content


# --- 5. rate limit on the public verification endpoints --------------------------------------


def test_the_verification_endpoints_are_limited_per_address(
    client: Client, world: Any, settings: Any
) -> None:
    settings.VC_API_VERIFY_LIMIT = 3
    address = "203.0.113.7"
    cache.delete_many(
        [f"verification:api-verify:{address}", f"verification:api-verify:{address}:start"]
    )
    bad = {"verifiableCredential": {}}
    vp = {"verifiablePresentation": {"@context": [ob3.VC2_CONTEXT], "type": "Other"}}
    answers = [
        post(client, VERIFY, bad, REMOTE_ADDR=address).status_code,
        post(client, VERIFY_VP, vp, REMOTE_ADDR=address).status_code,
        post(client, VERIFY, bad, REMOTE_ADDR=address).status_code,
    ]
    assert answers == [400, 400, 400]
    for url, body in ((VERIFY, bad), (VERIFY_VP, vp)):
        response = post(client, url, body, REMOTE_ADDR=address)
        assert response.status_code == 429, response.content
        assert response["Content-Type"] == "application/json"
        payload = response.json()
        assert payload["verified"] is False
        assert payload["errors"][0]["code"] == "rate_limited"
        assert payload["message"]
        assert 1 <= int(response["Retry-After"]) <= 300
    # Another address has its own budget; the window's end frees this one.
    assert post(client, VERIFY, bad, REMOTE_ADDR="203.0.113.8").status_code == 400
    cache.delete_many(
        [f"verification:api-verify:{address}", f"verification:api-verify:{address}:start"]
    )
    assert post(client, VERIFY, bad, REMOTE_ADDR=address).status_code == 400


def test_the_default_limit_is_generous_enough_for_the_w3c_suites() -> None:
    from mosaics.verification import views_api

    assert views_api.VERIFY_LIMIT >= 300
    assert views_api.VERIFY_WINDOW <= 300


# --- 6. options.created ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "created",
    [
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
        "-2020-01-01T00:00:00Z",
        "2020-13-01T00:00:00Z",
        "in two days",
    ],
)
def test_a_created_option_far_in_the_past_or_malformed_is_refused(
    client: Client, key_token: tuple[Any, str], created: str
) -> None:
    _row, token = key_token
    response = post(
        client, ISSUE, {"credential": plain_credential(), "options": {"created": created}}, token
    )
    refused(response, "malformed")
    nothing_issued()


def test_a_created_option_within_range(client: Client, key_token: tuple[Any, str]) -> None:
    _row, token = key_token
    soon = (timezone.now() + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for created in ("2000-01-01T00:00:00Z", "2020-03-16T22:37:26+01:00", soon):
        response = post(
            client,
            ISSUE,
            {"credential": plain_credential(), "options": {"created": created}},
            token,
        )
        assert response.status_code == 201, response.content
        assert response.json()["verifiableCredential"]["proof"][0]["created"] == created
    response = post(
        client, ISSUE, {"credential": plain_credential(), "options": {"created": later}}, token
    )
    refused(response, "malformed")
