"""Builders for Open Badges 3.0 and CLR 2.0 documents.

Each builder takes keyword-only arguments and returns a plain ``dict`` ready to sign: optional
values that are ``None`` (or empty collections) are left out, timestamps are written as
``YYYY-MM-DDThh:mm:ssZ`` and — because the official JSON Schemas (``ob3-schemas/``, draft
2019-09) want them — ``type`` is an **array** for AchievementSubject, Achievement, Profile,
Alignment, Evidence, Result, ResultDescription, RubricCriterionLevel, Related, Address,
EndorsementSubject and the credentials, and ``evidence``, ``endorsement``, ``proof``,
``credentialSchema``, ``termsOfUse``, ``result``, ``alignment``, ``identifier`` … are arrays.
``Image``, ``IdentityObject`` and ``IdentifierEntry`` keep a string ``type``, as the schema
says.

Section numbers refer to Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/, "OB §B.1.x"
is the data model appendix) and CLR 2.0 (https://www.imsglobal.org/spec/clr/v2p0/).

Every builder accepts ``extra``: further properties merged last (for extensions; they must be
defined by a context the document carries, or JSON-LD safe mode will reject the credential).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal

from .errors import MalformedInput

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "ACHIEVEMENT_TYPES",
    "CLR_CONTEXT",
    "OB3_CONTEXT",
    "OB3_EXTENSIONS_CONTEXT",
    "VC2_CONTEXT",
    "achievement",
    "achievement_credential",
    "achievement_subject",
    "address",
    "alignment",
    "association",
    "clr_credential",
    "clr_subject",
    "criteria",
    "endorsement_credential",
    "endorsement_subject",
    "evidence",
    "hash_identity",
    "identifier_entry",
    "identity_object",
    "image",
    "profile",
    "related",
    "result",
    "result_description",
    "rubric_criterion_level",
    "verify_identity_hash",
]

VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT: Final = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: Defines ``1EdTechJsonSchemaValidator2019`` (and other 1EdTech extension terms).
OB3_EXTENSIONS_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
#: OB §B.1 credentialSchema entry for AchievementCredentials (1EdTech's validator type name).
#: Its type is defined only by :data:`OB3_EXTENSIONS_CONTEXT`, which the credential builders
#: add to ``@context`` when an entry uses it (JSON-LD safe mode would reject it otherwise).
ACHIEVEMENT_CREDENTIAL_SCHEMA: Final = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}

#: OB §B.2.1 AchievementType (extend with ``ext:`` names).
ACHIEVEMENT_TYPES: Final = frozenset(
    {
        "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
        "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
        "CertificateOfCompletion", "Certification", "CommunityService", "Competency", "Course",
        "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
        "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
        "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
        "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
    }
)  # fmt: skip
#: OB §B.2.4 ResultType.
RESULT_TYPES: Final = frozenset(
    {
        "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
        "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
        "ScaledScore", "Status",
    }
)  # fmt: skip
#: OB §B.2.5 ResultStatusType.
RESULT_STATUSES: Final = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)
#: OB §B.2.2 AlignmentTargetType.
ALIGNMENT_TARGET_TYPES: Final = frozenset(
    {
        "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
        "CFRubricCriterionLevel", "CTDL",
    }
)  # fmt: skip
#: OB §B.2.3 IdentifierTypeEnum.
IDENTIFIER_TYPES: Final = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
        "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
        "ltiUserId", "identifier",
    }
)  # fmt: skip
#: CLR 2.0 §B.2 AssociationType.
ASSOCIATION_TYPES: Final = frozenset(
    {
        "exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo",
        "precedes", "replacedBy",
    }
)  # fmt: skip

Timestamp = datetime | str
Obj = dict[str, Any]


# ---------------------------------------------------------------------------------- helpers


def _timestamp(value: Timestamp, what: str) -> str:
    """XSD dateTime with a Z (OB §B.3 DateTimeZ); strings are checked and passed through."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise MalformedInput(f"{what} must be timezone-aware")
        return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise MalformedInput(f"{what} {value!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        raise MalformedInput(f"{what} {value!r} has no time zone")
    return value


def _extensible(value: str, known: frozenset[str], what: str) -> str:
    # OB §B.2 "EnumExt": a known term, or an extension named ``ext:<name>``.
    if value in known or (value.startswith("ext:") and len(value) > 4):
        return value
    raise MalformedInput(f"{value!r} is not a known {what} (extensions are written 'ext:Name')")


def _types(base: str, extra_types: Iterable[str]) -> list[str]:
    out = [base]
    out.extend(t for t in extra_types if t != base)
    return out


def _build(obj: Obj, extra: Mapping[str, Any] | None) -> Obj:
    """Drop None and empty collections, then merge ``extra``."""
    out = {k: v for k, v in obj.items() if v is not None and v != [] and v != {}}
    if extra:
        out.update(extra)
    return out


def _list(items: Iterable[Mapping[str, Any]] | None) -> list[Obj] | None:
    return None if items is None else [dict(i) for i in items]


def _ref_or_obj(value: str | Mapping[str, Any] | None) -> str | Obj | None:
    if value is None or isinstance(value, str):
        return value
    return dict(value)


def _number(value: float | int | str | None, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedInput(f"{what} must be a number")
    return float(value)


# ---------------------------------------------------------------------------- small objects


def image(id: str, *, caption: str | None = None, extra: Mapping[str, Any] | None = None) -> Obj:
    """OB §B.1.12 Image: ``{"id": <URI or data URI>, "type": "Image"}`` (string type)."""
    return _build({"id": id, "type": "Image", "caption": caption}, extra)


def criteria(
    *, id: str | None = None, narrative: str | None = None, extra: Mapping[str, Any] | None = None
) -> Obj:
    """OB §B.1.8 Criteria: a URL and/or a Markdown narrative (at least one)."""
    if id is None and narrative is None:
        raise MalformedInput("criteria need an id or a narrative")
    return _build({"id": id, "narrative": narrative}, extra)


def address(
    *,
    country: str | None = None,
    country_code: str | None = None,
    region: str | None = None,
    locality: str | None = None,
    street_address: str | None = None,
    post_office_box_number: str | None = None,
    postal_code: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.2 Address (``type`` ``["Address"]``)."""
    return _build(
        {
            "type": ["Address"],
            "addressCountry": country,
            "addressCountryCode": country_code,
            "addressRegion": region,
            "addressLocality": locality,
            "streetAddress": street_address,
            "postOfficeBoxNumber": post_office_box_number,
            "postalCode": postal_code,
        },
        extra,
    )


def identifier_entry(
    identifier: str, identifier_type: str, *, extra: Mapping[str, Any] | None = None
) -> Obj:
    """OB §B.1.13 IdentifierEntry (string ``type``; no additional properties allowed)."""
    return _build(
        {
            "type": "IdentifierEntry",
            "identifier": identifier,
            "identifierType": _extensible(identifier_type, IDENTIFIER_TYPES, "identifier type"),
        },
        extra,
    )


def profile(
    *,
    id: str,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    description: str | None = None,
    image: Mapping[str, Any] | None = None,
    address: Mapping[str, Any] | None = None,
    official: str | None = None,
    parent_org: Mapping[str, Any] | None = None,
    other_identifier: Sequence[Mapping[str, Any]] | None = None,
    endorsement: Sequence[Mapping[str, Any]] | None = None,
    endorsement_jwt: Sequence[str] | None = None,
    extra_types: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.17 Profile: an issuer, creator, source or parent organisation."""
    return _build(
        {
            "id": id,
            "type": _types("Profile", extra_types),
            "name": name,
            "url": url,
            "email": email,
            "phone": phone,
            "description": description,
            "image": _ref_or_obj(image),
            "address": _ref_or_obj(address),
            "official": official,
            "parentOrg": _ref_or_obj(parent_org),
            "otherIdentifier": _list(other_identifier),
            "endorsement": _list(endorsement),
            "endorsementJwt": list(endorsement_jwt) if endorsement_jwt else None,
        },
        extra,
    )


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_code: str | None = None,
    target_description: str | None = None,
    target_framework: str | None = None,
    target_type: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.3 Alignment to a competency/standard (``type`` ``["Alignment"]``)."""
    return _build(
        {
            "type": ["Alignment"],
            "targetName": target_name,
            "targetUrl": target_url,
            "targetCode": target_code,
            "targetDescription": target_description,
            "targetFramework": target_framework,
            "targetType": None
            if target_type is None
            else _extensible(target_type, ALIGNMENT_TARGET_TYPES, "alignment target type"),
        },
        extra,
    )


def related(
    *,
    id: str,
    in_language: str | None = None,
    version: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.18 Related: another version of an Achievement (``type`` ``["Related"]``)."""
    return _build(
        {"id": id, "type": ["Related"], "inLanguage": in_language, "version": version}, extra
    )


def rubric_criterion_level(
    *,
    id: str,
    name: str,
    description: str | None = None,
    level: str | None = None,
    points: str | None = None,
    alignment: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.21 RubricCriterionLevel (``type`` ``["RubricCriterionLevel"]``)."""
    return _build(
        {
            "id": id,
            "type": ["RubricCriterionLevel"],
            "name": name,
            "description": description,
            "level": level,
            "points": points,
            "alignment": _list(alignment),
        },
        extra,
    )


def result_description(
    *,
    id: str,
    name: str,
    result_type: str,
    allowed_value: Sequence[str] | None = None,
    required_level: str | None = None,
    required_value: str | None = None,
    rubric_criterion_level: Sequence[Mapping[str, Any]] | None = None,
    value_max: str | None = None,
    value_min: str | None = None,
    alignment: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.20 ResultDescription: how results of an Achievement are expressed.

    For rubrics, ``result_type="RubricCriterionLevel"`` with ``rubric_criterion_level`` built by
    :func:`rubric_criterion_level`; ``required_level`` names the id of the level needed.
    """
    levels = _list(rubric_criterion_level)
    if (
        required_level is not None
        and levels is not None
        and required_level not in {lvl.get("id") for lvl in levels}
    ):
        raise MalformedInput("required_level must be the id of one of the rubric levels")
    return _build(
        {
            "id": id,
            "type": ["ResultDescription"],
            "name": name,
            "resultType": _extensible(result_type, RESULT_TYPES, "result type"),
            "allowedValue": list(allowed_value) if allowed_value else None,
            "requiredLevel": required_level,
            "requiredValue": required_value,
            "rubricCriterionLevel": levels,
            "valueMax": value_max,
            "valueMin": value_min,
            "alignment": _list(alignment),
        },
        extra,
    )


def result(
    *,
    result_description: str | None = None,
    value: str | None = None,
    achieved_level: str | None = None,
    status: Literal[
        "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
    ]
    | None = None,
    alignment: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.19 Result: a learner's result against a ResultDescription (by its id)."""
    if status is not None and status not in RESULT_STATUSES:
        raise MalformedInput(f"{status!r} is not a result status")
    return _build(
        {
            "type": ["Result"],
            "resultDescription": result_description,
            "value": value,
            "achievedLevel": achieved_level,
            "status": status,
            "alignment": _list(alignment),
        },
        extra,
    )


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.10 Evidence (``type`` ``["Evidence"]``); ``id`` is a URL or a data URI."""
    return _build(
        {
            "id": id,
            "type": ["Evidence"],
            "narrative": narrative,
            "name": name,
            "description": description,
            "genre": genre,
            "audience": audience,
        },
        extra,
    )


# --------------------------------------------------------------------------------- identity


def hash_identity(identity: str, salt: str) -> str:
    """OB §B.3 IdentityHash: ``"sha256$" + hex(SHA-256(UTF-8(identity + salt)))``.

    E-mail addresses are hashed as given; callers should normalise them (we lower-case
    nothing: OB's own example hashes ``a@example.com`` + ``Kosher`` verbatim).
    """
    digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def verify_identity_hash(identity_hash: str, identity: str, salt: str | None) -> bool:
    """Whether ``identity`` (with ``salt``) matches an IdentityHash (``sha256$``/``md5$``).

    MD5 is accepted only for reading (OB §B.3 still lists it); we never produce it.
    """
    algorithm, _, hexdigest = identity_hash.partition("$")
    data = (identity + (salt or "")).encode("utf-8")
    if algorithm == "sha256":
        expected = hashlib.sha256(data).hexdigest()
    elif algorithm == "md5":
        expected = hashlib.md5(data, usedforsecurity=False).hexdigest()
    else:
        return False
    return secrets.compare_digest(expected, hexdigest.lower())


def identity_object(
    *,
    identity: str,
    identity_type: str = "emailAddress",
    hashed: bool = True,
    salt: str | None = None,
) -> Obj:
    """OB §B.1.11 IdentityObject for ``credentialSubject.identifier``.

    Hashed by default with a fresh random salt (``secrets.token_hex(16)``), so the recipient's
    e-mail address does not appear in the credential and cannot be found by hashing guesses
    without the salt (OB §B.1.11 "strongly recommended that an IdentityHash be used").
    """
    identity_type = _extensible(identity_type, IDENTIFIER_TYPES, "identity type")
    if not hashed:
        return {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": identity,
            "identityType": identity_type,
        }
    if salt is None:
        salt = secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": hash_identity(identity, salt),
        "identityType": identity_type,
        "salt": salt,
    }


# ------------------------------------------------------------------------------ achievement


def achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria: Mapping[str, Any],
    achievement_type: str | None = None,
    image: Mapping[str, Any] | None = None,
    creator: Mapping[str, Any] | None = None,
    alignment: Sequence[Mapping[str, Any]] | None = None,
    result_description: Sequence[Mapping[str, Any]] | None = None,
    credits_available: float | None = None,
    field_of_study: str | None = None,
    human_code: str | None = None,
    specialization: str | None = None,
    in_language: str | None = None,
    version: str | None = None,
    tags: Sequence[str] | None = None,
    other_identifier: Sequence[Mapping[str, Any]] | None = None,
    related: Sequence[Mapping[str, Any]] | None = None,
    endorsement: Sequence[Mapping[str, Any]] | None = None,
    endorsement_jwt: Sequence[str] | None = None,
    extra_types: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.1 Achievement (``type`` ``["Achievement"]``), e.g. a ``MicroCredential``.

    ``tags`` become the ``tag`` array; ``achievement_type`` is a known AchievementType or an
    ``ext:`` extension.
    """
    return _build(
        {
            "id": id,
            "type": _types("Achievement", extra_types),
            "achievementType": None
            if achievement_type is None
            else _extensible(achievement_type, ACHIEVEMENT_TYPES, "achievement type"),
            "name": name,
            "description": description,
            "criteria": dict(criteria),
            "image": _ref_or_obj(image),
            "creator": _ref_or_obj(creator),
            "alignment": _list(alignment),
            "resultDescription": _list(result_description),
            "creditsAvailable": _number(credits_available, "credits_available"),
            "fieldOfStudy": field_of_study,
            "humanCode": human_code,
            "specialization": specialization,
            "inLanguage": in_language,
            "version": version,
            "tag": list(tags) if tags else None,
            "otherIdentifier": _list(other_identifier),
            "related": _list(related),
            "endorsement": _list(endorsement),
            "endorsementJwt": list(endorsement_jwt) if endorsement_jwt else None,
        },
        extra,
    )


def achievement_subject(
    *,
    achievement: Mapping[str, Any],
    id: str | None = None,
    identifier: Sequence[Mapping[str, Any]] | None = None,
    result: Sequence[Mapping[str, Any]] | None = None,
    credits_earned: float | None = None,
    activity_start_date: Timestamp | None = None,
    activity_end_date: Timestamp | None = None,
    narrative: str | None = None,
    license_number: str | None = None,
    role: str | None = None,
    term: str | None = None,
    image: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.4 AchievementSubject: the learner (``id`` and/or ``identifier``, OB requires one)."""
    if id is None and not identifier:
        raise MalformedInput("an AchievementSubject needs an id or at least one identifier")
    return _build(
        {
            "id": id,
            "type": ["AchievementSubject"],
            "activityStartDate": None
            if activity_start_date is None
            else _timestamp(activity_start_date, "activity_start_date"),
            "activityEndDate": None
            if activity_end_date is None
            else _timestamp(activity_end_date, "activity_end_date"),
            "creditsEarned": _number(credits_earned, "credits_earned"),
            "achievement": dict(achievement),
            "identifier": _list(identifier),
            "image": _ref_or_obj(image),
            "licenseNumber": license_number,
            "narrative": narrative,
            "result": _list(result),
            "role": role,
            "source": _ref_or_obj(source),
            "term": term,
        },
        extra,
    )


# ------------------------------------------------------------------------------ credentials


def _credential(
    *,
    contexts: list[str],
    types: list[str],
    id: str,
    issuer: str | Mapping[str, Any],
    valid_from: Timestamp,
    valid_until: Timestamp | None,
    name: str | None,
    description: str | None,
    subject: Obj,
    awarded_date: Timestamp | None = None,
    image: Mapping[str, Any] | None = None,
    evidence: Sequence[Mapping[str, Any]] | None = None,
    endorsement: Sequence[Mapping[str, Any]] | None = None,
    endorsement_jwt: Sequence[str] | None = None,
    credential_status: Mapping[str, Any] | None = None,
    credential_schema: Sequence[Mapping[str, Any]] | None = None,
    refresh_service: Mapping[str, Any] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    if (
        any(s.get("type") == ACHIEVEMENT_CREDENTIAL_SCHEMA["type"] for s in credential_schema or ())
        and OB3_EXTENSIONS_CONTEXT not in contexts
    ):
        contexts = [*contexts, OB3_EXTENSIONS_CONTEXT]
    start = _timestamp(valid_from, "valid_from")
    end = None if valid_until is None else _timestamp(valid_until, "valid_until")
    return _build(
        {
            "@context": contexts,
            "id": id,
            "type": types,
            "issuer": _ref_or_obj(issuer),
            "validFrom": start,
            "validUntil": end,
            "awardedDate": None if awarded_date is None else _timestamp(awarded_date, "awarded"),
            "name": name,
            "description": description,
            "image": _ref_or_obj(image),
            "credentialSubject": subject,
            "evidence": _list(evidence),
            "endorsement": _list(endorsement),
            "endorsementJwt": list(endorsement_jwt) if endorsement_jwt else None,
            # OB §B.1 / the schema: credentialStatus is one object (a BitstringStatusListEntry
            # from mosaics.vc.statuslist.status_entry), credentialSchema/termsOfUse arrays.
            "credentialStatus": _ref_or_obj(credential_status),
            "credentialSchema": _list(credential_schema),
            "refreshService": _ref_or_obj(refresh_service),
            "termsOfUse": _list(terms_of_use),
        },
        extra,
    )


def achievement_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    credential_subject: Mapping[str, Any],
    valid_from: Timestamp,
    name: str,
    valid_until: Timestamp | None = None,
    description: str | None = None,
    awarded_date: Timestamp | None = None,
    image: Mapping[str, Any] | None = None,
    evidence: Sequence[Mapping[str, Any]] | None = None,
    endorsement: Sequence[Mapping[str, Any]] | None = None,
    endorsement_jwt: Sequence[str] | None = None,
    credential_status: Mapping[str, Any] | None = None,
    credential_schema: Sequence[Mapping[str, Any]] | None = None,
    refresh_service: Mapping[str, Any] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] | None = None,
    credential_type: Literal["OpenBadgeCredential", "AchievementCredential"] = (
        "OpenBadgeCredential"
    ),
    extra_contexts: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.5 OpenBadgeCredential (alias AchievementCredential), unsigned.

    ``@context`` is ``[VC 2.0, OB 3.0.3, *extra_contexts]``; ``type`` is
    ``["VerifiableCredential", credential_type]``. ``name`` is required by OB 3.0 §B.1.5 even
    though the JSON Schema does not insist.
    """
    return _credential(
        contexts=[VC2_CONTEXT, OB3_CONTEXT, *extra_contexts],
        types=["VerifiableCredential", credential_type],
        id=id,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        name=name,
        description=description,
        subject=dict(credential_subject),
        awarded_date=awarded_date,
        image=image,
        evidence=evidence,
        endorsement=endorsement,
        endorsement_jwt=endorsement_jwt,
        credential_status=credential_status,
        credential_schema=credential_schema,
        refresh_service=refresh_service,
        terms_of_use=terms_of_use,
        extra=extra,
    )


def endorsement_subject(
    *, id: str, endorsement_comment: str | None = None, extra: Mapping[str, Any] | None = None
) -> Obj:
    """OB §B.1.9 EndorsementSubject: what is endorsed (a Profile, Achievement or credential id)."""
    return _build(
        {"id": id, "type": ["EndorsementSubject"], "endorsementComment": endorsement_comment},
        extra,
    )


def endorsement_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    credential_subject: Mapping[str, Any],
    valid_from: Timestamp,
    name: str,
    valid_until: Timestamp | None = None,
    description: str | None = None,
    awarded_date: Timestamp | None = None,
    credential_status: Mapping[str, Any] | None = None,
    credential_schema: Sequence[Mapping[str, Any]] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] | None = None,
    extra_contexts: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """OB §B.1.8 EndorsementCredential, unsigned (``name`` is required by its schema)."""
    return _credential(
        contexts=[VC2_CONTEXT, OB3_CONTEXT, *extra_contexts],
        types=["VerifiableCredential", "EndorsementCredential"],
        id=id,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        name=name,
        description=description,
        subject=dict(credential_subject),
        awarded_date=awarded_date,
        credential_status=credential_status,
        credential_schema=credential_schema,
        terms_of_use=terms_of_use,
        extra=extra,
    )


# -------------------------------------------------------------------------------------- CLR


def association(
    *, association_type: str, source_id: str, target_id: str, extra: Mapping[str, Any] | None = None
) -> Obj:
    """CLR 2.0 §B.1.1 Association between two achievements (by their ids)."""
    if association_type not in ASSOCIATION_TYPES:
        raise MalformedInput(f"{association_type!r} is not a CLR association type")
    return _build(
        {
            "type": ["Association"],
            "associationType": association_type,
            "sourceId": source_id,
            "targetId": target_id,
        },
        extra,
    )


def clr_subject(
    *,
    verifiable_credential: Sequence[Mapping[str, Any]],
    id: str | None = None,
    identifier: Sequence[Mapping[str, Any]] | None = None,
    achievement: Sequence[Mapping[str, Any]] | None = None,
    association: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """CLR 2.0 §B.1.3 ClrSubject: the learner and the (signed) OB credentials it bundles."""
    if not verifiable_credential:
        raise MalformedInput("a ClrSubject holds at least one verifiableCredential")
    if id is None and not identifier:
        raise MalformedInput("a ClrSubject needs an id or at least one identifier")
    return _build(
        {
            "id": id,
            "type": ["ClrSubject"],
            "identifier": _list(identifier),
            "achievement": _list(achievement),
            "verifiableCredential": _list(verifiable_credential),
            "association": _list(association),
        },
        extra,
    )


def clr_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    credential_subject: Mapping[str, Any],
    valid_from: Timestamp,
    name: str,
    valid_until: Timestamp | None = None,
    description: str | None = None,
    awarded_date: Timestamp | None = None,
    partial: bool | None = None,
    credential_status: Mapping[str, Any] | None = None,
    credential_schema: Sequence[Mapping[str, Any]] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] | None = None,
    extra_contexts: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Obj:
    """CLR 2.0 §B.1.2 ClrCredential, unsigned.

    ``@context`` is ``[VC 2.0, CLR 2.0.1, OB 3.0.3, *extra_contexts]`` — the order of 1EdTech's
    CLR test vector (the CLR context defines ClrCredential/ClrSubject, the OB one the nested
    achievement terms).
    """
    extras = dict(extra or {})
    if partial is not None:
        extras.setdefault("partial", partial)
    return _credential(
        contexts=[VC2_CONTEXT, CLR_CONTEXT, OB3_CONTEXT, *extra_contexts],
        types=["VerifiableCredential", "ClrCredential"],
        id=id,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        name=name,
        description=description,
        subject=dict(credential_subject),
        awarded_date=awarded_date,
        credential_status=credential_status,
        credential_schema=credential_schema,
        terms_of_use=terms_of_use,
        extra=extras or None,
    )
