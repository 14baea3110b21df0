"""Organisations: invitations, roles, issuer profiles, goals, and the staff pages × personas."""

from __future__ import annotations

from typing import Any

from django.core import mail

from mosaics.audit.models import AuditEntry
from mosaics.organisations import actions
from mosaics.organisations.models import Membership, Role


def test_invitation_is_mailed_and_accepted_by_the_invited_person(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = actions.invitation_send(
            actor=world.tlc_admin,
            organisation=world.business,
            email="new.designer@example.test",
            role=Role.DESIGNER,
        )
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    from tests.factories import UserFactory

    person = UserFactory(username="new.designer")
    membership = actions.invitation_accept(actor=person, token=token)
    assert membership.organisation == world.business
    assert Membership.objects.filter(user=person, role=Role.DESIGNER).exists()
    assert AuditEntry.objects.filter(action="invitation.accept").count() == 1


def test_issuer_create_generates_its_first_signing_key(world: Any) -> None:
    issuer = actions.issuer_create(
        actor=world.tlc_admin, organisation=world.health, name="Health", slug="northern-health"
    )
    assert issuer.signing_keys.filter(retired_at__isnull=True).count() == 1
