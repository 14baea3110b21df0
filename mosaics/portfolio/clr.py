"""The learner's mosaic (or one collection) as a signed CLR 2.0 `ClrCredential`.

What goes in: the signed OB 3.0 credentials (eddsa-rdfc-2022, exactly as issued) of the
learner's awards in the mosaic or the collection, except revoked ones (a revoked badge is no
longer held; expired and suspended ones stay, and a verifier reports each as such). Imported
(external) badges are **not** included: their proofs are another issuer's, checked by us only
at upload against whatever that issuer published then; putting them in a record that *we*
sign would make the platform appear to vouch for them. The learner can hand those out
themselves. A pathway award and the micro-credential awards it is made of are linked by CLR
`Association`s (`isPartOf`).

Who signs: a CLR gathers several issuers' achievements, so no one school may sign it. It is
signed by the **platform issuer profile** (`platform_issuer`): an `Issuer` with slug
`mosaics-platform` of an `Organisation` of the same slug, named by the setting
`MOSAICS_PLATFORM_NAME` (default "Mosaics"), created and keyed on first use with
`mosaics.issuance.actions.key_ensure`. Its did:web document is served like any issuer's, so
any verifier resolves it. It is kept out of staff lists by
`mosaics.organisations.permissions.organisations_where` (see PLATFORM_SLUG there) and never has
a published micro-credential, so catalogue filters (which list organisations offering
something) do not show it either.

The learner is identified like their awards identify them: by their most recently bound DID
(`credentialSubject.id`), else by a salted SHA-256 `IdentityObject` of each address the
included awards were made to, each with a fresh salt (so records exported at different times
cannot be linked by their hashes).

Size: `mosaics.vc.verify` checks at most `MAX_NESTED_CREDENTIALS` (64) credentials inside one
input — the awards *and* every endorsement embedded in them count — and
`mosaics.vc.limits.MAX_ARRAY_ITEMS` (256) items per array, `MAX_JSON_BYTES` (4 MiB). A record
over those limits would not verify anywhere that applies them, so the export is refused with a
message suggesting a collection instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.accounts.models import BoundDid
from mosaics.audit.log import record
from mosaics.awards.models import Award
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.organisations.models import Issuer, Organisation
from mosaics.organisations.permissions import PLATFORM_SLUG
from mosaics.portfolio.models import Collection
from mosaics.portfolio.mosaic import display_name
from mosaics.vc import limits, ob3
from mosaics.vc.errors import InputTooLarge
from mosaics.vc.verify import MAX_NESTED_CREDENTIALS

__all__ = [
    "PLATFORM_SLUG",
    "ClrRefused",
    "clr_export",
    "clr_filename",
    "count_nested",
    "exportable_awards",
    "platform_issuer",
    "verify_clr",
]


class ClrRefused(Exception):
    """The record cannot be made; the message says why in plain words."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def platform_name() -> str:
    return str(getattr(settings, "MOSAICS_PLATFORM_NAME", "") or "Mosaics")


def platform_issuer() -> Issuer:
    """The platform's issuer profile, created (with its organisation) and keyed on first use."""
    name = platform_name()
    with transaction.atomic():
        organisation = Organisation.objects.filter(slug=PLATFORM_SLUG).first()
        if organisation is None:
            try:
                with transaction.atomic():
                    organisation = Organisation.objects.create(
                        slug=PLATFORM_SLUG, kind=Organisation.Kind.PLATFORM, name=name
                    )
            except IntegrityError:  # made meanwhile by another request
                organisation = Organisation.objects.get(slug=PLATFORM_SLUG)
        issuer = Issuer.objects.filter(slug=PLATFORM_SLUG).first()
        if issuer is None:
            try:
                with transaction.atomic():
                    issuer = Issuer.objects.create(
                        slug=PLATFORM_SLUG,
                        organisation=organisation,
                        kind=Issuer.Kind.ISSUER,
                        name=name,
                        description=_(
                            "Signs the Comprehensive Learner Records learners export from "
                            "their mosaic. Each badge inside keeps its own issuer's signature."
                        ),
                    )
            except IntegrityError:
                issuer = Issuer.objects.get(slug=PLATFORM_SLUG)
        if (
            issuer.organisation_id != organisation.pk
            or organisation.kind != Organisation.Kind.PLATFORM
        ):
            raise ClrRefused(
                _("The platform's issuer profile is misconfigured; tell the site's administrator."),
                code="platform",
            )
        issuance.key_ensure(issuer=issuer, actor=None)
    return issuer


def exportable_awards(user: Any, collection: Collection | None = None) -> list[Award]:
    """The awards a record of the mosaic (or of `collection`) holds, oldest first."""
    awards = Award.objects.filter(learner=user, claim=Award.Claim.ACCEPTED).exclude(
        status=Award.Status.REVOKED
    )
    if collection is not None:
        awards = awards.filter(collections=collection)
    return list(awards.select_related("version", "pathway").order_by("awarded_at", "pk"))


