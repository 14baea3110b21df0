"""OB 2.0 documents of awards: the hosted Assertion, its status, the pathway BadgeClass and the
baked images (mosaics.awards.ob2, views_ob2). They are served only for an award its learner
has accepted: a pending or declined award's OB 2.0 URLs answer 404, and no page links them."""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from datetime import UTC, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from mosaics.awards import actions, ob2
from mosaics.awards.models import Award
from mosaics.catalogue.documents import badgeclass_document
from mosaics.pathways.models import Pathway
from mosaics.vc import baking
from tests import factories as f

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def _path(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    return url[len(SITE) :]


def png_bytes(size: tuple[int, int] = (12, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, format="PNG")
    return out.getvalue()


def get_json(url: str, **headers):
    response = Client().get(_path(url), **headers)
    return response, json.loads(response.content)


def accepted(award: Award) -> Award:
    """`award`, attached to a learner with its address, who has accepted it."""
    if award.learner is None:
        learner = f.UserFactory()
        actions.awards_attach(user=learner, email=award.recipient_email)
        award.refresh_from_db()
        assert award.learner == learner
    return actions.award_accept(actor=award.learner, award=award)


def ob2_paths(award: Award) -> list[str]:
    return [
        _path(ob2.assertion_url(award)),
        _path(ob2.baked_url(award, "png")),
        _path(ob2.baked_url(award, "svg")),
    ]


@pytest.fixture
def pending_award(world):
    version = f.published_version(world.issuer, validity_months=24)
    return f.award(
        version,
        email="Robin.Learner@Example.ORG",
        narrative="Robin built a **dashboard** for the food bank.",
        evidence=[
            {
                "name": "Dashboard",
                "url": "https://example.org/robin/dashboard",
                "description": "The live dashboard.",
                "narrative": "Built over six weeks.",
                "genre": "Artifact",
            },
            {
                "name": "Supervisor's private note",
                "url": "https://example.org/robin/private-note",
                "description": "Confidential assessment notes.",
                "private": True,
            },
            {"name": "Reflection", "narrative": "What I learnt."},
        ],
    )


@pytest.fixture
def award(pending_award):
    return accepted(pending_award)


# ------------------------------------------------------------------------------ assertion


def test_the_assertion_has_every_property(award):
    url = ob2.assertion_url(award)
    assert url == f"{SITE}/awards/{award.uuid}/ob2"
    response, document = get_json(url)
    assert response.status_code == 200
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "Assertion"
    assert document["id"] == url
    assert document["verification"] == {"type": "hosted"}
    assert document["badge"] == badgeclass_document(award.version)["id"]
    assert document["badge"].endswith(
        f"/catalogue/{award.version.micro_credential.slug}/v{award.version.number}/badgeclass.json"
    )
    assert document["image"] == f"{SITE}/awards/{award.uuid}/ob2/badge.png"
    assert document["narrative"] == "Robin built a **dashboard** for the food bank."
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert iso.match(document["issuedOn"])
    assert iso.match(document["expires"])
    assert document["issuedOn"] == award.awarded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["expires"] == award.valid_until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_recipient_is_the_salted_hash_of_the_lower_cased_address(award):
    _response, document = get_json(ob2.assertion_url(award))
    recipient = document["recipient"]
    salt = award.identity_salt
    expected = hashlib.sha256(("robin.learner@example.org" + salt).encode()).hexdigest()
    assert recipient == {
        "type": "email",
        "hashed": True,
        "salt": salt,
        "identity": f"sha256${expected}",
    }
    # The same salt and hash as the signed OB 3.0 credential.
    identifier = award.credential["credentialSubject"]["identifier"][0]
    assert identifier["salt"] == salt
    assert identifier["identityHash"] == recipient["identity"]
    body = json.dumps(document).lower()
    assert "robin.learner" not in body
    assert 'example.org"' not in body


def test_only_public_evidence_is_listed(award):
    _response, document = get_json(ob2.assertion_url(award))
    assert document["evidence"] == [
        {
            "type": "Evidence",
            "id": "https://example.org/robin/dashboard",
            "name": "Dashboard",
            "description": "The live dashboard.",
            "narrative": "Built over six weeks.",
            "genre": "Artifact",
        },
        {"type": "Evidence", "name": "Reflection", "narrative": "What I learnt."},
    ]
    body = json.dumps(document)
    assert "private" not in body.lower()
    assert "Confidential" not in body
    # The learner marks the rest private: no evidence at all is listed.
    award.evidence.update(private=True)
    _response, document = get_json(ob2.assertion_url(award))
    assert "evidence" not in document
    assert "Dashboard" not in json.dumps(document)


def test_an_award_without_validity_narrative_or_evidence_has_none(world):
    award = accepted(f.award(f.published_version(world.issuer)))
    _response, document = get_json(ob2.assertion_url(award))
    assert "expires" not in document
    assert "narrative" not in document
    assert "evidence" not in document


def test_served_as_json_ld_or_json_to_anyone(award):
    path = _path(ob2.assertion_url(award))
    client = Client()
    response = client.get(path)
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response["Vary"]
    response = client.get(path, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    response = client.get(path, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response["Content-Type"].startswith("application/ld+json")
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405
    assert client.put(path).status_code == 405
    assert client.delete(path).status_code == 405


def test_the_badgeclass_and_issuer_it_names_are_served(award):
    _response, document = get_json(ob2.assertion_url(award))
    response, badgeclass = get_json(document["badge"])
    assert response.status_code == 200
    assert badgeclass["type"] == "BadgeClass"
    assert badgeclass["id"] == document["badge"]
    response, issuer = get_json(badgeclass["issuer"])
    assert response.status_code == 200
    assert issuer["type"] == "Issuer"
    assert issuer["id"] == badgeclass["issuer"]


# --------------------------------------------------------------------------------- status


def test_a_revoked_assertion_is_gone(world, award):
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Plagiarised portfolio.")
    response, document = get_json(ob2.assertion_url(award))
    assert response.status_code == 410
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/ld+json")
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": ob2.assertion_url(award),
        "revoked": True,
        "revocationReason": "Plagiarised portfolio.",
    }
    # Nothing else about the award is left in it.
    assert "recipient" not in document
    assert "evidence" not in document
    # The baked images still answer: they point at the assertion, which says revoked.
    assert Client().get(_path(ob2.baked_url(award, "png"))).status_code == 200


def test_a_suspended_assertion_answers_as_revoked_until_reinstated(world, award):
    url = ob2.assertion_url(award)
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review.")
    response, document = get_json(url)
    assert response.status_code == 410
    assert document["revoked"] is True
    assert document["revocationReason"] == "suspended: Under review."
    assert document["id"] == url
    actions.award_reinstate(actor=world.tlc_admin, award=award, reason="Review closed.")
    response, document = get_json(url)
    assert response.status_code == 200
    assert "revoked" not in document
    assert document["recipient"]["hashed"] is True


def test_revocation_reasons_are_one_line(world, award):
    Award.objects.filter(pk=award.pk).update(
        status=Award.Status.SUSPENDED, status_reason="  Under\n review\tby   staff "
    )
    award.refresh_from_db()
    assert ob2.revocation_reason(award) == "suspended: Under review by staff"
    Award.objects.filter(pk=award.pk).update(status=Award.Status.REVOKED, status_reason="")
    award.refresh_from_db()
    assert "revocationReason" not in ob2.revoked_document(award)


def test_an_expired_assertion_is_served_with_its_expiry(world):
    version = f.published_version(world.issuer, validity_months=1)
    award = accepted(f.award(version, now=timezone.now() - timedelta(days=120)))
    response, document = get_json(ob2.assertion_url(award))
    assert response.status_code == 200
    assert document["expires"] < timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")


# -------------------------------------------------------------------------- who may see it


def _not_found(award: Award) -> None:
    client = Client()
    for path in ob2_paths(award):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"dashboard" not in response.content.lower(), path
        assert b"food bank" not in response.content, path


def _served(award: Award) -> None:
    client = Client()
    for path in ob2_paths(award):
        assert client.get(path).status_code == 200, path


def test_a_pending_award_has_no_ob2_documents(pending_award):
    """Nothing of an award the learner has not accepted is public: not its narrative, not its
    evidence, not its baked images — whether or not it is attached to their account yet."""
    award = pending_award
    assert award.learner is None
    _not_found(award)
    learner = f.UserFactory()
    actions.awards_attach(user=learner, email=award.recipient_email)
    award.refresh_from_db()
    assert (award.learner, award.claim) == (learner, Award.Claim.PENDING)
    _not_found(award)
    actions.award_accept(actor=learner, award=award)
    _served(award)
    _response, document = get_json(ob2.assertion_url(award))
    assert document["narrative"] == "Robin built a **dashboard** for the food bank."


def test_a_declined_award_has_no_ob2_documents(award):
    _served(award)
    actions.award_decline(actor=award.learner, award=award)
    _not_found(award)
    # The learner changes their mind: the same URLs answer again.
    actions.award_accept(actor=award.learner, award=award)
    _served(award)


def test_a_revoked_or_suspended_award_never_accepted_is_not_found(world, pending_award):
    """Revoked before anyone accepted it: it was never published, so there is nothing to say
    it is gone (404, not 410). Once its learner accepts, verifiers learn its status (410)."""
    award = pending_award
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review.")
    _not_found(award)
    accepted(award)
    response, document = get_json(ob2.assertion_url(award))
    assert response.status_code == 410
    assert document["revocationReason"] == "suspended: Under review."
    other = f.award(f.published_version(world.issuer), email="someone@example.org")
    actions.award_revoke(actor=world.tlc_admin, award=other, reason="Issued in error")
    _not_found(other)


def test_pages_link_the_ob2_documents_only_once_accepted(world):
    award = f.award(f.published_version(world.issuer), email=world.learner.email)
    assert (award.learner, award.claim) == (world.learner, Award.Claim.PENDING)
    learner, staff = Client(), Client()
    learner.force_login(world.learner)
    staff.force_login(world.tlc_admin)
    pages = [
        (learner, reverse("awards:detail", kwargs={"uuid": award.uuid})),
        (learner, reverse("awards:sharing", kwargs={"uuid": award.uuid})),
        (staff, reverse("awards:record", kwargs={"uuid": award.uuid})),
    ]
    ob2_path = f"/awards/{award.uuid}/ob2"

    def links() -> list[bool]:
        found = []
        for client, page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            found.append(ob2_path in response.content.decode())
        return found

    assert links() == [False, False, False]
    actions.award_accept(actor=world.learner, award=award)
    assert links() == [True, True, True]
    html = pages[1][0].get(pages[1][1]).content.decode()
    assert f"{ob2_path}/badge.png" in html
    assert f"{ob2_path}/badge.svg" in html
    actions.award_decline(actor=world.learner, award=award)
    assert links() == [False, False, False]


# ------------------------------------------------------------------------------- pathways


@pytest.fixture
def pathway_award(world):
    first = f.published_version(world.issuer)
    second = f.published_version(world.issuer)
    pathway = f.published_pathway(
        world.issuer,
        [first.micro_credential, second.micro_credential],
        summary="Two micro-credentials.",
        criteria="Hold both badges.",
    )
    award = actions.award_issue(
        actor=None, recipient_email="kim@example.org", pathway=pathway, source="api"
    )
    return accepted(award)


def test_a_pathway_award_names_the_pathway_badgeclass(pathway_award):
    pathway = pathway_award.pathway
    _response, document = get_json(ob2.assertion_url(pathway_award))
    assert document["badge"] == f"{SITE}/pathways/{pathway.slug}/badgeclass.json"
    response, badgeclass = get_json(document["badge"])
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert badgeclass["@context"] == "https://w3id.org/openbadges/v2"
    assert badgeclass["type"] == "BadgeClass"
    assert badgeclass["id"] == document["badge"]
    assert badgeclass["name"] == pathway.title
    assert badgeclass["description"]
    assert badgeclass["image"].startswith(SITE)
    assert badgeclass["criteria"]["id"] == f"{SITE}/pathways/{pathway.slug}"
    assert "Hold both badges." in badgeclass["criteria"]["narrative"]
    assert badgeclass["issuer"] == f"{SITE}/issuers/{pathway.issuer.slug}/ob2.json"
    names = {a["targetName"] for a in badgeclass["alignment"]}
    assert len(names) == 2
    for alignment in badgeclass["alignment"]:
        assert alignment["targetUrl"].startswith(SITE + "/catalogue/")


def test_pathway_badgeclass_of_a_draft_or_unknown_pathway_is_not_found(pathway_award):
    pathway = pathway_award.pathway
    client = Client()
    url = _path(ob2.pathway_badgeclass_url(pathway))
    Pathway.objects.filter(pk=pathway.pk).update(state=Pathway.State.RETIRED)
    assert client.get(url).status_code == 200  # its awards keep verifying
    Pathway.objects.filter(pk=pathway.pk).update(state=Pathway.State.DRAFT)
    assert client.get(url).status_code == 404
    assert client.get("/pathways/no-such-pathway/badgeclass.json").status_code == 404


def test_a_pathway_picture_is_the_badgeclass_image(pathway_award):
    pathway = pathway_award.pathway
    pathway.image.save("p.png", ContentFile(png_bytes()))
    _response, badgeclass = get_json(ob2.pathway_badgeclass_url(pathway))
    assert badgeclass["image"] == SITE + pathway.image.url


# -------------------------------------------------------------------------------- baking


@pytest.mark.parametrize(("ext", "content_type"), [("png", "image/png"), ("svg", "image/svg+xml")])
def test_baked_images_carry_the_assertion_url(award, ext, content_type):
    url = ob2.baked_url(award, ext)
    assert url == f"{SITE}/awards/{award.uuid}/ob2/badge.{ext}"
    response = Client().get(_path(url))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    found = baking.extract(response.content)
    assert found.ob_version == "2.0"
    assert found.kind == "url"
    assert found.text == ob2.assertion_url(award)
    assert found.image_format == ext
    if ext == "svg":
        assert "sandbox" in response["Content-Security-Policy"]
        assert b'xmlns:openbadges="http://openbadges.org"' in response.content
        assert b"<openbadges:assertion " in response.content
    else:
        # Still a PNG any decoder reads, with one openbadges iTXt chunk.
        with Image.open(io.BytesIO(response.content)) as image:
            image.load()
        assert response.content.count(b"iTXtopenbadges\x00") == 1


def test_the_baked_png_is_the_design_picture(world):
    version = f.published_version(world.issuer)
    version.image.save("badge.png", ContentFile(png_bytes((12, 8))))
    award = f.award(version)
    baked = ob2.baked_image(award, "png")
    with Image.open(io.BytesIO(baked)) as image:
        assert image.size == (12, 8)
        assert image.convert("RGB").getpixel((3, 3)) == (200, 30, 40)
    assert baking.extract(baked).text == ob2.assertion_url(award)


def test_baking_replaces_other_open_badges_payloads(award):
    url = ob2.assertion_url(award)
    # An image that already carries an OB 3.0 credential and an old OB 2.0 URL.
    png = baking.bake(png_bytes(), award.credential)
    png = ob2.bake_png(png, "https://old.example/assertion")
    assert baking.extract(png).text == "https://old.example/assertion"
    baked = ob2.bake_png(png, url)
    found = baking.extract(baked)
    assert (found.ob_version, found.kind, found.text) == ("2.0", "url", url)
    assert b"openbadgecredential" not in baked
    assert b"old.example" not in baked


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        b'viewBox="0 0 10 10" data-x="a>b"><rect width="10" height="10"/></svg>',
        b'<s:svg xmlns:s="http://www.w3.org/2000/svg"/>',
        # `openbadges` already bound to OB 3.0's namespace on the root.
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><g/></svg>',
        # ... or to OB 2.0's.
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>',
    ],
)
def test_svg_baking_keeps_the_picture_and_binds_the_namespace(svg):
    url = "https://mosaics.example/awards/1/ob2?a=1&b=<2>"
    baked = ob2.bake_svg(svg, url)
    found = baking.extract(baked)
    assert (found.ob_version, found.kind, found.text) == ("2.0", "url", url)
    assert baked.count(b"<openbadges:assertion") == 1
    if b"<rect" in svg:
        assert b'<rect width="10" height="10"/>' in baked


@pytest.mark.parametrize(
    "svg",
    [
        b"",
        b"<svg",
        b"not an image",
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    ],
)
def test_svg_baking_refuses_what_is_not_an_svg(svg):
    with pytest.raises(baking.BakingError):
        ob2.bake_svg(svg, "https://mosaics.example/awards/1/ob2")


@pytest.mark.parametrize(
    "png", [b"", b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"]
)
def test_png_baking_refuses_what_is_not_a_png(png):
    with pytest.raises(baking.BakingError):
        ob2.bake_png(png, "https://mosaics.example/awards/1/ob2")


def test_a_picture_the_baker_refuses_gives_a_plain_tile(award, monkeypatch):
    from mosaics.awards import images

    monkeypatch.setattr(images, "base_png", lambda award: b"\x89PNG\r\n\x1a\ncorrupt")
    monkeypatch.setattr(images, "base_svg", lambda award: b"<svg")
    for ext in ("png", "svg"):
        response = Client().get(_path(ob2.baked_url(award, ext)))
        assert response.status_code == 200
        assert baking.extract(response.content).text == ob2.assertion_url(award)


# --------------------------------------------------------------------------- not found


def test_unknown_awards_are_not_found(award):
    client = Client()
    missing = uuid.uuid4()
    for path in (
        f"/awards/{missing}/ob2",
        f"/awards/{missing}/ob2/badge.png",
        f"/awards/{missing}/ob2/badge.svg",
    ):
        assert client.get(path).status_code == 404, path
    for ext in ("gif", "jpg", "PNG", "png.exe", "svgz", "json"):
        assert client.get(f"/awards/{award.uuid}/ob2/badge.{ext}").status_code == 404, ext


HOSTILE = [
    "/awards/not-a-uuid/ob2",
    "/awards/../ob2",
    "/awards/%00/ob2",
    "/awards/{uuid}/ob2/",
    "/awards/{uuid}/ob2/badge.",
    "/awards/{uuid}/ob2/badge.png/",
    "/awards/{uuid}/ob2/badge.png%00.svg",
    "/awards/{uuid}/ob2/badge.%2e%2e%2fsecret",
    "/awards/{uuid}/ob2/badge." + "x" * 5000,
    "/awards/{uuid}/ob2%0d%0aSet-Cookie:%20x=1",
    "/awards/{uuid}/ob2/../../../etc/passwd",
    "/awards/" + "0" * 5000 + "/ob2",
    "/pathways/%00/badgeclass.json",
    "/pathways/" + "a" * 5000 + "/badgeclass.json",
    "/pathways/../badgeclass.json",
    "/pathways/manage/badgeclass.json",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_never_give_a_500(award, path):
    client = Client(raise_request_exception=False)
    response = client.get(path.format(uuid=award.uuid), HTTP_ACCEPT="*/*")
    assert response.status_code < 500, path
    assert response.status_code in (301, 302, 404), (path, response.status_code)


@pytest.mark.parametrize(
    "accept",
    ["", "garbage", "application/ld+json;q=abc", "*/*;q=0", "x" * 10000, "\u00e9/\u00e9"],
)
def test_hostile_accept_headers_never_give_a_500(award, accept):
    client = Client(raise_request_exception=False)
    response = client.get(_path(ob2.assertion_url(award)), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert json.loads(response.content)["id"] == ob2.assertion_url(award)
