from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    """A new issuer API token: its name, and whether it signs as the issuer's did:web or as a
    dedicated did:key."""

    DID_WEB = "did_web"
    DID_KEY = "did_key"

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("So you can tell your tokens apart, for example the program that uses it."),
        error_messages={"required": _("Give the token a name, so you can tell it apart.")},
    )
    signs_as = forms.ChoiceField(
        label=_("Credentials issued with this token are signed"),
        choices=[
            (DID_WEB, _("as the issuer (its did:web identifier and active key)")),
            (
                DID_KEY,
                _(
                    "as a dedicated did:key made for this token and held by the issuer (for "
                    "test suites and tools that need a did:key issuer)"
                ),
            ),
        ],
        initial=DID_WEB,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how credentials are signed.")},
    )
