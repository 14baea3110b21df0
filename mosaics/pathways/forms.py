"""Forms of the pathway builder. They only parse and explain; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from mosaics.catalogue.models import MicroCredential, Version
from mosaics.core.uploads import clean_image
from mosaics.organisations.forms import IssuerChoiceField
from mosaics.organisations.models import Issuer
from mosaics.pathways.actions import RESERVED_SLUGS
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem

__all__ = ["GroupForm", "ItemForm", "PathwayCreateForm", "PathwayDetailsForm"]


class PathwayDetailsForm(forms.ModelForm[Pathway]):
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("PNG, JPEG or SVG."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
    )
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

    class Meta:
        model = Pathway
        fields = [
            "title",
            "summary",
            "description",
            "criteria",
            "achievement_type",
            "image_alt",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "criteria": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": _("One sentence shown in lists."),
            "criteria": _(
                "Markdown. The rule below is added to it in plain words on the public page "
                "and in the credential."
            ),
            "image_alt": _("Required when there is an image: what it shows."),
        }

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        content, _content_type = clean_image(upload)
        return content

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_image = bool(cleaned.get("image")) or (
            bool(self.instance.image) and not cleaned.get("remove_image")
        )
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned

    def _post_clean(self) -> None:
        # The action saves; never touch the instance here (a refused change leaves it as it was).
        pass


class PathwayCreateForm(PathwayDetailsForm):
    issuer = IssuerChoiceField(
        label=_("Issued by"), queryset=Issuer.objects.none(), empty_label=None
    )
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_(
            "Part of the pathway's public web address. Leave empty to make one from the title."
        ),
    )

    class Meta(PathwayDetailsForm.Meta):
        fields = ["issuer", "title", "slug", *PathwayDetailsForm.Meta.fields[1:]]

    def __init__(self, *args: Any, issuers: QuerySet[Issuer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]
        del self.fields["remove_image"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved. Choose another."))
        if slug and Pathway.objects.filter(slug=slug).exists():
            raise ValidationError(_("Another pathway already uses this address."))
        return slug


class GroupForm(forms.Form):
    title = forms.CharField(
        label=_("Group name (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example “Core” or “Electives”."),
    )
    rule = forms.ChoiceField(
        label=_("Rule"),
        choices=[
            (RuleGroup.Rule.ALL, _("All of its requirements")),
            (RuleGroup.Rule.AT_LEAST, _("At least a number of them")),
        ],
        initial=RuleGroup.Rule.ALL,
    )
    minimum = forms.IntegerField(
        label=_("How many (for “at least”)"),
        min_value=1,
        max_value=100,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_number = cleaned.get("rule") == RuleGroup.Rule.AT_LEAST
        if wants_number and not cleaned.get("minimum") and "minimum" not in self.errors:
            self.add_error("minimum", _("Say how many requirements are needed."))
        if cleaned.get("rule") == RuleGroup.Rule.ALL:
            cleaned["minimum"] = None
        return cleaned


def offered_micro_credentials(pathway: Pathway) -> QuerySet[MicroCredential]:
    """Published micro-credentials of the pathway's institution, by title."""
    organisation = pathway.issuer.organisation
    institution = organisation.institution or organisation
    published = Version.objects.filter(
        micro_credential=OuterRef("pk"), state=Version.State.PUBLISHED
    )
    return (
        MicroCredential.objects.filter(
            Q(issuer__organisation=institution) | Q(issuer__organisation__parent=institution)
        )
        .annotate(published_title=Subquery(published.values("title")[:1]))
        .filter(published_title__isnull=False)
        .order_by("published_title", "slug")
    )


class _CredentialChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "published_title", None) or obj)


class ItemForm(forms.Form):
    micro_credential = _CredentialChoice(
        label=_("Micro-credential"),
        queryset=MicroCredential.objects.none(),
        empty_label=_("Choose a published micro-credential"),
        error_messages={
            "invalid_choice": _("Choose a published micro-credential of this institution.")
        },
    )

    def __init__(self, *args: Any, pathway: Pathway, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["micro_credential"]
        assert isinstance(field, forms.ModelChoiceField)
        # What the pathway already requires is not offered again (the action refuses it too).
        field.queryset = offered_micro_credentials(pathway).exclude(
            pk__in=RuleItem.objects.filter(group__pathway=pathway).values("micro_credential")
        )
