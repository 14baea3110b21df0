"""Industry endorsement workflows: the institution invites a partner to endorse a design
version; both sides discuss it; the partner endorses it (a signed OB 3.0 EndorsementCredential,
issued by its endorser profile, with the version's Achievement as subject) or declines; an
endorsement is renewed (a new credential) or withdrawn (its revocation bit is set).

Each workflow is atomic, locks the rows whose state it changes, checks that `actor` may act
(raising `PermissionDenied` — views check first and answer 404, this is the backstop), refuses
with an `EndorsementRefused` whose message is shown to the user, and writes one audit entry
(withdrawal also leaves the status list's own entry). E-mail goes out after commit through
Django's tasks API (`mosaics.endorsements.tasks`).
"""

from __future__ import annotations

import calendar
import uuid
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue.documents import achievement_id, content_digest
from mosaics.catalogue.models import Version
from mosaics.endorsements.errors import EndorsementRefused
from mosaics.endorsements.models import Endorsement, EndorsementComment, EndorsementRequest
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.issuance.keystore import KeyUnavailable
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer, Organisation, Role
from mosaics.vc import ob3, schema, statuslist
from mosaics.vc import verify as vc_verify

__all__ = [
    "MAX_TEXT_LENGTH",
    "MAX_VALID_MONTHS",
    "MIN_VALID_MONTHS",
    "EndorsementRefused",
    "add_months",
    "endorsement_comment_add",
    "endorsement_credentials_for_achievement",
    "endorsement_decline",
    "endorsement_renew",
    "endorsement_request_cancel",
    "endorsement_request_send",
    "endorsement_requests_for_user",
    "endorsement_sign",
    "endorsement_withdraw",
    "endorsements_for_achievement",
    "endorsements_in_force",
    "endorser_profile",
    "endorsing_partners",
    "is_design_team",
    "partners_with_endorser_profile",
    "verify_endorsement",
]

MIN_VALID_MONTHS = 1
MAX_VALID_MONTHS = 36
#: messages, comments, statements and reasons: long enough for a careful paragraph or three
MAX_TEXT_LENGTH = 4000

_CLOSED_VERSION_STATES = (Version.State.SUPERSEDED, Version.State.RETIRED)


# --- who, and what ------------------------------------------------------------------------


def endorser_profile(partner: Organisation) -> Issuer | None:
    """The partner's endorser profile (the `Issuer` it signs endorsements as), if it has one."""
    return (
        Issuer.objects.filter(organisation=partner, kind=Issuer.Kind.ENDORSER)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )


def partners_with_endorser_profile() -> QuerySet[Organisation]:
    """Partner organisations that can sign endorsements (they have an endorser profile)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.PARTNER, issuers__kind=Issuer.Kind.ENDORSER
    ).distinct()


def endorsing_partners(user: Any) -> QuerySet[Organisation]:
    """Partners for which `user` holds the endorser role."""
    return permissions.organisations_where(user, Role.ENDORSER).filter(
        kind=Organisation.Kind.PARTNER
    )


def is_design_team(user: Any, version: Version) -> bool:
    """Staff of the issuing organisation who work on designs (admins, designers, reviewers).

    Deliberately narrower than `permissions.can_view_design`, which also lets in endorsers of
    every partner asked about the version: one partner's conversation is not another's."""
    organisation = version.micro_credential.issuer.organisation
    return permissions.has_role(user, organisation, *permissions.DESIGN_TEAM)


def endorsement_requests_for_user(user: Any) -> QuerySet[EndorsementRequest]:
    """Requests addressed to the partners `user` endorses for."""
    return EndorsementRequest.objects.filter(partner__in=endorsing_partners(user)).select_related(
        "partner", "version__micro_credential__issuer__organisation"
    )


def endorsements_in_force(
    version: Version, *, now: datetime | None = None, digest: str | None = None
) -> QuerySet[Endorsement]:
    """The endorsements in force for `version`: current (not withdrawn, renewed or expired)
    and signed over the version's current content (`digest`, computed when not given). An
    endorsement of an earlier state of a draft is not in force until the partner renews it."""
    return Endorsement.objects.current(now).for_content(version, digest=digest)


def endorsements_for_achievement(
    version: Version, *, now: datetime | None = None
) -> list[Endorsement]:
    """The endorsements in force for `version`, oldest first: what the catalogue shows and the
    Achievement's `endorsement` array embeds (OB 3.0 §B.1.1 allows EndorsementCredentials in
    `Achievement.endorsement`)."""
    return list(
        endorsements_in_force(version, now=now)
        .select_related("endorser__organisation")
        .order_by("valid_from", "pk")
    )


def endorsement_credentials_for_achievement(
    version: Version, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The signed EndorsementCredentials of `version`'s current endorsements, ready to embed."""
    return [
        endorsement.credential for endorsement in endorsements_for_achievement(version, now=now)
    ]


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus `months` calendar months (the day clamped to the month's length)."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def verify_endorsement(
    endorsement: Endorsement, *, now: datetime | None = None
) -> vc_verify.Report:
    """Verify the stored credential with our own issuers' DID documents and status lists."""
    return vc_verify.verify(
        endorsement.credential,
        now=now,
        documents=signing.trusted_documents([endorsement.endorser]),
        status_lists=issuance.status_list_credentials([endorsement.endorser]),
    )


