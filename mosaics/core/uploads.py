"""Uploaded images, checked and rebuilt before anything stores or serves them.

What an upload *is* is decided by its bytes, never by its file name or the content type the
browser sent. PNG and JPEG are decoded with Pillow and re-encoded (which drops metadata and
anything appended after the image); SVG is parsed without a DOCTYPE or entities and rebuilt
from an allowlist of elements and attributes, so scripts, event handlers, foreign content and
external references never survive. Style is kept only through an allowlist of CSS
declarations (see `_clean_declarations`), never by looking for bad words. Every refusal is a
`ValidationError` in plain words.
"""

from __future__ import annotations

import io
import re
import uuid
import warnings
import xml.etree.ElementTree as ET  # DOCTYPE and entities are refused before parsing
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

__all__ = ["MAX_DIMENSION", "clean_image", "clean_svg", "max_image_bytes", "read_upload"]

MAX_DIMENSION = 4096  # pixels, either side
MAX_SVG_ELEMENTS = 5000
# Real badges nest a handful of groups; the rebuild and the serialiser recurse once a level.
MAX_SVG_DEPTH = 64

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Static drawing only: no script, foreignObject, animation (which can rewrite links), links
# or fonts.
SVG_ELEMENTS = frozenset(
    """
    svg g defs title desc metadata symbol use switch path rect circle ellipse line polyline
    polygon text tspan textPath linearGradient radialGradient stop clipPath mask pattern image
    marker style filter feBlend feColorMatrix feComponentTransfer feComposite feFlood
    feGaussianBlur feMerge feMergeNode feMorphology feOffset feTile feTurbulence feFuncR feFuncG
    feFuncB feFuncA feDropShadow feDisplacementMap
    """.split()  # noqa: SIM905 - a word list reads better than 50 quoted strings
)
SVG_ATTRIBUTES = frozenset(
    """
    id class style transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx
    ry fx fy fr d points pathLength version baseProfile
    fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color
    display visibility overflow clip-path clip-rule mask filter marker-start marker-mid
    marker-end markerWidth markerHeight markerUnits refX refY orient vector-effect
    shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters paint-order
    font-family font-size font-weight font-style font-variant letter-spacing word-spacing
    text-anchor dominant-baseline alignment-baseline baseline-shift text-decoration
    writing-mode direction dx dy rotate textLength lengthAdjust startOffset method spacing side
    gradientUnits gradientTransform spreadMethod offset stop-color stop-opacity
    patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2
    k3 k4 values type tableValues slope intercept amplitude exponent radius dx dy scale
    xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles flood-color
    flood-opacity lighting-color edgeMode requiredFeatures systemLanguage
    role aria-label aria-labelledby aria-describedby aria-hidden focusable lang href
    """.split()  # noqa: SIM905
)
HREF_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
DATA_IMAGE_URI = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+$")
FORBIDDEN_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")

