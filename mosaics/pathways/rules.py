"""A pathway's rule as a tree, and what follows from it: whether a learner's micro-credentials
satisfy it, how far along they are, the rule in plain words, and what blocks publication.

The tree is loaded once (`requirement_tree`, three queries whatever its size) and everything
else works on it, so a caller that asks several questions loads it only once and passes the
tree (every function here accepts a pathway or a tree).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mosaics.catalogue.models import Version
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_DEPTH",
    "Group",
    "Item",
    "Node",
    "ProgressNode",
    "describe",
    "group_label",
    "is_satisfied",
    "progress",
    "published_pathways_requiring",
    "requirement_tree",
    "rule_problems",
]

#: Groups may nest this deep, the main group counting as 1 (and the page's headings fit).
MAX_DEPTH = 4


@dataclass(frozen=True)
class Item:
    """A required micro-credential."""

    id: int
    micro_credential_id: int
    slug: str
    title: str
    summary: str
    #: Its published version's number, or None when nothing of it is published (any more).
    published_number: int | None
    institution_id: int | None

    @property
    def published(self) -> bool:
        return self.published_number is not None


@dataclass(frozen=True)
class Group:
    """A group of requirements: all of its children, or at least `minimum` of them."""

    id: int | None
    title: str
    rule: str
    minimum: int | None
    depth: int
    children: tuple[Node, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.depth == 1

    @property
    def needed(self) -> int:
        """How many children must be met."""
        if self.rule == RuleGroup.Rule.AT_LEAST:
            return self.minimum or 1
        return len(self.children)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(child for child in self.children if isinstance(child, Item))

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(child for child in self.children if isinstance(child, Group))

    def walk(self) -> Iterable[Node]:
        """This group and everything below it, depth first, in order."""
        yield self
        for child in self.children:
            if isinstance(child, Group):
                yield from child.walk()
            else:
                yield child


Node = Group | Item


@dataclass(frozen=True)
class ProgressNode:
    """How far a learner is with one node: `met` of `needed` children (1 of 1 for a held
    micro-credential)."""

    node: Node
    satisfied: bool
    met: int
    needed: int
    children: tuple[ProgressNode, ...] = field(default=())


# ------------------------------------------------------------------------------ loading


def requirement_tree(pathway: Pathway) -> Group:
    """The pathway's rule as a tree of `Group`s and `Item`s (three queries).

    A pathway without a main group (which `pathway_create` always makes) gets an empty one.
    Groups that cannot be reached from the main group are ignored.
    """
    groups: list[dict[str, Any]] = [
        dict(row)
        for row in RuleGroup.objects.filter(pathway=pathway).values(
            "id", "parent_id", "position", "title", "rule", "minimum"
        )
    ]
    items = list(
        RuleItem.objects.filter(group__pathway=pathway).values(
            "id",
            "group_id",
            "position",
            "micro_credential_id",
            "micro_credential__slug",
            "micro_credential__issuer__organisation_id",
            "micro_credential__issuer__organisation__kind",
            "micro_credential__issuer__organisation__parent_id",
        )
    )
    credential_ids = {row["micro_credential_id"] for row in items}
    # Each micro-credential's title: its published version's, else its newest version's.
    titles: dict[int, tuple[str, str]] = {}
    published: dict[int, int] = {}
    for version in (
        Version.objects.filter(micro_credential_id__in=credential_ids)
        .order_by("micro_credential_id", "number")
        .values("micro_credential_id", "number", "state", "title", "summary")
    ):
        credential_id = version["micro_credential_id"]
        if version["state"] == Version.State.PUBLISHED:
            published[credential_id] = version["number"]
        if credential_id not in published or version["state"] == Version.State.PUBLISHED:
            titles[credential_id] = (version["title"], version["summary"])

    children: dict[int | None, list[tuple[int, int, int, Any]]] = {}
    for row in groups:
        children.setdefault(row["parent_id"], []).append((row["position"], 1, row["id"], row))
    for item_row in items:
        credential_id = item_row["micro_credential_id"]
        title, summary = titles.get(credential_id, (item_row["micro_credential__slug"], ""))
        kind = item_row["micro_credential__issuer__organisation__kind"]
        institution_id = (
            item_row["micro_credential__issuer__organisation__parent_id"]
            if kind == "school"
            else item_row["micro_credential__issuer__organisation_id"]
        )
        item = Item(
            id=item_row["id"],
            micro_credential_id=credential_id,
            slug=item_row["micro_credential__slug"],
            title=title,
            summary=summary,
            published_number=published.get(credential_id),
            institution_id=institution_id,
        )
        children.setdefault(item_row["group_id"], []).append(
            (item_row["position"], 0, item_row["id"], item)
        )

    def build(row: dict[str, Any], depth: int, seen: frozenset[int]) -> Group:
        group_id: int = row["id"]
        members: list[Node] = []
        for *_key, child in sorted(children.get(group_id, []), key=lambda c: c[:3]):
            if isinstance(child, Item):
                members.append(child)
            elif child["id"] not in seen:  # a cycle cannot be built, but never loop
                members.append(build(child, depth + 1, seen | {group_id}))
        return Group(
            id=group_id,
            title=row["title"],
            rule=row["rule"],
            minimum=row["minimum"],
            depth=depth,
            children=tuple(members),
        )

    roots = [row for row in groups if row["parent_id"] is None]
    if not roots:
        return Group(id=None, title="", rule=RuleGroup.Rule.ALL, minimum=None, depth=1)
    return build(roots[0], 1, frozenset())


def _tree(pathway_or_tree: Pathway | Group) -> Group:
    if isinstance(pathway_or_tree, Group):
        return pathway_or_tree
    return requirement_tree(pathway_or_tree)


# ---------------------------------------------------------------------------- evaluation


def _evaluate(node: Node, held: set[int] | frozenset[int]) -> ProgressNode:
    if isinstance(node, Item):
        met = 1 if node.micro_credential_id in held else 0
        return ProgressNode(node=node, satisfied=bool(met), met=met, needed=1)
    children = tuple(_evaluate(child, held) for child in node.children)
    met = sum(1 for child in children if child.satisfied)
    needed = node.needed
    # An empty group asks for nothing, and a pathway that asks for nothing is never earned.
    satisfied = bool(children) and met >= needed
    return ProgressNode(node=node, satisfied=satisfied, met=met, needed=needed, children=children)


def is_satisfied(pathway: Pathway | Group, held: set[int] | frozenset[int]) -> bool:
    """Whether holding the micro-credentials with ids `held` earns the pathway.

    Monotone: holding more never un-earns it. An empty group is never satisfied.
    """
    return _evaluate(_tree(pathway), held).satisfied


def progress(pathway: Pathway | Group, held: set[int] | frozenset[int]) -> ProgressNode:
    """The tree again, each node with whether it is met and `met` of `needed` children."""
    return _evaluate(_tree(pathway), held)


# ------------------------------------------------------------------------------- wording


def group_label(group: Group) -> str:
    """A group's name as people see it: its title, else what it asks."""
    if group.title:
        return group.title
    if group.is_root:
        return _("the main group")
    if group.rule == RuleGroup.Rule.AT_LEAST:
        count = group.minimum or 1
        return ngettext("at least %(count)d of", "at least %(count)d of", count) % {"count": count}
    return _("all of")


