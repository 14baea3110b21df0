"""The error hierarchy of the credential core.

Every error carries a stable, machine-readable ``code`` (used in verification reports, the CLI's
``--json`` output and the API) and a ``message`` written for a person. Callers catch
:class:`VCError` to handle any failure of the core; the subclasses let them tell kinds apart.
Codes never change once published; add new ones instead.
"""

from __future__ import annotations

__all__ = [
    "BakingError",
    "ContextError",
    "DidResolutionError",
    "InputTooLarge",
    "KeyFormatError",
    "MalformedInput",
    "ProofError",
    "SafeModeError",
    "SchemaError",
    "StatusListError",
    "VCError",
]


class VCError(Exception):
    """Base class of every error the credential core raises."""

    code: str = "vc_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class MalformedInput(VCError):
    """The input is not a well-formed credential (not JSON, wrong shapes, too deeply nested)."""

    code = "malformed"


class InputTooLarge(MalformedInput):
    """The input is over one of the core's size limits."""

    code = "too_large"


class ContextError(VCError):
    """A JSON-LD context is unknown to the bundled loader or is not usable."""

    code = "context_unknown"


class SafeModeError(VCError):
    """The document uses terms or types that its JSON-LD contexts do not define.

    Such data would be silently dropped by JSON-LD processing and so would not be covered by a
    Data Integrity signature; we refuse it rather than let unsigned claims ride along.
    """

    code = "jsonld_undefined_term"


class KeyFormatError(VCError):
    """A key, multibase/multicodec value or key file is not valid."""

    code = "key_invalid"


class DidResolutionError(VCError):
    """A DID or verification method could not be resolved (offline) to a public key."""

    code = "did_unresolvable"


class ProofError(VCError):
    """A proof is missing, malformed, of an unsupported kind, or does not verify."""

    code = "proof_invalid"


class SchemaError(VCError):
    """The document does not validate against the official JSON Schema."""

    code = "schema_invalid"


class StatusListError(VCError):
    """A Bitstring Status List, entry or list credential is not valid."""

    code = "status_list_invalid"


class BakingError(VCError):
    """A baked image is malformed, or holds no (or more than one) credential."""

    code = "baking_invalid"
