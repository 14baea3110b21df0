"""An award's badge images: the design's picture as PNG and SVG, plain or baked.

The picture is the one of the award's version (or pathway). Uploads were checked and rebuilt
when they were stored (`mosaics.core.uploads`): PNG is used as it is, JPEG is converted to PNG,
SVG (already sanitised) is used as it is for SVG. We have no SVG rasteriser, so the PNG of an
SVG-only design — and both images of a design without a picture — are drawn: a tile with the
title and the issuer. The SVG of a raster-only design embeds the PNG as a ``data:`` URI.

Baked images (OB 3.0 §5.3) carry one signed form of the award's credential
(`actions.award_credential_form`): the JSON document for the Data Integrity forms, the compact
JWS for ``jwt``. Everything is made on request; only the unbaked pictures, which cost a
decode/encode, are kept in a small per-process cache keyed by what they are drawn from.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import textwrap
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

from mosaics.awards.models import Award
from mosaics.vc import baking
from mosaics.vc.errors import VCError

__all__ = [
    "baked_png",
    "baked_svg",
    "base_png",
    "base_svg",
    "design_picture",
    "qr_matrix",
    "qr_svg",
    "xml_text",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
#: Side of the drawn badge, and the largest side a converted JPEG keeps.
TILE = 600
MAX_SIDE = 1024
_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, ...], bytes] = OrderedDict()

# Dark tile colours (white text on each passes WCAG AA contrast); chosen by the title.
_COLOURS = ("#1f4e79", "#6b2c5f", "#1e5b3a", "#7a3b12", "#3d3a7a", "#0f5964", "#5a4a12")
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
#: Everything outside XML 1.0's `Char` production (§2.2: #x9 | #xA | #xD | [#x20-#xD7FF] |
#: [#xE000-#xFFFD] | [#x10000-#x10FFFF]): other C0 controls, lone surrogates, U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold at all (not even as a character
    reference), so that escaping it gives well-formed XML. A design title or an issuer name
    may hold such a character (a pasted vertical tab, say); no picture or page can show one,
    so it is dropped rather than refusing the whole image."""
    return _NOT_XML_CHAR.sub("", text)


def design_picture(award: Award) -> tuple[str, bytes] | None:
    """The design's picture as ``(kind, bytes)`` with kind png/jpeg/svg, or None."""
    design: Any = award.version if award.version_id is not None else award.pathway
    field = getattr(design, "image", None)
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            data: bytes = handle.read()
    except (OSError, ValueError):
        return None
    if data.startswith(PNG_SIGNATURE):
        return "png", data
    if data.startswith(JPEG_SIGNATURE):
        return "jpeg", data
    if baking.image_format(data) == "svg":
        return "svg", data
    return None


def _title(award: Award) -> str:
    """The title as drawn (and written into SVG): see `xml_text`."""
    return xml_text(str(award.title))


def _issuer_name(award: Award) -> str:
    return xml_text(str(award.issuer.name))


def _cached(key: tuple[str, ...], make: Any) -> bytes:
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    value: bytes = make()
    _cache[key] = value
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return value


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- PNG ---------------------------------------------------------------------------------


def base_png(award: Award) -> bytes:
    """The badge picture as PNG (unbaked)."""
    picture = design_picture(award)
    if picture is not None and picture[0] == "png":
        return picture[1]
    if picture is not None and picture[0] == "jpeg":
        data = picture[1]
        return _cached(("jpeg", _digest(data)), lambda: _jpeg_to_png(data))
    title, issuer = _title(award), _issuer_name(award)
    return _cached(("drawn-png", title, issuer), lambda: _drawn_png(title, issuer))


