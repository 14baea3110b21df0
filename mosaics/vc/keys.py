"""Ed25519 Multikey keys, key files, did:key and did:web, and offline key resolution.

Keys are :class:`Ed25519Multikey` objects wrapping pyca ``cryptography`` keys; bytes and
multibase strings cross the boundary only through the explicit ``from_*``/``*_multibase``/
``*_bytes`` methods, and :meth:`Ed25519Multikey.verify` raises instead of returning a bool.

Encodings (Controlled Identifiers 1.0 §2.2.2 "Multikey", did:key v0.7):

* ``publicKeyMultibase`` = ``z`` + base58btc(0xed 0x01 ‖ 32-byte public key) → ``z6Mk…``
* ``secretKeyMultibase`` = ``z`` + base58btc(0x80 0x26 ‖ 32-byte seed) → ``z3u2…``. The older
  64-byte form (seed ‖ public key, ``zrv…``, as in the 1EdTech OB 3.0 vector) is read too, and
  its public half must match.
* ``did:key:<publicKeyMultibase>`` with verification method ``did:key:z6Mk…#z6Mk…``.
* ``did:web:<host>[:<path>…]`` ↔ ``https://<host>/<path…>/did.json`` (or
  ``/.well-known/did.json`` without a path), percent-encoded port in the host.

Resolution never touches the network: did:key is computed, everything else comes from
documents the caller supplies (``documents``: a mapping of DID or URL → JSON document).
"""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeGuard
from urllib.parse import quote, unquote, urlsplit

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from mosaics.vc.errors import DidResolutionError, KeyFormatError, ProofError

__all__ = [
    "DID_CONTEXT",
    "MULTIKEY_CONTEXT",
    "Ed25519Multikey",
    "ResolvedKey",
    "controller_document",
    "did_key_document",
    "did_web_document",
    "did_web_from_url",
    "did_web_to_url",
    "read_key_file",
    "resolve_verification_method",
    "write_key_file",
]

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"

_ED25519_PUB_HEADER: Final = b"\xed\x01"
_ED25519_PRIV_HEADER: Final = b"\x80\x26"
_KEY_BYTES: Final = 32
_BASE58: Final = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
# Relationships a did:key document grants its one Ed25519 key (did:key v0.7 §"Document creation").
_DID_KEY_RELATIONSHIPS: Final = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)


def _decode_multibase(value: object, what: str, *, secret: bool = False) -> bytes:
    """Decode base58btc multibase. For a ``secret`` value, no message mentions the value itself
    or any part of it, and no exception that holds it is chained (``from None``)."""
    if not isinstance(value, str) or not value:
        raise KeyFormatError(f"The {what} must be a non-empty multibase string.")
    shown = "" if secret else f" {value!r}"
    if value[0] != "z":
        raise KeyFormatError(
            f"The {what}{shown} is not base58btc multibase: it must start with 'z'."
        )
    bad = next((i for i, char in enumerate(value[1:], 1) if char not in _BASE58), None)
    if bad is not None:
        where = f" at character {bad + 1} of {len(value)}" if secret else f": {value[bad]!r}"
        raise KeyFormatError(
            f"The {what}{shown} is not valid base58btc: it has a character outside the "
            f"base58 alphabet{where} (0, O, I and l are not used)."
        )
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except ValueError:  # pragma: no cover - every character was checked above
        raise KeyFormatError(f"The {what}{shown} is not valid base58btc.") from None


