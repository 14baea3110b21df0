"""Forms of the endorsement workflows. They parse and explain; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.endorsements.actions import (
    MAX_TEXT_LENGTH,
    MAX_VALID_MONTHS,
    MIN_VALID_MONTHS,
    EndorsementRefused,
    partners_with_endorser_profile,
)
from mosaics.organisations.models import Organisation


def _text_field(
    label: Any, *, required: bool, help_text: Any = "", rows: int = 5
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": _("Please fill in this field."),
            "max_length": _(
                "Please keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )


def _months_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=MIN_VALID_MONTHS,
        max_value=MAX_VALID_MONTHS,
        initial=24,
        help_text=_("From %(min)d to %(max)d months; you can renew it before it expires.")
        % {"min": MIN_VALID_MONTHS, "max": MAX_VALID_MONTHS},
        error_messages={
            "required": _("Please say for how many months the endorsement is valid."),
            "invalid": _("Please enter a whole number of months."),
            "min_value": _("An endorsement is valid for at least %(limit_value)s month."),
            "max_value": _("An endorsement is valid for at most %(limit_value)s months."),
        },
    )


class RefusalMixin:
    """Show an `EndorsementRefused` on the field it is about (or on the form)."""

    def add_refusal(self, error: EndorsementRefused) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, str(error))  # type: ignore[attr-defined]


class RequestSendForm(RefusalMixin, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Industry partner"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose a partner"),
        error_messages={
            "required": _("Please choose the partner to invite."),
            "invalid_choice": _("Please choose one of the partners listed."),
        },
    )
    message = _text_field(
        _("Message to the partner"),
        required=False,
        help_text=_("Optional. What you would like them to look at, and by when."),
        rows=4,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners_with_endorser_profile()  # type: ignore[attr-defined]


class CommentForm(RefusalMixin, forms.Form):
    body = _text_field(_("Your comment or question"), required=True, rows=4)


def _digest_field() -> forms.CharField:
    """The content digest of the design the page showed (hidden; see `_require_read`)."""
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class EndorseForm(RefusalMixin, forms.Form):
    statement = _text_field(
        _("Endorsement statement"),
        required=True,
        help_text=_(
            "Why your organisation endorses this micro-credential. It is published with the "
            "endorsement and signed into the credential."
        ),
    )
    valid_months = _months_field()
    content_digest = _digest_field()


class DeclineForm(RefusalMixin, forms.Form):
    reason = _text_field(
        _("Why you decline"), required=True, help_text=_("The institution will see this."), rows=3
    )


class RenewForm(RefusalMixin, forms.Form):
    statement = _text_field(
        _("Endorsement statement"),
        required=False,
        help_text=_("Leave it as it is to keep the current statement."),
    )
    valid_months = _months_field()
    content_digest = _digest_field()


class WithdrawForm(RefusalMixin, forms.Form):
    reason = _text_field(
        _("Why you withdraw the endorsement"),
        required=True,
        help_text=_("Published with the withdrawal, and sent to the institution."),
        rows=3,
    )
