"""Design titles and issuer names holding characters XML 1.0 cannot hold (a pasted vertical
tab, U+FFFE, NUL, a lone surrogate) never break a badge image or the certificate: those
characters are dropped from what is drawn (`images.xml_text`), and the signed credential
baked into an SVG keeps them as JSON escapes, so it still verifies."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from mosaics.awards import actions, certificate, images, ob2
from mosaics.vc import baking
from tests import factories as f

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"
#: Characters outside XML 1.0's Char production that a database can still store (SQLite keeps
#: a NUL; PostgreSQL refuses one in text, so there no title can hold it).
BAD = [
    "\x0b",
    "\ufffe",
    pytest.param(
        "\x00",
        marks=pytest.mark.skipif(
            connection.vendor == "postgresql", reason="PostgreSQL text cannot hold a NUL"
        ),
    ),
]


def _accepted_award(world, bad: str):
    issuer = f.with_key(f.IssuerFactory(name=f"Night{bad}School"))
    version = f.published_version(issuer, title=f"Data{bad}Skills for{bad} everyone")
    award = f.award(version, email=world.learner.email)
    assert award.learner == world.learner
    return actions.award_accept(actor=world.learner, award=award)


def test_xml_text_keeps_exactly_the_xml_1_0_characters():
    kept = "a\tb\nc\rd \ud7ff\ue000\ufffd\U00010000\U0010ffff\x7f é ✓"
    assert images.xml_text(kept) == kept
    dropped = "\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udbff\udc00\udfff\ufffe\uffff"
    assert images.xml_text("x" + dropped + "y") == "xy"
    assert images.xml_text("") == ""


@pytest.mark.parametrize("bad", BAD)
def test_downloads_never_give_a_500(world, bad):
    award = _accepted_award(world, bad)
    client = Client(raise_request_exception=False)
    client.force_login(world.learner)
    for name in ("badge.svg", "badge.png", "credential.json"):
        url = reverse("awards:download", kwargs={"uuid": award.uuid, "file": name})
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
    response = client.get(reverse("awards:certificate", kwargs={"uuid": award.uuid}))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-1.")
    for ext in ("svg", "png"):
        response = client.get(reverse("awards:ob2_baked", kwargs={"uuid": award.uuid, "ext": ext}))
        assert response.status_code == 200, ext
        assert baking.extract(response.content).text == ob2.assertion_url(award)
    response = client.get(reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid}))
    assert response.status_code == 200


@pytest.mark.parametrize("bad", BAD)
def test_the_drawn_svg_is_well_formed_without_the_character(world, bad):
    award = _accepted_award(world, bad)
    svg = images.base_svg(award)
    root = ET.fromstring(svg)
    title = root.find(f"{SVG_NS}title")
    assert title is not None
    assert title.text == "DataSkills for everyone — NightSchool"
    assert bad.encode() not in svg
    with Image.open(io.BytesIO(images.base_png(award))) as image:
        image.load()


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("form", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"])
def test_the_baked_svg_extracts_and_verifies(world, bad, form):
    award = _accepted_award(world, bad)
    baked = images.baked_svg(award, form)
    ET.fromstring(baked)  # well-formed
    found = baking.extract(baked)
    assert (found.image_format, found.ob_version) == ("svg", "3.0")
    payload = found.text if form == "jwt" else found.json()
    if form != "jwt":
        # The very same credential: the character is kept, as a JSON escape.
        assert payload == actions.award_credential_form(award, form)
        assert payload["credentialSubject"]["achievement"]["name"].startswith(f"Data{bad}Skills")
        assert payload["issuer"]["name"] == f"Night{bad}School"
    report = actions.verify_award(award, payload)
    assert report.status == "valid", [c.message for c in report.checks if not c.ok]
    # The PNG carries the credential as it is (UTF-8 text).
    png = baking.extract(images.baked_png(award, form))
    assert actions.verify_award(award, png.text if form == "jwt" else png.json()).status == "valid"


def test_lone_surrogates_never_break_an_image_or_the_certificate(world):
    """No database stores a lone surrogate, but the code drawing a title does not rely on it."""
    award = _accepted_award(world, "")
    award.version.title = "Data\ud800Skills\udfff"
    award.issuer.name = "Night\udbffSchool"
    svg = images.base_svg(award)
    assert ET.fromstring(svg).find(f"{SVG_NS}title").text == "DataSkills — NightSchool"
    assert images.base_png(award).startswith(b"\x89PNG")
    assert baking.extract(ob2.baked_image(award, "svg")).text == ob2.assertion_url(award)
    assert baking.extract(ob2.baked_image(award, "png")).text == ob2.assertion_url(award)
    placeholder = ob2._placeholder_svg(award.title)
    assert ET.fromstring(placeholder).find(f"{SVG_NS}title").text == "DataSkills"
    pdf = certificate.certificate_pdf(award)
    assert pdf.startswith(b"%PDF-1.")
    label = images.qr_svg("https://example.org/x", "QR\ud800 code\x0b")
    assert ET.fromstring(label).get("aria-label") == "QR code"


@pytest.mark.parametrize("bad", BAD)
def test_the_ob2_placeholder_svg_is_well_formed(bad):
    svg = ob2._placeholder_svg(f"<Data>{bad}&Skills")
    title = ET.fromstring(svg).find(f"{SVG_NS}title")
    assert title is not None
    assert title.text == "<Data>&Skills"
    baked = ob2.bake_svg(svg, "https://mosaics.example/awards/1/ob2")
    assert baking.extract(baked).text == "https://mosaics.example/awards/1/ob2"
