"""Supervisor attestation: the learner asks a workplace or community supervisor to confirm a
submitted demonstration; the supervisor answers through a signed, single-use, expiring link.

The link's token is derived from the attestation's uuid and nonce under SECRET_KEY
(`mosaics.learning.tokens`); only its SHA-256 is stored, and it is never written to the
audit log or the outbox (the e-mail derives the link again when it is sent). Sending the
request again draws a new nonce, so the old link stops working. Answering locks the row, so
a link used twice at once is answered once.

The supervisor's address is never written into the audit log: an entry's target names the
attestation, which holds the address and goes when the learner's account goes.

Each request and each resend sends a stranger an e-mail written partly by the learner, so both
are budgeted, counted from what is stored already (the Attestation rows and the audit log's
resends; the models keep no counters):

- per competency of one enrolment, across all versions of its demonstration: `MAX_REQUESTS`
  requests, each sent again at most `MAX_RESENDS` times;
- per learner, over the last 24 hours: `MAX_LEARNER_EMAILS_PER_DAY` e-mails in all;
- per recipient mailbox (sub-addresses such as name+tag@ count as name@), platform-wide, over
  the last 24 hours: `MAX_RECIPIENT_EMAILS_PER_DAY` e-mails.

The learner's limits hold under concurrency: the lock taken on the demonstration (or the
attestation) joins, and so locks, the learner's own row, so one learner's requests run one at
a time. The recipient's limit is not serialised across learners and may be passed by a request
or two sent at the same instant.
"""

from __future__ import annotations

import re
import uuid as uuid_lib
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from mosaics.audit.log import history, record, target_of
from mosaics.audit.models import AuditEntry
from mosaics.learning import notifications
from mosaics.learning.actions._common import (
    MAX_SHORT,
    learner_email,
    learner_language,
    refuse,
    require,
    text,
)
from mosaics.learning.models import Attestation, Demonstration, Enrolment
from mosaics.learning.tokens import attestation_token, new_nonce, token_hash
from mosaics.notifications.outbox import notify
from mosaics.organisations import permissions

__all__ = [
    "MAX_COMMENT",
    "MAX_EMAIL",
    "MAX_LEARNER_EMAILS_PER_DAY",
    "MAX_MESSAGE",
    "MAX_RECIPIENT_EMAILS_PER_DAY",
    "MAX_REQUESTS",
    "MAX_RESENDS",
    "attestation_answer",
    "attestation_cancel",
    "attestation_for_token",
    "attestation_request",
    "attestation_resend",
    "chosen_name",
    "learner_name",
]

#: Requests per competency of one enrolment, across all versions of its demonstration and
#: whatever became of them: enough to ask someone else after a dispute or a cancellation, too
#: few to use the platform to mail strangers (revising does not give more).
MAX_REQUESTS = 5
#: Times one request may be sent again (each sends an e-mail to the supervisor).
MAX_RESENDS = 3
#: E-mails (requests and resends) one learner may have sent to supervisors in `LIMIT_WINDOW`.
MAX_LEARNER_EMAILS_PER_DAY = 10
#: E-mails (requests and resends, from all learners) one mailbox may receive in `LIMIT_WINDOW`.
MAX_RECIPIENT_EMAILS_PER_DAY = 5
#: The rolling window of the daily limits.
LIMIT_WINDOW = timedelta(hours=24)
RESEND_ACTION = "learning.attestation_resend"
MAX_COMMENT = 5_000
MAX_MESSAGE = 2_000
MAX_EMAIL = 254
#: Our tokens are 64 lowercase hex characters (an HMAC-SHA256); anything else is not ours.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{64}")
MAX_TOKEN = 200


def chosen_name(learner: Any) -> str:
    """The name the learner gave themselves ("" when none): never their username (made from
    their e-mail address) or the address itself."""
    return str(learner.display_name or learner.get_full_name() or learner.legal_name or "")


def learner_name(learner: Any) -> str:
    """The learner as the supervisor sees them."""
    return chosen_name(learner) or _("the learner")


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.MOSAICS_ATTESTATION_DAYS)


def _organisation(demonstration: Demonstration) -> Any:
    return demonstration.enrolment.micro_credential.issuer.organisation


