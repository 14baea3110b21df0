"""Issuance workflows: signing keys (generate, rotate) and Bitstring status lists (allocate an
entry, set or clear it). Each is atomic; state changes lock their rows; each workflow with an
actor writes one audit entry, which never holds secret material."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mosaics.audit.log import record
from mosaics.issuance.keystore import current_kek_id, decrypt_seed, encrypt_seed, seed_aad
from mosaics.issuance.models import SigningKey, StatusEntry, StatusList
from mosaics.issuance.signing import issuer_did, sign_credential
from mosaics.organisations.models import Issuer
from mosaics.vc import statuslist
from mosaics.vc.keys import Ed25519Multikey

__all__ = [
    "ActiveKeyExists",
    "key_ensure",
    "key_generate",
    "key_rotate",
    "keys_rewrap",
    "status_entries_allocate",
    "status_entry_allocate",
    "status_entry_set",
    "status_list_credentials",
    "status_list_url",
]

# Tries at a random index before reading every used index of a list (collisions are rare
# while a list is mostly free; reading 131,072 indexes per allocation would not be).
_BLIND_ATTEMPTS = 8


class ActiveKeyExists(Exception):
    """The issuer already has an active key: rotate it instead."""


# --- signing keys ------------------------------------------------------------------------


def _lock_issuer(issuer: Issuer) -> Issuer:
    return (
        Issuer.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=issuer.pk)
    )


def _new_key(issuer: Issuer) -> SigningKey:
    key = Ed25519Multikey.generate()
    multibase = key.public_key_multibase
    kek_id, blob = encrypt_seed(key.secret_seed_bytes(), aad=seed_aad(issuer.pk, multibase))
    return SigningKey.objects.create(
        issuer=issuer, public_key_multibase=multibase, encrypted_secret=blob, kek_id=kek_id
    )


@transaction.atomic
def key_generate(*, issuer: Issuer, actor: Any) -> SigningKey:
    """Generate the issuer's first (or next, after all were retired) active signing key.

    Raises `ActiveKeyExists` when it has one (the `one_active_key_per_issuer` constraint also
    guards against a concurrent generation)."""
    issuer = _lock_issuer(issuer)
    if SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).exists():
        raise ActiveKeyExists(f"The issuer {issuer.name!r} already has an active signing key.")
    signing_key = _new_key(issuer)
    record(
        actor=actor,
        action="issuance.key_generate",
        target=signing_key,
        organisation=issuer.organisation,
        issuer=issuer.slug,
        public_key=signing_key.public_key_multibase,
    )
    return signing_key


@transaction.atomic
def key_ensure(*, issuer: Issuer, actor: Any) -> SigningKey:
    """The issuer's active key, generated (and audited) if it has none — for demo data and
    workflows that sign as a profile that may never have signed before."""
    issuer = _lock_issuer(issuer)
    existing = SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).first()
    return existing if existing is not None else key_generate(issuer=issuer, actor=actor)


@transaction.atomic
def key_rotate(*, issuer: Issuer, actor: Any) -> SigningKey:
    """Retire the issuer's active key (it stays published, so what it signed keeps verifying,
    and never signs again) and make a new one active. The issuer's status lists are re-signed
    with the new key."""
    issuer = _lock_issuer(issuer)
    retired = (
        SigningKey.objects.select_for_update()
        .filter(issuer=issuer, retired_at__isnull=True)
        .first()
    )
    if retired is not None:
        retired.retired_at = timezone.now()
        retired.save(update_fields=["retired_at"])
    signing_key = _new_key(issuer)
    lists = StatusList.objects.select_for_update().filter(issuer=issuer).order_by("pk")
    for status_list in lists:
        _sign_list(status_list)
        status_list.save(update_fields=["credential", "updated"])
    record(
        actor=actor,
        action="issuance.key_rotate",
        target=signing_key,
        organisation=issuer.organisation,
        issuer=issuer.slug,
        public_key=signing_key.public_key_multibase,
        retired_public_key=retired.public_key_multibase if retired else None,
    )
    return signing_key


@transaction.atomic
def keys_rewrap(*, actor: Any) -> int:
    """Re-encrypt every signing key that is not sealed by the current (first) KEK, the last
    step of a KEK rotation (after which the old KEK can be removed). Returns how many keys
    were re-encrypted; one audit entry per key, naming KEK ids only."""
    current = current_kek_id()
    count = 0
    stale = (
        SigningKey.objects.select_for_update(of=("self",))
        .exclude(kek_id=current)
        .select_related("issuer__organisation")
        .order_by("pk")
    )
    for signing_key in stale:
        aad = seed_aad(signing_key.issuer_id, signing_key.public_key_multibase)
        seed = decrypt_seed(signing_key.kek_id, bytes(signing_key.encrypted_secret), aad=aad)
        previous = signing_key.kek_id
        signing_key.kek_id, signing_key.encrypted_secret = encrypt_seed(seed, aad=aad)
        signing_key.save(update_fields=["kek_id", "encrypted_secret"])
        record(
            actor=actor,
            action="issuance.key_rewrap",
            target=signing_key,
            organisation=signing_key.issuer.organisation,
            public_key=signing_key.public_key_multibase,
            from_kek=previous,
            to_kek=signing_key.kek_id,
        )
        count += 1
    return count


# --- status lists ------------------------------------------------------------------------


def status_list_url(status_list: StatusList) -> str:
    """Where the list's signed BitstringStatusListCredential is published."""
    path = reverse("issuance:status_list", kwargs={"pk": status_list.pk})
    return str(settings.SITE_URL).rstrip("/") + path


