"""Attestation pages: the learner's request page (theirs alone), and the supervisor's page,
which needs no account, shows one demonstration only, works once and not after it expired,
and does not let its token leak."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.learning import notifications
from mosaics.learning.actions.attestation import (
    attestation_answer,
    attestation_cancel,
    attestation_request,
    attestation_resend,
)
from mosaics.learning.models import Attestation, EvidenceItem
from mosaics.learning.tokens import attestation_token
from mosaics.notifications.models import Notification
from tests import factories as f
from tests.learning import builders as b
from tests.personas import client_for

pytestmark = pytest.mark.django_db

NARRATIVE = "I **cleaned** the sales data. <script>alert('x')</script>"
OTHER_NARRATIVE = "A secret narrative about another competency."


@pytest.fixture
def demo(world: Any) -> Any:
    learner = world.learner
    learner.display_name = "Sam Learner"
    learner.email = "sam.private@example.org"
    learner.username = "sam_x9z"
    learner.save(update_fields=["display_name", "email", "username"])
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(learner, version)
    first, second = version.competencies.all()[:2]
    demo = b.demonstration(enrolment, first, narrative=NARRATIVE)
    b.demonstration(enrolment, second, narrative=OTHER_NARRATIVE)
    return demo


@pytest.fixture
def file_item(demo: Any) -> EvidenceItem:
    return EvidenceItem.objects.create(
        demonstration=demo,
        kind="file",
        title="Slides",
        file=ContentFile(b"%PDF-1.4 slides", name="random-name.pdf"),
        file_name="slides.pdf",
        content_type="application/pdf",
        size=15,
    )


def _ask(demo: Any) -> Attestation:
    return attestation_request(
        actor=demo.enrolment.learner,
        demonstration=demo,
        supervisor_name="Pat Manager",
        supervisor_email="pat@example.org",
        supervisor_role="Team lead",
        message="Thanks for supervising my data project.",
    )


def _attest_url(attestation: Attestation) -> str:
    return reverse("learning:attest", kwargs={"token": attestation_token(attestation)})


def _request_url(demo: Any) -> str:
    return reverse("learning:attestation_request", kwargs={"uuid": demo.uuid})


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Attestation.objects.order_by("pk").values_list("state", "comment", "token_hash")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _assert_private(response: Any) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


# --- the learner's request page --------------------------------------------------------------


def test_the_learner_sees_the_request_form(client: Any, demo: Any) -> None:
    response = client_for(client, demo.enrolment.learner).get(_request_url(demo))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="supervisor_email"' in page
    assert "Sam Learner" in page
    assert "No supervisor has been asked" in page


@pytest.mark.parametrize("who", ["other_learner", "assessor", "tlc_admin", "other_admin"])
def test_others_do_not_find_the_request_page(client: Any, world: Any, demo: Any, who: str) -> None:
    user = f.UserFactory() if who == "other_learner" else getattr(world, who)
    before = _snapshot()
    client_for(client, user)
    assert client.get(_request_url(demo)).status_code == 404
    response = client.post(
        _request_url(demo), {"supervisor_name": "X", "supervisor_email": "x@example.org"}
    )
    assert response.status_code == 404
    assert _snapshot() == before


def test_a_signed_out_visitor_is_asked_to_sign_in(client: Any, demo: Any) -> None:
    response = client.get(_request_url(demo))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_unknown_demonstration_is_not_found(client: Any, demo: Any) -> None:
    client_for(client, demo.enrolment.learner)
    url = reverse("learning:attestation_request", kwargs={"uuid": "00000000-0000-4000-8000-0000"
                                                                  "00000000"})  # fmt: skip
    assert client.get(url).status_code == 404


def test_the_learner_asks_through_the_page(client: Any, demo: Any) -> None:
    client_for(client, demo.enrolment.learner)
    response = client.post(
        _request_url(demo),
        {
            "supervisor_name": "Pat Manager",
            "supervisor_email": "Pat@Example.org",
            "supervisor_role": "Team lead",
            "message": "Hello Pat",
        },
    )
    assert response.status_code == 302
    attestation = Attestation.objects.get()
    assert attestation.supervisor_email == "pat@example.org"
    assert Notification.objects.get().kind == notifications.ATTESTATION_REQUESTED
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the supervisor" in page
    assert "Pat Manager" in page


def test_a_refusal_keeps_what_was_typed(client: Any, demo: Any) -> None:
    client_for(client, demo.enrolment.learner)
    before = _snapshot()
    response = client.post(
        _request_url(demo),
        {"supervisor_name": "Myself", "supervisor_email": "sam.private@example.org"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot confirm your own work" in page
    assert 'value="Myself"' in page
    assert _snapshot() == before


def test_a_bad_address_is_shown_next_to_its_field(client: Any, demo: Any) -> None:
    client_for(client, demo.enrolment.learner)
    before = _snapshot()
    response = client.post(
        _request_url(demo), {"supervisor_name": "Pat", "supervisor_email": "not-an-address"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-describedby="id_supervisor_email_helptext id_supervisor_email_error"' in page
    assert 'value="not-an-address"' in page
    assert _snapshot() == before


def test_a_draft_offers_no_form(client: Any, world: Any) -> None:
    version = b.learning_version(world.issuer)
    enrolment = b.enrolment(world.learner, version)
    draft = b.demonstration(enrolment, version.competencies.first(), submitted=False)
    client_for(client, world.learner)
    response = client.get(_request_url(draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Submit this demonstration first" in page
    assert 'name="supervisor_email"' not in page
    before = _snapshot()
    response = client.post(
        _request_url(draft), {"supervisor_name": "Pat", "supervisor_email": "pat@example.org"}
    )
    assert response.status_code == 400
    assert _snapshot() == before


def test_the_learner_resends_and_the_old_link_dies(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    old_url = _attest_url(attestation)
    client_for(client, demo.enrolment.learner)
    url = reverse("learning:attestation_resend", kwargs={"uuid": attestation.uuid})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _request_url(demo)
    attestation.refresh_from_db()
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(_attest_url(attestation)).status_code == 200


def test_the_learner_cancels_through_the_page(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    client_for(client, demo.enrolment.learner)
    url = reverse("learning:attestation_cancel", kwargs={"uuid": attestation.uuid})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    attestation.refresh_from_db()
    assert attestation.state == Attestation.State.CANCELLED
    page = response.content.decode()
    assert "Cancelled" in page
    # Cancelling again says why it cannot, and changes nothing.
    before = _snapshot()
    response = client.post(url, follow=True)
    assert "answered or cancelled already" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("step", ["attestation_resend", "attestation_cancel"])
@pytest.mark.parametrize("who", ["other_learner", "assessor", "anonymous"])
def test_others_cannot_resend_or_cancel(
    client: Any, world: Any, demo: Any, step: str, who: str
) -> None:
    attestation = _ask(demo)
    user = f.UserFactory() if who == "other_learner" else getattr(world, who)
    client_for(client, user)
    before = _snapshot()
    response = client.post(reverse(f"learning:{step}", kwargs={"uuid": attestation.uuid}))
    assert response.status_code == (302 if who == "anonymous" else 404)
    if who == "anonymous":
        assert reverse("account_login") in response["Location"]
    assert _snapshot() == before


# --- the supervisor's page ---------------------------------------------------------------------


def test_the_supervisor_sees_only_that_demonstration(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    response = client.get(_attest_url(attestation))
    assert response.status_code == 200
    _assert_private(response)
    page = response.content.decode()
    assert '<meta name="referrer" content="same-origin">' in page
    assert "Sam Learner" in page
    assert demo.competency.statement in page
    assert demo.enrolment.version.title in page
    assert "<strong>cleaned</strong>" in page
    assert "<script>alert" not in page
    assert "Prairie Analytics" in page
    assert "Analyst intern" in page
    assert 'href="https://example.org/report"' in page
    assert "Thanks for supervising my data project." in page
    assert OTHER_NARRATIVE not in page
    assert "sam.private@example.org" not in page
    assert "learner@example.test" not in page  # the verified address, where mail goes
    assert "sam_x9z" not in page
    assert 'name="answer"' in page
    assert 'name="comment"' in page


SEEN = "Sam Learner and the assessors will see your answer, your name and your comment."
PUBLISHED = (
    "If you confirm it and Sam Learner earns the badge, their credential will say only that "
    "their workplace supervisor confirmed this evidence, with the role Sam Learner gave for you "
    "(“{role}”). It never shows your name or your e-mail address."
)
PUBLISHED_NO_ROLE = (
    "If you confirm it and Sam Learner earns the badge, their credential will say only that "
    "their workplace supervisor confirmed this evidence. It never shows your name or your "
    "e-mail address."
)


def test_the_supervisor_page_says_what_is_seen_and_what_is_published(
    client: Any, demo: Any
) -> None:
    page = client.get(_attest_url(_ask(demo))).content.decode()
    assert SEEN in page
    assert PUBLISHED.format(role="Team lead") in page
    assert "your comment, your name and your e-mail address" not in page
    assert '<div id="who-sees-it">' in page
    assert 'aria-describedby="who-sees-it"' in page


def test_without_a_role_the_supervisor_page_says_so(client: Any, demo: Any) -> None:
    attestation = attestation_request(
        actor=demo.enrolment.learner,
        demonstration=demo,
        supervisor_name="Pat Manager",
        supervisor_email="pat@example.org",
    )
    page = client.get(_attest_url(attestation)).content.decode()
    assert SEEN in page
    assert PUBLISHED_NO_ROLE in page
    assert "gave for you" not in page


@pytest.mark.parametrize("role", ["Night-shift manager, St Mary's clinic", ""])
def test_the_request_e_mail_says_what_is_seen_and_what_is_published(
    demo: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any, role: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attestation_request(
            actor=demo.enrolment.learner,
            demonstration=demo,
            supervisor_name="Pat Manager",
            supervisor_email="pat@example.org",
            supervisor_role=role,
        )
    (mail,) = mailoutbox
    (html, _mime), *_rest = mail.alternatives
    published = PUBLISHED.format(role=role) if role else PUBLISHED_NO_ROLE
    assert "Who sees your answer" in mail.body
    assert SEEN in mail.body
    assert published in mail.body
    assert SEEN in html
    assert published.replace("'", "&#x27;") in html


def test_the_supervisor_confirms(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    url = _attest_url(attestation)
    response = client.post(url, {"answer": "confirm", "comment": "Great work."})
    assert response.status_code == 200
    _assert_private(response)
    assert "You have confirmed" in response.content.decode()
    attestation.refresh_from_db()
    assert (attestation.state, attestation.comment) == ("confirmed", "Great work.")
    told = Notification.objects.get(kind=notifications.ATTESTATION_ANSWERED)
    assert told.recipient == "learner@example.test"  # the learner's verified address


def test_the_supervisor_disputes_with_a_comment(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    response = client.post(
        _attest_url(attestation), {"answer": "dispute", "comment": "They watched, I did it."}
    )
    assert response.status_code == 200
    attestation.refresh_from_db()
    assert attestation.state == "disputed"
    assert attestation.comment == "They watched, I did it."


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "dispute", "comment": "  "},
        {"answer": "dispute", "comment": "x" * 5001},
        {"comment": "No answer chosen"},
        {"answer": "maybe", "comment": "Unknown answer"},
        {"answer": "confirm", "comment": "nul\x00"},
    ],
)
def test_a_bad_answer_is_shown_and_changes_nothing(client: Any, demo: Any, data: Any) -> None:
    attestation = _ask(demo)
    before = _snapshot()
    response = client.post(_attest_url(attestation), data)
    assert response.status_code == 400
    _assert_private(response)
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'name="answer"' in page  # the form is still there
    assert _snapshot() == before


def test_a_dispute_without_a_comment_says_why(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    response = client.post(_attest_url(attestation), {"answer": "dispute", "comment": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "what you do not agree with" in page
    assert 'id="id_comment_error"' in page
    assert 'value="dispute" required id="id_answer_1" checked' in page


def test_the_link_works_once(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    url = _attest_url(attestation)
    assert client.post(url, {"answer": "confirm", "comment": "Yes."}).status_code == 200
    before = _snapshot()
    again = client.post(url, {"answer": "dispute", "comment": "Changed my mind."})
    assert again.status_code == 200
    _assert_private(again)
    page = again.content.decode()
    assert "This link has been used" in page
    assert "already answered on" in page
    assert 'name="answer"' not in page
    assert _snapshot() == before
    shown = client.get(url)
    assert shown.status_code == 200
    assert "This link has been used" in shown.content.decode()
    assert NARRATIVE not in shown.content.decode()


def test_an_expired_link_says_so(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    url = _attest_url(attestation)
    Attestation.objects.filter(pk=attestation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(url)
    assert response.status_code == 410
    _assert_private(response)
    page = response.content.decode()
    assert "This link has expired" in page
    assert "Ask Sam Learner to send you a new one" in page
    assert "<strong>cleaned</strong>" not in page
    before = _snapshot()
    response = client.post(url, {"answer": "confirm"})
    assert response.status_code == 410
    assert _snapshot() == before


def test_a_link_that_expires_while_the_page_is_open(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    url = _attest_url(attestation)
    assert client.get(url).status_code == 200
    Attestation.objects.filter(pk=attestation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    before = _snapshot()
    assert client.post(url, {"answer": "confirm"}).status_code == 410
    assert _snapshot() == before


def test_a_cancelled_link_says_so(client: Any, demo: Any) -> None:
    attestation = _ask(demo)
    url = _attest_url(attestation)
    attestation_cancel(actor=demo.enrolment.learner, attestation=attestation)
    response = client.get(url)
    assert response.status_code == 410
    _assert_private(response)
    assert "This request was cancelled" in response.content.decode()
    before = _snapshot()
    assert client.post(url, {"answer": "confirm"}).status_code == 410
    assert _snapshot() == before


@pytest.mark.parametrize(
    "token",
    ["abc", "g" * 64, "0" * 64, "0" * 63, "F" * 64, "0" * 5000, "%00" * 64, "..", "a%20b"],
)
def test_wrong_tokens_are_not_found(client: Any, demo: Any, token: str) -> None:
    _ask(demo)
    before = _snapshot()
    for response in (
        client.get(f"/attest/{token}"),
        client.post(f"/attest/{token}", {"answer": "confirm"}),
    ):
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert _snapshot() == before


def test_a_signed_in_person_sees_the_same_page(client: Any, world: Any, demo: Any) -> None:
    attestation = _ask(demo)
    client_for(client, world.assessor)
    assert client.get(_attest_url(attestation)).status_code == 200


# --- evidence files through the link ---------------------------------------------------------


def test_the_supervisor_downloads_an_evidence_file(
    client: Any, demo: Any, file_item: EvidenceItem
) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    page = client.get(_attest_url(attestation)).content.decode()
    url = reverse("learning:attest_file", kwargs={"token": token, "uuid": file_item.uuid})
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="slides.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    _assert_private(response)


def test_files_of_other_demonstrations_are_not_served(
    client: Any, world: Any, demo: Any, file_item: EvidenceItem
) -> None:
    other_version = b.learning_version(world.issuer)
    other = b.demonstration(
        b.enrolment(f.UserFactory(), other_version), other_version.competencies.first()
    )
    other_attestation = _ask(other)
    token = attestation_token(other_attestation)
    url = reverse("learning:attest_file", kwargs={"token": token, "uuid": file_item.uuid})
    assert client.get(url).status_code == 404
    link = other.items.get()
    url = reverse("learning:attest_file", kwargs={"token": token, "uuid": link.uuid})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("how", ["answered", "expired", "cancelled", "resent"])
def test_files_are_served_only_while_the_link_is_open(
    client: Any, demo: Any, file_item: EvidenceItem, how: str
) -> None:
    attestation = _ask(demo)
    token = attestation_token(attestation)
    if how == "answered":
        attestation_answer(token=token, confirmed=True)
    elif how == "expired":
        Attestation.objects.filter(pk=attestation.pk).update(expires_at=timezone.now())
    elif how == "cancelled":
        attestation_cancel(actor=demo.enrolment.learner, attestation=attestation)
    else:
        attestation_resend(actor=demo.enrolment.learner, attestation=attestation)
    url = reverse("learning:attest_file", kwargs={"token": token, "uuid": file_item.uuid})
    response = client.get(url)
    assert response.status_code == 404
    _assert_private(response)


# --- what the assessors and the learner see --------------------------------------------------


def test_the_attestations_include_tells_each_state_in_words(demo: Any) -> None:
    confirmed = _ask(demo)
    attestation_answer(token=attestation_token(confirmed), confirmed=True, comment="Solid work.")
    disputed = _ask(demo)
    attestation_answer(token=attestation_token(disputed), confirmed=False, comment="Not so.")
    cancelled = _ask(demo)
    attestation_cancel(actor=demo.enrolment.learner, attestation=cancelled)
    expired = _ask(demo)
    Attestation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    html = render_to_string(
        "learning/_attestations.html", {"attestations": list(demo.attestations.all())}
    )
    for words in ("Confirmed", "Disputed", "Cancelled", "Expired", "Solid work.", "Not so."):
        assert words in html
    assert "pat@example.org" in html
    assert "Team lead" in html
    assert "Send Pat Manager a new link" not in html  # no learner's buttons for assessors
    hidden = render_to_string(
        "learning/_attestations.html",
        {"attestations": list(demo.attestations.all()), "hide_email": True},
    )
    assert "pat@example.org" not in hidden


def test_the_learner_s_page_lists_answers_and_offers_resend(client: Any, demo: Any) -> None:
    answered = _ask(demo)
    attestation_answer(token=attestation_token(answered), confirmed=False, comment="Not so.")
    waiting = _ask(demo)
    page = client_for(client, demo.enrolment.learner).get(_request_url(demo)).content.decode()
    assert "Disputed" in page
    assert "Not so." in page
    assert "Waiting for the supervisor" in page
    assert reverse("learning:attestation_resend", kwargs={"uuid": waiting.uuid}) in page
    assert reverse("learning:attestation_cancel", kwargs={"uuid": waiting.uuid}) in page
    assert reverse("learning:attestation_resend", kwargs={"uuid": answered.uuid}) not in page


# --- the e-mailed link -----------------------------------------------------------------------


def _mailed_path(message: Any) -> str:
    found = re.search(r"/attest/[0-9a-f]{64}", message.body)
    assert found is not None
    return found.group(0)


def test_the_e_mailed_link_opens_the_page_and_a_new_one_replaces_it(
    client: Any, demo: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    try:
        get_template("learning/email/attestation_requested_body.txt")
    except TemplateDoesNotExist:
        pytest.skip("the attestation e-mail templates are not there yet")
    with django_capture_on_commit_callbacks(execute=True):
        attestation = _ask(demo)
    assert [message.to for message in mailoutbox] == [["pat@example.org"]]
    first = _mailed_path(mailoutbox[0])
    assert client.get(first).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        attestation_resend(actor=demo.enrolment.learner, attestation=attestation)
    second = _mailed_path(mailoutbox[1])
    assert second != first
    assert client.get(first).status_code == 404
    assert client.post(second, {"answer": "confirm"}).status_code == 200
    assert client.get(second).status_code == 200  # "already answered"
    attestation.refresh_from_db()
    assert attestation.state == Attestation.State.CONFIRMED