# --- checks -------------------------------------------------------------------------------


def _text(value: str, *, field: str, required: bool, what: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise EndorsementRefused(_("Please write %(what)s.") % {"what": what}, field=field)
    if len(value) > MAX_TEXT_LENGTH:
        raise EndorsementRefused(
            _("Please keep %(what)s to %(limit)d characters or fewer (it has %(length)d).")
            % {"what": what, "limit": MAX_TEXT_LENGTH, "length": len(value)},
            field=field,
        )
    if "\x00" in value:
        raise EndorsementRefused(
            _("The text contains a character that is not allowed."), field=field
        )
    return value


def _months(value: Any) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not MIN_VALID_MONTHS <= value <= MAX_VALID_MONTHS
    ):
        raise EndorsementRefused(
            _("An endorsement is valid for %(min)d to %(max)d months.")
            % {"min": MIN_VALID_MONTHS, "max": MAX_VALID_MONTHS},
            field="valid_months",
        )
    return value


def _require_endorser(actor: Any, partner: Organisation) -> None:
    if not permissions.can_endorse_for(actor, partner):
        raise PermissionDenied(_("You do not endorse for this partner."))


def _lock_request(request: EndorsementRequest) -> EndorsementRequest:
    return (
        EndorsementRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "version__micro_credential__issuer__organisation")
        .get(pk=request.pk)
    )


def _lock_version(version_id: int) -> Version:
    """Lock the version so that no design edit lands between reading it and signing it (the
    design workflows lock it too)."""
    return (
        Version.objects.select_for_update(of=("self",))
        .select_related("micro_credential__issuer__organisation")
        .get(pk=version_id)
    )


def _require_endorsable(version: Version, *, renewal: bool = False) -> None:
    if version.state in _CLOSED_VERSION_STATES:
        message = (
            _("This version is %(state)s; its endorsement cannot be renewed.")
            if renewal
            else _("This version is %(state)s and can no longer be endorsed.")
        )
        raise EndorsementRefused(
            message % {"state": version.get_state_display().lower()}, code="version_closed"
        )


def _require_read(version: Version, digest: str, read_digest: str | None) -> None:
    """Refuse when the partner's page showed an earlier state of the design than the one
    about to be signed (`read_digest` comes from the form they submitted)."""
    if read_digest is not None and read_digest != digest:
        raise EndorsementRefused(
            _(
                "The design changed while you were reading it, so nothing was signed. Please "
                "read the current version below, then sign again."
            ),
            code="content_changed",
        )


def _lock_endorsement(endorsement: Endorsement) -> Endorsement:
    return (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related(
            "request__partner",
            "endorser__organisation",
            "status_entry",
            "version__micro_credential__issuer__organisation",
        )
        .get(pk=endorsement.pk)
    )


def _require_open(request: EndorsementRequest) -> None:
    if request.state != EndorsementRequest.State.OPEN:
        raise EndorsementRefused(
            _("This request is no longer open (%(state)s).")
            % {"state": request.get_state_display()},
            code="not_open",
        )


def _after_commit(task_name: str, object_id: int) -> None:
    from mosaics.endorsements import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(partial(task.enqueue, object_id, get_language() or ""))


# --- the institution's side ---------------------------------------------------------------


