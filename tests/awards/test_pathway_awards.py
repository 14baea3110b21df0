"""A pathway is awarded by itself when the learner holds all it requires, and never twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from mosaics.awards import actions
from mosaics.awards.models import Award
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world: Any) -> Any:
    first = f.published_version(world.issuer, title="Statistical Analysis Software")
    second = f.published_version(world.issuer, title="Data Visualisation")
    pathway = f.published_pathway(world.issuer, [first.micro_credential, second.micro_credential])
    return first, second, pathway


def test_completing_a_pathway_awards_it_once(
    setting: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    first, second, pathway = setting
    with django_capture_on_commit_callbacks(execute=True):
        f.award(first, email="sam@example.org")
    assert not Award.objects.filter(pathway=pathway).exists()

    with django_capture_on_commit_callbacks(execute=True):
        last = f.award(second, email="sam@example.org")
    awarded = Award.objects.get(pathway=pathway)
    assert awarded.source == Award.Source.PATHWAY
    assert awarded.recipient_email == "sam@example.org"
    assert awarded.credential["credentialSubject"]["achievement"]["name"] == pathway.title
    assert actions.verify_award(awarded).status == "valid"
    # Three claim e-mails: the two micro-credentials and the pathway.
    assert len(mailoutbox) == 3

    # Checking again (a task run twice, a later award) makes nothing new.
    assert actions.pathway_awards_check(last) == []
    assert Award.objects.filter(pathway=pathway).count() == 1


def test_a_revoked_or_declined_badge_does_not_count(world: Any, setting: Any) -> None:
    first, second, _ = setting
    kept = f.award(first, email=world.learner.email)
    actions.award_revoke(actor=world.tlc_admin, award=kept, reason="Issued in error")
    other = f.award(second, email=world.learner.email)
    assert actions.pathway_awards_check(other) == []
    assert actions.held_micro_credentials(world.learner) == {second.micro_credential_id}


def test_another_learners_badges_do_not_count(setting: Any) -> None:
    first, second, _ = setting
    f.award(first, email="a@example.org")
    other = f.award(second, email="b@example.org")
    assert actions.pathway_awards_check(other) == []


def test_a_pathway_issuer_without_a_key_does_not_stop_the_award(world: Any, setting: Any) -> None:
    first, second, pathway = setting
    pathway.issuer = f.IssuerFactory(organisation=world.business)
    pathway.save(update_fields=["issuer"])
    f.award(first, email="sam@example.org")
    last = f.award(second, email="sam@example.org")
    assert actions.pathway_awards_check(last) == []
    assert Award.objects.filter(version__isnull=False).count() == 2
    from mosaics.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="awards.pathway_failed").count() == 1


def test_suspended_and_expired_badges_do_not_count(world: Any, setting: Any) -> None:
    first, _second, _ = setting
    suspended = f.award(first, email=world.learner.email)
    actions.award_suspend(actor=world.tlc_admin, award=suspended, reason="Checking")
    assert actions.held_micro_credentials(world.learner) == set()
    actions.award_reinstate(actor=world.tlc_admin, award=suspended)
    assert actions.held_micro_credentials(world.learner) == {first.micro_credential_id}
    Award.objects.filter(pk=suspended.pk).update(valid_until=timezone.now())
    assert actions.held_micro_credentials(world.learner) == set()
