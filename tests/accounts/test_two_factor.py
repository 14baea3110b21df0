"""Two-factor authentication (allauth's MFA) through its real pages, in our layout; and the
staff requirement (MOSAICS_STAFF_TWO_FACTOR): staff without a second factor are sent from
staff pages to set one up, learners never are.

Codes are computed from the secret as an authenticator app does (RFC 6238, allauth's own
HOTP helper), at a fixed time: allauth's clock is pinned so that no test depends on which
30-second window it runs in."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp
from django.contrib.auth import SESSION_KEY
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from mosaics.accounts.middleware import STAFF_PATH_PREFIXES, needs_two_factor, two_factor_roles
from mosaics.organisations.models import Role
from tests.factories import PASSWORD
from tests.personas import PERSONAS
from tests.web import role_matrix_learning as learning
from tests.web import test_role_matrix as matrix
from tests.web.test_role_matrix import ROUTES, SIGNED_IN, Scene, scene  # noqa: F401 (a fixture)

#: A fixed moment for allauth's TOTP clock (any will do).
NOW = 1_750_000_000
REQUIRED = "Staff accounts must use two-factor authentication."


@pytest.fixture(autouse=True)
def _pinned_totp_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: NOW))
    cache.clear()  # allauth remembers used codes in the cache


def _code(secret: str, at: int = NOW) -> str:
    return totp.format_hotp_value(totp.hotp_value(secret, at // 30))


def _sign_in(client: Any, user: Any) -> Any:
    """Sign in through allauth's own form."""
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def _confirm_access(client: Any, url: str) -> None:
    """Changing two-factor settings asks for the password again (allauth's reauthentication):
    open `url`, confirm, and come back to it."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == url


def _activate_totp(user: Any) -> str:
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    return secret


# --- the pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "mfa_view_recovery_codes"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Any, db: None, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_two_factor_page_is_in_our_layout_with_the_account_navigation(
    client: Any, world: Any
) -> None:
    client.force_login(world.learner)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert "<h1>Two-factor authentication</h1>" in page
    assert 'class="site-header"' in page  # base.html
    assert 'aria-label="Your account"' in page
    assert f'href="{reverse("mfa_index")}" aria-current="page"' in page
    assert "Off." in page
    assert reverse("mfa_activate_totp") in page
    assert reverse("mfa_add_webauthn") in page
    assert "Your roles require" not in page


def test_every_account_page_links_two_factor_authentication(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    for name in ("account_email", "accounts:profile", "accounts:did", "accounts:export"):
        page = client.get(reverse(name)).content.decode()
        assert f'href="{reverse("mfa_index")}"' in page, name
        assert "Two-factor authentication" in page


def test_activating_totp_then_signing_in_takes_a_second_step(client: Any, world: Any) -> None:
    learner = world.learner
    assert _sign_in(client, learner).status_code == 302
    _confirm_access(client, reverse("mfa_activate_totp"))

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    text = page.content.decode()
    assert f'<code class="mfa-secret" id="totp-secret">{secret}</code>' in text
    assert re.search(r'<img class="mfa-qr" src="data:image/svg\+xml;base64,[^"]+"', text)
    assert 'alt="QR code for your authenticator app' in text
    assert 'for="id_code"' in text
    assert "<h1>Set up an authenticator app</h1>" in text

    # A wrong code is refused in words, and nothing is set up.
    wrong = "000000" if _code(secret) != "000000" else "111111"
    refused = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert refused.status_code == 200
    assert 'id="id_code_error"' in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()
    assert not Authenticator.objects.filter(user=learner).exists()

    # The code the app shows turns it on, and recovery codes are made and shown.
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    types = set(Authenticator.objects.filter(user=learner).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes_page = client.get(response["Location"]).content.decode()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=learner, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    assert all(f"<li><code>{code}</code></li>" in codes_page for code in codes)
    assert "On." in client.get(reverse("mfa_index")).content.decode()

    # Signing in again: the password alone no longer signs in.
    client.post(reverse("account_logout"))
    response = _sign_in(client, learner)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # not signed in yet
    step = client.get(reverse("mfa_authenticate"))
    assert step.status_code == 200
    step_page = step.content.decode()
    assert "<h1>Two-factor authentication</h1>" in step_page
    assert 'for="id_code"' in step_page
    assert "Use a security key" in step_page
    assert "Cancel and sign out" in step_page

    wrong_step = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert wrong_step.status_code == 200
    assert 'id="id_code_error"' in wrong_step.content.decode()
    assert SESSION_KEY not in client.session

    signed_in = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_recovery_code_signs_in_once(client: Any, world: Any) -> None:
    learner = world.learner
    _activate_totp(learner)
    code = RecoveryCodes.activate(learner).get_unused_codes()[0]
    _sign_in(client, learner)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)
    client.post(reverse("account_logout"))
    _sign_in(client, learner)
    again = client.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200  # used already
    assert SESSION_KEY not in client.session


def test_the_security_key_pages_render_with_their_scripts(client: Any, world: Any) -> None:
    _sign_in(client, world.learner)
    _confirm_access(client, reverse("mfa_add_webauthn"))
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Add a security key</h1>" in page
    assert 'id="mfa_webauthn_add"' in page
    assert '<script id="js_data" type="application/json">' in page
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in page
    assert "Security keys need JavaScript" in page  # in <noscript>
    # Scripts are files of our own origin (the CSP allows no inline script).
    for src in re.findall(r'<script src="/static/([^"]+)"', page):
        assert finders.find(src), src
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert re.search(r"<script>(?!</script>)", page) is None
    listing = client.get(reverse("mfa_list_webauthn"))
    assert listing.status_code == 200
    assert "No security keys have been added." in listing.content.decode()


def test_turning_totp_off_asks_to_confirm_then_turns_it_off(client: Any, world: Any) -> None:
    learner = world.learner
    secret = _activate_totp(learner)
    _sign_in(client, learner)
    client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    _confirm_access(client, reverse("mfa_deactivate_totp"))
    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.status_code == 200
    assert "<h1>Turn off the authenticator app</h1>" in page.content.decode()
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=learner, type="totp").exists()


# --- the staff requirement -----------------------------------------------------------------


@pytest.fixture
def required(settings: Any) -> Any:
    settings.MOSAICS_STAFF_TWO_FACTOR = True
    return settings


def test_the_requirement_is_off_by_default(client: Any, world: Any) -> None:
    client.force_login(world.assessor)
    assert not needs_two_factor(world.assessor)
    assert client.get("/manage/").status_code == 200


@pytest.mark.parametrize("path", ["/manage/", "/assess/", "/design/", "/endorse/", "/admin/"])
def test_an_assessor_without_a_second_factor_is_sent_to_set_one_up(
    client: Any, world: Any, required: Any, path: str
) -> None:
    client.force_login(world.assessor)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    page = client.get(response["Location"]).content.decode()
    assert REQUIRED in page
    assert "Your roles require two-factor authentication." in page


def test_a_learner_is_never_sent_there(client: Any, world: Any, required: Any) -> None:
    client.force_login(world.learner)
    for path in ("/manage/", "/assess/", reverse("accounts:profile")):
        response = client.get(path)
        assert response.get("Location") != reverse("mfa_index"), path
    assert not needs_two_factor(world.learner)


def test_staff_reach_the_account_and_public_pages_without_it(
    client: Any, world: Any, required: Any
) -> None:
    client.force_login(world.assessor)
    for name in (
        "home",
        "mfa_index",
        "mfa_activate_totp",
        "accounts:profile",
        "account_email",
        "verification:verify",
        "catalogue:index",
    ):
        response = client.get(reverse(name))
        assert response.get("Location") != reverse("mfa_index"), name
    assert client.get("/healthz").status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert SESSION_KEY not in client.session


def test_with_an_authenticator_app_the_assessor_gets_through(
    client: Any, world: Any, required: Any
) -> None:
    assessor = world.assessor
    secret = _activate_totp(assessor)
    _sign_in(client, assessor)
    client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert client.session[SESSION_KEY] == str(assessor.pk)
    response = client.get("/manage/")
    assert response.status_code == 200
    assert REQUIRED not in response.content.decode()


def test_recovery_codes_alone_are_no_second_factor(client: Any, world: Any, required: Any) -> None:
    RecoveryCodes.activate(world.assessor)
    client.force_login(world.assessor)
    assert client.get("/manage/")["Location"] == reverse("mfa_index")


def test_platform_admins_count_as_staff(client: Any, world: Any, required: Any) -> None:
    admin = world.platform_admin
    client.force_login(admin)
    assert client.get("/admin/")["Location"] == reverse("mfa_index")
    _activate_totp(admin)
    assert client.get("/admin/").status_code == 200


def test_the_roles_it_applies_to_are_a_setting(client: Any, world: Any, required: Any) -> None:
    required.MOSAICS_TWO_FACTOR_ROLES = ["endorser"]
    client.force_login(world.assessor)
    assert client.get("/manage/").status_code == 200
    client.force_login(world.endorser)
    assert client.get("/endorse/")["Location"] == reverse("mfa_index")


def test_an_unknown_role_is_a_configuration_error(settings: Any) -> None:
    settings.MOSAICS_TWO_FACTOR_ROLES = ["assessor", "asessor"]
    with pytest.raises(ImproperlyConfigured, match="asessor"):
        two_factor_roles()


def test_the_staff_pages_are_listed_in_one_place() -> None:
    """Every staff URL of the apps starts with one of the prefixes the requirement guards."""
    for name in (
        "organisations:dashboard",
        "awards:staff_list",
        "catalogue:design_list",
        "catalogue:review_queue",
        "endorsements:portal",
        "pathways:manage_list",
        "admin:index",
    ):
        assert reverse(name).startswith(STAFF_PATH_PREFIXES), name
    for name in ("home", "catalogue:index", "verification:verify", "account_login"):
        assert not reverse(name).startswith(STAFF_PATH_PREFIXES), name


def test_the_admins_own_sign_in_form_is_not_a_way_around_the_second_step(
    client: Any, world: Any
) -> None:
    admin = world.platform_admin
    _activate_totp(admin)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert SESSION_KEY not in client.session
    # Signed out, the admin's pages lead to our sign-in (and its second step).
    followed = client.get("/admin/", follow=True)
    assert followed.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session


def test_security_keys_are_listed_renamed_and_removed(client: Any, world: Any) -> None:
    learner = world.learner
    key = Authenticator.objects.create(
        user=learner, type=Authenticator.Type.WEBAUTHN, data={"name": "Blue key"}
    )
    client.force_login(learner)
    listing = client.get(reverse("mfa_list_webauthn")).content.decode()
    assert '<th scope="row">Blue key</th>' in listing
    assert "Never" in listing
    edit = reverse("mfa_edit_webauthn", kwargs={"pk": key.pk})
    _confirm_access(client, edit)
    page = client.get(edit).content.decode()
    assert "<h1>Rename a security key</h1>" in page
    assert 'value="Blue key"' in page
    assert client.post(edit, {"name": "Red key"}).status_code == 302
    key.refresh_from_db()
    assert key.data["name"] == "Red key"
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})
    assert "Remove the security key “Red key”?" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    # Another person's key is not theirs to see.
    other = Authenticator.objects.create(
        user=world.assessor, type=Authenticator.Type.WEBAUTHN, data={"name": "Not yours"}
    )
    assert client.get(reverse("mfa_edit_webauthn", kwargs={"pk": other.pk})).status_code == 404


# --- the requirement holds in the permission layer, whatever the page --------------------
#
# The middleware's redirect covers the staff prefixes and explains; the guarantee is that a
# person held back by the requirement holds no role in `mosaics.organisations.permissions`,
# so a staff view outside those prefixes (or one added later) refuses them too.

#: Everyone the role matrix knows who holds a role (or is a platform admin).
STAFF = tuple(
    p for p in PERSONAS if p not in ("anonymous", "learner") and not p.startswith("other_")
)

#: Staff views that live outside the redirected prefixes (an evidence file is a learner's
#: own too, and a public one anyone's), and learning staff views inside them.
OUTSIDE = (
    "learning:demonstration_version",
    "learning:evidence_file",
    "awards:download",
    "awards:certificate",
    "catalogue:image",
)
INSIDE = ("learning:assess", "learning:queue")


def _without_the_redirect(settings: Any) -> None:
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith(".StaffTwoFactorMiddleware")
    ]


def _url(s: Scene, name: str) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(s))


@pytest.fixture
def staged(request: pytest.FixtureRequest, world: Any) -> Scene:
    """The role matrix's scene: every kind of object its views show."""
    return request.getfixturevalue("scene")  # type: ignore[no-any-return]


