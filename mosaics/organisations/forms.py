"""Forms for the staff pages. They parse and validate input; the actions do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.organisations.models import (
    ROLES_BY_KIND,
    InstitutionalGoal,
    Issuer,
    Organisation,
    Role,
)


def _url_field() -> forms.URLField:
    return forms.URLField(label=_("Web site"), required=False, assume_scheme="https")


class OrganisationForm(forms.ModelForm[Organisation]):
    url = _url_field()

    class Meta:
        model = Organisation
        fields = ["name", "slug", "url", "email", "description", "sector"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens; used in web addresses and cannot be "
                "changed later."
            )
        }


class NewOrganisationForm(OrganisationForm):
    """An institution or partner, created by a platform admin."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Organisation.Kind.INSTITUTION, Organisation.Kind.INSTITUTION.label),
            (Organisation.Kind.PARTNER, Organisation.Kind.PARTNER.label),
        ],
    )

    class Meta(OrganisationForm.Meta):
        fields = ["kind", *OrganisationForm.Meta.fields]


class SchoolForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["name", "slug", "url", "email", "description"]


class OrganisationEditForm(forms.ModelForm[Organisation]):
    url = _url_field()

    class Meta:
        model = Organisation
        fields = ["name", "url", "email", "description", "sector"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IssuerForm(forms.ModelForm[Issuer]):
    url = _url_field()

    class Meta:
        model = Issuer
        fields = ["name", "slug", "url", "email", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens; part of the profile's permanent "
                "address and identifier (DID), so it cannot be changed later."
            )
        }


class IssuerEditForm(forms.ModelForm[Issuer]):
    url = _url_field()

    class Meta:
        model = Issuer
        fields = ["name", "url", "email", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND.get(organisation.kind, ())
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(role.value, role.label) for role in Role if role.value in allowed]


class GoalForm(forms.ModelForm[InstitutionalGoal]):
    class Meta:
        model = InstitutionalGoal
        fields = ["category", "code", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class GoalEditForm(forms.ModelForm[InstitutionalGoal]):
    class Meta:
        model = InstitutionalGoal
        fields = ["category", "code", "title", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IssuerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Chooses an issuer profile; names its school or faculty too, since two profiles of one
    institution often carry the institution's name."""

    def label_from_instance(self, obj: Any) -> str:
        organisation = obj.organisation
        if organisation.name and organisation.name != obj.name:
            return f"{obj.name} — {organisation.name}"
        return str(obj.name)