@transaction.atomic
def endorsement_request_send(
    *, actor: Any, version: Version, partner: Organisation, message: str = ""
) -> EndorsementRequest:
    """Invite `partner` to endorse `version`; its endorsers are e-mailed after commit."""
    version = (
        Version.objects.select_for_update(of=("self",))
        .select_related("micro_credential__issuer__organisation")
        .get(pk=version.pk)
    )
    if not permissions.can_request_endorsement(actor, version):
        raise PermissionDenied(_("You cannot ask for endorsements of this design."))
    if version.state in _CLOSED_VERSION_STATES:
        raise EndorsementRefused(
            _("This version is %(state)s: ask for endorsement of the current version instead.")
            % {"state": version.get_state_display().lower()},
            code="version_closed",
        )
    if partner.kind != Organisation.Kind.PARTNER or endorser_profile(partner) is None:
        raise EndorsementRefused(
            _("Choose an industry partner that has an endorser profile."), field="partner"
        )
    message = _text(message, field="message", required=False, what=_("the message"))
    current = Endorsement.objects.current().filter(version=version, request__partner=partner)
    if current.exists():
        in_force = current.for_content(version).exists()
        raise EndorsementRefused(
            (
                _("%(partner)s already endorses this version; it can renew its endorsement.")
                if in_force
                else _(
                    "%(partner)s endorsed an earlier state of this version; it can renew its "
                    "endorsement to endorse the current content."
                )
            )
            % {"partner": partner.name},
            field="partner",
            code="already_endorsed",
        )
    try:
        with transaction.atomic():
            request = EndorsementRequest.objects.create(
                version=version, partner=partner, message=message, requested_by=actor
            )
    except IntegrityError:
        raise EndorsementRefused(
            _("%(partner)s already has an open request for this version.")
            % {"partner": partner.name},
            field="partner",
            code="already_open",
        ) from None
    record(
        actor=actor,
        action="endorsements.request_send",
        target=request,
        organisation=version.micro_credential.issuer.organisation,
        version=version.pk,
        partner=partner.slug,
    )
    _after_commit("notify_request_sent", request.pk)
    return request


@transaction.atomic
def endorsement_request_cancel(*, actor: Any, request: EndorsementRequest) -> EndorsementRequest:
    """Withdraw an open invitation (the institution's side)."""
    request = _lock_request(request)
    if not permissions.can_request_endorsement(actor, request.version):
        raise PermissionDenied(_("You cannot manage endorsement requests for this design."))
    _require_open(request)
    request.state = EndorsementRequest.State.CANCELLED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["state", "decided_at", "decided_by"])
    record(
        actor=actor,
        action="endorsements.request_cancel",
        target=request,
        organisation=request.version.micro_credential.issuer.organisation,
        version=request.version_id,
        partner=request.partner.slug,
    )
    return request


# --- both sides ---------------------------------------------------------------------------


@transaction.atomic
def endorsement_comment_add(
    *, actor: Any, request: EndorsementRequest, body: str
) -> EndorsementComment:
    """A comment or question in the conversation; the other side is e-mailed after commit."""
    request = _lock_request(request)
    partner_side = permissions.can_endorse_for(actor, request.partner)
    if not partner_side and not permissions.can_request_endorsement(actor, request.version):
        raise PermissionDenied(_("You are not part of this conversation."))
    _require_open(request)
    body = _text(body, field="body", required=True, what=_("a comment"))
    comment = EndorsementComment.objects.create(request=request, author=actor, body=body)
    record(
        actor=actor,
        action="endorsements.comment_add",
        target=comment,
        organisation=request.partner if partner_side else _institution_org(request),
        request=request.pk,
        side="partner" if partner_side else "institution",
    )
    _after_commit("notify_comment", comment.pk)
    return comment


def _institution_org(request: EndorsementRequest) -> Organisation:
    organisation: Organisation = request.version.micro_credential.issuer.organisation
    return organisation


# --- the partner's side -------------------------------------------------------------------


