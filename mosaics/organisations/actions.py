"""Organisation workflows: organisations, issuer profiles, invitations, roles and goals.

Each function is atomic, checks that `actor` may act (raising `PermissionDenied` — views check
first and answer 404, this is the backstop), refuses with an `OrganisationError` whose message
is shown to the user, and writes exactly one audit entry. E-mail goes out after commit through
Django's tasks API (`mosaics.organisations.tasks`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.organisations import permissions
from mosaics.organisations.errors import (
    InvitationRefused,
    LastInstitutionAdmin,
    OrganisationError,
)
from mosaics.organisations.models import (
    ROLES_BY_KIND,
    InstitutionalGoal,
    Invitation,
    Issuer,
    Membership,
    Organisation,
    Role,
)

__all__ = [
    "INVITATION_LIFETIME",
    "goal_create",
    "goal_deactivate",
    "goal_update",
    "invitation_accept",
    "invitation_revoke",
    "invitation_send",
    "invitation_token",
    "issuer_create",
    "issuer_update",
    "membership_grant",
    "membership_revoke",
    "organisation_create",
    "organisation_update",
    "token_hash",
]

INVITATION_LIFETIME = timedelta(days=14)

_ORGANISATION_FIELDS = ("name", "url", "email", "description", "sector")
_ISSUER_FIELDS = ("name", "url", "email", "description")
_GOAL_FIELDS = ("category", "code", "title", "description", "active")


_INVITATION_TOKEN_SALT = "mosaics.invitation"  # noqa: S105 - a salt, not a secret


def token_hash(token: str) -> str:
    """What is stored for an invitation token (the token itself only travels in the e-mail)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_token(invitation: Invitation, *, secret: str | bytes | None = None) -> str:
    """The token in `invitation`'s link: an HMAC-SHA256, keyed by SECRET_KEY (or `secret`),
    of the invitation's id, organisation, e-mail, role and creation time.

    Deriving it means neither the database row (which keeps only `token_hash`) nor the task
    queue (which gets only the invitation's id) ever holds the token: the mail task computes
    it again. Consequences: anyone who knows SECRET_KEY and can read the invitations table
    can compute the links of open invitations (SECRET_KEY already lets them forge sessions);
    and after SECRET_KEY is rotated, an invitation whose e-mail has not gone out yet is only
    sent if the old key is in SECRET_KEY_FALLBACKS (links already e-mailed keep working:
    accepting compares the hash of the presented token with `token_hash`)."""
    created = invitation.created.astimezone(UTC).isoformat()
    value = (
        f"{invitation.pk}:{invitation.organisation_id}:{invitation.email}:"
        f"{invitation.role}:{created}"
    )
    return salted_hmac(
        _INVITATION_TOKEN_SALT, value, secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def _authenticated(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def _require_manager(actor: Any, organisation: Organisation) -> None:
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot manage this organisation."))


def _check_role(organisation: Organisation, role: str) -> None:
    allowed = ROLES_BY_KIND.get(organisation.kind, ())
    if role not in allowed:
        raise OrganisationError(
            _("This role cannot be held in an organisation of this kind."),
            code="invalid_role",
            field="role",
        )


def _clean(obj: Any) -> None:
    """Per-field validation (lengths, slug and URL formats) with the model's own messages."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise OrganisationError(
            " ".join(messages), code="invalid", field=None if field == "__all__" else field
        ) from None


def _save_new(obj: Any, *, taken: str, field: str | None) -> None:
    """Insert `obj`; a unique constraint violation becomes a plain-words refusal."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise OrganisationError(taken, code="taken", field=field) from None


def _apply(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    """Set the given fields; return {field: new value} for those that changed."""
    changed: dict[str, Any] = {}
    for name, value in values.items():
        if name not in fields:
            raise TypeError(f"unexpected field {name!r}")
        if value is not None and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed[name] = value
    return changed


# --- organisations -----------------------------------------------------------------------


def _refuse_reserved(slug: str) -> None:
    """The platform's own short name (its CLR signer's) is never anyone else's."""
    if str(slug).strip().lower() == permissions.PLATFORM_SLUG:
        raise OrganisationError(
            _("“%(slug)s” is reserved for the platform; choose another short name.")
            % {"slug": permissions.PLATFORM_SLUG},
            code="reserved",
            field="slug",
        )


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    slug: str,
    parent: Organisation | None = None,
    url: str = "",
    email: str = "",
    description: str = "",
    sector: str = "",
) -> Organisation:
    """Create an institution or partner (platform admins), or a school in an institution
    (its institution admins)."""
    if kind == Organisation.Kind.SCHOOL:
        if parent is None or parent.kind != Organisation.Kind.INSTITUTION:
            raise OrganisationError(
                _("A school or faculty belongs to an institution."), code="invalid_parent"
            )
        _require_manager(actor, parent)
    elif kind in (Organisation.Kind.INSTITUTION, Organisation.Kind.PARTNER):
        if not permissions.is_platform_admin(actor):
            raise PermissionDenied(_("Only platform admins create institutions and partners."))
        if parent is not None:
            raise OrganisationError(
                _("Only a school or faculty belongs to an institution."), code="invalid_parent"
            )
    else:
        raise OrganisationError(_("Unknown kind of organisation."), code="invalid_kind")
    _refuse_reserved(slug)
    organisation = Organisation(
        kind=kind,
        name=name,
        slug=slug,
        parent=parent,
        url=url,
        email=email,
        description=description,
        sector=sector,
    )
    _clean(organisation)
    _save_new(
        organisation,
        taken=_("An organisation with this short name already exists."),
        field="slug",
    )
    record(
        actor=actor,
        action="organisation.create",
        target=organisation,
        organisation=organisation,
        kind=kind,
        name=name,
        slug=slug,
        parent=parent.slug if parent else None,
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **values: Any) -> Organisation:
    """Change name, url, email, description or sector. The slug never changes: it is part of
    public URLs."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _require_manager(actor, organisation)
    changed = _apply(organisation, _ORGANISATION_FIELDS, values)
    _clean(organisation)
    organisation.save()
    record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        organisation=organisation,
        changed=sorted(changed),
    )
    return organisation


# --- issuer profiles ---------------------------------------------------------------------


@transaction.atomic
def issuer_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    slug: str,
    url: str = "",
    email: str = "",
    description: str = "",
) -> Issuer:
    """Create an issuer profile (an endorser profile for a partner) and its first signing key."""
    _require_manager(actor, organisation)
    _refuse_reserved(slug)
    kind = (
        Issuer.Kind.ENDORSER
        if organisation.kind == Organisation.Kind.PARTNER
        else Issuer.Kind.ISSUER
    )
    issuer = Issuer(
        organisation=organisation,
        kind=kind,
        name=name,
        slug=slug,
        url=url,
        email=email,
        description=description,
    )
    _clean(issuer)
    _save_new(issuer, taken=_("A profile with this short name already exists."), field="slug")
    record(
        actor=actor,
        action="issuer.create",
        target=issuer,
        organisation=organisation,
        kind=kind,
        name=name,
        slug=slug,
    )
    from mosaics.issuance.actions import key_generate

    key_generate(issuer=issuer, actor=actor)
    return issuer


@transaction.atomic
def issuer_update(*, actor: Any, issuer: Issuer, **values: Any) -> Issuer:
    """Change name, url, email or description. The slug never changes: the DID is built on it."""
    issuer = Issuer.objects.select_for_update().select_related("organisation").get(pk=issuer.pk)
    _require_manager(actor, issuer.organisation)
    changed = _apply(issuer, _ISSUER_FIELDS, values)
    _clean(issuer)
    issuer.save()
    record(
        actor=actor,
        action="issuer.update",
        target=issuer,
        organisation=issuer.organisation,
        changed=sorted(changed),
    )
    return issuer


# --- invitations -------------------------------------------------------------------------


@transaction.atomic
def invitation_send(
    *, actor: Any, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` to take `role` in `organisation`. Returns the invitation and its token
    (see `invitation_token`; only its hash is stored). The e-mail is sent after commit by a
    task that is given only the invitation's id."""
    _require_manager(actor, organisation)
    _check_role(organisation, role)
    invitation = Invitation(
        organisation=organisation,
        email=email.strip(),
        role=role,
        # A unique placeholder until the row has the id and creation time the token is
        # derived from; it is the hash of no token anyone is given.
        token_hash=secrets.token_hex(32),
        invited_by=actor,
        expires=timezone.now() + INVITATION_LIFETIME,
    )
    _clean(invitation)
    invitation.save()
    invitation.refresh_from_db(fields=["created"])  # exactly as stored, as the task reads it
    token = invitation_token(invitation)
    invitation.token_hash = token_hash(token)
    invitation.save(update_fields=["token_hash"])
    record(
        actor=actor,
        action="invitation.send",
        target=invitation,
        organisation=organisation,
        email=invitation.email,
        role=role,
    )
    from mosaics.organisations.tasks import send_invitation

    transaction.on_commit(partial(send_invitation.enqueue, invitation.pk, get_language() or ""))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    _require_manager(actor, invitation.organisation)
    if invitation.accepted_at is not None:
        raise OrganisationError(_("This invitation has already been accepted."), code="accepted")
    if invitation.revoked_at is not None:
        raise OrganisationError(_("This invitation has already been withdrawn."), code="revoked")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="invitation.revoke",
        target=invitation,
        organisation=invitation.organisation,
        email=invitation.email,
        role=invitation.role,
    )
    return invitation


def invitation_refusal(invitation: Invitation | None, actor: Any = None) -> str | None:
    """Why `invitation` cannot be accepted (by `actor`, if given), or None if it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.revoked_at is not None:
        return _("This invitation has been withdrawn. Ask whoever invited you for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires <= timezone.now():
        return _("This invitation has expired. Ask whoever invited you for a new one.")
    if actor is not None and not _verified_email(actor, invitation.email):
        return _(
            "This invitation was sent to %(email)s. Sign in with that address (verified) to "
            "accept it."
        ) % {"email": invitation.email}
    return None


def _verified_email(user: Any, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return bool(
        _authenticated(user)
        and EmailAddress.objects.filter(
            user=user, email=email.strip().lower(), verified=True
        ).exists()
    )


@transaction.atomic
def invitation_accept(*, actor: Any, token: str) -> Membership:
    """The signed-in person takes the role they were invited to. The invitation must be open
    and addressed to one of their verified e-mail addresses; it is used up."""
    if not _authenticated(actor):
        raise PermissionDenied(_("Sign in to accept an invitation."))
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    refusal = invitation_refusal(invitation, actor)
    if refusal is not None or invitation is None:
        raise InvitationRefused(refusal or "")
    _check_role(invitation.organisation, invitation.role)
    membership, _created = Membership.objects.get_or_create(
        user=actor, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        actor=actor,
        action="invitation.accept",
        target=invitation,
        organisation=invitation.organisation,
        role=invitation.role,
        membership=membership.pk,
    )
    return membership


# --- roles -------------------------------------------------------------------------------


@transaction.atomic
def membership_grant(*, actor: Any, organisation: Organisation, user: Any, role: str) -> Membership:
    """Give `user` a role directly (invitations are the usual way)."""
    _require_manager(actor, organisation)
    _check_role(organisation, role)
    membership = Membership(user=user, organisation=organisation, role=role)
    _save_new(membership, taken=_("This person already holds this role here."), field=None)
    record(
        actor=actor,
        action="membership.grant",
        target=membership,
        organisation=organisation,
        user=user.pk,
        role=role,
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    """Take a role away. An institution always keeps at least one institution admin, and a
    partner at least one endorser (its endorsers are the ones who manage it)."""
    membership = (
        Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    )
    organisation = membership.organisation
    _require_manager(actor, organisation)
    if (
        membership.role == Role.INSTITUTION_ADMIN
        and organisation.kind == Organisation.Kind.INSTITUTION
        and not _others_holding(membership)
    ):
        raise LastInstitutionAdmin(
            _(
                "An institution must keep at least one institution admin. Invite another "
                "one before removing this role."
            )
        )
    if (
        membership.role == Role.ENDORSER
        and organisation.kind == Organisation.Kind.PARTNER
        and not _others_holding(membership)
    ):
        raise OrganisationError(
            _(
                "A partner must keep at least one endorser. Invite another one before "
                "removing this role."
            ),
            code="last_endorser",
        )
    user_id, role, pk = membership.user_id, membership.role, membership.pk
    membership.delete()
    record(
        actor=actor,
        action="membership.revoke",
        target=Membership(pk=pk),
        organisation=organisation,
        user=user_id,
        role=role,
    )


def _others_holding(membership: Membership) -> list[int]:
    """The other memberships of the same role in the same organisation, locked so that two
    concurrent removals cannot both pass a "keep at least one" check."""
    return list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=membership.role)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )


# --- institutional goals -----------------------------------------------------------------


@transaction.atomic
def goal_create(
    *,
    actor: Any,
    institution: Organisation,
    category: str,
    title: str,
    code: str = "",
    description: str = "",
) -> InstitutionalGoal:
    """Add a value, strategic-plan goal or digital-learning-strategy goal designs align with."""
    if institution.kind != Organisation.Kind.INSTITUTION:
        raise OrganisationError(_("Goals belong to an institution."), code="invalid_parent")
    _require_manager(actor, institution)
    goal = InstitutionalGoal(
        institution=institution,
        category=category,
        code=code,
        title=title,
        description=description,
    )
    _clean(goal)
    _save_new(goal, taken=_("This institution already has a goal with this title."), field="title")
    record(
        actor=actor,
        action="goal.create",
        target=goal,
        organisation=institution,
        category=category,
        title=title,
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Any, goal: InstitutionalGoal, **values: Any) -> InstitutionalGoal:
    goal = (
        InstitutionalGoal.objects.select_for_update().select_related("institution").get(pk=goal.pk)
    )
    _require_manager(actor, goal.institution)
    changed = _apply(goal, _GOAL_FIELDS, values)
    _clean(goal)
    try:
        with transaction.atomic():
            goal.save()
    except IntegrityError:
        raise OrganisationError(
            _("This institution already has a goal with this title."), code="taken", field="title"
        ) from None
    record(
        actor=actor,
        action="goal.update",
        target=goal,
        organisation=goal.institution,
        changed=sorted(changed),
    )
    return goal


@transaction.atomic
def goal_deactivate(*, actor: Any, goal: InstitutionalGoal) -> InstitutionalGoal:
    """Stop offering a goal for new designs; designs already aligned with it keep it."""
    goal = (
        InstitutionalGoal.objects.select_for_update().select_related("institution").get(pk=goal.pk)
    )
    _require_manager(actor, goal.institution)
    if not goal.active:
        raise OrganisationError(_("This goal is already inactive."), code="inactive")
    goal.active = False
    goal.save(update_fields=["active"])
    record(
        actor=actor,
        action="goal.deactivate",
        target=goal,
        organisation=goal.institution,
        title=goal.title,
    )
    return goal
