"""Awarding and everything that happens to an award afterwards.

Workflows are atomic and audited, check their actor themselves, and queue their side effects
(e-mail, pathway awards) to run after commit:

- `award_issue` — make an award (idempotent: one per learner and version or pathway, held by
  the database), signed and self-checked before it is saved;
- `award_revoke`, `award_suspend`, `award_reinstate` — flip the award's bits in the issuer's
  status lists (re-signed at once) and keep the reason verifiers are shown;
- `award_accept`, `award_decline` — the learner's answer to a claim;
- `awards_attach` — give a learner the awards made to an address they have just verified;
- `pathway_awards_check` — award every pathway the learner now completes (not twice).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.awards import documents, notifications
from mosaics.awards.models import Award, AwardEvidence, AwardResult
from mosaics.catalogue.models import Competency, RubricLevel, Version
from mosaics.endorsements.actions import add_months
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.issuance.keystore import KeyUnavailable
from mosaics.notifications.outbox import notify
from mosaics.organisations import permissions
from mosaics.pathways.models import Pathway
from mosaics.vc import schema
from mosaics.vc import verify as vc_verify

__all__ = [
    "AwardRefused",
    "EvidenceInput",
    "award_accept",
    "award_credential_form",
    "award_decline",
    "award_issue",
    "award_reinstate",
    "award_revoke",
    "award_suspend",
    "awards_attach",
    "awards_for_email",
    "claim_token",
    "claim_url",
    "held_micro_credentials",
    "learner_for_email",
    "normalise_email",
    "pathway_awards_check",
    "verify_award",
]

MAX_EVIDENCE = 20
MAX_TEXT = 10_000


class AwardRefused(ValidationError):
    """The award (or change) cannot be made; the message says why in the user's words."""


@dataclass(frozen=True)
class EvidenceInput:
    name: str
    description: str = ""
    narrative: str = ""
    url: str = ""
    genre: str = ""
    private: bool = False


# --- lookups -------------------------------------------------------------------------------


def normalise_email(value: Any) -> str:
    """The address trimmed and lower-cased, or `AwardRefused` when it is not an address."""
    email = str(value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AwardRefused(
            _("“%(value)s” is not an e-mail address.") % {"value": str(value)[:200]},
            code="email",
        ) from None
    return email


def learner_for_email(email: str) -> Any | None:
    """The person who has verified `email`, if anyone has."""
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(email=email.lower(), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def awards_for_email(email: str) -> QuerySet[Award]:
    return Award.objects.filter(recipient_email=email.lower())


def held_micro_credentials(learner: Any, email: str = "") -> set[int]:
    """Ids of the micro-credentials the learner holds in good standing (any version; active,
    not expired, not declined) — what pathway rules are checked against."""
    query = Q(learner=learner) if learner is not None else Q(recipient_email=email)
    current = Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now())
    return set(
        Award.objects.filter(query, current, version__isnull=False, status=Award.Status.ACTIVE)
        .exclude(claim=Award.Claim.DECLINED)
        .values_list("version__micro_credential_id", flat=True)
    )


def claim_token(award: Award) -> str:
    """The token in the award's claim link: derived from the award under SECRET_KEY, so it is
    never stored or queued; the award keeps only its SHA-256 (`claim_token_hash`)."""
    return salted_hmac(
        "mosaics.awards.claim", f"{award.pk}:{award.uuid}", algorithm="sha256"
    ).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def claim_url(award: Award) -> str:
    return documents._absolute(
        reverse("awards:claim", kwargs={"uuid": award.uuid, "token": claim_token(award)})
    )


def verify_award(award: Award, credential: Mapping[str, Any] | str | None = None) -> Any:
    """Verify (a form of) the award as any verifier would, with our issuer's DID document and
    status lists given (nothing is fetched). Returns the `mosaics.vc.verify.Report`."""
    from mosaics.organisations.models import Issuer

    # The award's issuer, and the partners whose endorsements ride inside its Achievement.
    issuers = [award.issuer, *Issuer.objects.filter(kind=Issuer.Kind.ENDORSER)]
    return vc_verify.verify(
        credential if credential is not None else award.credential,
        documents=signing.trusted_documents(issuers),
        status_lists=issuance.status_list_credentials(issuers),
    )


def schema_problems(credential: Mapping[str, Any]) -> list[Any]:
    """The official OB 3.0 schema's complaints about one of our credentials. Its two status
    entries (VC 2.0 allows several) are each checked as the one object the schema describes."""
    entries = credential.get("credentialStatus")
    if not isinstance(entries, list):
        return list(schema.schema_problems(credential, "achievementcredential"))
    problems: list[Any] = []
    for entry in entries or [None]:
        single = {k: v for k, v in credential.items() if k != "credentialStatus"}
        if entry is not None:
            single["credentialStatus"] = entry
        problems += [
            p for p in schema.schema_problems(single, "achievementcredential") if p not in problems
        ]
    return problems


# --- helpers -----------------------------------------------------------------------------


def _text(value: Any, *, limit: int = MAX_TEXT, what: str) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise AwardRefused(
            _("%(what)s is too long (at most %(limit)d characters).")
            % {"what": what, "limit": limit},
            code="too_long",
        )
    return text


def _after_commit(task_name: str, *args: Any) -> None:
    from mosaics.awards import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(*args))


