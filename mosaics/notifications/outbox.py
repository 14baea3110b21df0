"""Queue, send and retry notifications (see `mosaics.notifications.models`).

`notify()` (or `notify_many()` for a batch) stores the message in the workflow's own
transaction and queues its delivery after commit. `deliver()` sends one message in three
short steps, so that no database transaction — and on SQLite no write lock — is held while
the mail server is being talked to:

1. claim: lock the row, check it is still pending and due, count the attempt and move
   `next_attempt_at` a lease ahead, so another worker leaves it alone meanwhile (a worker
   that dies mid-send leaves it to be tried again once the lease runs out);
2. outside any transaction: build the context from what the message is about (None
   cancels it), render the templates in the recipient's language, send;
3. record the outcome, only if the row is still this attempt's.

A failure is kept on the row (`last_error`: the exception, never the body or a link) and
tried again with back-off by `deliver_due()` (`mosaics notifications send`, every few
minutes); after `MAX_ATTEMPTS` the message is given up (state `failed`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mosaics.audit.log import target_of
from mosaics.notifications import registry
from mosaics.notifications.models import Notification

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "deliver",
    "deliver_due",
    "deliver_many",
    "notify",
    "notify_many",
    "render",
    "resolve_target",
]

log = logging.getLogger(__name__)

#: After this many failed attempts a message is given up (state `failed`). With the back-off
#: below the last attempt comes about 45 hours after the first: a mail server that is down
#: over a weekend night loses nothing.
MAX_ATTEMPTS = 16

#: How long a claimed message is left to the worker sending it before another may try.
LEASE = timedelta(minutes=15)

State = Notification.State


def notify(
    *, kind: str, target: models.Model, recipient: str, language: str | None = ""
) -> Notification:
    """Queue a message of `kind` about `target` to `recipient`, to be sent after commit.
    Call it inside the workflow's transaction: rolled back, nothing is stored or sent.

    A message is rendered from its target's state when it is sent, so an older message of
    the same kind about the same target that is still waiting (a retry) would only say the
    same again: it is cancelled, and this one says it once."""
    if registry.get(kind) is None:
        raise LookupError(f"unknown notification kind {kind!r}")
    Notification.objects.filter(state=State.PENDING, kind=kind, target=target_of(target)).update(
        state=State.CANCELLED
    )
    (notification,) = notify_many(kind=kind, messages=[(target, recipient, language)])
    return notification


def notify_many(
    *, kind: str, messages: Iterable[tuple[models.Model, str, str | None]]
) -> list[Notification]:
    """Queue one message of `kind` per (target, recipient, language), in one insert, and
    deliver them all in one task after commit (bulk awards)."""
    if registry.get(kind) is None:
        raise LookupError(f"unknown notification kind {kind!r}")
    now = timezone.now()
    rows = [
        Notification(
            kind=kind,
            recipient=(recipient or "").strip(),
            language=language or "",
            target=target_of(target),
            next_attempt_at=now,
        )
        for target, recipient, language in messages
    ]
    for row in rows:
        if not row.recipient:
            # Nowhere to send it (an account without an address): kept, visibly, as not needed.
            row.state = State.CANCELLED
            row.last_error = "no recipient address"
    if not rows:
        return []
    if len(rows) == 1:
        rows[0].save()
    else:
        Notification.objects.bulk_create(rows, batch_size=500)
    ids = [row.pk for row in rows if row.state == State.PENDING]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int]) -> None:
    from mosaics.notifications.tasks import deliver_notification, deliver_notifications

    try:
        if len(ids) == 1:
            deliver_notification.enqueue(ids[0])
        else:
            deliver_notifications.enqueue(ids)
    except Exception:  # the queue is down: the rows stay pending and `send` picks them up
        log.exception("could not queue notifications %s", ids[:10])


def resolve_target(target: str) -> Any | None:
    """The object a target string ("<app_label>.<model>:<pk>") names, or None when it has
    gone (or the string names nothing)."""
    label, _, pk = target.partition(":")
    app_label, _, model_name = label.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
        return model._default_manager.filter(pk=pk).first()
    except (LookupError, ValueError, TypeError):
        return None


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, ... minutes after the first failures, then every six hours.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _language(code: str) -> str:
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def render(
    kind: registry.Kind, context: dict[str, Any], language: str = ""
) -> tuple[str, str, str | None]:
    """Subject (one line), plain-text body and HTML body (None without html) of a message
    of `kind`, rendered in `language` (the site's language when empty or unknown)."""
    with translation.override(_language(language)):
        context = {
            "site_url": settings.SITE_URL,
            "platform_name": getattr(settings, "MOSAICS_PLATFORM_NAME", "Mosaics"),
            **context,
        }
        subject = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
        body = render_to_string(f"{kind.template}_body.txt", context)
        html = render_to_string(f"{kind.template}_body.html", context) if kind.html else None
    return subject, body, html


def _claim(notification_id: int, now: datetime) -> tuple[Notification | None, str]:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            return None, "missing"
        if notification.state != State.PENDING or notification.next_attempt_at > now:
            # Sent, given up or cancelled already; waiting for its next attempt; or being
            # sent by another worker right now.
            return None, notification.state
        notification.attempts += 1
        notification.next_attempt_at = now + LEASE
        notification.save(update_fields=["attempts", "next_attempt_at"])
        return notification, notification.state


def _finish(
    notification: Notification, *, allowed: Sequence[str] = (State.PENDING,), **fields: Any
) -> str:
    """Record the attempt's outcome unless another worker has taken the row over since (its
    lease ran out) or, unless `allowed`, a newer message has superseded it."""
    updated = Notification.objects.filter(
        pk=notification.pk, state__in=allowed, attempts=notification.attempts
    ).update(**fields)
    if not updated:
        current = Notification.objects.filter(pk=notification.pk).values_list("state", flat=True)
        return current.first() or "missing"
    return str(fields.get("state", State.PENDING))


def _describe(error: BaseException, context: dict[str, Any] | None) -> str:
    """The error for `last_error`: its type and message, with any link of the context (they
    may carry a token) blanked out, and short."""
    text = f"{type(error).__name__}: {error}"
    for key, value in (context or {}).items():
        if key.endswith("_url") and isinstance(value, str) and value:
            text = text.replace(value, f"[{key}]")
            for part in value.split("/"):
                if len(part) >= 20:  # a token on its own
                    text = text.replace(part, "[…]")
    return text[:1000]


def deliver(
    notification_id: int, *, now: datetime | None = None, connection: Any | None = None
) -> str:
    """Send one pending, due notification; returns its state afterwards ("missing" when
    there is no such row). Idempotent: a message already sent, given up, cancelled, not due
    yet or being sent by another worker is left alone. Never raises: a failure is recorded on
    the row and retried later. `connection` is an open mail connection to reuse."""
    now = now or timezone.now()
    notification, state = _claim(notification_id, now)
    if notification is None:
        return state
    kind = registry.get(notification.kind)
    context: dict[str, Any] | None = None
    try:
        target = resolve_target(notification.target)
        context = kind.context(target) if kind is not None and target is not None else None
        if context is None:
            return _finish(notification, state=State.CANCELLED)
        assert kind is not None
        subject, body, html = render(kind, context, notification.language)
        message = EmailMultiAlternatives(
            subject, body, None, [notification.recipient], connection=connection
        )
        if html is not None:
            message.attach_alternative(html, "text/html")
        if not message.send():
            raise RuntimeError("the e-mail backend sent nothing")
    except Exception as error:
        if connection is not None:
            _close_quietly(connection)  # the next message opens a fresh one
        failed = notification.attempts >= MAX_ATTEMPTS
        log.warning(
            "notification %s (%s) failed, attempt %s%s: %s",
            notification.pk,
            notification.kind,
            notification.attempts,
            " (given up)" if failed else "",
            type(error).__name__,
        )
        return _finish(
            notification,
            state=State.FAILED if failed else State.PENDING,
            last_error=_describe(error, context),
            next_attempt_at=now + _backoff(notification.attempts),
        )
    # Sent even if a newer message superseded (cancelled) this one meanwhile: say so.
    return _finish(
        notification,
        state=State.SENT,
        sent_at=now,
        last_error="",
        allowed=(State.PENDING, State.CANCELLED),
    )


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:
        log.debug("closing the mail connection failed", exc_info=True)


def deliver_many(ids: Sequence[int], *, now: datetime | None = None) -> dict[str, int]:
    """`deliver()` each of `ids` in turn over one mail connection. Returns how many ended in
    each state."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    if not ids:
        return counts
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # each message tries again itself and records its own failure
        log.warning("could not open a mail connection", exc_info=True)
        _close_quietly(connection)
    try:
        for pk in ids:
            state = deliver(pk, now=now, connection=connection)
            counts[state] = counts.get(state, 0) + 1
    finally:
        _close_quietly(connection)
    return counts


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every pending notification whose next attempt is due, oldest first, at most
    `limit` of them. Returns how many ended in each state."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver_many(due, now=now)
