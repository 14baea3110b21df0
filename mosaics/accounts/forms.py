from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mosaics.accounts.actions import MAX_DISPLAY_NAME, MAX_LEGAL_NAME
from mosaics.accounts.did import MAX_RESPONSE


class DidBindForm(forms.Form):
    response = forms.CharField(
        label=_("The signed challenge"),
        help_text=_("Paste the whole output of the command: a JWT, or a signed JSON document."),
        max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )


def _language_choices() -> list[tuple[str, Any]]:
    return [("", _("No preference (your browser's language)")), *settings.LANGUAGES]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        help_text=_("How pages greet you and how staff see you. Leave empty to use your name."),
        max_length=MAX_DISPLAY_NAME,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    legal_name = forms.CharField(
        label=_("Legal name"),
        help_text=_(
            "Your name as it should appear on your credentials. Badges awarded from now on "
            "carry it; badges already awarded are signed and keep the name they were "
            "awarded to."
        ),
        max_length=MAX_LEGAL_NAME,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        help_text=_("The language of the pages and of the e-mails we send you."),
        choices=_language_choices,
        required=False,
    )


#: What a person types to confirm that they mean to delete their account (in the page's
#: language; the English word is accepted too).
CONFIRMATION_WORD = _("DELETE")


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirmation = forms.CharField(
        label=_("Type the word to confirm"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].help_text = _(
            "Type %(word)s (in capital letters or not) to show that you mean it."
        ) % {"word": CONFIRMATION_WORD}

    def clean_confirmation(self) -> str:
        typed = str(self.cleaned_data["confirmation"]).strip().casefold()
        if typed not in {str(CONFIRMATION_WORD).casefold(), "delete"}:
            raise forms.ValidationError(
                _("Type %(word)s to confirm.") % {"word": CONFIRMATION_WORD}, code="confirmation"
            )
        return typed