def _notify(kind: str, award: Award) -> None:
    """Queue an e-mail to the award's recipient (the outbox sends it after commit and retries
    it when sending fails)."""
    notify(
        kind=kind,
        target=award,
        recipient=award.recipient_email,
        language=notifications.language(award),
    )


def _lock(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("issuer__organisation", "revocation_entry", "suspension_entry")
        .get(pk=award.pk)
    )


def _evidence_rows(items: Iterable[EvidenceInput | Mapping[str, Any]]) -> list[AwardEvidence]:
    rows = []
    for position, item in enumerate(items):
        if position >= MAX_EVIDENCE:
            raise AwardRefused(
                _("An award can carry at most %(n)d pieces of evidence.") % {"n": MAX_EVIDENCE},
                code="evidence",
            )
        if isinstance(item, Mapping):
            item = EvidenceInput(**{k: item[k] for k in item if k in EvidenceInput.__annotations__})
        name = _text(item.name, limit=200, what=_("The evidence title"))
        url = _text(item.url, limit=500, what=_("The evidence address"))
        if url and not url.startswith("https://") and not url.startswith("http://"):
            raise AwardRefused(
                _("Evidence addresses must start with https:// (“%(url)s” does not).")
                % {"url": url[:100]},
                code="evidence",
            )
        if not name:
            raise AwardRefused(_("Every piece of evidence needs a title."), code="evidence")
        rows.append(
            AwardEvidence(
                position=position,
                name=name,
                description=_text(item.description, what=_("The evidence description")),
                narrative=_text(item.narrative, what=_("The evidence narrative")),
                url=url,
                genre=_text(item.genre, limit=100, what=_("The kind of evidence")),
                private=bool(item.private),
            )
        )
    return rows


def _result_rows(version: Version | None, results: Mapping[Any, Any]) -> list[AwardResult]:
    """Per-competency results: competency id → rubric level id (or None: met, no level)."""
    if not results:
        return []
    if version is None:
        raise AwardRefused(_("Only micro-credentials have competency results."), code="results")
    competencies = {c.pk: c for c in Competency.objects.filter(version=version)}
    levels = {level.pk: level for level in RubricLevel.objects.filter(competency__version=version)}
    rows = []
    for raw_competency, raw_level in results.items():
        try:
            competency = competencies[int(raw_competency)]
        except (KeyError, TypeError, ValueError, OverflowError):
            raise AwardRefused(
                _("A result names a competency that is not part of this micro-credential."),
                code="results",
            ) from None
        level = None
        if raw_level not in (None, ""):
            try:
                level = levels[int(raw_level)]
            except (KeyError, TypeError, ValueError, OverflowError):
                level = None
            if level is None or level.competency_id != competency.pk:
                raise AwardRefused(
                    _("The result for “%(competency)s” is not one of its rubric levels.")
                    % {"competency": competency.statement},
                    code="results",
                )
        rows.append(AwardResult(competency=competency, level=level))
    return rows


