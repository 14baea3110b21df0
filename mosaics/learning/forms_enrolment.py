"""Forms of the enrolment pages: the route a learner enrols by, and the enrolment settings
(places and window) staff set. They parse and check input only; the workflows in
`mosaics.learning.actions.enrolment` decide."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.learning.models import Enrolment

#: Far more places than any offering has, and far less than the column holds.
MAX_PLACES = 100_000

#: One sentence for each way of earning a micro-credential (the enrol form and the catalogue).
ROUTE_HELP: dict[str, Any] = {
    Enrolment.Route.STANDARD: _(
        "You learn, then show each competency in an industry or community setting and reflect "
        "on what you learned."
    ),
    Enrolment.Route.PRIOR_LEARNING: _(
        "You already have these skills from work, volunteering or other studies: you show "
        "evidence of them (a portfolio, a badge from elsewhere) without taking the learning."
    ),
}


class EnrolForm(forms.Form):
    route = forms.ChoiceField(
        label=_("How will you earn it?"),
        choices=Enrolment.Route.choices,
        initial=Enrolment.Route.STANDARD,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how you will earn this micro-credential.")},
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _storable(value: datetime | None) -> datetime | None:
    """A moment the database can hold: in UTC too it must fall within the years 1 to 9999
    (31 December 9999 at 23:59 in Toronto is already the year 10000 in UTC)."""
    if value is None:
        return None
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise forms.ValidationError(
            _("This date is too far in the past or the future."), code="out_of_range"
        ) from None
    return value


class EnrolmentSettingsForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=0,
        max_value=MAX_PLACES,
        help_text=_(
            "How many learners may be enrolled at once. Leave empty for no limit; when it is "
            "full, new learners join the waiting list. Nobody enrolled loses their place if you "
            "lower it; if you raise it, the waiting list moves up into the new places."
        ),
    )
    opens = forms.DateTimeField(
        label=_("Enrolment opens"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty to open enrolment as soon as the micro-credential is published."),
    )
    closes = forms.DateTimeField(
        label=_("Enrolment closes"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty to keep enrolment open."),
    )

    def clean_opens(self) -> datetime | None:
        return _storable(self.cleaned_data.get("opens"))

    def clean_closes(self) -> datetime | None:
        return _storable(self.cleaned_data.get("closes"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes", _("Enrolment must close after it opens."))
        return data
