"""Organisations: invitations, roles, issuer profiles, goals, and the staff pages × personas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.issuance.models import SigningKey
from mosaics.organisations import actions, permissions
from mosaics.organisations.errors import InvitationRefused, LastInstitutionAdmin, OrganisationError
from mosaics.organisations.models import (
    InstitutionalGoal,
    Invitation,
    Issuer,
    Membership,
    Organisation,
    Role,
)
from tests import factories as f
from tests.personas import PERSONAS, client_for


def _snapshot() -> tuple[Any, ...]:
    """Everything the organisation views can change."""
    return (
        AuditEntry.objects.count(),
        sorted(Membership.objects.values_list("user_id", "organisation_id", "role")),
        sorted(Invitation.objects.values_list("pk", "email", "role", "accepted_at", "revoked_at")),
        sorted(Organisation.objects.values_list("pk", "slug", "name", "description", "url")),
        sorted(Issuer.objects.values_list("pk", "slug", "name", "description")),
        sorted(InstitutionalGoal.objects.values_list("pk", "title", "code", "active")),
        SigningKey.objects.count(),
    )


def _send(world: Any, email: str, role: str = Role.DESIGNER, organisation: Any = None) -> str:
    _invitation, token = actions.invitation_send(
        actor=world.tlc_admin, organisation=organisation or world.business, email=email, role=role
    )
    return token


# --- invitations -------------------------------------------------------------------------


def test_invitation_is_mailed_and_accepted_by_the_invited_person(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://mosaics.example"
    client_for(client, world.tlc_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", kwargs={"slug": "business"}),
            {"invite-email": "New.Designer@example.test", "invite-role": Role.DESIGNER},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Designer@example.test"]
    assert "School of Business" in message.subject
    link = next(word for word in message.body.split() if word.startswith("https://"))
    assert link.startswith("https://mosaics.example/invitations/")
    token = link.rsplit("/", 1)[1]
    assert invitation.token_hash == actions.token_hash(token)
    assert token not in str(AuditEntry.objects.values_list("data", flat=True))
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert invitation.expires - timezone.now() > timedelta(days=13)

    person = f.UserFactory(username="nd", email="new.designer@example.test")
    client.logout()
    client_for(client, person)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "Accept the invitation" in page.content.decode()
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:detail", kwargs={"slug": "business"})
    assert Membership.objects.filter(
        user=person, organisation=world.business, role=Role.DESIGNER
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert AuditEntry.objects.filter(action="invitation.accept", actor=person).count() == 1


def test_an_anonymous_visitor_is_told_to_sign_in_with_the_invited_address(
    world: Any, client: Any
) -> None:
    token = _send(world, "someone@example.test")
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "someone@example.test" in html
    assert f"{reverse('account_login')}?next=/invitations/{token}" in html
    assert f"{reverse('account_signup')}?next=/invitations/{token}" in html
    before = _snapshot()
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot() == before


def _refused_accept(client: Any, person: Any, token: str, message: str) -> None:
    client_for(client, person)
    before = _snapshot()
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before
    with pytest.raises(InvitationRefused, match=message):
        actions.invitation_accept(actor=person, token=token)
    assert _snapshot() == before


def test_an_invitation_for_another_address_is_refused(world: Any, client: Any) -> None:
    token = _send(world, "invited@example.test")
    _refused_accept(
        client, world.learner, token, "This invitation was sent to invited@example.test"
    )
    # An unverified address is not enough either.
    person = f.UserFactory(username="x", email="invited@example.test", verified_email=False)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person, email="invited@example.test", verified=False)
    _refused_accept(client, person, token, "This invitation was sent to invited@example.test")


def test_an_expired_invitation_is_refused(world: Any, client: Any) -> None:
    token = _send(world, "late@example.test")
    Invitation.objects.update(expires=timezone.now() - timedelta(minutes=1))
    person = f.UserFactory(username="late", email="late@example.test")
    _refused_accept(client, person, token, "This invitation has expired.")


def test_a_revoked_invitation_is_refused(world: Any, client: Any) -> None:
    token = _send(world, "gone@example.test")
    actions.invitation_revoke(actor=world.tlc_admin, invitation=Invitation.objects.get())
    person = f.UserFactory(username="gone", email="gone@example.test")
    _refused_accept(client, person, token, "This invitation has been withdrawn.")


def test_an_invitation_is_used_once(world: Any, client: Any) -> None:
    token = _send(world, "once@example.test")
    person = f.UserFactory(username="once", email="once@example.test")
    actions.invitation_accept(actor=person, token=token)
    _refused_accept(client, person, token, "This invitation has already been used.")


def test_an_unknown_token_is_refused(world: Any, client: Any) -> None:
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    _refused_accept(client, world.learner, "not-a-real-token", "This invitation link is not valid")


def test_a_role_the_organisation_kind_cannot_grant_is_refused(world: Any, client: Any) -> None:
    before = _snapshot()
    with pytest.raises(OrganisationError) as caught:
        actions.invitation_send(
            actor=world.tlc_admin,
            organisation=world.business,
            email="x@example.test",
            role=Role.ENDORSER,
        )
    assert caught.value.code == "invalid_role"
    with pytest.raises(OrganisationError):
        actions.invitation_send(
            actor=world.endorser,
            organisation=world.partner,
            email="x@example.test",
            role=Role.DESIGNER,
        )
    client_for(client, world.tlc_admin)
    response = client.post(
        reverse("organisations:invite", kwargs={"slug": "business"}),
        {"invite-email": "x@example.test", "invite-role": Role.INSTITUTION_ADMIN},
    )
    assert response.status_code == 400
    assert 'id="id_invite-role_error"' in response.content.decode()
    assert _snapshot() == before
    assert mail.outbox == []


def test_bad_invitation_input_is_explained_and_nothing_is_sent(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client_for(client, world.tlc_admin)
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", kwargs={"slug": "northern"}),
            {"invite-email": "not an address", "invite-role": Role.REVIEWER},
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_invite-email_error"' in html
    assert "Enter a valid email address." in html
    assert _snapshot() == before
    assert mail.outbox == []


def test_the_mail_task_does_nothing_for_a_revoked_invitation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mosaics.organisations.tasks import send_invitation

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, _token = actions.invitation_send(
            actor=world.tlc_admin,
            organisation=world.business,
            email="a@example.test",
            role="designer",
        )
    assert len(callbacks) == 1
    actions.invitation_revoke(actor=world.tlc_admin, invitation=invitation)
    callbacks[0]()  # the queued send runs after the invitation was withdrawn
    assert send_invitation.call(invitation.pk) is False
    assert send_invitation.call(invitation.pk + 1000) is False
    assert mail.outbox == []


def test_the_mail_task_does_nothing_if_the_token_is_not_the_invitations(world: Any) -> None:
    from mosaics.organisations.tasks import send_invitation

    invitation, _token = actions.invitation_send(
        actor=world.tlc_admin, organisation=world.business, email="a@example.test", role="designer"
    )
    mail.outbox.clear()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=actions.token_hash("other"))
    assert send_invitation.call(invitation.pk) is False
    assert mail.outbox == []


def test_the_token_is_derived_from_the_secret_key_and_the_invitation(
    world: Any, settings: Any
) -> None:
    from mosaics.organisations.tasks import send_invitation

    invitation, token = actions.invitation_send(
        actor=world.tlc_admin, organisation=world.business, email="a@example.test", role="designer"
    )
    stored = Invitation.objects.get(pk=invitation.pk)
    assert actions.invitation_token(stored) == token
    assert len(token) == 64
    assert stored.token_hash == actions.token_hash(token) != token
    _other, other_token = actions.invitation_send(
        actor=world.tlc_admin, organisation=world.business, email="a@example.test", role="designer"
    )
    assert other_token != token
    # After the key is rotated, a mail not yet sent goes out only with the old key as fallback.
    mail.outbox.clear()
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert send_invitation.call(invitation.pk) is False
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert send_invitation.call(invitation.pk) is True
    assert token in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_the_queued_mail_task_holds_no_token(world: Any, client: Any, settings: Any) -> None:
    from django.core.management import call_command
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    settings.SITE_URL = "https://mosaics.example"
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    ):
        invitation, token = actions.invitation_send(
            actor=world.tlc_admin,
            organisation=world.business,
            email="queued@example.test",
            role=Role.DESIGNER,
        )
        queued = DBTaskResult.objects.get()
        assert queued.args_kwargs == {"args": [invitation.pk, "en"], "kwargs": {}}
        assert token not in str(queued.args_kwargs)
        assert mail.outbox == []
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if w.startswith("https://"))
    assert link == f"https://mosaics.example/invitations/{token}"
    assert token not in str(list(DBTaskResult.objects.values_list("args_kwargs", "return_value")))
    person = f.UserFactory(username="queued", email="queued@example.test")
    client_for(client, person)
    response = client.post(link.removeprefix("https://mosaics.example"))
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=person, organisation=world.business, role=Role.DESIGNER
    ).exists()


# --- roles -------------------------------------------------------------------------------


def test_a_person_may_hold_several_roles_in_several_organisations(world: Any, client: Any) -> None:
    person = f.UserFactory(username="multi", email="multi@example.test")
    for organisation, role, actor in [
        (world.business, Role.DESIGNER, world.tlc_admin),
        (world.business, Role.ASSESSOR, world.tlc_admin),
        (world.institution, Role.REVIEWER, world.tlc_admin),
        (world.partner, Role.ENDORSER, world.endorser),
    ]:
        _invitation, token = actions.invitation_send(
            actor=actor, organisation=organisation, email="multi@example.test", role=role
        )
        actions.invitation_accept(actor=person, token=token)
    assert permissions.roles(person, world.business) == {
        Role.DESIGNER,
        Role.ASSESSOR,
        Role.REVIEWER,
    }
    assert permissions.roles(person, world.health) == {Role.REVIEWER}
    assert permissions.can_endorse_for(person, world.partner)
    assert not permissions.roles(person, world.other_school)
    client_for(client, person)
    html = client.get(reverse("organisations:dashboard")).content.decode()
    for name in ["Northern College", "School of Business", "School of Health", "Prairie Analytics"]:
        assert name in html
    assert "Elsewhere" not in html


def test_the_last_institution_admin_cannot_be_removed(world: Any, client: Any) -> None:
    membership = Membership.objects.get(user=world.tlc_admin)
    before = _snapshot()
    with pytest.raises(LastInstitutionAdmin):
        actions.membership_revoke(actor=world.tlc_admin, membership=membership)
    with pytest.raises(LastInstitutionAdmin):
        actions.membership_revoke(actor=world.platform_admin, membership=membership)
    client_for(client, world.tlc_admin)
    response = client.post(
        reverse(
            "organisations:membership_revoke", kwargs={"slug": "northern", "pk": membership.pk}
        ),
        follow=True,
    )
    assert "must keep at least one institution admin" in response.content.decode()
    assert _snapshot() == before
    # With a second admin, one of them may go.
    second = actions.membership_grant(
        actor=world.tlc_admin,
        organisation=world.institution,
        user=world.reviewer,
        role=Role.INSTITUTION_ADMIN,
    )
    actions.membership_revoke(actor=world.tlc_admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    with pytest.raises(LastInstitutionAdmin):
        actions.membership_revoke(actor=world.reviewer, membership=second)


def test_the_last_endorser_of_a_partner_cannot_be_removed(world: Any, client: Any) -> None:
    second = f.UserFactory(username="second_endorser")
    actions.membership_grant(
        actor=world.endorser, organisation=world.partner, user=second, role=Role.ENDORSER
    )
    # One endorser may remove another, or themselves, while one remains.
    actions.membership_revoke(
        actor=world.endorser,
        membership=Membership.objects.get(user=second, organisation=world.partner),
    )
    last = Membership.objects.get(user=world.endorser, organisation=world.partner)
    before = _snapshot()
    with pytest.raises(OrganisationError, match="at least one endorser") as refused:
        actions.membership_revoke(actor=world.endorser, membership=last)
    assert refused.value.code == "last_endorser"
    with pytest.raises(OrganisationError, match="at least one endorser"):
        actions.membership_revoke(actor=world.platform_admin, membership=last)
    client_for(client, world.endorser)
    response = client.post(
        reverse(
            "organisations:membership_revoke",
            kwargs={"slug": "prairie-analytics", "pk": last.pk},
        ),
        follow=True,
    )
    assert "must keep at least one endorser" in response.content.decode()
    assert _snapshot() == before
    # With another endorser, the last one may leave.
    third = actions.membership_grant(
        actor=world.endorser, organisation=world.partner, user=second, role=Role.ENDORSER
    )
    actions.membership_revoke(actor=world.endorser, membership=last)
    assert not Membership.objects.filter(pk=last.pk).exists()
    with pytest.raises(OrganisationError, match="at least one endorser"):
        actions.membership_revoke(actor=second, membership=third)


def test_membership_grant_refuses_a_duplicate_and_a_wrong_role(world: Any) -> None:
    before = _snapshot()
    with pytest.raises(OrganisationError, match="already holds"):
        actions.membership_grant(
            actor=world.tlc_admin,
            organisation=world.business,
            user=world.designer,
            role=Role.DESIGNER,
        )
    with pytest.raises(OrganisationError):
        actions.membership_grant(
            actor=world.tlc_admin,
            organisation=world.business,
            user=world.designer,
            role=Role.INSTITUTION_ADMIN,
        )
    assert _snapshot() == before


def test_actions_refuse_people_who_cannot_manage(world: Any) -> None:
    from django.core.exceptions import PermissionDenied

    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.invitation_send(
            actor=world.designer,
            organisation=world.business,
            email="x@example.test",
            role=Role.DESIGNER,
        )
    with pytest.raises(PermissionDenied):
        actions.organisation_create(
            actor=world.tlc_admin, kind=Organisation.Kind.INSTITUTION, name="X", slug="x"
        )
    with pytest.raises(PermissionDenied):
        actions.organisation_create(
            actor=world.other_admin,
            kind=Organisation.Kind.SCHOOL,
            name="X",
            slug="x",
            parent=world.institution,
        )
    with pytest.raises(PermissionDenied):
        actions.goal_create(
            actor=world.other_admin, institution=world.institution, category="value", title="X"
        )
    with pytest.raises(PermissionDenied):
        actions.issuer_create(
            actor=world.other_endorser, organisation=world.partner, name="X", slug="x"
        )
    assert _snapshot() == before


def test_platform_admin_creates_an_institution_and_a_partner(world: Any, client: Any) -> None:
    client_for(client, world.platform_admin)
    response = client.post(
        reverse("organisations:organisation_new"),
        {"kind": "partner", "name": "Data Co", "slug": "data-co", "url": "", "email": ""},
    )
    assert response.status_code == 302
    partner = Organisation.objects.get(slug="data-co")
    assert partner.kind == Organisation.Kind.PARTNER
    assert AuditEntry.objects.filter(action="organisation.create", actor=world.platform_admin)
    before = _snapshot()
    response = client.post(
        reverse("organisations:organisation_new"),
        {"kind": "school", "name": "Sneaky", "slug": "sneaky"},
    )
    assert response.status_code == 400
    assert _snapshot() == before


# --- issuer profiles and goals -----------------------------------------------------------


def test_issuer_create_makes_a_profile_with_its_first_signing_key(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    response = client.post(
        reverse("organisations:issuer_create", kwargs={"slug": "health"}),
        {"issuer-name": "Northern Health", "issuer-slug": "northern-health"},
    )
    assert response.status_code == 302
    issuer = Issuer.objects.get(slug="northern-health")
    assert issuer.organisation == world.health
    assert issuer.kind == Issuer.Kind.ISSUER
    assert issuer.signing_keys.filter(retired_at__isnull=True).count() == 1
    profile = actions.issuer_create(
        actor=world.endorser, organisation=world.partner, name="Prairie Two", slug="prairie-two"
    )
    assert profile.kind == Issuer.Kind.ENDORSER


def test_bad_issuer_input_is_explained_and_nothing_is_saved(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    before = _snapshot()
    url = reverse("organisations:issuer_create", kwargs={"slug": "health"})
    response = client.post(url, {"issuer-name": "", "issuer-slug": "not a slug"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_issuer-name_error"' in html
    assert "This field is required." in html
    # The short name of an existing profile is taken.
    response = client.post(url, {"issuer-name": "Copy", "issuer-slug": "northern-business"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert _snapshot() == before
    with pytest.raises(OrganisationError, match="already exists"):
        actions.issuer_create(
            actor=world.tlc_admin, organisation=world.health, name="X", slug="northern-business"
        )
    assert _snapshot() == before


def test_goals_are_created_edited_and_deactivated(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    response = client.post(
        reverse("organisations:goal_create", kwargs={"slug": "northern"}),
        {"goal-category": "digital_learning", "goal-code": "DL1", "goal-title": "Open by default"},
    )
    assert response.status_code == 302
    goal = InstitutionalGoal.objects.get(title="Open by default")
    response = client.post(
        reverse("organisations:goal_edit", kwargs={"pk": goal.pk}),
        {"category": "digital_learning", "code": "DL1", "title": "Open", "active": "on"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Open"
    response = client.post(reverse("organisations:goal_deactivate", kwargs={"pk": goal.pk}))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.active is False
    assert list(
        AuditEntry.objects.filter(target=f"organisations.institutionalgoal:{goal.pk}")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["goal.create", "goal.update", "goal.deactivate"]


def test_a_duplicate_goal_is_explained_and_nothing_is_saved(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    before = _snapshot()
    response = client.post(
        reverse("organisations:goal_create", kwargs={"slug": "northern"}),
        {"goal-category": world.goal.category, "goal-title": world.goal.title},
    )
    assert response.status_code == 400
    assert "already has a goal with this title" in response.content.decode()
    assert _snapshot() == before


def test_bad_school_input_is_explained_and_nothing_is_saved(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    before = _snapshot()
    url = reverse("organisations:school_create", kwargs={"slug": "northern"})
    response = client.post(url, {"school-name": "Arts", "school-slug": "business"})
    assert response.status_code == 400
    assert 'id="id_school-slug_error"' in response.content.decode()
    response = client.post(url, {"school-name": "Arts", "school-slug": "arts", "school-url": "x"})
    assert response.status_code == 400
    assert _snapshot() == before
    response = client.post(url, {"school-name": "Arts", "school-slug": "arts"})
    assert response.status_code == 302
    assert Organisation.objects.get(slug="arts").parent == world.institution


# --- pages × personas --------------------------------------------------------------------

ANON = "anonymous"
MANAGERS_OF_NORTHERN = {"platform_admin", "tlc_admin"}
MANAGERS_OF_PARTNER = {"platform_admin", "endorser"}


def _detail(slug: str) -> Callable[[Any], str]:
    return lambda world: reverse("organisations:detail", kwargs={"slug": slug})


GET_PAGES: list[tuple[str, Callable[[Any], str], set[str]]] = [
    (
        "dashboard",
        lambda world: reverse("organisations:dashboard"),
        set(PERSONAS) - {ANON},
    ),
    ("new", lambda world: reverse("organisations:organisation_new"), {"platform_admin"}),
    ("institution", _detail("northern"), {"platform_admin", "tlc_admin", "reviewer"}),
    (
        "school",
        _detail("business"),
        {"platform_admin", "tlc_admin", "reviewer", "designer", "assessor"},
    ),
    ("other-school", _detail("health"), {"platform_admin", "tlc_admin", "reviewer"}),
    ("partner", _detail("prairie-analytics"), MANAGERS_OF_PARTNER),
    ("elsewhere", _detail("elsewhere"), {"platform_admin", "other_admin"}),
    (
        "edit",
        lambda world: reverse("organisations:edit", kwargs={"slug": "business"}),
        MANAGERS_OF_NORTHERN,
    ),
    (
        "issuer-edit",
        lambda world: reverse("organisations:issuer_edit", kwargs={"slug": "northern-business"}),
        MANAGERS_OF_NORTHERN,
    ),
    (
        "endorser-profile-edit",
        lambda world: reverse("organisations:issuer_edit", kwargs={"slug": "prairie-analytics"}),
        MANAGERS_OF_PARTNER,
    ),
    (
        "goal-edit",
        lambda world: reverse("organisations:goal_edit", kwargs={"pk": world.goal.pk}),
        MANAGERS_OF_NORTHERN,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "url", "allowed"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_page_access(
    world: Any, client: Any, persona: str, page: str, url: Any, allowed: set[str]
) -> None:
    client_for(client, world.people[persona])
    response = client.get(url(world))
    if persona in allowed:
        assert response.status_code == 200
        assert response.content.decode().count("<h1") == 1
    elif persona == ANON:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404


def test_management_forms_only_for_managers(world: Any, client: Any) -> None:
    client_for(client, world.designer)
    html = client.get(reverse("organisations:detail", kwargs={"slug": "business"})).content
    assert b"Invite someone" not in html
    assert b"designer@example.test" not in html  # e-mail addresses are for managers
    assert b"Remove role" not in html
    client.logout()
    client_for(client, world.tlc_admin)
    html = client.get(reverse("organisations:detail", kwargs={"slug": "business"})).content
    assert b"Invite someone" in html
    assert b"designer@example.test" in html


def test_a_learner_sees_a_friendly_dashboard(world: Any, client: Any) -> None:
    client_for(client, world.learner)
    html = client.get(reverse("organisations:dashboard")).content.decode()
    assert "You do not hold a staff role" in html
    assert "Northern College" not in html


def _post(name: str, **kwargs: Any) -> Callable[[Any], str]:
    return lambda world: reverse(f"organisations:{name}", kwargs=kwargs)


def _invitation_pk(world: Any) -> dict[str, Any]:
    invitation, _token = actions.invitation_send(
        actor=world.tlc_admin, organisation=world.business, email="i@example.test", role="assessor"
    )
    return {"slug": "business", "pk": invitation.pk}


def _designer_membership(world: Any) -> dict[str, Any]:
    return {"slug": "business", "pk": Membership.objects.get(user=world.designer).pk}


# (name, url name, url kwargs from world, form data, who may)
POSTS: list[tuple[str, str, Callable[[Any], dict[str, Any]], dict[str, str], set[str]]] = [
    (
        "invite",
        "invite",
        lambda world: {"slug": "business"},
        {"invite-email": "p@example.test", "invite-role": "designer"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "invite-partner",
        "invite",
        lambda world: {"slug": "prairie-analytics"},
        {"invite-email": "p@example.test", "invite-role": "endorser"},
        MANAGERS_OF_PARTNER,
    ),
    ("revoke-invitation", "invitation_revoke", _invitation_pk, {}, MANAGERS_OF_NORTHERN),
    ("revoke-membership", "membership_revoke", _designer_membership, {}, MANAGERS_OF_NORTHERN),
    (
        "school",
        "school_create",
        lambda world: {"slug": "northern"},
        {"school-name": "Arts", "school-slug": "arts"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "issuer",
        "issuer_create",
        lambda world: {"slug": "business"},
        {"issuer-name": "New", "issuer-slug": "new-issuer"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "goal",
        "goal_create",
        lambda world: {"slug": "northern"},
        {"goal-category": "value", "goal-title": "Care"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "goal-edit",
        "goal_edit",
        lambda world: {"pk": world.goal.pk},
        {"category": "value", "title": "Changed"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "goal-deactivate",
        "goal_deactivate",
        lambda world: {"pk": world.goal.pk},
        {},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "organisation-edit",
        "edit",
        lambda world: {"slug": "business"},
        {"name": "Renamed"},
        MANAGERS_OF_NORTHERN,
    ),
    (
        "issuer-edit",
        "issuer_edit",
        lambda world: {"slug": "northern-business"},
        {"name": "Renamed"},
        MANAGERS_OF_NORTHERN,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("case", "name", "kwargs", "data", "allowed"), POSTS, ids=[p[0] for p in POSTS]
)
def test_post_access(
    world: Any,
    client: Any,
    persona: str,
    case: str,
    name: str,
    kwargs: Any,
    data: dict[str, str],
    allowed: set[str],
) -> None:
    url = reverse(f"organisations:{name}", kwargs=kwargs(world))
    if case == "revoke-membership":
        # Keep the rule about the last institution admin out of this matrix.
        f.MembershipFactory(organisation=world.institution, role="institution_admin")
    client_for(client, world.people[persona])
    before = _snapshot()
    response = client.post(url, data)
    if persona in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _snapshot() != before
        assert AuditEntry.objects.count() > before[0]
    else:
        if persona == ANON:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == 404
        assert _snapshot() == before


def test_forged_posts_for_another_institutions_objects_are_404(world: Any, client: Any) -> None:
    other_membership = Membership.objects.get(user=world.other_designer)
    other_goal = f.GoalFactory(institution=world.other_institution)
    other_invitation, _token = actions.invitation_send(
        actor=world.other_admin,
        organisation=world.other_school,
        email="o@example.test",
        role="designer",
    )
    client_for(client, world.tlc_admin)
    before = _snapshot()
    for url in [
        # The other institution's objects under our own organisation's address…
        reverse(
            "organisations:membership_revoke",
            kwargs={"slug": "business", "pk": other_membership.pk},
        ),
        reverse(
            "organisations:invitation_revoke",
            kwargs={"slug": "business", "pk": other_invitation.pk},
        ),
        # …and under theirs.
        reverse(
            "organisations:membership_revoke",
            kwargs={"slug": world.other_school.slug, "pk": other_membership.pk},
        ),
        reverse("organisations:invite", kwargs={"slug": world.other_school.slug}),
        reverse("organisations:goal_deactivate", kwargs={"pk": other_goal.pk}),
        reverse("organisations:goal_edit", kwargs={"pk": other_goal.pk}),
        reverse("organisations:issuer_edit", kwargs={"slug": "elsewhere-issuer"}),
        reverse("organisations:issuer_create", kwargs={"slug": "elsewhere"}),
        reverse("organisations:school_create", kwargs={"slug": "elsewhere"}),
    ]:
        response = client.post(
            url,
            {
                "invite-email": "x@example.test",
                "invite-role": "designer",
                "name": "Hijacked",
                "title": "Hijacked",
                "category": "value",
                "issuer-name": "X",
                "issuer-slug": "x",
                "school-name": "X",
                "school-slug": "x",
            },
        )
        assert response.status_code == 404, url
    assert _snapshot() == before


def test_get_is_not_allowed_on_state_changing_views(world: Any, client: Any) -> None:
    client_for(client, world.tlc_admin)
    url = reverse("organisations:goal_deactivate", kwargs={"pk": world.goal.pk})
    assert client.get(url).status_code == 405
    world.goal.refresh_from_db()
    assert world.goal.active
