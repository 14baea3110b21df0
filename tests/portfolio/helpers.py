"""Badges a learner holds, made through the real award and claim actions."""

from __future__ import annotations

from typing import Any

from mosaics.awards.actions import award_accept
from mosaics.awards.models import Award
from tests import factories as f


def held(user: Any, version: Any = None, *, accept: bool = True, **kwargs: Any) -> Award:
    """An award of `version` (a new published one by default) to `user`'s address, accepted."""
    award = f.award(version, email=user.email, **kwargs)
    assert award.learner_id == user.pk
    if accept:
        award = award_accept(actor=user, award=award)
    return award


def version_with(
    issuer: Any = None,
    *,
    field_of_study: str = "",
    tags: Any = None,
    competencies: int = 2,
    **fields: Any,
) -> Any:
    return f.published_version(
        issuer, competencies=competencies, field_of_study=field_of_study, tags=tags or [], **fields
    )
