"""Open Badges 2.0: the hosted Assertion of an award, the pathway BadgeClass, and OB 2.0 baking.

OB 3.0 is what Mosaics signs; OB 2.0 is there for older backpacks and displayers. Everything
here is built from the same `Award` row as the signed credential, at stable public URLs:

- the Assertion (`awards:ob2_assertion`, OB 2.0 §Assertion) with `verification` "hosted"
  (§Verification, "Hosted verification": the Assertion's `id` is the URL it is served at, on
  the issuer's origin);
- its BadgeClass: the catalogue version's (`catalogue:badgeclass`), or for a pathway award the
  pathway's (`awards:ob2_pathway_badgeclass`, built here), whose `issuer` is the OB 2.0 Issuer
  (`issuance:ob2_issuer`);
- the baked images (`awards:ob2_baked`): the award's badge image carrying the Assertion URL
  (OB 2.0 Baking: PNG `iTXt` keyword `openbadges`; SVG `<openbadges:assertion verify="URL">`
  in namespace `http://openbadges.org`). `mosaics.vc.baking` reads both forms but bakes only
  OB 3.0, so OB 2.0 baking lives here and checks itself with `baking.extract`.

Status. OB 2.0 hosted verification knows only "revoked": a hosted Assertion that is gone
answers 410 with `{"id", "revoked": true, "revocationReason"}` (§Assertion `revoked`: "only
revoked and id are required properties"). OB 2.0 has no suspension, so while an award is
suspended its Assertion answers exactly like a revoked one, with the reason
`"suspended: <reason>"`; on reinstatement the full Assertion comes back at the same URL.
An expired award is still served in full: its `expires` date tells verifiers.

Who may see it. The hosted Assertion and its baked images exist only once the learner has
accepted the award (`is_published`: `claim` accepted and a learner attached); before that —
pending, or declined — every OB 2.0 URL of the award answers 404, as if there were no such
award, since the Assertion carries the narrative and the (non-private) evidence. Revocation
and suspension answer 410 only for an award its learner had accepted; an award revoked before
anyone accepted it was never published, so it stays a 404 (there is no OB 2.0 badge out there
for a verifier to check). A learner who declines after accepting withdraws it again (404).

Privacy. The recipient is the salted SHA-256 of the lower-cased e-mail address (OB 2.0
§IdentityObject, `sha256$` + hex(SHA-256(identity + salt)), with the same salt as the OB 3.0
credential), and only evidence the learner has not marked private is listed.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import UTC, datetime
from typing import Any, Literal
from xml.parsers import expat
from xml.sax.saxutils import escape

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from mosaics.awards import images
from mosaics.awards.models import Award, AwardEvidence
from mosaics.catalogue.documents import badgeclass_document
from mosaics.core.text import plain_text
from mosaics.pathways import rules
from mosaics.pathways.documents import criteria_narrative, pathway_achievement_id, required_url
from mosaics.pathways.models import Pathway
from mosaics.vc import baking, ob3
from mosaics.vc.errors import BakingError, VCError

__all__ = [
    "OB2_CONTEXT",
    "OB2_NAMESPACE",
    "ImageFormat",
    "assertion_document",
    "assertion_url",
    "badgeclass_url",
    "bake_png",
    "bake_svg",
    "baked_image",
    "baked_url",
    "base_image",
    "is_gone",
    "is_published",
    "pathway_badgeclass_document",
    "pathway_badgeclass_url",
    "public_evidence",
    "recipient",
    "revocation_reason",
    "revoked_document",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB2_NAMESPACE = baking.OB2_NAMESPACE  # "http://openbadges.org"
OB2_PNG_KEYWORD = baking.OB2_PNG_KEYWORD  # b"openbadges"

ImageFormat = Literal["png", "svg"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Chunks that hold an Open Badges payload (OB 2.0 and OB 3.0 keywords, iTXt and tEXt): the
#: baked image carries exactly one, ours.
_BADGE_KEYWORDS = (baking.OB2_PNG_KEYWORD, baking.OB3_PNG_KEYWORD)


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _timestamp(value: datetime) -> str:
    """OB 2.0 DateTime: ISO 8601 with a time zone (UTC, whole seconds)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------------------------ URLs


