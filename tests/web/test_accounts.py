"""Accounts (django-allauth): its pages render in our layout, and e-mail sign-in works."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from mosaics.accounts.models import User
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

ALLAUTH_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]


def _h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


@pytest.mark.parametrize("name", ALLAUTH_PAGES)
def test_allauth_pages_render_in_our_layout(client: Any, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html  # our base.html
    assert 'id="language-select"' in html
    assert _h1_count(html) == 1
    assert "· Mosaics</title>" in html


def test_sign_in_form_fields_have_labels(client: Any) -> None:
    html = client.get(reverse("account_login")).content.decode()
    for control in re.findall(r'<input[^>]*type="(?:email|password|text)"[^>]*>', html):
        control_id = re.search(r'id="([^"]+)"', control)
        assert control_id, control
        assert f'for="{control_id.group(1)}"' in html


def test_sign_out_page_renders_and_signs_out_by_post(client: Any) -> None:
    user = f.UserFactory()
    client_for(client, user)
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert _h1_count(response.content.decode()) == 1
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_verified_user_signs_in_with_their_email(client: Any) -> None:
    user = f.UserFactory(username="ada", email="ada@example.test")
    response = client.post(
        reverse("account_login"), {"login": "ada@example.test", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:dashboard")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_is_refused_with_a_message(client: Any) -> None:
    f.UserFactory(username="ada", email="ada@example.test")
    response = client.post(
        reverse("account_login"), {"login": "ada@example.test", "password": "not it"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unverified_user_must_verify_first(client: Any) -> None:
    f.UserFactory(username="bob", email="bob@example.test", verified_email=False)
    EmailAddress.objects.create(
        user=User.objects.get(username="bob"), email="bob@example.test", primary=True
    )
    response = client.post(
        reverse("account_login"), {"login": "bob@example.test", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


def test_sign_up_sends_a_verification_email(client: Any) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": f.PASSWORD, "password2": f.PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.test").exists()
    assert EmailAddress.objects.get(email="new@example.test").verified is False
    assert len(mail.outbox) == 1


def test_sign_up_with_bad_input_shows_the_error_and_saves_nothing(client: Any) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "not an address", "password1": f.PASSWORD, "password2": "different"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_password_reset_mails_a_link(client: Any) -> None:
    f.UserFactory(username="ada", email="ada@example.test")
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_navigation_for_signed_out_and_signed_in_people(client: Any, world: Any) -> None:
    html = client.get(reverse("home")).content.decode()
    assert reverse("account_login") in html
    assert reverse("account_signup") in html
    assert reverse("organisations:dashboard") not in html
    client_for(client, world.designer)
    html = client.get(reverse("home")).content.decode()
    assert reverse("organisations:dashboard") in html
    assert f'action="{reverse("account_logout")}"' in html
    assert reverse("account_signup") not in html


def test_an_invited_person_signs_up_verifies_and_accepts(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mosaics.organisations import actions
    from mosaics.organisations.models import Membership

    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = actions.invitation_send(
            actor=world.tlc_admin,
            organisation=world.business,
            email="newcomer@example.test",
            role="assessor",
        )
    invitation_path = f"/invitations/{token}"
    page = client.get(invitation_path).content.decode()
    assert f"/accounts/signup/?next={invitation_path}" in page
    mail.outbox.clear()
    response = client.post(
        f"/accounts/signup/?next={invitation_path}",
        {
            "email": "newcomer@example.test",
            "password1": f.PASSWORD,
            "password2": f.PASSWORD,
            "next": invitation_path,
        },
    )
    assert response.status_code == 302
    confirm_path = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert confirm_path
    confirm_page = client.get(confirm_path.group(1))
    assert confirm_page.status_code == 200
    assert _h1_count(confirm_page.content.decode()) == 1
    client.post(confirm_path.group(1))
    person = User.objects.get(email="newcomer@example.test")
    assert EmailAddress.objects.get(user=person).verified
    client_for(client, person)
    response = client.post(invitation_path)
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, role="assessor").exists()


def test_the_admin_is_for_platform_admins(world: Any, client: Any) -> None:
    client_for(client, world.platform_admin)
    for url in [
        "/admin/accounts/user/",
        "/admin/organisations/organisation/",
        "/admin/organisations/membership/",
        "/admin/organisations/invitation/",
        "/admin/organisations/institutionalgoal/",
        f"/admin/organisations/issuer/{world.issuer.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    client.logout()
    client_for(client, world.tlc_admin)
    assert client.get("/admin/organisations/organisation/").status_code == 302
