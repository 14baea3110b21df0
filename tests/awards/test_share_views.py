"""Sharing: the public badge page, the holder's share page, downloads and the certificate."""

from __future__ import annotations

import json
import re
import uuid as uuidlib
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions, sharing
from mosaics.awards.models import Award, AwardEvidence
from mosaics.vc import baking
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

SECRET = "Confidential client report 7f3a"


def _held(world, *, accept=True, share=False, **kwargs):
    version = f.published_version(world.issuer, validity_months=kwargs.pop("months", None))
    competency = version.competencies.first()
    kwargs.setdefault(
        "evidence",
        [
            {"name": "Public portfolio piece", "url": "https://example.org/portfolio"},
            {"name": SECRET, "narrative": "Only for me", "url": "https://example.org/private"},
        ],
    )
    kwargs.setdefault("results", {competency.pk: competency.passing_level_id})
    award = f.award(version, email=world.learner.email, recipient_name="Ada Lovelace", **kwargs)
    assert award.learner == world.learner
    if accept:
        actions.award_accept(actor=world.learner, award=award)
    secret = award.evidence.get(name=SECRET)
    sharing.award_evidence_privacy(actor=world.learner, award=award, evidence=secret, private=True)
    if share:
        sharing.award_share(actor=world.learner, award=award, shared=True)
    award.refresh_from_db()
    return award


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content") or ""
        if tag == "link":
            self.links.append(values)


def _meta(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


# --- actions ------------------------------------------------------------------------------


def test_only_the_holder_shares_an_accepted_award_and_it_is_audited(world):
    award = _held(world, accept=False)
    with pytest.raises(actions.AwardRefused):
        sharing.award_share(actor=world.learner, award=award, shared=True)
    actions.award_accept(actor=world.learner, award=award)
    for someone in (world.assessor, world.tlc_admin, world.other_admin, None):
        with pytest.raises(actions.PermissionDenied):
            sharing.award_share(actor=someone, award=award, shared=True)
    assert not Award.objects.get(pk=award.pk).shared
    assert not AuditEntry.objects.filter(action="awards.share").exists()
    sharing.award_share(actor=world.learner, award=award, shared=True)
    assert Award.objects.get(pk=award.pk).shared
    assert AuditEntry.objects.filter(action="awards.share", actor=world.learner).count() == 1
    sharing.award_share(actor=world.learner, award=award, shared=True)  # no change, no entry
    assert AuditEntry.objects.filter(action="awards.share").count() == 1
    sharing.award_share(actor=world.learner, award=award, shared=False)
    assert not Award.objects.get(pk=award.pk).shared
    assert AuditEntry.objects.filter(action="awards.unshare").count() == 1


def test_evidence_privacy_is_the_holders_and_only_for_their_own_evidence(world):
    award = _held(world)
    other = _held(world)  # a second award (another version)
    item = award.evidence.get(name="Public portfolio piece")
    before = AuditEntry.objects.count()
    with pytest.raises(actions.PermissionDenied):
        sharing.award_evidence_privacy(
            actor=world.assessor, award=award, evidence=item, private=True
        )
    with pytest.raises(actions.AwardRefused):
        sharing.award_evidence_privacy(
            actor=world.learner, award=other, evidence=item, private=True
        )
    assert AuditEntry.objects.count() == before
    assert not AwardEvidence.objects.get(pk=item.pk).private
    sharing.award_evidence_privacy(actor=world.learner, award=award, evidence=item, private=True)
    assert AwardEvidence.objects.get(pk=item.pk).private
    assert AuditEntry.objects.filter(action="awards.evidence_private").count() == 3


# --- public page --------------------------------------------------------------------------


def test_the_public_page_is_404_until_shared(world, client):
    award = _held(world, accept=False)
    url = reverse("awards:public", kwargs={"uuid": award.uuid})
    image = reverse("awards:public_image", kwargs={"uuid": award.uuid})
    assert client.get(url).status_code == 404
    assert client.get(image).status_code == 404
    actions.award_accept(actor=world.learner, award=award)
    assert client.get(url).status_code == 404
    # Not even the holder sees an unshared page (it is the public one).
    assert client_for(client, world.learner).get(url).status_code == 404
    client.logout()
    sharing.award_share(actor=world.learner, award=award, shared=True)
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(image)["Content-Type"] == "image/png"
    sharing.award_share(actor=world.learner, award=award, shared=False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("awards:public", kwargs={"uuid": uuidlib.uuid4()})).status_code == 404


def test_a_declined_award_is_never_public(world, client):
    award = _held(world, share=True)
    actions.award_decline(actor=world.learner, award=award)
    assert client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).status_code == 404


