"""Validation against the official Open Badges 3.0 JSON Schemas, offline.

The schemas in ``schemas/`` (see ``schemas/ORIGINS.md``) are JSON Schema draft 2019-09. They are
registered in a ``referencing`` registry under their ``$id`` *and* the URLs they are published
at, and the registry has no retriever: any other ``$ref`` fails instead of being fetched.

Results are lists of :class:`SchemaProblem` (a JSON path and a sentence); :func:`validate`
raises :class:`SchemaValidationError` (a :class:`~mosaics.vc.errors.SchemaError`) carrying them.

The schemas are strict where issuers commonly are not (``proof`` as an array, ``type`` arrays on
nested objects): validate what you issue as is; for what you receive, decide first whether to
normalise single values into lists (``mosaics.vc.verify`` does, and says so in its report).

CLR 2.0 has no official JSON Schema in this bundle. :func:`clr_problems` checks the
``ClrCredential`` envelope and ``ClrSubject`` by hand (CLR 2.0 §B.1.2–B.1.3: contexts, types,
id, issuer as an OB Profile reference, validFrom, name, a non-empty ``verifiableCredential``
list) and validates every nested OB credential against its official schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from .errors import SchemaError

__all__ = [
    "SCHEMA_IDS",
    "SchemaName",
    "SchemaProblem",
    "SchemaValidationError",
    "clr_problems",
    "detect_schema",
    "schema_for_id",
    "schema_problems",
    "validate",
]

SchemaName = Literal["achievementcredential", "endorsementcredential", "profile"]
_NAMES: Final[tuple[SchemaName, ...]] = (
    "achievementcredential",
    "endorsementcredential",
    "profile",
)

_PURL: Final = "https://purl.imsglobal.org/spec/ob/v3p0/schema"
#: Every URI under which each schema is known: its ``$id``, the published purl, and the
#: ``json-ld`` variant found in independent downloads (educredentials/obv3-examples).
SCHEMA_IDS: Final[Mapping[SchemaName, tuple[str, ...]]] = {
    name: (
        f"{_PURL}/json/ob_v3p0_{name}-jsonschema1.json",
        f"{_PURL}/json/ob_v3p0_{name}_schema.json",
        f"{_PURL}/json-ld/ob_v3p0_{name}_schema.json",
    )
    for name in _NAMES
}

VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT_PATTERN: Final = re.compile(
    r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)*\.json$"
)
OB_CREDENTIAL_TYPES: Final = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_MAX_PROBLEMS: Final = 100
_MAX_MESSAGE: Final = 300


@dataclass(frozen=True)
class SchemaProblem:
    """One way a document fails a schema: where (``$.credentialSubject.type``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SchemaValidationError(SchemaError):
    """A :class:`SchemaError` that also carries the individual problems."""

    def __init__(self, message: str, problems: list[SchemaProblem]) -> None:
        super().__init__(message)
        self.problems = problems


def _load(name: SchemaName) -> dict[str, Any]:
    text = resources.files("mosaics.vc").joinpath(f"schemas/{name}.json").read_text("utf-8")
    value = json.loads(text)
    if not isinstance(value, dict):  # pragma: no cover - the files are ours
        raise SchemaError(f"the bundled schema {name} is not an object")
    return value


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry()
    for name in _NAMES:
        resource = Resource.from_contents(_load(name), default_specification=DRAFT201909)
        registry = registry.with_resources((uri, resource) for uri in SCHEMA_IDS[name])
    return registry.crawl()


@cache
def _validator(name: SchemaName) -> Draft201909Validator:
    schema = _load(name)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, registry=_registry())


@cache
def _def_validator(name: SchemaName, definition: str) -> Draft201909Validator:
    """A validator for one ``$defs`` entry of a bundled schema (e.g. ``ProfileRef``)."""
    ref = {"$ref": f"{SCHEMA_IDS[name][0]}#/$defs/{definition}"}
    return Draft201909Validator(ref, registry=_registry())


