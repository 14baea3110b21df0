"""award_issue: one signed record, every check a verifier makes passes, idempotent."""

from __future__ import annotations

import pytest

from mosaics.awards import actions
from mosaics.awards.models import Award
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_award_is_signed_and_verifies():
    award = f.award()
    assert award.created
    report = actions.verify_award(award)
    assert report.status == "valid", report.to_dict() if hasattr(report, "to_dict") else report
    assert actions.schema_problems(award.credential) == []
    subject = award.credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert "learner@example.org" not in str(award.credential)
    assert [e["statusPurpose"] for e in award.credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]


def test_awarding_twice_gives_the_same_award():
    version = f.published_version()
    first = f.award(version)
    second = f.award(version, email=" Learner@Example.org ")
    assert second.pk == first.pk
    assert not second.created
    assert Award.objects.count() == 1


@pytest.mark.parametrize("form", actions.FORMS)
def test_every_signed_form_verifies_and_is_kept(form):
    award = f.award()
    signed = actions.award_credential_form(award, form)
    assert actions.verify_award(award, signed).status == "valid"
    award.refresh_from_db()
    assert actions.award_credential_form(award, form) == signed
