"""Deleting one's account: what is only the learner's goes (files too, after commit), the
badges they were awarded stay valid as the issuer's record, staff must first lose their roles,
and every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mosaics.accounts import actions
from mosaics.accounts.models import BoundDid, User
from mosaics.audit.models import AuditEntry
from mosaics.awards.actions import verify_award
from mosaics.awards.models import Award
from mosaics.learning.models import (
    Assessment,
    Attestation,
    Demonstration,
    Enrolment,
    EvidenceItem,
    Reflection,
    Submission,
)
from mosaics.notifications.models import Notification
from mosaics.portfolio.models import Collection, ExternalBadge
from tests.accounts.journey import journey
from tests.factories import PASSWORD

URL = "/accounts/delete/"


def _post(client: Any, password: str = PASSWORD, confirmation: str = "DELETE") -> Any:
    return client.post(URL, {"password": password, "confirmation": confirmation})


def _audit_count() -> int:
    return AuditEntry.objects.filter(action="accounts.delete").count()


def test_the_url_names_the_page() -> None:
    assert reverse("accounts:delete") == URL


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Any, db: None, method: str) -> None:
    response = getattr(client, method)(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_says_what_happens_and_asks_for_password_and_word(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert 'name="password"' in page
    assert 'autocomplete="current-password"' in page
    assert 'name="confirmation"' in page
    assert "DELETE" in page
    assert reverse("accounts:export") in page  # take your data first
    assert 'for="id_password"' in page
    assert 'for="id_confirmation"' in page


def test_staff_see_why_they_cannot_delete_yet(client: Any, world: Any) -> None:
    client.force_login(world.assessor)
    page = client.get(URL).content.decode()
    assert "ask an institution admin to remove your roles first" in page
    assert 'name="password"' not in page


def test_a_wrong_password_changes_nothing(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = _post(client, password="not my password")
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert User.objects.filter(pk=world.learner.pk).exists()
    assert client.session.get(SESSION_KEY) == str(world.learner.pk)
    assert _audit_count() == 0


@pytest.mark.parametrize("word", ["", "delete it", "SUPPRIMER!", "x" * 200, "DEL\x00ETE"])
def test_a_wrong_confirmation_word_changes_nothing(client: Any, world: Any, word: str) -> None:
    client.force_login(world.learner)
    response = _post(client, confirmation=word)
    assert response.status_code == 400
    assert User.objects.filter(pk=world.learner.pk).exists()
    assert _audit_count() == 0


def test_the_word_is_accepted_in_any_case(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = _post(client, confirmation="  delete ")
    assert response.status_code == 302
    assert not User.objects.filter(pk=world.learner.pk).exists()


@pytest.mark.parametrize("persona", ["assessor", "tlc_admin", "endorser", "platform_admin"])
def test_staff_and_platform_admins_are_refused(client: Any, world: Any, persona: str) -> None:
    person = getattr(world, persona)
    client.force_login(person)
    response = _post(client)
    assert response.status_code == 400
    assert "ask an institution admin to remove your roles first" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
    assert _audit_count() == 0


def test_the_action_checks_the_actor(world: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        actions.account_delete(actor=AnonymousUser(), password=PASSWORD)
    with pytest.raises(actions.AccountRefused) as refused:
        actions.account_delete(actor=world.learner, password="")
    assert refused.value.code == "password"
    assert User.objects.filter(pk=world.learner.pk).exists()
    assert _audit_count() == 0


def test_deleting_a_learner_well_into_their_journey(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    j = journey(world)
    learner_pk, email = j.learner.pk, j.learner.email
    storage = j.items[0].file.storage
    files = {item.file.name for item in j.items}
    assert len(files) == 2
    assert all(storage.exists(name) for name in files)
    assert verify_award(j.award).status == "valid"
    client.force_login(j.learner)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # Signed out, and the account is gone with everything that was only theirs.
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(pk=learner_pk).exists()
    for model, lookup in (
        (Enrolment, {"learner_id": learner_pk}),
        (Demonstration, {"enrolment__learner_id": learner_pk}),
        (EvidenceItem, {"pk__in": [item.pk for item in j.items]}),
        (Attestation, {"pk": j.attestation.pk}),
        (Reflection, {"enrolment__learner_id": learner_pk}),
        (Submission, {"pk": j.submission.pk}),
        (Assessment, {"pk": j.assessment.pk}),
        (ExternalBadge, {"owner_id": learner_pk}),
        (Collection, {"owner_id": learner_pk}),
        (BoundDid, {"user_id": learner_pk}),
        (Notification, {"target": f"learning.submission:{j.submission.pk}"}),
    ):
        assert not model.objects.filter(**lookup).exists(), model
    # Their evidence files are removed from storage; another learner's are not.
    assert not any(storage.exists(name) for name in files)
    assert storage.exists(j.other_item.file.name)
    assert EvidenceItem.objects.filter(pk=j.other_item.pk).exists()
    # The award stays the issuer's record, detached and hidden, and still verifies.
    award = Award.objects.get(pk=j.award.pk)
    assert award.learner is None
    assert award.shared is False
    assert award.recipient_email == email
    assert award.credential == j.award.credential
    assert verify_award(award).status == "valid"
    # One audit entry that names no one, counting what went.
    entry = AuditEntry.objects.get(action="accounts.delete")
    assert entry.actor is None
    assert entry.target == f"accounts.user:{learner_pk}"
    assert entry.data == {
        "awards_detached": 1,
        "enrolments": 1,
        "evidence_items": 5,  # two links, report v1 and its copy, the photo
        "evidence_files": 2,
        "imported_badges": 1,
        "collections": 1,
        "bound_dids": 1,
        "notifications": 1,
    }
    assert email not in str(entry.data)
    # The assessor who assessed them is untouched.
    assert User.objects.filter(pk=world.assessor.pk).exists()
    # The page after says so.
    followed = client.get(response["Location"])
    assert "Your account is deleted" in followed.content.decode()


def test_files_stay_when_the_deletion_is_rolled_back(world: Any) -> None:
    """The files go after commit only: a deletion that fails leaves them where they were."""
    from django.db import transaction

    j = journey(world)
    storage = j.items[0].file.storage

    def delete_then_fail() -> None:
        with transaction.atomic():
            actions.account_delete(actor=j.learner, password=PASSWORD)
            raise RuntimeError("something after the deletion failed")

    with pytest.raises(RuntimeError):
        delete_then_fail()
    assert User.objects.filter(pk=j.learner.pk).exists()
    assert all(storage.exists(item.file.name) for item in j.items)
    assert Award.objects.get(pk=j.award.pk).learner_id == j.learner.pk


def test_the_place_a_deleted_learner_held_goes_to_the_waiting_list(client: Any, world: Any) -> None:
    from tests.learning import builders

    version = builders.learning_version(world.issuer)
    micro_credential = version.micro_credential
    micro_credential.capacity = 1
    micro_credential.save(update_fields=["capacity"])
    builders.enrolment(world.learner, version)
    waiting = builders.enrolment(world.assessor, version, state="waitlisted")
    client.force_login(world.learner)
    assert _post(client).status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == "active"
    assert AuditEntry.objects.filter(
        action="learning.waitlist_promote", target=f"learning.enrolment:{waiting.pk}"
    ).exists()
    assert Notification.objects.filter(
        target=f"learning.enrolment:{waiting.pk}", recipient=world.assessor.email
    ).exists()