def test_the_public_page_shows_the_badge_and_never_private_evidence(world, client):
    award = _held(world, share=True, months=12)
    response = client.get(reverse("awards:public", kwargs={"uuid": award.uuid}))
    html = response.content.decode()
    assert award.title in html
    assert "Ada Lovelace" in html
    assert world.learner.email not in html
    assert award.recipient_email not in html
    assert "Public portfolio piece" in html
    assert SECRET not in html
    assert "https://example.org/private" not in html
    assert "Only for me" not in html
    assert reverse("issuance:profile", kwargs={"slug": world.issuer.slug}) in html
    competency = award.version.competencies.first()
    assert competency.statement in html
    assert competency.passing_level.name in html
    assert "share-status-valid" in html
    assert award.valid_until.strftime("%Y") in html


def test_open_graph_and_twitter_metadata_are_absolute_and_private_free(world, client):
    award = _held(world, share=True)
    response = client.get(reverse("awards:public", kwargs={"uuid": award.uuid}))
    html = response.content.decode()
    head = html.split("</head>")[0]
    parsed = _meta(head)
    site = settings.SITE_URL.rstrip("/")
    assert parsed.meta["og:title"] == award.title
    assert parsed.meta["og:url"] == site + reverse("awards:public", kwargs={"uuid": award.uuid})
    assert parsed.meta["og:image"] == site + reverse(
        "awards:public_image", kwargs={"uuid": award.uuid}
    )
    assert parsed.meta["twitter:card"] == "summary"
    assert parsed.meta["twitter:image"] == parsed.meta["og:image"]
    for key in ("og:title", "og:description", "og:url", "og:image", "twitter:title"):
        assert parsed.meta[key], key
    for value in parsed.meta.values():
        assert SECRET not in value
        assert "@" not in value
    for key in ("og:url", "og:image"):
        assert urlparse(parsed.meta[key]).scheme in ("http", "https")
    assert award.title in parsed.meta["og:description"]
    # The picture the preview points at is the plain badge picture.
    image = client.get(urlparse(parsed.meta["og:image"]).path)
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")
    with pytest.raises(baking.BakingError):
        baking.extract(image.content)


def test_the_public_page_links_the_ob2_assertion_and_the_verifier_when_they_exist(world, client):
    from django.urls import NoReverseMatch

    award = _held(world, share=True)
    html = client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).content.decode()
    try:
        ob2 = reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid})
    except NoReverseMatch:
        ob2 = None
    alternates = [
        link
        for link in _meta(html.split("</head>")[0]).links
        if link.get("rel") == "alternate" and link.get("type") == "application/ld+json"
    ]
    if ob2:
        assert [link["href"] for link in alternates] == [ob2]
    else:
        assert alternates == []
    try:
        verify = reverse("verification:verify")
    except NoReverseMatch:
        verify = None
    if verify:
        assert f'href="{verify}"' in html


@pytest.mark.parametrize("change", ["revoke", "suspend"])
def test_a_revoked_or_suspended_badge_says_so_with_the_reason(world, client, change):
    award = _held(world, share=True)
    reason = "Awarded in error by the wrong assessor" if change == "revoke" else "Under review"
    getattr(actions, f"award_{change}")(actor=world.tlc_admin, award=award, reason=reason)
    html = client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).content.decode()
    assert ("Revoked" if change == "revoke" else "Suspended") in html
    assert reason in html
    assert "share-status-valid" not in html


