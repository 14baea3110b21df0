"""The import form: a badge file, or the badge pasted as text (JSON or a JWT) — one of them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.portfolio import imports


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Badge file"),
        required=False,
        help_text=_(
            "An Open Badges 2.0 or 3.0 file (JSON or JWT), a CLR 2.0 file, or a baked badge "
            "image (PNG or SVG)."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the badge"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("The badge's JSON, or its JWT (three parts separated by dots)."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if self.errors:
            return cleaned
        if upload and text.strip():
            raise forms.ValidationError(
                _("Give either a file or pasted text, not both."), code="both"
            )
        if not upload and not text.strip():
            raise forms.ValidationError(
                _("Choose a badge file, or paste the badge as text."), code="none"
            )
        limit = imports.max_import_bytes()
        size = upload.size if upload else len(text.encode("utf-8"))
        if size is not None and size > limit:
            self.add_error(
                "file" if upload else "text",
                forms.ValidationError(
                    _("This is too large to be a badge: the limit is %(size)s.")
                    % {"size": imports.human_size(limit)},
                    code="too_large",
                ),
            )
        return cleaned

    def payload(self) -> tuple[bytes, str]:
        """(the bytes to import, the file name or "")."""
        upload = self.cleaned_data.get("file")
        if upload:
            return b"".join(upload.chunks()), str(upload.name or "")[:200]
        return str(self.cleaned_data.get("text") or "").encode("utf-8"), ""


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)