def test_held_back_staff_hold_no_role_until_they_set_up_a_second_factor(
    world: Any, required: Any
) -> None:
    from mosaics.accounts.middleware import forget_two_factor
    from mosaics.organisations import permissions as p

    for user, organisation in (
        (world.assessor, world.business),
        (world.tlc_admin, world.business),
        (world.platform_admin, world.business),
        (world.endorser, world.partner),
    ):
        assert needs_two_factor(user)
        assert p.roles(user, organisation) == set()
        assert not p.has_role(user, organisation, *Role.values)
        assert not p.organisations_where(user, *Role.values).exists()
        assert not p.is_staff_member(user)
        assert not p.is_platform_admin(user)
        assert not p.can_manage_organisation(user, world.partner)
        assert not p.assessing_organisations(user).exists()

        _activate_totp(user)
        forget_two_factor(user)
        assert not needs_two_factor(user)
        assert p.roles(user, organisation)
        assert p.is_staff_member(user)
    assert p.is_platform_admin(world.platform_admin)
    assert p.can_manage_organisation(world.platform_admin, world.partner)
    assert p.can_manage_organisation(world.endorser, world.partner)


def test_the_answer_is_kept_on_the_user_for_the_request(
    world: Any, required: Any, django_assert_num_queries: Any
) -> None:
    from mosaics.organisations import permissions as p

    assessor = world.assessor
    with django_assert_num_queries(2):  # a role? a second factor?
        assert needs_two_factor(assessor)
    with django_assert_num_queries(0):
        assert needs_two_factor(assessor)
        assert p.roles(assessor, world.business) == set()
        assert not p.is_staff_member(assessor)
        assert not p.organisations_where(assessor, Role.ASSESSOR).exists()


