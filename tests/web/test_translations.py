"""The French catalogue is kept in step with the English strings, complete and compiled."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "mosaics" / "locale" / "fr" / "LC_MESSAGES"


def _entries(po_text: str) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) for every entry of a .po file (header excluded). An entry with
    a context is keyed "context\\x04msgid", as gettext does. For a plural entry the msgstr is its
    first form, or empty when any form is missing."""

    def text(field: str) -> str:
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', field))

    entries: dict[str, tuple[str, bool]] = {}
    for block in po_text.split("\n\n"):
        fuzzy = "#, fuzzy" in block
        parts = re.split(
            r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) ", block, flags=re.MULTILINE
        )
        fields = dict(zip(parts[1::2], parts[2::2], strict=False))
        if "msgid" not in fields:
            continue
        msgid = text(fields["msgid"])
        if "msgctxt" in fields:  # keyed as gettext keys it: context, EOT, msgid
            msgid = f"{text(fields['msgctxt'])}\x04{msgid}" if msgid else ""
        if "msgstr" in fields:
            msgstr = text(fields["msgstr"])
        else:
            forms = [text(value) for key, value in fields.items() if key.startswith("msgstr[")]
            msgstr = forms[0] if forms and all(forms) else ""
        if msgid:
            entries[msgid] = (msgstr, fuzzy)
    return entries


def test_every_french_string_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries((LOCALE / "django.po").read_text())
    assert entries, "the French catalogue is empty"
    untranslated = [msgid for msgid, (msgstr, _) in entries.items() if not msgstr]
    fuzzy = [msgid for msgid, (_, is_fuzzy) in entries.items() if is_fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file() -> None:
    translations = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    entries = _entries((LOCALE / "django.po").read_text())
    stale = [
        msgid
        for msgid, (msgstr, _) in entries.items()
        if translations.gettext(msgid.encode().decode("unicode_escape").encode("latin-1").decode())
        != msgstr.encode().decode("unicode_escape").encode("latin-1").decode()
    ]
    assert stale == [], "run `make messages` to recompile the French catalogue"


def test_catalogue_holds_every_string_of_the_code_and_templates(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian's gettext) is needed to check the catalogue")
        pytest.skip("xgettext (Debian's gettext) is not installed")
    copy = tmp_path / "mosaics"
    shutil.copytree(ROOT / "mosaics", copy, ignore=shutil.ignore_patterns("vc", "__pycache__"))
    subprocess.run(
        [
            str(Path(os.sys.executable).parent / "django-admin"),
            "makemessages",
            "--locale",
            "fr",
            "--no-obsolete",
            "--add-location",
            "file",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = set(_entries((copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()))
    kept = set(_entries((LOCALE / "django.po").read_text()))
    assert sorted(fresh - kept) == [], "new strings are missing: run `make messages` and translate"
    assert sorted(kept - fresh) == [], "the catalogue has strings no longer used: `make messages`"