def _existing(
    learner: Any | None, email: str, version: Version | None, pathway: Pathway | None
) -> Award | None:
    target = Q(version=version) if version is not None else Q(pathway=pathway)
    who = Q(recipient_email=email)
    if learner is not None:
        who |= Q(learner=learner)
    return Award.objects.filter(target, who).order_by("pk").first()


def _is_self(actor: Any, email: str, learner: Any | None) -> bool:
    """Whether the award would go to the person making it (by account or by any address of
    theirs, verified or not)."""
    from allauth.account.models import EmailAddress

    if actor is None:
        return False
    if learner is not None and learner.pk == actor.pk:
        return True
    if str(getattr(actor, "email", "") or "").lower() == email:
        return True
    return bool(EmailAddress.objects.filter(user=actor, email=email.lower()).exists())


# --- issuing -----------------------------------------------------------------------------


@transaction.atomic
def award_issue(
    *,
    actor: Any,
    recipient_email: str,
    version: Version | None = None,
    pathway: Pathway | None = None,
    narrative: str = "",
    evidence: Sequence[EvidenceInput | Mapping[str, Any]] = (),
    results: Mapping[Any, Any] | None = None,
    recipient_name: str = "",
    source: str = Award.Source.STAFF,
    now: datetime | None = None,
) -> Award:
    """Award `version` (a published micro-credential version) or `pathway` (a published
    pathway) to the person at `recipient_email`.

    Idempotent: if that person (by this address, or the account that verified it) already has
    an award of this version or pathway, that award is returned unchanged (with
    ``award.created = False``). Otherwise the credential is built, signed with the issuer's
    active key, checked as a verifier would check it, and saved with its evidence and results
    (``award.created = True``); the learner is then e-mailed a claim link.

    `actor` must be an assessor or institution admin of the issuer's organisation, except for
    awards the platform makes itself (``source`` pathway or api, actor None).
    `now` backdates the award (demo data, tests); validity follows the design's period.
    """
    if (version is None) == (pathway is None):
        raise ValueError("Award either a version or a pathway.")
    if version is not None:
        version = Version.objects.select_related("micro_credential__issuer__organisation").get(
            pk=version.pk
        )
        issuer = version.micro_credential.issuer
        # A learner assessed against the version they enrolled in earns that version, even
        # when a newer one has been published (or the micro-credential retired) meanwhile:
        # the credential says what they met. Anyone else awards the published version only.
        awardable = (
            (Version.State.PUBLISHED, Version.State.SUPERSEDED, Version.State.RETIRED)
            if source == Award.Source.ASSESSMENT
            else (Version.State.PUBLISHED,)
        )
        if version.state not in awardable:
            raise AwardRefused(
                _("Only the published version of a micro-credential can be awarded."),
                code="not_published",
            )
    else:
        assert pathway is not None
        pathway = Pathway.objects.select_related("issuer__organisation").get(pk=pathway.pk)
        issuer = pathway.issuer
        if pathway.state != Pathway.State.PUBLISHED:
            raise AwardRefused(_("Only a published pathway can be awarded."), code="not_published")
    system = source in (Award.Source.PATHWAY, Award.Source.API) and actor is None
    if not system and not permissions.can_award(actor, issuer):
        raise PermissionDenied
    email = normalise_email(recipient_email)
    narrative = _text(narrative, what=_("The narrative"))
    recipient_name = _text(recipient_name, limit=200, what=_("The learner's name"))
    evidence_rows = _evidence_rows(evidence)
    result_rows = _result_rows(version, results or {})
    learner = learner_for_email(email)
    if not system and _is_self(actor, email, learner):
        raise AwardRefused(
            _("You cannot award a badge to yourself; another assessor or admin can."),
            code="self",
        )

    found = _existing(learner, email, version, pathway)
    if found is not None:
        found.created = False
        return found
    try:
        with transaction.atomic():
            award = _issue(
                actor=None if system else actor,
                issuer=issuer,
                email=email,
                learner=learner,
                version=version,
                pathway=pathway,
                narrative=narrative,
                recipient_name=recipient_name,
                source=source,
                now=now,
                evidence_rows=evidence_rows,
                result_rows=result_rows,
            )
    except IntegrityError:
        # Someone awarded the same thing at the same moment: theirs stands.
        found = _existing(learner, email, version, pathway)
        if found is None:
            raise
        found.created = False
        return found
    record(
        actor=None if system else actor,
        action="awards.issue",
        target=award,
        organisation=issuer.organisation,
        credential_id=award.credential_id,
        version=version.pk if version is not None else None,
        pathway=pathway.pk if pathway is not None else None,
        source=source,
        valid_until=award.valid_until.isoformat() if award.valid_until else None,
    )
    _notify(notifications.AWARD, award)
    if version is not None:
        _after_commit("check_pathways", award.pk)
    award.created = True
    return award


