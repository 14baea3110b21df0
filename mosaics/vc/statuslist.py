"""W3C Bitstring Status List v1.0: lists, entries, list credentials and status checks.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/ (cited below as "BSL §x").

- A list is a bitstring of at least 131,072 entries (BSL §4.2 "the uncompressed bitstring MUST
  be at least 16KB"); bit 0 is the most significant bit of byte 0 (BSL §3.1 "the first index,
  with a value of zero (0), is located at the left-most bit in the bitstring").
- ``encodedList`` is the multibase base64url (no padding, prefix ``u``) encoding of the GZIP
  compressed bitstring (BSL §2.1 / §3.2 "Generate Algorithm"). Lists in the wild (VC 1.1 era
  StatusList2021) omit the ``u``; :meth:`BitstringStatusList.decode` accepts both.
- Indexes are assigned at random (BSL §6.3 "Herd privacy" / §4 "Implementation Notes").

Nothing here fetches anything: :func:`check_status` is given the list credentials by the caller,
which is also responsible for verifying their proofs.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import secrets
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from ._util import as_list as _as_list
from .errors import InputTooLarge, StatusListError
from .limits import MAX_STATUS_LIST_BITS, MAX_STATUS_LIST_COMPRESSED_BYTES

__all__ = [
    "CODE_ENTRY_INVALID",
    "CODE_INDEX_OUT_OF_RANGE",
    "CODE_LIST_FULL",
    "CODE_LIST_MISSING",
    "CODE_LIST_TOO_SHORT",
    "CODE_PURPOSE_MISMATCH",
    "CODE_UNDECODABLE",
    "CODE_UNSUPPORTED",
    "DEFAULT_LENGTH",
    "MAX_ENCODED_LENGTH",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "BitstringStatusList",
    "StatusResult",
    "allocate_index",
    "check_status",
    "status_entry",
    "status_list_credential",
]

#: BSL §4.2: at least 16 KiB uncompressed, i.e. 131,072 one-bit entries (herd privacy).
MIN_LENGTH: Final = 131_072
DEFAULT_LENGTH: Final = MIN_LENGTH
#: Decompression-bomb guard: at most 16 Mi entries (2 MiB of bits) once expanded.
MAX_LENGTH: Final = MAX_STATUS_LIST_BITS
#: And at most 2 MiB of GZIP data (its base64url text) before we even try to decode it.
MAX_ENCODED_LENGTH: Final = 1 + (MAX_STATUS_LIST_COMPRESSED_BYTES * 4 + 2) // 3

VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
LIST_TYPE: Final = "BitstringStatusList"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
#: BSL §2.1 statusPurpose values we can express with one bit per entry.
PURPOSES: Final = frozenset({"revocation", "suspension"})

# Stable error codes (StatusListError.code).
CODE_LIST_MISSING: Final = "status_list_missing"
CODE_PURPOSE_MISMATCH: Final = "status_purpose_mismatch"
CODE_INDEX_OUT_OF_RANGE: Final = "status_index_out_of_range"
CODE_UNDECODABLE: Final = "status_list_undecodable"
CODE_LIST_TOO_SHORT: Final = "status_list_too_short"
CODE_LIST_FULL: Final = "status_list_full"
CODE_UNSUPPORTED: Final = "status_unsupported"
CODE_ENTRY_INVALID: Final = "status_entry_invalid"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)")
# Every gzip stream starts 1f 8b 08, which base64url-encodes to "H4sI".
_GZIP_B64_PREFIX: Final = "H4sI"


class BitstringStatusList:
    """A mutable bitstring of one-bit status entries (BSL §2.1, ``statusSize`` 1).

    >>> sl = BitstringStatusList()
    >>> sl.set(23)
    >>> sl.get(23), sl.get(22), len(sl)
    (True, False, 131072)
    """

    __slots__ = ("_bits", "_length")

    def __init__(self, length: int = DEFAULT_LENGTH) -> None:
        """Create an all-zero list of ``length`` entries (a positive multiple of 8)."""
        if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
            raise StatusListError("a status list length must be a positive integer")
        if length % 8:
            raise StatusListError("a status list length must be a multiple of 8")
        if length > MAX_LENGTH:
            raise InputTooLarge(f"a status list may hold at most {MAX_LENGTH} entries")
        self._length = length
        self._bits = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> BitstringStatusList:
        """Wrap an uncompressed bitstring (bit 0 = most significant bit of byte 0)."""
        if not data:
            raise StatusListError("an empty bitstring is not a status list", code=CODE_UNDECODABLE)
        sl = cls(len(data) * 8)
        sl._bits[:] = data
        return sl

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def __len__(self) -> int:
        return self._length

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitstringStatusList):
            return NotImplemented
        return self._bits == other._bits

    __hash__ = None  # type: ignore[assignment]  # mutable, like list

    def __repr__(self) -> str:
        return f"BitstringStatusList(length={self._length}, set={self.count()})"

    def _check_index(self, index: int) -> None:
        if not isinstance(index, int) or isinstance(index, bool):
            raise StatusListError("a status list index must be an integer", code=CODE_ENTRY_INVALID)
        if not 0 <= index < self._length:
            raise StatusListError(
                f"status list index {index} is outside the list (0..{self._length - 1})",
                code=CODE_INDEX_OUT_OF_RANGE,
            )

    def get(self, index: int) -> bool:
        """Whether the bit at ``index`` is set (1 = revoked / suspended)."""
        self._check_index(index)
        return bool(self._bits[index >> 3] & (0x80 >> (index & 7)))

    def set(self, index: int, value: bool = True) -> None:
        """Set the bit at ``index`` (or clear it with ``value=False``)."""
        self._check_index(index)
        mask = 0x80 >> (index & 7)
        if value:
            self._bits[index >> 3] |= mask
        else:
            self._bits[index >> 3] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        """Clear the bit at ``index`` (e.g. lift a suspension)."""
        self.set(index, False)

    def count(self) -> int:
        """How many bits are set."""
        return sum(bin(b).count("1") for b in self._bits if b)

    def set_indexes(self) -> list[int]:
        """The indexes of all set bits, ascending."""
        out: list[int] = []
        for byte_no, b in enumerate(self._bits):
            if b:
                out.extend(byte_no * 8 + i for i in range(8) if b & (0x80 >> i))
        return out

    def encode(self) -> str:
        """``encodedList``: ``"u"`` + base64url-no-pad(gzip(bits)) (BSL §3.2 Generate Algorithm).

        ``mtime=0`` makes the output deterministic, so re-publishing an unchanged list yields
        the same string.
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> BitstringStatusList:
        """Decode an ``encodedList`` (BSL §3.3 Bitstring Expansion Algorithm).

        Accepts the multibase form (``u`` prefix, as the spec requires) and the plain base64url
        form found in the wild; raises :class:`StatusListError` (code
        ``status_list_undecodable``) for anything else and :class:`InputTooLarge` beyond
        :data:`MAX_ENCODED_LENGTH` / :data:`MAX_LENGTH`.
        """
        return _decode(encoded)[0]


