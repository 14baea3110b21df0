"""The printable certificate of an award: one landscape page (A4 or US Letter) drawn with
reportlab — the learner's name, what they achieved, from whom, when, the competencies and
their results, and where to check it (the public badge page, as a link and a QR code).

The certificate is a courtesy copy: what proves the award is the signed credential. So the
page says how to verify it, and says so plainly when the badge is revoked, suspended or
expired. The PDF's document information (title, author, subject, keywords) and language are
set so assistive technology and search tools can name it.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from mosaics.awards import documents, images
from mosaics.awards.models import Award

__all__ = ["PAGE_SIZES", "certificate_pdf", "holder_name"]

PAGE_SIZES = {"a4": landscape(A4), "letter": landscape(LETTER)}
INK = HexColor("#1b2a3a")
ACCENT = HexColor("#1f4e79")
MUTED = HexColor("#4a5663")
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
MAX_COMPETENCIES = 8


def holder_name(award: Award) -> str:
    """The learner's name as it may be shown: the name on the award, else the display name
    they chose. Never an address or a user name."""
    if award.recipient_name:
        return award.recipient_name
    learner = award.learner
    if learner is not None:
        return str(learner.display_name or learner.legal_name or "")
    return ""


@lru_cache(maxsize=1)
def _unicode_fonts() -> tuple[str, str] | None:
    """DejaVu Sans (regular, bold) registered with reportlab, when installed; it draws any
    name, where the built-in Helvetica knows only Western European letters."""
    for folder in _FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("MosaicsSans", str(regular)))
            pdfmetrics.registerFont(TTFont("MosaicsSans-Bold", str(bold)))
            return "MosaicsSans", "MosaicsSans-Bold"
    return None


def _fonts(texts: list[str]) -> tuple[str, str]:
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        fonts = _unicode_fonts()
        if fonts is not None:
            return fonts
    return "Helvetica", "Helvetica-Bold"


def _date(value: Any) -> str:
    return str(formats.date_format(value, "DATE_FORMAT"))


def _status_line(award: Award) -> str:
    status = award.effective_status
    if status == "revoked":
        return _("This badge has been revoked. Reason: %(reason)s") % {
            "reason": award.status_reason or _("not given")
        }
    if status == "suspended":
        return _("This badge is suspended. Reason: %(reason)s") % {
            "reason": award.status_reason or _("not given")
        }
    if status == "expired":
        return _("This badge expired on %(date)s.") % {"date": _date(award.valid_until)}
    return ""


def _competencies(award: Award) -> list[str]:
    lines = []
    for result in award.results.select_related("competency", "level"):
        if result.level is not None:
            lines.append(f"{result.competency.statement} — {result.level.name}")
        else:
            lines.append(str(result.competency.statement))
    if not lines and award.version is not None:
        lines = [str(c.statement) for c in award.version.competencies.all()]
    return lines


def certificate_pdf(award: Award, *, size: str = "a4", compress: bool = True) -> bytes:
    """The certificate as PDF bytes. `size` is ``a4`` or ``letter`` (landscape either way)."""
    width, height = PAGE_SIZES.get(size, PAGE_SIZES["a4"])
    # Control characters, U+FFFE/U+FFFF and lone surrogates draw as nothing (or break the
    # font's encoding): the same characters the SVG badges drop (`images.xml_text`).
    clean = images.xml_text
    name = clean(holder_name(award))
    title = clean(award.title)
    issuer = award.issuer
    issuer_name = clean(issuer.name)
    organisation = clean(issuer.organisation.name)
    verify_url = documents.public_url(award)
    competencies = [clean(line) for line in _competencies(award)]
    status = clean(_status_line(award))
    language = translation.get_language() or "en"

    regular, bold = _fonts([name, title, issuer_name, organisation, status, *competencies])
    out = io.BytesIO()
    pdf = canvas.Canvas(
        out,
        pagesize=(width, height),
        pageCompression=1 if compress else 0,
        invariant=1,
        lang=language,
    )
    pdf.setTitle(_("Certificate: %(title)s") % {"title": title})
    pdf.setAuthor(issuer_name)
    pdf.setSubject(
        _("%(name)s earned %(title)s") % {"name": name, "title": title}
        if name
        else _("Certificate of %(title)s") % {"title": title}
    )
    pdf.setKeywords([_("micro-credential"), _("Open Badges"), award.credential_id])
    pdf.setCreator("Mosaics")
    pdf.setViewerPreference("DisplayDocTitle", "true")

    # Frame.
    margin = 28
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(4)
    pdf.roundRect(margin, margin, width - 2 * margin, height - 2 * margin, 14)
    pdf.setLineWidth(1)
    pdf.roundRect(margin + 8, margin + 8, width - 2 * margin - 16, height - 2 * margin - 16, 10)

    centre = width / 2
    y = height - 95
    pdf.setFillColor(ACCENT)
    pdf.setFont(bold, 30)
    pdf.drawCentredString(centre, y, _("Certificate of achievement"))
    y -= 42
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 14)
    pdf.drawCentredString(centre, y, _("This certifies that") if name else _("This certifies"))
    if name:
        y -= 38
        pdf.setFillColor(INK)
        pdf.setFont(bold, 28)
        pdf.drawCentredString(centre, y, name[:80])
    y -= 30
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 14)
    pdf.drawCentredString(centre, y, _("has earned the micro-credential"))
    pdf.setFillColor(INK)
    pdf.setFont(bold, 22)
    for line in textwrap.wrap(title, 60)[:2]:
        y -= 30
        pdf.drawCentredString(centre, y, line)
    y -= 26
    pdf.setFont(regular, 13)
    pdf.setFillColor(INK)
    issued_by = (
        _("issued by %(issuer)s, %(organisation)s")
        % {"issuer": issuer_name, "organisation": organisation}
        if organisation != issuer_name
        else _("issued by %(issuer)s") % {"issuer": issuer_name}
    )
    pdf.drawCentredString(centre, y, issued_by[:120])
    y -= 20
    dates = _("Awarded on %(date)s") % {"date": _date(award.awarded_at)}
    if award.valid_until is not None:
        dates += " · " + _("valid until %(date)s") % {"date": _date(award.valid_until)}
    pdf.drawCentredString(centre, y, dates)

    if status:
        y -= 24
        pdf.setFillColor(HexColor("#8a1c1c"))
        pdf.setFont(bold, 13)
        pdf.drawCentredString(centre, y, status[:140])

    # Competencies, bottom left; verification, bottom right.
    left = margin + 40
    block_top = min(y - 34, 210)
    if competencies:
        pdf.setFillColor(ACCENT)
        pdf.setFont(bold, 12)
        pdf.drawString(left, block_top, _("Competencies demonstrated"))
        pdf.setFillColor(INK)
        pdf.setFont(regular, 10)
        line_y = block_top - 16
        for competency in competencies[:MAX_COMPETENCIES]:
            for n, line in enumerate(textwrap.wrap(competency, 80)[:2]):
                if line_y < margin + 40:
                    break
                pdf.drawString(
                    left + (0 if n == 0 else 10), line_y, ("• " if n == 0 else "") + line
                )
                line_y -= 13
        if len(competencies) > MAX_COMPETENCIES and line_y >= margin + 40:
            pdf.drawString(
                left,
                line_y,
                _("and %(count)d more on the badge page.")
                % {"count": len(competencies) - MAX_COMPETENCIES},
            )

    qr_size = 110
    qr_x = width - margin - 40 - qr_size
    qr_y = margin + 48
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, qr_x, qr_y)
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 9)
    pdf.drawRightString(width - margin - 40, qr_y - 12, _("Check this badge at"))
    pdf.drawRightString(width - margin - 40, qr_y - 24, verify_url)
    pdf.linkURL(verify_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    pdf.setFont(regular, 8)
    pdf.drawString(left, margin + 20, _("Credential %(id)s") % {"id": award.credential_id})

    pdf.showPage()
    pdf.save()
    return out.getvalue()