def _issue(
    *,
    actor: Any,
    issuer: Any,
    email: str,
    learner: Any,
    version: Version | None,
    pathway: Pathway | None,
    narrative: str,
    recipient_name: str,
    source: str,
    now: datetime | None,
    evidence_rows: list[AwardEvidence],
    result_rows: list[AwardResult],
) -> Award:
    real_now = timezone.now()
    awarded_at = (now or real_now).replace(microsecond=0)
    months = version.validity_months if version is not None else None
    valid_until = add_months(awarded_at, months) if months else None
    award = Award(
        learner=learner,
        recipient_email=email,
        identity_salt=secrets.token_hex(16),
        recipient_name=recipient_name or (learner.legal_name if learner is not None else ""),
        version=version,
        pathway=pathway,
        issuer=issuer,
        source=source,
        narrative=narrative,
        awarded_by=actor,
        awarded_at=awarded_at,
        valid_from=awarded_at,
        valid_until=valid_until,
    )
    if learner is not None:
        bound = learner.bound_dids.first()
        award.recipient_did = bound.did if bound is not None else ""
    try:
        award.revocation_entry = issuance.status_entry_allocate(
            issuer=issuer, purpose="revocation", credential_id=award.credential_id
        )
        award.suspension_entry = issuance.status_entry_allocate(
            issuer=issuer, purpose="suspension", credential_id=award.credential_id
        )
        unsigned = documents.unsigned_credential(
            award,
            achievement=documents.subject_achievement(award),
            evidence=evidence_rows,
            results=result_rows,
        )
        key = signing.active_key(issuer)
    except (signing.NoActiveKey, KeyUnavailable):
        raise AwardRefused(
            _(
                "%(issuer)s has no usable signing key, so nothing was awarded; an institution "
                "admin can generate one on the issuer's key page."
            )
            % {"issuer": issuer.name},
            code="no_key",
        ) from None
    from mosaics.vc import dataintegrity

    award.credential = dataintegrity.sign(
        unsigned, key, verification_method=key.id, created=awarded_at
    )
    # Check what we are about to hand out, exactly as a verifier will.
    problems = schema_problems(award.credential)
    report = verify_award(award)
    expected = "valid" if valid_until is None or valid_until > real_now else "expired"
    if problems or report.status != expected:
        import logging

        logging.getLogger(__name__).error(
            "Award self-check failed: %s %s",
            problems,
            [c.message for c in report.checks if not c.ok],
        )
        raise AwardRefused(
            _(
                "The badge could not be signed correctly, so nothing was awarded. Please try "
                "again or tell a platform admin."
            ),
            code="self_check_failed",
        )
    award.save()
    for row in evidence_rows:
        row.award = award
    AwardEvidence.objects.bulk_create(evidence_rows)
    for result_row in result_rows:
        result_row.award = award
    AwardResult.objects.bulk_create(result_rows)
    award.claim_token_hash = token_hash(claim_token(award))
    award.save(update_fields=["claim_token_hash"])
    return award


FORMS = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt")


