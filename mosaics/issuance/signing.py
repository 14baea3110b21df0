"""Who our issuers are on the wire, and signing as them.

An issuer's identifier is a did:web DID derived from SITE_URL and its slug
(`did:web:<host>[:<path>…]:issuers:<slug>`), which resolves to the `issuance:did` URL
(`<SITE_URL>/issuers/<slug>/did.json`). Its verification methods are
`<did>#<publicKeyMultibase>`, the form 1EdTech's validator expects. The DID document lists every
key the issuer has had: retired keys stay under `assertionMethod` so that what they signed keeps
verifying; they are never used to sign again (the profile page says which key is retired).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.urls import reverse

from mosaics.issuance.keystore import decrypt_seed, seed_aad
from mosaics.issuance.models import SigningKey
from mosaics.organisations.models import Issuer, Organisation
from mosaics.vc import dataintegrity, keys, ob3
from mosaics.vc.dataintegrity import Cryptosuite
from mosaics.vc.keys import Ed25519Multikey

__all__ = [
    "OB2_CONTEXT",
    "KeyMismatch",
    "NoActiveKey",
    "active_key",
    "did_document",
    "issuer_did",
    "ob2_issuer",
    "profile_document",
    "profile_url",
    "sign_credential",
    "trusted_documents",
    "verification_method_id",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


class NoActiveKey(Exception):
    """The issuer has no active signing key (generate one on its key management page)."""


class KeyMismatch(Exception):
    """A decrypted seed does not give the public key stored beside it (the row was altered)."""


def site_url(path: str = "") -> str:
    """An absolute URL on this site (SITE_URL + path)."""
    return str(settings.SITE_URL).rstrip("/") + path


def issuer_did(issuer: Issuer) -> str:
    """`did:web:<host>[%3A<port>][:<path>…]:issuers:<slug>` from SITE_URL (did:web §3.1).

    Built for http SITE_URLs too (a laptop install): the DID is then only resolvable by a
    verifier given the document, which is all Mosaics' own verifier ever does.
    """
    parts = urlsplit(str(settings.SITE_URL))
    host = (parts.hostname or "localhost").lower()
    if parts.port:
        host += f"%3A{parts.port}"
    segments = [quote(unquote(s), safe="") for s in parts.path.strip("/").split("/") if s]
    return ":".join(["did:web", host, *segments, "issuers", issuer.slug])


def verification_method_id(signing_key: SigningKey) -> str:
    """`<issuer DID>#<publicKeyMultibase>`."""
    return f"{issuer_did(signing_key.issuer)}#{signing_key.public_key_multibase}"


def profile_url(issuer: Issuer) -> str:
    """The issuer's public profile page (HTML, and JSON-LD by content negotiation)."""
    return site_url(reverse("issuance:profile", kwargs={"slug": issuer.slug}))


def _public_key(signing_key: SigningKey, did: str) -> Ed25519Multikey:
    return Ed25519Multikey.from_public_multibase(
        signing_key.public_key_multibase,
        id=f"{did}#{signing_key.public_key_multibase}",
        controller=did,
    )


def unlock(signing_key: SigningKey) -> Ed25519Multikey:
    """The key pair of `signing_key`, decrypted (raises `KeyUnavailable`, `KeyMismatch`)."""
    did = issuer_did(signing_key.issuer)
    seed = decrypt_seed(
        signing_key.kek_id,
        bytes(signing_key.encrypted_secret),
        aad=seed_aad(signing_key.issuer_id, signing_key.public_key_multibase),
    )
    key = Ed25519Multikey.from_seed(
        seed, id=f"{did}#{signing_key.public_key_multibase}", controller=did
    )
    if key.public_key_multibase != signing_key.public_key_multibase:  # pragma: no cover - AAD
        raise KeyMismatch("The stored signing key does not match its public key.")
    return key


