"""Queue, send and retry notifications (see `mosaics.notifications.models`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mosaics.audit.log import target_of
from mosaics.notifications import registry
from mosaics.notifications.models import Notification

__all__ = ["MAX_ATTEMPTS", "deliver", "deliver_due", "notify", "resolve_target"]

log = logging.getLogger(__name__)

#: After this many failed attempts a message is given up (state `failed`); about two days
#: of back-off in all.
MAX_ATTEMPTS = 10


def notify(
    *, kind: str, target: models.Model, recipient: str, language: str | None = ""
) -> Notification:
    """Queue a message of `kind` about `target` to `recipient`, to be sent after commit.
    Call it inside the workflow's transaction."""
    if registry.get(kind) is None:
        raise LookupError(f"unknown notification kind {kind!r}")
    notification = Notification.objects.create(
        kind=kind, recipient=recipient, language=language or "", target=target_of(target)
    )
    transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _enqueue(notification_id: int) -> None:
    from mosaics.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id)
    except Exception:  # the queue is down: the row stays pending and is retried
        log.exception("could not queue notification %s", notification_id)


def resolve_target(target: str) -> Any | None:
    """The object a target string names, or None when it has gone."""
    label, _, pk = target.partition(":")
    app_label, _, model_name = label.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    return model._default_manager.filter(pk=pk).first()


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, ... minutes, at most six hours between attempts.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _render(
    kind: registry.Kind, context: dict[str, Any], language: str
) -> tuple[str, str, str | None]:
    with translation.override(language or None):
        context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
        body = render_to_string(f"{kind.template}_body.txt", context)
        html = render_to_string(f"{kind.template}_body.html", context) if kind.html else None
    return subject, body, html


def deliver(notification_id: int, *, now: datetime | None = None) -> str:
    """Send one pending notification; returns its state afterwards. Never raises: a failure
    is recorded on the row and retried later."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.state != Notification.State.PENDING:
            return notification.state if notification else "missing"
        kind = registry.get(notification.kind)
        target = resolve_target(notification.target)
        context = kind.context(target) if kind is not None and target is not None else None
        if context is None:
            notification.state = Notification.State.CANCELLED
            notification.save(update_fields=["state"])
            return notification.state
        try:
            subject, body, html = _render(kind, context, notification.language)  # type: ignore[arg-type]
            message = EmailMultiAlternatives(subject, body, None, [notification.recipient])
            if html is not None:
                message.attach_alternative(html, "text/html")
            message.send()
        except Exception as error:
            notification.attempts += 1
            notification.last_error = f"{type(error).__name__}: {error}"[:1000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.state = Notification.State.FAILED
            notification.next_attempt_at = now + _backoff(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            log.warning(
                "notification %s (%s) failed, attempt %s: %s",
                notification.pk,
                notification.kind,
                notification.attempts,
                type(error).__name__,
            )
            return notification.state
        notification.attempts += 1
        notification.state = Notification.State.SENT
        notification.sent_at = now
        notification.last_error = ""
        notification.save(update_fields=["attempts", "state", "sent_at", "last_error"])
        return notification.state


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every pending notification whose next attempt is due (oldest first). Returns how
    many ended in each state."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        state = deliver(pk, now=now)
        counts[state] = counts.get(state, 0) + 1
    return counts