def _sign_list(status_list: StatusList) -> None:
    """(Re-)build and sign the list credential from the list's bits (not saved here)."""
    issuer = status_list.issuer
    unsigned = statuslist.status_list_credential(
        list_url=status_list_url(status_list),
        issuer=issuer_did(issuer),
        status_list=statuslist.BitstringStatusList.from_bytes(bytes(status_list.bits)),
        purpose=status_list.purpose,
        valid_from=timezone.now(),
    )
    status_list.credential = sign_credential(issuer, unsigned)


def _list_with_room(issuer: Issuer, purpose: str) -> StatusList:
    """A locked list of `issuer` for `purpose` with a free index, created when needed."""
    found = (
        StatusList.objects.select_for_update().filter(issuer=issuer, purpose=purpose).order_by("pk")
    )
    for candidate in found:
        if candidate.allocated < candidate.length:
            return candidate
    length = statuslist.DEFAULT_LENGTH
    status_list = StatusList.objects.create(
        issuer=issuer, purpose=purpose, length=length, bits=bytes(length // 8)
    )
    _sign_list(status_list)  # needs the pk for its URL
    status_list.save(update_fields=["credential"])
    return status_list


@transaction.atomic
def status_entry_allocate(*, issuer: Issuer, purpose: str, credential_id: str) -> StatusEntry:
    """A new entry at a random unused index (BSL §6.3) in one of the issuer's lists for
    `purpose` (`StatusList.Purpose`), for the credential `credential_id`.

    The caller's workflow (issuing the credential) writes the audit entry. Raises `NoActiveKey`
    when a new list must be signed and the issuer has no key."""
    if purpose not in StatusList.Purpose.values:
        raise ValueError(f"Unknown status purpose {purpose!r}.")
    status_list = _list_with_room(issuer, purpose)
    if status_list.credential is None:
        _sign_list(status_list)
        status_list.save(update_fields=["credential"])
    collided: set[int] = set()
    entry: StatusEntry | None = None
    for attempt in range(_BLIND_ATTEMPTS + 1):
        if attempt < _BLIND_ATTEMPTS:
            used: set[int] = collided
        else:  # crowded: choose among the indexes really free
            used = set(status_list.entries.values_list("index", flat=True))
        index = statuslist.allocate_index(used, status_list.length)
        try:
            with transaction.atomic():
                entry = StatusEntry.objects.create(
                    status_list=status_list, index=index, credential_id=credential_id
                )
            break
        except IntegrityError:
            collided.add(index)
    if entry is None:  # pragma: no cover - the last attempt picks among free indexes
        raise IntegrityError("Could not allocate a status list index.")
    status_list.allocated = status_list.entries.count() if collided else status_list.allocated + 1
    status_list.save(update_fields=["allocated", "updated"])
    return entry


@transaction.atomic
def status_entry_set(*, entry: StatusEntry, value: bool, actor: Any, reason: str = "") -> None:
    """Set (revoke / suspend) or clear (reinstate) `entry`'s bit, and re-sign its list."""
    status_list = (
        StatusList.objects.select_for_update(of=("self",))
        .select_related("issuer__organisation")
        .get(pk=entry.status_list_id)
    )
    entry = StatusEntry.objects.select_for_update().get(pk=entry.pk)
    bits = statuslist.BitstringStatusList.from_bytes(bytes(status_list.bits))
    bits.set(entry.index, value)
    status_list.bits = bits.to_bytes()
    _sign_list(status_list)
    status_list.save(update_fields=["bits", "credential", "updated"])
    entry.set_at = timezone.now() if value else None
    entry.reason = reason
    entry.save(update_fields=["set_at", "reason"])
    record(
        actor=actor,
        action="issuance.status_set" if value else "issuance.status_clear",
        target=entry,
        organisation=status_list.issuer.organisation,
        purpose=status_list.purpose,
        status_list=status_list.pk,
        index=entry.index,
        credential_id=entry.credential_id,
        reason=reason,
    )


def status_list_credentials(issuers: Any = None) -> dict[str, dict[str, Any]]:
    """URL → signed list credential for our lists (all issuers', or `issuers`'), for
    `mosaics.vc.verify.verify(..., status_lists=)`."""
    lists = StatusList.objects.filter(credential__isnull=False)
    if issuers is not None:
        lists = lists.filter(issuer__in=[issuer.pk for issuer in issuers])
    published: dict[str, dict[str, Any]] = {}
    for status_list in lists.only("pk", "credential"):
        if status_list.credential is not None:
            published[status_list_url(status_list)] = status_list.credential
    return published


@transaction.atomic
def status_entries_allocate(
    *, issuer: Issuer, purpose: str, credential_ids: list[str]
) -> list[StatusEntry]:
    """One new entry per credential id (in order), at random unused indexes (BSL §6.3) of the
    issuer's lists for `purpose` — the batch form of `status_entry_allocate`.

    The lists are locked once; each list's free indexes are read once and the batch's indexes
    drawn from them without replacement (uniform among the free ones); lists that fill up are
    followed by new ones (signed when created). Allocating sets no bit, so a list already
    published is not re-signed. Raises `NoActiveKey` when a new list must be signed and the
    issuer has no key."""
    import random

    if purpose not in StatusList.Purpose.values:
        raise ValueError(f"Unknown status purpose {purpose!r}.")
    remaining = list(credential_ids)
    entries: list[StatusEntry] = []
    if not remaining:
        return entries
    draw = random.SystemRandom()
    lists = list(
        StatusList.objects.select_for_update().filter(issuer=issuer, purpose=purpose).order_by("pk")
    )
    while remaining:
        status_list = next((c for c in lists if c.allocated < c.length), None)
        if status_list is None:
            status_list = _list_with_room(issuer, purpose)  # a new list, signed
            lists.append(status_list)
        elif status_list.credential is None:
            _sign_list(status_list)
            status_list.save(update_fields=["credential"])
        used = set(status_list.entries.values_list("index", flat=True))
        free_count = status_list.length - len(used)
        if free_count <= 0:  # the counter was behind: the list is really full
            status_list.allocated = status_list.length
            status_list.save(update_fields=["allocated", "updated"])
            continue
        take = min(free_count, len(remaining))
        if used:
            free: Any = [i for i in range(status_list.length) if i not in used]
        else:
            free = range(status_list.length)
        indexes = draw.sample(free, take)
        batch = [
            StatusEntry(status_list=status_list, index=index, credential_id=credential_id)
            for index, credential_id in zip(indexes, remaining[:take], strict=True)
        ]
        entries += StatusEntry.objects.bulk_create(batch, batch_size=500)
        remaining = remaining[take:]
        status_list.allocated = len(used) + take
        status_list.save(update_fields=["allocated", "updated"])
    if any(entry.pk is None for entry in entries):  # pragma: no cover - no RETURNING
        saved = {
            (row.status_list_id, row.index): row
            for row in StatusEntry.objects.filter(
                credential_id__in=list(credential_ids), status_list__in=lists
            )
        }
        entries = [saved[(entry.status_list_id, entry.index)] for entry in entries]
    return entries
