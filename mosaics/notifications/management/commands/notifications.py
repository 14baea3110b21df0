"""`mosaics notifications send|status`: the outbox from the command line (cron, timers)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils import timezone

from mosaics.notifications.models import Notification
from mosaics.notifications.outbox import deliver_due

#: How each state reads in the command's output.
WORDS = {
    "sent": "sent",
    "pending": "waiting to be sent (or retried later)",
    "failed": "given up",
    "cancelled": "no longer needed",
    "missing": "gone",
}


#: The most messages one run may send (far more than a run every few minutes needs; a number
#: the database's LIMIT can hold).
MAX_LIMIT = 100_000


def _limit(value: str) -> int:
    """`--limit`: a whole number from 1 to MAX_LIMIT, written in ASCII digits."""
    text = value.strip()
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_LIMIT))
    if not digits or not 1 <= int(text) <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a number of messages: give a whole number from 1 to "
            f"{MAX_LIMIT}."
        )
    return int(text)


class Command(BaseCommand):
    help = (
        "E-mail notifications: `send` sends every message that is due (new ones, and retries "
        "of failed ones; run it every few minutes from cron or a timer), `status` counts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["send", "status"])
        parser.add_argument(
            "--limit",
            type=_limit,
            default=500,
            help=f"Send at most this many messages in one run (1 to {MAX_LIMIT}; default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            counts = deliver_due(limit=options["limit"])
            if not counts:
                self.stdout.write("No notifications are due.")
            for state, count in sorted(counts.items()):
                self.stdout.write(f"{WORDS.get(state, state)}: {count}")
            return
        rows = Notification.objects.values("state").annotate(n=Count("id")).order_by("state")
        if not rows:
            self.stdout.write("No notifications yet.")
            return
        for row in rows:
            self.stdout.write(f"{WORDS.get(row['state'], row['state'])}: {row['n']}")
        pending = Notification.objects.filter(state=Notification.State.PENDING)
        due = pending.filter(next_attempt_at__lte=timezone.now()).count()
        retrying = pending.exclude(last_error="").count()
        self.stdout.write(f"due now: {due}")
        self.stdout.write(f"failed at least once and to be retried: {retrying}")
        last = (
            Notification.objects.exclude(last_error="")
            .filter(state__in=[Notification.State.PENDING, Notification.State.FAILED])
            .order_by("-next_attempt_at", "-id")
            .first()
        )
        if last is not None:
            self.stdout.write(f"latest error ({last.kind}, #{last.pk}): {last.last_error}")
