"""Evidence files, checked before anything stores or serves them.

What a file *is* is decided by its bytes, never by its name or the content type the browser
sent: a PDF, a PNG or JPEG image, UTF-8 text (plain, CSV, Markdown), an Office Open XML
document (docx, xlsx, pptx) or an OpenDocument file. Anything else is refused, and so are
files that only pretend (an HTML page renamed `.png`, a program renamed `.pdf`).

Images are decoded and re-encoded, so what is stored holds the pixels only: no EXIF (a phone
photo's GPS position, the camera's serial number), no text chunks, nothing appended. The
photo is turned upright first, as its EXIF orientation said. Office and OpenDocument files
are ZIP archives: their directory is read (never extracted) and refused when it is encrypted,
holds too many parts, would unpack to far more than the size limit (a "zip bomb"), names a
part outside the archive (`/etc/...`, `../..`), or carries macros.

The learner's own file name is kept only to show and to name downloads: cleaned, and never
used to store the file, which gets a fresh random name. Every refusal is a `ValidationError`
in plain words.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import warnings
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from mosaics.core.uploads import read_upload

__all__ = [
    "ACCEPT",
    "INLINE_TYPES",
    "MAX_NAME",
    "MAX_PIXELS",
    "MAX_ZIP_MEMBERS",
    "clean_evidence_file",
    "clean_original_name",
    "max_evidence_bytes",
    "size_words",
]

#: The `accept` hint of the upload field (a hint only: the bytes decide).
ACCEPT = (
    ".pdf,.png,.jpg,.jpeg,.txt,.csv,.md,.docx,.xlsx,.pptx,.odt,.ods,.odp,.odg,"
    "application/pdf,image/png,image/jpeg,text/plain,text/csv,text/markdown"
)
#: Types a browser may show in the page rather than download (with a sandbox policy).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})

MAX_NAME = 200
#: A 12-megapixel photo is 12 million; 40 million leaves room for any camera's JPEG while a
#: decoded image stays within a few hundred megabytes of memory.
MAX_PIXELS = 40_000_000
MAX_ZIP_MEMBERS = 1000
#: An archive may unpack to at most this many times the upload limit.
ZIP_EXPANSION = 10

PDF_SIGNATURE = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"

#: Office Open XML: the main part that tells a document, a workbook and a presentation apart.
OOXML_MAIN_PARTS = (
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
)
ODF_PREFIX = "application/vnd.oasis.opendocument."
ODF_EXTENSIONS = {
    "text": "odt",
    "spreadsheet": "ods",
    "presentation": "odp",
    "graphics": "odg",
    "chart": "odc",
    "formula": "odf",
    "text-master": "odm",
    "text-template": "ott",
    "spreadsheet-template": "ots",
    "presentation-template": "otp",
    "graphics-template": "otg",
}
#: Text whose name says what kind it is; the bytes have already shown it is text.
TEXT_TYPES = {"csv": "text/csv", "md": "text/markdown", "markdown": "text/markdown"}
# A document that starts as markup (HTML, SVG, XML) is not plain text.
MARKUP_START = re.compile(r"<[!?A-Za-z]")
# Control, format (bidi overrides that disguise `gpj.exe` as `exe.jpg`), surrogate and
# private-use characters, and line and paragraph separators.
UNSAFE_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def max_evidence_bytes() -> int:
    return int(settings.MOSAICS_MAX_EVIDENCE_BYTES)


def size_words(limit: int) -> str:
    """`20 MB` for 20 MiB: the limit as people say it (a whole number when it is one)."""
    megabyte, kilobyte = 1024 * 1024, 1024
    if limit >= megabyte and limit % megabyte == 0:
        return _("%(count)d MB") % {"count": limit // megabyte}
    if limit >= kilobyte and limit % kilobyte == 0:
        return _("%(count)d KB") % {"count": limit // kilobyte}
    return str(filesizeformat(limit))


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _unsupported() -> ValidationError:
    return _refuse(
        _(
            "This kind of file cannot be used as evidence. Please upload a PDF, an image "
            "(PNG or JPEG), a text file, or an Office or OpenDocument file."
        ),
        "unsupported",
    )


def _damaged() -> ValidationError:
    return _refuse(
        _("This file could not be read: it is damaged, or not what its name says it is."),
        "damaged",
    )


def clean_evidence_file(upload: IO[bytes] | Any) -> tuple[ContentFile[bytes], str, str, int]:
    """Check an uploaded evidence file by its bytes. Returns the file to store (under a fresh
    random name; an image re-encoded without its metadata), its content type, the learner's
    own file name cleaned (for display and downloads only) and the stored size. Raises
    ValidationError saying what is wrong."""
    limit = max_evidence_bytes()
    data = read_upload(
        upload,
        limit,
        too_large=_("This file is too large: it must be at most %(limit)s.")
        % {"limit": size_words(limit)},
        empty=_("This file is empty."),
    )

    original = clean_original_name(getattr(upload, "name", ""))
    if data.startswith(PDF_SIGNATURE):
        content, content_type, extension = data, "application/pdf", "pdf"
    elif data.startswith(PNG_SIGNATURE):
        content, content_type, extension = _clean_image(data, "PNG"), "image/png", "png"
    elif data.startswith(JPEG_SIGNATURE):
        content, content_type, extension = _clean_image(data, "JPEG"), "image/jpeg", "jpg"
    elif data.startswith(ZIP_SIGNATURE):
        content = data
        content_type, extension = _check_document(data, limit)
    else:
        _check_text(data)
        content = data
        extension = _text_extension(original)
        content_type = TEXT_TYPES.get(extension, "text/plain")
    if not original:
        original = f"evidence.{extension}"
    return (
        ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}"),
        content_type,
        original,
        len(content),
    )


def clean_original_name(name: Any) -> str:
    """The last part of `name` (after any `/` or `\\`), without control or format
    characters, at most MAX_NAME characters (keeping its extension); "" if nothing is left."""
    value = re.split(r"[/\\]", str(name or ""))[-1]
    value = "".join(ch for ch in value if unicodedata.category(ch) not in UNSAFE_NAME_CATEGORIES)
    value = value.strip()
    if value in ("", ".", ".."):
        return ""
    if len(value) > MAX_NAME:
        stem, dot, extension = value.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            value = f"{stem[: MAX_NAME - len(extension) - 1].rstrip()}.{extension}"
        else:
            value = value[:MAX_NAME].rstrip()
    return value


# --- images ------------------------------------------------------------------------------


def _clean_image(data: bytes, expected: str) -> bytes:
    formats = ("JPEG", "MPO") if expected == "JPEG" else (expected,)
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses; a decompression bomb is refused either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in formats:
                    raise _unsupported()
                _check_pixels(probe.size)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                _check_pixels(image.size)
                image.load()
                return _reencode(image, expected)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Pillow reports truncated or corrupt data with any of these.
        raise _damaged() from None


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _(
            "This image has too many pixels (at most %(millions)d million). Please make it "
            "smaller and upload it again."
        )
        % {"millions": MAX_PIXELS // 1_000_000},
        "too_many_pixels",
    )


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise _damaged()
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()


def _reencode(image: Image.Image, kind: str) -> bytes:
    """A fresh encoding of the pixels only: no EXIF (GPS included), no text chunks, no ICC
    profile, nothing appended. A photo is turned upright first, since its orientation tag
    goes with the rest of the EXIF."""
    image = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    if kind == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG")
    else:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    return out.getvalue()


# --- Office and OpenDocument -------------------------------------------------------------


def _unsafe_member(name: str) -> bool:
    """A part named as an absolute path (`/x`, `\\x`, `C:x`) or one that climbs out (`..`)."""
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def _check_document(data: bytes, limit: int) -> tuple[str, str]:
    """(content type, extension) of an Office Open XML or OpenDocument file, after checking
    its ZIP directory; refused otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError (a version or method it cannot read), ...
        raise _damaged() from None
    if not members:
        raise _unsupported()
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(
            _("This document has too many parts (at most %(count)d).") % {"count": MAX_ZIP_MEMBERS},
            "zip_members",
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise _refuse(
                _(
                    "This document is protected with a password. Please remove the password "
                    "and upload it again."
                ),
                "encrypted",
            )
        if _unsafe_member(member.filename):
            raise _damaged()
        total += member.file_size
        if total > ZIP_EXPANSION * limit:
            raise _refuse(
                _(
                    "This document would unpack to far more than its size allows: it cannot "
                    "be used as evidence."
                ),
                "zip_bomb",
            )
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse(
            _(
                "Documents with macros cannot be used as evidence. Please save it without "
                "macros (as .docx, .xlsx or .pptx) and upload it again."
            ),
            "macros",
        )
    if members[0].filename == "mimetype":
        return _odf_type(archive, members[0])
    if "[Content_Types].xml" in names:
        for part, content_type, extension in OOXML_MAIN_PARTS:
            if part in names:
                return content_type, extension
    raise _unsupported()


def _odf_type(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[str, str]:
    """The OpenDocument type its first part, `mimetype`, declares."""
    if member.file_size > 200:
        raise _unsupported()
    try:
        with archive.open(member) as handle:
            declared = handle.read(201).decode("ascii").strip()
    except Exception:  # a crafted archive: zlib.error, NotImplementedError, RuntimeError, ...
        raise _damaged() from None
    if not declared.startswith(ODF_PREFIX):
        raise _unsupported()
    extension = ODF_EXTENSIONS.get(declared[len(ODF_PREFIX) :])
    if extension is None:
        raise _unsupported()
    return declared, extension


# --- text --------------------------------------------------------------------------------


def _check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _unsupported() from None
    if "\x00" in text:
        raise _refuse(
            _(
                "This file holds characters that text files do not (NUL): it looks like a "
                "program or another kind of file. Text must be saved as plain UTF-8."
            ),
            "nul",
        )
    if MARKUP_START.match(text.lstrip("\ufeff \t\r\n")):
        # Web pages, SVG and XML: not plain text, and not something we serve.
        raise _unsupported()


def _text_extension(original: str) -> str:
    _stem, dot, extension = original.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension == "markdown":
        return "md"
    return extension if extension in TEXT_TYPES else "txt"
