"""Collections: the owner's own badges only, private until shared, public page shows only what
is safe to share; forged input is refused with nothing changed and never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions as award_actions
from mosaics.awards.actions import EvidenceInput
from mosaics.portfolio import actions
from mosaics.portfolio.models import Collection, ExternalBadge
from tests.personas import client_for
from tests.portfolio.helpers import held, version_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def badges(world: Any) -> dict[str, Any]:
    learner = world.learner
    evidence = [
        EvidenceInput(name="Public project report", url="https://example.org/report"),
        EvidenceInput(name="Private reflection journal", narrative="Secret diary", private=True),
    ]
    mine = held(learner, version_with(world.issuer, title="Statistics at Work"), evidence=evidence)
    second = held(learner, version_with(world.issuer, title="Dashboards"))
    pending = held(learner, version_with(world.issuer, title="Pending"), accept=False)
    theirs = held(world.assessor, version_with(world.issuer, title="Someone Else's"))
    external = ExternalBadge.objects.create(
        owner=learner, format="ob3-json", payload="{}", verified=True, status="valid",
        title="Imported Python", issuer_name="Elsewhere Academy",
    )  # fmt: skip
    rejected = ExternalBadge.objects.create(
        owner=learner, format="ob3-json", payload="{}", verified=False, status="invalid",
        title="Rejected",
    )  # fmt: skip
    return {
        "mine": mine,
        "second": second,
        "pending": pending,
        "theirs": theirs,
        "external": external,
        "rejected": rejected,
    }


def _url(name: str, collection: Collection) -> str:
    return reverse(f"portfolio:{name}", kwargs={"uuid": collection.uuid})


def test_create_update_share_delete_are_audited(world: Any) -> None:
    learner = world.learner
    collection = actions.collection_create(actor=learner, name="  For employers ", description="")
    assert collection.name == "For employers"
    assert not collection.shared
    actions.collection_update(actor=learner, collection=collection, name="Jobs", description="Hi")
    actions.collection_share(actor=learner, collection=collection, shared=True)
    actions.collection_share(actor=learner, collection=collection, shared=True)  # no change
    collection.refresh_from_db()
    assert (collection.name, collection.description, collection.shared) == ("Jobs", "Hi", True)
    actions.collection_delete(actor=learner, collection=collection)
    assert not Collection.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="portfolio.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "portfolio.collection_create",
        "portfolio.collection_update",
        "portfolio.collection_share",
        "portfolio.collection_delete",
    ]


def test_only_the_owner_may_change_a_collection(world: Any, badges: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    before = AuditEntry.objects.count()
    for actor in (world.assessor, world.platform_admin, None):
        with pytest.raises(PermissionDenied):
            actions.collection_update(actor=actor, collection=collection, name="Hacked")
        with pytest.raises(PermissionDenied):
            actions.collection_share(actor=actor, collection=collection, shared=True)
        with pytest.raises(PermissionDenied):
            actions.collection_add(actor=actor, collection=collection, awards=[badges["theirs"]])
        with pytest.raises(PermissionDenied):
            actions.collection_delete(actor=actor, collection=collection)
    collection.refresh_from_db()
    assert collection.name == "Mine"
    assert not collection.shared
    assert AuditEntry.objects.count() == before


def test_only_own_accepted_badges_can_be_added(world: Any, badges: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    for refused in (
        {"awards": [badges["theirs"]]},
        {"awards": [badges["pending"]]},
        {"awards": [badges["mine"], badges["theirs"]]},
        {"external_badges": [badges["rejected"]]},
        {},
    ):
        with pytest.raises(actions.CollectionRefused):
            actions.collection_add(actor=world.learner, collection=collection, **refused)
    assert not collection.awards.exists()
    assert not collection.external_badges.exists()
    actions.collection_add(
        actor=world.learner,
        collection=collection,
        awards=[badges["mine"]],
        external_badges=[badges["external"]],
    )
    assert list(collection.awards.all()) == [badges["mine"]]
    assert list(collection.external_badges.all()) == [badges["external"]]


def test_declining_takes_the_badge_out_of_every_collection(world: Any, badges: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    actions.collection_add(actor=world.learner, collection=collection, awards=[badges["mine"]])
    award_actions.award_decline(actor=world.learner, award=badges["mine"])
    assert not collection.awards.exists()
    with pytest.raises(actions.CollectionRefused):
        actions.collection_add(actor=world.learner, collection=collection, awards=[badges["mine"]])


def test_the_public_page_is_404_until_shared(client: Any, world: Any, badges: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="For employers")
    actions.collection_add(
        actor=world.learner,
        collection=collection,
        awards=[badges["mine"]],
        external_badges=[badges["external"]],
    )
    url = reverse("portfolio:collection_public", kwargs={"uuid": collection.uuid})
    assert client.get(url).status_code == 404
    assert client_for(client, world.learner).get(url).status_code == 404  # even for the owner
    actions.collection_share(actor=world.learner, collection=collection, shared=True)
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "For employers" in html
    assert "Statistics at Work" in html
    assert "Northern College School of Business" in html
    assert "Imported Python" in html
    assert "Elsewhere Academy" in html
    assert "Public project report" in html
    assert "https://example.org/report" in html
    # Never: private evidence, the learner's address, badges not in the collection.
    assert "Private reflection journal" not in html
    assert "Secret diary" not in html
    assert world.learner.email not in html
    assert "Dashboards" not in html
    assert world.learner.get_full_name() in html
    actions.collection_share(actor=world.learner, collection=collection, shared=False)
    assert client.get(url).status_code == 404


def test_unknown_collection_is_404(client: Any) -> None:
    url = reverse(
        "portfolio:collection_public", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"}
    )
    assert client.get(url).status_code == 404


# ----------------------------------------------------------------------------- the pages


def test_create_and_manage_a_collection_through_the_pages(
    client: Any, world: Any, badges: Any
) -> None:
    signed_in = client_for(client, world.learner)
    response = signed_in.post(
        reverse("portfolio:collection_new"), {"new-name": "Jobs", "new-description": "For work"}
    )
    collection = Collection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("collection", collection)
    page = signed_in.get(_url("collection", collection)).content.decode()
    assert "Statistics at Work" in page
    assert "Imported Python" in page
    assert "Someone Else" not in page
    assert "Pending" not in page
    assert "Rejected" not in page
    response = signed_in.post(
        _url("collection_add", collection),
        {
            "awards": [badges["mine"].pk, badges["second"].pk],
            "external_badges": [badges["external"].pk],
        },
    )
    assert response.status_code == 302
    assert collection.awards.count() == 2
    assert collection.external_badges.count() == 1
    response = signed_in.post(
        _url("collection_remove", collection), {"award": str(badges["second"].uuid)}
    )
    assert response.status_code == 302
    assert list(collection.awards.all()) == [badges["mine"]]
    signed_in.post(_url("collection_share", collection), {"shared": "on"})
    collection.refresh_from_db()
    assert collection.shared
    signed_in.post(_url("collection_update", collection), {"name": "Renamed", "description": ""})
    collection.refresh_from_db()
    assert collection.name == "Renamed"
    signed_in.post(_url("collection_delete", collection))
    assert not Collection.objects.exists()
    assert badges["mine"].__class__.objects.filter(pk=badges["mine"].pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"awards": ["THEIRS"]},
        {"awards": [str(2**63)]},
        {"awards": [str(2**64 + 5)]},
        {"awards": ["-1"]},
        {"awards": ["not-a-number"]},
        {"awards": ["PENDING"]},
        {"external_badges": [str(2**63 + 1)]},
        {"external_badges": ["REJECTED"]},
        {"awards": ["MINE", "THEIRS"]},
        {},
    ],
)
def test_forged_badge_ids_are_refused_and_nothing_changes(
    client: Any, world: Any, badges: Any, data: dict[str, list[str]]
) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    names = {"THEIRS": "theirs", "PENDING": "pending", "REJECTED": "rejected", "MINE": "mine"}
    posted = {
        key: [str(badges[names[v]].pk) if v in names else v for v in values]
        for key, values in data.items()
    }
    before = AuditEntry.objects.count()
    response = client_for(client, world.learner).post(_url("collection_add", collection), posted)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert not collection.awards.exists()
    assert not collection.external_badges.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("value", ["", "garbage", "00000000-0000-0000-0000-000000000000", "1"])
def test_removing_what_is_not_there_is_refused(
    client: Any, world: Any, badges: Any, value: str
) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    actions.collection_add(actor=world.learner, collection=collection, awards=[badges["mine"]])
    response = client_for(client, world.learner).post(
        _url("collection_remove", collection), {"award": value, "external_badge": value}
    )
    assert response.status_code == 400
    assert collection.awards.count() == 1


def test_bad_names_are_refused(client: Any, world: Any) -> None:
    signed_in = client_for(client, world.learner)
    for name in ("", "   ", "x" * 201):
        response = signed_in.post(reverse("portfolio:collection_new"), {"new-name": name})
        assert response.status_code == 400
    assert not Collection.objects.exists()


def test_the_number_of_collections_is_bounded(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(actions, "MAX_COLLECTIONS", 2)
    actions.collection_create(actor=world.learner, name="One")
    actions.collection_create(actor=world.learner, name="Two")
    with pytest.raises(actions.CollectionRefused):
        actions.collection_create(actor=world.learner, name="Three")
    assert Collection.objects.count() == 2


# ------------------------------------------------------------------------ permission matrix

OWNER_VIEWS = [
    ("collection", "get"),
    ("collection_update", "post"),
    ("collection_delete", "post"),
    ("collection_share", "post"),
    ("collection_add", "post"),
    ("collection_remove", "post"),
    ("collection_clr", "post"),
]


@pytest.mark.parametrize(("name", "method"), OWNER_VIEWS)
@pytest.mark.parametrize("persona", ["anonymous", "assessor", "platform_admin", "tlc_admin"])
def test_only_the_owner_reaches_a_collection(
    client: Any, world: Any, badges: Any, name: str, method: str, persona: str
) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    actions.collection_add(actor=world.learner, collection=collection, awards=[badges["mine"]])
    before = AuditEntry.objects.count()
    user = getattr(world, persona)
    response = getattr(client_for(client, user), method)(
        _url(name, collection),
        {"name": "Hacked", "shared": "on", "award": str(badges["mine"].uuid)}
        if method == "post"
        else None,
    )
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    collection.refresh_from_db()
    assert collection.name == "Mine"
    assert not collection.shared
    assert collection.awards.count() == 1
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", ["mosaic_clr", "collection_new"])
def test_anonymous_visitors_sign_in_first(client: Any, name: str) -> None:
    response = client.post(reverse(f"portfolio:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Collection.objects.exists()


def test_changes_need_post(client: Any, world: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="Mine")
    signed_in = client_for(client, world.learner)
    for name in ("collection_delete", "collection_share", "collection_add", "collection_clr"):
        assert signed_in.get(_url(name, collection)).status_code == 405
    assert Collection.objects.filter(pk=collection.pk).exists()
