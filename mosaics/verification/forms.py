"""The verification page's form: paste, upload or link — one of the three."""

from __future__ import annotations

import re
from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.vc import limits

__all__ = ["MAX_PASTE", "MAX_UPLOAD", "VerifyForm"]

MAX_PASTE: Final = limits.MAX_JSON_BYTES
"""Most characters a pasted badge may have (4 MB, the credential core's JSON limit)."""
MAX_UPLOAD: Final = 5 * 1024 * 1024
"""Largest badge file accepted (5 MB: badge images are far smaller)."""

_EXTENSIONS: Final = (".json", ".jsonld", ".jwt", ".txt", ".png", ".svg")
_JWS: Final = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class VerifyForm(forms.Form):
    METHODS: Final = (("paste", _("Paste")), ("upload", _("Upload")), ("url", _("Link")))

    method = forms.ChoiceField(choices=METHODS, widget=forms.HiddenInput, initial="paste")
    text = forms.CharField(
        label=_("The badge (JSON or JWT)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        required=False,
        strip=False,
        max_length=MAX_PASTE,
        help_text=_("Paste the badge's JSON or its JWT (the text starting with “ey…”)."),
    )
    file = forms.FileField(
        label=_("Badge file"),
        required=False,
        help_text=_("A JSON or JWT file, or a badge image (PNG or SVG), up to 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonld,.jwt,.txt,.png,.svg,application/json,image/*"}
        ),
    )
    url = forms.CharField(
        label=_("Link to a badge"),
        required=False,
        max_length=2000,
        help_text=_("An https:// address where the badge (or its OB 2.0 assertion) is published."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method") or "paste"
        data["method"] = method
        if method == "paste":
            text = data.get("text") or ""
            if not text.strip():
                self.add_error("text", _("Paste a badge's JSON or JWT to verify it."))
            else:
                data["payload"] = text
        elif method == "upload":
            upload = data.get("file")
            if upload is None:
                self.add_error("file", _("Choose a badge file to verify."))
            else:
                payload = self._read(upload)
                if payload is not None:
                    data["payload"] = payload
        else:
            url = (data.get("url") or "").strip()
            if not url:
                self.add_error("url", _("Give the link (https://…) of a badge to verify it."))
            data["url"] = url
        return data

    def _read(self, upload: Any) -> bytes | None:
        size = getattr(upload, "size", 0) or 0
        if size > MAX_UPLOAD:
            self.add_error(
                "file",
                _("This file is %(size)s MB; a badge file can be at most 5 MB.")
                % {"size": f"{size / (1024 * 1024):.1f}"},
            )
            return None
        if size == 0:
            self.add_error("file", _("This file is empty."))
            return None
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            self.add_error("file", _("This file is larger than 5 MB."))
            return None
        name = str(getattr(upload, "name", "") or "").lower()
        head = raw[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
        looks_like_badge = (
            raw.startswith(b"\x89PNG\r\n\x1a\n")
            or head.startswith((b"{", b"<"))
            or bool(_JWS.fullmatch(raw.strip()[:MAX_UPLOAD]))
        )
        if not looks_like_badge or (name and "." in name and not name.endswith(_EXTENSIONS)):
            self.add_error(
                "file",
                _(
                    "This is not a badge file: upload a JSON or JWT file, or a badge image "
                    "(PNG or SVG)."
                ),
            )
            return None
        return bytes(raw)