def test_an_expired_badge_says_so(world, client):
    from datetime import timedelta

    from django.utils import timezone

    award = _held(world, share=True, months=1)
    Award.objects.filter(pk=award.pk).update(valid_until=timezone.now() - timedelta(days=1))
    html = client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).content.decode()
    assert "share-status-expired" in html


# --- the share page -----------------------------------------------------------------------


def test_the_share_page_is_the_holders(world, client):
    award = _held(world, share=True, months=6)
    url = reverse("awards:sharing", kwargs={"uuid": award.uuid})
    assert client.get(url).status_code == 302  # to sign in
    for someone in ("assessor", "tlc_admin", "other_admin", "designer"):
        client.force_login(getattr(world, someone))
        assert client.get(url).status_code == 404, someone
    other = f.UserFactory()
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(world.learner)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET in html  # the holder sees their private evidence, marked private
    for name in ("credential.json", "credential-jcs.json", "credential.jwt", "badge.png"):
        assert reverse("awards:download", kwargs={"uuid": award.uuid, "file": name}) in html
    assert reverse("awards:certificate", kwargs={"uuid": award.uuid}) in html
    assert reverse("awards:qr", kwargs={"uuid": award.uuid}) in html
    assert "https://www.linkedin.com/profile/add?" in html


def test_the_linkedin_link_has_linkedins_parameters(world):
    from mosaics.awards.views_share import linkedin_url

    award = _held(world, share=True, months=12)
    link = urlparse(linkedin_url(award))
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    params = {key: values[0] for key, values in parse_qs(link.query).items()}
    assert all(len(values) == 1 for values in parse_qs(link.query).values())
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": award.title,
        "organizationName": world.issuer.name,
        "issueYear": str(award.awarded_at.year),
        "issueMonth": str(award.awarded_at.month),
        "expirationYear": str(award.valid_until.year),
        "expirationMonth": str(award.valid_until.month),
        "certUrl": settings.SITE_URL.rstrip("/")
        + reverse("awards:public", kwargs={"uuid": award.uuid}),
        "certId": str(award.uuid),
    }
    forever = _held(world, share=True)
    params = parse_qs(urlparse(linkedin_url(forever)).query)
    assert "expirationYear" not in params
    assert "expirationMonth" not in params


def test_a_title_with_ampersands_survives_the_linkedin_link(world):
    from mosaics.awards.views_share import linkedin_url

    version = f.published_version(world.issuer, title="Data & Analytics?=#1")
    award = f.award(version, email=world.learner.email)
    params = parse_qs(urlparse(linkedin_url(award)).query)
    assert params["name"] == ["Data & Analytics?=#1"]