def _decode(encoded: object) -> tuple[BitstringStatusList, bool]:
    """Decode; the flag says whether the multibase ``u`` prefix was present."""
    if not isinstance(encoded, str):
        raise StatusListError("encodedList must be a string", code=CODE_UNDECODABLE)
    if len(encoded) > MAX_ENCODED_LENGTH:
        raise InputTooLarge(f"encodedList is longer than {MAX_ENCODED_LENGTH} characters")
    if encoded.startswith("u"):
        text, multibase = encoded[1:], True
    elif encoded.startswith(_GZIP_B64_PREFIX):
        text, multibase = encoded, False
    else:
        raise StatusListError(
            "encodedList is neither multibase base64url ('u…') nor base64url gzip ('H4sI…')",
            code=CODE_UNDECODABLE,
        )
    text = text.rstrip("=")  # tolerate padding some encoders leave in
    if not _B64URL.fullmatch(text):
        raise StatusListError("encodedList is not base64url", code=CODE_UNDECODABLE)
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError(
            f"encodedList is not base64url: {exc}", code=CODE_UNDECODABLE
        ) from exc
    return BitstringStatusList.from_bytes(_gunzip_capped(compressed)), multibase


def _gunzip_capped(compressed: bytes) -> bytes:
    """Gunzip one member, refusing output beyond MAX_LENGTH bits (decompression bombs)."""
    cap = MAX_LENGTH // 8
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
    try:
        out = inflater.decompress(compressed, cap + 1)
    except zlib.error as exc:
        raise StatusListError(
            f"encodedList is not GZIP data: {exc}", code=CODE_UNDECODABLE
        ) from exc
    if len(out) > cap or inflater.unconsumed_tail:
        raise InputTooLarge(f"the status list expands beyond {MAX_LENGTH} entries")
    if not inflater.eof:
        raise StatusListError("encodedList holds truncated GZIP data", code=CODE_UNDECODABLE)
    if inflater.unused_data:
        raise StatusListError("encodedList has data after the GZIP stream", code=CODE_UNDECODABLE)
    return out