def _jpeg_to_png(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        converted = image.convert("RGB")
    converted.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> Any:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _colour(title: str) -> str:
    return _COLOURS[int(hashlib.sha256(title.encode()).hexdigest(), 16) % len(_COLOURS)]


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines


def _drawn_png(title: str, issuer: str) -> bytes:
    image = Image.new("RGBA", (TILE, TILE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, TILE - 8, TILE - 8), radius=72, fill=_colour(title))
    draw.rounded_rectangle((36, 36, TILE - 36, TILE - 36), radius=52, outline="#ffffff", width=6)
    title_font, issuer_font = _font(42, bold=True), _font(28)
    title_lines = _lines(title, 18, 4)
    issuer_lines = _lines(issuer, 30, 2)
    title_height, issuer_height, gap = 58, 36, 40
    total = len(title_lines) * title_height + gap + len(issuer_lines) * issuer_height
    y = (TILE - total) / 2
    for line in title_lines:
        draw.text((TILE / 2, y), line, font=title_font, fill="#ffffff", anchor="ma")
        y += title_height
    y += gap
    for line in issuer_lines:
        draw.text((TILE / 2, y), line, font=issuer_font, fill="#ffffff", anchor="ma")
        y += issuer_height
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- SVG ---------------------------------------------------------------------------------


def base_svg(award: Award) -> bytes:
    """The badge picture as SVG (unbaked)."""
    picture = design_picture(award)
    title, issuer = _title(award), _issuer_name(award)
    if picture is not None and picture[0] == "svg":
        return picture[1]
    if picture is not None:
        png = base_png(award)
        return _cached(
            ("embedded-svg", _digest(png), title), lambda: _embedded_svg(png, title, issuer)
        )
    return _cached(("drawn-svg", title, issuer), lambda: _drawn_svg(title, issuer))


def _embedded_svg(png: bytes, title: str, issuer: str) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    label = f"{title} — {issuer}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>"
        f'<image width="{width}" height="{height}" href="{uri}"/>'
        "</svg>\n"
    ).encode()


def _drawn_svg(title: str, issuer: str) -> bytes:
    label = f"{title} — {issuer}"
    title_lines = _lines(title, 18, 4)
    issuer_lines = _lines(issuer, 30, 2)
    title_height, issuer_height, gap = 58, 36, 40
    total = len(title_lines) * title_height + gap + len(issuer_lines) * issuer_height
    top = (TILE - total) / 2
    texts = []
    for line in title_lines:
        # y is the baseline: the top of the line plus the font's ascent (about 0.8 em).
        texts.append(
            f'<text x="{TILE // 2}" y="{top + 42 * 0.8:.0f}" font-size="42" '
            f'font-weight="bold">{escape(line)}</text>'
        )
        top += title_height
    top += gap
    for line in issuer_lines:
        texts.append(
            f'<text x="{TILE // 2}" y="{top + 28 * 0.8:.0f}" font-size="28">{escape(line)}</text>'
        )
        top += issuer_height
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{TILE}" height="{TILE}" '
        f'viewBox="0 0 {TILE} {TILE}" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>"
        f'<rect x="8" y="8" width="{TILE - 16}" height="{TILE - 16}" rx="72" '
        f'fill="{_colour(title)}"/>'
        f'<rect x="36" y="36" width="{TILE - 72}" height="{TILE - 72}" rx="52" fill="none" '
        'stroke="#ffffff" stroke-width="6"/>'
        '<g fill="#ffffff" text-anchor="middle" '
        'font-family="DejaVu Sans, Verdana, Arial, sans-serif">' + "".join(texts) + "</g>"
        "</svg>\n"
    ).encode()


# --- baked ---------------------------------------------------------------------------------


def _payload(award: Award, form: str) -> Any:
    from mosaics.awards import actions

    return actions.award_credential_form(award, form)


def baked_png(award: Award, form: str = "eddsa-rdfc-2022") -> bytes:
    """The PNG with the award's credential (signed as `form`) baked in."""
    payload = _payload(award, form)
    try:
        return baking.bake(base_png(award), payload)
    except VCError:
        # A picture the baker will not take (say, over the size limit): the drawn badge.
        return baking.bake(_drawn_png(_title(award), _issuer_name(award)), payload)


def _svg_payload(payload: Any) -> Any:
    """A JSON credential as the text an SVG can hold: a character XML cannot hold (a title
    with U+FFFE, say — JSON escapes only the C0 controls) is written as its JSON escape
    ``\\uXXXX``, which is the same JSON value, so the signature still verifies."""
    if not isinstance(payload, Mapping):
        return payload  # a compact JWS: ASCII
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _NOT_XML_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def baked_svg(award: Award, form: str = "eddsa-rdfc-2022") -> bytes:
    """The SVG with the award's credential (signed as `form`) baked in."""
    payload = _svg_payload(_payload(award, form))
    try:
        return baking.bake(base_svg(award), payload)
    except VCError:
        return baking.bake(_drawn_svg(_title(award), _issuer_name(award)), payload)


# --- QR code -------------------------------------------------------------------------------


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of `text` (error correction M, quiet zone of 4 modules included)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_svg(text: str, label: str) -> bytes:
    """The QR code of `text` as an SVG image named by `label` (its text alternative): dark
    modules as one path on a white square, so it scans on any page background."""
    matrix = qr_matrix(text)
    size = len(matrix)
    label = xml_text(label)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 6}" height="{size * 6}" role="img" aria-label={quoteattr(label)} '
        'shape-rendering="crispEdges">'
        f"<title>{escape(label)}</title>"
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{path}"/>'
        "</svg>\n"
    ).encode()
