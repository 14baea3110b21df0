"""Who may do what. Every view asks these predicates (or the `*_for_user` lookups built on
them) before acting; the role matrix in tests/web/test_role_matrix.py holds them to account.

Roles are held per organisation. A role held in an institution covers its schools. A platform
admin (`is_superuser`) acts as institution admin in every institution and school (so may
review and publish as the Teaching & Learning Centre does), but never endorses: only a
partner's own endorsers sign for it. The author rule still applies to them: nobody approves
a version they wrote or edited.

Two-factor authentication: with ``MOSAICS_STAFF_TWO_FACTOR`` on, a person who holds one of
``MOSAICS_TWO_FACTOR_ROLES`` (or is a platform admin) but has no second factor yet holds **no
role** here: every predicate below answers as for a learner, whatever page asks. The
middleware's redirect from the staff pages only explains why; this is the guarantee. Their
own things (enrolments, submissions, awards they hold) are theirs as before.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mosaics.accounts.middleware import needs_two_factor
from mosaics.organisations.models import Membership, Organisation, Role

#: The platform's organisation and issuer profile (`mosaics.portfolio.clr.platform_issuer`),
#: which signs the CLRs learners export: of kind `platform`, so no role applies to it, not
#: even a platform admin's, and no staff page lists it.
PLATFORM_SLUG = "mosaics-platform"

#: What a platform admin runs as institution admin (never partners, never the platform).
RUN_BY_INSTITUTIONS = (Organisation.Kind.INSTITUTION, Organisation.Kind.SCHOOL)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _acts_in_role(user: Any) -> bool:
    """Signed in, active, and not held back by the two-factor requirement (see the module's
    docstring; `needs_two_factor` remembers its answer on the user object, so a page asks the
    database once however many predicates it calls)."""
    return _authenticated(user) and not needs_two_factor(user)


def is_platform_admin(user: Any) -> bool:
    """A platform admin (`is_superuser`) who may act as one now."""
    return _acts_in_role(user) and bool(user.is_superuser)


def roles(user: Any, organisation: Organisation) -> set[str]:
    """The roles `user` holds that apply to `organisation` (its own and its institution's)."""
    if not _acts_in_role(user):
        return set()
    scope = [org.pk for org in organisation.scope()]
    held = set(
        Membership.objects.filter(user=user, organisation_id__in=scope).values_list(
            "role", flat=True
        )
    )
    if is_platform_admin(user) and organisation.kind in RUN_BY_INSTITUTIONS:
        held.add(Role.INSTITUTION_ADMIN)
    return held


def has_role(user: Any, organisation: Organisation, *wanted: str) -> bool:
    return bool(roles(user, organisation) & set(wanted))


def organisations_where(user: Any, *wanted: str) -> QuerySet[Organisation]:
    """Organisations in which `user` holds one of `wanted` (schools inherit institution roles)."""
    if not _acts_in_role(user):
        return Organisation.objects.none()
    direct = Membership.objects.filter(user=user, role__in=wanted).values("organisation_id")
    query = Q(pk__in=direct) | Q(parent_id__in=direct)
    if is_platform_admin(user) and Role.INSTITUTION_ADMIN in wanted:
        query |= Q(kind__in=RUN_BY_INSTITUTIONS)
    return Organisation.objects.filter(query).distinct()


def is_staff_member(user: Any) -> bool:
    """Holds any role anywhere (or is a platform admin): may open the staff dashboard."""
    if not _acts_in_role(user):
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user).exists()


# --- designs -----------------------------------------------------------------------------

DESIGN_TEAM = (Role.INSTITUTION_ADMIN, Role.DESIGNER, Role.REVIEWER)


def can_view_design(user: Any, version: Any) -> bool:
    """Staff of the issuing organisation, and endorsers of partners asked to endorse it whose
    request is still open or was endorsed (a cancelled or declined request lets nobody in)."""
    from mosaics.endorsements.models import EndorsementRequest

    organisation = version.micro_credential.issuer.organisation
    if has_role(user, organisation, *DESIGN_TEAM):
        return True
    partners = organisations_where(user, Role.ENDORSER)
    return bool(
        version.endorsement_requests.filter(
            partner__in=partners,
            state__in=(EndorsementRequest.State.OPEN, EndorsementRequest.State.ENDORSED),
        ).exists()
    )


def can_edit_design(user: Any, version: Any) -> bool:
    organisation = version.micro_credential.issuer.organisation
    return version.is_editable and has_role(
        user, organisation, Role.DESIGNER, Role.INSTITUTION_ADMIN
    )


def can_create_design(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.DESIGNER, Role.INSTITUTION_ADMIN)


def is_author(user: Any, version: Any) -> bool:
    return bool(
        _authenticated(user)
        and (version.created_by_id == user.pk or version.contributors.filter(pk=user.pk).exists())
    )


def can_review_design(user: Any, version: Any) -> bool:
    """Reviewers and institution admins, but never someone who wrote or edited this version."""
    organisation = version.micro_credential.issuer.organisation
    return has_role(user, organisation, Role.REVIEWER, Role.INSTITUTION_ADMIN) and not is_author(
        user, version
    )