def active_signing_key(issuer: Issuer) -> SigningKey:
    """The issuer's active `SigningKey` row (raises `NoActiveKey`)."""
    signing_key = (
        SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True)
        .select_related("issuer")
        .first()
    )
    if signing_key is None:
        raise NoActiveKey(
            f"The issuer {issuer.name!r} has no active signing key; an administrator can "
            "generate one on its key management page."
        )
    return signing_key


def active_key(issuer: Issuer) -> Ed25519Multikey:
    """The issuer's active key pair, decrypted, with id `<did>#<multibase>` and controller the
    DID. Raises `NoActiveKey`, or `KeyUnavailable` when its KEK is not configured."""
    return unlock(active_signing_key(issuer))


def sign_credential(
    issuer: Issuer,
    document: dict[str, Any],
    *,
    cryptosuite: Cryptosuite = "eddsa-rdfc-2022",
) -> dict[str, Any]:
    """`document` with a Data Integrity proof by the issuer's active key appended.

    The caller has set `document["issuer"]` to the issuer's DID (or a Profile with that id).
    """
    key = active_key(issuer)
    return dataintegrity.sign(document, key, cryptosuite=cryptosuite, verification_method=key.id)


def did_document(issuer: Issuer) -> dict[str, Any]:
    """The did:web document: every key (active and retired) under `assertionMethod`; only the
    active one under `authentication`."""
    did = issuer_did(issuer)
    rows = list(issuer.signing_keys.all())
    document = keys.controller_document(did, [_public_key(row, did) for row in rows])
    document["authentication"] = [
        f"{did}#{row.public_key_multibase}" for row in rows if row.retired_at is None
    ]
    return document


def trusted_documents(issuers: Iterable[Issuer] | None = None) -> dict[str, dict[str, Any]]:
    """DID documents of our issuers (all of them by default) keyed by DID, for
    `mosaics.vc.verify.verify(..., documents=)`."""
    if issuers is None:
        queryset = Issuer.objects.all()
    else:
        queryset = Issuer.objects.filter(pk__in=[issuer.pk for issuer in issuers])
    return {
        issuer_did(issuer): did_document(issuer)
        for issuer in queryset.prefetch_related("signing_keys")
    }


def _organisation_profile(organisation: Organisation, page: str) -> dict[str, Any]:
    # OB 3.0's schema requires an id on every Profile, parentOrg included. Organisations have
    # no page of their own yet, so each is identified by its section of the issuer's page.
    parent = organisation.parent
    return ob3.profile(
        id=f"{page}#organisation-{organisation.slug}",
        name=organisation.name,
        url=organisation.url or None,
        email=organisation.email or None,
        description=organisation.description or None,
        parent_org=_organisation_profile(parent, page) if parent is not None else None,
    )


def profile_document(issuer: Issuer, *, with_context: bool = True) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile (OB §B.1.17): `id` its DID, `url` its profile page, and its
    organisation (with the organisation's institution, for a school) as `parentOrg`.

    With `with_context` the document carries the VC 2.0 and OB 3.0 contexts so that it stands
    alone as JSON-LD; without, it is ready to embed as a credential's `issuer`.
    """
    page = profile_url(issuer)
    document = ob3.profile(
        id=issuer_did(issuer),
        name=issuer.name,
        url=page,
        email=issuer.email or None,
        description=issuer.description or None,
        parent_org=_organisation_profile(issuer.organisation, page),
    )
    if with_context:
        return {"@context": [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT], **document}
    return document


def ob2_issuer(issuer: Issuer) -> dict[str, Any]:
    """The Open Badges 2.0 Issuer (hosted at `issuance:ob2_issuer`) for older consumers."""
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": site_url(reverse("issuance:ob2_issuer", kwargs={"slug": issuer.slug})),
        "name": issuer.name,
        "url": issuer.url or profile_url(issuer),
    }
    email = issuer.email or issuer.organisation.email
    if email:
        document["email"] = email
    if issuer.description:
        document["description"] = issuer.description
    return document