def _phrase(group: Group, *, nested: bool) -> str:
    names = [item.title for item in group.items]
    subgroups = [_phrase(sub, nested=True) for sub in group.groups]
    if group.rule == RuleGroup.Rule.AT_LEAST:
        count = group.minimum or 1
        members = names + [f"({text})" for text in subgroups]
        return ngettext(
            "at least %(count)d of: %(names)s", "at least %(count)d of: %(names)s", count
        ) % {"count": count, "names": ", ".join(members) or _("nothing yet")}
    if not names and not subgroups:
        return _("all of: %(names)s") % {"names": _("nothing yet")}
    parts = [_("all of: %(names)s") % {"names": ", ".join(names)}] if names else []
    parts += subgroups
    text = _("; and ").join(parts)
    return f"({text})" if nested and len(parts) > 1 else text


def describe(pathway: Pathway | Group, language: str | None = None) -> str:
    """The rule in plain words, e.g. "All of: A, B; and at least 2 of: C, D, E", in
    `language` (the active language when None)."""
    tree = _tree(pathway)
    with translation.override(language or translation.get_language()):
        text = _phrase(tree, nested=False)
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------- validation


def rule_problems(pathway: Pathway | Group, *, institution_id: int | None = None) -> list[str]:
    """What is wrong with the rule, in plain words; empty when it can be published.

    Checks: empty groups, a minimum larger than the group, a micro-credential listed twice,
    groups nested deeper than `MAX_DEPTH`, micro-credentials that are not published (and,
    given `institution_id` or a pathway, ones from another institution).
    """
    if isinstance(pathway, Pathway) and institution_id is None:
        organisation = pathway.issuer.organisation
        institution = organisation.institution
        institution_id = institution.pk if institution is not None else None
    tree = _tree(pathway)
    problems: list[str] = []
    counts: Counter[int] = Counter()
    first_item: dict[int, Item] = {}
    too_deep = False
    for node in tree.walk():
        if isinstance(node, Item):
            counts[node.micro_credential_id] += 1
            first_item.setdefault(node.micro_credential_id, node)
            continue
        label = group_label(node)
        if not node.children:
            if node.is_root:
                problems.append(_("The pathway does not require any micro-credential yet."))
            else:
                problems.append(
                    _("The group “%(group)s” is empty: add micro-credentials or remove it.")
                    % {"group": label}
                )
        elif node.rule == RuleGroup.Rule.AT_LEAST and (node.minimum or 1) > len(node.children):
            problems.append(
                _(
                    "The group “%(group)s” asks for at least %(minimum)d, but has only "
                    "%(count)d requirements."
                )
                % {"group": label, "minimum": node.minimum or 1, "count": len(node.children)}
            )
        if node.depth > MAX_DEPTH:
            too_deep = True
    if too_deep:
        problems.append(
            _("Groups are nested more than %(depth)d levels deep. Simplify the rule.")
            % {"depth": MAX_DEPTH}
        )
    for credential_id, count in counts.items():
        if count > 1:
            problems.append(
                _("“%(title)s” is listed %(count)d times; list each micro-credential once.")
                % {"title": first_item[credential_id].title, "count": count}
            )
    for item in first_item.values():
        if not item.published:
            problems.append(
                _("“%(title)s” is not published in the catalogue.") % {"title": item.title}
            )
        if institution_id is not None and item.institution_id != institution_id:
            problems.append(
                _("“%(title)s” belongs to another institution.") % {"title": item.title}
            )
    return problems


def published_pathways_requiring(micro_credential_id: int) -> QuerySet[Pathway]:
    """Published pathways whose rule names the micro-credential (for its catalogue page)."""
    return (
        Pathway.objects.filter(
            state=Pathway.State.PUBLISHED,
            groups__items__micro_credential_id=micro_credential_id,
        )
        .distinct()
        .order_by("title")
    )