def test_with_the_requirement_off_it_costs_no_query(
    world: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert not needs_two_factor(world.assessor)
        assert not needs_two_factor(world.platform_admin)


@pytest.mark.parametrize("persona", ["assessor", "platform_admin", "tlc_admin", "designer"])
def test_staff_views_outside_the_prefixes_refuse_held_back_staff(
    client: Any, staged: Scene, settings: Any, persona: str
) -> None:
    """The views the redirect does not cover refuse them (404: no data), the learning staff
    views send them to set up a second factor, and without the redirect refuse them too;
    with an authenticator app they get through."""
    user = staged.world.people[persona]
    settings.MOSAICS_STAFF_TWO_FACTOR = True
    theirs = [name for name in OUTSIDE + INSIDE if persona in ROUTES[name].audience]
    assert theirs, persona
    client.force_login(user)
    for name in theirs:
        response = client.get(_url(staged, name))
        if name in INSIDE:
            assert response.status_code == 302, name
            assert response["Location"] == reverse("mfa_index"), name
        else:
            assert response.status_code in (403, 404), (name, response.status_code)
    _without_the_redirect(settings)
    bare = Client()  # a new handler, without the redirect
    bare.force_login(user)
    for name in theirs:
        response = bare.get(_url(staged, name))
        assert response.status_code in (403, 404), (name, response.status_code)
        assert learning.NARRATIVE not in response.content.decode("utf-8", "replace"), name

    _activate_totp(user)
    for name in theirs:
        assert bare.get(_url(staged, name)).status_code == 200, name
        assert client.get(_url(staged, name)).status_code == 200, name


#: Pages that answer what a person owns, not a role they hold: the scene's assessor declared
#: a conflict of interest, and sees and may withdraw it as anyone who declared one would (a
#: former assessor too). Declaring one takes the role.
OWN = {("assessor", "learning:conflicts"), ("assessor", "learning:conflict_withdraw")}


@pytest.mark.parametrize("persona", STAFF)
def test_the_role_matrix_holds_back_staff_without_a_second_factor(
    staged: Scene, settings: Any, monkeypatch: pytest.MonkeyPatch, persona: str
) -> None:
    """Every view of the role matrix, with the redirect taken away: a held-back person gets
    what every signed-in person gets, nothing that comes from a role, and is shown nothing
    private."""
    settings.MOSAICS_STAFF_TWO_FACTOR = True
    _without_the_redirect(settings)
    monkeypatch.setattr(
        matrix, "PRIVATE", {title: shown - {persona} for title, shown in matrix.PRIVATE.items()}
    )
    failures: list[str] = []
    for name, route in sorted(ROUTES.items()):
        if persona not in route.audience or (persona, name) in OWN:
            continue  # a role taken away gives nothing; what is theirs stays theirs
        open_to_all = route.audience >= SIGNED_IN
        if not open_to_all or persona in ("assessor", "platform_admin"):
            audience = route.audience if open_to_all else route.audience - {persona}
            held_back = replace(route, audience=audience)
            url = reverse(name, kwargs=route.kwargs(staged))
            data = route.data(staged.learning) if route.data is not None else {}
            for method in route.methods:
                failures += [
                    f"{name} {method.upper()} {failure}"
                    for failure in matrix._drive(held_back, method, url, data, persona, staged)
                ]
    assert failures == [], "\n".join(failures)


def test_staff_who_are_learners_keep_their_own_pages_and_can_set_up_a_second_factor(
    client: Any, world: Any, required: Any
) -> None:
    """An assessor enrolled elsewhere as a learner, held back by the requirement: their
    learning, their account and the two-factor pages work; after setting up an authenticator
    app (through allauth's pages) the staff pages open."""
    from django.core.files.base import ContentFile

    from mosaics.learning.models import EvidenceItem
    from tests.learning import builders as b

    assessor = world.assessor
    version = b.learning_version(world.other_issuer, competencies=1)
    submission = b.submission(b.enrolment(assessor, version))
    demonstration = submission.demonstrations.get()
    item = EvidenceItem(
        demonstration=demonstration,
        kind=EvidenceItem.Kind.FILE,
        title="My notes",
        file_name="notes.txt",
        content_type="text/plain",
        size=6,
        visibility=EvidenceItem.Visibility.PRIVATE,
        position=1,
    )
    item.file.save("notes.txt", ContentFile(b"notes\n"), save=False)
    item.save()
    slug = version.micro_credential.slug
    own = [
        reverse("learning:mine"),
        reverse("learning:enrolment", kwargs={"slug": slug}),
        reverse(
            "learning:demonstration",
            kwargs={"slug": slug, "competency": demonstration.competency_id},
        ),
        reverse("learning:submission", kwargs={"slug": slug, "number": 1}),
        reverse("learning:demonstration_version", kwargs={"uuid": demonstration.uuid}),
        reverse("learning:evidence_file", kwargs={"uuid": item.uuid}),
        reverse("awards:inbox"),
        reverse("portfolio:mosaic"),
        reverse("accounts:profile"),
        reverse("account_email"),
        reverse("mfa_index"),
    ]
    assert _sign_in(client, assessor).status_code == 302
    assert needs_two_factor(assessor)
    for url in own:
        assert client.get(url).status_code == 200, url
    assert client.get("/assess/")["Location"] == reverse("mfa_index")

    _confirm_access(client, reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert client.get("/assess/").status_code == 200
    for url in own:
        assert client.get(url).status_code == 200, url
