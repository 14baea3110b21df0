"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The largest primary key any of our databases stores (a signed 64-bit integer).
MAX_PK = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's field, but a posted id no database could hold is an invalid choice rather than
    an OverflowError from the `pk__in` query (SQLite raises it; Django only guards `exact`)."""

    def _check_values(self, value: Any) -> Any:
        for item in value:
            try:
                number = int(str(item))
            except ValueError:
                continue  # Django's own check explains non-numbers
            if not 0 < number <= MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)  # type: ignore[misc]
