"""Forms for authoring a design. They parse and explain bad input in plain words; the
workflows in `actions.design` do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from mosaics.catalogue.actions.design import (
    EDITABLE_FIELDS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    RESERVED_SLUGS,
    goals_available,
    normalise_tags,
)
from mosaics.catalogue.errors import CatalogueError
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    Framework,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
from mosaics.core.forms import ModelMultipleChoiceField
from mosaics.core.uploads import MAX_DIMENSION, clean_image, max_image_bytes
from mosaics.organisations.forms import IssuerChoiceField
from mosaics.organisations.models import InstitutionalGoal, Issuer


class DescribedBoundField(forms.BoundField):
    """Ties a control to its help text and its error messages (aria-describedby), so screen
    readers announce why the input was refused."""

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


class DesignForm(forms.Form):
    """Rendered by catalogue/_design_form_fields.html (included, with `form`)."""

    bound_field_class = DescribedBoundField


class DesignModelForm(forms.ModelForm):  # type: ignore[type-arg]
    bound_field_class = DescribedBoundField


class MicroCredentialCreateForm(DesignForm):
    issuer = IssuerChoiceField(
        label=_("Issued by"),
        queryset=Issuer.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the issuers you design for.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the micro-credential a title.")},
    )
    slug = forms.SlugField(
        label=_("Address (optional)"),
        max_length=80,
        required=False,
        help_text=_(
            "The last part of its web address: lowercase letters, numbers and hyphens. "
            "Leave empty to make one from the title."
        ),
        error_messages={
            "invalid": _("The address may only contain lowercase letters, numbers and hyphens.")
        },
    )

    def __init__(self, *args: Any, issuers: QuerySet[Issuer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data.get("slug") or "").strip().lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("The address “%(slug)s” is reserved; please choose another."),
                params={"slug": slug},
            )
        return slug


class TagsField(forms.CharField):
    """Tags typed as a comma-separated list; cleaned to the stored list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        try:
            return normalise_tags(text or "")
        except CatalogueError as error:
            raise ValidationError(str(error)) from None


class VersionForm(DesignModelForm):
    """The version's own fields, on their own page."""

    tags = TagsField(
        label=_("Tags"),
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=_("Separate tags with commas: at most 20, each at most 40 characters."),
    )

    class Meta:
        model = Version
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "criteria": forms.Textarea(attrs={"rows": 5}),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "summary": _("One or two sentences, shown in the catalogue."),
            "human_code": _("The institution's own code for it, if any (humanCode)."),
            "credits_available": _("Academic credits a learner earns with it, if any."),
        }
        error_messages = {
            "title": {"required": _("Give the micro-credential a title.")},
            "estimated_hours": {"invalid": _("Enter the estimated hours as a whole number.")},
            "validity_months": {"invalid": _("Enter the number of months as a whole number.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].initial = self.instance.tags

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data.get("title") or "").split())
        if not title:
            raise ValidationError(_("Give the micro-credential a title."))
        return title

    def clean_estimated_hours(self) -> int | None:
        hours = self.cleaned_data.get("estimated_hours")
        if hours is not None and not 1 <= hours <= 2000:
            raise ValidationError(_("Estimated hours must be between 1 and 2000."))
        return hours

    def clean_validity_months(self) -> int | None:
        months = self.cleaned_data.get("validity_months")
        if months is not None and not 1 <= months <= 600:
            raise ValidationError(_("Awards can be valid for 1 to 600 months, or leave it empty."))
        return months

    def clean_credits_available(self) -> Any:
        credits = self.cleaned_data.get("credits_available")
        if credits is not None and credits < 0:
            raise ValidationError(_("Credits cannot be negative."))
        return credits

    def changed_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ImageForm(DesignForm):
    image = forms.FileField(
        label=_("Image file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
    )
    alt = forms.CharField(
        label=_("Text alternative"),
        max_length=300,
        required=False,
        help_text=_("Describe the image for people who cannot see it."),
    )

    def __init__(self, *args: Any, version: Version, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"alt": version.image_alt})
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["image"].help_text = _(
            "A PNG, JPEG or SVG image, at most %(size)s and %(pixels)d pixels a side."
        ) % {"size": filesizeformat(max_image_bytes()), "pixels": MAX_DIMENSION}
        self.cleaned_image: ContentFile[bytes] | None = None

    def clean_image(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        content, _content_type = clean_image(upload)
        self.cleaned_image = content
        return content

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        alt = " ".join(str(data.get("alt") or "").split())
        data["alt"] = alt
        has_image = bool(data.get("image")) or bool(self.version.image)
        if "image" not in self.errors:
            if not has_image:
                self.add_error("image", _("Choose an image to upload."))
            elif not alt:
                self.add_error(
                    "alt",
                    _(
                        "Describe the image in its text alternative: people who cannot see it "
                        "need it."
                    ),
                )
        return data


class GoalsForm(DesignForm):
    goals = ModelMultipleChoiceField(
        label=_("Institutional goals this design serves"),
        queryset=InstitutionalGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose only goals your institution offers for new designs."),
            "invalid_pk_value": _("Choose only goals your institution offers for new designs."),
        },
    )

    def __init__(self, *args: Any, version: Version, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"goals": list(version.goals.values_list("pk", flat=True))})
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = goals_available(version)  # type: ignore[attr-defined]


