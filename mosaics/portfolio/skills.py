"""The learner's skills profile: the competencies and alignments of every badge they hold.

Skills are de-duplicated by their alignment's target URL (the framework entry's address, e.g.
an ESCO skill URI): two badges aligned to the same ESCO skill give one skill with two badges as
evidence. A competency without any alignment is a skill of its own, keyed by its statement
(compared without case or repeated spaces). For each badge that evidences a skill the achieved
rubric level is given when the award recorded one (`AwardResult`).

Imported (external) badges add the alignments their Achievement declares (``alignment[]`` with
``targetUrl``); they carry no rubric levels we can read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Evidence", "Skill", "profile"]


@dataclass(frozen=True)
class Evidence:
    """One badge that evidences a skill."""

    title: str
    url: str
    external: bool
    competency: str = ""
    level: str = ""


@dataclass
class Skill:
    key: str
    name: str
    framework: str = ""
    code: str = ""
    url: str = ""
    description: str = ""
    statements: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def levels(self) -> list[str]:
        return [e.level for e in self.evidence if e.level]


def _clean(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _framework(alignment: Any) -> str:
    if alignment.framework == "other" and alignment.framework_name:
        return str(alignment.framework_name)
    return str(alignment.get_framework_display())


def _add(skills: dict[str, Skill], skill: Skill, evidence: Evidence, statement: str) -> None:
    existing = skills.setdefault(skill.key, skill)
    if statement and statement not in existing.statements:
        existing.statements.append(statement)
    if evidence not in existing.evidence:
        existing.evidence.append(evidence)


def profile(
    awards: Iterable[Any], externals: Iterable[Any] = (), *, urls: Mapping[Any, str]
) -> list[Skill]:
    """The skills of `awards` (with `version__competencies__alignments` and `results` prefetched)
    and of the imported badges `externals`, sorted by name. `urls` maps each award/badge to the
    page its evidence links to."""
    skills: dict[str, Skill] = {}
    for award in awards:
        version = award.version
        if version is None:
            continue
        levels = {r.competency_id: r.level.name for r in award.results.all() if r.level is not None}
        for competency in version.competencies.all():
            statement = _clean(competency.statement)
            evidence = Evidence(
                title=award.title,
                url=urls[award],
                external=False,
                competency=statement,
                level=levels.get(competency.pk, ""),
            )
            alignments = list(competency.alignments.all())
            if not alignments:
                key = "competency:" + statement.casefold()
                _add(skills, Skill(key=key, name=statement), evidence, "")
                continue
            for alignment in alignments:
                url = _clean(alignment.target_url)
                skill = Skill(
                    key="url:" + url,
                    name=_clean(alignment.target_name),
                    framework=_framework(alignment),
                    code=_clean(alignment.target_code),
                    url=url,
                    description=_clean(alignment.target_description),
                )
                _add(skills, skill, evidence, statement)
    for badge in externals:
        credential = badge.credential if isinstance(badge.credential, Mapping) else {}
        subject = credential.get("credentialSubject")
        if isinstance(subject, list):
            subject = subject[0] if subject else None
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        external_alignments: Any = (
            achievement.get("alignment") if isinstance(achievement, Mapping) else None
        )
        if isinstance(external_alignments, Mapping):
            external_alignments = [external_alignments]
        if not isinstance(external_alignments, list):
            continue
        evidence = Evidence(title=badge.title or str(badge.uuid), url=urls[badge], external=True)
        for entry in external_alignments[:50]:
            if not isinstance(entry, Mapping):
                continue
            url = _clean(entry.get("targetUrl"))[:500]
            name = _clean(entry.get("targetName"))[:300]
            if not url or not name:
                continue
            skill = Skill(
                key="url:" + url,
                name=name,
                framework=_clean(entry.get("targetFramework"))[:200],
                code=_clean(entry.get("targetCode"))[:100],
                url=url if url.startswith(("https://", "http://")) else "",
                description=_clean(entry.get("targetDescription"))[:1000],
            )
            _add(skills, skill, evidence, "")
    return sorted(skills.values(), key=lambda s: (s.name.casefold(), s.key))