def count_nested(credential: Any) -> int:
    """Credentials a verifier checks for `credential` inside a CLR: itself and every embedded
    endorsement (at any depth), as `mosaics.vc.verify` counts them against its budget."""
    count = 0
    stack = [credential]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in ("@context", "proof"):
                    continue
                if key in ("endorsement", "endorsementJwt") and isinstance(value, list):
                    count += len(value)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return 1 + count


def _subject_identity(user: Any, awards: Iterable[Award]) -> dict[str, Any]:
    bound = BoundDid.objects.filter(user=user).first()
    if bound is not None:
        return {"id": bound.did}
    emails = sorted({award.recipient_email for award in awards if award.recipient_email})
    email = str(getattr(user, "email", None) or "")
    if not emails and email:
        emails = [email.lower()]
    return {
        "identifier": [
            ob3.identity_object(identity=email, identity_type="emailAddress") for email in emails
        ]
    }


def _associations(awards: list[Award]) -> list[dict[str, Any]]:
    """`isPartOf` from each micro-credential award's Achievement to the pathway awards'
    Achievements whose rule names it."""
    from mosaics.pathways.models import RuleItem

    pathway_awards = [a for a in awards if a.pathway_id is not None]
    if not pathway_awards:
        return []
    by_credential: dict[int, list[Award]] = {}
    for award in awards:
        if award.version is not None:
            by_credential.setdefault(award.version.micro_credential_id, []).append(award)
    links = RuleItem.objects.filter(
        group__pathway_id__in=[a.pathway_id for a in pathway_awards],
        micro_credential_id__in=list(by_credential),
    ).values_list("group__pathway_id", "micro_credential_id")
    pathway_achievement = {
        a.pathway_id: a.credential["credentialSubject"]["achievement"]["id"] for a in pathway_awards
    }
    out = []
    for pathway_id, credential_id in sorted(set(links)):
        for award in by_credential.get(credential_id, []):
            out.append(
                ob3.association(
                    association_type="isPartOf",
                    source_id=award.credential["credentialSubject"]["achievement"]["id"],
                    target_id=pathway_achievement[pathway_id],
                )
            )
    return out


@transaction.atomic
def clr_export(*, actor: Any, collection: Collection | None = None) -> dict[str, Any]:
    """A signed ClrCredential of the actor's mosaic, or of their `collection`. Audited."""
    if not getattr(actor, "is_authenticated", False):
        raise ClrRefused(_("Sign in to export your mosaic."), code="anonymous")
    if collection is not None and collection.owner_id != actor.pk:
        raise ClrRefused(_("This collection is not yours."), code="not_yours")
    awards = exportable_awards(actor, collection)
    if not awards:
        raise ClrRefused(
            _(
                "There is no badge from us to put in the record yet (imported badges are not "
                "included, and revoked ones cannot be)."
            ),
            code="empty",
        )
    nested = sum(count_nested(a.credential) for a in awards)
    if nested > MAX_NESTED_CREDENTIALS or len(awards) > limits.MAX_ARRAY_ITEMS:
        raise ClrRefused(
            _(
                "A record can hold at most %(limit)d credentials, endorsements included, for "
                "verifiers to check it; these badges make %(count)d. Put the badges you want "
                "to show in a collection and export that instead."
            )
            % {"limit": MAX_NESTED_CREDENTIALS, "count": nested},
            code="too_large",
        )
    issuer = platform_issuer()
    now = timezone.now()
    name = (
        collection.name
        if collection is not None
        else _("Mosaic of %(name)s") % {"name": display_name(actor)}
    )
    identity = _subject_identity(actor, awards)
    subject = ob3.clr_subject(
        verifiable_credential=[a.credential for a in awards],
        association=_associations(awards) or None,
        **identity,
    )
    document = ob3.clr_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=signing.profile_document(issuer, with_context=False),
        credential_subject=subject,
        valid_from=now,
        awarded_date=now,
        name=name[:200],
        description=(collection.description[:2000] or None) if collection is not None else None,
        partial=collection is not None,
    )
    signed = signing.sign_credential(issuer, document)
    try:
        limits.check_size(json.dumps(signed), limits.MAX_JSON_BYTES, what="record")
    except InputTooLarge:
        raise ClrRefused(
            _("The record would be larger than verifiers accept. Export a collection instead."),
            code="too_large",
        ) from None
    record(
        actor=actor,
        action="portfolio.clr_export",
        target=collection if collection is not None else actor,
        credential=signed["id"],
        awards=[str(a.uuid) for a in awards],
    )
    return signed


def verify_clr(clr: Any) -> Any:
    """Verify a record as any verifier would, with our issuers' DID documents and status lists
    (the platform's and every school's); returns the `mosaics.vc.verify.Report`."""
    from mosaics.vc import verify as vc_verify

    return vc_verify.verify(
        clr,
        documents=signing.trusted_documents(),
        status_lists=issuance.status_list_credentials(),
    )


def clr_filename(collection: Collection | None = None) -> str:
    day = timezone.now().strftime("%Y-%m-%d")
    if collection is not None:
        return f"collection-{collection.uuid}-clr-{day}.json"
    return f"mosaic-clr-{day}.json"
