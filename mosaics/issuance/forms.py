from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class KeyRotateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: the current key will be retired and a new key will sign from now on."
        ),
        error_messages={
            "required": _("Tick the box to confirm that you want to replace the signing key.")
        },
    )