def _issue(
    *,
    actor: Any,
    request: EndorsementRequest,
    version: Version,
    statement: str,
    valid_months: int,
    now: datetime | None,
    digest: str,
) -> Endorsement:
    """Build, sign, check and store a new EndorsementCredential over the version's content
    `digest` (inside the caller's atomic block, with the version locked: if anything fails,
    nothing — not even the status list entry — is kept)."""
    profile = endorser_profile(request.partner)
    if profile is None:
        raise EndorsementRefused(
            _("%(partner)s has no endorser profile to sign with; ask a platform admin.")
            % {"partner": request.partner.name},
            code="no_profile",
        )
    real_now = timezone.now()
    valid_from = (now or real_now).replace(microsecond=0)
    valid_until = add_months(valid_from, valid_months)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    try:
        entry = issuance.status_entry_allocate(
            issuer=profile, purpose="revocation", credential_id=credential_id
        )
        issuer = signing.profile_document(profile, with_context=False)
        # The credential speaks the design's language (its title is in it).
        with translation.override(version.language or None):
            name = _("%(partner)s endorses “%(title)s”") % {
                "partner": profile.name,
                "title": version.title,
            }
        document = ob3.endorsement_credential(
            id=credential_id,
            issuer=issuer,
            credential_subject=ob3.endorsement_subject(
                id=achievement_id(version), endorsement_comment=statement
            ),
            name=name,
            valid_from=valid_from,
            valid_until=valid_until,
            credential_status=statuslist.status_entry(
                issuance.status_list_url(entry.status_list), entry.index
            ),
        )
        signed = signing.sign_credential(profile, document)
    except (signing.NoActiveKey, KeyUnavailable):
        raise EndorsementRefused(
            _(
                "%(partner)s's endorser profile has no usable signing key yet; an endorser of "
                "%(partner)s or a platform admin can generate one."
            )
            % {"partner": request.partner.name},
            code="no_key",
        ) from None
    # Check what we are about to hand out, exactly as a verifier will.
    problems = schema.schema_problems(signed, "endorsementcredential")
    report = vc_verify.verify(
        signed,
        documents=signing.trusted_documents([profile]),
        status_lists=issuance.status_list_credentials([profile]),
    )
    expected = "valid" if valid_until > real_now else "expired"  # backdated (demo data, tests)
    if problems or report.status != expected:
        raise EndorsementRefused(
            _(
                "The endorsement could not be signed correctly, so nothing was saved. Please "
                "try again or tell a platform admin."
            ),
            code="self_check_failed",
        )
    return Endorsement.objects.create(
        request=request,
        version=version,
        endorser=profile,
        statement=statement,
        credential_id=credential_id,
        credential=signed,
        content_digest=digest,
        status_entry=entry,
        valid_from=valid_from,
        valid_until=valid_until,
        signed_by=actor,
    )


@transaction.atomic
def endorsement_sign(
    *,
    actor: Any,
    request: EndorsementRequest,
    statement: str,
    valid_months: int = 24,
    now: datetime | None = None,
    read_digest: str | None = None,
) -> Endorsement:
    """Endorse: issue a signed EndorsementCredential valid for `valid_months` (1–36) months
    from `now` (default: the current time) and close the request as endorsed. The endorsement
    records the design's content digest; `read_digest`, when given, is the digest of the
    page the partner read, and signing is refused if the design has changed since."""
    request = _lock_request(request)
    _require_endorser(actor, request.partner)
    _require_open(request)
    statement = _text(
        statement, field="statement", required=True, what=_("your endorsement statement")
    )
    valid_months = _months(valid_months)
    version = _lock_version(request.version_id)
    _require_endorsable(version)
    digest = content_digest(version)
    _require_read(version, digest, read_digest)
    endorsement = _issue(
        actor=actor,
        request=request,
        version=version,
        statement=statement,
        valid_months=valid_months,
        now=now,
        digest=digest,
    )
    request.state = EndorsementRequest.State.ENDORSED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["state", "decided_at", "decided_by"])
    record(
        actor=actor,
        action="endorsements.sign",
        target=endorsement,
        organisation=request.partner,
        request=request.pk,
        version=version.pk,
        credential_id=endorsement.credential_id,
        valid_until=endorsement.valid_until.isoformat() if endorsement.valid_until else None,
    )
    _after_commit("notify_decision", request.pk)
    return endorsement


