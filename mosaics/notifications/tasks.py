"""Deliver notifications after commit (Django's tasks API). Idempotent: a message that is
no longer pending is left alone."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    from mosaics.notifications.outbox import deliver

    return deliver(notification_id)


@task()
def deliver_due_notifications() -> dict[str, int]:
    from mosaics.notifications.outbox import deliver_due

    return deliver_due()
