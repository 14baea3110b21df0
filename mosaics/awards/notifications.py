"""The awards' e-mails through the notification outbox (templates under
templates/awards/email/): the claim e-mail and the status e-mail. Their context is built when
they are sent, so the claim link's token is derived then and never stored or queued."""

from __future__ import annotations

from typing import Any

from mosaics.awards.models import Award
from mosaics.notifications.registry import register

AWARD = "awards.award"
STATUS = "awards.status"


def language(award: Award) -> str:
    """The learner's preferred language, if they have an account and chose one."""
    learner = award.learner
    return (getattr(learner, "preferred_language", "") or "") if learner is not None else ""


def _summary(award: Award) -> str:
    achievement = award.version if award.version_id is not None else award.pathway
    return getattr(achievement, "summary", "") or ""


def _award(award: Award) -> dict[str, Any] | None:
    """The claim e-mail: what was awarded, by whom, and the claim link — only while the
    award waits for the learner's answer."""
    from mosaics.awards.actions import claim_url

    if award.claim != Award.Claim.PENDING:
        return None
    return {"award": award, "claim_url": claim_url(award), "summary": _summary(award)}


def _status(award: Award) -> dict[str, Any]:
    """Revoked, suspended or reinstated (the award's status now), with the reason and the
    way to the badge: its page for a learner with an account, else the claim link."""
    from mosaics.awards.actions import claim_url
    from mosaics.awards.documents import award_url

    link = (
        {"award_url": award_url(award)}
        if award.learner_id is not None
        else {"claim_url": claim_url(award)}
    )
    return {"award": award, **link}


def register_kinds() -> None:
    register(AWARD, template="awards/email/award", context=_award)
    register(STATUS, template="awards/email/status", context=_status, html=False)
