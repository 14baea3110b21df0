"""Bulk awarding: one micro-credential version (or pathway) to many people at once.

`awards_issue_bulk` follows the rules of `mosaics.awards.actions.award_issue` row by row (the
actor may award for the issuer, only what is published, never to oneself, each address
normalised and checked, the learner found by a verified address, one award per person) and
does the expensive parts once per batch instead of once per award:

- the Achievement document (with its embedded endorsements) is built once;
- the issuer's key is decrypted once;
- every status entry of the batch is allocated at once (`status_entries_allocate`: one lock
  per list, free indexes drawn without replacement);
- each credential is signed with eddsa-rdfc-2022 and its own proof verified with the issuer's
  public key (`mosaics.vc.batch.sign_and_verify`: in a spawned process pool on every CPU for a
  large batch); the first is then checked exactly as a verifier checks it (official schema,
  proofs, embedded endorsements, status) — if any check fails, nothing is kept;
- awards, status entries and audit entries are written with `bulk_create` in one transaction;
- the claim e-mails are queued in the notification outbox in one insert; after commit one
  task sends them (failures are retried) and one checks the learners' pathways.

Rows that cannot be awarded (a bad address, the actor themselves, a repeated address) are
reported with their line and reason and do not stop the others; addresses that already hold
the badge are reported as such and left alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mosaics.audit.log import record, target_of
from mosaics.audit.models import AuditEntry
from mosaics.awards import documents, notifications
from mosaics.awards.actions import (
    AwardRefused,
    _text,
    claim_token,
    normalise_email,
    schema_problems,
    token_hash,
    verify_award,
)
from mosaics.awards.models import Award
from mosaics.catalogue.models import Version
from mosaics.endorsements.actions import add_months
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.issuance.keystore import KeyUnavailable
from mosaics.notifications.outbox import notify_many
from mosaics.organisations import permissions
from mosaics.pathways.models import Pathway
from mosaics.vc import batch
from mosaics.vc.errors import VCError

__all__ = ["MAX_RECIPIENTS", "BulkResult", "Held", "Refusal", "awards_issue_bulk"]

#: The most rows one batch may hold (the staff page refuses bigger files).
MAX_RECIPIENTS = 10_000
CHUNK = 500

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """A row that was not awarded: its line (1-based), what was written, and why."""

    line: int
    email: str
    message: str
    code: str


@dataclass(frozen=True)
class Held:
    """A row whose person already holds the badge (nothing was changed)."""

    line: int
    email: str
    award: Award


@dataclass
class BulkResult:
    made: list[Award] = field(default_factory=list)
    already_held: list[Held] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.made) + len(self.already_held) + len(self.refused)


@dataclass
class _Row:
    line: int
    email: str
    name: str
    learner: Any = None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _learners(emails: list[str]) -> dict[str, Any]:
    """Address → the person who verified it (compared exactly, as `learner_for_email`)."""
    from allauth.account.models import EmailAddress

    found: dict[str, Any] = {}
    for chunk in _chunks(emails):
        rows = (
            EmailAddress.objects.filter(email__in=list(chunk), verified=True)
            .select_related("user")
            .order_by("pk")
        )
        for address in rows:
            found.setdefault(address.email, address.user)
    return found


def _held(
    emails: list[str], learner_ids: list[int], target: dict[str, Any]
) -> tuple[dict[str, Award], dict[int, Award]]:
    """Existing awards of the target, by address and by learner (the first made wins)."""
    by_email: dict[str, Award] = {}
    by_learner: dict[int, Award] = {}
    for chunk in _chunks(emails):
        for award in Award.objects.filter(recipient_email__in=list(chunk), **target).order_by("pk"):
            by_email.setdefault(award.recipient_email, award)
    for chunk in _chunks(learner_ids):
        for award in Award.objects.filter(learner_id__in=list(chunk), **target).order_by("pk"):
            by_learner.setdefault(award.learner_id, award)  # type: ignore[arg-type]
    return by_email, by_learner


def _own_addresses(actor: Any) -> set[str]:
    from allauth.account.models import EmailAddress

    own = set(EmailAddress.objects.filter(user=actor).values_list("email", flat=True))
    if getattr(actor, "email", ""):
        own.add(str(actor.email).lower())
    return own


def _refused_key() -> AwardRefused:
    return AwardRefused(
        _(
            "The badge could not be signed correctly, so nothing was awarded. Please try "
            "again or tell a platform admin."
        ),
        code="self_check_failed",
    )


def awards_issue_bulk(
    *,
    actor: Any,
    version: Version | None = None,
    pathway: Pathway | None = None,
    recipients: Sequence[tuple[str, str]],
    narrative: str = "",
    now: datetime | None = None,
    lines: Sequence[int] | None = None,
) -> BulkResult:
    """Award `version` (or `pathway`) to every (email, name) of `recipients`.

    Rows are reported by `lines` (their line numbers in the file they came from) or else by
    their position (1-based). Raises `PermissionDenied` unless `actor` may award for the
    issuer, and `AwardRefused` when the whole batch cannot be made (not published, no usable
    key, too many rows, a credential that fails its self-check) — then nothing is awarded.
    """
    if (version is None) == (pathway is None):
        raise ValueError("Award either a version or a pathway.")
    if lines is not None and len(lines) != len(recipients):
        raise ValueError("One line number per recipient.")
    if version is not None:
        version = Version.objects.select_related(
            "micro_credential__issuer__organisation__parent"
        ).get(pk=version.pk)
        issuer = version.micro_credential.issuer
        published = version.state == Version.State.PUBLISHED
        target: dict[str, Any] = {"version": version}
    else:
        assert pathway is not None
        pathway = Pathway.objects.select_related("issuer__organisation__parent").get(pk=pathway.pk)
        issuer = pathway.issuer
        published = pathway.state == Pathway.State.PUBLISHED
        target = {"pathway": pathway}
    if not permissions.can_award(actor, issuer):
        raise PermissionDenied
    if not published:
        raise AwardRefused(
            _("Only the published version of a micro-credential can be awarded.")
            if version is not None
            else _("Only a published pathway can be awarded."),
            code="not_published",
        )
    if len(recipients) > MAX_RECIPIENTS:
        raise AwardRefused(
            _("At most %(n)d people can be awarded at once.") % {"n": MAX_RECIPIENTS},
            code="too_many",
        )
    narrative = _text(narrative, what=_("The narrative"))
    result = BulkResult()

    # 1. Each row on its own: a real address and a name that fits; each address once.
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for position, recipient in enumerate(recipients):
        line = lines[position] if lines is not None else position + 1
        raw_email, raw_name = (*tuple(recipient), "", "")[:2]
        try:
            email = normalise_email(raw_email)
            name = _text(raw_name, limit=200, what=_("The learner's name"))
        except AwardRefused as refused:
            result.refused.append(
                Refusal(line, str(raw_email or "")[:254], str(refused.message), str(refused.code))
            )
            continue
        if email in first_line:
            result.refused.append(
                Refusal(
                    line,
                    email,
                    _("This address is already on line %(line)d; it is awarded once.")
                    % {"line": first_line[email]},
                    "duplicate",
                )
            )
            continue
        first_line[email] = line
        rows.append(_Row(line, email, name))

    # 2. Who they are, and what they already hold.
    emails = [row.email for row in rows]
    learners = _learners(emails)
    own = _own_addresses(actor)
    learner_ids = sorted({user.pk for user in learners.values()})
    by_email, by_learner = _held(emails, learner_ids, target)
    to_make: list[_Row] = []
    learner_line: dict[int, int] = {}
    for row in rows:
        row.learner = learners.get(row.email)
        if row.email in own or (row.learner is not None and row.learner.pk == actor.pk):
            result.refused.append(
                Refusal(
                    row.line,
                    row.email,
                    _("You cannot award a badge to yourself; another assessor or admin can."),
                    "self",
                )
            )
            continue
        found = by_email.get(row.email)
        if found is None and row.learner is not None:
            found = by_learner.get(row.learner.pk)
        if found is not None:
            result.already_held.append(Held(row.line, row.email, found))
            continue
        if row.learner is not None:
            if row.learner.pk in learner_line:
                result.refused.append(
                    Refusal(
                        row.line,
                        row.email,
                        _(
                            "This address belongs to the same person as line %(line)d; "
                            "they are awarded once."
                        )
                        % {"line": learner_line[row.learner.pk]},
                        "duplicate",
                    )
                )
                continue
            learner_line[row.learner.pk] = row.line
        to_make.append(row)
    result.refused.sort(key=lambda refusal: refusal.line)
    if not to_make:
        return result
    with transaction.atomic():
        result.made = _make(
            actor=actor,
            issuer=issuer,
            version=version,
            pathway=pathway,
            rows=to_make,
            narrative=narrative,
            now=now,
        )
    return result


def _make(
    *,
    actor: Any,
    issuer: Any,
    version: Version | None,
    pathway: Pathway | None,
    rows: list[_Row],
    narrative: str,
    now: datetime | None,
) -> list[Award]:
    try:
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
    real_now = timezone.now()
    awarded_at = (now or real_now).replace(microsecond=0)
    months = version.validity_months if version is not None else None
    valid_until = add_months(awarded_at, months) if months else None

    bound: dict[int, str] = {}
    learner_ids = [row.learner.pk for row in rows if row.learner is not None]
    if learner_ids:
        from mosaics.accounts.models import BoundDid

        for chunk in _chunks(learner_ids):
            # Latest first (the model's ordering): the first seen per learner is theirs.
            for user_id, did in BoundDid.objects.filter(user_id__in=list(chunk)).values_list(
                "user_id", "did"
            ):
                bound.setdefault(user_id, did)

    awards = [
        Award(
            learner=row.learner,
            recipient_email=row.email,
            recipient_did=bound.get(row.learner.pk, "") if row.learner is not None else "",
            identity_salt=secrets.token_hex(16),
            recipient_name=row.name or (row.learner.legal_name if row.learner is not None else ""),
            version=version,
            pathway=pathway,
            issuer=issuer,
            source=Award.Source.STAFF,
            narrative=narrative,
            awarded_by=actor,
            awarded_at=awarded_at,
            valid_from=awarded_at,
            valid_until=valid_until,
        )
        for row in rows
    ]
    ids = [award.credential_id for award in awards]
    try:
        revocations = issuance.status_entries_allocate(
            issuer=issuer, purpose="revocation", credential_ids=ids
        )
        suspensions = issuance.status_entries_allocate(
            issuer=issuer, purpose="suspension", credential_ids=ids
        )
    except (signing.NoActiveKey, KeyUnavailable):  # pragma: no cover - the key was just found
        raise _refused_key() from None
    for award, revocation, suspension in zip(awards, revocations, suspensions, strict=True):
        award.revocation_entry = revocation
        award.suspension_entry = suspension

    # The Achievement (with its endorsements) is the same for everyone: built once.
    achievement = documents.subject_achievement(awards[0])
    unsigned = [
        documents.unsigned_credential(award, achievement=achievement, evidence=(), results=())
        for award in awards
    ]
    # Every credential signed and its proof verified with the issuer's public key, on every
    # CPU for a large batch (spawned workers: they never see this process's database socket).
    try:
        signed = batch.sign_and_verify(
            unsigned,
            seed=key.secret_seed_bytes(),
            public_key=key.public_bytes(),
            verification_method=key.id,
            controller=signing.issuer_did(issuer),
            created=awarded_at,
        )
    except VCError as exc:
        log.error("Bulk award proof check failed: %s", exc)
        raise _refused_key() from None
    for award, credential in zip(awards, signed, strict=True):
        award.credential = credential
    _self_check(awards, valid_until=valid_until, real_now=real_now)

    for chunk in _chunks(awards):
        Award.objects.bulk_create(chunk)
    for award in awards:
        award.claim_token_hash = token_hash(claim_token(award))
        award.created = True
    Award.objects.bulk_update(awards, ["claim_token_hash"], batch_size=CHUNK)
    _audit(actor, issuer, version, pathway, awards, valid_until)
    notify_many(
        kind=notifications.AWARD,
        messages=[
            (award, award.recipient_email, notifications.language(award)) for award in awards
        ],
    )
    ids_made = [award.pk for award in awards]
    if version is not None:
        transaction.on_commit(lambda: check_pathways_bulk.enqueue(ids_made))
    return awards


def _self_check(awards: list[Award], *, valid_until: datetime | None, real_now: datetime) -> None:
    """The first credential checked as any verifier checks it (every proof is already checked)."""
    first = awards[0]
    problems = schema_problems(first.credential)
    report = verify_award(first)
    expected = "valid" if valid_until is None or valid_until > real_now else "expired"
    if problems or report.status != expected:
        log.error(
            "Bulk award self-check failed: %s %s",
            problems,
            [c.message for c in report.checks if not c.ok],
        )
        raise _refused_key()


def _audit(
    actor: Any,
    issuer: Any,
    version: Version | None,
    pathway: Pathway | None,
    awards: list[Award],
    valid_until: datetime | None,
) -> None:
    what = version if version is not None else pathway
    assert what is not None
    record(
        actor=actor,
        action="awards.issue_bulk",
        target=what,
        organisation=issuer.organisation,
        count=len(awards),
        version=version.pk if version is not None else None,
        pathway=pathway.pk if pathway is not None else None,
    )
    common = {
        "version": version.pk if version is not None else None,
        "pathway": pathway.pk if pathway is not None else None,
        "source": Award.Source.STAFF,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "bulk": True,
    }
    entries = [
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            action="awards.issue",
            target=target_of(award),
            organisation=issuer.organisation,
            data={"credential_id": award.credential_id, **common},
        )
        for award in awards
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=CHUNK)


# --- after commit ----------------------------------------------------------------------------


@task()
def notify_awards(award_ids: list[int]) -> int:
    """E-mail each learner of a batch their claim link. Returns the number of messages sent.
    (Batches now queue their e-mails in the notification outbox; this serves tasks queued
    before it.)"""
    from mosaics.awards import emails

    sent = 0
    for chunk in _chunks(list(award_ids)):
        for award in Award.objects.select_related("issuer", "version", "pathway", "learner").filter(
            pk__in=list(chunk), claim=Award.Claim.PENDING
        ):
            sent += emails.send_award(award)
    return sent


@task()
def check_pathways_bulk(award_ids: list[int]) -> int:
    """Award the pathways the batch's learners now complete. Returns how many were made."""
    from mosaics.awards.actions import pathway_awards_check
    from mosaics.pathways import rules

    first = Award.objects.select_related("version").filter(pk__in=list(award_ids)[:1]).first()
    if first is None or first.version is None:
        return 0
    if not rules.published_pathways_requiring(first.version.micro_credential_id).exists():
        return 0  # the micro-credential counts towards no pathway
    made = 0
    for chunk in _chunks(list(award_ids)):
        for award in Award.objects.filter(pk__in=list(chunk)):
            made += len(pathway_awards_check(award))
    return made
