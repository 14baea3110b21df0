from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from mosaics.notifications.models import Notification
from mosaics.notifications.outbox import deliver_due


class Command(BaseCommand):
    help = (
        "E-mail notifications: `send` sends every message that is due (new ones, and retries "
        "of failed ones; run it every few minutes from cron or a timer), `status` counts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["send", "status"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            counts = deliver_due()
            if not counts:
                self.stdout.write("No notifications are due.")
            for state, count in sorted(counts.items()):
                self.stdout.write(f"{state}: {count}")
            return
        rows = Notification.objects.values("state").annotate(n=Count("id")).order_by("state")
        if not rows:
            self.stdout.write("No notifications yet.")
        for row in rows:
            self.stdout.write(f"{row['state']}: {row['n']}")
