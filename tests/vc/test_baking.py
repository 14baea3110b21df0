from __future__ import annotations

import contextlib
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaics.vc.baking import (
    BakedCredential,
    bake,
    bake_png,
    bake_svg,
    extract,
    extract_png,
    extract_svg,
    image_format,
)
from mosaics.vc.errors import BakingError, InputTooLarge, MalformedInput

RES = Path(__file__).resolve().parent.parent / (
    "conformance/1edtech-validator/inspector-vc/src/test/resources"
)
OB30 = RES / "ob30"
OB20 = RES / "ob20"

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:2b0c4b7e-8a3c-4a39-9d4e-0a3a1c2f5d11",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Tricky ]]> name & <tag> “ünïcode”",
}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    pos = 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(ctype + data)
        out.append((ctype, data))
        pos += 12 + length
    return out


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def _tiny_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<circle cx="5" cy="5" r="4"/></svg>\n'
)


# ------------------------------------------------------------------ 1EdTech fixtures (OB 3.0)


def test_extract_1edtech_simple_json_png() -> None:
    baked = extract((OB30 / "simple-json.png").read_bytes())
    assert (baked.image_format, baked.ob_version, baked.kind) == ("png", "3.0", "json")
    cred = baked.json()
    assert "OpenBadgeCredential" in cred["type"]
    assert cred["@context"][0] == "https://www.w3.org/ns/credentials/v2"


@pytest.mark.parametrize("name", ["simple-jwt.png", "simple-jwt_v1.png"])
def test_extract_1edtech_jwt_png(name: str) -> None:
    baked = extract((OB30 / name).read_bytes())
    assert (baked.image_format, baked.ob_version, baked.kind) == ("png", "3.0", "jws")
    assert baked.text.count(".") == 2
    with pytest.raises(BakingError):
        baked.json()


def test_extract_1edtech_simple_json_svg() -> None:
    # This fixture has a DOCTYPE naming the SVG 1.1 DTD (no internal subset): accepted.
    baked = extract((OB30 / "simple-json.svg").read_bytes())
    assert (baked.image_format, baked.ob_version, baked.kind) == ("svg", "3.0", "json")
    assert "OpenBadgeCredential" in baked.json()["type"]


@pytest.mark.parametrize("name", ["simple-jwt.svg", "simple-jwt_v1.svg"])
def test_extract_1edtech_jwt_svg(name: str) -> None:
    baked = extract((OB30 / name).read_bytes())
    assert (baked.image_format, baked.ob_version, baked.kind) == ("svg", "3.0", "jws")


# ------------------------------------------------------------------ OB 2.0


def test_extract_ob20_simple_badge_png() -> None:
    baked = extract((OB20 / "simple-badge.png").read_bytes())
    assert (baked.ob_version, baked.kind) == ("2.0", "json")
    assert baked.json()["type"] == "Assertion"


@pytest.mark.parametrize("path", sorted((OB20 / "assets").glob("*.png")), ids=lambda p: p.name)
def test_ob20_unbaked_assets_hold_nothing(path: Path) -> None:
    with pytest.raises(BakingError, match="no Open Badges"):
        extract(path.read_bytes())


def test_extract_ob20_text_chunk_url() -> None:
    png = _tiny_png()
    png = png[:-12] + _chunk(b"tEXt", b"openbadges\x00https://example.org/a/1") + png[-12:]
    baked = extract(png)
    assert (baked.ob_version, baked.kind, baked.text) == ("2.0", "url", "https://example.org/a/1")


def test_extract_ob20_svg_assertion() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/a/1">'
        b'<![CDATA[{"type": "Assertion"}]]></openbadges:assertion></svg>'
    )
    baked = extract(svg)
    assert (baked.ob_version, baked.kind) == ("2.0", "json")
    signed = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="' + JWS.encode() + b'"/></svg>'
    )
    assert extract(signed).kind == "jws"


def test_ob3_wins_over_ob2() -> None:
    png = _tiny_png()
    png = png[:-12] + _chunk(b"tEXt", b"openbadges\x00https://example.org/a/1") + png[-12:]
    baked = extract(bake_png(png, CREDENTIAL))
    assert baked.ob_version == "3.0"


# ------------------------------------------------------------------ baking PNG


@pytest.mark.parametrize("credential", [CREDENTIAL, JWS])
def test_png_round_trip(credential: Any) -> None:
    baked = bake_png(_tiny_png(), credential)
    chunks = _png_chunks(baked)  # every CRC checked
    assert [c[0] for c in chunks] == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    itxt = chunks[2][1]
    assert itxt.startswith(b"openbadgecredential\x00\x00\x00\x00\x00")
    result = extract(baked)
    if isinstance(credential, dict):
        assert result.kind == "json"
        assert result.json() == credential
    else:
        assert (result.kind, result.text) == ("jws", JWS)


