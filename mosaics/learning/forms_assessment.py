"""Forms of the assessor's pages: the queue's filters, the scoring form and the conflict of
interest. They only parse and explain; `mosaics.learning.actions.assessment` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.catalogue.forms import DescribedBoundField
from mosaics.catalogue.models import Competency
from mosaics.learning.actions.assessment import MAX_FEEDBACK, MAX_REASON
from mosaics.learning.models import Assessment, Submission

__all__ = [
    "AGES",
    "QUEUE_STATES",
    "AssessmentForm",
    "ConflictForm",
    "QueueFilter",
]

#: The queue's state filter: its value → the submission states it shows (None: every state).
QUEUE_STATES: dict[str, tuple[str, ...] | None] = {
    "waiting": tuple(Submission.OPEN_STATES),
    "returned": (Submission.State.RETURNED,),
    "met": (Submission.State.MET,),
    "not_met": (Submission.State.NOT_MET,),
    "all": None,
}

#: The queue's age filter: submitted more than this many days ago.
AGES = (7, 14, 30)


class QueueFilter(forms.Form):
    """The queue's filters (a GET form: a value that does not parse is ignored)."""

    bound_field_class = DescribedBoundField

    micro_credential = forms.ChoiceField(label=_("Micro-credential"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("waiting", _("Waiting for assessment (or a second assessor)")),
            ("returned", _("Returned for revision")),
            ("met", _("Meets the criteria")),
            ("not_met", _("Does not meet the criteria")),
            ("all", _("All")),
        ],
    )
    age = forms.ChoiceField(
        label=_("Submitted"),
        required=False,
        choices=[
            ("", _("Any time")),
            *[(str(days), _("More than %(days)d days ago") % {"days": days}) for days in AGES],
        ],
    )

    def __init__(self, *args: Any, micro_credentials: Sequence[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["micro_credential"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All micro-credentials"))] + [
            (str(pk), title) for pk, title in micro_credentials
        ]

    def wanted(self) -> dict[str, Any]:
        """The filters that parsed: micro-credential id (or None), state key, age in days."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        micro_credential = data.get("micro_credential") or ""
        age = data.get("age") or ""
        return {
            "micro_credential": int(micro_credential) if micro_credential else None,
            "state": data.get("state") or "waiting",
            "age": int(age) if age else None,
        }


class AssessmentForm(forms.Form):
    """A rubric level (`level-<competency id>`, radio buttons) and feedback
    (`feedback-<competency id>`) per competency, the decision and the overall feedback."""

    bound_field_class = DescribedBoundField

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Assessment.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a decision."),
            "invalid_choice": _("Choose one of the decisions."),
        },
    )
    feedback = forms.CharField(
        label=_("Feedback to the learner"),
        required=False,
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required when you return it for revision or decide it does not meet the criteria: "
            "say what to improve. The learner reads it."
        ),
    )

    def __init__(self, *args: Any, competencies: Sequence[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        for competency in self.competencies:
            self.fields[f"level-{competency.pk}"] = forms.ChoiceField(
                label=_("Level reached"),
                choices=[(str(level.pk), level.name) for level in competency.levels.all()],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose the level the learner reached."),
                    "invalid_choice": _("Choose one of this competency's rubric levels."),
                },
            )
            self.fields[f"feedback-{competency.pk}"] = forms.CharField(
                label=_("Feedback on this competency"),
                required=False,
                max_length=MAX_FEEDBACK,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The decision comes after the competencies in the page and in the error summary.
        self.order_fields([name for name in self.fields if name not in ("decision", "feedback")])

    def level_field(self, competency: Competency) -> forms.BoundField:
        return self[f"level-{competency.pk}"]

    def feedback_field(self, competency: Competency) -> forms.BoundField:
        return self[f"feedback-{competency.pk}"]

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            c.pk: (int(data[f"level-{c.pk}"]), data.get(f"feedback-{c.pk}") or "")
            for c in self.competencies
        }


class ConflictForm(forms.Form):
    bound_field_class = DescribedBoundField

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=MAX_REASON,
        help_text=_("For example: a relative, someone I manage, a business partner."),
    )
