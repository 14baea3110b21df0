"""Supervisor attestation workflows: the learner asks, resends or cancels; the supervisor
confirms or disputes once, through a link that expires; no token is ever stored."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.learning import notifications
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.attestation import (
    MAX_REQUESTS,
    MAX_RESENDS,
    attestation_answer,
    attestation_cancel,
    attestation_for_token,
    attestation_request,
    attestation_resend,
    learner_name,
)
from mosaics.learning.models import Attestation
from mosaics.learning.tokens import attestation_token, token_hash
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db

SUPERVISOR = "Pat.Manager@Example.org"


@pytest.fixture
def demo(world: Any) -> Any:
    world.learner.display_name = "Sam Learner"
    world.learner.save(update_fields=["display_name"])
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    return b.demonstration(enrolment, version.competencies.first())


def _ask(demo: Any, *, email: str = SUPERVISOR, **kwargs: Any) -> Attestation:
    kwargs.setdefault("actor", demo.enrolment.learner)
    return attestation_request(
        demonstration=demo,
        supervisor_name="Pat Manager",
        supervisor_email=email,
        supervisor_role="Team lead",
        message="Thanks for supervising my data project.",
        **kwargs,
    )


def _counts() -> tuple[int, int, int]:
    return Attestation.objects.count(), AuditEntry.objects.count(), Notification.objects.count()


def _states() -> list[tuple[str, str]]:
    return list(Attestation.objects.order_by("pk").values_list("state", "comment"))


# --- asking ------------------------------------------------------------------------------


def test_the_learner_asks_a_supervisor(demo: Any) -> None:
    attestation = _ask(demo)
    attestation.refresh_from_db()
    assert attestation.state == Attestation.State.REQUESTED
    assert attestation.supervisor_email == "pat.manager@example.org"
    assert attestation.requested_by == demo.enrolment.learner
    assert attestation.is_open
    assert attestation.expires_at - attestation.requested_at == timedelta(days=14)
    assert attestation.token_hash == token_hash(attestation_token(attestation))
    entry = AuditEntry.objects.get(action="learning.attestation_request")
    assert entry.actor == demo.enrolment.learner
    assert entry.data == {
        "demonstration": str(demo.uuid),
        "expires_at": attestation.expires_at.isoformat(),
    }
    assert entry.organisation == demo.enrolment.micro_credential.issuer.organisation
    notification = Notification.objects.get()
    assert notification.kind == notifications.ATTESTATION_REQUESTED
    assert notification.recipient == "pat.manager@example.org"
    assert notification.target == f"learning.attestation:{attestation.pk}"


def test_the_link_lives_as_long_as_the_setting_says(demo: Any, settings: Any) -> None:
    settings.MOSAICS_ATTESTATION_DAYS = 3
    now = timezone.now()
    attestation = _ask(demo, now=now)
    assert attestation.expires_at == now + timedelta(days=3)


def test_the_request_e_mail_is_in_the_learner_s_language(demo: Any) -> None:
    learner = demo.enrolment.learner
    learner.preferred_language = "fr"
    learner.save(update_fields=["preferred_language"])
    _ask(demo)
    assert Notification.objects.get().language == "fr"


def test_a_draft_demonstration_cannot_be_attested(world: Any) -> None:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    draft = b.demonstration(enrolment, version.competencies.first(), submitted=False)
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        _ask(draft)
    assert refused.value.code == "draft"
    assert _counts() == before


def test_no_request_without_an_active_enrolment(world: Any) -> None:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version, state="withdrawn")
    demo = b.demonstration(enrolment, version.competencies.first())
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        _ask(demo)
    assert refused.value.code == "not_enrolled"
    assert _counts() == before


@pytest.mark.parametrize("who", ["other_learner", "assessor", "tlc_admin", "anonymous"])
def test_only_the_learner_may_ask(world: Any, demo: Any, who: str) -> None:
    actor = f.UserFactory() if who == "other_learner" else getattr(world, who)
    before = _counts()
    with pytest.raises(PermissionDenied):
        _ask(demo, actor=actor)
    assert _counts() == before


@pytest.mark.parametrize("verified", [True, False])
def test_nobody_attests_their_own_work(demo: Any, verified: bool) -> None:
    learner = demo.enrolment.learner
    EmailAddress.objects.create(user=learner, email="sam@work.example", verified=verified)
    before = _counts()
    for email in ("SAM@work.example", learner.email.upper()):
        with pytest.raises(LearningRefused) as refused:
            _ask(demo, email=email)
        assert refused.value.code == "own_email"
    assert _counts() == before


def test_the_address_on_the_account_itself_is_refused_too(demo: Any) -> None:
    learner = demo.enrolment.learner
    learner.email = "old.address@example.org"
    learner.save(update_fields=["email"])
    before = _counts()
    with pytest.raises(LearningRefused):
        _ask(demo, email="old.address@example.org")
    assert _counts() == before


@pytest.mark.parametrize(
    ("own", "asked"),
    [
        ("sam@example.org", "sam+boss@example.org"),
        ("sam@example.org", "SAM+Boss@Example.ORG"),
        ("sam@example.org", "sam+@example.org"),
        ("sam+mosaics@example.org", "sam@example.org"),
        ("sam+mosaics@example.org", "sam+other@example.org"),
    ],
)
@pytest.mark.parametrize("where", ["account", "added", "added_unverified"])
def test_nobody_attests_their_own_work_through_a_sub_address(
    demo: Any, own: str, asked: str, where: str
) -> None:
    learner = demo.enrolment.learner
    if where == "account":
        learner.email = own
        learner.save(update_fields=["email"])
    else:
        EmailAddress.objects.create(user=learner, email=own, verified=where == "added")
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        _ask(demo, email=asked)
    assert refused.value.code == "own_email"
    assert _counts() == before


@pytest.mark.parametrize(
    "other",
    ["sam.boss@example.org", "sam-boss@example.org", "sam@example.org.test", "sa@example.org"],
)
def test_an_address_like_the_learner_s_is_someone_else(demo: Any, other: str) -> None:
    learner = demo.enrolment.learner
    learner.email = "sam@example.org"
    learner.save(update_fields=["email"])
    assert _ask(demo, email=other).supervisor_email == other


@pytest.mark.parametrize(
    ("name", "email", "code"),
    [
        ("", SUPERVISOR, "required"),
        ("Pat", "", "required"),
        ("Pat", "not an address", "email"),
        ("Pat\x00", SUPERVISOR, "nul"),
        ("P" * 201, SUPERVISOR, "too_long"),
        ("Pat", "a" * 250 + "@example.org", "too_long"),
    ],
)
def test_bad_input_is_refused_in_words(demo: Any, name: str, email: str, code: str) -> None:
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        attestation_request(
            actor=demo.enrolment.learner,
            demonstration=demo,
            supervisor_name=name,
            supervisor_email=email,
        )
    assert refused.value.code == code
    assert _counts() == before


def test_one_open_request_at_a_time(demo: Any) -> None:
    _ask(demo)
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        _ask(demo, email="someone.else@example.org")
    assert refused.value.code == "open"
    assert _counts() == before


def test_an_expired_request_is_replaced(demo: Any) -> None:
    old = _ask(demo)
    later = timezone.now() + timedelta(days=15)
    new = _ask(demo, email="someone.else@example.org", now=later)
    old.refresh_from_db()
    assert old.state == Attestation.State.CANCELLED
    assert new.state == Attestation.State.REQUESTED
    entry = AuditEntry.objects.filter(action="learning.attestation_request").latest("id")
    assert entry.data["replaced"] == [str(old.uuid)]


def test_a_learner_may_ask_again_after_an_answer(demo: Any) -> None:
    first = _ask(demo)
    attestation_answer(token=attestation_token(first), confirmed=False, comment="Not me.")
    second = _ask(demo, email="other.supervisor@example.org")
    assert second.state == Attestation.State.REQUESTED


def test_at_most_five_requests_per_demonstration(demo: Any) -> None:
    for n in range(MAX_REQUESTS):
        attestation_cancel(
            actor=demo.enrolment.learner, attestation=_ask(demo, email=f"s{n}@example.org")
        )
    before = _counts()
    with pytest.raises(LearningRefused) as refused:
        _ask(demo)
    assert refused.value.code == "limit"
    assert _counts() == before


# --- the supervisor's answer ---------------------------------------------------------------


def test_the_supervisor_confirms(demo: Any) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    answered = attestation_answer(token=token, confirmed=True, comment="  Good work.  ")
    assert answered.state == Attestation.State.CONFIRMED
    assert answered.comment == "Good work."
    assert answered.answered_at is not None
    entry = AuditEntry.objects.get(action="learning.attestation_answer")
    assert entry.actor is None
    assert entry.data == {"state": "confirmed"}
    told = Notification.objects.get(kind=notifications.ATTESTATION_ANSWERED)
    assert told.recipient == demo.enrolment.learner.email
    assert told.target == f"learning.attestation:{attestation.pk}"


def test_a_confirmation_needs_no_comment(demo: Any) -> None:
    attestation = _ask(demo)
    answered = attestation_answer(token=attestation_token(attestation), confirmed=True)
    assert answered.state == Attestation.State.CONFIRMED
    assert answered.comment == ""


def test_the_supervisor_disputes_with_a_comment(demo: Any) -> None:
    attestation = _ask(demo)
    answered = attestation_answer(
        token=attestation_token(attestation), confirmed=False, comment="They only watched."
    )
    assert answered.state == Attestation.State.DISPUTED
    assert answered.comment == "They only watched."


@pytest.mark.parametrize(
    ("comment", "code"),
    [("", "comment_required"), ("   ", "comment_required"), ("x" * 5001, "too_long"),
     ("bad\x00", "nul")],
)  # fmt: skip
def test_a_dispute_needs_a_comment_that_can_be_stored(demo: Any, comment: str, code: str) -> None:
    attestation = _ask(demo)
    before = (_counts(), _states())
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=attestation_token(attestation), confirmed=False, comment=comment)
    assert refused.value.code == code
    assert (_counts(), _states()) == before


def test_the_link_works_once(demo: Any) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    attestation_answer(token=token, confirmed=True, comment="Yes.")
    before = (_counts(), _states())
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=token, confirmed=False, comment="Changed my mind.")
    assert refused.value.code == "answered"
    assert (_counts(), _states()) == before
    assert _states() == [("confirmed", "Yes.")]


def test_an_expired_link_is_refused(demo: Any) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    before = (_counts(), _states())
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(
            token=token, confirmed=True, now=attestation.expires_at + timedelta(seconds=1)
        )
    assert refused.value.code == "expired"
    assert "Sam Learner" in refused.value.message
    assert (_counts(), _states()) == before


def test_a_link_expired_in_the_database_is_refused(demo: Any) -> None:
    attestation = _ask(demo)
    Attestation.objects.filter(pk=attestation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=attestation_token(attestation), confirmed=True)
    assert refused.value.code == "expired"
    assert _states() == [("requested", "")]


def test_a_cancelled_link_is_refused(demo: Any) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    attestation_cancel(actor=demo.enrolment.learner, attestation=attestation)
    before = (_counts(), _states())
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=token, confirmed=True)
    assert refused.value.code == "cancelled"
    assert (_counts(), _states()) == before


@pytest.mark.parametrize(
    "token",
    ["", "abc", "g" * 64, "A" * 64, "0" * 64, "0" * 63, "0" * 65, "0" * 10_000, "\x00" * 64],
)
def test_tokens_that_are_not_ours_open_nothing(demo: Any, token: str) -> None:
    _ask(demo)
    assert attestation_for_token(token) is None
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=token, confirmed=True)
    assert refused.value.code == "unknown"
    assert _states() == [("requested", "")]


def test_the_token_opens_its_attestation(demo: Any) -> None:
    attestation = _ask(demo)
    assert attestation_for_token(attestation_token(attestation)) == attestation
    assert attestation_for_token(attestation_token(attestation).upper()) is None


# --- resend and cancel ---------------------------------------------------------------------


def test_sending_again_makes_a_new_link_and_kills_the_old(demo: Any) -> None:
    attestation = _ask(demo)
    old_token = attestation_token(attestation)
    later = timezone.now() + timedelta(days=20)  # even after it expired
    resent = attestation_resend(actor=demo.enrolment.learner, attestation=attestation, now=later)
    new_token = attestation_token(resent)
    assert new_token != old_token
    assert resent.expires_at == later + timedelta(days=14)
    assert attestation_for_token(old_token) is None
    with pytest.raises(LearningRefused) as refused:
        attestation_answer(token=old_token, confirmed=True, now=later)
    assert refused.value.code == "unknown"
    assert attestation_answer(token=new_token, confirmed=True, now=later).state == "confirmed"
    sent = Notification.objects.filter(kind=notifications.ATTESTATION_REQUESTED)
    assert sent.count() == 2
    assert AuditEntry.objects.filter(action="learning.attestation_resend").count() == 1


def test_resending_is_limited(demo: Any) -> None:
    attestation = _ask(demo)
    for _n in range(MAX_RESENDS):
        attestation_resend(actor=demo.enrolment.learner, attestation=attestation)
    before = (_counts(), Attestation.objects.get().token_hash)
    with pytest.raises(LearningRefused) as refused:
        attestation_resend(actor=demo.enrolment.learner, attestation=attestation)
    assert refused.value.code == "limit"
    assert (_counts(), Attestation.objects.get().token_hash) == before


def test_an_answered_request_cannot_be_resent_or_cancelled(demo: Any) -> None:
    attestation = _ask(demo)
    attestation_answer(token=attestation_token(attestation), confirmed=True)
    before = (_counts(), _states())
    for step in (attestation_resend, attestation_cancel):
        with pytest.raises(LearningRefused) as refused:
            step(actor=demo.enrolment.learner, attestation=attestation)
        assert refused.value.code == "not_requested"
    assert (_counts(), _states()) == before


@pytest.mark.parametrize("who", ["other_learner", "assessor", "anonymous"])
def test_only_the_learner_resends_or_cancels(world: Any, demo: Any, who: str) -> None:
    attestation = _ask(demo)
    actor = f.UserFactory() if who == "other_learner" else getattr(world, who)
    before = (_counts(), _states(), Attestation.objects.get().token_hash)
    for step in (attestation_resend, attestation_cancel):
        with pytest.raises(PermissionDenied):
            step(actor=actor, attestation=attestation)
    assert (_counts(), _states(), Attestation.objects.get().token_hash) == before


def test_the_learner_cancels(demo: Any) -> None:
    attestation = _ask(demo)
    attestation_cancel(actor=demo.enrolment.learner, attestation=attestation)
    attestation.refresh_from_db()
    assert attestation.state == Attestation.State.CANCELLED
    entry = AuditEntry.objects.get(action="learning.attestation_cancel")
    assert entry.actor == demo.enrolment.learner


# --- secrets -------------------------------------------------------------------------------


def test_no_token_is_stored_anywhere(demo: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attestation = _ask(demo)
    first = attestation_token(attestation)
    with django_capture_on_commit_callbacks(execute=True):
        attestation_resend(actor=demo.enrolment.learner, attestation=attestation)
    attestation.refresh_from_db()
    second = attestation_token(attestation)
    with django_capture_on_commit_callbacks(execute=True):
        attestation_answer(token=second, confirmed=False, comment="Not quite.")
    stored = [
        repr(row)
        for model in (AuditEntry, Notification, Attestation)
        for row in model.objects.values()
    ]
    for token in (first, second):
        assert not any(token in text for text in stored)


def test_the_audit_log_never_holds_the_supervisor_s_address(demo: Any) -> None:
    learner = demo.enrolment.learner
    cancelled = _ask(demo)
    attestation_resend(actor=learner, attestation=cancelled)
    attestation_cancel(actor=learner, attestation=cancelled)
    answered = _ask(demo, email="Other.Supervisor@Example.org")
    attestation_answer(token=attestation_token(answered), confirmed=True, comment="Yes.")
    entries = AuditEntry.objects.filter(action__startswith="learning.attestation_")
    assert sorted(entries.values_list("action", flat=True)) == [
        "learning.attestation_answer",
        "learning.attestation_cancel",
        "learning.attestation_request",
        "learning.attestation_request",
        "learning.attestation_resend",
    ]
    # The target names the attestation, which knows the address.
    assert {e.target for e in entries} == {
        f"learning.attestation:{cancelled.pk}",
        f"learning.attestation:{answered.pk}",
    }
    stored = repr(list(AuditEntry.objects.values_list("data", flat=True))).lower()
    assert "pat.manager" not in stored
    assert "other.supervisor" not in stored


def test_deleting_the_account_leaves_no_supervisor_address_behind(demo: Any) -> None:
    from mosaics.accounts.actions import account_delete

    learner = demo.enrolment.learner
    attestation = _ask(demo)
    attestation_resend(actor=learner, attestation=attestation)
    account_delete(actor=learner, password=f.PASSWORD)
    assert not Attestation.objects.exists()
    stored = repr(list(AuditEntry.objects.values_list("data", "target"))).lower()
    assert "pat.manager" not in stored


def test_the_supervisor_never_sees_the_username(world: Any) -> None:
    person = f.UserFactory(username="sam.learner", first_name="", last_name="")
    assert learner_name(person) == "the learner"
    person.legal_name = "Samantha Learner"
    assert learner_name(person) == "Samantha Learner"


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


def _at_once(*steps: Any) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(steps))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(step: Any) -> None:
        try:
            barrier.wait()
            results.append(step())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_a_link_used_twice_at_once_is_answered_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    version = b.learning_version()
    learner = f.UserFactory()
    demo = b.demonstration(b.enrolment(learner, version), version.competencies.first())
    token = attestation_token(_ask(demo))
    results, errors = _at_once(
        lambda: attestation_answer(token=token, confirmed=True),
        lambda: attestation_answer(token=token, confirmed=False, comment="No."),
    )
    assert len(results) == 1
    assert [getattr(error, "code", None) for error in errors] == ["answered"]
    assert AuditEntry.objects.filter(action="learning.attestation_answer").count() == 1
    assert Notification.objects.filter(kind=notifications.ATTESTATION_ANSWERED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    version = b.learning_version()
    learner = f.UserFactory()
    demo = b.demonstration(b.enrolment(learner, version), version.competencies.first())
    results, errors = _at_once(
        lambda: _ask(demo, email="one@example.org"),
        lambda: _ask(demo, email="two@example.org"),
    )
    assert len(results) == 1
    assert [getattr(error, "code", None) for error in errors] == ["open"]
    assert Attestation.objects.count() == 1
    assert AuditEntry.objects.filter(action="learning.attestation_request").count() == 1
