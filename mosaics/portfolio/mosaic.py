"""Everything the mosaic page shows, gathered in a number of queries that does not grow with the
number of badges: the badges (tiles by skill area), the skills profile, pathway progress and the
learner's collections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mosaics.awards.actions import held_micro_credentials
from mosaics.awards.models import Award, AwardResult
from mosaics.catalogue.models import Competency
from mosaics.pathways import rules
from mosaics.pathways.models import Pathway
from mosaics.portfolio import imports
from mosaics.portfolio import skills as skills_module
from mosaics.portfolio import tiles as tiles_module
from mosaics.portfolio.models import Collection, ExternalBadge

__all__ = [
    "PathwayProgress",
    "award_url",
    "external_url",
    "held_awards",
    "mosaic",
    "pathway_progress",
    "verified_external_badges",
]

STATUS_LABELS = {
    "valid": lambda: _("Valid"),
    "expired": lambda: _("Expired"),
    "suspended": lambda: _("Suspended"),
    "revoked": lambda: _("Revoked"),
    "not_yet_valid": lambda: _("Not valid yet"),
    "unconfirmed": lambda: _("Unconfirmed"),
    "invalid": lambda: _("Not valid"),
}


def display_name(user: Any) -> str:
    """What public pages call the learner: their display name, else their full name (never
    their username or address)."""
    name = getattr(user, "display_name", "") or user.get_full_name()
    return str(name).strip() or _("A learner")


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return label() if label else status


def held_awards(user: Any) -> QuerySet[Award]:
    """The awards in `user`'s mosaic (theirs, claim accepted), with what the page reads."""
    return (
        Award.objects.filter(learner=user, claim=Award.Claim.ACCEPTED)
        .select_related("version__micro_credential", "pathway", "issuer")
        .prefetch_related(
            Prefetch(
                "version__competencies",
                queryset=Competency.objects.prefetch_related("alignments"),
            ),
            Prefetch("results", queryset=AwardResult.objects.select_related("level")),
        )
    )


def verified_external_badges(user: Any) -> QuerySet[ExternalBadge]:
    """Badges `user` imported that verified (rejected uploads are never badges)."""
    return ExternalBadge.objects.filter(owner=user, verified=True)


def award_url(award: Award) -> str:
    return reverse("awards:detail", kwargs={"uuid": award.uuid})


def external_url(badge: ExternalBadge) -> str:
    """The imported badge's page (the import helper's), or its row in the text alternative
    while that page does not exist."""
    try:
        return reverse("portfolio:external", kwargs={"uuid": badge.uuid})
    except NoReverseMatch:
        return f"#badge-{badge.uuid}"


def _subject_achievement(credential: Any) -> Any:
    if not isinstance(credential, dict):
        return None
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject.get("achievement") if isinstance(subject, dict) else None


def award_tile(award: Award) -> tiles_module.Tile:
    if award.version is not None:
        area = tiles_module.area_of_version(award.version)
    else:
        area = tiles_module.PATHWAYS
    status = award.effective_status
    return tiles_module.Tile(
        key=f"award-{award.uuid}",
        title=award.title,
        issuer=award.issuer.name,
        url=award_url(award),
        status=status,
        status_label=status_label(status),
        external=False,
        area=area,
        awarded=award.awarded_at,
    )


def external_tile(badge: ExternalBadge) -> tiles_module.Tile:
    """An imported badge's tile: its issuer as far as it was proved ("<name> (confirmed)", or
    the name as written in the badge, marked as not confirmed, with the DID that signed it)."""
    identity = imports.issuer_identity(badge)
    return tiles_module.Tile(
        key=f"badge-{badge.uuid}",
        title=imports.clean_text(badge.title) or _("Untitled badge"),
        issuer=imports.issuer_text(identity),
        url=external_url(badge),
        status=badge.status,
        status_label=imports.status_text(badge, identity),
        issuer_confirmed=identity.confirmed,
        external=True,
        area=tiles_module.area_of_achievement(_subject_achievement(badge.credential)),
        awarded=badge.issued_on,
    )


