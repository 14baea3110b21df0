"""Badge images: what an upload is comes from its bytes; raster images are re-encoded, SVG is
rebuilt from an allowlist; fakes, bombs and scripts never get through, and the image view
serves what is stored with headers that keep it inert."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from mosaics.audit.models import AuditEntry
from mosaics.core.uploads import clean_image, clean_svg
from tests import factories as f
from tests.personas import client_for

SVG_NS = "http://www.w3.org/2000/svg"


def png_bytes(size=(16, 16), *, text: str = "") -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    Image.new("RGBA", size, (11, 92, 173, 255)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_bytes(size=(16, 16), *, exif_text: str = "") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 50, 50))
    exif = Image.Exif()
    if exif_text:
        exif[0x010E] = exif_text  # ImageDescription
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


GOOD_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 100 100" width="100" height="100">'
    b"<title>Badge</title>"
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#0b5cad"/></linearGradient></defs>'
    b'<circle cx="50" cy="50" r="40" fill="url(#g)"/>'
    b'<use xlink:href="#g"/>'
    b'<text x="10" y="90">Stats</text>'
    b"</svg>"
)


def upload(data: bytes, name: str = "badge.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(data: bytes, name: str = "x.png") -> str:
    with pytest.raises(ValidationError) as caught:
        clean_image(upload(data, name))
    return " ".join(caught.value.messages)


# --- raster images -----------------------------------------------------------------------


def test_png_is_accepted_re_encoded_without_metadata_or_trailing_data():
    data = png_bytes(text="secret metadata") + b"<script>alert(1)</script>"
    content, content_type = clean_image(upload(data, "whatever.gif", "text/html"))
    out = content.read()
    assert content_type == "image/png"
    assert content.name.endswith(".png")
    assert "whatever" not in content.name
    assert b"secret metadata" not in out
    assert b"<script>" not in out
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "PNG"
        assert image.size == (16, 16)


def test_jpeg_is_accepted_without_exif():
    data = jpeg_bytes(exif_text="GPS and secrets")
    assert b"GPS and secrets" in data
    content, content_type = clean_image(upload(data, "photo.png", "image/png"))
    out = content.read()
    assert content_type == "image/jpeg"
    assert content.name.endswith(".jpg")
    assert b"GPS and secrets" not in out
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "JPEG"


def test_oversized_file_is_refused(settings):
    settings.MOSAICS_MAX_IMAGE_BYTES = 1000
    message = refused(png_bytes((200, 200)) + b"\0" * 2000)
    assert "too large" in message


def test_default_size_limit_is_one_megabyte():
    message = refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_048_577)
    assert "too large" in message


@pytest.mark.parametrize("size", [(4097, 1), (1, 5000)])
def test_absurd_dimensions_are_refused(size):
    message = refused(png_bytes(size))
    assert "pixels" in message


def test_decompression_bomb_is_refused():
    # A tiny file that claims 20,000 x 20,000 pixels.
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")
    assert len(out.getvalue()) < 1_048_576
    message = refused(out.getvalue())
    assert "pixels" in message


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"just some text, honestly a PNG", "fake.png"),
        (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "page.svg"),
        (b"<html><body>hello</body></html>", "page.png"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, "broken.png"),
        (png_bytes()[:60], "truncated.png"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 100, "broken.jpg"),
        (_zip(), "archive.png"),
        (_gif(), "animated.gif"),
        (b"", "empty.png"),
    ],
)
def test_fake_images_are_refused(data, name):
    message = refused(data, name)
    assert message
    assert "Traceback" not in message


# --- SVG ---------------------------------------------------------------------------------


def parsed(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def test_good_svg_is_rebuilt_in_the_svg_namespace():
    content, content_type = clean_image(upload(GOOD_SVG, "badge.png", "image/png"))
    out = content.read()
    assert content_type == "image/svg+xml"
    assert content.name.endswith(".svg")
    root = parsed(out)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("viewBox") == "0 0 100 100"
    assert root.find(f"{{{SVG_NS}}}circle").get("fill") == "url(#g)"
    assert root.find(f"{{{SVG_NS}}}use").get("{http://www.w3.org/1999/xlink}href") == "#g"
    assert root.find(f"{{{SVG_NS}}}text").text == "Stats"


XHTML = 'xmlns:h="http://www.w3.org/1999/xhtml"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(inner: str, attributes: str = "") -> bytes:
    return f'<svg xmlns="{SVG_NS}" {XLINK} {attributes}>{inner}</svg>'.encode()


EVIL = "https://evil.example"
DANGEROUS = {
    "script": svg('<script>alert(1)</script><rect width="1" height="1"/>'),
    "script_namespaced": svg(f'<s:script xmlns:s="{SVG_NS}">alert(1)</s:script>'),
    "onload": svg('<rect onclick="alert(2)" width="1"/>', 'onload="alert(1)"'),
    "foreign_object": svg(
        f'<foreignObject><h:body {XHTML}><h:iframe src="javascript:alert(1)"/></h:body>'
        "</foreignObject>"
    ),
    "external_image": svg(
        f'<image xlink:href="{EVIL}/track.png" width="1"/><image href="//evil.example/x.png"/>'
    ),
    "external_use": svg(f'<use href="{EVIL}/sprite.svg#x"/>'),
    "javascript_link": svg('<a xlink:href="javascript:alert(1)"><text>click</text></a>'),
    "animate_href": svg(
        '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'
    ),
    "style_import": svg(f"<style>@import url({EVIL}/x.css);</style><rect width='1'/>"),
    "style_url": svg(
        f"<style>rect {{ fill: url({EVIL}/x) }}</style>"
        f'<rect style="background:url({EVIL}/y)" fill="url({EVIL}/z)" width="1"/>'
    ),
    "style_escape": svg(f'<rect style="fill: u\\72l({EVIL}/y)" width="1" height="1"/>'),
    "iframe": svg(f'<h:iframe {XHTML} src="{EVIL}"/>'),
    "xhtml_script": svg(f"<h:script {XHTML}>alert(1)</h:script>"),
    "data_html": svg('<image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="/>'),
}


@pytest.mark.parametrize("name", sorted(DANGEROUS))
def test_svg_dangers_are_removed(name):
    out = clean_svg(DANGEROUS[name])
    root = parsed(out)  # still a well-formed SVG
    assert root.tag == f"{{{SVG_NS}}}svg"
    lowered = out.lower()
    for needle in (
        b"script",
        b"alert",
        b"onload",
        b"onclick",
        b"foreignobject",
        b"iframe",
        b"evil.example",
        b"javascript",
        b"@import",
        b"data:text",
    ):
        assert needle not in lowered, (name, needle, out)


def test_svg_keeps_a_local_data_png():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image width="1" height="1" '
        b'href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    )
    root = parsed(clean_svg(svg))
    assert root.find(f"{{{SVG_NS}}}image").get("href").startswith("data:image/png;base64,")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_svg_doctype_and_entities_are_refused(data):
    with pytest.raises(ValidationError) as caught:
        clean_svg(data)
    assert "DOCTYPE" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        clean_image(upload(data, "badge.svg", "image/svg+xml"))


@pytest.mark.parametrize(
    "data",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",  # not well-formed
        b"<html xmlns='http://www.w3.org/1999/xhtml'><svg/></html>",  # not an SVG document
        '<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>'.encode("latin-1"),
        b'<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_unreadable_svg_is_refused(data):
    with pytest.raises(ValidationError):
        clean_svg(data)


# --- through the design page and the image view ------------------------------------------


def image_urls(version):
    kwargs = {"slug": version.micro_credential.slug, "number": version.number}
    return reverse("catalogue:design_image", kwargs=kwargs), reverse(
        "catalogue:image", kwargs=kwargs
    )


def test_upload_then_serve_svg_without_script_and_sandboxed(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, image_url = image_urls(version)
    client_for(client, world.designer)
    response = client.post(
        edit_url,
        {
            "image-image": upload(DANGEROUS["script"], "evil.svg", "image/svg+xml"),
            "image-alt": "A blue badge",
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.image_alt == "A blue badge"
    served = client.get(image_url)
    body = b"".join(served.streaming_content)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert b"<script" not in body.lower()
    assert b"alert" not in body
    entry = AuditEntry.objects.get(action="design.image_set")
    assert entry.actor == world.designer
    assert entry.data["fields"] == ["image", "image_alt"]


def test_fake_image_upload_is_refused_with_the_reason_and_nothing_changes(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, _image_url = image_urls(version)
    client_for(client, world.designer)
    response = client.post(
        edit_url,
        {"image-image": upload(b"not an image at all", "badge.png"), "image-alt": "Badge"},
    )
    assert response.status_code == 200
    assert "not a PNG, JPEG or SVG image" in response.content.decode()
    assert 'value="Badge"' in response.content.decode()  # the input is kept
    version.refresh_from_db()
    assert not version.image
    assert version.image_alt == ""
    assert not AuditEntry.objects.exists()


def test_oversized_upload_is_refused_through_the_view(world, client, settings):
    settings.MOSAICS_MAX_IMAGE_BYTES = 500
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, _image_url = image_urls(version)
    client_for(client, world.designer)
    response = client.post(
        edit_url, {"image-image": upload(png_bytes((300, 300)) + b"\0" * 600), "image-alt": "x"}
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    version.refresh_from_db()
    assert not version.image
    assert not AuditEntry.objects.exists()


def test_alt_text_is_required_with_an_image(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, _image_url = image_urls(version)
    client_for(client, world.designer)
    response = client.post(edit_url, {"image-image": upload(png_bytes()), "image-alt": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Describe the image in its text alternative" in page
    assert 'aria-describedby="id_image-alt_helptext id_image-alt_error"' in page
    version.refresh_from_db()
    assert not version.image
    assert not AuditEntry.objects.exists()
    # No image yet and no file: asked to choose one.
    response = client.post(edit_url, {"image-alt": "A badge"})
    assert "Choose an image to upload" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_png_served_with_its_type_and_nosniff(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, image_url = image_urls(version)
    client_for(client, world.designer)
    client.post(edit_url, {"image-image": upload(png_bytes(), "x.svg"), "image-alt": "Badge"})
    served = client.get(image_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" not in served.get("Content-Security-Policy", "")
    # The design page shows it with its text alternative.
    page = client.get(
        reverse(
            "catalogue:design",
            kwargs={"slug": version.micro_credential.slug, "number": version.number},
        )
    ).content.decode()
    assert f'<img src="{image_url}" alt="Badge"' in page


@pytest.mark.parametrize(
    ("state", "persona", "status"),
    [
        ("draft", "anonymous", 404),
        ("draft", "learner", 404),
        ("draft", "other_designer", 404),
        ("draft", "assessor", 404),
        ("draft", "designer", 200),
        ("draft", "reviewer", 200),
        ("submitted", "anonymous", 404),
        ("published", "anonymous", 200),
        ("published", "other_admin", 200),
        ("superseded", "learner", 200),
        ("retired", "anonymous", 200),
    ],
)
def test_image_view_is_public_only_once_published(world, client, state, persona, status):
    version = f.VersionFactory(micro_credential__issuer=world.issuer, image_alt="Badge")
    content, _type = clean_image(upload(png_bytes()))
    version.image.save(content.name, content)
    version.state = state
    version.save()
    _edit_url, image_url = image_urls(version)
    response = client_for(client, world.people[persona]).get(image_url)
    assert response.status_code == status
    if status == 200:
        assert response["X-Content-Type-Options"] == "nosniff"


def test_image_view_without_an_image_is_404(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer, state="published")
    _edit_url, image_url = image_urls(version)
    assert client.get(image_url).status_code == 404


# --- style: only allowed declarations survive --------------------------------------------

CSS_BYPASSES = {
    "image_set": f'image-set("{EVIL}/a.png" 1x)',
    "webkit_image_set": f'-webkit-image-set(url("{EVIL}/a.png") 1x)',
    "src": f'src("{EVIL}/a.png")',
    "image": f'image("{EVIL}/a.png")',
    "cross_fade": f'cross-fade(url("{EVIL}/a.png"), url("{EVIL}/b.png"), 50%)',
    "element": "element(#evilpart)",
    "escaped_url": f"\\75 rl({EVIL}/a.png)",
    "escaped_url_short": f"u\\72l({EVIL}/a.png)",
    "comment_split_url": f"u/**/rl({EVIL}/a.png)",
    "upper_case_url": f"URL({EVIL}/a.png)",
    "quoted_url": f'url( "{EVIL}/a.png" )',
    "expression": "expression(alert(1))",
    "var": "var(--evilpart)",
    "attr": "attr(evilpart url)",
    "javascript": "url(javascript:alert(1))",
}
FORBIDDEN_CSS = (
    b"evil",
    b"image-set",
    b"src(",
    b"image(",
    b"cross-fade",
    b"element(",
    b"\\",
    b"/*",
    b"expression",
    b"var(",
    b"attr(",
    b"alert",
    b"javascript",
    b"@",
)


def assert_no_css_bypass(out: bytes) -> None:
    root = parsed(out)  # still a well-formed SVG
    assert root.tag == f"{{{SVG_NS}}}svg"
    lowered = out.lower()
    for needle in FORBIDDEN_CSS:
        assert needle not in lowered, (needle, out)
    for match in lowered.split(b"url(")[1:]:
        assert match.lstrip(b" '\"").startswith(b"#"), out


@pytest.mark.parametrize("name", sorted(CSS_BYPASSES))
def test_css_bypasses_in_a_style_attribute_are_removed(name):
    value = CSS_BYPASSES[name]
    out = clean_svg(svg(f"<rect style='fill: {value}; stroke: #000' width='1' height='1'/>"))
    assert_no_css_bypass(out)
    # The safe declaration next to it survives.
    assert parsed(out).find(f"{{{SVG_NS}}}rect").get("style") == "stroke: #000"


@pytest.mark.parametrize("name", sorted(CSS_BYPASSES))
def test_css_bypasses_in_presentation_attributes_are_removed(name):
    value = CSS_BYPASSES[name]
    out = clean_svg(
        svg(f"<rect fill='{value}' stroke='{value}' filter='{value}' mask='{value}' width='1'/>")
    )
    assert_no_css_bypass(out)
    assert parsed(out).find(f"{{{SVG_NS}}}rect").get("width") == "1"


@pytest.mark.parametrize("name", sorted(CSS_BYPASSES))
def test_css_bypasses_in_a_style_element_are_removed(name):
    value = CSS_BYPASSES[name]
    out = clean_svg(svg(f"<style>rect {{ fill: {value} }}</style><rect width='1'/>"))
    assert_no_css_bypass(out)


@pytest.mark.parametrize(
    "sheet",
    [
        f"@import url({EVIL}/x.css); rect {{ fill: red }}",
        f'@import "{EVIL}/x.css";',
        f"@font-face {{ font-family: x; src: url({EVIL}/f.woff) }}",
        "@namespace evil url(x);",
        f"rect[fill^='a'] {{ fill: url({EVIL}/x) }}",
        f"rect:hover {{ fill: red }} a {{ fill: url({EVIL}/x) }}",
        "rect { fill: red",
        "rect { fill: red } }",
        "\\72 ect { fill: red }",
        f"<![CDATA[ rect {{ fill: url({EVIL}/x) }} ]]>",
    ],
)
def test_style_elements_that_cannot_be_checked_are_dropped(sheet):
    out = clean_svg(svg(f"<style>{sheet}</style><rect width='1'/>"))
    assert_no_css_bypass(out)
    assert parsed(out).find(f"{{{SVG_NS}}}style") is None


def test_allowed_style_is_kept_and_rebuilt():
    out = clean_svg(
        svg(
            '<defs><linearGradient id="g"/></defs>'
            "<style>/* exported */ .tile, rect.b > g {fill:#0b5cad;stroke : rgb(0, 0, 0);"
            f" background: url({EVIL}/x)}} #c {{ font-family: 'Open Sans', sans-serif }}</style>"
            '<rect class="tile" width="1" height="1" transform="rotate(45 50 50)" '
            'fill="url(#g)" style="fill: url(#g); stroke-width: 2; cursor: pointer; '
            'transform: translate(1px, 2px) scale(2); opacity: .5"/>'
        )
    )
    root = parsed(out)
    assert root.find(f"{{{SVG_NS}}}style").text == (
        ".tile, rect.b > g { fill: #0b5cad; stroke: rgb(0, 0, 0) }\n"
        "#c { font-family: 'Open Sans', sans-serif }"
    )
    rect = root.find(f"{{{SVG_NS}}}rect")
    assert rect.get("style") == (
        "fill: url(#g); stroke-width: 2; transform: translate(1px, 2px) scale(2); opacity: .5"
    )
    assert rect.get("transform") == "rotate(45 50 50)"
    assert rect.get("fill") == "url(#g)"
    assert b"evil" not in out
    assert b"cursor" not in out


def test_style_attribute_with_nothing_allowed_is_dropped():
    out = clean_svg(svg(f'<rect style="background: url({EVIL}/x); cursor: wait" width="1"/>'))
    assert parsed(out).find(f"{{{SVG_NS}}}rect").get("style") is None


DEMO_BADGES = sorted(
    (Path(__file__).resolve().parents[2] / "mosaics/core/static/mosaics/demo").glob("*.svg")
)


def _drawing(root: ET.Element) -> list[tuple[str, dict[str, str], str]]:
    return [
        (element.tag, dict(element.attrib), (element.text or "").strip()) for element in root.iter()
    ]


@pytest.mark.parametrize("path", DEMO_BADGES, ids=lambda path: path.name)
def test_demo_badges_pass_unchanged(path):
    assert DEMO_BADGES
    data = path.read_bytes()
    content, content_type = clean_image(upload(data, path.name, "image/svg+xml"))
    assert content_type == "image/svg+xml"
    assert _drawing(parsed(content.read())) == _drawing(parsed(data))


# --- nesting -----------------------------------------------------------------------------


def nested(levels: int) -> bytes:
    return svg("<g>" * levels + '<rect width="1"/>' + "</g>" * levels)


def test_svg_nested_up_to_the_limit_is_kept():
    # The <svg> itself, 62 groups and the rect: 64 levels.
    root = parsed(clean_svg(nested(62)))
    assert sum(1 for _element in root.iter(f"{{{SVG_NS}}}g")) == 62
    assert root.find(f".//{{{SVG_NS}}}rect") is not None


@pytest.mark.parametrize("levels", [63, 1200, 4000])
def test_deeply_nested_svg_is_refused_in_plain_words(levels):
    with pytest.raises(ValidationError) as caught:
        clean_svg(nested(levels))
    assert caught.value.code == "svg_too_deep"
    assert "nested too deeply" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        clean_image(upload(nested(levels), "badge.svg", "image/svg+xml"))


def test_absurdly_nested_svg_is_a_validation_error_not_a_crash():
    # Far past the element limit and any recursion limit: still only a ValidationError.
    levels = 200_000
    with pytest.raises(ValidationError):
        clean_svg(nested(levels))
    with pytest.raises(ValidationError):
        clean_svg(b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * levels)


def test_deeply_nested_svg_upload_is_refused_through_the_view(world, client):
    version = f.VersionFactory(micro_credential__issuer=world.issuer)
    edit_url, _image_url = image_urls(version)
    client_for(client, world.designer)
    response = client.post(
        edit_url,
        {
            "image-image": upload(nested(1200), "deep.svg", "image/svg+xml"),
            "image-alt": "Badge",
        },
    )
    # Like every refused upload: the form again, with the reason, never a 500.
    assert response.status_code == 200
    assert "This SVG image is nested too deeply" in response.content.decode()
    version.refresh_from_db()
    assert not version.image
    assert version.image_alt == ""
    assert not AuditEntry.objects.exists()
