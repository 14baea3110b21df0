"""The profile: display name, legal name (what credentials name), preferred language (which
switches the interface, on this browser at once and on any other once signed in)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mosaics.accounts import actions
from mosaics.accounts.models import User
from mosaics.audit.models import AuditEntry
from tests import factories as f

URL = "/accounts/profile/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def _post(client: Any, **values: str) -> Any:
    data = {"display_name": "Lee", "legal_name": "Lee Anne Learner", "preferred_language": ""}
    return client.post(URL, {**data, **values})


def _names(user: Any) -> tuple[str, str, str]:
    user.refresh_from_db()
    return user.display_name, user.legal_name, user.preferred_language


def test_the_url_names_the_page() -> None:
    assert reverse("accounts:profile") == URL


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Any, db: None, method: str) -> None:
    response = getattr(client, method)(URL, {"display_name": "Nobody"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not AuditEntry.objects.exists()


def test_the_page_shows_the_current_values_with_labels(client: Any, world: Any) -> None:
    learner = world.learner
    learner.display_name, learner.legal_name = "Lee", "Lee Anne Learner"
    learner.preferred_language = "fr"
    learner.save()
    client.force_login(learner)
    client.cookies[COOKIE] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert 'value="Lee"' in page
    assert 'value="Lee Anne Learner"' in page
    assert '<option value="fr" selected>' in page
    for name in ("display_name", "legal_name", "preferred_language"):
        assert f'for="id_{name}"' in page
        assert f'aria-describedby="id_{name}_helptext"' in page
    # The account's own navigation, with this page marked.
    assert 'aria-label="Your account"' in page
    assert f'href="{URL}" aria-current="page"' in page
    for name in ("account_email", "mfa_index", "accounts:did", "accounts:export"):
        assert reverse(name) in page


def test_saving_changes_the_names_and_audits_what_changed(client: Any, world: Any) -> None:
    learner = world.learner
    client.force_login(learner)
    response = _post(client, display_name="  Lee  ", legal_name="Lee   Anne Learner")
    assert response.status_code == 302
    assert response["Location"] == URL
    assert _names(learner) == ("Lee", "Lee Anne Learner", "")
    entry = AuditEntry.objects.get(action="accounts.profile_update")
    assert entry.actor == learner
    assert entry.target == f"accounts.user:{learner.pk}"
    # The entry says what changed, never the names themselves.
    assert entry.data == {"changed": ["display_name", "legal_name"]}
    assert "Lee" not in str(entry.data)
    assert "Your profile is saved." in client.get(URL).content.decode()


def test_choosing_a_language_switches_the_interface(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = _post(client, preferred_language="fr")
    assert response.status_code == 302
    assert _names(world.learner)[2] == "fr"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "fr"
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    page = client.get(URL).content.decode()
    assert '<html lang="fr">' in page


def test_no_preference_gives_the_browser_its_say_again(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    client.cookies[COOKIE] = "fr"
    response = _post(client, preferred_language="")
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == ""  # deleted
    assert response.cookies[COOKIE]["max-age"] == 0


def test_the_preferred_language_follows_the_person_to_another_browser(
    client: Any, world: Any
) -> None:
    learner = world.learner
    learner.preferred_language = "fr"
    learner.save(update_fields=["preferred_language"])
    client.force_login(learner)
    assert '<html lang="fr">' in client.get(URL).content.decode()
    # A language picked in this browser (the footer's form sets the cookie) wins.
    client.cookies[COOKIE] = "en"
    assert '<html lang="en">' in client.get(URL).content.decode()


def test_without_a_preference_or_when_signed_out_the_default_applies(
    client: Any, world: Any
) -> None:
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
    client.force_login(world.learner)  # no preferred language
    assert '<html lang="en">' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "x" * 151),
        ("legal_name", "x" * 201),
        ("display_name", "Lee\x00"),
        ("legal_name", "Lee\x00Learner"),
        ("preferred_language", "xx"),
        ("preferred_language", "fr\x00"),
        ("preferred_language", "e" * 500),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    client: Any, world: Any, field: str, value: str
) -> None:
    learner = world.learner
    before = _names(learner)
    client.force_login(learner)
    response = _post(client, **{field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was changed" in page
    assert f'id="id_{field}_error"' in page
    assert 'aria-invalid="true"' in page
    assert _names(learner) == before
    assert not AuditEntry.objects.exists()
    assert COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"display_name": "x" * 151}, "too_long"),
        ({"legal_name": "x" * 201}, "too_long"),
        ({"legal_name": "A\x00B"}, "nul"),
        ({"preferred_language": "de"}, "language"),
    ],
)
def test_the_action_refuses_bad_values_itself(
    world: Any, values: dict[str, str], code: str
) -> None:
    learner = world.learner
    before = _names(learner)
    arguments = {"display_name": "", "legal_name": "", "preferred_language": "", **values}
    with pytest.raises(actions.AccountRefused) as refused:
        actions.profile_update(actor=learner, **arguments)
    assert refused.value.code == code
    assert _names(learner) == before
    assert not AuditEntry.objects.exists()


def test_the_action_refuses_anonymous_and_inactive_people(world: Any) -> None:
    inactive = f.UserFactory(is_active=False)
    for actor in (None, AnonymousUser(), inactive):
        with pytest.raises(PermissionDenied):
            actions.profile_update(
                actor=actor, display_name="X", legal_name="X", preferred_language=""
            )
    assert not AuditEntry.objects.exists()


def test_credentials_awarded_after_saving_carry_the_legal_name(client: Any, world: Any) -> None:
    learner = world.learner
    client.force_login(learner)
    _post(client, legal_name="Lee Anne Learner")
    award = f.award(f.published_version(world.issuer), email=learner.email)
    assert award.learner == learner
    assert award.recipient_name == "Lee Anne Learner"  # the name its certificate prints


def test_one_person_cannot_change_anothers_profile(client: Any, world: Any) -> None:
    """The page edits the signed-in person only: there is no id to tamper with."""
    other = world.assessor
    before = _names(other)
    client.force_login(world.learner)
    client.post(URL, {"display_name": "Hacked", "legal_name": "", "pk": other.pk})
    assert _names(other) == before
    assert User.objects.get(pk=world.learner.pk).display_name == "Hacked"
