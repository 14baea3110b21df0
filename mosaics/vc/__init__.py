"""`mosaics.vc` — the framework-free credential core of Mosaics.

Open Badges 3.0 / CLR 2.0 on W3C Verifiable Credentials 2.0: JSON-LD with bundled contexts (nothing
is ever fetched) and safe mode; Ed25519 Multikey keys and DIDs; Data Integrity ``eddsa-rdfc-2022``
and ``eddsa-jcs-2022`` proofs; VC-JOSE JWTs; builders and official JSON Schema validation; Bitstring
Status Lists; baked PNG/SVG badges; and a verifier that answers every input with a report.

The names below are the stable public surface. Each specification has its own module
(``mosaics.vc.jsonld``, ``.keys``, ``.dataintegrity``, ``.batch``, ``.jose``, ``.ob3``, ``.schema``,
``.statuslist``, ``.baking``, ``.verify``) for the finer-grained API. This package never imports
Django or any other part of Mosaics.
"""

from __future__ import annotations

from . import (
    baking,
    batch,
    dataintegrity,
    datamodel,
    jose,
    jsonld,
    keys,
    limits,
    ob3,
    schema,
    statuslist,
)
from .baking import BakedCredential, bake, extract
from .dataintegrity import CRYPTOSUITES, VerifiedProof
from .dataintegrity import sign as sign_data_integrity
from .dataintegrity import verify as verify_data_integrity
from .datamodel import data_model_problems
from .errors import (
    BakingError,
    ContextError,
    DidResolutionError,
    InputTooLarge,
    KeyFormatError,
    MalformedInput,
    ProofError,
    SafeModeError,
    SchemaError,
    StatusListError,
    VCError,
)
from .jose import VerifiedJwt
from .jose import sign_credential as sign_jwt
from .jose import verify_credential_jwt as verify_jwt
from .jsonld import canonicalize, check_safe, document_loader
from .keys import (
    Ed25519Multikey,
    ResolvedKey,
    did_web_document,
    read_key_file,
    resolve_verification_method,
    write_key_file,
)
from .limits import load_json
from .schema import SchemaProblem, schema_problems
from .statuslist import BitstringStatusList, StatusResult, check_status
from .verify import STATUSES, Check, Report
from .verify import verify as verify_credential

__all__ = [
    "CRYPTOSUITES",
    "STATUSES",
    "BakedCredential",
    "BakingError",
    "BitstringStatusList",
    "Check",
    "ContextError",
    "DidResolutionError",
    "Ed25519Multikey",
    "InputTooLarge",
    "KeyFormatError",
    "MalformedInput",
    "ProofError",
    "Report",
    "ResolvedKey",
    "SafeModeError",
    "SchemaError",
    "SchemaProblem",
    "StatusListError",
    "StatusResult",
    "VCError",
    "VerifiedJwt",
    "VerifiedProof",
    "bake",
    "baking",
    "batch",
    "canonicalize",
    "check_safe",
    "check_status",
    "data_model_problems",
    "dataintegrity",
    "datamodel",
    "did_web_document",
    "document_loader",
    "extract",
    "jose",
    "jsonld",
    "keys",
    "limits",
    "load_json",
    "ob3",
    "read_key_file",
    "resolve_verification_method",
    "schema",
    "schema_problems",
    "sign_data_integrity",
    "sign_jwt",
    "statuslist",
    "verify_credential",
    "verify_data_integrity",
    "verify_jwt",
    "write_key_file",
]
