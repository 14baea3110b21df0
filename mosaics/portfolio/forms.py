"""Forms of the mosaic's collections. Badge choices are limited to the learner's own, so a
forged id (someone else's, unknown, or beyond 64 bits) is an invalid choice, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.core.forms import ModelMultipleChoiceField
from mosaics.portfolio.actions import MAX_DESCRIPTION, MAX_NAME, in_collection_awards
from mosaics.portfolio.models import ExternalBadge


class CollectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the collection's public page when you share it."),
    )


class _BadgeChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, ExternalBadge):
            return f"{obj.title or obj.uuid} ({_('external')})"
        return str(obj.title)


class BadgesForm(forms.Form):
    """Badges to add to (or take out of) a collection: the learner's own only."""

    awards = _BadgeChoice(
        label=_("Badges"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    external_badges = _BadgeChoice(
        label=_("Imported badges"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["awards"].queryset = in_collection_awards(user).select_related(  # type: ignore[attr-defined]
            "version", "pathway"
        )
        self.fields["external_badges"].queryset = ExternalBadge.objects.filter(  # type: ignore[attr-defined]
            owner=user, verified=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("awards") and not data.get("external_badges") and not self.errors:
            raise forms.ValidationError(_("Choose at least one badge."))
        return data
