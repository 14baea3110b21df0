"""The mosaic itself: the learner's badges as tiles grouped by skill area, drawn as an inline SVG.

Skill area of a badge — one clear rule, the first that gives a name:

1. the micro-credential version's *field of study*;
2. else its first *tag*;
3. else the *skill* (alignment target name) of its first aligned competency, in the design's
   order — e.g. the ESCO skill the first competency is mapped to;
4. else "Other skills".

A pathway award is in the area "Pathways" (a pathway spans several skill areas). An external
(imported) badge follows the same rule on its credential's Achievement (``fieldOfStudy``,
``tag``, ``alignment[].targetName``). Areas are compared without case or repeated spaces and
shown as the area's earliest badge spells them; they are listed alphabetically, then
"Pathways", then "Other skills".

The SVG is generated here, server-side, with every text escaped. Accessibility: the ``<svg>``
has ``role="group"`` named by its ``<title>`` and described by its ``<desc>`` — not
``role="img"``, whose children are presentational (ARIA 1.2), so browsers drop the tile links
from the accessibility tree and keyboard users would land on links nobody announces. Each area
is a named group, each tile a link whose ``aria-label`` says the badge, its issuer and its
status. An imported badge whose issuer is not confirmed never reads "issued by <name>": its
name says "Issuer's name as written in the badge: … — not confirmed (signed by <DID>)", and its
tile "Issuer not confirmed" above "Signature valid". Status is written on the tile (and
external badges carry the word "External" and a dashed border), so colour is never the only
cue; tile colours are dark enough for white text (at least 4.5:1, tested).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = [
    "OTHER",
    "PALETTE",
    "PATHWAYS",
    "Area",
    "Tile",
    "area_of_achievement",
    "area_of_version",
    "group",
    "svg",
]

OTHER = "other"
PATHWAYS = "pathways"

#: Tile colours, one per area in turn: all give white text a contrast of at least 4.5:1
#: (WCAG 1.4.3) and stand out from a white page by at least 3:1 (1.4.11).
PALETTE = (
    "#1f4e79",
    "#7a2e0e",
    "#1e5631",
    "#5b2a86",
    "#8a1c3b",
    "#0b5563",
    "#6b4f00",
    "#3d3d3d",
)

TILE_WIDTH = 168
TILE_HEIGHT = 104
GAP = 8
COLUMNS = 6
HEADING = 30
LINE_CHARS = 19
TITLE_LINES = 3


@dataclass(frozen=True)
class Tile:
    """One badge in the mosaic."""

    key: str
    title: str
    issuer: str
    url: str
    #: valid, expired, suspended, revoked (ours); the verifier's word for external badges.
    status: str
    status_label: str
    external: bool
    area: str
    awarded: datetime | None
    #: False for an imported badge whose issuer nothing we trust vouches for: `issuer` is then
    #: already words saying so ("Issuer's name as written in the badge: … — not confirmed …"),
    #: never put after "issued by".
    issuer_confirmed: bool = True

    @property
    def label(self) -> str:
        """The tile's accessible name."""
        if self.issuer_confirmed:
            issuer = _("issued by %(issuer)s") % {"issuer": self.issuer}
        else:
            issuer = self.issuer
        parts = [self.title, issuer]
        if self.external:
            parts.append(_("external badge"))
        parts.append(self.status_label)
        return ", ".join(p for p in parts if p)


@dataclass
class Area:
    key: str
    name: str
    tiles: list[Tile] = field(default_factory=list)


def _clean(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _first_text(values: Any) -> str:
    if isinstance(values, str):
        return _clean(values)
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str) and _clean(value):
                return _clean(value)
    return ""


def area_of_version(version: Any) -> str:
    """The skill area of a micro-credential version (rule in the module docstring). Reads
    `version.competencies.all()` and their `alignments.all()` — prefetch them."""
    name = _clean(version.field_of_study) or _first_text(version.tags)
    if name:
        return name
    for competency in version.competencies.all():
        for alignment in competency.alignments.all():
            if _clean(alignment.target_name):
                return _clean(alignment.target_name)
    return ""


def area_of_achievement(achievement: Any) -> str:
    """The skill area of an OB 3.0 Achievement given as JSON (an imported badge's)."""
    if not isinstance(achievement, Mapping):
        return ""
    name = _first_text(achievement.get("fieldOfStudy")) or _first_text(achievement.get("tag"))
    if name:
        return name[:200]
    alignments = achievement.get("alignment")
    if isinstance(alignments, Mapping):
        alignments = [alignments]
    if isinstance(alignments, list):
        for alignment in alignments:
            if isinstance(alignment, Mapping):
                target = _first_text(alignment.get("targetName"))
                if target:
                    return target[:200]
    return ""


def _attr(value: str) -> str:
    """An attribute value, double-quoted, with every quote escaped."""
    return '"' + escape(value, {'"': "&quot;", "'": "&#x27;"}) + '"'


def _key(name: str) -> str:
    return name.casefold()


