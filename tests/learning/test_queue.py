"""The assessor's queue: who sees it, what it lists (oldest first, filters), and a constant
number of queries however many submissions there are."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mosaics.learning import views_assessment
from mosaics.learning.models import Assessment, Attestation, Conflict, Submission
from tests import factories as f
from tests.learning import builders as b

QUEUE = "/assess/"


@pytest.fixture
def version(world: Any) -> Any:
    return b.learning_version(world.issuer, title="Data Storytelling")


def _submission(version: Any, *, name: str = "", days: int = 0, **kwargs: Any) -> Submission:
    learner = f.UserFactory(display_name=name) if name else f.UserFactory()
    submission = b.submission(b.enrolment(learner, version), **kwargs)
    if days:
        submission.submitted_at = timezone.now() - timedelta(days=days, hours=1)
        submission.save(update_fields=["submitted_at"])
    return submission


def _attest(demonstration: Any, state: str) -> None:
    Attestation.objects.create(
        demonstration=demonstration,
        supervisor_name="Dana",
        supervisor_email="dana@example.org",
        state=state,
        nonce=secrets.token_hex(8),
        token_hash=secrets.token_hex(32),
        expires_at=timezone.now() + timedelta(days=7),
    )


def _names(response: Any) -> list[str]:
    return [row.submission.enrolment.learner.name for row in response.context["rows"]]


def test_the_url_is_the_one_the_navigation_names():
    assert reverse("learning:queue") == QUEUE


@pytest.mark.parametrize(
    ("person", "status"),
    [("learner", 403), ("designer", 403), ("reviewer", 403), ("endorser", 403)],
)
def test_people_who_do_not_assess_are_refused(client, world, person, status):
    client.force_login(world.people[person])
    assert client.get(QUEUE).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_assessors_see_waiting_submissions_oldest_first(client, world, version):
    newest = _submission(version, name="Newest Learner", days=1)
    oldest = _submission(version, name="Oldest Learner", days=20)
    middle = _submission(version, name="Middle Learner", days=8)
    middle_state = Submission.objects.filter(pk=middle.pk)
    middle_state.update(state="in_moderation")
    Assessment.objects.create(
        submission=middle, stage="first", assessor=world.tlc_admin, decision="meets"
    )
    _submission(version, name="Returned Learner", state="returned")
    elsewhere = b.learning_version(world.other_issuer)
    _submission(elsewhere, name="Elsewhere Learner")
    client.force_login(world.assessor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert _names(response) == ["Oldest Learner", "Middle Learner", "Newest Learner"]
    page = response.content.decode()
    assert "Data Storytelling" in page
    assert reverse("learning:assess", kwargs={"uuid": oldest.uuid}) in page
    assert "20 days ago" in page
    assert f"first assessed by {world.tlc_admin.name}" in page
    assert "Elsewhere Learner" not in page
    assert newest.uuid


def test_institution_admins_see_their_schools_and_other_institutions_see_none(
    client, world, version
):
    _submission(version, name="School Learner")
    client.force_login(world.tlc_admin)
    assert _names(client.get(QUEUE)) == ["School Learner"]
    client.force_login(world.other_admin)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert _names(response) == []
    assert "No submission is waiting for assessment." in response.content.decode()


def test_own_submissions_and_declared_conflicts_are_left_out(client, world, version):
    _submission(version, name="Fine Learner")
    conflicted = _submission(version, name="Niece Learner")
    Conflict.objects.create(assessor=world.assessor, learner=conflicted.enrolment.learner)
    b.submission(b.enrolment(world.assessor, version))  # the assessor's own
    client.force_login(world.assessor)
    assert _names(client.get(QUEUE)) == ["Fine Learner"]
    # Another assessor sees all three.
    client.force_login(world.tlc_admin)
    assert len(_names(client.get(QUEUE))) == 3


def test_filters_by_micro_credential_state_and_age(client, world, version):
    other = b.learning_version(world.issuer, title="Budgeting Basics")
    _submission(version, name="Fresh", days=2)
    _submission(version, name="Week Old", days=9)
    _submission(version, name="Month Old", days=40)
    _submission(other, name="Other Course", days=3)
    _submission(version, name="Met Already", state="met", days=50)
    _submission(version, name="Did Not Meet", state="not_met", days=45)
    _submission(version, name="Sent Back", state="returned", days=5)
    client.force_login(world.assessor)

    def names(**query: Any) -> list[str]:
        response = client.get(QUEUE, query)
        assert response.status_code == 200
        return _names(response)

    mc = version.micro_credential_id
    assert names() == ["Month Old", "Week Old", "Other Course", "Fresh"]
    assert names(micro_credential=mc) == ["Month Old", "Week Old", "Fresh"]
    assert names(micro_credential=other.micro_credential_id) == ["Other Course"]
    assert names(age="7") == ["Month Old", "Week Old"]
    assert names(age="30") == ["Month Old"]
    assert names(state="returned") == ["Sent Back"]
    assert names(state="met") == ["Met Already"]
    assert names(state="not_met") == ["Did Not Meet"]
    assert names(state="all", age="30") == ["Met Already", "Did Not Meet", "Month Old"]
    # What does not parse is ignored, never a server error.
    assert names(micro_credential="x", state="nope", age="9999999999999999999999") == names()
    assert names(page="999") == names()
    # The filter offers the micro-credentials by title.
    page = client.get(QUEUE).content.decode()
    assert "Budgeting Basics" in page


def test_attestation_status_and_moderation_in_words(client, world):
    version = b.learning_version(world.issuer, competencies=3, second_assessor_required=True)
    submission = _submission(version, name="Attested Learner")
    first, second, third = submission.demonstrations.order_by("competency__position")
    _attest(first, "confirmed")
    _attest(second, "confirmed")
    _attest(third, "disputed")
    client.force_login(world.assessor)
    page = client.get(QUEUE).content.decode()
    assert "2 of 3 confirmed, 1 disputed" in page
    assert "Needed after the first assessment" in page

    Submission.objects.filter(pk=submission.pk).update(state="in_moderation")
    Assessment.objects.create(
        submission=submission, stage="first", assessor=world.assessor, decision="meets"
    )
    page = client.get(QUEUE).content.decode()
    assert "Needs a second assessor (you made the first assessment)" in page


def test_the_queue_is_paginated(client, world, version, monkeypatch):
    monkeypatch.setattr(views_assessment, "PAGE_SIZE", 2)
    for days in (5, 4, 3):
        _submission(version, name=f"Learner {days}", days=days)
    client.force_login(world.assessor)
    first = client.get(QUEUE)
    assert _names(first) == ["Learner 5", "Learner 4"]
    assert "Page 1 of 2" in first.content.decode()
    assert _names(client.get(QUEUE, {"page": "2"})) == ["Learner 3"]


def _fill(version: Any, world: Any, count: int) -> None:
    for n in range(count):
        submission = _submission(version, days=n % 40)
        demonstration = submission.demonstrations.first()
        _attest(demonstration, ("confirmed", "disputed", "requested")[n % 3])
        if n % 4 == 0:
            Submission.objects.filter(pk=submission.pk).update(state="in_moderation")
            Assessment.objects.create(
                submission=submission, stage="first", assessor=world.tlc_admin, decision="meets"
            )


def _count_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"state": "all"})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    client, world, version, django_assert_max_num_queries
):
    client.force_login(world.assessor)
    _fill(version, world, 3)
    few = _count_queries(client)
    with django_assert_max_num_queries(few):
        response = client.get(QUEUE, {"state": "all"})
    assert len(response.context["rows"]) == 3

    _fill(version, world, 27)
    with django_assert_max_num_queries(few):
        response = client.get(QUEUE, {"state": "all"})
    assert len(response.context["rows"]) == 30
    assert few <= 15
