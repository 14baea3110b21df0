"""Forms of the demonstration page: the draft (narrative and setting) and the three ways to
add evidence. They parse and explain bad input; `actions.demonstration` decides and does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.learning.actions._common import MAX_SHORT, MAX_TEXT
from mosaics.learning.actions.demonstration import (
    MAX_URL,
    eligible_awards,
    eligible_external_badges,
)
from mosaics.learning.models import EvidenceItem, SettingKind
from mosaics.learning.uploads import ACCEPT


class DescribedBoundField(forms.BoundField):
    """Ties a control to its help text and its errors (aria-describedby), so screen readers
    announce why the input was refused."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}_helptext")
        if self.form.is_bound and self.errors:
            ids.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if ids and self.auto_id:
            attrs["aria-describedby"] = " ".join(ids)
        return attrs


class _Form(forms.Form):
    bound_field_class = DescribedBoundField


class DemonstrationForm(_Form):
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "How you applied the theory: what you did, in what situation, and what it shows. "
            "You can use Markdown."
        ),
    )
    setting_organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=MAX_SHORT,
        help_text=_("The workplace, community group or project where you did this work."),
    )
    setting_role = forms.CharField(label=_("Your role"), required=False, max_length=MAX_SHORT)
    setting_kind = forms.ChoiceField(
        label=_("Kind of setting"),
        required=False,
        choices=[("", _("Choose…")), *SettingKind.choices],
    )
    setting_start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    setting_end = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty if you are still there."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("setting_start"), data.get("setting_end")
        if start and end and end < start:
            self.add_error(
                "setting_end", _("The date you finished is before the date you started.")
            )
        return data


VISIBILITY_HELP = _(
    "“In the credential” means anyone you show your badge to can see it; “on my public "
    "badge page” also shows it to anyone who visits the page once you share it."
)


def _visibility() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Who may see it"),
        choices=EvidenceItem.Visibility.choices,
        initial=EvidenceItem.Visibility.PRIVATE,
        help_text=VISIBILITY_HELP,
    )


def _title(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Title"),
        required=required,
        max_length=MAX_SHORT,
        help_text="" if required else _("If you leave it empty, the name is used."),
    )


def _description() -> forms.CharField:
    return forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this shows about the competency."),
    )


class EvidenceFileForm(_Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Please choose a file to upload."),
            "empty": _("This file is empty."),
        },
    )
    title = _title(False)
    description = _description()
    visibility = _visibility()

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text


class EvidenceLinkForm(_Form):
    url = forms.CharField(
        label=_("Web address"),
        max_length=MAX_URL,
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        help_text=_("An address that starts with https:// — a report, a video, a repository."),
        error_messages={"required": _("Please give the web address.")},
    )
    title = _title(True)
    description = _description()
    visibility = _visibility()


class EvidenceBadgeForm(_Form):
    badge = forms.ChoiceField(
        label=_("Badge"),
        help_text=_(
            "Badges in your mosaic that are still valid, and imported badges that were verified."
        ),
        error_messages={"invalid_choice": _("Please choose one of your badges.")},
    )
    title = _title(False)
    description = _description()
    visibility = _visibility()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.awards = {str(a.uuid): a for a in eligible_awards(user)}
        self.externals = {str(b.uuid): b for b in eligible_external_badges(user)}
        choices: list[tuple[str, str]] = [
            (f"award:{key}", str(award.title)) for key, award in self.awards.items()
        ]
        choices += [
            (f"external:{key}", f"{badge.title or key} ({_('imported')})")
            for key, badge in self.externals.items()
        ]
        self.fields["badge"].choices = [("", _("Choose a badge…")), *choices]  # type: ignore[attr-defined]

    @property
    def has_choices(self) -> bool:
        return bool(self.awards or self.externals)

    def chosen(self) -> tuple[Any, Any]:
        """(award, external badge) the valid form chose."""
        kind, _sep, key = self.cleaned_data["badge"].partition(":")
        if kind == "award":
            return self.awards[key], None
        return None, self.externals[key]