def allocate_index(used: Iterable[int], length: int = DEFAULT_LENGTH) -> int:
    """Pick an unused index uniformly at random with :mod:`secrets` (BSL §6.3 herd privacy).

    ``used`` is the set of indexes already handed out in this list. Raises
    :class:`StatusListError` (code ``status_list_full``) when every index is taken. Callers must
    still make the (list, index) pair unique in their store: this function cannot see
    concurrent allocations.
    """
    taken = {i for i in used if 0 <= i < length}
    free = length - len(taken)
    if free <= 0:
        raise StatusListError(f"the status list is full ({length} entries)", code=CODE_LIST_FULL)
    # Rejection sampling is uniform and fast while the list is mostly free …
    for _ in range(64):
        candidate = secrets.randbelow(length)
        if candidate not in taken:
            return candidate
    # … and when it is nearly full, pick the k-th free index directly (still uniform).
    k = secrets.randbelow(free)
    for candidate in range(length):
        if candidate not in taken:
            if k == 0:
                return candidate
            k -= 1
    raise AssertionError("unreachable")  # pragma: no cover


def status_entry(
    list_url: str, index: int, purpose: str = "revocation", *, status_size: int = 1
) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential's ``credentialStatus`` (BSL §2.1).

    ``statusListIndex`` is a decimal *string* as the spec requires; ``id`` is ``<list>#<n>``.
    """
    if status_size != 1:
        raise StatusListError("only statusSize 1 is supported", code=CODE_UNSUPPORTED)
    if purpose not in PURPOSES:
        raise StatusListError(f"unsupported statusPurpose {purpose!r}", code=CODE_UNSUPPORTED)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < MAX_LENGTH:
        raise StatusListError(
            f"status list index {index!r} is not a valid index", code=CODE_INDEX_OUT_OF_RANGE
        )
    if not isinstance(list_url, str) or not list_url or "#" in list_url:
        raise StatusListError("the status list URL must be a URL without a fragment")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def _xsd_datetime(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise StatusListError("datetimes must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_credential(
    *,
    list_url: str,
    issuer: str | Mapping[str, Any],
    status_list: BitstringStatusList,
    purpose: str = "revocation",
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at ``list_url`` (BSL §2.2).

    ``ttl`` is in milliseconds (BSL §2.2). The caller signs the result (Data Integrity) before
    publishing it. The subject id is ``<list_url>#list`` as in the spec's examples.
    """
    if purpose not in PURPOSES:
        raise StatusListError(f"unsupported statusPurpose {purpose!r}", code=CODE_UNSUPPORTED)
    if len(status_list) < MIN_LENGTH:
        raise StatusListError(
            f"a published status list must hold at least {MIN_LENGTH} entries (BSL §4.2)",
            code=CODE_LIST_TOO_SHORT,
        )
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": status_list.encode(),
    }
    if ttl is not None:
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            raise StatusListError("ttl must be a non-negative number of milliseconds")
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": _xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = _xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    return credential


@dataclass(frozen=True)
class StatusResult:
    """The outcome of checking one ``BitstringStatusListEntry``.

    ``is_set`` True means revoked (purpose ``revocation``) or suspended (``suspension``).
    ``notes`` lists tolerated deviations from the spec (e.g. an integer ``statusListIndex``).
    """

    purpose: str
    index: int
    list_url: str
    is_set: bool
    entry_id: str | None = None
    notes: tuple[str, ...] = ()


def _types(obj: Mapping[str, Any]) -> list[Any]:
    return _as_list(obj.get("type"))


def _parse_index(raw: object, notes: list[str]) -> int:
    # BSL §2.1: statusListIndex is "an arbitrary size integer ... expressed as a string".
    # 1EdTech's fixtures (and some issuers) use a JSON number; we accept a non-negative integer
    # and say so in the result's notes.
    if isinstance(raw, bool):
        raise StatusListError("statusListIndex must be a decimal string", code=CODE_ENTRY_INVALID)
    if isinstance(raw, int):
        notes.append("statusListIndex is a JSON integer; the spec requires a decimal string")
        value = raw
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw) and len(raw) <= 10:
        value = int(raw)
    else:
        raise StatusListError(
            f"statusListIndex {raw!r} is not a decimal string", code=CODE_ENTRY_INVALID
        )
    if not 0 <= value < MAX_LENGTH:
        raise StatusListError(
            f"statusListIndex {value} is out of range", code=CODE_INDEX_OUT_OF_RANGE
        )
    return value


def _check_window(list_credential: Mapping[str, Any], url: str, now: datetime) -> None:
    for key, too_early in (("validFrom", True), ("validUntil", False)):
        raw = list_credential.get(key)
        if raw is None:
            continue
        try:
            when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError as exc:
            raise StatusListError(f"status list {url}: {key} is not a dateTime") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if (too_early and now < when) or (not too_early and now >= when):
            raise StatusListError(
                f"status list credential {url} is not valid at {now.isoformat()} ({key})",
                code="status_list_not_valid_now",
            )


