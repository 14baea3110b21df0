"""Baking credentials into badge images, and extracting them (Open Badges 3.0 §5.3, OB 2.0).

OB 3.0 §5.3 "Baked badges" (https://www.imsglobal.org/spec/ob/v3p0/#baking):

- PNG (§5.3.1): one ``iTXt`` chunk with keyword ``openbadgecredential``, compression flag 0,
  empty language tag and translated keyword; its text is the credential JSON or a compact JWS.
  Baking replaces any existing such chunk; we insert it just before ``IEND``.
- SVG (§5.3.2): the root declares ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` and
  holds one ``<openbadges:credential>`` element whose content is ``<![CDATA[json]]>``, or which is
  empty with ``verify="<compact JWS>"``.

OB 2.0 "Baking specification" (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/
baking/index.html) is read as well: PNG ``iTXt`` (or the older ``tEXt``) keyword ``openbadges``;
SVG ``<openbadges:assertion>`` in namespace ``http://openbadges.org`` with the assertion JSON as
content and/or a ``verify`` attribute holding a JWS or the hosted assertion URL.

Images are hostile input. PNG chunks are bounds- and CRC-checked. SVG is parsed with expat
directly: a DOCTYPE with an internal subset, any ENTITY declaration and any reference to an
entity the parser would have to fetch or expand are refused (the billion-laughs and XXE
families), external DTDs are never loaded, and sizes are capped by
:data:`mosaics.vc.limits.MAX_IMAGE_BYTES`. Everything that is wrong with an image raises
:class:`BakingError` (or :class:`InputTooLarge` when over a limit).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from xml.parsers import expat

from .errors import BakingError, InputTooLarge, MalformedInput
from .limits import MAX_IMAGE_BYTES, MAX_JSON_BYTES, check_size, load_json

__all__ = [
    "OB2_NAMESPACE",
    "OB2_PNG_KEYWORD",
    "OB3_NAMESPACE",
    "OB3_PNG_KEYWORD",
    "BakedCredential",
    "bake",
    "bake_png",
    "bake_svg",
    "extract",
    "extract_png",
    "extract_svg",
    "image_format",
]

OB3_PNG_KEYWORD: Final = b"openbadgecredential"
OB2_PNG_KEYWORD: Final = b"openbadges"
OB3_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE: Final = "http://openbadges.org"
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_MAX_CHUNK: Final = 2**31 - 1  # PNG §5.3: a chunk length is at most 2^31 - 1
#: Real images have a few hundred chunks at most; millions of empty ones are an attack.
_MAX_CHUNKS: Final = 65_536
#: More badge elements than this in one SVG is refused before collecting them all.
_MAX_SVG_BADGES: Final = 16
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")

ImageFormat = Literal["png", "svg"]
PayloadKind = Literal["json", "jws", "url"]


@dataclass(frozen=True)
class BakedCredential:
    """What an image holds.

    ``kind`` is ``json`` (credential/assertion JSON text), ``jws`` (a compact JWS) or, for
    OB 2.0 hosted assertions only, ``url``. ``text`` is the payload as found (whitespace
    around it stripped).
    """

    image_format: ImageFormat
    ob_version: Literal["3.0", "2.0"]
    kind: PayloadKind
    text: str

    def json(self) -> Any:
        """Parse a ``json`` payload with the core's safe loader (raises ``MalformedInput``)."""
        if self.kind != "json":
            raise BakingError(f"the baked payload is a {self.kind}, not JSON")
        return load_json(self.text, what="baked credential")


