"""Forms of the reflection, the review before submitting, and the route. They parse and
explain bad input; `mosaics.learning.actions.submission` does the work (and checks again)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mosaics.catalogue.forms import DescribedBoundField
from mosaics.catalogue.models import ReflectionPrompt
from mosaics.learning.actions.submission import MAX_ANSWER, MAX_SUMMARY
from mosaics.learning.models import Enrolment, Reflection

ANSWER_PREFIX = "answer_"


class ReflectionForm(forms.Form):
    """One text area per prompt of the design (labelled with the prompt), then the summary
    the learner may put in their credential."""

    bound_field_class = DescribedBoundField

    summary = forms.CharField(
        label=_("Summary to share"),
        required=False,
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A few sentences about what you learned. If you choose to share it, it is written "
            "into your credential, and anyone you show the credential to can read it."
        ),
    )
    share_summary = forms.BooleanField(
        label=_("Put this summary in my credential"),
        required=False,
        help_text=_("Leave this unticked to keep the summary between you and the assessors."),
    )

    def __init__(
        self,
        *args: Any,
        prompts: Iterable[ReflectionPrompt],
        reflection: Reflection | None = None,
        **kwargs: Any,
    ) -> None:
        if reflection is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "summary": reflection.summary,
                "share_summary": reflection.share_summary,
                **{
                    f"{ANSWER_PREFIX}{answer.prompt_id}": answer.answer
                    for answer in reflection.answers.all()
                },
            }
        super().__init__(*args, **kwargs)
        answers = {}
        for prompt in prompts:
            answers[f"{ANSWER_PREFIX}{prompt.pk}"] = forms.CharField(
                label=prompt.text,
                required=False,
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        # The prompts first, in the design's order, then the summary.
        self.fields = {**answers, **self.fields}

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    def answers(self) -> dict[int, str]:
        """Prompt id → answer (after `is_valid()`)."""
        return {
            int(name.removeprefix(ANSWER_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ANSWER_PREFIX)
        }


class SubmitForm(forms.Form):
    bound_field_class = DescribedBoundField

    confirm = forms.BooleanField(
        label=_("I have checked who may see each piece of evidence, and this is my own work."),
        error_messages={
            "required": _("Tick the box to confirm you have checked who may see your evidence.")
        },
    )


class RouteForm(forms.Form):
    route = forms.ChoiceField(
        label=_("How you will earn this micro-credential"),
        choices=Enrolment.Route.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose how you will earn this micro-credential."),
            "invalid_choice": _("Please choose how you will earn this micro-credential."),
        },
    )
