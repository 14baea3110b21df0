"""Claiming an award from the e-mailed link: the award only ever goes to an account that has
verified the award's address — at once, after sign-up and confirmation, or after adding the
address to another account and confirming it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from django.urls import reverse

from mosaics.accounts.models import User
from mosaics.audit.models import AuditEntry
from mosaics.awards import actions, claim_signup
from mosaics.awards.models import Award
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

EMAIL = "sam.learner@example.org"
MASKED = "s•••@example.org"
CONFIRM = re.compile(r"/accounts/confirm-email/([^/\s]+)/")


def _claim_path(award: Award) -> str:
    return reverse("awards:claim", kwargs={"uuid": award.uuid, "token": actions.claim_token(award)})


def _confirm_from_mail(client: Any, message: Any) -> Any:
    """Open the confirmation link of an allauth e-mail and confirm (allauth confirms by POST)."""
    key = CONFIRM.search(message.body).group(1)  # type: ignore[union-attr]
    url = reverse("account_confirm_email", args=[key])
    assert client.get(url).status_code == 200
    return client.post(url)


@pytest.fixture
def award(django_capture_on_commit_callbacks: Any) -> Award:
    with django_capture_on_commit_callbacks(execute=True):
        made = f.award(email=EMAIL, recipient_name="Sam Learner")
    return made


# --- the claim e-mail ------------------------------------------------------------------------


def test_the_claim_email_is_sent_after_commit_with_the_claim_link(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    version = f.published_version(summary="Clean, explore and model data.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        award = f.award(version, email=EMAIL)
        assert mailoutbox == []  # nothing is sent inside the transaction
    assert callbacks
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    assert award.title in message.subject
    assert award.issuer.name in message.subject
    link = actions.claim_url(award)
    assert link.endswith(_claim_path(award))
    assert link in message.body
    assert "Clean, explore and model data." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    # The token is derived, never stored: only its hash is kept.
    assert award.claim_token_hash == actions.token_hash(actions.claim_token(award))
    assert actions.claim_token(award) not in str(Award.objects.filter(pk=award.pk).values())


def test_no_claim_email_for_an_award_already_answered(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from mosaics.awards import tasks

    learner = f.UserFactory(email=EMAIL)
    award = f.award(email=EMAIL)
    actions.award_accept(actor=learner, award=award)
    assert tasks.notify_award.call(award.pk) == 0
    assert mailoutbox == []


# --- signed-out visitors -----------------------------------------------------------------------


def test_a_signed_out_visitor_sees_what_was_awarded_without_personal_data(
    client: Any, award: Award
) -> None:
    response = client.get(_claim_path(award))
    assert response.status_code == 200
    html = response.content.decode()
    assert award.title in html
    assert award.issuer.name in html
    assert MASKED in html
    assert EMAIL not in html
    assert "Sam Learner" not in html
    login = reverse("account_login") + "?next=" + _claim_path(award).replace("/", "%2F")
    assert login in html
    assert award.learner is None


def _signup_link(award: Award) -> str:
    return reverse(
        "awards:claim_signup", kwargs={"uuid": award.uuid, "token": actions.claim_token(award)}
    )


def _sign_up(client: Any, email: str = EMAIL) -> Any:
    """allauth's plain sign-up page, as the claim link leaves the visitor there."""
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )


def test_the_create_account_link_prefills_the_address_from_the_session_not_the_url(
    client: Any, award: Award
) -> None:
    """Neither the address nor the claim link (its token) travel in a URL (where logs, the
    browser history and Referer headers keep them): the session holds both."""
    token = actions.claim_token(award)
    signup = _signup_link(award)
    assert signup in client.get(_claim_path(award)).content.decode()
    response = client.get(signup)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_signup")  # no query at all
    assert EMAIL not in response["Location"]
    assert token not in response["Location"]
    assert client.session[claim_signup.SESSION_KEY] == {
        "email": EMAIL,
        "next": _claim_path(award),
    }
    form = client.get(response["Location"]).content.decode()
    assert f'value="{EMAIL}"' in form
    assert token not in form  # no hidden "next" either


def test_the_plain_sign_up_page_is_not_prefilled(client: Any, award: Award) -> None:
    form = client.get(reverse("account_signup")).content.decode()
    assert EMAIL not in form
    assert claim_signup.SESSION_KEY not in client.session


