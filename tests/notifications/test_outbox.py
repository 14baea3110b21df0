"""The notification outbox: messages are stored in the workflow's transaction, sent after
commit, kept and retried with back-off when sending fails (the state change is never lost),
given up after MAX_ATTEMPTS, cancelled when what they were about has gone or moved on, never
sent twice, and never hold a token."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from mosaics.awards import actions as award_actions
from mosaics.learning import notifications as kinds
from mosaics.learning.actions.enrolment import enrolment_enrol
from mosaics.learning.models import Attestation, Enrolment
from mosaics.learning.tokens import attestation_token, new_nonce, token_hash
from mosaics.notifications import outbox, tasks
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db

FAILING = "tests.notifications.test_outbox.FailingBackend"
LEAKY = "tests.notifications.test_outbox.LeakyBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPException("the mail server is down")


class LeakyBackend(BaseEmailBackend):
    """A mail server whose error repeats the whole message back (tokens and all)."""

    def send_messages(self, email_messages: Any) -> int:
        message = email_messages[0]
        raise smtplib.SMTPException(f"rejected: {message.subject} {message.body}")


@pytest.fixture
def learner() -> Any:
    return f.UserFactory(display_name="Sam", email="sam@example.org")


@pytest.fixture
def version() -> Any:
    return b.learning_version(competencies=1)


def _enrol(learner: Any, version: Any) -> Enrolment:
    return enrolment_enrol(actor=learner, micro_credential=version.micro_credential)


def _row() -> Notification:
    (row,) = Notification.objects.all()
    return row


def _later(row: Notification, minutes: int = 1) -> Any:
    return row.next_attempt_at + timedelta(minutes=minutes)


# --- after commit --------------------------------------------------------------------------


def test_the_message_is_stored_in_the_transaction_and_sent_after_commit(
    learner: Any, version: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrolment = _enrol(learner, version)
        row = _row()
        assert (row.kind, row.recipient, row.state) == (
            kinds.ENROLMENT,
            "sam@example.org",
            "pending",
        )
        assert row.target == f"learning.enrolment:{enrolment.pk}"
        assert mailoutbox == []  # nothing is sent inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sam@example.org"]
    assert mailoutbox[0].alternatives[0][1] == "text/html"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_nothing_is_stored_or_sent_when_the_transaction_rolls_back(
    learner: Any, version: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    def enrol_then_fail() -> None:
        with transaction.atomic():
            _enrol(learner, version)
            raise RuntimeError("the workflow failed after notifying")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        enrol_then_fail()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Enrolment.objects.exists()
    assert mailoutbox == []


def test_an_unknown_kind_is_refused_and_stores_nothing(learner: Any, version: Any) -> None:
    enrolment = b.enrolment(learner, version)
    with pytest.raises(LookupError):
        outbox.notify(kind="learning.nonsense", target=enrolment, recipient="sam@example.org")
    assert not Notification.objects.exists()


def test_a_message_without_an_address_is_kept_as_not_needed(
    learner: Any, version: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="")
    assert callbacks == []
    assert _row().state == "cancelled"
    assert mailoutbox == []


def test_when_the_queue_is_down_the_message_waits_for_send(
    learner: Any,
    version: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
    monkeypatch: Any,
) -> None:
    class DownQueue:
        def enqueue(self, *args: Any) -> None:
            raise ConnectionError("the task queue is down")

    monkeypatch.setattr(tasks, "deliver_notification", DownQueue())
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = _enrol(learner, version)
    assert Enrolment.objects.get(pk=enrolment.pk).state == "active"
    row = _row()
    assert (row.state, row.attempts) == ("pending", 0)
    assert mailoutbox == []
    assert outbox.deliver_due() == {"sent": 1}
    assert len(mailoutbox) == 1


# --- failures and retries ------------------------------------------------------------------


def test_a_failing_mail_server_keeps_the_state_change_and_the_message_for_later(
    learner: Any,
    version: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    settings.EMAIL_BACKEND = FAILING
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = _enrol(learner, version)
    assert Enrolment.objects.get(pk=enrolment.pk).state == "active"
    row = _row()
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "SMTPException: the mail server is down"
    assert row.next_attempt_at > before
    assert row.sent_at is None
    assert mailoutbox == []

    # Not due yet: left alone, even by a second task for the same message.
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver(row.pk) == "pending"
    assert outbox.deliver_due() == {}
    assert mailoutbox == []

    # Due: sent once the mail server works again.
    assert outbox.deliver_due(now=_later(row)) == {"sent": 1}
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")


def test_the_back_off_grows_and_the_message_is_given_up_after_max_attempts(
    learner: Any, version: Any, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.EMAIL_BACKEND = FAILING
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    waits = []
    now = timezone.now()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        counts = outbox.deliver_due(now=now)
        row.refresh_from_db()
        assert row.attempts == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert counts == {"pending": 1}
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert counts == {"failed": 1}
    assert row.state == "failed"
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1)
    assert max(waits) == timedelta(hours=6)
    assert timedelta(hours=36) < sum(waits, timedelta()) < timedelta(hours=60)
    # Given up means given up: nothing is tried again, even with the server back.
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver_due(now=now + timedelta(days=30)) == {}
    assert outbox.deliver(row.pk, now=now + timedelta(days=30)) == "failed"
    assert mailoutbox == []


def test_an_error_building_the_message_is_recorded_not_raised(
    learner: Any, version: Any, monkeypatch: Any, mailoutbox: list[Any]
) -> None:
    from mosaics.notifications import registry

    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    broken = registry.Kind(
        name=kinds.ENROLMENT,
        template="learning/email/no_such_template",
        context=lambda target: {"enrolment": target},
    )
    monkeypatch.setitem(registry._KINDS, kinds.ENROLMENT, broken)
    assert outbox.deliver(row.pk) == "pending"
    row.refresh_from_db()
    assert row.last_error.startswith("TemplateDoesNotExist")
    assert mailoutbox == []


# --- cancelled, idempotent -----------------------------------------------------------------


def test_a_message_about_something_gone_is_cancelled(
    learner: Any, version: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    enrolment.delete()
    assert outbox.deliver(row.pk) == "cancelled"
    assert _row().state == "cancelled"
    assert mailoutbox == []


def test_a_message_about_something_that_moved_on_is_cancelled(
    learner: Any, version: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    Enrolment.objects.filter(pk=enrolment.pk).update(state="withdrawn")
    assert outbox.deliver_due() == {"cancelled": 1}
    row.refresh_from_db()
    assert row.state == "cancelled"
    assert mailoutbox == []


def test_a_newer_message_about_the_same_thing_supersedes_a_waiting_one(
    learner: Any, version: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version, state="waitlisted")
    first = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    Enrolment.objects.filter(pk=enrolment.pk).update(state="active", enrolled_at=timezone.now())
    second = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    first.refresh_from_db()
    assert first.state == "cancelled"
    assert outbox.deliver_due() == {"sent": 1}
    assert len(mailoutbox) == 1
    assert "A place has opened" in mailoutbox[0].subject
    assert Notification.objects.get(pk=second.pk).state == "sent"


def test_sending_twice_sends_once(learner: Any, version: Any, mailoutbox: list[Any]) -> None:
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    assert outbox.deliver(row.pk) == "sent"
    assert outbox.deliver(row.pk) == "sent"
    assert tasks.deliver_notification.call(row.pk) == "sent"
    assert outbox.deliver_due(now=timezone.now() + timedelta(days=1)) == {}
    assert outbox.deliver(row.pk + 1000) == "missing"
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_message_being_sent_by_another_worker_is_left_alone(
    learner: Any, version: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    claimed, _state = outbox._claim(row.pk, timezone.now())  # another worker, mid-send
    assert claimed is not None
    assert outbox.deliver(row.pk) == "pending"
    assert outbox.deliver_due() == {}
    assert mailoutbox == []
    # If that worker died, the message is sent once its lease runs out.
    assert outbox.deliver_due(now=timezone.now() + outbox.LEASE) == {"sent": 1}
    assert len(mailoutbox) == 1


def test_a_batch_is_queued_in_one_insert_and_sent_in_one_task(
    version: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    people = [f.UserFactory() for _ in range(3)]
    enrolments = [b.enrolment(person, version) for person in people]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = outbox.notify_many(
            kind=kinds.ENROLMENT,
            messages=[(e, e.learner.email, "fr") for e in enrolments],
        )
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    assert all(row.language == "fr" for row in rows)
    assert all('<html lang="fr">' in m.alternatives[0][0] for m in mailoutbox)


def test_an_unknown_language_falls_back_to_the_sites(
    learner: Any, version: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    row = outbox.notify(
        kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org", language="xx"
    )
    assert outbox.deliver(row.pk) == "sent"
    assert '<html lang="en">' in mailoutbox[0].alternatives[0][0]


# --- the command ---------------------------------------------------------------------------


def test_the_command_sends_what_is_due_and_counts(
    learner: Any, version: Any, settings: Any, mailoutbox: list[Any]
) -> None:
    out = StringIO()
    call_command("notifications", "status", stdout=out)
    assert "No notifications yet." in out.getvalue()
    settings.EMAIL_BACKEND = FAILING
    enrolment = b.enrolment(learner, version)
    outbox.notify(kind=kinds.ENROLMENT, target=enrolment, recipient="sam@example.org")
    out = StringIO()
    call_command("notifications", "send", stdout=out)
    assert "waiting to be sent (or retried later): 1" in out.getvalue()

    out = StringIO()
    call_command("notifications", "status", stdout=out)
    status = out.getvalue()
    assert "waiting to be sent (or retried later): 1" in status
    assert "failed at least once and to be retried: 1" in status
    assert "SMTPException: the mail server is down" in status

    out = StringIO()
    call_command("notifications", "send", stdout=out)
    assert "No notifications are due." in out.getvalue()

    settings.EMAIL_BACKEND = LOCMEM
    Notification.objects.update(next_attempt_at=timezone.now())
    out = StringIO()
    call_command("notifications", "send", stdout=out)
    assert "sent: 1" in out.getvalue()
    assert len(mailoutbox) == 1
    out = StringIO()
    call_command("notifications", "status", stdout=out)
    assert "sent: 1" in out.getvalue()
    assert "due now: 0" in out.getvalue()


# --- no tokens in the outbox ---------------------------------------------------------------


def _stored() -> str:
    return repr(list(Notification.objects.values()))


def test_the_attestation_token_is_never_stored(
    learner: Any, version: Any, settings: Any, mailoutbox: list[Any]
) -> None:
    enrolment = b.enrolment(learner, version)
    demonstration = b.demonstration(enrolment, version.competencies.first())
    attestation = Attestation(
        demonstration=demonstration,
        supervisor_name="Pat",
        supervisor_email="pat@example.org",
        nonce=new_nonce(),
        expires_at=timezone.now() + timedelta(days=14),
    )
    attestation.token_hash = token_hash(attestation_token(attestation))
    attestation.save()
    token = attestation_token(attestation)
    settings.EMAIL_BACKEND = LEAKY
    row = outbox.notify(
        kind=kinds.ATTESTATION_REQUESTED, target=attestation, recipient="pat@example.org"
    )
    assert outbox.deliver(row.pk) == "pending"
    row.refresh_from_db()
    assert row.last_error.startswith("SMTPException: rejected")
    assert token not in _stored()
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver(row.pk, now=_later(row)) == "sent"
    assert token in mailoutbox[0].body
    assert token not in _stored()


def test_the_claim_token_is_never_stored(
    settings: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    settings.EMAIL_BACKEND = LEAKY
    with django_capture_on_commit_callbacks(execute=True):
        award = f.award(email="sam@example.org")
    token = award_actions.claim_token(award)
    row = Notification.objects.get(kind="awards.award")
    assert row.state == "pending"
    assert row.last_error
    assert token not in _stored()
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.deliver(row.pk, now=_later(row)) == "sent"
    assert award_actions.claim_url(award) in mailoutbox[0].body
    assert token not in _stored()