def _lock_demonstration(demonstration: Demonstration) -> Demonstration:
    return (
        Demonstration.objects.select_for_update()
        .select_related(
            "enrolment__learner", "enrolment__micro_credential__issuer__organisation", "competency"
        )
        .get(pk=demonstration.pk)
    )


def _lock_attestation(attestation: Attestation) -> Attestation:
    return (
        Attestation.objects.select_for_update()
        .select_related(
            "demonstration__enrolment__learner",
            "demonstration__enrolment__micro_credential__issuer__organisation",
        )
        .get(pk=attestation.pk)
    )


def _check_learner(actor: Any, enrolment: Enrolment) -> None:
    require(permissions.is_enrolled_learner(actor, enrolment))


def _check_working(enrolment: Enrolment) -> None:
    if not enrolment.is_working:
        raise refuse(
            _("You are not enrolled in this micro-credential at the moment."), "not_enrolled"
        )


def _supervisor_email(value: Any) -> str:
    email = text(value, what=_("The supervisor's e-mail"), limit=MAX_EMAIL, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise refuse(
            _("Enter the supervisor's e-mail address, like name@example.org."), "email"
        ) from None
    return email.lower()


def _mailbox(email: str) -> str:
    """The mailbox an address delivers to, for comparing addresses: case-folded, without a
    sub-address tag (name+tag@example.org reaches name@example.org)."""
    local, _at, domain = email.casefold().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _is_own_address(user: Any, email: str) -> bool:
    """Whether `email` reaches one of the learner's own mailboxes: the account's address or
    any address they added, verified or not, with or without a +tag on either side."""
    mailbox = _mailbox(email)
    addresses = [
        user.email or "",
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    ]
    return any(_mailbox(address) == mailbox for address in addresses if address)


def _recipient(email: str) -> Q:
    """The stored supervisor addresses that reach the same mailbox as `email` (stored lower
    case): the address itself and its sub-addresses (name+anything@domain)."""
    local, _at, domain = email.rpartition("@")
    base = local.split("+", 1)[0]
    return Q(supervisor_email=f"{base}@{domain}") | Q(
        supervisor_email__startswith=f"{base}+", supervisor_email__endswith=f"@{domain}"
    )


def _resends_since(since: datetime, **filters: Any) -> int:
    return AuditEntry.objects.filter(action=RESEND_ACTION, created__gt=since, **filters).count()


def _learner_emails(learner: Any, since: datetime) -> int:
    """Supervisor e-mails the learner has had sent since `since`: requests and resends."""
    requests = Attestation.objects.filter(
        demonstration__enrolment__learner=learner, requested_at__gt=since
    ).count()
    return requests + _resends_since(since, actor=learner)


def _recipient_emails(email: str, since: datetime) -> int:
    """Supervisor e-mails sent to `email`'s mailbox since `since`, by anyone."""
    to_mailbox = Attestation.objects.filter(_recipient(email))
    requests = to_mailbox.filter(requested_at__gt=since).count()
    # A request sent again in the window expires after the window began (the new link lives
    # from the resend on), so only those few need their audit entries counted.
    targets = [target_of(a) for a in to_mailbox.filter(expires_at__gt=since).only("pk")]
    return requests + (_resends_since(since, target__in=targets) if targets else 0)


def _check_daily_limits(learner: Any, email: str, now: datetime) -> None:
    since = now - LIMIT_WINDOW
    if _learner_emails(learner, since) >= MAX_LEARNER_EMAILS_PER_DAY:
        raise refuse(
            _(
                "You have sent the most supervisor requests allowed for today. "
                "Please try again tomorrow."
            ),
            "daily_limit",
        )
    if _recipient_emails(email, since) >= MAX_RECIPIENT_EMAILS_PER_DAY:
        raise refuse(
            _(
                "We cannot send another request to this e-mail address today. "
                "Please try again tomorrow."
            ),
            "recipient_limit",
        )


def _issue_token(attestation: Attestation) -> None:
    """Draw a new nonce and store the hash of the token it makes (the old link dies)."""
    attestation.nonce = new_nonce()
    attestation.token_hash = token_hash(attestation_token(attestation))


def _notify_supervisor(attestation: Attestation, learner: Any) -> None:
    notify(
        kind=notifications.ATTESTATION_REQUESTED,
        target=attestation,
        recipient=attestation.supervisor_email,
        language=learner_language(learner),
    )


def attestation_request(
    *,
    actor: Any,
    demonstration: Demonstration,
    supervisor_name: str,
    supervisor_email: str,
    supervisor_role: str = "",
    message: str = "",
    now: datetime | None = None,
) -> Attestation:
    """The learner asks a supervisor to confirm a submitted demonstration. A request whose
    link has expired is cancelled and replaced; one still open is refused."""
    now = now or timezone.now()
    name = text(supervisor_name, what=_("The supervisor's name"), limit=MAX_SHORT, required=True)
    email = _supervisor_email(supervisor_email)
    role = text(supervisor_role, what=_("The supervisor's role"), limit=MAX_SHORT)
    note = text(message, what=_("The message"), limit=MAX_MESSAGE)
    with transaction.atomic():
        demonstration = _lock_demonstration(demonstration)
        enrolment = demonstration.enrolment
        _check_learner(actor, enrolment)
        _check_working(enrolment)
        if not demonstration.is_frozen:
            raise refuse(
                _(
                    "Submit this demonstration first: your supervisor confirms exactly what "
                    "the assessors will see."
                ),
                "draft",
            )
        if _is_own_address(actor, email):
            raise refuse(
                _("Ask someone else: you cannot confirm your own work."),
                "own_email",
            )
        # Counted over every version: revising and submitting again gives no new requests.
        asked = Attestation.objects.filter(
            demonstration__enrolment=enrolment, demonstration__competency=demonstration.competency
        ).count()
        if asked >= MAX_REQUESTS:
            raise refuse(
                _(
                    "You have sent the most supervisor requests allowed for this competency "
                    "(%(count)d). If you still need a supervisor's confirmation, ask the people "
                    "who run this micro-credential."
                )
                % {"count": MAX_REQUESTS},
                "limit",
            )
        _check_daily_limits(enrolment.learner, email, now)
        # An expired request still holds the "one open request" place: let it go.
        replaced = list(
            Attestation.objects.select_for_update()
            .filter(
                demonstration=demonstration,
                state=Attestation.State.REQUESTED,
                expires_at__lte=now,
            )
            .values_list("uuid", flat=True)
        )
        if replaced:
            Attestation.objects.filter(uuid__in=replaced).update(state=Attestation.State.CANCELLED)
        attestation = Attestation(
            uuid=uuid_lib.uuid4(),
            demonstration=demonstration,
            supervisor_name=name,
            supervisor_email=email,
            supervisor_role=role,
            message=note,
            requested_by=actor,
            requested_at=now,
            expires_at=_expiry(now),
        )
        _issue_token(attestation)
        try:
            with transaction.atomic():
                attestation.save(force_insert=True)
        except IntegrityError:
            raise refuse(
                _(
                    "A supervisor has already been asked to confirm this demonstration. "
                    "Cancel that request first, or send it again."
                ),
                "open",
            ) from None
        record(
            actor=actor,
            action="learning.attestation_request",
            target=attestation,
            organisation=_organisation(demonstration),
            demonstration=str(demonstration.uuid),
            expires_at=attestation.expires_at.isoformat(),
            **({"replaced": [str(value) for value in replaced]} if replaced else {}),
        )
        _notify_supervisor(attestation, enrolment.learner)
    return attestation


def _check_open_request(actor: Any, attestation: Attestation) -> None:
    enrolment = attestation.demonstration.enrolment
    _check_learner(actor, enrolment)
    if attestation.state != Attestation.State.REQUESTED:
        raise refuse(_("This request has been answered or cancelled already."), "not_requested")


def attestation_resend(
    *, actor: Any, attestation: Attestation, now: datetime | None = None
) -> Attestation:
    """Send the request again with a new link (valid from now); the old link stops working."""
    now = now or timezone.now()
    with transaction.atomic():
        attestation = _lock_attestation(attestation)
        _check_open_request(actor, attestation)
        enrolment = attestation.demonstration.enrolment
        _check_working(enrolment)
        if _resends(attestation) >= MAX_RESENDS:
            raise refuse(
                _(
                    "This request has been sent %(count)d times again already. Cancel it and "
                    "ask again if the address was wrong."
                )
                % {"count": MAX_RESENDS},
                "limit",
            )
        _check_daily_limits(enrolment.learner, attestation.supervisor_email, now)
        _issue_token(attestation)
        attestation.expires_at = _expiry(now)
        attestation.save(update_fields=["nonce", "token_hash", "expires_at"])
        record(
            actor=actor,
            action=RESEND_ACTION,
            target=attestation,
            organisation=_organisation(attestation.demonstration),
            expires_at=attestation.expires_at.isoformat(),
        )
        _notify_supervisor(attestation, enrolment.learner)
    return attestation


def _resends(attestation: Attestation) -> int:
    # The model keeps no counter: the audit log knows how often it was sent again.
    return history(attestation).filter(action=RESEND_ACTION).count()


def attestation_cancel(*, actor: Any, attestation: Attestation) -> Attestation:
    """The learner withdraws a request that has not been answered; its link stops working."""
    with transaction.atomic():
        attestation = _lock_attestation(attestation)
        _check_open_request(actor, attestation)
        attestation.state = Attestation.State.CANCELLED
        attestation.save(update_fields=["state"])
        record(
            actor=actor,
            action="learning.attestation_cancel",
            target=attestation,
            organisation=_organisation(attestation.demonstration),
        )
    return attestation


def attestation_for_token(token: Any) -> Attestation | None:
    """The attestation a link's token opens (in whatever state), or None when it is not one
    of ours: wrong length, not hex, replaced by a newer link, or unknown."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or not TOKEN_PATTERN.fullmatch(token):
        return None
    digest = token_hash(token)
    attestation = (
        Attestation.objects.select_related(
            "demonstration__enrolment__learner",
            "demonstration__enrolment__version",
            "demonstration__enrolment__micro_credential__issuer__organisation",
            "demonstration__competency",
        )
        .filter(token_hash=digest)
        .first()
    )
    if attestation is None or not constant_time_compare(attestation.token_hash, digest):
        return None
    return attestation


def attestation_answer(
    *, token: str, confirmed: bool, comment: str = "", now: datetime | None = None
) -> Attestation:
    """The supervisor confirms or disputes the demonstration (a dispute says why). The link
    works once, until it expires, and not after the learner cancelled the request."""
    now = now or timezone.now()
    found = attestation_for_token(token)
    if found is None:
        raise refuse(_("This link is not valid."), "unknown")
    with transaction.atomic():
        attestation = _lock_attestation(found)
        # The learner may have sent a new link between the look-up and the lock.
        if not constant_time_compare(attestation.token_hash, token_hash(token)):
            raise refuse(_("This link is not valid."), "unknown")
        learner = attestation.demonstration.enrolment.learner
        if attestation.state == Attestation.State.CANCELLED:
            raise refuse(
                _("This request was cancelled by %(learner)s, so there is nothing to confirm.")
                % {"learner": learner_name(learner)},
                "cancelled",
            )
        if attestation.state != Attestation.State.REQUESTED:
            raise refuse(
                _("This link has been used already: the demonstration was answered on %(date)s.")
                % {"date": _date(attestation.answered_at)},
                "answered",
            )
        if attestation.expires_at <= now:
            raise refuse(
                _("This link has expired. Ask %(learner)s to send a new one.")
                % {"learner": learner_name(learner)},
                "expired",
            )
        note = text(comment, what=_("Your comment"), limit=MAX_COMMENT)
        if not confirmed and not note:
            raise refuse(
                _("Say in your comment what you do not agree with, so the assessors know."),
                "comment_required",
            )
        attestation.state = Attestation.State.CONFIRMED if confirmed else Attestation.State.DISPUTED
        attestation.comment = note
        attestation.answered_at = now
        attestation.save(update_fields=["state", "comment", "answered_at"])
        record(
            actor=None,
            action="learning.attestation_answer",
            target=attestation,
            organisation=_organisation(attestation.demonstration),
            state=attestation.state,
        )
        notify(
            kind=notifications.ATTESTATION_ANSWERED,
            target=attestation,
            recipient=learner_email(learner),
            language=learner_language(learner),
        )
    return attestation


def _date(value: datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""