def test_a_new_account_made_from_the_claim_link_gets_the_award_once_confirmed(
    client: Any, award: Award, mailoutbox: list[Any]
) -> None:
    mailoutbox.clear()
    client.get(_signup_link(award))
    response = _sign_up(client)
    assert response.status_code == 302
    assert EMAIL not in response["Location"]
    user = User.objects.get(emailaddress__email=EMAIL)
    award.refresh_from_db()
    assert award.learner is None  # not before the address is confirmed
    assert not EmailAddress.objects.get(email=EMAIL).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]

    response = _confirm_from_mail(client, mailoutbox[0])
    assert response.status_code == 302
    assert response["Location"] == _claim_path(award)  # back to the award, signed in
    award.refresh_from_db()
    assert award.learner == user
    assert award.claim == Award.Claim.PENDING
    response = client.get(_claim_path(award))
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:detail", kwargs={"uuid": award.uuid})
    assert AuditEntry.objects.filter(action="awards.attach", actor=user).count() == 1
    # The way back is used up: the session forgets the address and the link.
    assert claim_signup.SESSION_KEY not in client.session


def test_confirmed_in_another_browser_the_award_is_theirs_all_the_same(
    client: Any, award: Award, mailoutbox: list[Any]
) -> None:
    from django.test import Client

    mailoutbox.clear()
    client.get(_signup_link(award))
    assert _sign_up(client).status_code == 302
    other = Client()
    response = _confirm_from_mail(other, mailoutbox[0])
    assert response.status_code == 302
    assert response["Location"] != _claim_path(award)  # that browser knows no claim link
    award.refresh_from_db()
    assert award.learner == User.objects.get(emailaddress__email=EMAIL)


def test_an_ordinary_sign_up_goes_where_it_always_did(client: Any, mailoutbox: list[Any]) -> None:
    mailoutbox.clear()
    assert _sign_up(client, "someone.new@example.org").status_code == 302
    response = _confirm_from_mail(client, mailoutbox[0])
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:dashboard")


@pytest.mark.parametrize(
    "kept",
    [
        None,
        "not a dict",
        {"email": EMAIL},
        {"email": EMAIL, "next": "https://evil.example/"},
        {"email": EMAIL, "next": "//evil.example/"},
        {"email": EMAIL, "next": "/\\evil.example/"},
        {"email": 3, "next": "/awards/"},
    ],
)
def test_only_a_well_formed_local_way_back_is_used(
    client: Any, mailoutbox: list[Any], kept: Any
) -> None:
    session = client.session
    session[claim_signup.SESSION_KEY] = kept
    session.save()
    assert claim_signup.remembered(type("R", (), {"session": session})()) is None
    mailoutbox.clear()
    assert _sign_up(client, "someone.new@example.org").status_code == 302
    response = _confirm_from_mail(client, mailoutbox[0])
    assert response["Location"] == reverse("organisations:dashboard")


def test_a_signed_out_post_to_the_claim_link_asks_to_sign_in(client: Any, award: Award) -> None:
    response = client.post(_claim_path(award), {"action": "add_address"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert EmailAddress.objects.filter(email=EMAIL).count() == 0


# --- signed-in people ------------------------------------------------------------------------


def test_an_account_with_the_verified_address_gets_the_award(client: Any, award: Award) -> None:
    # The address was verified without the signal (as if before this code existed).
    user = f.UserFactory(email="sam@elsewhere.example")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=False)
    client_for(client, user)
    response = client.get(_claim_path(award))
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:detail", kwargs={"uuid": award.uuid})
    award.refresh_from_db()
    assert award.learner == user
    assert client.get(response["Location"]).status_code == 200


def test_an_award_made_to_a_known_verified_address_is_theirs_at_once(client: Any) -> None:
    user = f.UserFactory(email=EMAIL)
    award = f.award(email=EMAIL)
    assert award.learner == user
    client_for(client, user)
    response = client.get(_claim_path(award))
    assert response["Location"] == reverse("awards:detail", kwargs={"uuid": award.uuid})


def test_an_account_with_another_address_adds_and_confirms_it(
    client: Any, award: Award, mailoutbox: list[Any]
) -> None:
    user = f.UserFactory(email="sam@home.example")
    client_for(client, user)
    response = client.get(_claim_path(award))
    assert response.status_code == 200
    html = response.content.decode()
    assert MASKED in html
    assert EMAIL not in html
    assert 'name="action" value="add_address"' in html

    mailoutbox.clear()
    response = client.post(_claim_path(award), {"action": "add_address"})
    assert response.status_code == 302
    address = EmailAddress.objects.get(email=EMAIL)
    assert address.user == user
    assert not address.verified
    award.refresh_from_db()
    assert award.learner is None  # not before it is confirmed
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    # Until then the claim page says so, and still attaches nothing.
    page = client.get(_claim_path(award))
    assert page.status_code == 200
    assert "not confirmed yet" in page.content.decode()
    award.refresh_from_db()
    assert award.learner is None

    _confirm_from_mail(client, mailoutbox[0])
    award.refresh_from_db()
    assert award.learner == user
    # The main address did not change.
    assert EmailAddress.objects.get(user=user, primary=True).email == "sam@home.example"


def test_changing_the_main_address_keeps_the_awards(
    client: Any, award: Award, mailoutbox: list[Any]
) -> None:
    user = f.UserFactory(email="sam@home.example")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=False)
    client_for(client, user)
    client.get(_claim_path(award))
    other = f.award(email="sam@home.example")
    award.refresh_from_db()
    assert award.learner == user
    assert other.learner == user

    response = client.post(reverse("account_email"), {"email": EMAIL, "action_primary": ""})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user, primary=True).email == EMAIL
    # ...and removing the old main address too.
    response = client.post(
        reverse("account_email"), {"email": "sam@home.example", "action_remove": ""}
    )
    assert not EmailAddress.objects.filter(email="sam@home.example").exists()
    award.refresh_from_db()
    other.refresh_from_db()
    assert award.learner == user
    assert other.learner == user
    assert client.get(reverse("awards:detail", kwargs={"uuid": other.uuid})).status_code == 200