def _check_entry(
    entry: Mapping[str, Any],
    list_credentials: Mapping[str, Mapping[str, Any]],
    now: datetime | None,
) -> StatusResult:
    notes: list[str] = []
    if ENTRY_TYPE not in _types(entry):
        raise StatusListError(
            f"unsupported credentialStatus type {entry.get('type')!r}", code=CODE_UNSUPPORTED
        )
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("statusPurpose is missing", code=CODE_ENTRY_INVALID)
    if entry.get("statusSize", 1) not in (1, "1"):
        raise StatusListError("only statusSize 1 is supported", code=CODE_UNSUPPORTED)
    index = _parse_index(entry.get("statusListIndex"), notes)
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        raise StatusListError("statusListCredential is missing", code=CODE_ENTRY_INVALID)
    list_credential = list_credentials.get(url)
    if list_credential is None:
        raise StatusListError(
            f"the status list credential {url} was not supplied", code=CODE_LIST_MISSING
        )
    if not isinstance(list_credential, Mapping) or LIST_CREDENTIAL_TYPE not in _types(
        list_credential
    ):
        raise StatusListError(
            f"{url} is not a {LIST_CREDENTIAL_TYPE}", code="status_list_credential_invalid"
        )
    if now is not None:
        _check_window(list_credential, url, now)
    subjects = _as_list(list_credential.get("credentialSubject"))
    if len(subjects) != 1 or not isinstance(subjects[0], Mapping):
        raise StatusListError(
            f"{url} must have exactly one credentialSubject", code="status_list_credential_invalid"
        )
    subject = subjects[0]
    if LIST_TYPE not in _types(subject):
        raise StatusListError(
            f"the subject of {url} is not a {LIST_TYPE}", code="status_list_credential_invalid"
        )
    # BSL §3.2 Validate Algorithm: the entry's purpose must be one of the list's purposes
    # (STATUS_VERIFICATION_ERROR otherwise).
    list_purposes = _as_list(subject.get("statusPurpose"))
    if purpose not in list_purposes:
        raise StatusListError(
            f"the entry's statusPurpose {purpose!r} does not match the list's {list_purposes!r}",
            code=CODE_PURPOSE_MISMATCH,
        )
    try:
        bits, multibase = _decode(subject.get("encodedList"))
    except InputTooLarge:
        raise
    except StatusListError as exc:
        raise StatusListError(f"{url}: {exc.message}", code=CODE_UNDECODABLE) from exc
    if not multibase:
        notes.append("encodedList lacks the multibase 'u' prefix the spec requires")
    # BSL §3.2: a list shorter than the minimum is a STATUS_LIST_LENGTH_ERROR.
    if len(bits) < MIN_LENGTH:
        raise StatusListError(
            f"{url} holds {len(bits)} entries, fewer than the minimum {MIN_LENGTH}",
            code=CODE_LIST_TOO_SHORT,
        )
    if index >= len(bits):
        raise StatusListError(
            f"statusListIndex {index} is beyond the end of {url} ({len(bits)} entries)",
            code=CODE_INDEX_OUT_OF_RANGE,
        )
    entry_id = entry.get("id")
    return StatusResult(
        purpose=purpose,
        index=index,
        list_url=url,
        is_set=bits.get(index),
        entry_id=entry_id if isinstance(entry_id, str) else None,
        notes=tuple(notes),
    )


def check_status(
    credential: Mapping[str, Any],
    list_credentials: Mapping[str, Mapping[str, Any]],
    *,
    now: datetime | None = None,
) -> list[StatusResult]:
    """Check every ``BitstringStatusListEntry`` in ``credential["credentialStatus"]``.

    ``list_credentials`` maps each ``statusListCredential`` URL to the (already fetched and
    proof-verified) list credential; nothing is fetched here. With ``now`` the list
    credential's ``validFrom``/``validUntil`` are checked too. Returns one
    :class:`StatusResult` per entry (empty if the credential has no ``credentialStatus``);
    raises :class:`StatusListError` with a specific ``code`` when a status cannot be
    determined: the list is missing, the purpose differs, the index is out of range, the list
    cannot be decoded, or the entry is of a type we do not support (we fail closed rather than
    ignore a status mechanism we cannot check).
    """
    entries: Sequence[Any] = _as_list(credential.get("credentialStatus"))
    results: list[StatusResult] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise StatusListError("credentialStatus must be an object", code=CODE_ENTRY_INVALID)
        results.append(_check_entry(entry, list_credentials, now))
    return results
