"""Deliver notifications after commit (Django's tasks API). Tasks take ids and are
idempotent: a message that is no longer pending, or not due, is left alone."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    from mosaics.notifications.outbox import deliver

    return deliver(notification_id)


@task()
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    from mosaics.notifications.outbox import deliver_many

    return deliver_many(list(notification_ids))


@task()
def deliver_due_notifications() -> dict[str, int]:
    from mosaics.notifications.outbox import deliver_due

    return deliver_due()