def award_credential_form(award: Award, form: str = "eddsa-rdfc-2022") -> dict[str, Any] | str:
    """The award's credential signed as `form` (one of `FORMS`): the stored eddsa-rdfc-2022
    document, or the same unsigned document signed with eddsa-jcs-2022 or as a VC-JWT (OB 3.0
    §8.2) by the issuer's active key — made on first request and kept, so it never changes."""
    if form == "eddsa-rdfc-2022":
        stored: dict[str, Any] = award.credential
        return stored
    if form not in FORMS:
        raise AwardRefused(
            _("“%(form)s” is not a form we sign badges in.") % {"form": str(form)[:50]},
            code="form",
        )
    if form == "eddsa-jcs-2022" and award.credential_jcs:
        kept: dict[str, Any] = award.credential_jcs
        return kept
    if form == "jwt" and award.credential_jwt:
        return award.credential_jwt
    unsigned = documents.credential_document(award, signed=False)
    try:
        key = signing.active_key(award.issuer)
    except (signing.NoActiveKey, KeyUnavailable):
        raise AwardRefused(
            _("%(issuer)s has no usable signing key at the moment; please try again later.")
            % {"issuer": award.issuer.name},
            code="no_key",
        ) from None
    from mosaics.vc import dataintegrity, jose

    if form == "eddsa-jcs-2022":
        signed: dict[str, Any] | str = dataintegrity.sign(
            unsigned,
            key,
            cryptosuite="eddsa-jcs-2022",
            verification_method=key.id,
            created=documents.proof_created(award),
        )
        Award.objects.filter(pk=award.pk, credential_jcs__isnull=True).update(credential_jcs=signed)
        award.credential_jcs = signed
    else:
        signed = jose.sign_credential(unsigned, key)
        Award.objects.filter(pk=award.pk, credential_jwt="").update(credential_jwt=signed)
        award.credential_jwt = signed
    return signed


# --- status --------------------------------------------------------------------------------


def _require_status_actor(actor: Any, award: Award) -> None:
    if not permissions.can_change_award_status(actor, award):
        raise PermissionDenied


def _reason(reason: Any, *, required: bool) -> str:
    text = _text(reason, limit=1000, what=_("The reason"))
    if required and not text:
        raise AwardRefused(
            _("Please give the reason: verifiers of the badge will see it."), code="reason"
        )
    return text


def _set_status(award: Award, status: str, reason: str) -> None:
    award.status = status
    award.status_reason = reason
    award.status_changed_at = timezone.now()
    award.save(update_fields=["status", "status_reason", "status_changed_at"])


@transaction.atomic
def award_revoke(*, actor: Any, award: Award, reason: str) -> Award:
    """Revoke for good (Bitstring revocation cannot be undone): the revocation bit is set in
    the issuer's list, which is re-signed; the reason is shown to verifiers."""
    award = _lock(award)
    _require_status_actor(actor, award)
    reason = _reason(reason, required=True)
    if award.status == Award.Status.REVOKED:
        raise AwardRefused(_("This badge is already revoked."), code="state")
    issuance.status_entry_set(entry=award.revocation_entry, value=True, actor=actor, reason=reason)
    previous = award.status
    _set_status(award, Award.Status.REVOKED, reason)
    record(
        actor=actor,
        action="awards.revoke",
        target=award,
        organisation=award.issuer.organisation,
        reason=reason,
        previous=previous,
    )
    _notify(notifications.STATUS, award)
    return award


@transaction.atomic
def award_suspend(*, actor: Any, award: Award, reason: str) -> Award:
    """Suspend for now: the suspension bit is set (and can be cleared by `award_reinstate`)."""
    award = _lock(award)
    _require_status_actor(actor, award)
    reason = _reason(reason, required=True)
    if award.status != Award.Status.ACTIVE:
        raise AwardRefused(_("Only an active badge can be suspended."), code="state")
    issuance.status_entry_set(entry=award.suspension_entry, value=True, actor=actor, reason=reason)
    _set_status(award, Award.Status.SUSPENDED, reason)
    record(
        actor=actor,
        action="awards.suspend",
        target=award,
        organisation=award.issuer.organisation,
        reason=reason,
    )
    _notify(notifications.STATUS, award)
    return award


