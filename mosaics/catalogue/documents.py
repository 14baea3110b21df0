"""Machine-readable forms of a design: its OB 3.0 Achievement and OB 2.0 BadgeClass.

Both are built from a version's rows only (no signing): the Achievement is what awards embed
and endorsements name as their subject; the BadgeClass is what OB 2.0 hosted assertions point
at. Every URL in them is absolute (SITE_URL + path) so that they stand alone off this site.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from mosaics.catalogue.models import Alignment, Competency, Framework, Version
from mosaics.core.text import plain_text
from mosaics.vc import ob3

__all__ = [
    "OB2_CONTEXT",
    "achievement_document",
    "achievement_id",
    "badgeclass_document",
    "competency_alignments",
    "content_digest",
    "current_endorsements",
    "image_url",
    "page_url",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

# Framework names as they go on the wire (language-neutral, not the translated labels).
_FRAMEWORK_NAMES = {
    Framework.ESCO: "ESCO",
    Framework.ONET: "O*NET",
    Framework.NOC: "National Occupational Classification (NOC)",
}


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def achievement_id(version: Version) -> str:
    """The Achievement's id: the stable https URL of this exact version (immutable once
    published). Endorsements and awards refer to it."""
    return settings.SITE_URL + reverse(
        "catalogue:version",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )


def page_url(version: Version) -> str:
    """The public page of this exact version (the same URL as its Achievement id)."""
    return achievement_id(version)


def image_url(version: Version) -> str | None:
    """The absolute URL of the version's image (served by `catalogue:image`), or None."""
    if not version.image:
        return None
    return _absolute(
        reverse(
            "catalogue:image",
            kwargs={"slug": version.micro_credential.slug, "number": version.number},
        )
    )


def current_endorsements(version: Version) -> list[Any]:
    """The endorsements in force for this version (the endorsements app decides which)."""
    # Imported here: the endorsements app builds on this module (achievement_id).
    from mosaics.endorsements.actions import endorsements_for_achievement

    return endorsements_for_achievement(version)


def _framework_name(alignment: Alignment) -> str:
    if alignment.framework in _FRAMEWORK_NAMES:
        return _FRAMEWORK_NAMES[alignment.framework]  # type: ignore[index]
    if alignment.framework_name:
        return alignment.framework_name
    if alignment.framework == Framework.INSTITUTION:
        return "Institutional framework"
    return "Other framework"


def _target_type(alignment: Alignment) -> str:
    # OB §B.2.2: skills and competencies are ceasn:Competency; the NOC classifies occupations,
    # which the vocabulary has no term for, hence an extension.
    return "ext:Occupation" if alignment.framework == Framework.NOC else "ceasn:Competency"


def competency_alignments(competency: Competency) -> list[dict[str, Any]]:
    """OB 3.0 Alignments of one competency."""
    return [
        ob3.alignment(
            target_name=a.target_name,
            target_url=a.target_url,
            target_code=a.target_code or None,
            target_description=a.target_description or None,
            target_framework=_framework_name(a),
            target_type=_target_type(a),
        )
        for a in competency.alignments.all()
    ]


def _competencies(version: Version) -> list[Competency]:
    return list(
        version.competencies.select_related("passing_level").prefetch_related(
            "levels", "alignments"
        )
    )


def _description(version: Version) -> str:
    parts = [plain_text(version.summary), plain_text(version.description)]
    return "\n\n".join(p for p in parts if p) or version.title


def _criteria_narrative(version: Version, competencies: list[Competency]) -> str:
    """The criteria as Markdown: the design's own text, then what each competency asks for."""
    items = []
    for competency in competencies:
        line = f"- **{competency.statement}**"
        if competency.demonstration.strip():
            line += f": {' '.join(competency.demonstration.split())}"
        items.append(line)
    parts = [version.criteria.strip(), "\n".join(items)]
    return "\n\n".join(p for p in parts if p) or version.title


def _result_description(achievement: str, competency: Competency) -> dict[str, Any]:
    base = f"{achievement}#competency-{competency.pk}"
    levels = [
        ob3.rubric_criterion_level(
            id=f"{base}-level-{level.pk}",
            name=level.name,
            description=level.description or None,
            points=None if level.points is None else str(level.points),
        )
        for level in competency.levels.all()
    ]
    passing = competency.passing_level_id
    has_passing = any(level.pk == passing for level in competency.levels.all())
    required = f"{base}-level-{passing}" if has_passing else None
    return ob3.result_description(
        id=base,
        name=competency.statement,
        result_type="RubricCriterionLevel",
        rubric_criterion_level=levels or None,
        required_level=required,
        alignment=competency_alignments(competency) or None,
    )


def _creator(version: Version) -> dict[str, Any]:
    from mosaics.issuance.signing import profile_document

    return profile_document(version.micro_credential.issuer, with_context=False)


def achievement_document(version: Version, *, with_context: bool = True) -> dict[str, Any]:
    """The version as an OB 3.0 Achievement (OB §B.1.1, achievementType MicroCredential).

    With `with_context` it carries the VC 2.0 and OB 3.0.3 contexts and stands alone as JSON-LD
    (the public `.json`); without, it is ready to embed in a credential's subject.
    Current endorsements ride along as their signed EndorsementCredentials (OB §B.1.1
    `endorsement`), each with its own proof.
    """
    return _achievement(version, with_context=with_context, embed_endorsements=True)