def test_the_verified_address_of_another_account_never_brings_the_award(
    client: Any, award: Award, mailoutbox: list[Any]
) -> None:
    """Someone adds an address another account has verified: allauth (which does not reveal
    that it is taken) may let them add it, but it can never be verified for them, so the award
    never becomes theirs — even if they got hold of a confirmation link."""
    owner = f.UserFactory(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email=EMAIL, verified=True, primary=False)
    someone = f.UserFactory()
    client_for(client, someone)
    mailoutbox.clear()
    client.post(_claim_path(award), {"action": "add_address"})
    for message in mailoutbox:
        if CONFIRM.search(message.body):
            _confirm_from_mail(client, message)
    assert not EmailAddress.objects.filter(user=someone, email=EMAIL, verified=True).exists()
    award.refresh_from_db()
    assert award.learner_id != someone.pk
    client.get(_claim_path(award))
    award.refresh_from_db()
    assert award.learner_id != someone.pk


def test_an_award_already_in_another_account_stays_there(client: Any, award: Award) -> None:
    owner = f.UserFactory()
    EmailAddress.objects.create(user=owner, email=EMAIL, verified=True, primary=False)
    actions.awards_attach(user=owner, email=EMAIL)
    someone = f.UserFactory()
    client_for(client, someone)
    for response in (client.get(_claim_path(award)), client.post(_claim_path(award))):
        assert response.status_code in (200, 302)
        award.refresh_from_db()
        assert award.learner == owner
    assert "another account" in client.get(_claim_path(award)).content.decode()


def test_a_badge_held_through_another_address_is_not_given_twice(client: Any) -> None:
    version = f.published_version()
    user = f.UserFactory(email="sam@home.example")
    held = f.award(version, email="sam@home.example")
    second = f.award(version, email=EMAIL)
    assert held.learner == user
    assert second.learner is None
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=False)
    client_for(client, user)
    response = client.get(_claim_path(second))
    assert response.status_code == 200
    assert reverse("awards:detail", kwargs={"uuid": held.uuid}) in response.content.decode()
    second.refresh_from_db()
    assert second.learner is None


@pytest.mark.parametrize(
    "token",
    ["0" * 64, "not-the-token", "x" * 500],
)
def test_a_wrong_token_is_404_and_changes_nothing(client: Any, award: Award, token: str) -> None:
    user = f.UserFactory()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=False)
    client_for(client, user)
    url = reverse("awards:claim", kwargs={"uuid": award.uuid, "token": token})
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "add_address"}).status_code == 404
    signup = reverse("awards:claim_signup", kwargs={"uuid": award.uuid, "token": token})
    assert client.get(signup).status_code == 404
    award.refresh_from_db()
    assert award.learner is None


def test_another_awards_token_does_not_open_this_one(client: Any, award: Award) -> None:
    other = f.award(email="someone@example.org")
    url = reverse("awards:claim", kwargs={"uuid": award.uuid, "token": actions.claim_token(other)})
    assert client.get(url).status_code == 404


# --- allauth's signals ------------------------------------------------------------------------


def test_signing_up_with_an_already_verified_address_attaches(award: Award) -> None:
    user = f.UserFactory(email=EMAIL)  # the factory verifies it, without any signal
    award.refresh_from_db()
    assert award.learner is None
    user_signed_up.send(sender=User, request=None, user=user)
    award.refresh_from_db()
    assert award.learner == user


def test_signing_up_with_an_unverified_address_attaches_nothing(award: Award) -> None:
    user = f.UserFactory(email="x@example.org", verified_email=False)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=False, primary=True)
    user_signed_up.send(sender=User, request=None, user=user)
    award.refresh_from_db()
    assert award.learner is None
