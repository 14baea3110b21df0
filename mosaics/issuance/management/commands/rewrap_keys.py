from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mosaics.issuance.actions import keys_rewrap
from mosaics.issuance.keystore import KeyUnavailable, current_kek_id


class Command(BaseCommand):
    help = (
        "Re-encrypt every issuer signing key under the first key encryption key in "
        "MOSAICS_KEY_ENCRYPTION_KEYS (the last step of rotating the KEK; afterwards the old "
        "KEK can be removed from the list)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = keys_rewrap(actor=None)
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} signing key(s) re-encrypted; every key is now under key encryption "
                f"key {current_kek_id()}."
            )
        )