def can_publish_design(user: Any, version: Any) -> bool:
    return has_role(user, version.micro_credential.issuer.organisation, Role.INSTITUTION_ADMIN)


def can_request_endorsement(user: Any, version: Any) -> bool:
    organisation = version.micro_credential.issuer.organisation
    return has_role(user, organisation, Role.DESIGNER, Role.INSTITUTION_ADMIN)


# --- endorsements ------------------------------------------------------------------------


def can_endorse_for(user: Any, partner: Organisation) -> bool:
    return partner.kind == Organisation.Kind.PARTNER and has_role(user, partner, Role.ENDORSER)


# --- organisations -----------------------------------------------------------------------


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Members, invitations, issuers, keys and goals of an institution or school (institution
    admins), or of a partner (its endorsers manage their own organisation, and platform
    admins)."""
    if organisation.kind == Organisation.Kind.PLATFORM:
        return False
    if organisation.kind == Organisation.Kind.PARTNER:
        return has_role(user, organisation, Role.ENDORSER) or is_platform_admin(user)
    return has_role(user, organisation, Role.INSTITUTION_ADMIN)


# --- awards ------------------------------------------------------------------------------

#: Who may award a micro-credential directly (e.g. for recognised prior learning) and see the
#: issuing organisation's award records.
AWARDING = (Role.INSTITUTION_ADMIN, Role.ASSESSOR)


def can_award(user: Any, issuer: Any) -> bool:
    """Assessors and institution admins of the issuer profile's organisation (never an
    endorser profile)."""
    return issuer.kind == issuer.Kind.ISSUER and has_role(user, issuer.organisation, *AWARDING)


def can_view_award_record(user: Any, award: Any) -> bool:
    """The staff view of an award (learner's address, evidence, history)."""
    return has_role(user, award.issuer.organisation, *AWARDING)


def can_change_award_status(user: Any, award: Any) -> bool:
    """Revoke, suspend and reinstate: institution admins of the issuing organisation."""
    return has_role(user, award.issuer.organisation, Role.INSTITUTION_ADMIN)


def is_award_holder(user: Any, award: Any) -> bool:
    """The learner the award belongs to (claim, share, download, mark evidence private)."""
    return bool(
        _authenticated(user) and award.learner_id is not None and award.learner_id == user.pk
    )


def can_manage_api_tokens(user: Any, issuer: Any) -> bool:
    """Issuer API tokens are made and revoked by the organisation's institution admins."""
    return issuer.kind == issuer.Kind.ISSUER and has_role(
        user, issuer.organisation, Role.INSTITUTION_ADMIN
    )


# --- learning: enrolment, submissions, assessment ----------------------------------------

#: Who assesses submissions for the micro-credentials of an organisation's issuers.
ASSESSING = (Role.INSTITUTION_ADMIN, Role.ASSESSOR)


def can_manage_enrolment(user: Any, micro_credential: Any) -> bool:
    """Enrolment settings (places, window) and the list of who is enrolled or waiting:
    designers and institution admins of the issuing organisation."""
    return has_role(
        user, micro_credential.issuer.organisation, Role.DESIGNER, Role.INSTITUTION_ADMIN
    )


def is_enrolled_learner(user: Any, enrolment: Any) -> bool:
    """The learner whose enrolment (and demonstrations, reflection, submissions) it is."""
    return bool(_authenticated(user) and enrolment.learner_id == user.pk)


def has_declared_conflict(user: Any, learner_id: Any) -> bool:
    from mosaics.learning.models import Conflict

    return Conflict.objects.filter(assessor=user, learner_id=learner_id).exists()


def is_assessor_for(user: Any, version: Any) -> bool:
    """Holds an assessing role in the organisation that issues `version`."""
    return has_role(user, version.micro_credential.issuer.organisation, *ASSESSING)


def can_view_submission(user: Any, submission: Any) -> bool:
    """The learner, and assessors of the issuing organisation who have not declared a
    conflict with the learner."""
    return is_enrolled_learner(user, submission.enrolment) or can_view_as_assessor(user, submission)


def can_view_as_assessor(user: Any, submission: Any) -> bool:
    """May open the submission on the assessment page (read-only once decided): an assessor
    (or institution admin) of the issuing organisation who is not the learner and has no
    declared conflict with them."""
    enrolment = submission.enrolment
    if not _authenticated(user) or user.pk == enrolment.learner_id:
        return False
    if not is_assessor_for(user, enrolment.version):
        return False
    return not has_declared_conflict(user, enrolment.learner_id)


def can_assess(user: Any, submission: Any) -> bool:
    """May record the next assessment of `submission`: `can_view_as_assessor`, and, for
    moderation, did not make the first assessment."""
    if not can_view_as_assessor(user, submission):
        return False
    return not submission.assessments.filter(assessor=user).exists()


def assessing_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations whose submissions `user` may see in the assessor queue."""
    return organisations_where(user, *ASSESSING)