def test_png_rebake_replaces_existing_credential() -> None:
    once = bake_png(_tiny_png(), CREDENTIAL)
    twice = bake_png(once, JWS)
    assert [c[0] for c in _png_chunks(twice)].count(b"iTXt") == 1
    assert extract(twice).text == JWS


def test_png_rebake_1edtech_fixture() -> None:
    original = (OB30 / "simple-json.png").read_bytes()
    rebaked = bake_png(original, JWS)
    assert extract(rebaked).text == JWS
    types = [c[0] for c in _png_chunks(rebaked)]
    assert types.count(b"iTXt") == 1
    assert types[-2:] == [b"iTXt", b"IEND"]


def test_png_two_credentials_is_an_error() -> None:
    png = bake_png(_tiny_png(), CREDENTIAL)
    extra = _chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode())
    png = png[:-12] + extra + png[-12:]
    with pytest.raises(BakingError, match=r"2 Open Badges 3\.0"):
        extract(png)


def test_png_compressed_itxt_is_readable() -> None:
    png = _tiny_png()
    text = zlib.compress(JWS.encode())
    extra = _chunk(b"iTXt", b"openbadgecredential\x00\x01\x00\x00\x00" + text)
    assert extract(png[:-12] + extra + png[-12:]).text == JWS


def test_png_bad_crc() -> None:
    baked = bytearray(bake_png(_tiny_png(), CREDENTIAL))
    baked[-20] ^= 0xFF  # inside the iTXt chunk
    with pytest.raises(BakingError, match="CRC"):
        extract(bytes(baked))


def test_png_truncated() -> None:
    baked = bake_png(_tiny_png(), CREDENTIAL)
    for cut in (9, 20, len(baked) - 12, len(baked) - 1):
        with pytest.raises(BakingError):
            extract(baked[:cut])


def test_png_without_ihdr() -> None:
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IEND", b"")
    with pytest.raises(BakingError, match="IHDR"):
        extract_png(png)


def test_not_an_image() -> None:
    assert image_format(b"GIF89a") is None
    with pytest.raises(BakingError, match="neither"):
        extract(b"GIF89a....")
    with pytest.raises(BakingError, match="neither"):
        bake(b"GIF89a....", CREDENTIAL)
    with pytest.raises(BakingError):
        extract_png(SVG)
    with pytest.raises(BakingError):
        extract_svg(b"<html><body/></html>")


@pytest.mark.parametrize("credential", ["not a credential", "[1, 2]", "{bad json", 42])
def test_bake_refuses_bad_payloads(credential: Any) -> None:
    with pytest.raises(BakingError):
        bake_png(_tiny_png(), credential)


def test_oversized_image() -> None:
    with pytest.raises(InputTooLarge):
        extract(b"\x89PNG\r\n\x1a\n" + bytes(16 * 1024 * 1024))


# ------------------------------------------------------------------ baking SVG


@pytest.mark.parametrize("credential", [CREDENTIAL, JWS])
def test_svg_round_trip(credential: Any) -> None:
    baked = bake_svg(SVG, credential)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baked.count(b"<openbadges:credential") == 1
    assert b'<circle cx="5" cy="5" r="4"/>' in baked  # the rest is kept byte for byte
    result = extract(baked)
    assert result.ob_version == "3.0"
    if isinstance(credential, dict):
        assert b"<![CDATA[" in baked
        assert result.json() == credential
    else:
        assert f'verify="{JWS}"'.encode() in baked
        assert (result.kind, result.text) == ("jws", JWS)


def test_svg_rebake_replaces_existing_credential() -> None:
    twice = bake_svg(bake_svg(SVG, CREDENTIAL), JWS)
    assert twice.count(b"<openbadges:credential") == 1
    assert twice.count(b"xmlns:openbadges=") == 1
    assert extract(twice).text == JWS


@pytest.mark.parametrize("name", ["simple-json.svg", "simple-jwt.svg", "simple-jwt_v1.svg"])
def test_svg_rebake_1edtech_fixtures(name: str) -> None:
    rebaked = bake_svg((OB30 / name).read_bytes(), CREDENTIAL)
    assert rebaked.count(b"<openbadges:credential") == 1
    assert rebaked.startswith(b'<?xml version="1.0" encoding="utf-8"?>\r\n<!DOCTYPE svg')
    assert extract(rebaked).json() == CREDENTIAL


def test_svg_self_closing_root() -> None:
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert baked.endswith(b"</svg>")
    assert extract(baked).text == JWS


def test_svg_with_prefixed_root() -> None:
    svg = b'<s:svg xmlns:s="http://www.w3.org/2000/svg"/>'
    baked = bake_svg(svg, JWS)
    assert baked.endswith(b"</s:svg>")
    assert extract(baked).text == JWS