def test_share_and_evidence_posts_change_what_the_public_sees(world, client):
    award = _held(world)
    client.force_login(world.learner)
    public = reverse("awards:public", kwargs={"uuid": award.uuid})
    response = client.post(reverse("awards:share", kwargs={"uuid": award.uuid}), {"shared": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:sharing", kwargs={"uuid": award.uuid})
    client.logout()
    assert client.get(public).status_code == 200
    assert SECRET not in client.get(public).content.decode()
    client.force_login(world.learner)
    secret = award.evidence.get(name=SECRET)
    client.post(
        reverse("awards:evidence_privacy", kwargs={"uuid": award.uuid}),
        {"evidence": secret.pk, "private": "0"},
    )
    client.logout()
    assert SECRET in client.get(public).content.decode()
    client.force_login(world.learner)
    response = client.post(
        reverse("awards:share", kwargs={"uuid": award.uuid}),
        {"shared": "0", "next": "/awards/elsewhere"},
    )
    assert response["Location"] == "/awards/elsewhere"
    response = client.post(
        reverse("awards:share", kwargs={"uuid": award.uuid}),
        {"shared": "0", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("awards:sharing", kwargs={"uuid": award.uuid})
    client.logout()
    assert client.get(public).status_code == 404


def test_share_posts_by_anyone_else_are_404_and_change_nothing(world, client):
    award = _held(world)
    before = AuditEntry.objects.count()
    for someone in (None, world.assessor, world.tlc_admin, world.other_admin):
        client.logout()
        client_for(client, someone)
        assert (
            client.post(
                reverse("awards:share", kwargs={"uuid": award.uuid}), {"shared": "1"}
            ).status_code
            == 404
        )
        secret = award.evidence.get(name=SECRET)
        assert (
            client.post(
                reverse("awards:evidence_privacy", kwargs={"uuid": award.uuid}),
                {"evidence": secret.pk, "private": "0"},
            ).status_code
            == 404
        )
    assert AuditEntry.objects.count() == before
    assert not Award.objects.get(pk=award.pk).shared
    assert AwardEvidence.objects.get(name=SECRET).private


HOSTILE = [
    {},
    {"shared": ""},
    {"shared": "maybe"},
    {"shared": ["1", "0"]},
    {"shared": "1" * 10_000},
    {"shared": "\x00"},
    {"evidence": "99999999999999999999999999", "private": "1"},
    {"evidence": "-1", "private": "1"},
    {"evidence": "1.5", "private": "1"},
    {"evidence": "abc", "private": "on"},
    {"evidence": "0", "private": "1"},
    {"evidence": "1", "private": "perhaps"},
    {"evidence": "", "private": ""},
    {"next": "javascript:alert(1)", "shared": "1"},
    {"next": "//evil.example/", "shared": "0"},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_posts_never_give_a_500(world, client, data):
    award = _held(world, accept=False)
    client.force_login(world.learner)
    for name in ("share", "evidence_privacy"):
        response = client.post(reverse(f"awards:{name}", kwargs={"uuid": award.uuid}), data)
        assert response.status_code == 302, (name, data)
        location = response["Location"]
        assert location.startswith("/"), location
        assert not location.startswith("//"), location
    assert not Award.objects.get(pk=award.pk).shared  # not accepted: never shared
    assert client.get(reverse("awards:share", kwargs={"uuid": award.uuid})).status_code == 405


# --- downloads and the certificate --------------------------------------------------------

FILES = {
    "credential.json": "application/ld+json",
    "credential-jcs.json": "application/ld+json",
    "credential.jwt": "application/vc+jwt",
    "badge.png": "image/png",
    "badge.svg": "image/svg+xml",
}


@pytest.mark.parametrize("who", ["learner", "assessor", "tlc_admin"])
def test_the_holder_and_the_issuers_staff_download_every_form(world, client, who):
    award = _held(world)
    client.force_login(getattr(world, who))
    for name, content_type in FILES.items():
        response = client.get(reverse("awards:download", kwargs={"uuid": award.uuid, "file": name}))
        assert response.status_code == 200, name
        assert response["Content-Type"].split(";")[0] == content_type
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert re.search(r'filename="[a-z0-9-]+-' + re.escape(name) + '"', disposition), disposition
        body = response.content
        if name.endswith(".json"):
            payload = json.loads(body)
        elif name.endswith(".jwt"):
            payload = body.decode()
        else:
            baked = baking.extract(body)
            payload = baked.json()
            assert payload == award.credential
        assert actions.verify_award(award, payload).status == "valid", name
    response = client.get(reverse("awards:certificate", kwargs={"uuid": award.uuid}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "who", ["anonymous", "other_learner", "other_admin", "designer", "endorser"]
)
def test_nobody_else_downloads(world, client, who):
    award = _held(world, share=True)  # even when the page is public
    user = f.UserFactory() if who == "other_learner" else getattr(world, who)
    client_for(client, user)
    for name in FILES:
        url = reverse("awards:download", kwargs={"uuid": award.uuid, "file": name})
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("awards:certificate", kwargs={"uuid": award.uuid})).status_code == 404


def test_unknown_files_and_awards_are_404(world, client):
    award = _held(world)
    client.force_login(world.learner)
    for name in ("credential.xml", "..%2Fsettings.py", "badge.gif", "credential.JSON"):
        url = f"/awards/{award.uuid}/download/{name}"
        assert client.get(url).status_code == 404
    missing = reverse("awards:download", kwargs={"uuid": uuidlib.uuid4(), "file": "badge.png"})
    assert client.get(missing).status_code == 404


def test_the_qr_code_encodes_the_public_address(world, client):
    import xml.etree.ElementTree as ET

    from mosaics.awards import images

    award = _held(world, share=True)
    response = client.get(reverse("awards:qr", kwargs={"uuid": award.uuid}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    ns = "{http://www.w3.org/2000/svg}"
    public = settings.SITE_URL.rstrip("/") + reverse("awards:public", kwargs={"uuid": award.uuid})
    assert public in root.find(f"{ns}title").text
    assert root.get("role") == "img"
    assert public in root.get("aria-label")
    # Read the modules back from the path and compare with the QR code of the address.
    path = root.find(f"{ns}path").get("d")
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", path)}
    matrix = images.qr_matrix(public)
    expected = {(x, y) for y, row in enumerate(matrix) for x, cell in enumerate(row) if cell}
    assert dark == expected
    assert len(root.get("viewBox").split()) == 4
    assert root.get("viewBox").split()[2] == str(len(matrix))


def test_the_qr_code_of_an_unshared_badge_is_the_holders_only(world, client):
    award = _held(world)
    url = reverse("awards:qr", kwargs={"uuid": award.uuid})
    assert client.get(url).status_code == 404
    client.force_login(world.other_admin)
    assert client.get(url).status_code == 404
    client.force_login(world.learner)
    assert client.get(url).status_code == 200


def test_the_public_page_shows_the_partners_endorsements(world, client):
    from mosaics.endorsements import actions as endorsements
    from mosaics.issuance.actions import key_generate

    key_generate(issuer=world.endorser_profile, actor=None)
    award = _held(world, share=True)
    request = endorsements.endorsement_request_send(
        actor=world.designer, version=award.version, partner=world.partner, message="Please"
    )
    endorsements.endorsement_sign(
        actor=world.endorser, request=request, statement="Graduates can do this on day one."
    )
    html = client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).content.decode()
    assert "Endorsed by industry" in html
    assert world.partner.name in html
    assert "Graduates can do this on day one." in html


def test_a_pathway_award_is_shared_downloaded_and_certified(world, client):
    first, second = (f.published_version(world.issuer) for _ in range(2))
    pathway = f.published_pathway(world.issuer, [first.micro_credential, second.micro_credential])
    award = actions.award_issue(
        actor=None, recipient_email=world.learner.email, pathway=pathway, source="api"
    )
    actions.award_accept(actor=world.learner, award=award)
    sharing.award_share(actor=world.learner, award=award, shared=True)
    html = client.get(reverse("awards:public", kwargs={"uuid": award.uuid})).content.decode()
    assert pathway.title in html
    assert (
        client.get(reverse("awards:public_image", kwargs={"uuid": award.uuid})).status_code == 200
    )
    client.force_login(world.learner)
    assert client.get(reverse("awards:sharing", kwargs={"uuid": award.uuid})).status_code == 200
    for name in FILES:
        response = client.get(reverse("awards:download", kwargs={"uuid": award.uuid, "file": name}))
        assert response.status_code == 200, name
        if name.startswith("badge"):
            payload = baking.extract(response.content).json()
            assert actions.verify_award(award, payload).status == "valid"
    pdf = client.get(reverse("awards:certificate", kwargs={"uuid": award.uuid}))
    assert pdf.content.startswith(b"%PDF-")
