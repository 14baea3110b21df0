from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.accounts.did import MAX_RESPONSE


class DidBindForm(forms.Form):
    response = forms.CharField(
        label=_("The signed challenge"),
        help_text=_("Paste the whole output of the command: a JWT, or a signed JSON document."),
        max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