# --- style: an allowlist of declarations ---------------------------------------------------
# CSS can load things in many ways (url(), image-set(), @import, src(), cross-fade(),
# element(), vendor prefixes) and hide them behind escapes and comments, so nothing is looked
# for: a declaration is kept only when its property is an SVG presentation property and its
# value is made of plain characters whose only functions are colours, transforms and
# same-document references (`url(#id)`). What is written back is rebuilt from the parsed
# pieces, so what was checked is exactly what is served.
CSS_PROPERTIES = frozenset(
    """
    fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color
    display visibility overflow clip-path clip-rule mask filter marker-start marker-mid
    marker-end vector-effect shape-rendering text-rendering image-rendering
    color-interpolation color-interpolation-filters paint-order stop-color stop-opacity
    flood-color flood-opacity lighting-color transform transform-origin transform-box
    font-family font-size font-weight font-style font-variant font-stretch letter-spacing
    word-spacing text-anchor dominant-baseline alignment-baseline baseline-shift
    text-decoration writing-mode direction white-space
    """.split()  # noqa: SIM905
)
CSS_FUNCTIONS = frozenset(
    """
    rgb rgba hsl hsla url matrix translate translatex translatey scale scalex scaley rotate
    skew skewx skewy
    """.split()  # noqa: SIM905
)
# No backslash (escapes), slash (comments), @, <, >, {, }, ;, ! or anything non-ASCII.
CSS_VALUE = re.compile(r"[A-Za-z0-9 \t\r\n#%.,+_()'\"-]*")
CSS_FUNCTION = re.compile(r"([A-Za-z0-9_-]*)\(")
CSS_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[A-Za-z0-9_.-]+\1\s*\)""", re.IGNORECASE)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_RULE = re.compile(r"\s*([^{}]*?)\s*\{([^{}]*)\}\s*")
# Type, class and id selectors, combined by descent or child only: no attribute selectors,
# pseudo-classes, strings or escapes.
CSS_SELECTOR = re.compile(r"[A-Za-z0-9_.#*>, -]+")
# Attributes that are plain text, never read as CSS; every other attribute value must be a
# safe CSS value (presentation attributes such as fill are parsed as CSS by browsers).
TEXT_ATTRIBUTES = frozenset(
    """
    id class role lang aria-label aria-labelledby aria-describedby requiredFeatures
    systemLanguage
    """.split()  # noqa: SIM905
)


def max_image_bytes() -> int:
    return int(getattr(settings, "MOSAICS_MAX_IMAGE_BYTES", 1_048_576))


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def read_upload(upload: IO[bytes] | Any, limit: int, *, too_large: str, empty: str) -> bytes:
    """The upload's bytes, read no further than one past `limit`: refused (with the given
    words) when its declared or real size is over the limit, or when it is empty."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(too_large, "too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(too_large, "too_large")
    if not data:
        raise _refuse(empty, "empty")
    return data


def clean_image(upload: IO[bytes] | Any) -> tuple[ContentFile[bytes], str]:
    """Check and rebuild an uploaded badge image. Returns the sanitised file (with a fresh,
    safe name) and its content type; raises ValidationError saying what is wrong."""
    limit = max_image_bytes()
    data = read_upload(
        upload,
        limit,
        too_large=_("The image is too large: it must be at most %(limit)s.")
        % {"limit": filesizeformat(limit)},
        empty=_("The image file is empty."),
    )

    if data.startswith(PNG_SIGNATURE):
        content, content_type, extension = _clean_raster(data, "PNG"), "image/png", "png"
    elif data.startswith(JPEG_SIGNATURE):
        content, content_type, extension = _clean_raster(data, "JPEG"), "image/jpeg", "jpg"
    elif _looks_like_svg(data):
        content, content_type, extension = clean_svg(data), "image/svg+xml", "svg"
    else:
        raise _not_an_image()
    return ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}"), content_type


def _not_an_image() -> ValidationError:
    return _refuse(
        _("This file is not a PNG, JPEG or SVG image. Please upload one of those."),
        "not_an_image",
    )


def _clean_raster(data: bytes, expected: str) -> bytes:
    damaged = _refuse(
        _("This image could not be read: the file is damaged or not really an image."),
        "damaged",
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses; a decompression bomb is refused either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != expected:
                    raise _not_an_image()
                _check_dimensions(probe.size)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                _check_dimensions(image.size)
                image.load()
                return _reencode(image, expected)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Pillow reports truncated or corrupt data with any of these.
        raise damaged from None


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _("The image is too big: it may be at most %(size)s pixels wide and high.")
        % {"size": MAX_DIMENSION},
        "too_many_pixels",
    )