def image_format(data: bytes) -> ImageFormat | None:
    """``png`` or ``svg`` by content sniffing, or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "svg"
    return None


def _payload_text(credential: str | Mapping[str, Any]) -> tuple[str, PayloadKind]:
    if isinstance(credential, Mapping):
        text = json.dumps(credential, ensure_ascii=False, indent=2)
        kind: PayloadKind = "json"
    elif isinstance(credential, str):
        text = credential.strip()
        if text.startswith("{"):
            try:
                value = load_json(text, what="credential")
            except MalformedInput as exc:
                raise BakingError(f"the credential to bake is not valid JSON: {exc}") from exc
            if not isinstance(value, dict):
                raise BakingError("the credential to bake is not a JSON object")
            kind = "json"
        elif _COMPACT_JWS.fullmatch(text):
            kind = "jws"
        else:
            raise BakingError("the credential to bake is neither JSON nor a compact JWS")
    else:
        raise BakingError("the credential to bake must be a mapping or a string")
    check_size(text, MAX_JSON_BYTES, what="credential")
    return text, kind


def _classify(text: str, *, allow_url: bool) -> PayloadKind:
    if text.startswith("{"):
        return "json"
    if _COMPACT_JWS.fullmatch(text):
        return "jws"
    if allow_url and re.fullmatch(r"https?://\S+", text):
        return "url"
    raise BakingError("the baked payload is neither JSON nor a compact JWS")


# --------------------------------------------------------------------------------------- PNG


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    raw: bytes  # length + type + data + CRC, exactly as in the file


def _png_chunks(png: bytes) -> list[_Chunk]:
    """Split a PNG into chunks, checking structure and every CRC (PNG §5.3, §5.6)."""
    check_size(png, MAX_IMAGE_BYTES, what="image")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("the image is not a PNG (bad signature)")
    chunks: list[_Chunk] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(png):
            raise BakingError("the PNG is truncated (no IEND chunk)")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        if length > _MAX_CHUNK or pos + 12 + length > len(png):
            raise BakingError("the PNG is truncated or has a corrupt chunk length")
        if not all(65 <= b <= 90 or 97 <= b <= 122 for b in ctype):
            raise BakingError("the PNG has a corrupt chunk type")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(f"the PNG chunk {ctype.decode('ascii')} has a bad CRC")
        if not chunks and ctype != b"IHDR":
            raise BakingError("the PNG does not start with an IHDR chunk")
        chunks.append(_Chunk(ctype, data, png[pos : pos + 12 + length]))
        if len(chunks) > _MAX_CHUNKS:
            raise InputTooLarge(f"the PNG has more than {_MAX_CHUNKS} chunks")
        pos += 12 + length
        if ctype == b"IEND":
            # Bytes after IEND are not part of the image; they are dropped when baking.
            return chunks


def _make_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def _keyword(data: bytes) -> bytes:
    return data.split(b"\x00", 1)[0]


def _parse_itxt(data: bytes) -> tuple[bytes, str]:
    """Keyword and text of an iTXt chunk (PNG §11.3.4.5)."""
    try:
        keyword, rest = data.split(b"\x00", 1)
        flag, method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\x00", 1)
        _translated, text = rest.split(b"\x00", 1)
    except (ValueError, IndexError) as exc:
        raise BakingError("the PNG has a malformed iTXt chunk") from exc
    if flag == 1:
        # OB 3.0 says flag 0; a compressed chunk is still readable, within our limits.
        if method != 0:
            raise BakingError("the PNG iTXt chunk uses an unknown compression method")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_JSON_BYTES + 1)
        except zlib.error as exc:
            raise BakingError("the PNG iTXt chunk holds corrupt compressed text") from exc
        if len(text) > MAX_JSON_BYTES:
            raise InputTooLarge("the baked credential is too large")
    elif flag != 0:
        raise BakingError("the PNG iTXt chunk has an invalid compression flag")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("the PNG iTXt text is not UTF-8") from exc


def extract_png(png: bytes) -> BakedCredential:
    """Extract the credential baked into a PNG.

    An OB 3.0 ``openbadgecredential`` iTXt chunk wins over an OB 2.0 ``openbadges`` one (an
    image may carry both); two of the same kind, or none at all, is a :class:`BakingError`.
    """
    ob3: list[str] = []
    ob2: list[str] = []
    for chunk in _png_chunks(png):
        if chunk.type == b"iTXt":
            keyword = _keyword(chunk.data)
            if keyword == OB3_PNG_KEYWORD:
                ob3.append(_parse_itxt(chunk.data)[1])
            elif keyword == OB2_PNG_KEYWORD:
                ob2.append(_parse_itxt(chunk.data)[1])
        elif chunk.type == b"tEXt" and _keyword(chunk.data) == OB2_PNG_KEYWORD:
            # OB 1.x / early 2.0 badges used tEXt (Latin-1 by PNG §11.3.4.3).
            ob2.append(chunk.data.split(b"\x00", 1)[1].decode("latin-1"))
    return _choose("png", ob3, ob2)


def _choose(fmt: ImageFormat, ob3: list[str], ob2: list[str]) -> BakedCredential:
    if len(ob3) > 1:
        raise BakingError(f"the {fmt.upper()} holds {len(ob3)} Open Badges 3.0 credentials")
    if ob3:
        text = ob3[0].strip()
        return BakedCredential(fmt, "3.0", _classify(text, allow_url=False), text)
    if len(ob2) > 1:
        raise BakingError(f"the {fmt.upper()} holds {len(ob2)} Open Badges 2.0 assertions")
    if ob2:
        text = ob2[0].strip()
        return BakedCredential(fmt, "2.0", _classify(text, allow_url=True), text)
    raise BakingError(f"the {fmt.upper()} holds no Open Badges credential")


def bake_png(png: bytes, credential: str | Mapping[str, Any]) -> bytes:
    """Return ``png`` with ``credential`` (a mapping, JSON text or compact JWS) baked in.

    Any existing ``openbadgecredential`` iTXt chunk is replaced; OB 2.0 chunks are left alone.
    """
    text, _kind = _payload_text(credential)
    chunks = _png_chunks(png)
    # iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty
    # translated keyword NUL, UTF-8 text (PNG §11.3.4.5; OB 3.0 §5.3.1).
    itxt = _make_chunk(b"iTXt", OB3_PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))
    out = [PNG_SIGNATURE]
    for chunk in chunks:
        if chunk.type == b"iTXt" and _keyword(chunk.data) == OB3_PNG_KEYWORD:
            continue
        if chunk.type == b"IEND":
            out.append(itxt)
        out.append(chunk.raw)
    result = b"".join(out)
    check_size(result, MAX_IMAGE_BYTES, what="baked image")
    return result


# --------------------------------------------------------------------------------------- SVG


@dataclass
class _Element:
    namespace: str
    local: str
    attrs: dict[str, str]
    start: int
    depth: int
    end: int = -1
    text: list[str] = field(default_factory=list)


@dataclass
class _SvgScan:
    root_start: int = -1
    root_qname: bytes = b""
    root_ns_decls: dict[str, str] = field(default_factory=dict)
    badges: list[_Element] = field(default_factory=list)


def _tag_end(data: bytes, start: int) -> int:
    """Index just past the ``>`` of the tag starting at ``start`` (quotes respected)."""
    quote = 0
    for i in range(start + 1, len(data)):
        b = data[i]
        if quote:
            if b == quote:
                quote = 0
        elif b in (0x22, 0x27):
            quote = b
        elif b == 0x3E:
            return i + 1
    raise BakingError("the SVG has an unterminated tag")


def _scan_svg(svg: bytes) -> _SvgScan:
    check_size(svg, MAX_IMAGE_BYTES, what="image")
    scan = _SvgScan()
    stack: list[_Element | None] = []
    pending_ns: dict[str, str] = {}
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(what: str) -> Any:
        def handler(*_args: object) -> None:
            raise BakingError(f"the SVG contains {what}, which is refused for safety")

        return handler

    def doctype(_name: str, _sysid: str | None, _pubid: str | None, internal: int) -> None:
        # A DOCTYPE naming the SVG 1.1 DTD is common and harmless (the DTD is never loaded);
        # an internal subset is where entity bombs live, so it is refused.
        if internal:
            raise BakingError("the SVG has a DOCTYPE with an internal subset (refused for safety)")

    def ns_decl(prefix: str | None, uri: str) -> None:
        pending_ns[prefix or ""] = uri

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        index = parser.CurrentByteIndex
        if not stack:
            if (ns, local) != (SVG_NAMESPACE, "svg"):
                raise BakingError("the XML document is not an SVG image (root is not <svg>)")
            scan.root_start = index
            scan.root_ns_decls = dict(pending_ns)
            m = re.match(rb"<([^\s/>]+)", svg[index:])
            scan.root_qname = m.group(1) if m else b"svg"
        pending_ns.clear()
        element: _Element | None = None
        if (ns, local) in ((OB3_NAMESPACE, "credential"), (OB2_NAMESPACE, "assertion")):
            element = _Element(ns, local, dict(attrs), index, len(stack))
            scan.badges.append(element)
            if len(scan.badges) > _MAX_SVG_BADGES:
                raise BakingError("the SVG holds too many Open Badges elements")
        stack.append(element)

    def end(_name: str) -> None:
        element = stack.pop()
        if element is not None:
            tag_end = _tag_end(svg, element.start)
            if svg[tag_end - 2 : tag_end] == b"/>":
                element.end = tag_end
            else:
                element.end = _tag_end(svg, parser.CurrentByteIndex)

    def chars(data: str) -> None:
        # Only text directly inside a badge element is its payload (keeps this linear).
        if stack and stack[-1] is not None:
            stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse("an ENTITY declaration")
    parser.UnparsedEntityDeclHandler = refuse("an ENTITY declaration")
    parser.ExternalEntityRefHandler = refuse("an external entity")
    parser.SkippedEntityHandler = refuse("an undefined entity reference")
    parser.StartNamespaceDeclHandler = ns_decl
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as exc:
        raise BakingError(f"the image is not a well-formed SVG: {exc}") from exc
    except (ValueError, UnicodeError, LookupError, RecursionError) as exc:
        # LookupError: the XML declaration names an encoding Python does not know.
        raise BakingError(f"the image is not a readable SVG: {exc}") from exc
    if scan.root_start < 0:
        raise BakingError("the image is not an SVG")
    return scan


def extract_svg(svg: bytes | str) -> BakedCredential:
    """Extract the credential baked into an SVG (OB 3.0 ``credential`` or OB 2.0 ``assertion``).

    As for PNG, OB 3.0 wins over OB 2.0, and two of the same kind or none is a
    :class:`BakingError`.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    scan = _scan_svg(data)
    ob3: list[str] = []
    ob2: list[str] = []
    for element in scan.badges:
        content = "".join(element.text).strip()
        verify = element.attrs.get("verify", "").strip()
        if element.namespace == OB3_NAMESPACE:
            # OB 3.0 §5.3.2: JSON as CDATA content, or an empty element with verify="<jws>".
            if verify and content:
                raise BakingError("the SVG credential has both content and a verify attribute")
            ob3.append(verify or content)
        else:
            # OB 2.0: hosted assertions carry the JSON as content and the URL in verify;
            # signed ones carry the JWS in verify.
            ob2.append(content or verify)
    return _choose("svg", ob3, ob2)


