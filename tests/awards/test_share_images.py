"""Badge images of an award: plain and baked, from every kind of design picture."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from mosaics.awards import actions, images
from mosaics.awards.models import Award
from mosaics.vc import baking
from tests import factories as f

pytestmark = pytest.mark.django_db

FORMS = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt")
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#123"/></svg>'
)


def _raster(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(out, format=fmt)
    return out.getvalue()


def _award_with_picture(picture: bytes | None, name: str = "badge") -> Award:
    version = f.published_version()
    if picture is not None:
        version.image.save(name, ContentFile(picture), save=True)
    return f.award(version)


@pytest.mark.parametrize("picture", ["png", "jpeg", "svg", None])
def test_base_images_are_a_png_and_an_svg(picture):
    data = {"png": _raster("PNG"), "jpeg": _raster("JPEG"), "svg": SVG, None: None}[picture]
    award = _award_with_picture(data)
    png = images.base_png(award)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.format == "PNG"
        if picture in ("png", "jpeg"):
            assert image.size == (40, 30)
    if picture == "png":
        assert png == data
    svg = images.base_svg(award)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    if picture == "svg":
        assert svg == SVG
    elif picture is None:
        assert award.title.split()[0].encode() in svg
    else:
        assert b"data:image/png;base64," in svg


def test_a_design_without_picture_is_drawn_with_its_title_and_issuer():
    award = _award_with_picture(None)
    svg = images.base_svg(award)
    root = ET.fromstring(svg)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert award.title in title.text
    assert award.issuer.name in title.text
    with Image.open(io.BytesIO(images.base_png(award))) as image:
        assert image.size == (images.TILE, images.TILE)


def test_hostile_characters_in_the_title_stay_text():
    version = f.published_version(title='<script>alert("x")</script> & ]]> co')
    award = f.award(version)
    svg = images.base_svg(award)
    root = ET.fromstring(svg)  # still well-formed
    assert root.find(".//{http://www.w3.org/2000/svg}script") is None
    assert b"<script>" not in svg
    baked = images.baked_svg(award)
    assert baking.extract(baked).json()["id"] == award.credential_id


@pytest.mark.parametrize("picture", ["png", "svg", None])
@pytest.mark.parametrize("form", FORMS)
def test_baked_images_of_every_form_extract_and_verify(picture, form):
    data = {"png": _raster("PNG"), "svg": SVG, None: None}[picture]
    award = _award_with_picture(data)
    for make, fmt in ((images.baked_png, "png"), (images.baked_svg, "svg")):
        baked = baking.extract(make(award, form))
        assert baked.image_format == fmt
        assert baked.ob_version == "3.0"
        if form == "jwt":
            assert baked.kind == "jws"
            payload = baked.text
            assert payload == award.credential_jwt
        else:
            assert baked.kind == "json"
            payload = baked.json()
            assert payload == actions.award_credential_form(award, form)
        report = actions.verify_award(award, payload)
        assert report.status == "valid", [c.message for c in report.checks if not c.ok]