# ---------------------------------------------------------------------------- pathways


@dataclass
class MissingItem:
    title: str
    url: str | None


@dataclass
class PathwayProgress:
    pathway: Pathway
    met: int
    needed: int
    satisfied: bool
    earned: bool
    done: list[str] = field(default_factory=list)
    missing: list[MissingItem] = field(default_factory=list)
    rule_text: str = ""

    @property
    def summary(self) -> str:
        return ngettext(
            "%(met)d of %(needed)d requirement met",
            "%(met)d of %(needed)d requirements met",
            self.needed,
        ) % {"met": self.met, "needed": self.needed}


def _catalogue_url(slug: str) -> str | None:
    try:
        return reverse("catalogue:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def pathway_progress(user: Any, held: set[int] | None = None) -> list[PathwayProgress]:
    """Each published pathway that one of the learner's micro-credentials counts towards: how
    far along they are (`rules.progress` with `held_micro_credentials`), what is done and which
    micro-credentials are still missing."""
    if held is None:
        held = held_micro_credentials(user)
    if not held:
        return []
    pathways = (
        Pathway.objects.filter(
            state=Pathway.State.PUBLISHED, groups__items__micro_credential_id__in=held
        )
        .distinct()
        .order_by("title", "pk")
    )
    earned = set(
        Award.objects.filter(learner=user, pathway__isnull=False)
        .exclude(status=Award.Status.REVOKED)
        .exclude(claim=Award.Claim.DECLINED)
        .values_list("pathway_id", flat=True)
    )
    out = []
    for pathway in pathways:
        tree = rules.requirement_tree(pathway)
        node = rules.progress(tree, held)
        done: list[str] = []
        missing: list[MissingItem] = []
        seen: set[int] = set()
        for child in tree.walk():
            if isinstance(child, rules.Item) and child.micro_credential_id not in seen:
                seen.add(child.micro_credential_id)
                if child.micro_credential_id in held:
                    done.append(child.title)
                else:
                    missing.append(MissingItem(child.title, _catalogue_url(child.slug)))
        out.append(
            PathwayProgress(
                pathway=pathway,
                met=node.met,
                needed=node.needed,
                satisfied=node.satisfied,
                earned=pathway.pk in earned,
                done=done,
                missing=[] if node.satisfied else missing,
                rule_text=rules.describe(tree),
            )
        )
    return out


# ------------------------------------------------------------------------------- the page


@dataclass
class Mosaic:
    awards: list[Award]
    externals: list[ExternalBadge]
    areas: list[tiles_module.Area]
    svg: SafeString
    skills: list[skills_module.Skill]
    pathways: list[PathwayProgress]
    collections: list[Collection]

    @property
    def count(self) -> int:
        return len(self.awards) + len(self.externals)


def mosaic(user: Any) -> Mosaic:
    awards = list(held_awards(user))
    externals = list(verified_external_badges(user))
    tiles = [award_tile(a) for a in awards] + [external_tile(b) for b in externals]
    areas = tiles_module.group(tiles)
    urls: dict[Any, str] = {a: award_url(a) for a in awards}
    urls.update({b: external_url(b) for b in externals})
    count = len(tiles)
    description = ngettext(
        "%(count)d badge in %(areas)d skill area: %(list)s.",
        "%(count)d badges in %(areas)d skill areas: %(list)s.",
        count,
    ) % {
        "count": count,
        "areas": len(areas),
        "list": "; ".join(f"{area.name} ({len(area.tiles)})" for area in areas),
    }
    return Mosaic(
        awards=awards,
        externals=externals,
        areas=areas,
        svg=tiles_module.svg(areas, title=_("My mosaic of badges"), description=description),
        # A revoked or suspended badge no longer evidences anything.
        skills=skills_module.profile(
            [a for a in awards if a.status == Award.Status.ACTIVE], externals, urls=urls
        ),
        pathways=pathway_progress(user),
        collections=list(
            Collection.objects.filter(owner=user).annotate(
                award_count=Count("awards", distinct=True),
                external_count=Count("external_badges", distinct=True),
            )
        ),
    )