def _cdata(text: str) -> str:
    # "]]>" cannot occur inside a CDATA section: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def bake_svg(svg: bytes | str, credential: str | Mapping[str, Any]) -> bytes:
    """Return the UTF-8 SVG with ``credential`` baked in as ``<openbadges:credential>``.

    The element is placed as the first child of the root; any existing OB 3.0 credential
    element is removed first, and the namespace is declared on the root (or, when the root
    already binds ``openbadges`` to the OB 2.0 namespace, on the element itself). The rest of
    the document is kept byte for byte.
    """
    text, kind = _payload_text(credential)
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("only UTF-8 SVG images can be baked") from exc
    decl = re.match(rb"\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)", data)
    if decl and decl.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii"):
        raise BakingError("only UTF-8 SVG images can be baked")
    scan = _scan_svg(data)

    # Remove existing OB 3.0 credentials, last first so earlier offsets stay valid.
    root_start = scan.root_start
    for element in sorted(scan.badges, key=lambda e: e.start, reverse=True):
        if element.namespace == OB3_NAMESPACE:
            data = data[: element.start] + data[element.end :]
    root_tag_end = _tag_end(data, root_start)
    self_closing = data[root_tag_end - 2 : root_tag_end] == b"/>"

    bound = scan.root_ns_decls.get("openbadges")
    root_decl = b""
    element_decl = ""
    if bound is None:
        root_decl = f' xmlns:openbadges="{OB3_NAMESPACE}"'.encode()
    elif bound != OB3_NAMESPACE:
        element_decl = f' xmlns:openbadges="{OB3_NAMESPACE}"'
    if kind == "jws":
        markup = f'<openbadges:credential{element_decl} verify="{_xml_attr(text)}">'
        markup += "</openbadges:credential>"
    else:
        markup = f"<openbadges:credential{element_decl}>{_cdata(text)}</openbadges:credential>"
    inserted = b"\n" + markup.encode("utf-8") + b"\n"

    if self_closing:
        head = data[: root_tag_end - 2].rstrip() + root_decl + b">"
        tail = b"</" + scan.root_qname + b">" + data[root_tag_end:]
    else:
        head = data[: root_tag_end - 1] + root_decl + b">"
        tail = data[root_tag_end:]
    result: bytes = head + inserted + tail
    check_size(result, MAX_IMAGE_BYTES, what="baked image")
    baked = extract_svg(result)  # self-check: exactly one credential, the one we baked
    if baked.ob_version != "3.0" or baked.text != text:
        raise BakingError("baking the SVG failed its self-check")  # pragma: no cover
    return result


# ------------------------------------------------------------------------------------ either


def bake(image: bytes, credential: str | Mapping[str, Any]) -> bytes:
    """Bake ``credential`` into a PNG or SVG image (format detected from the bytes)."""
    fmt = image_format(image)
    if fmt == "png":
        return bake_png(image, credential)
    if fmt == "svg":
        return bake_svg(image, credential)
    raise BakingError("the image is neither a PNG nor an SVG")


def extract(image: bytes) -> BakedCredential:
    """Extract the credential from a baked PNG or SVG image (format detected from the bytes)."""
    if not isinstance(image, bytes | bytearray):
        raise BakingError("a baked image must be given as bytes")
    fmt = image_format(bytes(image))
    if fmt == "png":
        return extract_png(bytes(image))
    if fmt == "svg":
        return extract_svg(bytes(image))
    raise BakingError("the image is neither a PNG nor an SVG")