def assertion_url(award: Award) -> str:
    """The hosted Assertion's URL, which is also its `id`."""
    return _absolute(reverse("awards:ob2_assertion", kwargs={"uuid": award.uuid}))


def baked_url(award: Award, image_format: ImageFormat = "png") -> str:
    """The badge image baked with the Assertion URL."""
    return _absolute(reverse("awards:ob2_baked", kwargs={"uuid": award.uuid, "ext": image_format}))


def pathway_badgeclass_url(pathway: Pathway) -> str:
    return _absolute(reverse("awards:ob2_pathway_badgeclass", kwargs={"slug": pathway.slug}))


def badgeclass_url(award: Award) -> str:
    """The BadgeClass of what was awarded: the exact catalogue version's, or the pathway's."""
    if award.version is not None:
        return str(badgeclass_document(award.version)["id"])
    assert award.pathway is not None
    return pathway_badgeclass_url(award.pathway)


def _ob2_issuer_url(issuer: Any) -> str:
    return _absolute(reverse("issuance:ob2_issuer", kwargs={"slug": issuer.slug}))


# ------------------------------------------------------------------------------- documents


def recipient(award: Award) -> dict[str, Any]:
    """OB 2.0 IdentityObject: the salted hash of the lower-cased address (never the address)."""
    email = award.recipient_email.strip().lower()
    return {
        "type": "email",
        "hashed": True,
        "salt": award.identity_salt,
        "identity": ob3.hash_identity(email, award.identity_salt),
    }


def _evidence(item: AwardEvidence) -> dict[str, Any]:
    document: dict[str, Any] = {"type": "Evidence"}
    if item.url:
        document["id"] = item.url
    document["name"] = item.name
    for key, value in (
        ("description", item.description),
        ("narrative", item.narrative),
        ("genre", item.genre),
    ):
        if value.strip():
            document[key] = value
    return document


def public_evidence(award: Award) -> list[AwardEvidence]:
    """The evidence anyone may see: never an item the learner marked private."""
    return list(award.evidence.filter(private=False).order_by("position", "id"))


def is_published(award: Award) -> bool:
    """Accepted by its learner: only then are its OB 2.0 documents served (else 404)."""
    return award.claim == Award.Claim.ACCEPTED and award.learner_id is not None


def is_gone(award: Award) -> bool:
    """Revoked, or suspended (which OB 2.0 cannot say otherwise): the Assertion answers 410."""
    return award.status in (Award.Status.REVOKED, Award.Status.SUSPENDED)


def revocation_reason(award: Award) -> str:
    """The reason verifiers see. Wire text, so not translated (staff wrote the reason)."""
    reason = " ".join(award.status_reason.split())
    if award.status == Award.Status.SUSPENDED:
        return f"suspended: {reason}" if reason else "suspended"
    return reason


def revoked_document(award: Award) -> dict[str, Any]:
    """What a revoked (or suspended) hosted Assertion answers, with HTTP 410 Gone."""
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award),
        "revoked": True,
    }
    reason = revocation_reason(award)
    if reason:
        document["revocationReason"] = reason
    return document


def assertion_document(award: Award) -> dict[str, Any]:
    """The award's OB 2.0 hosted Assertion (in force: see `is_gone` for the other case)."""
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award),
        "recipient": recipient(award),
        "badge": badgeclass_url(award),
        "verification": {"type": "hosted"},
        "issuedOn": _timestamp(award.awarded_at),
        "image": baked_url(award, "png"),
    }
    if award.valid_until is not None:
        document["expires"] = _timestamp(award.valid_until)
    evidence = [_evidence(item) for item in public_evidence(award)]
    if evidence:
        document["evidence"] = evidence
    if award.narrative.strip():
        document["narrative"] = award.narrative
    return document


