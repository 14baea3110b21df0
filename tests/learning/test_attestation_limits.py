"""Every supervisor request and resend e-mails someone who has no account, partly in the
learner's words, so they are budgeted: per competency of an enrolment across all versions of
its demonstration, per learner over 24 hours, and per recipient mailbox over 24 hours, whoever
sends. Counted from the Attestation rows and the audit log (resends), not from counters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.learning import notifications
from mosaics.learning.actions import attestation as attestation_actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.actions.attestation import (
    LIMIT_WINDOW,
    MAX_LEARNER_EMAILS_PER_DAY,
    MAX_RECIPIENT_EMAILS_PER_DAY,
    MAX_REQUESTS,
    MAX_RESENDS,
    attestation_cancel,
    attestation_request,
    attestation_resend,
)
from mosaics.learning.actions.demonstration import demonstration_revise, demonstration_submit
from mosaics.learning.models import Attestation, Demonstration
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b
from tests.personas import client_for

pytestmark = pytest.mark.django_db

DAILY = "You have sent the most supervisor requests allowed for today. Please try again tomorrow."


def _demonstrations(learner: Any, version: Any) -> list[Demonstration]:
    enrolment = b.enrolment(learner, version)
    return [b.demonstration(enrolment, c) for c in version.competencies.order_by("pk")]


def _ask(demo: Demonstration, email: str, **kwargs: Any) -> Attestation:
    return attestation_request(
        actor=demo.enrolment.learner,
        demonstration=demo,
        supervisor_name="Pat Manager",
        supervisor_email=email,
        message="Please confirm my work.",
        **kwargs,
    )


def _cancel(attestation: Attestation) -> None:
    attestation_cancel(actor=attestation.demonstration.enrolment.learner, attestation=attestation)


def _resend(attestation: Attestation, **kwargs: Any) -> Attestation:
    return attestation_resend(
        actor=attestation.demonstration.enrolment.learner, attestation=attestation, **kwargs
    )


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Attestation.objects.order_by("pk").values_list("state", "token_hash", "expires_at")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _sent() -> int:
    return Notification.objects.filter(kind=notifications.ATTESTATION_REQUESTED).count()


def _refused(code: str, step: Any) -> LearningRefused:
    before = _snapshot()
    with pytest.raises(LearningRefused) as refused:
        step()
    assert refused.value.code == code
    assert _snapshot() == before
    return refused.value


def test_the_limits_are_what_the_documentation_says() -> None:
    assert (MAX_REQUESTS, MAX_RESENDS) == (5, 3)
    assert (MAX_LEARNER_EMAILS_PER_DAY, MAX_RECIPIENT_EMAILS_PER_DAY) == (10, 5)
    assert timedelta(hours=24) == LIMIT_WINDOW


# --- per competency, across versions ----------------------------------------------------------


def test_revising_the_demonstration_gives_no_new_requests(world: Any) -> None:
    version = b.learning_version(world.issuer, competencies=2)
    demo, other = _demonstrations(world.learner, version)
    first = demo
    for n in range(MAX_REQUESTS):
        _cancel(_ask(demo, f"supervisor{n}@example.org"))
        demo = demonstration_revise(actor=world.learner, demonstration=demo)
        demo = demonstration_submit(actor=world.learner, demonstration=demo)
    assert demo.number == MAX_REQUESTS + 1
    for version_of_it in (demo, first):
        refused = _refused("limit", lambda d=version_of_it: _ask(d, "someone.new@example.org"))
        assert "the most supervisor requests allowed for this competency" in refused.message
    assert _sent() == MAX_REQUESTS
    # Another competency has a budget of its own.
    assert _ask(other, "someone.new@example.org").state == Attestation.State.REQUESTED


# --- per learner, over 24 hours ---------------------------------------------------------------


def test_a_learner_has_ten_supervisor_e_mails_a_day_requests_and_resends_together(
    world: Any,
) -> None:
    version = b.learning_version(world.issuer, competencies=3)
    one, two, three = _demonstrations(world.learner, version)
    first = _ask(one, "a@example.org")
    for _n in range(MAX_RESENDS):
        _resend(first)
    _cancel(first)
    _cancel(_ask(one, "b@example.org"))
    for name in ("c", "d", "e", "f"):
        _cancel(_ask(two, f"{name}@example.org"))
    last = _ask(three, "g@example.org")
    assert _sent() == MAX_LEARNER_EMAILS_PER_DAY

    refused = _refused("daily_limit", lambda: _ask(one, "h@example.org"))
    assert refused.message == DAILY
    _refused("daily_limit", lambda: _resend(last))

    # Another learner is not held back by this one.
    others = _demonstrations(f.UserFactory(), version)
    assert _ask(others[0], "h@example.org").state == Attestation.State.REQUESTED

    # A day later the learner may ask and send again.
    tomorrow = timezone.now() + LIMIT_WINDOW + timedelta(minutes=1)
    assert _ask(two, "h@example.org", now=tomorrow).state == Attestation.State.REQUESTED
    assert _resend(last, now=tomorrow).expires_at > tomorrow


def test_the_day_is_rolling_not_a_calendar_day(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(attestation_actions, "MAX_LEARNER_EMAILS_PER_DAY", 1)
    version = b.learning_version(world.issuer, competencies=2)
    one, two = _demonstrations(world.learner, version)
    start = timezone.now()
    _ask(one, "a@example.org", now=start)
    almost = start + LIMIT_WINDOW - timedelta(minutes=1)
    assert _refused("daily_limit", lambda: _ask(two, "b@example.org", now=almost)).message == DAILY
    assert _ask(two, "b@example.org", now=start + LIMIT_WINDOW).state == "requested"


# --- per recipient mailbox, over 24 hours, whoever sends ---------------------------------------


def test_a_mailbox_receives_at_most_five_supervisor_e_mails_a_day(world: Any) -> None:
    version = b.learning_version(world.issuer, competencies=1)
    demos = [_demonstrations(f.UserFactory(), version)[0] for _n in range(5)]
    first = _ask(demos[0], "boss@example.org")
    _resend(first)
    # Case and sub-addresses reach the same mailbox.
    for demo, email in zip(
        demos[1:4], ("Boss+a@Example.org", "BOSS+b@example.org", "boss+a@example.org"), strict=True
    ):
        _ask(demo, email)
    assert _sent() == MAX_RECIPIENT_EMAILS_PER_DAY

    refused = _refused("recipient_limit", lambda: _ask(demos[4], "boss+new@example.org"))
    assert refused.message == (
        "We cannot send another request to this e-mail address today. Please try again tomorrow."
    )
    _refused("recipient_limit", lambda: _resend(first))

    # Other mailboxes, even with similar names, are not affected.
    for email in ("boss.other@example.org", "xboss@example.org", "boss@example.org.test"):
        _cancel(_ask(demos[4], email))

    tomorrow = timezone.now() + LIMIT_WINDOW + timedelta(minutes=1)
    assert _ask(demos[4], "boss+new@example.org", now=tomorrow).state == "requested"
    assert _resend(first, now=tomorrow).expires_at > tomorrow


def test_old_requests_to_a_mailbox_do_not_count(world: Any) -> None:
    version = b.learning_version(world.issuer, competencies=1)
    demos = [_demonstrations(f.UserFactory(), version)[0] for _n in range(6)]
    long_ago = timezone.now() - LIMIT_WINDOW - timedelta(minutes=1)
    for demo in demos[:5]:
        _ask(demo, "boss@example.org", now=long_ago)
    assert _ask(demos[5], "boss@example.org").state == "requested"


# --- the pages say it in words -----------------------------------------------------------------


def test_the_request_page_says_the_day_s_limit_is_reached(
    client: Any, world: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(attestation_actions, "MAX_LEARNER_EMAILS_PER_DAY", 1)
    version = b.learning_version(world.issuer, competencies=2)
    one, two = _demonstrations(world.learner, version)
    _ask(one, "a@example.org")
    before = _snapshot()
    client_for(client, world.learner)
    url = reverse("learning:attestation_request", kwargs={"uuid": two.uuid})
    response = client.post(
        url, {"supervisor_name": "Dana Lead", "supervisor_email": "dana@example.org"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert DAILY in page
    assert 'value="Dana Lead"' in page
    assert _snapshot() == before


def test_sending_again_through_the_page_says_the_day_s_limit_is_reached(
    client: Any, world: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(attestation_actions, "MAX_LEARNER_EMAILS_PER_DAY", 1)
    version = b.learning_version(world.issuer, competencies=1)
    (demo,) = _demonstrations(world.learner, version)
    attestation = _ask(demo, "a@example.org")
    before = _snapshot()
    client_for(client, world.learner)
    url = reverse("learning:attestation_resend", kwargs={"uuid": attestation.uuid})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert DAILY in response.content.decode()
    assert _snapshot() == before