def _encode_multibase(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def _public_from_multibase(value: object) -> Ed25519PublicKey:
    # A public key is no secret, but a secret key pasted into the wrong field would be: show
    # the value only when it looks like an Ed25519 public key.
    secret = not (isinstance(value, str) and value.startswith("z6Mk"))
    raw = _decode_multibase(value, "public key (publicKeyMultibase)", secret=secret)
    shown = "" if secret else f" {value!r}"
    if raw[:2] != _ED25519_PUB_HEADER:
        if raw[:2] == _ED25519_PRIV_HEADER:
            header = "is 0x8026 (a secret key), not 0xed01"
        else:
            header = "is not 0xed01" if secret else f"is 0x{raw[:2].hex()}, not 0xed01"
        raise KeyFormatError(
            f"The public key{shown} is not an Ed25519 Multikey: its multicodec header {header} "
            "(values start with 'z6Mk')."
        )
    if len(raw) != 2 + _KEY_BYTES:
        raise KeyFormatError(
            f"The public key{shown} holds {len(raw) - 2} key bytes; Ed25519 needs 32."
        )
    return Ed25519PublicKey.from_public_bytes(raw[2:])


class Ed25519Multikey:
    """An Ed25519 public key, optionally with its secret key, with its Multikey identifiers.

    ``id`` is the verification method id (``<controller>#<fragment>``) and ``controller`` the
    identifier (DID or URL) that controls the key. Both default to the key's did:key.
    """

    __slots__ = ("_controller", "_id", "_private", "_public")

    def __init__(
        self,
        public_key: Ed25519PublicKey,
        private_key: Ed25519PrivateKey | None = None,
        *,
        id: str | None = None,
        controller: str | None = None,
    ) -> None:
        if private_key is not None and private_key.public_key() != public_key:
            raise KeyFormatError("The secret key does not belong to the public key.")
        self._public = public_key
        self._private = private_key
        multibase = self.public_key_multibase
        if controller is None:
            controller = id.split("#", 1)[0] if id else f"did:key:{multibase}"
        self._controller = controller
        self._id = id if id is not None else f"{controller}#{multibase}"

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def generate(cls, *, id: str | None = None, controller: str | None = None) -> Ed25519Multikey:
        """A new random key pair."""
        private = Ed25519PrivateKey.generate()
        return cls(private.public_key(), private, id=id, controller=controller)

    @classmethod
    def from_public_multibase(
        cls,
        value: str,
        *,
        id: str | None = None,
        controller: str | None = None,
    ) -> Ed25519Multikey:
        """A public key from ``publicKeyMultibase`` (``z6Mk…``)."""
        return cls(_public_from_multibase(value), id=id, controller=controller)

    @classmethod
    def from_secret_multibase(
        cls,
        value: str,
        *,
        id: str | None = None,
        controller: str | None = None,
    ) -> Ed25519Multikey:
        """A key pair from ``secretKeyMultibase`` (``z3u2…``, or the 64-byte ``zrv…`` form)."""
        # Never put the value, or anything decoded from it, into a message: it is a secret.
        raw = _decode_multibase(value, "secret key (secretKeyMultibase)", secret=True)
        if raw[:2] != _ED25519_PRIV_HEADER:
            hint = (
                " (it holds a public key, 0xed01: use publicKeyMultibase for that)"
                if raw[:2] == _ED25519_PUB_HEADER
                else ""
            )
            raise KeyFormatError(
                "The secret key (secretKeyMultibase) is not an Ed25519 Multikey secret key: its "
                f"multicodec header is not 0x8026 (values start with 'z3u2'){hint}."
            )
        body = raw[2:]
        if len(body) not in (_KEY_BYTES, 2 * _KEY_BYTES):
            raise KeyFormatError(
                f"The secret key (secretKeyMultibase) holds {len(body)} bytes; Ed25519 needs a "
                "32-byte seed "
                "(or 64 bytes: seed and public key)."
            )
        private = Ed25519PrivateKey.from_private_bytes(body[:_KEY_BYTES])
        if len(body) == 2 * _KEY_BYTES and body[_KEY_BYTES:] != _raw_public(private.public_key()):
            raise KeyFormatError("The secret key's embedded public key does not match its seed.")
        return cls(private.public_key(), private, id=id, controller=controller)

    @classmethod
    def from_public_bytes(
        cls,
        data: bytes,
        *,
        id: str | None = None,
        controller: str | None = None,
    ) -> Ed25519Multikey:
        """A public key from its 32 raw bytes."""
        if len(data) != _KEY_BYTES:
            raise KeyFormatError(f"An Ed25519 public key is 32 bytes, not {len(data)}.")
        return cls(Ed25519PublicKey.from_public_bytes(data), id=id, controller=controller)

    @classmethod
    def from_seed(
        cls,
        seed: bytes,
        *,
        id: str | None = None,
        controller: str | None = None,
    ) -> Ed25519Multikey:
        """A key pair from its 32-byte secret seed."""
        if len(seed) != _KEY_BYTES:
            raise KeyFormatError(f"An Ed25519 secret seed is 32 bytes, not {len(seed)}.")
        private = Ed25519PrivateKey.from_private_bytes(seed)
        return cls(private.public_key(), private, id=id, controller=controller)

    @classmethod
    def from_key_file(cls, data: str | bytes | Mapping[str, Any]) -> Ed25519Multikey:
        """A key from key-file JSON (text or parsed).

        The file is a Multikey object: ``type: "Multikey"``, ``publicKeyMultibase``, optional
        ``secretKeyMultibase`` (``privateKeyMultibase``, the older name, is read too), ``id`` and
        ``controller``. When both keys are present they must belong together.
        """
        if isinstance(data, (str, bytes)):
            try:
                parsed = json.loads(data)
            except (ValueError, UnicodeDecodeError) as exc:
                # The position only: the exception itself holds the whole text, secret included.
                where = (
                    f" (line {exc.lineno}, column {exc.colno})"
                    if isinstance(exc, json.JSONDecodeError)
                    else ""
                )
                raise KeyFormatError(f"The key file is not JSON{where}.") from None
        else:
            parsed = data
        if not isinstance(parsed, Mapping):
            raise KeyFormatError("The key file must hold a JSON object.")
        if parsed.get("type", "Multikey") != "Multikey":
            raise KeyFormatError(f"The key file's type is {parsed.get('type')!r}, not 'Multikey'.")
        key_id = parsed.get("id")
        controller = parsed.get("controller")
        for name, value in (("id", key_id), ("controller", controller)):
            if value is not None and (not isinstance(value, str) or not value):
                raise KeyFormatError(f"The key file's {name} must be a non-empty string.")
        secret = parsed.get("secretKeyMultibase", parsed.get("privateKeyMultibase"))
        public = parsed.get("publicKeyMultibase")
        if secret is not None:
            key = cls.from_secret_multibase(secret, id=key_id, controller=controller)
            if public is not None and public != key.public_key_multibase:
                raise KeyFormatError(
                    "The key file's publicKeyMultibase does not match its secretKeyMultibase."
                )
            return key
        if public is None:
            raise KeyFormatError("The key file has neither publicKeyMultibase nor a secret key.")
        return cls.from_public_multibase(public, id=key_id, controller=controller)

    # -- identity and export -------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The verification method id."""
        return self._id

    @property
    def controller(self) -> str:
        """The DID or URL that controls this key."""
        return self._controller

    @property
    def has_secret(self) -> bool:
        """True when this object can sign."""
        return self._private is not None

    @property
    def public_key_multibase(self) -> str:
        """``publicKeyMultibase`` (``z6Mk…``)."""
        return _encode_multibase(_ED25519_PUB_HEADER + _raw_public(self._public))

    @property
    def did_key(self) -> str:
        """The key's did:key DID (``did:key:z6Mk…``)."""
        return f"did:key:{self.public_key_multibase}"

    @property
    def did_key_verification_method(self) -> str:
        """The key's did:key verification method id (``did:key:z6Mk…#z6Mk…``)."""
        return f"{self.did_key}#{self.public_key_multibase}"

    def public_bytes(self) -> bytes:
        """The 32 raw public key bytes."""
        return _raw_public(self._public)

    def secret_seed_bytes(self) -> bytes:
        """The 32-byte secret seed (explicit export; raises if this is a public key only)."""
        return _raw_seed(self._require_private())

    def secret_key_multibase(self) -> str:
        """``secretKeyMultibase`` (``z3u2…``; explicit export, raises for a public key only)."""
        return _encode_multibase(_ED25519_PRIV_HEADER + self.secret_seed_bytes())

    def public_key(self) -> Ed25519Multikey:
        """The same key without its secret part."""
        return Ed25519Multikey(self._public, id=self._id, controller=self._controller)

    def with_identity(self, *, id: str, controller: str | None = None) -> Ed25519Multikey:
        """The same key (with its secret, if any) under another verification method id."""
        return Ed25519Multikey(self._public, self._private, id=id, controller=controller)

    def verification_method(self) -> dict[str, Any]:
        """The Multikey verification method object for controller documents."""
        return {
            "id": self._id,
            "type": "Multikey",
            "controller": self._controller,
            "publicKeyMultibase": self.public_key_multibase,
        }

    def to_key_file(self, *, include_secret: bool = True) -> dict[str, Any]:
        """Key-file JSON object (with ``secretKeyMultibase`` when present and asked for)."""
        data: dict[str, Any] = {"@context": MULTIKEY_CONTEXT, **self.verification_method()}
        if include_secret and self._private is not None:
            data["secretKeyMultibase"] = self.secret_key_multibase()
        return data

    # -- signatures ----------------------------------------------------------------------------

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature (64 bytes) over ``data``."""
        return self._require_private().sign(data)

    def verify(self, signature: bytes, data: bytes) -> None:
        """Check an Ed25519 signature; raise :class:`ProofError` if it does not verify."""
        try:
            self._public.verify(signature, data)
        except InvalidSignature:
            raise ProofError(
                f"The signature does not verify with the key {self.public_key_multibase}."
            ) from None

    # -- plumbing ------------------------------------------------------------------------------

    def _require_private(self) -> Ed25519PrivateKey:
        if self._private is None:
            raise KeyFormatError(
                f"The key {self.public_key_multibase} is a public key only; it cannot sign or "
                "export a secret."
            )
        return self._private

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ed25519Multikey):
            return NotImplemented
        return self.public_bytes() == other.public_bytes() and self._id == other._id

    def __hash__(self) -> int:
        return hash((self.public_bytes(), self._id))

    def __repr__(self) -> str:
        secret = ", with secret" if self._private is not None else ""
        return f"<Ed25519Multikey {self.public_key_multibase} id={self._id!r}{secret}>"


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_seed(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


# --------------------------------------------------------------------------------------------
# Key files
# --------------------------------------------------------------------------------------------


def read_key_file(path: str | os.PathLike[str]) -> Ed25519Multikey:
    """Read a key file written by :func:`write_key_file` (or any Multikey JSON)."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise KeyFormatError(f"Cannot read the key file {os.fspath(path)!r}: {exc}.") from exc
    return Ed25519Multikey.from_key_file(text)


def write_key_file(
    key: Ed25519Multikey,
    path: str | os.PathLike[str],
    *,
    include_secret: bool = True,
    overwrite: bool = False,
) -> None:
    """Write ``key`` as key-file JSON, readable by its owner only (mode 0600).

    An existing file is refused (:class:`FileExistsError`) unless ``overwrite``; a symbolic link
    is never followed, and only a regular file of one's own, with no other hard link, is
    replaced. A file that holds a secret gets mode 0600 even when it existed with wider
    permissions, before anything is written to it. Raises :class:`OSError` otherwise.
    """
    text = json.dumps(key.to_key_file(include_secret=include_secret), indent=2) + "\n"
    secret = include_secret and key.has_secret
    name = os.fspath(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    if not overwrite:
        flags |= os.O_EXCL  # with O_CREAT: refuses any existing file and any symlink
    try:
        fd = os.open(name, flags, 0o600)  # no O_TRUNC: check what we opened first
    except FileExistsError:
        raise FileExistsError(
            errno.EEXIST, "The key file already exists (pass overwrite=True to replace it)", name
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(
                errno.ELOOP, "The key file is a symbolic link; it is never followed", name
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "The key file is not a regular file", name)
        if info.st_uid != os.geteuid() or info.st_nlink != 1:
            raise PermissionError(
                errno.EPERM,
                "The key file belongs to another user or has other hard links; not replaced",
                name,
            )
        if secret:
            os.fchmod(fd, 0o600)  # O_CREAT's mode does not change an existing file's mode
        os.ftruncate(fd, 0)
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# DID documents
# --------------------------------------------------------------------------------------------


def controller_document(
    controller: str,
    keys: Sequence[Ed25519Multikey],
    *,
    relationships: Sequence[str] = ("assertionMethod", "authentication"),
) -> dict[str, Any]:
    """A controller (DID) document for ``controller`` listing ``keys`` as Multikey methods.

    A key whose id is not under ``controller`` is listed as ``<controller>#<publicKeyMultibase>``.
    The document uses the DID v1 and Multikey contexts, which define every term in it (JSON-LD
    processors in safe mode need ``assertionMethod`` defined).
    """
    methods = []
    for key in keys:
        key_id = key.id if key.id.startswith(controller + "#") else None
        methods.append(
            key.with_identity(
                id=key_id or f"{controller}#{key.public_key_multibase}", controller=controller
            ).verification_method()
        )
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": controller,
        "verificationMethod": methods,
    }
    for relationship in relationships:
        document[relationship] = [method["id"] for method in methods]
    return document


def did_key_document(key: Ed25519Multikey) -> dict[str, Any]:
    """The did:key DID document of an Ed25519 key (did:key v0.7, Multikey representation)."""
    did = key.did_key
    return controller_document(
        did,
        [key.with_identity(id=key.did_key_verification_method, controller=did)],
        relationships=_DID_KEY_RELATIONSHIPS,
    )


_DID_WEB_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@%-]+$")


def did_web_to_url(did: str) -> str:
    """The https URL of a did:web DID's document (did:web spec §3.2 "Read")."""
    if not did.startswith("did:web:"):
        raise DidResolutionError(f"{did!r} is not a did:web DID.")
    method_specific = did[len("did:web:") :].split("#", 1)[0]
    parts = method_specific.split(":")
    if not parts[0] or any(not part or not _DID_WEB_SEGMENT.match(part) for part in parts):
        raise DidResolutionError(f"{did!r} is not a well-formed did:web DID.")
    host = unquote(parts[0])
    if "/" in host or "@" in host or not re.match(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", host):
        raise DidResolutionError(f"The host {host!r} of {did!r} is not a valid domain name.")
    path = "/".join(parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_web_from_url(url: str) -> str:
    """The did:web DID for an https URL (the site, a path, or the document's own URL)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise DidResolutionError(f"did:web needs an https URL, not {url!r}.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise DidResolutionError(f"{url!r} has parts did:web cannot express.")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    path = parts.path.strip("/")
    if path in ("", ".well-known/did.json", ".well-known"):
        segments: list[str] = []
    else:
        segments = path.split("/")
        if segments[-1] == "did.json":
            segments.pop()
    if any(not segment for segment in segments):
        raise DidResolutionError(f"{url!r} has an empty path segment.")
    return ":".join(["did:web", host, *(quote(unquote(s), safe="") for s in segments)])


def did_web_document(did: str, keys: Sequence[Ed25519Multikey]) -> dict[str, Any]:
    """The DID document to publish at :func:`did_web_to_url` for ``did`` with ``keys``."""
    did_web_to_url(did)  # validates
    if not keys:
        raise KeyFormatError("A did:web document needs at least one key.")
    return controller_document(did, keys)


# --------------------------------------------------------------------------------------------
# Resolution (offline)
# --------------------------------------------------------------------------------------------

KeySource = Literal["did:key", "controller-document", "fragment"]


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method resolved to a public key.

    ``controller`` is who controls the key: a verifier checks it equals the credential's issuer.
    ``source`` says how the key was found: ``did:key`` (computed from the DID),
    ``controller-document`` (listed, for the purpose, in a document the caller supplied) or
    ``fragment`` (taken straight from ``<id>#<publicKeyMultibase>``, the 1EdTech validator's
    convention; nothing binds such a key to the controller except the verifier's issuer check).
    """

    key: Ed25519Multikey
    controller: str
    verification_method: str
    source: KeySource


def resolve_verification_method(
    verification_method: str,
    *,
    documents: Mapping[str, Any] | None = None,
    purpose: str | None = "assertionMethod",
    allow_fragment_key: bool = True,
) -> ResolvedKey:
    """Resolve a verification method id to a public key and its controller, offline.

    In order:

    1. ``did:key:z6Mk…#z6Mk…`` — computed; the fragment must repeat the key.
    2. A controller document in ``documents`` (keyed by the id before ``#``, or for did:web also
       by its https URL), or a verification method document keyed by the full id together with
       its controller's document. The method must be listed in the document (as
       ``verificationMethod`` or embedded), be controlled by it, and — when ``purpose`` is given
       — be referenced from that relationship (``assertionMethod`` for credentials).
    3. ``<id>#z6Mk…`` — when ``allow_fragment_key``, the key is decoded from the fragment and
       the controller is ``<id>`` (never for did:web, whose keys come only from documents).

    Raises :class:`DidResolutionError` (or :class:`KeyFormatError` for a malformed key).
    """
    if not isinstance(verification_method, str) or not verification_method:
        raise DidResolutionError("The verification method must be a non-empty string.")
    base, _, fragment = verification_method.partition("#")
    docs: Mapping[str, Any] = documents or {}

    if base.startswith("did:key:"):
        return _resolve_did_key(verification_method, base, fragment)

    standalone = docs.get(verification_method)
    if _is_method_document(standalone, verification_method):
        controller = standalone["controller"]
        controller_doc = docs.get(controller)
        if controller_doc is None:
            raise DidResolutionError(
                f"The verification method {verification_method!r} names the controller "
                f"{controller!r}, whose document was not supplied."
            )
        return _resolve_from_document(
            verification_method, controller, controller_doc, purpose, standalone
        )

    document = docs.get(base)
    if document is None and base.startswith("did:web:"):
        document = docs.get(did_web_to_url(base))
    if document is not None:
        return _resolve_from_document(verification_method, base, document, purpose)

    if base.startswith("did:web:"):
        raise DidResolutionError(
            f"The did:web document for {base!r} ({did_web_to_url(base)}) was not supplied; "
            "Mosaics never fetches DID documents."
        )
    if allow_fragment_key and fragment.startswith("z6Mk") and base:
        key = Ed25519Multikey.from_public_multibase(
            fragment, id=verification_method, controller=base
        )
        return ResolvedKey(key, base, verification_method, "fragment")
    raise DidResolutionError(
        f"Cannot resolve the verification method {verification_method!r} offline: it is not a "
        "did:key, no document for it was supplied, and its fragment is not a publicKeyMultibase."
    )


def _is_method_document(document: Any, verification_method: str) -> TypeGuard[Mapping[str, Any]]:
    """A verification method published on its own (its id is the full method id)."""
    return (
        isinstance(document, Mapping)
        and document.get("id") == verification_method
        and isinstance(document.get("controller"), str)
        and document["controller"] != verification_method
        and "verificationMethod" not in document
    )


def _resolve_did_key(verification_method: str, did: str, fragment: str) -> ResolvedKey:
    multibase = did[len("did:key:") :]
    key = Ed25519Multikey.from_public_multibase(multibase, id=verification_method, controller=did)
    if not fragment:
        raise DidResolutionError(
            f"The did:key verification method {verification_method!r} needs a '#{multibase}' "
            "fragment (a bare DID is not a verification method)."
        )
    if fragment != multibase:
        raise DidResolutionError(
            f"The did:key verification method {verification_method!r} has a fragment that does "
            "not repeat its key."
        )
    return ResolvedKey(key, did, verification_method, "did:key")


def _absolute(identifier: str, document_id: str) -> str:
    return document_id + identifier if identifier.startswith("#") else identifier


def _resolve_from_document(
    verification_method: str,
    controller: str,
    document: Any,
    purpose: str | None,
    method_document: Mapping[str, Any] | None = None,
) -> ResolvedKey:
    if not isinstance(document, Mapping):
        raise DidResolutionError(f"The document supplied for {controller!r} is not a JSON object.")
    document_id = document.get("id")
    if document_id != controller:
        raise DidResolutionError(
            f"The document supplied for {controller!r} has the id {document_id!r}; "
            "they must be equal."
        )
    candidates: list[Any] = []
    for field in ("verificationMethod", *_DID_KEY_RELATIONSHIPS, "keyAgreement"):
        value = document.get(field)
        candidates.extend(value if isinstance(value, list) else [value] if value else [])
    method: Mapping[str, Any] | None = None
    for candidate in candidates:
        if (
            isinstance(candidate, Mapping)
            and isinstance(candidate.get("id"), str)
            and _absolute(candidate["id"], controller) == verification_method
        ):
            method = candidate
            break
    referenced = {
        _absolute(candidate, controller) for candidate in candidates if isinstance(candidate, str)
    }
    if method is None and method_document is not None and verification_method in referenced:
        # Published on its own and referenced by id from its controller's document.
        method = method_document
    if method is None:
        raise DidResolutionError(
            f"The document of {controller!r} does not list the verification method "
            f"{verification_method!r}."
        )
    method_controller = method.get("controller", controller)
    if not isinstance(method_controller, str) or _absolute(method_controller, controller) != (
        controller
    ):
        raise DidResolutionError(
            f"The verification method {verification_method!r} is controlled by "
            f"{method_controller!r}, not by {controller!r}."
        )
    if purpose is not None:
        allowed = document.get(purpose)
        references = allowed if isinstance(allowed, list) else [allowed] if allowed else []
        ids = {
            _absolute(ref if isinstance(ref, str) else str(ref.get("id", "")), controller)
            for ref in references
            if isinstance(ref, (str, Mapping))
        }
        if verification_method not in ids:
            raise DidResolutionError(
                f"The document of {controller!r} does not authorise {verification_method!r} "
                f"for {purpose}."
            )
    key = _key_from_method(method, verification_method, controller)
    return ResolvedKey(key, controller, verification_method, "controller-document")


def _key_from_method(
    method: Mapping[str, Any], verification_method: str, controller: str
) -> Ed25519Multikey:
    kind = method.get("type")
    if kind in ("Multikey", "Ed25519VerificationKey2020") and "publicKeyMultibase" in method:
        return Ed25519Multikey.from_public_multibase(
            method["publicKeyMultibase"], id=verification_method, controller=controller
        )
    jwk = method.get("publicKeyJwk")
    if kind == "JsonWebKey" and isinstance(jwk, Mapping):
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" in jwk:
            raise KeyFormatError(
                f"The JWK of {verification_method!r} is not a public Ed25519 (OKP) key."
            )
        x = jwk.get("x")
        if not isinstance(x, str) or not re.fullmatch(r"[A-Za-z0-9_-]{43}", x):
            raise KeyFormatError(f"The JWK of {verification_method!r} has no valid 'x'.")
        raw = base64.urlsafe_b64decode(x + "=")
        return Ed25519Multikey.from_public_bytes(raw, id=verification_method, controller=controller)
    raise KeyFormatError(
        f"The verification method {verification_method!r} has type {kind!r}; Mosaics supports "
        "Ed25519 keys as Multikey (publicKeyMultibase), Ed25519VerificationKey2020 or JsonWebKey."
    )