@transaction.atomic
def endorsement_decline(
    *, actor: Any, request: EndorsementRequest, reason: str
) -> EndorsementRequest:
    """Decline to endorse, saying why (the institution sees the reason)."""
    request = _lock_request(request)
    _require_endorser(actor, request.partner)
    _require_open(request)
    reason = _text(reason, field="reason", required=True, what=_("the reason"))
    request.state = EndorsementRequest.State.DECLINED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decline_reason = reason
    request.save(update_fields=["state", "decided_at", "decided_by", "decline_reason"])
    record(
        actor=actor,
        action="endorsements.decline",
        target=request,
        organisation=request.partner,
        version=request.version_id,
    )
    _after_commit("notify_decision", request.pk)
    return request


@transaction.atomic
def endorsement_renew(
    *,
    actor: Any,
    endorsement: Endorsement,
    valid_months: int = 24,
    statement: str | None = None,
    now: datetime | None = None,
    read_digest: str | None = None,
) -> Endorsement:
    """Issue a new credential for a current or expired endorsement (the same statement unless
    a new one is given), over the design's current content: renewing is also how a partner
    endorses a draft again after it changed. The old one is marked `renewed_by` the new one.
    The old credential is not revoked: it stays valid until its own end, so nobody is left
    without one. Superseded and retired versions are refused, as for signing; `read_digest`
    works as for `endorsement_sign`."""
    endorsement = _lock_endorsement(endorsement)
    request = endorsement.request
    _require_endorser(actor, request.partner)
    if endorsement.withdrawn_at is not None:
        raise EndorsementRefused(
            _("A withdrawn endorsement cannot be renewed; the institution can ask again."),
            code="withdrawn",
        )
    if endorsement.renewed_by_id is not None:
        raise EndorsementRefused(_("This endorsement has already been renewed."), code="renewed")
    version = _lock_version(endorsement.version_id)
    _require_endorsable(version, renewal=True)
    if statement is None or not statement.strip():
        statement = endorsement.statement
    statement = _text(
        statement, field="statement", required=True, what=_("your endorsement statement")
    )
    valid_months = _months(valid_months)
    digest = content_digest(version)
    _require_read(version, digest, read_digest)
    renewal = _issue(
        actor=actor,
        request=request,
        version=version,
        statement=statement,
        valid_months=valid_months,
        now=now,
        digest=digest,
    )
    endorsement.renewed_by = renewal
    endorsement.save(update_fields=["renewed_by"])
    record(
        actor=actor,
        action="endorsements.renew",
        target=renewal,
        organisation=request.partner,
        renews=endorsement.pk,
        credential_id=renewal.credential_id,
        content_changed=endorsement.content_digest != digest,
        valid_until=renewal.valid_until.isoformat() if renewal.valid_until else None,
    )
    return renewal


@transaction.atomic
def endorsement_withdraw(*, actor: Any, endorsement: Endorsement, reason: str) -> Endorsement:
    """Withdraw an endorsement: its revocation bit is set (the status list is re-signed), and
    so are those of the earlier credentials it renewed that have not expired yet — otherwise
    they would go on verifying as valid."""
    endorsement = _lock_endorsement(endorsement)
    _require_endorser(actor, endorsement.request.partner)
    if endorsement.withdrawn_at is not None:
        raise EndorsementRefused(
            _("This endorsement has already been withdrawn."), code="withdrawn"
        )
    if endorsement.renewed_by_id is not None:
        raise EndorsementRefused(
            _("This endorsement was renewed; withdraw the renewal instead."), code="renewed"
        )
    reason = _text(reason, field="reason", required=True, what=_("the reason"))
    now = timezone.now()
    chain = [endorsement]
    earlier = Endorsement.objects.select_for_update().filter(renewed_by=endorsement).first()
    while earlier is not None and earlier.withdrawn_at is None:
        if earlier.valid_until is None or earlier.valid_until > now:
            chain.append(earlier)
        earlier = Endorsement.objects.select_for_update().filter(renewed_by=earlier).first()
    for item in chain:
        if item.status_entry is not None:
            issuance.status_entry_set(
                entry=item.status_entry, value=True, actor=actor, reason=reason
            )
        item.withdrawn_at = now
        item.withdrawn_by = actor
        item.withdrawal_reason = reason
        item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record(
        actor=actor,
        action="endorsements.withdraw",
        target=endorsement,
        organisation=endorsement.request.partner,
        credential_id=endorsement.credential_id,
        also_withdrawn=[item.credential_id for item in chain[1:]],
    )
    _after_commit("notify_withdrawn", endorsement.pk)
    return endorsement
