"""The learning journey's e-mails, rendered for realistic rows: each kind in English and
French (the French catalogue comes later: it must render), plain text never HTML-escaped,
links absolute, the subject one line, the HTML accessible (lang, headings, link text)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from mosaics.learning import notifications as kinds
from mosaics.learning.models import Assessment, Attestation, CompetencyScore, Enrolment
from mosaics.learning.tokens import attestation_token, attestation_url, new_nonce, token_hash
from mosaics.notifications import registry
from mosaics.notifications.outbox import render
from tests import factories as f
from tests.learning import builders as b

pytestmark = pytest.mark.django_db

#: Characters that HTML escaping would turn into entities.
TRICKY = "O'Brien & <Sons>"
ENTITIES = re.compile(r"&(amp|lt|gt|quot|#x27|#39|#34);")


def _render(kind: str, target: Any, language: str = "en") -> tuple[str, str, str]:
    spec = registry.get(kind)
    assert spec is not None
    context = spec.context(target)
    assert context is not None, f"{kind} was cancelled for {target!r}"
    subject, body, html = render(spec, context, language)
    assert html is not None
    return subject, body, html


def _learner() -> Any:
    return f.UserFactory(display_name="Sam O'Neil & co", email="sam@example.org")


def _version(world: Any) -> Any:
    return b.learning_version(world.issuer, title=f"Data {TRICKY}")


def _attestation(enrolment: Enrolment, *, state: str = "requested", **fields: Any) -> Attestation:
    demonstration = b.demonstration(enrolment, enrolment.version.competencies.first())
    attestation = Attestation(
        demonstration=demonstration,
        supervisor_name="Pat Supervisor",
        supervisor_email="pat@example.org",
        supervisor_role="Manager",
        message="Could you confirm my data project? Thanks & regards",
        state=state,
        nonce=new_nonce(),
        requested_by=enrolment.learner,
        expires_at=timezone.now() + timedelta(days=14),
        **fields,
    )
    attestation.token_hash = token_hash(attestation_token(attestation))
    attestation.save()
    return attestation


def _assessed(world: Any, enrolment: Enrolment, *, state: str, decision: str) -> Any:
    submission = b.submission(enrolment, state=state)
    submission.decided_at = timezone.now()
    submission.save(update_fields=["decided_at"])
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=world.assessor,
        decision=decision,
        feedback="Say more about the data you chose & why.\nThen the trend.",
    )
    for n, competency in enumerate(enrolment.version.competencies.all()):
        levels = list(competency.levels.all())
        CompetencyScore.objects.create(
            assessment=assessment,
            competency=competency,
            level=levels[0] if n == 0 and decision != "meets" else levels[1],
            feedback=f"Feedback on competency {n + 1}: it's a start",
        )
    return submission


def _cases(world: Any) -> dict[str, tuple[str, Any]]:
    learner = _learner()
    version = _version(world)
    enrolment = b.enrolment(learner, version)
    other = b.enrolment(f.UserFactory(display_name="Lee"), b.learning_version(world.issuer))
    confirmed = _attestation(
        other, state="confirmed", comment="Yes, Lee did this & more.", answered_at=timezone.now()
    )
    disputed_enrolment = b.enrolment(
        f.UserFactory(display_name="Kim"), b.learning_version(world.issuer)
    )
    disputed = _attestation(disputed_enrolment, state="disputed", comment="I can't confirm it.")
    returned = b.enrolment(f.UserFactory(display_name="Ana"), b.learning_version(world.issuer))
    met = b.enrolment(f.UserFactory(display_name="Bo"), b.learning_version(world.issuer))
    not_met = b.enrolment(f.UserFactory(display_name="Cy"), b.learning_version(world.issuer))
    return {
        "enrolment": (kinds.ENROLMENT, enrolment),
        "attestation_requested": (kinds.ATTESTATION_REQUESTED, _attestation(enrolment)),
        "attestation_confirmed": (kinds.ATTESTATION_ANSWERED, confirmed),
        "attestation_disputed": (kinds.ATTESTATION_ANSWERED, disputed),
        "submission_returned": (
            kinds.SUBMISSION_RETURNED,
            _assessed(world, returned, state="returned", decision="revise"),
        ),
        "submission_met": (
            kinds.SUBMISSION_DECIDED,
            _assessed(world, met, state="met", decision="meets"),
        ),
        "submission_not_met": (
            kinds.SUBMISSION_DECIDED,
            _assessed(world, not_met, state="not_met", decision="not_met"),
        ),
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_kind_renders_plain_text_and_html(world: Any, language: str) -> None:
    for name, (kind, target) in _cases(world).items():
        subject, body, html = _render(kind, target, language)
        assert subject, name
        assert "\n" not in subject, name
        assert subject == subject.strip(), name
        assert len(subject) < 200, name
        # Plain text is never HTML-escaped, and holds no markup.
        assert not ENTITIES.search(subject), (name, subject)
        assert not ENTITIES.search(body), (name, body)
        assert "<p>" not in body, name
        assert "<a " not in body, name
        # Every link is absolute, to this site.
        links = re.findall(r"https?://\S+", body)
        assert links, name
        assert all(link.startswith(settings.SITE_URL) for link in links), (name, links)
        hrefs = re.findall(r'href="([^"]+)"', html)
        assert hrefs, name
        assert all(href.startswith(settings.SITE_URL) for href in hrefs), (name, hrefs)
        # Accessible HTML: the language, one main heading, links that say where they go.
        assert f'<html lang="{language}">' in html, name
        assert html.count("<h1") == 1, name
        assert re.search(r"<title>[^<]+</title>", html), name
        for text in re.findall(r"<a [^>]*>([^<]*)</a>", html):
            assert text.strip()
            assert text.strip().lower() not in ("here", "click here", "link")
        # What people typed is escaped in HTML, and only there.
        assert "<Sons>" not in html, name


def test_the_enrolment_email_says_enrolled(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    subject, body, html = _render(kinds.ENROLMENT, enrolment)
    assert subject == f"You are enrolled in “Data {TRICKY}”"
    assert "Hello, Sam O'Neil & co" in body
    assert world.issuer.name in body
    assert "What comes next" in body
    assert "waiting list" not in body
    url = f"{settings.SITE_URL}/learn/{enrolment.micro_credential.slug}/"
    assert url in body
    assert f'href="{url}"' in html
    assert "Data O&#x27;Brien &amp; &lt;Sons&gt;" in html


def test_the_enrolment_email_says_waiting_list(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world), state="waitlisted")
    subject, body, html = _render(kinds.ENROLMENT, enrolment)
    assert subject == f"You are on the waiting list for “Data {TRICKY}”"
    assert "you are on the waiting list" in body
    assert "What comes next" not in body
    assert "waiting list" in html


def test_the_enrolment_email_says_moved_from_the_waiting_list(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    enrolment.enrolled_at = enrolment.requested_at + timedelta(days=3)
    enrolment.save(update_fields=["enrolled_at"])
    subject, body, _html = _render(kinds.ENROLMENT, enrolment)
    assert subject == f"A place has opened: you are enrolled in “Data {TRICKY}”"
    assert "you have moved from the waiting list and you are now enrolled" in body
    assert "What comes next" in body


def test_the_attestation_request_tells_the_supervisor_what_and_until_when(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    attestation = _attestation(enrolment)
    subject, body, html = _render(kinds.ATTESTATION_REQUESTED, attestation)
    assert subject == f"Please confirm the work of Sam O'Neil & co for “Data {TRICKY}”"
    assert body.startswith("Hello, Pat Supervisor")
    assert "You have been asked by Sam O'Neil & co" in body
    assert world.issuer.name in body
    assert attestation.demonstration.competency.statement in body
    assert "They say they did this work at Prairie Analytics, as Analyst intern." in body
    assert "Could you confirm my data project? Thanks & regards" in body
    assert "What confirming means" in body
    assert "You do not need an account." in body
    assert attestation_url(attestation) in body
    assert f'href="{attestation_url(attestation)}"' in html
    assert "Read the demonstration of Sam O&#x27;Neil &amp; co and answer" in html
    expires = timezone.localtime(attestation.expires_at)
    assert str(expires.year) in body
    assert str(expires.day) in body
    assert "you can ignore this message" in body


def test_the_attestation_request_without_a_learner_name_never_shows_their_username(
    world: Any,
) -> None:
    learner = f.UserFactory(
        username="sam.secret", display_name="", first_name="", last_name="", legal_name=""
    )
    attestation = _attestation(b.enrolment(learner, _version(world)))
    subject, body, html = _render(kinds.ATTESTATION_REQUESTED, attestation)
    assert "the work of the learner" in subject
    assert "sam.secret" not in subject + body + html


def test_the_attestation_answer_tells_the_learner_confirmed_or_disputed(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    attestation = _attestation(
        enrolment, state="confirmed", comment="Sam did this & more.", answered_at=timezone.now()
    )
    subject, body, _html = _render(kinds.ATTESTATION_ANSWERED, attestation)
    assert subject == f"Pat Supervisor confirmed your work for “Data {TRICKY}”"
    assert "has confirmed your demonstration" in body
    assert "Sam did this & more." in body
    attestation.state = "disputed"
    attestation.save(update_fields=["state"])
    subject, body, html = _render(kinds.ATTESTATION_ANSWERED, attestation)
    assert subject == f"Pat Supervisor could not confirm your work for “Data {TRICKY}”"
    assert "cannot confirm your demonstration" in body
    assert "ask someone else to confirm it" in body
    assert "Sam did this &amp; more." in html


def test_the_returned_submission_says_what_to_improve(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    submission = _assessed(world, enrolment, state="returned", decision="revise")
    subject, body, html = _render(kinds.SUBMISSION_RETURNED, submission)
    assert subject == f"Your work for “Data {TRICKY}” has been returned for revision"
    assert "What to improve" in body
    assert "Say more about the data you chose & why.\nThen the trend." in body
    first, second = enrolment.version.competencies.all()
    assert first.statement in body
    assert second.statement in body
    assert "Level: Beginning (below the level that passes: Proficient)" in body
    assert "Level: Proficient" in body
    assert "Feedback on competency 1: it's a start" in body
    assert "submit again" in body
    assert "<h2" in html
    assert "Competency by competency" in html
    assert "Say more about the data you chose &amp; why.<br>Then the trend." in html


def test_the_decision_met_congratulates_and_announces_the_badge(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    submission = _assessed(world, enrolment, state="met", decision="meets")
    subject, body, _html = _render(kinds.SUBMISSION_DECIDED, submission)
    assert subject == f"Congratulations: you have met the criteria for “Data {TRICKY}”"
    assert "Congratulations!" in body
    assert "Your badge comes in a separate e-mail, with a link to claim it" in body
    assert "enrol again" not in body


def test_the_decision_not_met_gives_the_feedback_and_the_way_back(world: Any) -> None:
    enrolment = b.enrolment(_learner(), _version(world))
    submission = _assessed(world, enrolment, state="not_met", decision="not_met")
    subject, body, _html = _render(kinds.SUBMISSION_DECIDED, submission)
    assert subject == f"Your submission for “Data {TRICKY}” does not meet the criteria"
    assert "Say more about the data you chose & why." in body
    assert "Level: Beginning (below the level that passes: Proficient)" in body
    assert "You may enrol again when you are ready" in body
    assert "badge" not in body
