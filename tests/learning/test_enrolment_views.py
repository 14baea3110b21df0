"""The enrolment pages: My learning, enrolling from the catalogue, the personal pathway,
withdrawing, and the staff's enrolment settings — for each role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.models import MicroCredential, Version
from mosaics.learning.models import Assessment, CompetencyScore, Enrolment, Submission
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b
from tests.personas import client_for

pytestmark = pytest.mark.django_db

NOT_ENROLLED = ("assessor", "designer", "tlc_admin", "other_admin", "platform_admin")


def _state() -> tuple[Any, ...]:
    return (
        list(Enrolment.objects.values_list("pk", "state", "route").order_by("pk")),
        list(Submission.objects.values_list("pk", "state").order_by("pk")),
        list(
            MicroCredential.objects.values_list(
                "pk", "capacity", "enrolment_opens", "enrolment_closes"
            ).order_by("pk")
        ),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def version(world: Any) -> Version:
    return b.learning_version(world.issuer, title="Data Storytelling")


@pytest.fixture
def slug(version: Version) -> str:
    return version.micro_credential.slug


def _set(version: Version, **fields: Any) -> None:
    MicroCredential.objects.filter(pk=version.micro_credential_id).update(**fields)


# --- My learning ---------------------------------------------------------------------------


def test_my_learning_needs_signing_in(client: Client) -> None:
    response = client.get(reverse("learning:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_learning_empty_points_to_the_catalogue(world: Any, client: Client) -> None:
    response = client_for(client, world.learner).get(reverse("learning:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are not enrolled in any micro-credential yet." in page
    assert reverse("catalogue:index") in page


def test_my_learning_groups_the_enrolments(world: Any, client: Client) -> None:
    working = b.learning_version(world.issuer, title="Working One")
    waiting = b.learning_version(world.issuer, title="Waiting One")
    earned = b.learning_version(world.issuer, title="Earned One")
    left = b.learning_version(world.issuer, title="Left One")
    enrolment = b.enrolment(world.learner, working)
    b.demonstration(enrolment, working.competencies.first())
    b.enrolment(f.UserFactory(), waiting, state="waitlisted")  # ahead in line
    b.enrolment(world.learner, waiting, state="waitlisted")
    b.enrolment(world.learner, earned, state="awarded")
    b.enrolment(world.learner, left, state="withdrawn")
    b.enrolment(world.assessor, b.learning_version(world.issuer, title="Someone Else's"))

    response = client_for(client, world.learner).get(reverse("learning:mine"))
    page = response.content.decode()
    groups = response.context["groups"]
    assert [e.version.title for e in groups["working"]] == ["Working One"]
    assert [e.version.title for e in groups["waiting"]] == ["Waiting One"]
    assert [e.version.title for e in groups["earned"]] == ["Earned One"]
    assert [e.version.title for e in groups["closed"]] == ["Left One"]
    assert "1 of 2 competencies demonstrated" in page
    assert "Number 2 in line" in page
    assert "Someone Else" not in page
    for title in ("Working on", "On the waiting list", "Earned", "Withdrawn or not met"):
        assert title in page
    assert reverse("learning:enrolment", kwargs={"slug": working.micro_credential.slug}) in page


# --- enrol ---------------------------------------------------------------------------------


def test_enrol_from_the_catalogue(world: Any, client: Client, slug: str) -> None:
    client = client_for(client, world.learner)
    response = client.post(
        reverse("learning:enrol", kwargs={"slug": slug}), {"route": "prior_learning"}, follow=True
    )
    assert response.redirect_chain == [(reverse("learning:enrolment", kwargs={"slug": slug}), 302)]
    assert "You are enrolled in “Data Storytelling”" in _messages(response)[0]
    enrolment = Enrolment.objects.get(learner=world.learner)
    assert (enrolment.state, enrolment.route) == ("active", "prior_learning")


def test_enrol_when_full_says_the_place_in_line(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    _set(version, capacity=1)
    b.enrolment(f.UserFactory(), version)
    b.enrolment(f.UserFactory(), version, state="waitlisted")
    response = client_for(client, world.learner).post(
        reverse("learning:enrol", kwargs={"slug": slug}), {"route": "standard"}, follow=True
    )
    assert "you are on the waiting list: number 2" in _messages(response)[0]
    assert "number 2 in line for a place" in response.content.decode()
    assert Enrolment.objects.get(learner=world.learner).state == "waitlisted"


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ({"enrolment_closes": -1}, "has closed"),
        ({"enrolment_opens": 2}, "Enrolment opens on"),
        ({"already": "active"}, "already enrolled"),
        ({"already": "waitlisted"}, "already on the waiting list"),
    ],
)
def test_refused_enrolment_goes_back_to_the_catalogue_page(
    world: Any, client: Client, version: Version, slug: str, setup: dict[str, Any], words: str
) -> None:
    now = timezone.now()
    if "already" in setup:
        b.enrolment(world.learner, version, state=setup["already"])
    else:
        _set(version, **{key: now + timedelta(days=days) for key, days in setup.items()})
    before = _state()
    response = client_for(client, world.learner).post(
        reverse("learning:enrol", kwargs={"slug": slug}), {"route": "standard"}, follow=True
    )
    assert response.redirect_chain == [(reverse("catalogue:detail", kwargs={"slug": slug}), 302)]
    assert words in _messages(response)[0]
    assert _state() == before


@pytest.mark.parametrize("data", [{}, {"route": "express"}, {"route": "\x00"}])
def test_enrol_without_a_route_is_refused(
    world: Any, client: Client, slug: str, data: dict[str, str]
) -> None:
    before = _state()
    response = client_for(client, world.learner).post(
        reverse("learning:enrol", kwargs={"slug": slug}), data, follow=True
    )
    assert response.status_code == 200
    assert "choose how you will earn" in _messages(response)[0]
    assert _state() == before


def test_anonymous_enrol_is_sent_to_sign_in_and_back(client: Client, world: Any, slug: str) -> None:
    before = _state()
    response = client.post(reverse("learning:enrol", kwargs={"slug": slug}), {"route": "standard"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" + reverse("catalogue:detail", kwargs={"slug": slug}) in response["Location"]
    assert _state() == before


def test_enrol_in_what_was_never_published_is_404(world: Any, client: Client) -> None:
    draft = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    client = client_for(client, world.learner)
    before = _state()
    for slug in (draft.micro_credential.slug, "no-such-thing"):
        url = reverse("learning:enrol", kwargs={"slug": slug})
        assert client.post(url, {"route": "standard"}).status_code == 404
    assert client.get(reverse("learning:enrol", kwargs={"slug": "x"})).status_code == 405
    assert _state() == before


def test_enrol_in_a_retired_micro_credential_says_so(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    Version.objects.filter(pk=version.pk).update(state=Version.State.RETIRED)
    before = _state()
    response = client_for(client, world.learner).post(
        reverse("learning:enrol", kwargs={"slug": slug}), {"route": "standard"}, follow=True
    )
    assert "not open for enrolment" in _messages(response)[0]
    assert _state() == before


# --- the catalogue page's enrol box -------------------------------------------------------


def test_catalogue_page_offers_enrolment(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    now = timezone.now()
    _set(version, capacity=3, enrolment_closes=now + timedelta(days=10))
    b.enrolment(f.UserFactory(), version)
    page = client.get(reverse("catalogue:detail", kwargs={"slug": slug})).content.decode()
    assert "2 of 3 left" in page
    assert "Enrolment closes" in page
    assert 'action="' + reverse("learning:enrol", kwargs={"slug": slug}) + '"' in page
    assert "Learn and demonstrate" in page
    assert "Recognition of prior learning" in page
    assert 'aria-describedby="enrol-route-prior_learning-help"' in page
    assert "You will be asked to sign in" in page


def test_catalogue_page_when_full_offers_the_waiting_list(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    _set(version, capacity=1)
    b.enrolment(f.UserFactory(), version)
    b.enrolment(f.UserFactory(), version, state="waitlisted")
    page = client_for(client, world.learner).get(reverse("catalogue:detail", kwargs={"slug": slug}))
    text = page.content.decode()
    assert "Full (1 place)" in text
    assert "1 learner waiting" in text
    assert "Join the waiting list" in text


def test_catalogue_page_when_enrolled_says_continue(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    b.enrolment(world.learner, version)
    page = client_for(client, world.learner).get(reverse("catalogue:detail", kwargs={"slug": slug}))
    text = page.content.decode()
    assert "You are enrolled." in text
    assert reverse("learning:enrolment", kwargs={"slug": slug}) in text
    assert reverse("learning:enrol", kwargs={"slug": slug}) not in text


def test_catalogue_page_when_closed_has_no_form(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    _set(version, enrolment_closes=timezone.now() - timedelta(days=1))
    text = client.get(reverse("catalogue:detail", kwargs={"slug": slug})).content.decode()
    assert "Enrolment for this micro-credential has closed." in text
    assert reverse("learning:enrol", kwargs={"slug": slug}) not in text


def test_catalogue_page_query_count_does_not_grow_with_enrolments(
    world: Any, client: Client, version: Version, slug: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(client, world.learner)
    url = reverse("catalogue:detail", kwargs={"slug": slug})
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(5):
        b.enrolment(f.UserFactory(), version)
        b.enrolment(f.UserFactory(), version, state="waitlisted")
    b.enrolment(world.learner, version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- the personal pathway ----------------------------------------------------------------


def test_pathway_shows_each_competency_and_what_remains(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    b.demonstration(enrolment, first)
    response = client_for(client, world.learner).get(
        reverse("learning:enrolment", kwargs={"slug": slug})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert first.statement in page
    assert second.statement in page
    assert "What you must demonstrate" in page
    assert "Passing level" in page
    assert "Version 1 submitted on" in page
    assert "Not started." in page
    assert f"Demonstrate “{second.statement}”" in page
    assert "Write your reflection" in page
    assert "Submit for assessment" in page
    assert reverse("learning:withdraw", kwargs={"slug": slug}) in page
    assert response.context["journey"].steps[0].status == "ready"


def test_pathway_shows_the_decision_and_feedback(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    first, second = version.competencies.order_by("position", "id")
    submission = b.submission(enrolment, state="returned")
    submission.decided_at = timezone.now()
    submission.save(update_fields=["decided_at"])
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=world.assessor,
        decision="revise",
        feedback="Please show how you cleaned the data.",
    )
    for competency, position in ((first, 2), (second, 0)):
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=competency.levels.get(position=position),
            feedback=f"Feedback on {competency.statement}.",
        )
    page = (
        client_for(client, world.learner)
        .get(reverse("learning:enrolment", kwargs={"slug": slug}))
        .content.decode()
    )
    assert "The assessors' decision" in page
    assert "Attempt 1: Returned for revision." in page
    assert "Please show how you cleaned the data." in page
    assert "Meets the level" in page
    assert "To revise" in page
    assert "level reached: Exemplary" in page
    assert f"Feedback on {second.statement}." in page
    assert f"Revise your demonstration of “{second.statement}”" in page


def test_pathway_for_the_waiting_list_shows_the_place_in_line(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    b.enrolment(f.UserFactory(), version, state="waitlisted")
    b.enrolment(f.UserFactory(), version, state="waitlisted")
    b.enrolment(world.learner, version, state="waitlisted")
    response = client_for(client, world.learner).get(
        reverse("learning:enrolment", kwargs={"slug": slug})
    )
    assert response.context["position"] == 3
    page = response.content.decode()
    assert "you are number 3 in line for a place" in page
    assert "Leave the waiting list" in page


def test_pathway_of_a_withdrawn_learner_offers_to_enrol_again(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    enrolment = b.enrolment(world.learner, version, state="withdrawn")
    b.demonstration(enrolment, version.competencies.first())
    page = (
        client_for(client, world.learner)
        .get(reverse("learning:enrolment", kwargs={"slug": slug}))
        .content.decode()
    )
    assert "Version 1 submitted on" in page
    assert "Enrol again" in page
    assert reverse("learning:withdraw", kwargs={"slug": slug}) not in page


@pytest.mark.parametrize("person", ["other_learner", *NOT_ENROLLED])
def test_pathway_of_someone_not_enrolled_offers_enrolment_and_shows_nothing_private(
    world: Any, client: Client, version: Version, slug: str, person: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    b.demonstration(enrolment, version.competencies.first(), narrative="My private narrative")
    user = f.UserFactory() if person == "other_learner" else world.people[person]
    response = client_for(client, user).get(reverse("learning:enrolment", kwargs={"slug": slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are not enrolled in this micro-credential." in page
    assert reverse("learning:enrol", kwargs={"slug": slug}) in page
    assert "My private narrative" not in page
    assert "journey" not in response.context


def test_pathway_needs_signing_in(client: Client, world: Any, slug: str) -> None:
    response = client.get(reverse("learning:enrolment", kwargs={"slug": slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_pathway_of_a_design_never_published_is_404(world: Any, client: Client) -> None:
    draft = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    client = client_for(client, world.designer)
    for slug in (draft.micro_credential.slug, "no-such-thing"):
        assert client.get(reverse("learning:enrolment", kwargs={"slug": slug})).status_code == 404


def test_pathway_page_query_count_does_not_grow_with_competencies(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    client = client_for(client, world.learner)
    counts = []
    for competencies in (1, 5):
        version = b.learning_version(world.issuer, competencies=competencies)
        enrolment = b.enrolment(world.learner, version)
        submission = b.submission(enrolment, state="returned")
        Assessment.objects.create(submission=submission, decision="revise", feedback="More.")
        for competency in version.competencies.all():
            b.demonstration(enrolment, competency, submitted=False, number=2)
        url = reverse("learning:enrolment", kwargs={"slug": version.micro_credential.slug})
        client.get(url)
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- withdraw -------------------------------------------------------------------------------


def test_withdraw_asks_then_withdraws(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    b.submission(enrolment)
    client = client_for(client, world.learner)
    url = reverse("learning:withdraw", kwargs={"slug": slug})
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Withdraw from “Data Storytelling”?" in page
    assert "attempt 1" in page
    assert Enrolment.objects.get(pk=enrolment.pk).state == "active"

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("learning:enrolment", kwargs={"slug": slug}), 302)]
    assert "You have withdrawn" in _messages(response)[0]
    assert Enrolment.objects.get(pk=enrolment.pk).state == "withdrawn"
    assert Submission.objects.get().state == "withdrawn"


def test_withdraw_when_not_enrolled_any_more(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    b.enrolment(world.learner, version, state="withdrawn")
    before = _state()
    response = client_for(client, world.learner).post(
        reverse("learning:withdraw", kwargs={"slug": slug}), follow=True
    )
    assert "nothing to withdraw" in _messages(response)[0]
    assert _state() == before


@pytest.mark.parametrize("person", ["other_learner", *NOT_ENROLLED])
def test_nobody_else_withdraws_the_learner(
    world: Any, client: Client, version: Version, slug: str, person: str
) -> None:
    b.enrolment(world.learner, version)
    user = f.UserFactory() if person == "other_learner" else world.people[person]
    client = client_for(client, user)
    url = reverse("learning:withdraw", kwargs={"slug": slug})
    before = _state()
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert _state() == before


def test_anonymous_withdraw_is_sent_to_sign_in(
    client: Client, world: Any, version: Version, slug: str
) -> None:
    b.enrolment(world.learner, version)
    before = _state()
    response = client.post(reverse("learning:withdraw", kwargs={"slug": slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _state() == before


# --- enrolment settings -------------------------------------------------------------------


@pytest.mark.parametrize("person", ["designer", "tlc_admin", "platform_admin"])
def test_settings_page_lists_enrolled_and_waiting(
    world: Any, client: Client, version: Version, slug: str, person: str
) -> None:
    _set(version, capacity=2)
    one = f.UserFactory(display_name="Ada Enrolled")
    b.enrolment(one, version)
    now = timezone.now()
    later = f.UserFactory(display_name="Zed Waiting")
    first = f.UserFactory(display_name="Bea Waiting")
    Enrolment.objects.create(
        learner=later,
        micro_credential=version.micro_credential,
        version=version,
        state="waitlisted",
        requested_at=now,
    )
    Enrolment.objects.create(
        learner=first,
        micro_credential=version.micro_credential,
        version=version,
        state="waitlisted",
        requested_at=now - timedelta(hours=1),
    )
    response = client_for(client, world.people[person]).get(
        reverse("learning:enrolment_settings", kwargs={"slug": slug})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ada Enrolled" in page
    assert one.email in page
    assert page.index("Bea Waiting") < page.index("Zed Waiting")
    assert [e.learner for e in response.context["waiting"]] == [first, later]
    counts = {row["state"]: row["count"] for row in response.context["counts"]}
    assert counts["active"] == 1
    assert counts["waitlisted"] == 2
    assert response.context["places_left"] == 1
    assert 'type="datetime-local"' in page


def test_settings_save_and_fill_the_waiting_list(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    _set(version, capacity=0)
    waiting = b.enrolment(world.learner, version, state="waitlisted")
    response = client_for(client, world.designer).post(
        reverse("learning:enrolment_settings", kwargs={"slug": slug}),
        {"capacity": "5", "opens": "2030-01-10T09:00", "closes": "2030-02-10T17:30"},
        follow=True,
    )
    assert "The enrolment settings are saved." in _messages(response)[0]
    micro_credential = MicroCredential.objects.get(slug=slug)
    assert micro_credential.capacity == 5
    opens = timezone.localtime(micro_credential.enrolment_opens)
    assert (opens.year, opens.month, opens.day, opens.hour, opens.minute) == (2030, 1, 10, 9, 0)
    assert micro_credential.enrolment_closes > micro_credential.enrolment_opens
    waiting.refresh_from_db()
    assert waiting.state == "active"
    # The form shows what was saved.
    assert 'value="2030-01-10T09:00"' in response.content.decode()


def test_settings_empty_means_no_limit_and_no_window(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    _set(version, capacity=3, enrolment_opens=timezone.now())
    response = client_for(client, world.designer).post(
        reverse("learning:enrolment_settings", kwargs={"slug": slug}),
        {"capacity": "", "opens": "", "closes": ""},
    )
    assert response.status_code == 302
    micro_credential = MicroCredential.objects.get(slug=slug)
    assert (micro_credential.capacity, micro_credential.enrolment_opens) == (None, None)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"capacity": "-1"}, "capacity", "greater than or equal to 0"),
        ({"capacity": "lots"}, "capacity", "whole number"),
        ({"capacity": "99999999999999999999"}, "capacity", "less than or equal to"),
        (
            {"opens": "2030-02-10T09:00", "closes": "2030-01-10T09:00"},
            "closes",
            "close after it opens",
        ),
        ({"opens": "2030-02-10T09:00", "closes": "2030-02-10T09:00"}, "closes", "close after"),
        ({"opens": "next tuesday"}, "opens", "valid date/time"),
        ({"closes": "2030-13-45T25:61"}, "closes", "valid date/time"),
        ({"opens": "\x00"}, "opens", ""),
    ],
)
def test_settings_bad_input_saves_nothing(
    world: Any,
    client: Client,
    version: Version,
    slug: str,
    data: dict[str, str],
    field: str,
    words: str,
) -> None:
    before = _state()
    response = client_for(client, world.designer).post(
        reverse("learning:enrolment_settings", kwargs={"slug": slug}), data
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert words in " ".join(form.errors[field])
    page = response.content.decode()
    assert "Nothing was changed" in page
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in page or (
        f'aria-describedby="id_{field}_error' in page
    )
    assert _state() == before


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("reviewer", 403),  # sees the design, may not manage enrolment
        ("assessor", 404),
        ("learner", 404),
        ("endorser", 404),
        ("other_admin", 404),
        ("other_designer", 404),
    ],
)
def test_settings_refused_to_everyone_else(
    world: Any, client: Client, version: Version, slug: str, person: str, status: int
) -> None:
    b.enrolment(f.UserFactory(display_name="Private Person"), version)
    client = client_for(client, world.people[person])
    url = reverse("learning:enrolment_settings", kwargs={"slug": slug})
    before = _state()
    response = client.get(url)
    assert response.status_code == status
    assert b"Private Person" not in response.content
    assert client.post(url, {"capacity": "1"}).status_code == status
    assert _state() == before


def test_settings_need_signing_in(client: Client, world: Any, slug: str) -> None:
    before = _state()
    url = reverse("learning:enrolment_settings", kwargs={"slug": slug})
    for response in (client.get(url), client.post(url, {"capacity": "1"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert _state() == before


def test_settings_of_an_unknown_micro_credential_is_404(world: Any, client: Client) -> None:
    url = reverse("learning:enrolment_settings", kwargs={"slug": "no-such-thing"})
    assert client_for(client, world.designer).get(url).status_code == 404


def test_design_page_links_to_the_enrolment_settings(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    url = reverse("catalogue:design", kwargs={"slug": slug, "number": version.number})
    settings_url = reverse("learning:enrolment_settings", kwargs={"slug": slug})
    assert settings_url in client_for(client, world.designer).get(url).content.decode()
    reviewer = Client()
    reviewer.force_login(world.reviewer)
    assert settings_url not in reviewer.get(url).content.decode()


def test_pathway_offers_to_ask_a_supervisor_for_a_submitted_demonstration(
    world: Any, client: Client, version: Version, slug: str
) -> None:
    enrolment = b.enrolment(world.learner, version)
    demo = b.demonstration(enrolment, version.competencies.order_by("position", "id").first())
    page = (
        client_for(client, world.learner)
        .get(reverse("learning:enrolment", kwargs={"slug": slug}))
        .content.decode()
    )
    assert "Not requested" in page
    assert reverse("learning:attestation_request", kwargs={"uuid": demo.uuid}) in page
