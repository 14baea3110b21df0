"""The printable PDF certificate: a valid one-page PDF that says who, what, from whom, when,
and where to check it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from mosaics.awards import actions, certificate
from tests import factories as f

pytestmark = pytest.mark.django_db


def _award(world, **kwargs):
    version = f.published_version(world.issuer, validity_months=kwargs.pop("months", 12))
    competency = version.competencies.first()
    kwargs.setdefault("results", {competency.pk: competency.passing_level_id})
    kwargs.setdefault("recipient_name", "Ada Lovelace")
    return f.award(version, email=world.learner.email, **kwargs)


def _strings(pdf: bytes) -> list[str]:
    """The text drawn with `(...) Tj` in an uncompressed PDF, unescaped."""
    found = []
    for raw in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf):
        text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        text = re.sub(rb"\\(.)", rb"\1", text)
        found.append(text.decode("cp1252", errors="replace"))
    return found


def _valid_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    tail = pdf[-1024:]
    assert b"startxref" in tail
    assert b"trailer" in tail
    offset = int(re.search(rb"startxref\s+(\d+)", tail).group(1))
    assert pdf[offset : offset + 4] == b"xref"
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    assert b"/Info" in tail


def test_the_certificate_is_a_valid_pdf_with_the_award_in_words(world):
    award = _award(world)
    pdf = certificate.certificate_pdf(award, compress=False)
    _valid_pdf(pdf)
    text = _strings(pdf)
    public = settings.SITE_URL.rstrip("/") + reverse("awards:public", kwargs={"uuid": award.uuid})
    assert "Ada Lovelace" in text
    assert award.title in text
    assert any(world.issuer.name in line for line in text)
    assert any(line.startswith("Awarded on") and "valid until" in line for line in text)
    assert public in text
    competency = award.version.competencies.first()
    assert any(competency.statement in line and "Proficient" in line for line in text)
    assert not any(award.recipient_email in line for line in text)
    assert award.recipient_email.encode() not in pdf
    # Document information and language, for assistive technology and search.
    assert f"/Title (Certificate: {award.title})".encode() in pdf
    assert f"/Author ({world.issuer.name})".encode() in pdf
    assert b"/Lang (en" in pdf
    assert award.credential_id.encode() in pdf
    # The QR code is a link to the badge page as well.
    assert f"/URI ({public})".encode() in pdf
    # Landscape A4 by default; US Letter on request.
    assert re.search(rb"/MediaBox \[\s*0 0 841\.88\d* 595\.27\d*\s*\]", pdf)
    letter = certificate.certificate_pdf(award, size="letter", compress=False)
    assert re.search(rb"/MediaBox \[\s*0 0 792 612\s*\]", letter)


def test_the_compressed_certificate_is_valid_too(world):
    pdf = certificate.certificate_pdf(_award(world))
    _valid_pdf(pdf)
    assert b"/FlateDecode" in pdf


@pytest.mark.parametrize("change", ["revoke", "suspend"])
def test_a_revoked_or_suspended_certificate_says_so(world, change):
    award = _award(world)
    getattr(actions, f"award_{change}")(actor=world.tlc_admin, award=award, reason="Misconduct")
    award.refresh_from_db()
    text = _strings(certificate.certificate_pdf(award, compress=False))
    word = "revoked" if change == "revoke" else "suspended"
    assert any(word in line and "Misconduct" in line for line in text)


def test_a_name_beyond_western_european_letters_is_drawn(world):
    award = _award(world, recipient_name="Ярослава Ψηφίδα Nguyễn")
    pdf = certificate.certificate_pdf(award, compress=False)
    _valid_pdf(pdf)
    if Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        assert b"DejaVuSans" in pdf  # embedded Unicode font, not Helvetica


def test_the_certificate_view_serves_a_pdf_inline(world, client):
    award = _award(world)
    client.force_login(world.learner)
    url = reverse("awards:certificate", kwargs={"uuid": award.uuid})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert ".pdf" in response["Content-Disposition"]
    _valid_pdf(response.content)
    assert b"/MediaBox [ 0 0 792 612 ]" in client.get(url + "?size=letter").content
    odd = client.get(url + "?size=" + "x" * 5000)
    assert odd.status_code == 200
    assert re.search(rb"/MediaBox \[\s*0 0 841\.88", odd.content)