def group(tiles: Iterable[Tile]) -> list[Area]:
    """Tiles grouped by area: named areas alphabetically, then Pathways, then Other skills;
    newest badge first within an area."""
    areas: dict[str, Area] = {}
    # Oldest first, so an area is named as its earliest badge spells it.
    ordered_tiles = sorted(tiles, key=lambda t: (t.awarded is None, t.awarded or 0, t.key))
    for tile in ordered_tiles:
        if tile.area == PATHWAYS:
            key, name = f"1:{PATHWAYS}", _("Pathways")
        elif not tile.area or tile.area == OTHER:
            key, name = f"2:{OTHER}", _("Other skills")
        else:
            key, name = "0:" + _key(tile.area), tile.area
        areas.setdefault(key, Area(key=key, name=name)).tiles.append(tile)
    ordered = [areas[key] for key in sorted(areas)]
    for area in ordered:
        area.tiles.sort(
            key=lambda t: (t.awarded is None, -(t.awarded.timestamp() if t.awarded else 0))
        )
    return ordered


def _lines(text: str) -> list[str]:
    """`text` wrapped into at most TITLE_LINES lines (the last one cut with an ellipsis)."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        if len(word) > LINE_CHARS:
            word = word[: LINE_CHARS - 1] + "…"
        candidate = f"{current} {word}".strip()
        if len(candidate) <= LINE_CHARS:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == TITLE_LINES:
            break
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    lines[-1] = (last[: LINE_CHARS - 1] if len(last) >= LINE_CHARS else last) + "…"
    return lines


_STATUS_MARK = {"valid": "✓", "expired": "⌛", "suspended": "‖", "revoked": "✗"}


def svg(areas: list[Area], *, title: str, description: str) -> SafeString:
    """The mosaic as an inline SVG (safe to put in a template: every text is escaped)."""
    width = COLUMNS * (TILE_WIDTH + GAP) - GAP
    parts: list[str] = []
    y = 0
    for index, area in enumerate(areas):
        colour = PALETTE[index % len(PALETTE)]
        heading_id = f"mosaic-area-{index}"
        parts.append(f'<g role="group" aria-labelledby="{heading_id}">')
        parts.append(
            f'<text id="{heading_id}" x="0" y="{y + 20}" font-size="16" font-weight="bold" '
            f'fill="#1a1a1a">{escape(area.name)} ({len(area.tiles)})</text>'
        )
        y += HEADING
        for n, tile in enumerate(area.tiles):
            column, row = n % COLUMNS, n // COLUMNS
            tx = column * (TILE_WIDTH + GAP)
            ty = y + row * (TILE_HEIGHT + GAP)
            dash = ' stroke-dasharray="6 4"' if tile.external else ""
            parts.append(f"<a href={_attr(tile.url)} aria-label={_attr(tile.label)}>")
            parts.append(f"<title>{escape(tile.label)}</title>")
            parts.append(
                f'<rect x="{tx}" y="{ty}" width="{TILE_WIDTH}" height="{TILE_HEIGHT}" rx="6" '
                f'fill="{colour}" stroke="#1a1a1a" stroke-width="2"{dash}/>'
            )
            parts.append('<g aria-hidden="true" fill="#ffffff" font-size="13">')
            # Lines are separated by a space, so the link's visible text reads as the title's
            # words (WCAG 2.5.3 Label in Name: the visible text starts the accessible name).
            for line_no, line in enumerate(_lines(tile.title)):
                parts.append(
                    f'<text x="{tx + 10}" y="{ty + 22 + line_no * 17}" '
                    f'font-weight="bold">{escape(line)}</text> '
                )
            parts.append("</g></a>")
            mark = _STATUS_MARK.get(tile.status, "?")
            if tile.issuer_confirmed:
                footers = [f"{mark} {tile.status_label}"]
            else:
                # Too long for one line: what is not proved first, then what is.
                what = _("Signature valid") if tile.status == "valid" else tile.status_label
                footers = [f"⚠ {_('Issuer not confirmed')}", f"{mark} {what}"]
            if tile.external:
                footers[-1] = f"{footers[-1]} · {_('External')}"
            # The status lines are drawn over the tile but outside its link (clicks fall through
            # to the tile): the link's name says them, after the title and the issuer.
            for n_line, footer in enumerate(reversed(footers)):
                parts.append(
                    f'<text x="{tx + 10}" y="{ty + TILE_HEIGHT - 12 - n_line * 17}" '
                    f'aria-hidden="true" pointer-events="none" fill="#ffffff" '
                    f'font-size="13">{escape(footer)}</text>'
                )
        rows = (len(area.tiles) + COLUMNS - 1) // COLUMNS
        y += rows * (TILE_HEIGHT + GAP) + GAP
        parts.append("</g>")
    height = max(y, 1)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mosaic-svg" role="group" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="mosaic-title" aria-describedby="mosaic-desc" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="mosaic-title">{escape(title)}</title>'
        f'<desc id="mosaic-desc">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(parts) + "</svg>")  # noqa: S308 - every text escaped above
