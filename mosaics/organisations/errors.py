"""Why an organisations workflow refused to act. Messages are shown to the user as they are."""

from __future__ import annotations


class OrganisationError(Exception):
    """A workflow refused; `str(error)` explains why in the user's words (translated).

    `field` names the form field the message belongs to, when there is one."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.field = field


class InvitationRefused(OrganisationError):
    """An invitation cannot be accepted (unknown, expired, revoked, used, wrong e-mail)."""

    code = "invitation_refused"


class LastInstitutionAdmin(OrganisationError):
    """Removing this role would leave the institution without an institution admin."""

    code = "last_institution_admin"