def _achievement(
    version: Version, *, with_context: bool, embed_endorsements: bool
) -> dict[str, Any]:
    aid = achievement_id(version)
    competencies = _competencies(version)
    picture = image_url(version)
    alignments = [a for c in competencies for a in competency_alignments(c)]
    document = ob3.achievement(
        id=aid,
        achievement_type="MicroCredential",
        name=version.title,
        description=_description(version),
        criteria=ob3.criteria(
            id=f"{aid}#criteria", narrative=_criteria_narrative(version, competencies)
        ),
        image=ob3.image(picture, caption=version.image_alt or None) if picture else None,
        creator=_creator(version),
        alignment=alignments or None,
        result_description=[_result_description(aid, c) for c in competencies] or None,
        credits_available=None
        if version.credits_available is None
        else float(version.credits_available),
        field_of_study=version.field_of_study or None,
        human_code=version.human_code or None,
        in_language=version.language or None,
        version=str(version.number),
        tags=[str(t) for t in version.tags or [] if str(t).strip()] or None,
        endorsement=[e.credential for e in current_endorsements(version)] or None
        if embed_endorsements
        else None,
    )
    if with_context:
        return {"@context": [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT], **document}
    return document


def _site_relative(value: Any, site: str) -> Any:
    """`value` with this site's own absolute URLs made relative, so that moving the site to
    another address (SITE_URL) does not change what the design says."""
    if isinstance(value, str):
        if value == site or value.startswith((site + "/", site + "#")):
            return value[len(site) :]
        return value
    if isinstance(value, dict):
        return {key: _site_relative(member, site) for key, member in value.items()}
    if isinstance(value, list):
        return [_site_relative(item, site) for item in value]
    return value


def content_digest(version: Version) -> str:
    """SHA-256 (hex) of the JCS (RFC 8785) form of what a partner reads when endorsing
    `version`, stored with each endorsement so that a later edit of the design shows.

    It covers the Achievement (`achievement_document` without `endorsement`, so endorsing does
    not change it, and without `creator`, so renaming the issuer does not) and, explicitly,
    what the endorsement page shows that the Achievement leaves out or only paraphrases: the
    Markdown source of the summary, description, criteria and demonstration criteria, the
    hours, delivery mode, level, prerequisites, award validity, the image file, the reflection
    prompts in order and the institutional goals chosen. Goals count by identity, not title:
    they belong to the institution, and renaming one must not strip published designs of their
    endorsements. Note that a change to how the Achievement is built changes every digest.
    """
    document = _achievement(version, with_context=False, embed_endorsements=False)
    document.pop("endorsement", None)
    document.pop("creator", None)
    competencies = _competencies(version)
    design = {
        "summary": version.summary,
        "description": version.description,
        "criteria": version.criteria,
        "estimatedHours": version.estimated_hours,
        "deliveryMode": version.delivery_mode,
        "level": version.level,
        "prerequisites": version.prerequisites,
        "validityMonths": version.validity_months,
        "image": version.image.name if version.image else "",
        "competencies": [
            {"statement": c.statement, "demonstration": c.demonstration} for c in competencies
        ],
        "reflectionPrompts": [p.text for p in version.reflection_prompts.all()],
        "goals": sorted(version.goals.values_list("pk", flat=True)),
    }
    site = str(settings.SITE_URL).rstrip("/")
    content = _site_relative({"achievement": document, "design": design}, site)
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def _ob2_issuer_url(version: Version) -> str:
    issuer = version.micro_credential.issuer
    return _absolute(reverse("issuance:ob2_issuer", kwargs={"slug": issuer.slug}))


def badgeclass_document(version: Version) -> dict[str, Any]:
    """The version as an Open Badges 2.0 BadgeClass, for older consumers.

    OB 2.0 requires an image: a version without one shows the site's logo.
    """
    competencies = _competencies(version)
    alignments = []
    for competency in competencies:
        for a in competency.alignments.all():
            entry = {"targetName": a.target_name, "targetUrl": a.target_url}
            if a.target_code:
                entry["targetCode"] = a.target_code
            if a.target_description:
                entry["targetDescription"] = a.target_description
            entry["targetFramework"] = _framework_name(a)
            alignments.append(entry)
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": _absolute(
            reverse(
                "catalogue:badgeclass",
                kwargs={"slug": version.micro_credential.slug, "number": version.number},
            )
        ),
        "name": version.title,
        "description": _description(version),
        "image": image_url(version) or _absolute(static("mosaics/logo.svg")),
        "criteria": {
            "id": page_url(version),
            "narrative": _criteria_narrative(version, competencies),
        },
        "issuer": _ob2_issuer_url(version),
    }
    if alignments:
        document["alignment"] = alignments
    tags = [str(t) for t in version.tags or [] if str(t).strip()]
    if tags:
        document["tags"] = tags
    return document
