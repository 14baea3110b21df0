from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from mosaics.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo data. Safe to run again: existing records are left as they are."

    def handle(self, *args: Any, **options: Any) -> None:
        results = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"Site: {settings.SITE_URL}/")
        self.stdout.write("Demo sign-ins (change them on any install others can reach):")
        for person, created in results:
            note = "" if created else " (already there; password unchanged)"
            self.stdout.write(
                f"  {person.role:<16} {person.username} / {DEMO_PASSWORD}  "
                f"at {settings.SITE_URL}/admin/{note}"
            )
