"""Why an endorsement workflow refused to act. Messages are shown to the user as they are."""

from __future__ import annotations


class EndorsementRefused(Exception):
    """A workflow refused; `str(error)` explains why in the user's words (translated).

    `field` names the form field the message belongs to, when there is one."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.field = field
