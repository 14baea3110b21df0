"""Evidence files are judged by their bytes: what is allowed, what is refused, and what is
taken out (images' metadata) before anything is stored."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.learning.actions.demonstration import evidence_add
from mosaics.learning.models import EvidenceItem
from mosaics.learning.uploads import (
    MAX_ZIP_MEMBERS,
    clean_evidence_file,
    clean_original_name,
    size_words,
)
from tests.learning import builders as b

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GPS_IFD = 0x8825


def upload(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_evidence_file(upload(name, data, content_type))
    return caught.value


def image_bytes(
    kind: str, *, size: tuple[int, int] = (20, 10), exif: Image.Exif | None = None
) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    extra = {"exif": exif.tobytes()} if exif is not None else {}
    image.save(out, format=kind, **extra)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (45.0, 25.0, 12.0), 3: "W", 4: (75.0, 41.0, 30.0)}
    return exif


def zip_bytes(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            compress = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compress)
    return out.getvalue()


def docx(*extra: tuple[str, bytes]) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
            *extra,
        ]
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` × `height` pixels and holds none (a decompression bomb's
    header: nothing needs to be decoded to know it is too big)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# --- what is accepted ----------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_is_under_a_random_name() -> None:
    content, content_type, name, size = clean_evidence_file(
        upload("My report.pdf", PDF, "text/html")
    )
    assert content_type == "application/pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", content.name)
    assert content.read() == PDF
    assert (name, size) == ("My report.pdf", len(PDF))


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    content, content_type, name, _size = clean_evidence_file(
        upload("photo.txt", image_bytes("PNG"))
    )
    assert content_type == "image/png"
    assert content.name.endswith(".png")
    assert name == "photo.txt"  # shown as the learner named it; stored and served as a PNG


def test_a_png_with_gps_exif_comes_back_without_it() -> None:
    original = image_bytes("PNG", exif=gps_exif())
    with Image.open(io.BytesIO(original)) as before:
        assert GPS_IFD in before.getexif()
    content, content_type, _name, _size = clean_evidence_file(upload("site.png", original))
    data = content.read()
    assert content_type == "image/png"
    assert b"eXIf" not in data
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.size == (20, 10)
        assert len(after.getexif()) == 0
        assert "exif" not in after.info


def test_a_jpeg_loses_its_exif_and_is_turned_upright() -> None:
    exif = gps_exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show it
    original = image_bytes("JPEG", size=(40, 20), exif=exif)
    content, content_type, _name, _size = clean_evidence_file(upload("site.jpg", original))
    data = content.read()
    assert content_type == "image/jpeg"
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.size == (20, 40)
        assert len(after.getexif()) == 0


def test_text_csv_and_markdown() -> None:
    _content, content_type, name, _size = clean_evidence_file(
        upload("notes.txt", "Café\n".encode())
    )
    assert (content_type, name) == ("text/plain", "notes.txt")
    content, content_type, _name, _size = clean_evidence_file(upload("data.CSV", b"a,b\n1,2\n"))
    assert content_type == "text/csv"
    assert content.name.endswith(".csv")
    content, content_type, _name, _size = clean_evidence_file(upload("log.markdown", b"# Log\n"))
    assert content_type == "text/markdown"
    assert content.name.endswith(".md")
    # A text file named like something else is stored as text.
    content, content_type, _name, _size = clean_evidence_file(upload("run.exe", b"hello\n"))
    assert content_type == "text/plain"
    assert content.name.endswith(".txt")


def test_office_documents_are_recognised_by_their_main_part() -> None:
    _content, content_type, _name, _size = clean_evidence_file(upload("report.pdf", docx()))
    assert content_type == DOCX
    sheet = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])
    content, content_type, _name, _size = clean_evidence_file(upload("numbers.xlsx", sheet))
    assert content_type.endswith("spreadsheetml.sheet")
    assert content.name.endswith(".xlsx")
    slides = zip_bytes(
        [("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<presentation/>")]
    )
    _content, content_type, _name, _size = clean_evidence_file(upload("talk.pptx", slides))
    assert content_type.endswith("presentationml.presentation")


def test_opendocument_by_its_mimetype_part() -> None:
    odt = zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ],
        stored_first=True,
    )
    content, content_type, _name, _size = clean_evidence_file(upload("essay.odt", odt))
    assert content_type == "application/vnd.oasis.opendocument.text"
    assert content.name.endswith(".odt")


def test_the_limit_is_said_as_people_say_it() -> None:
    assert size_words(20 * 1024 * 1024) == "20 MB"
    assert size_words(512 * 1024) == "512 KB"


# --- what is refused -----------------------------------------------------------------------


def test_too_large_by_its_declared_size(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOSAICS_MAX_EVIDENCE_BYTES = 1024
    error = refusal("big.pdf", PDF + b"0" * 1024)
    assert error.code == "too_large"
    assert error.messages == ["This file is too large: it must be at most 1 KB."]


def test_too_large_when_the_size_lies(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOSAICS_MAX_EVIDENCE_BYTES = 100
    handle = io.BytesIO(PDF + b"0" * 200)
    handle.size = 10  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        clean_evidence_file(handle)
    assert caught.value.code == "too_large"


def test_the_default_limit_is_20_mb(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOSAICS_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
    big = upload("big.pdf", b"")
    big.size = 20 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        clean_evidence_file(big)
    assert caught.value.messages == ["This file is too large: it must be at most 20 MB."]


def test_an_empty_file() -> None:
    assert refusal("empty.pdf", b"").code == "empty"


UNSUPPORTED = (
    "This kind of file cannot be used as evidence. Please upload a PDF, an image (PNG or "
    "JPEG), a text file, or an Office or OpenDocument file."
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00PE\x00\x00"),
        ("photo.png", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("photo.png", b"  <html><script>alert(1)</script></html>"),
        ("badge.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("badge.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("latin1.txt", "Café".encode("latin-1")),
        ("archive.zip", zip_bytes([("readme.txt", b"hello")])),
    ],
    ids=[
        "exe-as-pdf",
        "html-as-png",
        "html-with-space",
        "svg",
        "svg-as-png",
        "latin1",
        "zip",
    ],
)
def test_files_that_are_not_an_allowed_kind(name: str, data: bytes) -> None:
    error = refusal(name, data, "application/pdf")
    assert error.code == "unsupported"
    assert error.messages == [UNSUPPORTED]


def test_a_nul_in_text() -> None:
    assert refusal("notes.txt", b"first line\x00second").code == "nul"
    # Binary files that happen to be valid UTF-8 are refused that way too.
    assert refusal("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").code == "nul"
    assert refusal("photo.gif", image_bytes("GIF")).code == "unsupported"


def test_a_damaged_image() -> None:
    assert refusal("photo.png", image_bytes("PNG")[:40]).code == "damaged"
    assert refusal("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10).code == "damaged"


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    assert refusal("bomb.png", png_header_only(30_000, 30_000)).code == "too_many_pixels"


def test_a_zip_bomb_docx(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOSAICS_MAX_EVIDENCE_BYTES = 100_000
    bomb = docx(("word/media/zeros.bin", b"\x00" * 2_000_000))
    assert len(bomb) < 100_000
    assert refusal("report.docx", bomb).code == "zip_bomb"


def test_a_docx_with_a_member_outside_the_archive() -> None:
    assert refusal("report.docx", docx(("../../evil.sh", b"rm -rf /"))).code == "damaged"
    assert refusal("report.docx", docx(("/etc/cron.d/evil", b"* * *"))).code == "damaged"
    assert refusal("report.docx", docx(("word\\..\\..\\evil", b"x"))).code == "damaged"


def test_a_docx_with_macros() -> None:
    assert refusal("report.docx", docx(("word/vbaProject.bin", b"macro"))).code == "macros"


def test_an_encrypted_docx() -> None:
    data = bytearray(docx())
    # Set the "encrypted" flag of the first part in the central directory.
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    assert refusal("secret.docx", bytes(data)).code == "encrypted"


def test_a_docx_with_too_many_parts() -> None:
    many = docx(*[(f"word/part{n}.xml", b"") for n in range(MAX_ZIP_MEMBERS)])
    assert refusal("report.docx", many).code == "zip_members"


def test_opendocument_with_an_unknown_type() -> None:
    odx = zip_bytes([("mimetype", b"application/x-evil")], stored_first=True)
    assert refusal("file.odt", odx).code == "unsupported"


def test_a_damaged_zip() -> None:
    assert refusal("report.docx", docx()[:60]).code == "damaged"


def patched(data: bytes, *changes: tuple[bytes, int, bytes]) -> bytes:
    """`data` with, after the first `signature`, the bytes at `offset` replaced."""
    out = bytearray(data)
    for signature, offset, value in changes:
        start = out.index(signature) + offset
        out[start : start + len(value)] = value
    return bytes(out)


LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def odt_with_corrupt_mimetype() -> bytes:
    """An OpenDocument file whose deflated `mimetype` part is garbage (zlib.error)."""
    odt = zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.text")])
    return patched(odt, (LOCAL, 30 + len("mimetype"), b"\xff" * 6))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # A directory asking for a ZIP version no reader knows (NotImplementedError).
        ("report.docx", patched(docx(), (CENTRAL, 6, b"\x63"))),
        ("report.odt", odt_with_corrupt_mimetype()),
        # A compression method no reader knows (NotImplementedError on reading).
        (
            "report.odt",
            patched(
                zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.text")]),
                (LOCAL, 8, b"\x63\x00"),
                (CENTRAL, 10, b"\x63\x00"),
            ),
        ),
    ],
    ids=["unsupported-version", "corrupt-deflate", "unknown-method"],
)
def test_a_crafted_archive_is_refused_as_damaged(name: str, data: bytes) -> None:
    assert refusal(name, data).code == "damaged"


def test_a_crafted_archive_uploaded_through_the_page_is_explained(world, client) -> None:  # type: ignore[no-untyped-def]
    version = b.learning_version(world.issuer, competencies=1)
    enrolment = b.enrolment(world.learner, version)
    competency = version.competencies.first()
    client.force_login(world.learner)
    response = client.post(
        reverse(
            "learning:evidence_add",
            kwargs={"slug": enrolment.micro_credential.slug, "competency": competency.pk},
        ),
        {
            "kind": "file",
            "file-file": upload("report.odt", odt_with_corrupt_mimetype()),
            "file-visibility": "private",
        },
    )
    assert response.status_code == 400
    assert "This file could not be read" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert not AuditEntry.objects.filter(action="learning.evidence_add").exists()


# --- the learner's file name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("re\x00po\nrt\r.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("..", ""),
        ("dir/", ""),
        ("  spaced .pdf  ", "spaced .pdf"),
    ],
)
def test_the_original_name_is_cleaned(given: str, kept: str) -> None:
    assert clean_original_name(given) == kept


def test_a_long_name_keeps_its_extension() -> None:
    name = clean_original_name("a" * 300 + ".docx")
    assert len(name) == 200
    assert name.endswith(".docx")


def test_a_name_that_is_nothing_gets_a_plain_one() -> None:
    _content, _type, name, _size = clean_evidence_file(upload("\u202e\x07", PDF))
    assert name == "evidence.pdf"


# --- stored where it should be ------------------------------------------------------------


@pytest.mark.parametrize("given", ["../../etc/passwd.pdf", "..\\..\\evil.pdf"])
def test_a_hostile_name_is_stored_under_a_random_name_in_media_evidence(
    world, settings, given: str
) -> None:  # type: ignore[no-untyped-def]
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    draft = b.demonstration(enrolment, version.competencies.first(), submitted=False)
    item = evidence_add(
        actor=world.learner,
        demonstration=draft,
        kind=EvidenceItem.Kind.FILE,
        upload=upload(given, PDF),
        visibility="private",
    )
    root = (Path(settings.MEDIA_ROOT) / "evidence").resolve()
    stored = Path(item.file.path).resolve()
    assert stored.is_relative_to(root)
    assert stored.read_bytes() == PDF
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.name)
    assert "passwd" not in item.file.name
    assert "evil" not in item.file.name
    assert item.file_name == given.replace("\\", "/").rsplit("/", 1)[-1]
    assert item.title == item.file_name
    assert (item.content_type, item.size) == ("application/pdf", len(PDF))
    assert AuditEntry.objects.filter(action="learning.evidence_add").count() == 1
