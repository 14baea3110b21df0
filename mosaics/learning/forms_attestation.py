"""Forms of supervisor attestation: the learner's request, and the supervisor's answer. They
only parse; `mosaics.learning.actions.attestation` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.learning.actions._common import MAX_SHORT
from mosaics.learning.actions.attestation import MAX_COMMENT, MAX_EMAIL, MAX_MESSAGE


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AttestationRequestForm(_Form):
    supervisor_name = forms.CharField(
        label=_("Supervisor's name"),
        max_length=MAX_SHORT,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    supervisor_email = forms.EmailField(
        label=_("Supervisor's e-mail"),
        max_length=MAX_EMAIL,
        help_text=_("We send them a link to this demonstration. They need no account."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    supervisor_role = forms.CharField(
        label=_("Supervisor's role"),
        max_length=MAX_SHORT,
        required=False,
        help_text=_("For example: Manager, Volunteer coordinator"),
    )
    message = forms.CharField(
        label=_("Message to the supervisor"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words to remind them of the work you did together."),
    )


class AttestationAnswerForm(_Form):
    CONFIRM = "confirm"
    DISPUTE = "dispute"

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (CONFIRM, _("I confirm that this describes what the learner did")),
            (DISPUTE, _("I do not agree with this description")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you confirm or disagree.")},
    )
    comment = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Optional when you confirm. When you disagree, say what with, so the assessors know."
        ),
    )

    @property
    def confirmed(self) -> bool:
        return self.cleaned_data.get("answer") == self.CONFIRM