def _pathway_image_url(pathway: Pathway) -> str:
    if pathway.image:
        url = pathway.image.url
        return url if url.startswith(("http://", "https://")) else _absolute(url)
    return _absolute(static("mosaics/logo.svg"))


def pathway_badgeclass_document(pathway: Pathway) -> dict[str, Any]:
    """A pathway as an OB 2.0 BadgeClass (for its awards' hosted Assertions). Like its OB 3.0
    Achievement, the micro-credentials it requires are named in the criteria and aligned to."""
    tree = rules.requirement_tree(pathway)
    alignment = []
    for node in tree.walk():
        if isinstance(node, rules.Item):
            url = required_url(node)
            if url is not None:
                entry = {"targetName": node.title, "targetUrl": url}
                if node.summary:
                    entry["targetDescription"] = node.summary
                alignment.append(entry)
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": pathway_badgeclass_url(pathway),
        "name": pathway.title,
        "description": plain_text(pathway.description) or pathway.summary or pathway.title,
        "image": _pathway_image_url(pathway),
        "criteria": {
            "id": pathway_achievement_id(pathway),
            "narrative": criteria_narrative(pathway, tree, settings.LANGUAGE_CODE),
        },
        "issuer": _ob2_issuer_url(pathway.issuer),
    }
    if alignment:
        document["alignment"] = alignment
    return document


# --------------------------------------------------------------------------- base images