def test_svg_with_ob2_prefix_on_root() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/a/1"/></svg>'
    )
    baked = bake_svg(svg, CREDENTIAL)
    result = extract(baked)
    assert result.ob_version == "3.0"
    assert result.json() == CREDENTIAL
    assert b"openbadges:assertion" in baked  # the OB 2.0 assertion is left alone


def test_svg_two_credentials_is_an_error() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b'<openbadges:credential verify="' + JWS.encode() + b'"/>'
        b'<openbadges:credential verify="' + JWS.encode() + b'"/></svg>'
    )
    with pytest.raises(BakingError, match=r"2 Open Badges 3\.0"):
        extract(svg)


def test_svg_without_credential() -> None:
    with pytest.raises(BakingError, match="no Open Badges"):
        extract(SVG)


def test_svg_content_and_verify_is_an_error() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b'<openbadges:credential verify="' + JWS.encode() + b'"><![CDATA[{}]]>'
        b"</openbadges:credential></svg>"
    )
    with pytest.raises(BakingError, match="both"):
        extract(svg)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"
 xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""

EXTERNAL_DTD_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg SYSTEM "http://example.invalid/evil.dtd">
<svg xmlns="http://www.w3.org/2000/svg">&evil;</svg>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % pe SYSTEM "http://example.invalid/x.dtd"> %pe;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize(
    "svg", [BILLION_LAUGHS, XXE, EXTERNAL_DTD_ENTITY, PARAMETER_ENTITY], ids=str
)
def test_svg_hostile_xml_is_refused(svg: bytes) -> None:
    with pytest.raises(BakingError):
        extract(svg)
    with pytest.raises(BakingError):
        bake_svg(svg, JWS)


def test_svg_not_svg_root() -> None:
    with pytest.raises(BakingError, match="not an SVG"):
        extract(b'<html xmlns="http://www.w3.org/1999/xhtml"/>')


def test_svg_malformed() -> None:
    with pytest.raises(BakingError, match="well-formed"):
        extract(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')


def test_bake_svg_refuses_non_utf8() -> None:
    svg = '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError, match="UTF-8"):
        bake_svg(svg.encode("latin-1"), JWS)


def test_bake_detects_format() -> None:
    assert extract(bake(SVG, JWS)).image_format == "svg"
    assert extract(bake(_tiny_png(), JWS)).image_format == "png"


def test_baked_credential_is_a_value() -> None:
    a = BakedCredential("png", "3.0", "jws", JWS)
    assert a == BakedCredential("png", "3.0", "jws", JWS)


# ------------------------------------------------------------------ hypothesis


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=512))
def test_hypothesis_random_bytes_only_raise_baking_error(data: bytes) -> None:
    for candidate in (data, b"\x89PNG\r\n\x1a\n" + data, b"<svg " + data):
        with contextlib.suppress(BakingError):
            extract(candidate)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0), value=st.integers(1, 255))
def test_hypothesis_corrupted_baked_png(position: int, value: int) -> None:
    baked = bytearray(bake_png(_tiny_png(), JWS))
    baked[position % len(baked)] ^= value
    try:
        result = extract(bytes(baked))
    except BakingError:
        return
    # A flipped byte that still parses can only be in the (CRC-free) signature-irrelevant
    # region; the credential must then be unchanged.
    assert result.text == JWS


@settings(max_examples=100, deadline=None)
@given(
    name=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=60),
    fmt=st.sampled_from(["png", "svg"]),
)
def test_hypothesis_round_trip_any_text(name: str, fmt: str) -> None:
    credential = dict(CREDENTIAL, name=name)
    image = _tiny_png() if fmt == "png" else SVG
    assert extract(bake(image, credential)).json() == credential


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=80))
def test_hypothesis_svg_text_only_raises_baking_error(text: str) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>'
        + text
        + "</openbadges:credential></svg>"
    )
    with contextlib.suppress(BakingError):
        extract(svg.encode("utf-8", "surrogatepass"))


def test_json_of_baked_payload_uses_safe_loader() -> None:
    baked = BakedCredential("png", "3.0", "json", '{"a": 1, "a": 2}')
    with pytest.raises(MalformedInput):
        baked.json()
    assert json.loads(BakedCredential("png", "3.0", "json", '{"a": 1}').text) == {"a": 1}


def test_png_with_too_many_chunks() -> None:
    png = _tiny_png()
    filler = _chunk(b"tEXt", b"a\x00b") * 70_000
    with pytest.raises(InputTooLarge):
        extract(png[:-12] + filler + png[-12:])


def test_svg_with_many_nested_badge_elements() -> None:
    depth = 20_000
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        + b"<openbadges:credential>" * depth
        + b"x" * 1000
        + b"</openbadges:credential>" * depth
        + b"</svg>"
    )
    with pytest.raises(BakingError, match="too many"):
        extract(svg)


def test_svg_naming_an_unknown_encoding_is_a_baking_error() -> None:
    svg = b'<?xml version="1.0" encoding="utfB8"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError):
        extract(svg)
