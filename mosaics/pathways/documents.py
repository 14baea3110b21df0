"""A pathway as an Open Badges 3.0 Achievement (OB §B.1.1).

The micro-credentials a pathway requires have no property of their own in OB 3.0 (there is no
"requires" or "hasPart" on an Achievement). They are written twice: in the criteria narrative,
in plain words with the rule ("All of: A, B; and at least 2 of: C, D, E"), and as `alignment`
entries whose `targetType` is `ceterms:Credential` (OB §B.2.2 AlignmentTargetType: "a
credential") and whose `targetUrl` is each micro-credential's own Achievement id. Both are
defined by the OB 3.0 context, so the document survives JSON-LD safe mode without extensions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from mosaics.core.text import plain_text
from mosaics.issuance.signing import profile_document
from mosaics.organisations.models import Issuer
from mosaics.pathways import rules
from mosaics.pathways.models import Pathway
from mosaics.vc import ob3

__all__ = ["creator_profile", "pathway_achievement", "pathway_achievement_id", "required_url"]


def pathway_achievement_id(pathway: Pathway) -> str:
    """The pathway's Achievement id: its public page (which also answers with this JSON)."""
    return settings.SITE_URL + reverse("pathways:detail", kwargs={"slug": pathway.slug})


def creator_profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, without a context (to embed as `creator`)."""
    return profile_document(issuer, with_context=False)


def required_url(item: rules.Item) -> str | None:
    """Where a required micro-credential's published Achievement lives (its exact version),
    else its catalogue page; None while the catalogue has neither."""
    if item.published_number is not None:
        try:
            return settings.SITE_URL + reverse(
                "catalogue:version", kwargs={"slug": item.slug, "number": item.published_number}
            )
        except NoReverseMatch:
            pass
    try:
        return settings.SITE_URL + reverse("catalogue:detail", kwargs={"slug": item.slug})
    except NoReverseMatch:
        return None


def criteria_narrative(pathway: Pathway, tree: rules.Group, language: str) -> str:
    rule = rules.describe(tree, language)
    text = pathway.criteria.strip()
    return f"{text}\n\n{rule}" if text else rule


def pathway_achievement(
    pathway: Pathway, *, with_context: bool = True, tree: rules.Group | None = None
) -> dict[str, Any]:
    """The pathway's OB 3.0 Achievement. With `with_context` it stands alone as JSON-LD
    (the VC 2.0 and OB 3.0 contexts); without, it is ready to embed in a credential."""
    tree = tree if tree is not None else rules.requirement_tree(pathway)
    language = settings.LANGUAGE_CODE
    alignments = []
    for node in tree.walk():
        if isinstance(node, rules.Item):
            url = required_url(node)
            if url is not None:
                alignments.append(
                    ob3.alignment(
                        target_name=node.title,
                        target_url=url,
                        target_description=node.summary or None,
                        target_type="ceterms:Credential",
                    )
                )
    image = None
    if pathway.image:
        url = pathway.image.url
        image = ob3.image(
            url if url.startswith(("http://", "https://")) else settings.SITE_URL + url,
            caption=pathway.image_alt or None,
        )
    description = plain_text(pathway.description) or pathway.summary or pathway.title
    document = ob3.achievement(
        id=pathway_achievement_id(pathway),
        name=pathway.title,
        description=description,
        criteria=ob3.criteria(narrative=criteria_narrative(pathway, tree, language)),
        achievement_type=pathway.achievement_type,
        image=image,
        creator=creator_profile(pathway.issuer),
        alignment=alignments,
        in_language=language,
    )
    if with_context:
        return {"@context": [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT], **document}
    return document