def _check_dimensions(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise _refuse(_("The image has no pixels."), "damaged")
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise _too_many_pixels()


def _reencode(image: Image.Image, kind: str) -> bytes:
    """A fresh encoding of the pixels only: no EXIF, no text chunks, nothing appended."""
    out = io.BytesIO()
    if kind == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and b"<svg" in data[:65536].lower()


def clean_svg(data: bytes) -> bytes:
    """Parse `data` as SVG without DTDs or entities and rebuild it from an allowlist: the
    result is a fresh UTF-8 SVG document in the SVG namespace with no script, event handler,
    foreign content or external reference. Raises ValidationError when it cannot be read."""
    unreadable = _refuse(
        _("This SVG image could not be read: it is not well-formed SVG."), "bad_svg"
    )
    if FORBIDDEN_MARKUP.search(data):
        raise _refuse(
            _(
                "This SVG image declares a DOCTYPE or entities, which are not allowed. "
                "Please save it as plain SVG."
            ),
            "svg_doctype",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("SVG images must be encoded as UTF-8."), "svg_encoding") from None
    declaration = XML_DECLARATION.match(text.lstrip())
    if declaration and re.search(
        r"encoding\s*=\s*['\"](?!utf-?8['\"])", declaration.group(0), re.IGNORECASE
    ):
        raise _refuse(_("SVG images must be encoded as UTF-8."), "svg_encoding")
    text = XML_DECLARATION.sub("", text.lstrip(), count=1)
    try:
        source = ET.fromstring(text)  # noqa: S314 - no DOCTYPE/ENTITY can reach the parser
    except (ET.ParseError, ValueError, RecursionError):
        raise unreadable from None
    if _local_name(source.tag, allow_bare=True) != "svg":
        raise unreadable
    if sum(1 for _element in source.iter()) > MAX_SVG_ELEMENTS:
        raise _refuse(_("This SVG image is too complex."), "svg_too_complex")
    if _depth(source) > MAX_SVG_DEPTH:
        raise _too_deep()
    try:
        root = _rebuild(source, depth=1)
        assert root is not None  # the root is an <svg>, always kept
        body = _serialise(root, root=True, depth=1)
    except (RecursionError, ValueError):
        # Not reachable within MAX_SVG_DEPTH; a last resort so that no SVG is ever a 500.
        raise unreadable from None
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _too_deep() -> ValidationError:
    return _refuse(
        _(
            "This SVG image is nested too deeply: it may have at most %(depth)s levels of "
            "elements inside each other. Please simplify it or upload a PNG."
        )
        % {"depth": MAX_SVG_DEPTH},
        "svg_too_deep",
    )


def _depth(source: ET.Element) -> int:
    """How many levels of elements `source` holds, counted without recursion."""
    deepest = 0
    stack = [(source, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_SVG_DEPTH:  # deeper is refused anyway: stop walking
            stack.extend((child, depth + 1) for child in element)
    return deepest


def _serialise(element: ET.Element, *, root: bool = False, depth: int) -> str:
    """Our own serialiser: the rebuilt tree holds only SVG elements and plain, xlink: or xml:
    attributes, written with the SVG namespace as the default (ElementTree cannot do that
    without changing its process-wide prefix table)."""
    if depth > MAX_SVG_DEPTH:
        raise _too_deep()
    name = element.tag.rpartition("}")[2]
    attributes = []
    if root:
        attributes.append(f"xmlns={quoteattr(SVG_NS)}")
        if any(f"{{{XLINK_NS}}}href" in node.attrib for node in element.iter()):
            attributes.append(f"xmlns:xlink={quoteattr(XLINK_NS)}")
    for key, value in element.attrib.items():
        if key.startswith(f"{{{XLINK_NS}}}"):
            key = "xlink:" + key.rpartition("}")[2]
        elif key.startswith(f"{{{XML_NS}}}"):
            key = "xml:" + key.rpartition("}")[2]
        attributes.append(f"{key}={quoteattr(value)}")
    start = " ".join([name, *attributes])
    inner = escape(element.text or "") + "".join(
        _serialise(child, depth=depth + 1) + escape(child.tail or "") for child in element
    )
    return f"<{start}>{inner}</{name}>" if inner else f"<{start}/>"


def _local_name(tag: Any, *, allow_bare: bool = True) -> str | None:
    """The SVG element name of `tag`, or None when it is in another namespace (or a comment or
    processing instruction). Elements without a namespace count as SVG."""
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return local if namespace == SVG_NS else None
    return tag if allow_bare else None


def _rebuild(source: ET.Element, *, depth: int) -> ET.Element | None:
    if depth > MAX_SVG_DEPTH:
        raise _too_deep()
    name = _local_name(source.tag)
    if name is None or name not in SVG_ELEMENTS:
        return None
    stylesheet = _clean_stylesheet(source.text or "") if name == "style" else None
    if name == "style" and not stylesheet:
        return None
    element = ET.Element(f"{{{SVG_NS}}}{name}")
    for key, value in source.attrib.items():
        kept = _clean_attribute(key, value)
        if kept is not None:
            element.set(*kept)
    if name == "style":
        element.text = stylesheet
        return element
    element.text = source.text
    for child in source:
        rebuilt = _rebuild(child, depth=depth + 1)
        if rebuilt is not None:
            rebuilt.tail = child.tail
            element.append(rebuilt)
        elif child.tail:
            # Keep the text that followed a dropped element.
            if len(element):
                element[-1].tail = (element[-1].tail or "") + child.tail
            else:
                element.text = (element.text or "") + child.tail
    return element


def _clean_attribute(key: str, value: str) -> tuple[str, str] | None:
    if key.startswith("{"):
        namespace, _sep, local = key[1:].partition("}")
        if namespace == XLINK_NS and local == "href":
            return (key, value) if _href_safe(value) else None
        if namespace == XML_NS and local in ("space", "lang"):
            return key, value
        return None
    if key.lower().startswith("on") or key not in SVG_ATTRIBUTES:
        return None
    if key == "href":
        return (key, value) if _href_safe(value) else None
    if key == "style":
        style = _clean_declarations(value)
        return (key, style) if style else None
    if key in TEXT_ATTRIBUTES:
        return key, value
    return (key, value) if _css_value_safe(value) else None


def _href_safe(value: str) -> bool:
    value = value.strip()
    return (value.startswith("#") and len(value) > 1) or bool(DATA_IMAGE_URI.match(value))


def _css_value_safe(value: str) -> bool:
    """A CSS value (or presentation attribute) that can load and run nothing: plain ASCII
    characters, balanced quotes, and functions only from CSS_FUNCTIONS, `url()` only with a
    same-document fragment."""
    if not CSS_VALUE.fullmatch(value) or value.count("'") % 2 or value.count('"') % 2:
        return False
    for match in CSS_FUNCTION.finditer(value):
        function = match.group(1).lower()
        if function not in CSS_FUNCTIONS:
            return False
        if function == "url" and not CSS_LOCAL_URL.match(value, match.start()):
            return False
    return True


def _clean_declarations(css: str) -> str:
    """The declarations of `css` (a style attribute or the body of a rule) that are allowed,
    written afresh as `property: value; ...`; unknown or unsafe declarations are dropped."""
    kept = []
    for declaration in CSS_COMMENT.sub(" ", css).split(";"):
        prop, colon, value = declaration.partition(":")
        prop, value = prop.strip().lower(), " ".join(value.split())
        if colon and value and prop in CSS_PROPERTIES and _css_value_safe(value):
            kept.append(f"{prop}: {value}")
    return "; ".join(kept)


def _clean_stylesheet(css: str) -> str:
    """A `<style>` sheet rebuilt from rules of the form `selectors { declarations }` with simple
    selectors and allowed declarations. Anything else (an at-rule such as @import or
    @font-face, attribute selectors, pseudo-classes, escapes, a stray brace) drops the whole
    sheet: its meaning cannot be checked. Returns "" when nothing is kept."""
    css = CSS_COMMENT.sub(" ", css)
    rules = []
    position = 0
    while position < len(css):
        match = CSS_RULE.match(css, position)
        if match is None or match.end() == position:
            if css[position:].strip():
                return ""
            break
        position = match.end()
        selectors = " ".join(match.group(1).split())
        if not selectors or not CSS_SELECTOR.fullmatch(selectors):
            return ""
        declarations = _clean_declarations(match.group(2))
        if declarations:
            rules.append(f"{selectors} {{ {declarations} }}")
    return "\n".join(rules)