@transaction.atomic
def award_reinstate(*, actor: Any, award: Award, reason: str = "") -> Award:
    """Lift a suspension (a revoked badge stays revoked)."""
    award = _lock(award)
    _require_status_actor(actor, award)
    reason = _reason(reason, required=False)
    if award.status != Award.Status.SUSPENDED:
        raise AwardRefused(_("Only a suspended badge can be reinstated."), code="state")
    issuance.status_entry_set(entry=award.suspension_entry, value=False, actor=actor, reason=reason)
    _set_status(award, Award.Status.ACTIVE, "")
    record(
        actor=actor,
        action="awards.reinstate",
        target=award,
        organisation=award.issuer.organisation,
        reason=reason,
    )
    _notify(notifications.STATUS, award)
    return award


# --- the learner's side ------------------------------------------------------------------


def _require_holder(actor: Any, award: Award) -> None:
    if not permissions.is_award_holder(actor, award):
        raise PermissionDenied


@transaction.atomic
def award_accept(*, actor: Any, award: Award) -> Award:
    """The learner accepts the badge: it appears in their mosaic."""
    award = _lock(award)
    _require_holder(actor, award)
    if award.claim == Award.Claim.ACCEPTED:
        return award
    award.claim = Award.Claim.ACCEPTED
    award.claimed_at = timezone.now()
    award.save(update_fields=["claim", "claimed_at"])
    record(actor=actor, action="awards.accept", target=award, organisation=None)
    return award


@transaction.atomic
def award_decline(*, actor: Any, award: Award) -> Award:
    """The learner declines the badge: it leaves their mosaic and is never shared (they may
    still accept it later)."""
    award = _lock(award)
    _require_holder(actor, award)
    if award.claim == Award.Claim.DECLINED:
        return award
    award.claim = Award.Claim.DECLINED
    award.claimed_at = timezone.now()
    award.shared = False
    award.save(update_fields=["claim", "claimed_at", "shared"])
    award.collections.clear()
    record(actor=actor, action="awards.decline", target=award, organisation=None)
    return award


@transaction.atomic
def awards_attach(*, user: Any, email: str) -> list[Award]:
    """Give `user` the awards made to `email`, which they have just verified (allauth's
    e-mail confirmation). Awards already someone's stay theirs. Returns the awards attached."""
    email = email.strip().lower()
    attached = []
    for award in Award.objects.select_for_update().filter(
        recipient_email=email, learner__isnull=True
    ):
        target = Q(version=award.version) if award.version_id else Q(pathway=award.pathway)
        if Award.objects.filter(target, learner=user).exists():
            continue  # they already hold it through another address
        award.learner = user
        award.save(update_fields=["learner"])
        record(actor=user, action="awards.attach", target=award, organisation=None)
        attached.append(award)
    if attached:
        _after_commit("check_pathways", attached[-1].pk)
    return attached


# --- pathways ----------------------------------------------------------------------------


def pathway_awards_check(award: Award) -> list[Award]:
    """Award every published pathway that `award`'s micro-credential counts towards and that
    its learner now completes (and does not hold yet). Returns the new pathway awards.

    Each pathway is awarded in its own transaction: one pathway issuer without a usable key
    does not stop the others (it is logged in the audit trail and tried again next time)."""
    from mosaics.pathways import rules

    award = Award.objects.select_related("version__micro_credential").get(pk=award.pk)
    if award.version is None or award.status != Award.Status.ACTIVE:
        return []
    held = held_micro_credentials(award.learner, award.recipient_email)
    made = []
    for pathway in rules.published_pathways_requiring(award.version.micro_credential_id):
        if _existing(award.learner, award.recipient_email, None, pathway) is not None:
            continue
        if not rules.is_satisfied(pathway, held):
            continue
        try:
            pathway_award = award_issue(
                actor=None,
                recipient_email=award.recipient_email,
                pathway=pathway,
                recipient_name=award.recipient_name,
                source=Award.Source.PATHWAY,
            )
        except AwardRefused as exc:
            record(
                actor=None,
                action="awards.pathway_failed",
                target=pathway,
                organisation=pathway.issuer.organisation,
                award=award.pk,
                reason=str(exc.message),
            )
            continue
        if getattr(pathway_award, "created", False):
            made.append(pathway_award)
    return made
