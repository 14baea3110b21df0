from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from mosaics.core.demo import DEMO_PASSWORD, load_demo
from mosaics.core.demo_content import INSTITUTION, PARTNERS, PATHWAY


class Command(BaseCommand):
    help = "Load the demo data. Safe to run again: existing records are left as they are."

    def handle(self, *args: Any, **options: Any) -> None:
        results = load_demo()
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"Site: {site}/")
        self.stdout.write(
            f"{INSTITUTION.name}, its two schools and partners "
            f"({', '.join(partner.name for partner in PARTNERS)})."
        )
        self.stdout.write(f"Public catalogue: {site}/catalogue/  (pathway: {PATHWAY.title})")
        self.stdout.write(
            f"Demo sign-ins at {site}/accounts/login/ with the e-mail address, or "
            f"{site}/admin/ for the platform admin (change them on any install others can reach):"
        )
        for person, created in results:
            note = "" if created else " (already there; password unchanged)"
            self.stdout.write(
                f"  {person.role:<50} {person.username} / {DEMO_PASSWORD}  "
                f"e-mail {person.email}{note}"
            )