def _placeholder_png() -> bytes:
    """A plain 64×64 tile, for a picture the baker will not take (see `baked_image`)."""
    width = height = 64
    row = b"\x00" + bytes((0x1F, 0x4E, 0x79)) * width
    raw = zlib.compress(row * height, 9)

    def chunk(ctype: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + ctype
            + data
            + struct.pack(">I", zlib.crc32(ctype + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _placeholder_svg(title: str) -> bytes:
    escaped = escape(images.xml_text(title))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="256" height="256"'
        ' role="img" aria-labelledby="t">'
        f'<title id="t">{escaped}</title>'
        '<rect width="64" height="64" rx="8" fill="#1f4e79"/></svg>'
    ).encode()


def base_image(award: Award, image_format: ImageFormat) -> bytes:
    """The award's badge picture before baking (`mosaics.awards.images`)."""
    return images.base_png(award) if image_format == "png" else images.base_svg(award)


# --------------------------------------------------------------------------------- baking


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, raw chunk) pairs, up to and including IEND. Structure and CRCs are checked by
    `baking.extract` on the result; here only the framing is read."""
    if not png.startswith(_PNG_SIGNATURE):
        raise BakingError("the image is not a PNG (bad signature)")
    chunks = []
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        end = pos + 12 + length
        if end > len(png):
            break
        ctype = png[pos + 4 : pos + 8]
        chunks.append((ctype, png[pos:end]))
        pos = end
        if ctype == b"IEND":
            return chunks
    raise BakingError("the PNG is truncated (no IEND chunk)")


def _is_badge_chunk(ctype: bytes, raw: bytes) -> bool:
    if ctype not in (b"iTXt", b"tEXt"):
        return False
    keyword = raw[8:].split(b"\x00", 1)[0]
    return keyword in _BADGE_KEYWORDS


def _check(baked: bytes, url: str) -> bytes:
    found = baking.extract(baked)
    if found.ob_version != "2.0" or found.kind != "url" or found.text != url:
        raise BakingError("baking the OB 2.0 assertion URL failed its self-check")
    return baked


def bake_png(png: bytes, url: str) -> bytes:
    """`png` with one `iTXt` chunk, keyword `openbadges`, holding the Assertion URL (OB 2.0
    Baking: compression flag 0, empty language tag and translated keyword), placed right after
    IHDR as the reference baker does. Any other Open Badges chunk is dropped."""
    data = OB2_PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + url.encode("utf-8")
    itxt = struct.pack(">I", len(data)) + b"iTXt" + data
    itxt += struct.pack(">I", zlib.crc32(b"iTXt" + data))
    out = [_PNG_SIGNATURE]
    for position, (ctype, raw) in enumerate(_png_chunks(png)):
        if _is_badge_chunk(ctype, raw):
            continue
        out.append(raw)
        if position == 0:
            out.append(itxt)
    return _check(b"".join(out), url)


def _root_tag_end(svg: bytes) -> tuple[int, int, dict[str, str]]:
    """Byte offsets of the root element's start tag (start, just past `>`) and the namespace
    prefixes it declares. The SVG itself was checked when it was uploaded (or is ours)."""
    found: dict[str, Any] = {}
    declared: dict[str, str] = {}
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    class _Stop(Exception):
        pass

    def ns_decl(prefix: str | None, uri: str) -> None:
        declared[prefix or ""] = uri

    def start(name: str, _attrs: dict[str, str]) -> None:
        found["start"] = parser.CurrentByteIndex
        raise _Stop

    def refuse(*_args: object) -> Any:
        raise BakingError("the SVG declares entities (refused)")

    parser.StartNamespaceDeclHandler = ns_decl
    parser.StartElementHandler = start
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(svg, True)
    except _Stop:
        pass
    except (expat.ExpatError, ValueError, LookupError) as exc:
        raise BakingError(f"the image is not a well-formed SVG: {exc}") from exc
    if "start" not in found:
        raise BakingError("the image is not an SVG")
    start_at = int(found["start"])
    quote = 0
    for i in range(start_at + 1, len(svg)):
        b = svg[i]
        if quote:
            if b == quote:
                quote = 0
        elif b in (0x22, 0x27):
            quote = b
        elif b == 0x3E:
            return start_at, i + 1, declared
    raise BakingError("the SVG has an unterminated root tag")


def bake_svg(svg: bytes, url: str) -> bytes:
    """`svg` with `<openbadges:assertion verify="URL"/>` as the root's first child (OB 2.0
    Baking), the `openbadges` prefix bound to `http://openbadges.org` on the root (or on the
    element when the root already uses that prefix for something else)."""
    start, end, declared = _root_tag_end(svg)
    attr = (
        url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
    bound = declared.get("openbadges")
    root_decl = f' xmlns:openbadges="{OB2_NAMESPACE}"'.encode() if bound is None else b""
    element_decl = (
        f' xmlns:openbadges="{OB2_NAMESPACE}"' if bound not in (None, OB2_NAMESPACE) else ""
    )
    element = f'\n<openbadges:assertion{element_decl} verify="{attr}"/>\n'.encode()
    if svg[end - 2 : end] == b"/>":
        qname = re.match(rb"<([^\s/>]+)", svg[start:])
        name = qname.group(1) if qname else b"svg"
        head = svg[: end - 2].rstrip() + root_decl + b">"
        baked = head + element + b"</" + name + b">" + svg[end:]
    else:
        baked = svg[: end - 1] + root_decl + b">" + element + svg[end:]
    return _check(baked, url)


def baked_image(award: Award, image_format: ImageFormat) -> bytes:
    """The award's badge image baked with its hosted Assertion URL.

    Pictures were checked when uploaded; one the baker still refuses (its self-check reads it
    with `mosaics.vc.baking`'s limits) gives a plain tile rather than no badge at all."""
    url = assertion_url(award)
    bake = bake_png if image_format == "png" else bake_svg
    try:
        return bake(base_image(award, image_format), url)
    except VCError:
        placeholder = _placeholder_png() if image_format == "png" else _placeholder_svg(award.title)
        return bake(placeholder, url)
