"""`mosaics api_token create --issuer <slug> --name <name> [--did-key] [--json]`: make an issuer
API token from the command line (CI and W3C test-suite set-ups) and print it, once."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mosaics.issuance import signing
from mosaics.organisations.models import Issuer
from mosaics.verification import tokens


class Command(BaseCommand):
    help = (
        "Create an API token for an issuer profile (POST /credentials/issue) and print it once. "
        "The token goes to standard output; what it signs as goes to standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it.")
        create.add_argument("--issuer", required=True, help="The issuer profile's slug.")
        create.add_argument("--name", required=True, help="A name to tell the token apart.")
        create.add_argument(
            "--did-key",
            action="store_true",
            help="Sign as a dedicated did:key held by the issuer, not as its did:web.",
        )
        create.add_argument(
            "--json",
            action="store_true",
            help="Print one JSON object: token, issuer id and verification method.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = (
            Issuer.objects.select_related("organisation").filter(slug=options["issuer"]).first()
        )
        if issuer is None:
            raise CommandError(f"No issuer profile has the slug {options['issuer']!r}.")
        try:
            row, token = tokens.api_token_create(
                actor=None, issuer=issuer, name=options["name"], did_key=options["did_key"]
            )
        except tokens.TokenRefused as exc:
            raise CommandError(exc.message) from None
        signs_as = row.did_key or signing.issuer_did(issuer)
        method = f"{row.did_key}#{row.did_key_public}" if row.did_key else ""
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "token": token,
                        "prefix": row.prefix,
                        "issuer": signs_as,
                        "verificationMethod": method or None,
                    }
                )
            )
            return
        self.stdout.write(token)
        self.stderr.write(f"Token {row.prefix}… for {issuer.slug} signs as {signs_as}")
        self.stderr.write("It is shown only now; Mosaics keeps only its SHA-256.")
