"""A learner assessed against the version they enrolled in earns that version, even after a
newer version is published or the micro-credential retired; staff awards stay limited to the
published version."""

from __future__ import annotations

from typing import Any

import pytest

from mosaics.awards.actions import AwardRefused, award_issue
from mosaics.awards.models import Award
from mosaics.catalogue.models import Version
from mosaics.learning.actions.assessment import assessment_record
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db


def _passing_scores(version: Any) -> dict[int, tuple[int, str]]:
    return {c.pk: (c.passing_level_id, "") for c in version.competencies.all()}


@pytest.mark.parametrize("later_state", ["superseded", "retired"])
def test_an_assessed_learner_earns_the_version_they_enrolled_in(world: Any, later_state: str):
    version = b.learning_version(world.issuer)
    submission = b.submission(b.enrolment(world.learner, version))
    Version.objects.filter(pk=version.pk).update(state=later_state)
    if later_state == "superseded":
        f.VersionFactory(
            micro_credential=version.micro_credential, number=2, state=Version.State.PUBLISHED
        )

    assessment_record(
        actor=world.assessor,
        submission=submission,
        scores=_passing_scores(version),
        decision="meets",
        feedback="",
    )

    submission.refresh_from_db()
    assert submission.state == "met"
    assert submission.award is not None
    assert submission.award.version_id == version.pk
    assert submission.award.source == Award.Source.ASSESSMENT


def test_staff_still_award_only_the_published_version(world: Any):
    version = b.learning_version(world.issuer)
    Version.objects.filter(pk=version.pk).update(state=Version.State.SUPERSEDED)

    with pytest.raises(AwardRefused):
        award_issue(actor=world.assessor, recipient_email="someone@example.org", version=version)

    assert Award.objects.count() == 0
