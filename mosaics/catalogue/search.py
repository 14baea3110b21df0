"""Searching the public catalogue: published versions by words and filters.

Full text runs over `Version.search_text`, which the lifecycle fills at publication (lower-cased
title, summary, description, competencies, alignments, tags, field of study, issuer and school).
Every word of the query must occur. Words are compared lower-cased, and also with their accents
folded (`normalise`), so "Écologie", "ecologie" and "écologie" find the same designs whether
search_text keeps accents or folds them. The SQL is the same on SQLite and PostgreSQL.

A result page costs a fixed number of queries whatever its size: the issuer and school are
joined, current endorsements (with their partners) prefetched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from mosaics.catalogue.models import Alignment, Competency, Version
from mosaics.endorsements.models import Endorsement

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_WORDS",
    "PAGE_SIZE",
    "Filters",
    "normalise",
    "search",
    "words",
]

PAGE_SIZE = 20
#: Bounds on what a query may cost: longer queries are cut, further words ignored.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8


def normalise(text: str) -> str:
    """Lower-cased, accents removed, whitespace collapsed (for matching, never for display)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split())


def words(query: str) -> list[str]:
    """The distinct words of a query, within the bounds above."""
    out: list[str] = []
    # Control characters never occur in search text (and PostgreSQL refuses NUL outright).
    text = "".join(c if unicodedata.category(c) != "Cc" else " " for c in query or "")
    for word in text[:MAX_QUERY_LENGTH].lower().split():
        if word not in out:
            out.append(word)
    return out[:MAX_WORDS]


@dataclass(frozen=True)
class Filters:
    """What the visitor narrowed the catalogue to. Empty values mean "any"."""

    skill: str = ""
    school: str = ""
    partner: str = ""
    levels: tuple[str, ...] = field(default_factory=tuple)
    delivery_modes: tuple[str, ...] = field(default_factory=tuple)
    languages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        return any(
            (
                self.skill,
                self.school,
                self.partner,
                self.levels,
                self.delivery_modes,
                self.languages,
            )
        )


def _word_q(word: str) -> Q:
    folded = normalise(word)
    q = Q(search_text__icontains=word)
    if folded and folded != word:
        q |= Q(search_text__icontains=folded)
    return q


def current_endorsements_prefetch() -> Prefetch[Any]:
    """Current endorsements with their partners, onto `version.current_endorsements`."""
    return Prefetch(
        "endorsements",
        queryset=Endorsement.objects.current()
        .select_related("endorser__organisation")
        .order_by("endorser__name", "pk"),
        to_attr="current_endorsements",
    )


def search(query: str, filters: Filters | None = None) -> QuerySet[Version]:
    """Published versions matching every word of `query` and every filter, by title."""
    filters = filters or Filters()
    versions = Version.objects.published()
    for word in words(query):
        versions = versions.filter(_word_q(word))

    skill = " ".join(words(filters.skill))
    if skill:
        aligned = Alignment.objects.filter(competency__version=OuterRef("pk")).filter(
            Q(target_name__icontains=skill) | Q(target_code__iexact=skill)
        )
        stated = Competency.objects.filter(version=OuterRef("pk"), statement__icontains=skill)
        versions = versions.filter(Exists(aligned) | Exists(stated))
    if filters.school:
        versions = versions.filter(
            Q(micro_credential__issuer__organisation__slug=filters.school)
            | Q(micro_credential__issuer__organisation__parent__slug=filters.school)
        )
    if filters.partner:
        endorsed = Endorsement.objects.current(timezone.now()).filter(
            version=OuterRef("pk"), endorser__organisation__slug=filters.partner
        )
        versions = versions.filter(Exists(endorsed))
    if filters.levels:
        versions = versions.filter(level__in=filters.levels)
    if filters.delivery_modes:
        versions = versions.filter(delivery_mode__in=filters.delivery_modes)
    if filters.languages:
        versions = versions.filter(language__in=filters.languages)

    return (
        versions.select_related("micro_credential__issuer__organisation")
        .prefetch_related(current_endorsements_prefetch())
        .order_by("title", "pk")
    )