def schema_for_id(schema_id: str) -> SchemaName | None:
    """Which bundled schema a ``credentialSchema`` id names, if any."""
    for name, uris in SCHEMA_IDS.items():
        if schema_id in uris:
            return name
    return None


def _types(document: Mapping[str, Any]) -> set[str]:
    value = document.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


def detect_schema(document: Mapping[str, Any]) -> SchemaName | None:
    """The schema a document's ``type`` calls for (None for CLR and anything else)."""
    types = _types(document)
    if types & OB_CREDENTIAL_TYPES:
        return "achievementcredential"
    if "EndorsementCredential" in types:
        return "endorsementcredential"
    if "Profile" in types:
        return "profile"
    return None


def _path(error: ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _leaf(error: ValidationError) -> ValidationError:
    """The most telling error under a oneOf/anyOf/allOf.

    Those only say "is not valid under any of the given schemas" about the whole instance. A
    branch that fails merely because the value has another JSON type (``ProfileRef`` is a URI
    string *or* a Profile object) says nothing useful, so such errors are skipped first.
    """
    while error.context:
        informative = [
            e for e in error.context if not (e.validator == "type" and not e.relative_path)
        ]
        chosen = best_match(informative or error.context)
        if chosen is None:  # pragma: no cover - context is non-empty
            break
        error = chosen
    return error


def _message(error: ValidationError) -> str:
    if error.validator == "contains":
        wanted = error.schema.get("contains", {}) if isinstance(error.schema, dict) else {}
        names = wanted.get("enum") if isinstance(wanted, dict) else None
        if names:
            return _shorten(f"must include {' or '.join(repr(n) for n in names)}")
    if error.validator == "type" and isinstance(error.instance, dict | list):
        kind = "an object" if isinstance(error.instance, dict) else "an array"
        return f"is {kind}, but must be of type {error.validator_value!r}"
    return _shorten(error.message)


def _problems_from(
    validator: Draft201909Validator, document: Any, prefix: str = "$"
) -> list[SchemaProblem]:
    leaves = [_leaf(e) for e in validator.iter_errors(document)]
    leaves.sort(key=lambda e: [str(p) for p in e.absolute_path])
    problems: list[SchemaProblem] = []
    for error in leaves[:_MAX_PROBLEMS]:
        path = _path(error)
        if prefix != "$":
            path = prefix + path[1:]
        problems.append(SchemaProblem(path, _message(error)))
    return problems


def schema_problems(document: Any, which: SchemaName | None = None) -> list[SchemaProblem]:
    """Validate ``document`` against an official OB 3.0 schema; ``[]`` means valid.

    ``which`` defaults to :func:`detect_schema`; a document whose type names no schema is one
    problem (``$.type``). At most 100 problems are returned.
    """
    if which is None:
        which = detect_schema(document) if isinstance(document, Mapping) else None
        if which is None:
            return [
                SchemaProblem(
                    "$.type",
                    "names no type with an official Open Badges 3.0 JSON Schema "
                    "(OpenBadgeCredential, AchievementCredential, EndorsementCredential, Profile)",
                )
            ]
    if which not in _NAMES:
        raise SchemaError(f"unknown schema {which!r}")
    return _problems_from(_validator(which), document)


def validate(document: Any, which: SchemaName | None = None) -> None:
    """Raise :class:`SchemaValidationError` (code ``schema_invalid``) unless ``document`` is valid.

    CLR credentials (type ``ClrCredential``) are checked with :func:`clr_problems`.
    """
    if which is None and isinstance(document, Mapping) and "ClrCredential" in _types(document):
        problems = clr_problems(document)
    else:
        problems = schema_problems(document, which)
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise SchemaValidationError(
            f"The document does not follow the official schema: {shown}{more}", problems
        )


def clr_problems(document: Any) -> list[SchemaProblem]:
    """Check a CLR 2.0 ``ClrCredential`` (no official JSON Schema is bundled).

    Checked by hand (CLR 2.0 §B.1.2 ClrCredential, §B.1.3 ClrSubject): ``@context`` starts with
    the VC 2.0 context and includes a CLR 2.0 context; ``type`` is an array with
    ``VerifiableCredential`` and ``ClrCredential``; ``id``, ``name`` and ``validFrom`` are
    strings; ``issuer`` is an OB ``ProfileRef`` (validated with the official ``$defs``);
    ``credentialSubject`` is one object whose ``type`` includes ``ClrSubject`` and whose
    ``verifiableCredential`` is a non-empty array. Each nested credential that is an object is
    validated against the official schema its type calls for (problems are reported under
    ``$.credentialSubject.verifiableCredential[i]``); compact-JWS strings are not
    schema-checked (their payload is only trustworthy after verification).
    """
    problems: list[SchemaProblem] = []
    if not isinstance(document, Mapping):
        return [SchemaProblem("$", "must be a JSON object")]
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC2_CONTEXT:
        problems.append(
            SchemaProblem("$.@context", f"must be an array starting with {VC2_CONTEXT}")
        )
    elif not any(isinstance(c, str) and CLR_CONTEXT_PATTERN.match(c) for c in context):
        problems.append(SchemaProblem("$.@context", "must include a CLR 2.0 context"))
    types = document.get("type")
    if not isinstance(types, list) or not {"VerifiableCredential", "ClrCredential"} <= {
        t for t in types if isinstance(t, str)
    }:
        problems.append(
            SchemaProblem(
                "$.type", "must be an array including 'VerifiableCredential' and 'ClrCredential'"
            )
        )
    for key in ("id", "name", "validFrom"):
        if not isinstance(document.get(key), str):
            problems.append(SchemaProblem(f"$.{key}", "is required and must be a string"))
    if "issuer" not in document:
        problems.append(SchemaProblem("$.issuer", "is required"))
    else:
        problems += _problems_from(
            _def_validator("achievementcredential", "ProfileRef"), document["issuer"], "$.issuer"
        )
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping):
        problems.append(SchemaProblem("$.credentialSubject", "must be one ClrSubject object"))
        return problems
    if "ClrSubject" not in _types(subject):
        problems.append(SchemaProblem("$.credentialSubject.type", "must include 'ClrSubject'"))
    if not isinstance(subject.get("id"), str) and not subject.get("identifier"):
        problems.append(SchemaProblem("$.credentialSubject", "needs an id or an identifier"))
    nested = subject.get("verifiableCredential")
    base = "$.credentialSubject.verifiableCredential"
    if not isinstance(nested, list) or not nested:
        problems.append(SchemaProblem(base, "must be a non-empty array of credentials"))
        return problems
    for i, credential in enumerate(nested):
        where = f"{base}[{i}]"
        if isinstance(credential, str):
            continue  # a compact JWS: verified (and then checked) by the verifier
        if not isinstance(credential, Mapping):
            problems.append(SchemaProblem(where, "must be a credential object or a compact JWS"))
            continue
        which = detect_schema(credential)
        if which not in ("achievementcredential", "endorsementcredential"):
            problems.append(
                SchemaProblem(
                    where + ".type",
                    "must be an OpenBadgeCredential/AchievementCredential or EndorsementCredential",
                )
            )
            continue
        statuses = credential.get("credentialStatus")
        if isinstance(statuses, list) and statuses:
            # VC 2.0 allows several status entries (revocation and suspension); the OB 3.0
            # schema describes one object, so each entry is checked in turn as that object
            # (as mosaics.vc.verify does for a credential on its own).
            found: list[SchemaProblem] = []
            for entry in statuses[:8]:
                single = {**credential, "credentialStatus": entry}
                found += [
                    p for p in _problems_from(_validator(which), single, where) if p not in found
                ]
            problems += found
        else:
            problems += _problems_from(_validator(which), credential, where)
    return problems[:_MAX_PROBLEMS]