class CompetencyForm(DesignModelForm):
    class Meta:
        model = Competency
        fields = ["statement", "demonstration"]
        widgets = {"demonstration": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "statement": {"required": _("Write the competency statement.")},
        }

    def clean_statement(self) -> str:
        statement = " ".join(str(self.cleaned_data.get("statement") or "").split())
        if not statement:
            raise ValidationError(_("Write the competency statement."))
        return statement


class RubricLevelForm(DesignModelForm):
    class Meta:
        model = RubricLevel
        fields = ["name", "description", "points"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "name": {"required": _("Name the level (for example “Proficient”).")},
            "points": {"invalid": _("Enter the points as a whole number, or leave it empty.")},
        }

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError(_("Name the level (for example “Proficient”)."))
        return name


class PassingLevelForm(DesignForm):
    level = forms.ModelChoiceField(
        label=_("Level that passes"),
        queryset=RubricLevel.objects.none(),
        required=False,
        empty_label=_("Not chosen yet"),
        error_messages={"invalid_choice": _("Choose one of this competency's levels.")},
    )

    def __init__(self, *args: Any, competency: Competency, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"level": competency.passing_level_id})
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = competency.levels.all()  # type: ignore[attr-defined]


class AlignmentForm(DesignModelForm):
    target_url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The web address of the skill in the framework (http or https)."),
        error_messages={
            "required": _("Give the web address of the skill in the framework."),
            "invalid": _("Enter a web address starting with http:// or https://."),
        },
    )

    class Meta:
        model = Alignment
        fields = [
            "framework",
            "framework_name",
            "target_name",
            "target_url",
            "target_code",
            "target_description",
        ]
        widgets = {"target_description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "framework": {"invalid_choice": _("Choose a framework from the list.")},
            "target_name": {"required": _("Name the skill or competency in the framework.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = Framework.choices  # type: ignore[attr-defined]

    def clean_target_url(self) -> str:
        url = str(self.cleaned_data.get("target_url") or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter a web address starting with http:// or https://."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("framework") == Framework.OTHER
            and not str(data.get("framework_name") or "").strip()
        ):
            self.add_error("framework_name", _("Name the framework."))
        return data


class ReflectionPromptForm(DesignModelForm):
    class Meta:
        model = ReflectionPrompt
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": _("Write the reflection prompt.")}}

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text") or "").strip()
        if not text:
            raise ValidationError(_("Write the reflection prompt."))
        return text


class MoveForm(DesignForm):
    direction = forms.ChoiceField(
        choices=[("up", _("Move up")), ("down", _("Move down"))],
        error_messages={"invalid_choice": _("Choose to move it up or down.")},
    )
