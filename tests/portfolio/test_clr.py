"""CLR 2.0 export: the mosaic or a collection as a ClrCredential signed by the platform issuer
profile, holding the awards' own signed credentials; it verifies (nested ones included) with
our DID documents and status lists, and fails when anything is changed."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.urls import reverse

from mosaics.accounts.models import BoundDid
from mosaics.audit.models import AuditEntry
from mosaics.awards import actions as award_actions
from mosaics.catalogue.views.public import _schools_offering
from mosaics.organisations.actions import issuer_create, organisation_create
from mosaics.organisations.errors import OrganisationError
from mosaics.organisations.models import Issuer, Organisation
from mosaics.organisations.permissions import (
    can_award,
    can_manage_organisation,
    organisations_where,
    roles,
)
from mosaics.portfolio import actions, clr
from mosaics.portfolio.models import ExternalBadge
from mosaics.vc import schema
from tests import factories as f
from tests.personas import client_for
from tests.portfolio.helpers import held, version_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def mosaic(world: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    learner = world.learner
    first = version_with(world.issuer, title="Statistical Analysis Software")
    second = version_with(f.with_key(world.other_issuer), title="Data Visualisation")
    third = version_with(world.issuer, title="Revoked One")
    pathway = f.published_pathway(world.issuer, [first.micro_credential, second.micro_credential])
    with django_capture_on_commit_callbacks(execute=True):
        a = held(learner, first)
        b = held(learner, second)
    pathway_award = learner.awards.get(pathway=pathway)
    award_actions.award_accept(actor=learner, award=pathway_award)
    revoked = held(learner, third)
    award_actions.award_revoke(actor=world.tlc_admin, award=revoked, reason="Issued in error")
    ExternalBadge.objects.create(
        owner=learner, format="ob3-json", payload="{}", verified=True, status="valid",
        title="Imported Python", credential={"id": "urn:uuid:external"},
    )  # fmt: skip
    return {"a": a, "b": b, "pathway": pathway_award, "revoked": revoked}


def _ids(document: dict[str, Any]) -> set[str]:
    return {vc["id"] for vc in document["credentialSubject"]["verifiableCredential"]}


def test_the_mosaic_exports_as_a_verifying_clr(world: Any, mosaic: Any) -> None:
    document = clr.clr_export(actor=world.learner)
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]
    # Our awards exactly as signed, not the revoked one, not the imported one.
    assert _ids(document) == {
        mosaic["a"].credential_id,
        mosaic["b"].credential_id,
        mosaic["pathway"].credential_id,
    }
    nested = document["credentialSubject"]["verifiableCredential"]
    assert mosaic["a"].credential in nested
    # Signed by the platform profile, which is no school's.
    platform = Issuer.objects.get(slug=clr.PLATFORM_SLUG)
    assert document["issuer"]["id"].endswith(":issuers:mosaics-platform")
    assert document["issuer"]["name"] == "Mosaics"
    assert platform.organisation.slug == clr.PLATFORM_SLUG
    # The learner as their awards name them: a salted hash of the address, never the address.
    identifier = document["credentialSubject"]["identifier"]
    assert [i["identityType"] for i in identifier] == ["emailAddress"]
    assert identifier[0]["salt"] != mosaic["a"].identity_salt
    assert world.learner.email not in json.dumps(document)
    # Pathway and its micro-credentials are linked.
    associations = document["credentialSubject"]["association"]
    pathway_id = mosaic["pathway"].credential["credentialSubject"]["achievement"]["id"]
    assert {(x["associationType"], x["targetId"]) for x in associations} == {
        ("isPartOf", pathway_id)
    }
    assert len(associations) == 2

    report = clr.verify_clr(document)
    assert report.status == "valid", report.to_json()["checks"]
    assert len(report.nested) == 3
    assert all(n.verified for n in report.nested)
    assert schema.clr_problems(document) == []
    entry = AuditEntry.objects.get(action="portfolio.clr_export")
    assert entry.data["credential"] == document["id"]


def test_a_tampered_clr_fails(world: Any, mosaic: Any) -> None:
    document = clr.clr_export(actor=world.learner)

    renamed = copy.deepcopy(document)
    renamed["name"] = "Someone else's record"
    assert clr.verify_clr(renamed).status == "invalid"

    # A nested credential changed: the record's own proof and the badge's proof both break.
    inflated = copy.deepcopy(document)
    inflated["credentialSubject"]["verifiableCredential"][0]["name"] = "Doctorate"
    report = clr.verify_clr(inflated)
    assert report.status == "invalid"

    dropped = copy.deepcopy(document)
    dropped["credentialSubject"]["verifiableCredential"].pop()
    assert clr.verify_clr(dropped).status == "invalid"


def test_a_revoked_badge_inside_is_reported(world: Any, mosaic: Any) -> None:
    document = clr.clr_export(actor=world.learner)
    award_actions.award_revoke(actor=world.tlc_admin, award=mosaic["a"], reason="Fraud")
    report = clr.verify_clr(document)
    statuses = sorted(n.status for n in report.nested)
    assert statuses == ["revoked", "valid", "valid"]
    assert any(w.code == "nested_revoked" for w in report.warnings)


def test_a_collection_exports_only_its_badges(world: Any, mosaic: Any) -> None:
    collection = actions.collection_create(
        actor=world.learner, name="For the bank", description="Hi"
    )
    actions.collection_add(actor=world.learner, collection=collection, awards=[mosaic["b"]])
    document = clr.clr_export(actor=world.learner, collection=collection)
    assert _ids(document) == {mosaic["b"].credential_id}
    assert document["name"] == "For the bank"
    assert document["partial"] is True
    assert "association" not in document["credentialSubject"]
    assert clr.verify_clr(document).status == "valid"
    with pytest.raises(clr.ClrRefused):
        clr.clr_export(actor=world.assessor, collection=collection)


def test_a_bound_did_names_the_learner(world: Any, mosaic: Any) -> None:
    BoundDid.objects.create(user=world.learner, did="did:key:z6MkexampleLearner")
    document = clr.clr_export(actor=world.learner)
    assert document["credentialSubject"]["id"] == "did:key:z6MkexampleLearner"
    assert "identifier" not in document["credentialSubject"]
    assert clr.verify_clr(document).status == "valid"


def test_nothing_to_export_is_refused(world: Any) -> None:
    with pytest.raises(clr.ClrRefused) as refused:
        clr.clr_export(actor=world.learner)
    assert refused.value.code == "empty"
    assert not Organisation.objects.filter(slug=clr.PLATFORM_SLUG).exists()


def test_a_record_too_big_to_verify_is_refused(world: Any, mosaic: Any, monkeypatch: Any) -> None:
    assert clr.count_nested(mosaic["a"].credential) == 1
    monkeypatch.setattr(clr, "MAX_NESTED_CREDENTIALS", 2)
    with pytest.raises(clr.ClrRefused) as refused:
        clr.clr_export(actor=world.learner)
    assert refused.value.code == "too_large"
    assert not AuditEntry.objects.filter(action="portfolio.clr_export").exists()


def test_count_nested_counts_endorsements() -> None:
    credential = {
        "proof": {"endorsement": [1, 2]},
        "credentialSubject": {"achievement": {"endorsement": [{"a": 1}, {"b": 2}]}},
        "issuer": {"endorsementJwt": ["x"]},
    }
    assert clr.count_nested(credential) == 4


def test_the_platform_profile_stays_out_of_staff_lists(
    client: Any, world: Any, mosaic: Any
) -> None:
    clr.clr_export(actor=world.learner)
    clr.clr_export(actor=world.learner)  # made once
    assert Organisation.objects.filter(slug=clr.PLATFORM_SLUG).count() == 1
    platform = Organisation.objects.get(slug=clr.PLATFORM_SLUG)
    assert platform not in organisations_where(world.platform_admin, "institution_admin")
    assert platform not in _schools_offering()
    html = client_for(client, world.platform_admin).get(reverse("organisations:dashboard"))
    assert "mosaics-platform" not in html.content.decode()
    # Its DID document is published like any issuer's, so others can verify the record.
    did = client.get(reverse("issuance:did", kwargs={"slug": clr.PLATFORM_SLUG}))
    assert did.status_code == 200
    # Nobody acts for it, not even a platform admin who types its address.
    assert platform.kind == Organisation.Kind.PLATFORM
    assert roles(world.platform_admin, platform) == set()
    assert not can_manage_organisation(world.platform_admin, platform)
    issuer = Issuer.objects.get(slug=clr.PLATFORM_SLUG)
    assert not can_award(world.platform_admin, issuer)
    page = client_for(client, world.platform_admin).get(
        reverse("organisations:detail", kwargs={"slug": clr.PLATFORM_SLUG})
    )
    assert page.status_code == 404


def test_nobody_can_take_the_platforms_short_name(world: Any) -> None:
    with pytest.raises(OrganisationError, match="reserved"):
        organisation_create(
            actor=world.platform_admin,
            kind="institution",
            name="Pretender",
            slug=clr.PLATFORM_SLUG,
        )
    with pytest.raises(OrganisationError, match="reserved"):
        issuer_create(
            actor=world.tlc_admin,
            organisation=world.business,
            name="Pretender",
            slug=clr.PLATFORM_SLUG.upper(),
        )


def test_a_platform_name_taken_by_an_institution_stops_the_export(world: Any, mosaic: Any) -> None:
    """Should an institution hold the short name anyway (made before it was reserved), the
    CLR is not signed as that institution."""
    f.InstitutionFactory(slug=clr.PLATFORM_SLUG, name="Pretender")
    with pytest.raises(clr.ClrRefused, match="misconfigured"):
        clr.clr_export(actor=world.learner)


def test_the_platform_name_is_a_setting(world: Any, mosaic: Any, settings: Any) -> None:
    settings.MOSAICS_PLATFORM_NAME = "Northern Wallet"
    document = clr.clr_export(actor=world.learner)
    assert document["issuer"]["name"] == "Northern Wallet"


def test_download_the_mosaic(client: Any, world: Any, mosaic: Any) -> None:
    response = client_for(client, world.learner).post(reverse("portfolio:mosaic_clr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"].startswith('attachment; filename="mosaic-clr-')
    document = json.loads(response.content)
    assert clr.verify_clr(document).status == "valid"


def test_download_a_collection(client: Any, world: Any, mosaic: Any) -> None:
    collection = actions.collection_create(actor=world.learner, name="Jobs")
    signed_in = client_for(client, world.learner)
    url = reverse("portfolio:collection_clr", kwargs={"uuid": collection.uuid})
    empty = signed_in.post(url)  # nothing in it yet: told why, nothing made
    assert empty.status_code == 302
    assert "no badge" in signed_in.get(empty["Location"]).content.decode()
    actions.collection_add(actor=world.learner, collection=collection, awards=[mosaic["a"]])
    response = signed_in.post(url)
    assert response.status_code == 200
    assert f'filename="collection-{collection.uuid}-clr-' in response["Content-Disposition"]
    assert _ids(json.loads(response.content)) == {mosaic["a"].credential_id}
