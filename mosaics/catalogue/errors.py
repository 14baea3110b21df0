"""Why a catalogue workflow refused to act. Messages are shown to the user as they are."""

from __future__ import annotations


class CatalogueError(Exception):
    """A workflow refused; `str(error)` explains why in the user's words (translated)."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class DesignLocked(CatalogueError):
    """The version is not editable (submitted, approved, published, superseded or retired)."""

    code = "locked"


class TransitionRefused(CatalogueError):
    """The lifecycle step is not allowed from this state, for this person, or yet."""

    code = "transition_refused"


class GatesFailing(TransitionRefused):
    """Publication refused while framework gates fail; `gates` lists them."""

    code = "gates_failing"

    def __init__(self, message: str, *, gates: list[object]) -> None:
        super().__init__(message)
        self.gates = gates
