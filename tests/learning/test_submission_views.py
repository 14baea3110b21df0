"""The learner's pages: reflection, review and submit, one submission, withdraw, route."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.learning.models import (
    Assessment,
    CompetencyScore,
    Demonstration,
    Enrolment,
    Reflection,
    ReflectionAnswer,
    Submission,
)
from tests import factories as f
from tests.learning import builders as b


@pytest.fixture
def setup(world: Any) -> Any:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    return version, enrolment


def _slug(enrolment: Any) -> str:
    return enrolment.micro_credential.slug


def _urls(enrolment: Any) -> dict[str, str]:
    slug = _slug(enrolment)
    return {
        "reflection": reverse("learning:reflection", kwargs={"slug": slug}),
        "submit": reverse("learning:submit", kwargs={"slug": slug}),
        "submission": reverse("learning:submission", kwargs={"slug": slug, "number": 1}),
        "route": reverse("learning:route", kwargs={"slug": slug}),
    }


def _ready(enrolment: Any) -> None:
    for competency in enrolment.version.competencies.all():
        b.demonstration(enrolment, competency, submitted=False)
    b.reflection(enrolment, submitted=False)


def _state(enrolment: Any) -> Any:
    return (
        list(Submission.objects.filter(enrolment=enrolment).values_list("number", "state")),
        list(Demonstration.objects.filter(enrolment=enrolment).values_list("pk", "state")),
        list(
            ReflectionAnswer.objects.filter(reflection__enrolment=enrolment).values_list(
                "reflection__number", "reflection__state", "answer"
            )
        ),
        Enrolment.objects.filter(pk=enrolment.pk).values_list("route", flat=True).get(),
        AuditEntry.objects.count(),
    )


# --- who sees the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["reflection", "submit", "submission", "route"])
def test_signed_out_visitors_are_sent_to_sign_in(client: Any, setup: Any, page: str) -> None:
    _, enrolment = setup
    b.submission(enrolment)
    url = _urls(enrolment)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["other_learner", "assessor", "tlc_admin", "other_admin"])
@pytest.mark.parametrize("page", ["reflection", "submit", "submission", "route"])
def test_nobody_else_sees_the_learners_pages(
    client: Any, world: Any, setup: Any, who: str, page: str
) -> None:
    _version, enrolment = setup
    b.submission(enrolment)
    if who == "other_learner":
        person = f.UserFactory()
        b.enrolment(person, b.learning_version(world.issuer))
    else:
        person = getattr(world, who)
    client.force_login(person)
    assert client.get(_urls(enrolment)[page]).status_code == 404


def test_an_unknown_attempt_or_micro_credential_is_not_found(
    client: Any, world: Any, setup: Any
) -> None:
    _, enrolment = setup
    client.force_login(world.learner)
    slug = _slug(enrolment)
    assert (
        client.get(reverse("learning:submission", kwargs={"slug": slug, "number": 7})).status_code
        == 404
    )
    assert (
        client.get(reverse("learning:submit", kwargs={"slug": "nothing-here"})).status_code == 404
    )


@pytest.mark.parametrize("who", ["anonymous", "other_learner", "assessor"])
def test_nobody_else_posts(client: Any, world: Any, setup: Any, who: str) -> None:
    version, enrolment = setup
    submission = b.submission(enrolment)
    if who == "other_learner":
        client.force_login(f.UserFactory())
    elif who == "assessor":
        client.force_login(world.assessor)
    before = _state(enrolment)
    slug = _slug(enrolment)
    prompt = version.reflection_prompts.first()
    posts = [
        (reverse("learning:reflection", kwargs={"slug": slug}), {f"answer_{prompt.pk}": "x"}),
        (reverse("learning:submit", kwargs={"slug": slug}), {"confirm": "on"}),
        (
            reverse("learning:submission_withdraw", kwargs={"slug": slug, "number": 1}),
            {},
        ),
        (reverse("learning:route", kwargs={"slug": slug}), {"route": "prior_learning"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == 404
    assert _state(enrolment) == before
    submission.refresh_from_db()
    assert submission.state == "submitted"


# --- the reflection --------------------------------------------------------------------------


def test_the_reflection_page_asks_each_prompt(client: Any, world: Any, setup: Any) -> None:
    version, enrolment = setup
    client.force_login(world.learner)
    response = client.get(_urls(enrolment)["reflection"])
    assert response.status_code == 200
    body = response.content.decode()
    for prompt in version.reflection_prompts.all():
        assert f'for="id_answer_{prompt.pk}">{prompt.text}</label>' in body
    assert "Save draft" in body
    assert "anyone you show the credential to" in body


def test_saving_the_reflection(client: Any, world: Any, setup: Any) -> None:
    version, enrolment = setup
    first, second = version.reflection_prompts.all()
    client.force_login(world.learner)
    response = client.post(
        _urls(enrolment)["reflection"],
        {
            f"answer_{first.pk}": "Cleaning data takes longest.",
            f"answer_{second.pk}": "Ask for the data earlier.",
            "summary": "Data into decisions.",
            "share_summary": "on",
        },
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get(enrolment=enrolment)
    assert reflection.state == "draft"
    assert reflection.share_summary is True
    assert reflection.answers.get(prompt=second).answer == "Ask for the data earlier."
    page = client.get(response["Location"]).content.decode()
    assert "Your reflection is saved." in page
    assert "Cleaning data takes longest." in page


@pytest.mark.parametrize(
    ("answer", "summary", "error"),
    [
        ("Typed \x00 with NUL", "", "Null characters are not allowed."),
        ("x" * 10_001, "", "Ensure this value has at most 10000 characters"),
        ("Typed answer", "y" * 2_001, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_reflection_input_keeps_what_was_typed(
    client: Any, world: Any, setup: Any, answer: str, summary: str, error: str
) -> None:
    version, enrolment = setup
    first, second = version.reflection_prompts.all()
    client.force_login(world.learner)
    before = _state(enrolment)
    response = client.post(
        _urls(enrolment)["reflection"],
        {f"answer_{first.pk}": answer, f"answer_{second.pk}": "Kept answer", "summary": summary},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    assert "Kept answer" in body
    assert 'aria-invalid="true"' in body
    assert _state(enrolment) == before


def test_a_frozen_reflection_is_shown_read_only_while_assessed(
    client: Any, world: Any, setup: Any
) -> None:
    _version, enrolment = setup
    b.submission(enrolment)
    client.force_login(world.learner)
    body = client.get(_urls(enrolment)["reflection"]).content.decode()
    assert "Save draft" not in body
    assert "cannot change now" in body
    assert "My answer to: What did you learn?" in body


def test_saving_while_assessed_is_refused_and_keeps_the_typing(
    client: Any, world: Any, setup: Any
) -> None:
    version, enrolment = setup
    b.submission(enrolment)
    first = version.reflection_prompts.first()
    client.force_login(world.learner)
    before = _state(enrolment)
    response = client.post(
        _urls(enrolment)["reflection"], {f"answer_{first.pk}": "Typed in another tab"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your reflection is with the assessors" in body
    assert "Typed in another tab" in body
    assert _state(enrolment) == before


def test_after_a_return_the_page_offers_a_new_version(client: Any, world: Any, setup: Any) -> None:
    version, enrolment = setup
    b.submission(enrolment, state="returned")
    first, second = version.reflection_prompts.all()
    client.force_login(world.learner)
    body = client.get(_urls(enrolment)["reflection"]).content.decode()
    assert "Save draft" in body
    assert "Reflections you have submitted" in body
    # The form starts from the frozen answers.
    assert "My answer to: What would you do differently?" in body
    client.post(
        _urls(enrolment)["reflection"],
        {f"answer_{first.pk}": "Better", f"answer_{second.pk}": "Also better"},
    )
    assert list(
        Reflection.objects.filter(enrolment=enrolment).order_by("number").values_list("state")
    ) == [("submitted",), ("draft",)]


# --- review and submit -----------------------------------------------------------------------


def test_the_review_page_lists_what_is_ready_and_missing(
    client: Any, world: Any, setup: Any
) -> None:
    version, enrolment = setup
    first, second = version.competencies.all()
    b.demonstration(enrolment, first, submitted=False, visibility="excluded")
    client.force_login(world.learner)
    response = client.get(_urls(enrolment)["submit"])
    assert response.status_code == 200
    body = response.content.decode()
    assert "draft version 1 will be submitted and frozen" in body
    assert "Missing" in body
    assert f"“{second.statement}”: there is no demonstration yet." in body
    assert "Missing: you have not written your reflection yet." in body
    assert "Only for the assessors" in body
    assert "Project report" in body
    assert "Learn and demonstrate" in body


def test_submitting_from_the_review_page(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    _ready(enrolment)
    client.force_login(world.learner)
    response = client.post(_urls(enrolment)["submit"], {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == _urls(enrolment)["submission"]
    submission = Submission.objects.get(enrolment=enrolment)
    assert submission.state == "submitted"
    body = client.get(response["Location"]).content.decode()
    assert "Your work is submitted for assessment." in body
    assert "Waiting for assessment" in body
    assert "Withdraw this submission" in body


def test_submitting_needs_the_confirmation(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    _ready(enrolment)
    client.force_login(world.learner)
    before = _state(enrolment)
    response = client.post(_urls(enrolment)["submit"], {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert _state(enrolment) == before


def test_submitting_without_a_reflection_lists_the_refusal(
    client: Any, world: Any, setup: Any
) -> None:
    _, enrolment = setup
    for competency in enrolment.version.competencies.all():
        b.demonstration(enrolment, competency, submitted=False)
    client.force_login(world.learner)
    before = _state(enrolment)
    response = client.post(_urls(enrolment)["submit"], {"confirm": "on"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You cannot submit yet" in body
    assert "Write your reflection." in body
    assert _state(enrolment) == before


def test_submitting_twice_from_two_tabs(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    _ready(enrolment)
    client.force_login(world.learner)
    assert client.post(_urls(enrolment)["submit"], {"confirm": "on"}).status_code == 302
    before = _state(enrolment)
    response = client.post(_urls(enrolment)["submit"], {"confirm": "on"})
    assert response.status_code == 400
    assert "already submitted" in response.content.decode()
    assert _state(enrolment) == before


# --- one submission --------------------------------------------------------------------------


def _assess(submission: Any, assessor: Any, *, decision: str, stage: str = "first") -> Any:
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=assessor,
        stage=stage,
        decision=decision,
        feedback=f"Overall feedback from {assessor.username}.",
    )
    for competency in submission.enrolment.version.competencies.all():
        levels = list(competency.levels.all())
        level = levels[0] if decision == "revise" else levels[-1]
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=level,
            feedback=f"On {competency.statement}: advice from {assessor.username}.",
        )
    return assessment


def test_a_returned_submission_says_what_to_improve(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    submission = b.submission(enrolment, state="returned")
    _assess(submission, world.assessor, decision="revise")
    client.force_login(world.learner)
    body = client.get(_urls(enrolment)["submission"]).content.decode()
    assert "Returned for revision" in body
    assert "What to improve" in body
    assert "Overall feedback from assessor." in body
    assert "advice from assessor" in body
    assert "below the level that passes" in body
    assert "Revise your work and submit again" in body
    assert "Withdraw this submission" not in body


def test_in_moderation_the_first_scores_stay_hidden(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    submission = b.submission(enrolment, state="in_moderation")
    _assess(submission, world.assessor, decision="meets")
    client.force_login(world.learner)
    body = client.get(_urls(enrolment)["submission"]).content.decode()
    assert "Waiting for a second assessor" in body
    assert "Overall feedback" not in body
    assert "advice from" not in body
    assert "Withdraw this submission" not in body


def test_a_moderated_decision_shows_the_moderators_assessment(
    client: Any, world: Any, setup: Any
) -> None:
    _, enrolment = setup
    submission = b.submission(enrolment, state="met")
    _assess(submission, world.assessor, decision="meets")
    _assess(submission, world.tlc_admin, decision="meets", stage="moderation")
    client.force_login(world.learner)
    body = client.get(_urls(enrolment)["submission"]).content.decode()
    assert "Meets the criteria" in body
    assert "Overall feedback from tlc_admin." in body
    assert "Overall feedback from assessor." not in body
    assert "What to improve" not in body


def test_withdrawing_from_the_page(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    submission = b.submission(enrolment)
    client.force_login(world.learner)
    url = reverse("learning:submission_withdraw", kwargs={"slug": _slug(enrolment), "number": 1})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response["Location"] == _urls(enrolment)["submission"]
    submission.refresh_from_db()
    assert submission.state == "withdrawn"
    body = client.get(response["Location"]).content.decode()
    assert "You withdrew your submission." in body
    assert "Withdraw this submission" not in body
    # A second press is refused with a message, nothing else changes.
    before = _state(enrolment)
    response = client.post(url, follow=True)
    assert "no longer waiting for assessment" in response.content.decode()
    assert _state(enrolment) == before


# --- the route -------------------------------------------------------------------------------


def test_the_route_page(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    client.force_login(world.learner)
    url = reverse("learning:route", kwargs={"slug": _slug(enrolment)})
    body = client.get(url).content.decode()
    assert "a badge you imported into your mosaic and that was verified" in body
    assert 'value="standard" id="id_route_0" required checked' in body
    assert "Save the route" in body


def test_switching_route(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    client.force_login(world.learner)
    url = reverse("learning:route", kwargs={"slug": _slug(enrolment)})
    submit = _urls(enrolment)["submit"]
    response = client.post(url, {"route": "prior_learning", "next": submit})
    assert response["Location"] == submit
    enrolment.refresh_from_db()
    assert enrolment.route == "prior_learning"
    body = client.get(submit).content.decode()
    assert "Your route is now: Recognition of prior learning." in body
    # An address elsewhere is never followed.
    response = client.post(url, {"route": "standard", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


@pytest.mark.parametrize("route", ["", "shortcut"])
def test_a_bad_route_is_refused_with_a_message(
    client: Any, world: Any, setup: Any, route: str
) -> None:
    _, enrolment = setup
    client.force_login(world.learner)
    before = _state(enrolment)
    response = client.post(
        reverse("learning:route", kwargs={"slug": _slug(enrolment)}), {"route": route}
    )
    assert response.status_code == 400
    assert "Please choose how you will earn this micro-credential." in response.content.decode()
    assert _state(enrolment) == before


def test_the_route_cannot_change_while_assessed(client: Any, world: Any, setup: Any) -> None:
    _, enrolment = setup
    b.submission(enrolment)
    client.force_login(world.learner)
    url = reverse("learning:route", kwargs={"slug": _slug(enrolment)})
    assert "Save the route" not in client.get(url).content.decode()
    before = _state(enrolment)
    response = client.post(url, {"route": "prior_learning"})
    assert response.status_code == 400
    assert "the route cannot change now" in response.content.decode()
    assert _state(enrolment) == before
