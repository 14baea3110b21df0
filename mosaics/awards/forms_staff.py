"""Forms of the staff side of awards. They only parse and explain; the actions decide.

The direct award is two steps: `ChooseForm` picks what to award (a published micro-credential
version or a published pathway of an issuer the person may award for), then `AwardForm` (with
three `EvidenceForm`s and one rubric select per competency) collects the details.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mosaics.awards.actions import MAX_TEXT
from mosaics.awards.models import Award
from mosaics.catalogue.models import Competency, Version
from mosaics.core.forms import MAX_PK
from mosaics.pathways.models import Pathway

__all__ = [
    "EVIDENCE_ROWS",
    "AwardForm",
    "AwardListFilter",
    "ChooseForm",
    "EvidenceForm",
    "ReasonForm",
    "RevokeForm",
    "choice_value",
    "parse_choice",
]

#: How many evidence rows the award form offers.
EVIDENCE_ROWS = 3


def choice_value(thing: Version | Pathway) -> str:
    """The value of a micro-credential version (`v12`) or a pathway (`p3`) in `ChooseForm`."""
    return f"{'v' if isinstance(thing, Version) else 'p'}{thing.pk}"


def parse_choice(value: Any) -> tuple[str, int] | None:
    """`("version", 12)` or `("pathway", 3)` for a `choice_value`; None for anything else
    (including ids no database could hold)."""
    text = str(value or "").strip()
    kinds = {"v": "version", "p": "pathway"}
    if len(text) < 2 or len(text) > 21 or text[0] not in kinds or not text[1:].isdigit():
        return None
    number = int(text[1:])
    if not 0 < number <= MAX_PK:
        return None
    return kinds[text[0]], number


class ChooseForm(forms.Form):
    """What to award: one of `versions` or `pathways` (grouped by issuer profile)."""

    what = forms.ChoiceField(
        label=_("What to award"),
        error_messages={
            "required": _("Choose a micro-credential or pathway to award."),
            "invalid_choice": _(
                "Choose one of the published micro-credentials or pathways you may award."
            ),
        },
    )

    def __init__(
        self, *args: Any, versions: list[Version], pathways: list[Pathway], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for version in versions:
            issuer = version.micro_credential.issuer.name
            groups.setdefault(issuer, []).append((choice_value(version), version.title))
        for pathway in pathways:
            label = _("%(title)s (pathway)") % {"title": pathway.title}
            groups.setdefault(pathway.issuer.name, []).append((choice_value(pathway), label))
        choices: list[Any] = [("", _("Choose…"))]
        choices += [(issuer, options) for issuer, options in sorted(groups.items())]
        field = self.fields["what"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class EvidenceForm(forms.Form):
    """One piece of evidence; a row left entirely empty is no evidence at all."""

    name = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How this evidence shows the learning. Markdown."),
    )
    url = forms.URLField(
        label=_("Address (https)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where the evidence can be seen, starting with https://."),
    )
    genre = forms.CharField(
        label=_("Kind of evidence"),
        max_length=100,
        required=False,
        help_text=_("For example: project, portfolio, workplace observation."),
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith("https://"):
            raise ValidationError(_("The address must start with https://."))
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        filled = any(cleaned.get(name) for name in ("description", "narrative", "url", "genre"))
        if filled and not cleaned.get("name") and "name" not in self.errors:
            self.add_error("name", _("Give this piece of evidence a title."))
        return cleaned

    @property
    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in self.fields)

    def evidence(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class AwardForm(forms.Form):
    """Who receives the award, and what it says about their learning. For a micro-credential
    version, one `result-<competency id>` select per competency offers its rubric levels."""

    recipient_email = forms.EmailField(
        label=_("Learner's e-mail"),
        max_length=254,
        help_text=_("The learner is sent a link to claim the badge at this address."),
    )
    recipient_name = forms.CharField(
        label=_("Learner's name"),
        max_length=200,
        required=False,
        help_text=_("As it should appear on the badge (optional)."),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why the badge is awarded, for example the prior learning recognised. Markdown."
        ),
    )

    def __init__(self, *args: Any, competencies: Sequence[Competency] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        for competency in self.competencies:
            levels = list(competency.levels.all())
            self.fields[self.result_field(competency)] = forms.ChoiceField(
                label=competency.statement,
                required=False,
                choices=[("", _("No level recorded"))]
                + [(str(level.pk), level.name) for level in levels],
                error_messages={
                    "invalid_choice": _("Choose one of the levels of this competency's rubric.")
                },
            )

    @staticmethod
    def result_field(competency: Competency) -> str:
        return f"result-{competency.pk}"

    def result_fields(self) -> list[forms.BoundField]:
        return [self[self.result_field(c)] for c in self.competencies]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("recipient_email", "recipient_name", "narrative")]

    def results(self) -> dict[int, int]:
        """Competency id → chosen rubric level id (competencies left unrecorded are left out)."""
        chosen = {}
        for competency in self.competencies:
            value = self.cleaned_data.get(self.result_field(competency))
            if value:
                chosen[competency.pk] = int(value)
        return chosen


class ReasonForm(forms.Form):
    """The reason for suspending (required) or reinstating (optional) a badge."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = required
        if required:
            field.help_text = _("Verifiers of the badge see this reason.")
            field.error_messages["required"] = _(
                "Please give the reason: verifiers of the badge will see it."
            )
        else:
            field.label = _("Reason (optional)")


class RevokeForm(ReasonForm):
    confirm = forms.BooleanField(
        label=_("I understand that revocation is permanent: the badge can never be reinstated."),
        error_messages={"required": _("Confirm that you mean to revoke the badge for good.")},
    )


STATUS_FILTERS = [
    ("", _("Any status")),
    ("active", _("Active")),
    ("suspended", _("Suspended")),
    ("revoked", _("Revoked")),
    ("expired", _("Expired")),
]
CLAIM_FILTERS = [("", _("Any answer")), *Award.Claim.choices]


class AwardListFilter(forms.Form):
    """The staff award list's filters (GET). Invalid values are ignored, never an error page."""

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Part of the learner's e-mail or name, or of the badge's title."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    claim = forms.ChoiceField(label=_("Learner's answer"), choices=CLAIM_FILTERS, required=False)
