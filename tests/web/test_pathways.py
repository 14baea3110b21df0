"""Pathways: the rule (evaluation, wording, validation), the design actions, the builder and
public pages for every persona, and the pathway as an OB 3.0 Achievement."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.models import Version
from mosaics.pathways import actions, rules
from mosaics.pathways.documents import pathway_achievement, pathway_achievement_id
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem
from mosaics.vc import jsonld, ob3, schema
from tests import factories as f
from tests.personas import PERSONAS, client_for

ALL = RuleGroup.Rule.ALL
AT_LEAST = RuleGroup.Rule.AT_LEAST
SITE = "http://127.0.0.1:8000"


# ------------------------------------------------------------------------------- helpers


def offered(issuer: Any, title: str) -> Any:
    """A micro-credential with a published version."""
    return f.VersionFactory(
        micro_credential__issuer=issuer, state=Version.State.PUBLISHED, title=title
    ).micro_credential


def new_pathway(world: Any, actor: Any = None, **fields: Any) -> Pathway:
    fields.setdefault("title", "Data Analytics Pathway")
    fields.setdefault("criteria", "Earn the micro-credentials below.")
    return actions.pathway_create(actor=actor or world.designer, issuer=world.issuer, **fields)


def root_of(pathway: Pathway) -> RuleGroup:
    return pathway.groups.get(parent=None)


def standard(world: Any) -> tuple[Pathway, dict[str, Any]]:
    """All of A and B, and at least 2 of C, D, E (built through the actions)."""
    pathway = new_pathway(world)
    mcs = {name: offered(world.issuer, name) for name in "ABCDE"}
    root = root_of(pathway)
    for name in "AB":
        actions.rule_item_add(actor=world.designer, group=root, micro_credential=mcs[name])
    electives = actions.rule_group_add(
        actor=world.designer, parent=root, title="", rule=AT_LEAST, minimum=2
    )
    for name in "CDE":
        actions.rule_item_add(actor=world.designer, group=electives, micro_credential=mcs[name])
    return pathway, mcs


def ids(mcs: dict[str, Any], names: str) -> set[int]:
    return {mcs[name].pk for name in names}


def snapshot() -> tuple[int, ...]:
    return (
        Pathway.objects.count(),
        RuleGroup.objects.count(),
        RuleItem.objects.count(),
        AuditEntry.objects.count(),
        *Pathway.objects.order_by("pk").values_list("state", flat=True),
    )  # type: ignore[return-value]


# ------------------------------------------------------------------------ rule evaluation


def test_all_of_needs_every_micro_credential(world: Any) -> None:
    pathway = new_pathway(world)
    a, b = offered(world.issuer, "A"), offered(world.issuer, "B")
    for mc in (a, b):
        actions.rule_item_add(actor=world.designer, group=root_of(pathway), micro_credential=mc)
    assert not rules.is_satisfied(pathway, set())
    assert not rules.is_satisfied(pathway, {a.pk})
    assert rules.is_satisfied(pathway, {a.pk, b.pk})
    assert rules.is_satisfied(pathway, {a.pk, b.pk, 999_999})  # unrelated ids are ignored


def test_at_least_n_of(world: Any) -> None:
    pathway, mcs = standard(world)
    assert not rules.is_satisfied(pathway, ids(mcs, "ABC"))
    assert rules.is_satisfied(pathway, ids(mcs, "ABCD"))
    assert rules.is_satisfied(pathway, ids(mcs, "ABCE"))
    assert rules.is_satisfied(pathway, ids(mcs, "ABCDE"))
    assert not rules.is_satisfied(pathway, ids(mcs, "ACDE"))


def test_nested_groups(world: Any) -> None:
    pathway, mcs = standard(world)
    electives = pathway.groups.get(rule=AT_LEAST)
    inner = actions.rule_group_add(actor=world.designer, parent=electives, rule=ALL)
    f_, g = offered(world.issuer, "F"), offered(world.issuer, "G")
    for mc in (f_, g):
        actions.rule_item_add(actor=world.designer, group=inner, micro_credential=mc)
    base = ids(mcs, "ABC")
    assert not rules.is_satisfied(pathway, base | {f_.pk})  # half of the inner group
    assert rules.is_satisfied(pathway, base | {f_.pk, g.pk})  # the inner group is the second


def test_edge_cases(world: Any) -> None:
    empty = new_pathway(world, title="Empty")
    assert not rules.is_satisfied(empty, set())  # asks for nothing: never earned
    pathway, mcs = standard(world)
    # An empty subgroup of an all-of group cannot be met.
    actions.rule_group_add(actor=world.designer, parent=root_of(pathway), rule=ALL)
    assert not rules.is_satisfied(pathway, ids(mcs, "ABCDE"))
    # More asked for than the group holds: never met.
    pathway2, mcs2 = standard(world)
    pathway2.groups.filter(rule=AT_LEAST).update(minimum=4)
    assert not rules.is_satisfied(pathway2, ids(mcs2, "ABCDE"))
    # A pathway without a main group is an empty tree.
    bare = Pathway.objects.create(issuer=world.issuer, slug="bare", title="Bare")
    assert rules.requirement_tree(bare).children == ()
    assert not rules.is_satisfied(bare, set())


def test_tree_loads_in_a_constant_number_of_queries(world: Any) -> None:
    small = new_pathway(world, title="Small")
    actions.rule_item_add(
        actor=world.designer, group=root_of(small), micro_credential=offered(world.issuer, "X")
    )
    big, _mcs = standard(world)
    electives = big.groups.get(rule=AT_LEAST)
    inner = actions.rule_group_add(actor=world.designer, parent=electives, rule=ALL)
    for name in ("F", "G", "H"):
        actions.rule_item_add(
            actor=world.designer, group=inner, micro_credential=offered(world.issuer, name)
        )
    for pathway in (small, big):
        with CaptureQueriesContext(connection) as queries:
            tree = rules.requirement_tree(pathway)
        assert len(queries) == 3
    assert [type(child).__name__ for child in tree.children] == ["Item", "Item", "Group"]
    assert tree.groups[0].groups[0].depth == 3


def test_progress_counts_met_and_needed(world: Any) -> None:
    pathway, mcs = standard(world)
    report = rules.progress(pathway, ids(mcs, "AC"))
    assert (report.satisfied, report.met, report.needed) == (False, 1, 3)
    a, b, electives = report.children
    assert (a.met, a.needed, a.satisfied) == (1, 1, True)
    assert (b.met, b.needed, b.satisfied) == (0, 1, False)
    assert (electives.met, electives.needed, electives.satisfied) == (1, 2, False)
    done = rules.progress(pathway, ids(mcs, "ABDE"))
    assert (done.satisfied, done.met, done.needed) == (True, 3, 3)


def test_describe_in_plain_words(world: Any) -> None:
    pathway, _mcs = standard(world)
    assert rules.describe(pathway, "en") == "All of: A, B; and at least 2 of: C, D, E"
    electives = pathway.groups.get(rule=AT_LEAST)
    inner = actions.rule_group_add(actor=world.designer, parent=electives, rule=ALL)
    for name in "FG":
        actions.rule_item_add(
            actor=world.designer, group=inner, micro_credential=offered(world.issuer, name)
        )
    assert (
        rules.describe(pathway, "en") == "All of: A, B; and at least 2 of: C, D, E, (all of: F, G)"
    )
    assert rules.describe(new_pathway(world, title="Nothing"), "en") == "All of: nothing yet"


# A tree of (rule, minimum, children) built from micro-credential ids 0..7, without a database.
def _trees() -> st.SearchStrategy[rules.Group]:
    items = st.integers(min_value=0, max_value=7).map(
        lambda n: rules.Item(
            id=n,
            micro_credential_id=n,
            slug=f"mc-{n}",
            title=f"MC {n}",
            summary="",
            published_number=1,
            institution_id=1,
        )
    )

    def group(children: st.SearchStrategy[Any]) -> st.SearchStrategy[rules.Group]:
        return st.builds(
            lambda rule, minimum, members: rules.Group(
                id=1,
                title="",
                rule=rule,
                minimum=minimum if rule == AT_LEAST else None,
                depth=1,
                children=tuple(members),
            ),
            st.sampled_from([ALL, AT_LEAST]),
            st.integers(min_value=1, max_value=4),
            st.lists(children, max_size=4),
        )

    return group(st.recursive(items, group, max_leaves=12))  # type: ignore[arg-type]


@given(
    tree=_trees(),
    held=st.sets(st.integers(min_value=0, max_value=7)),
    more=st.sets(st.integers(min_value=0, max_value=7)),
)
def test_is_satisfied_is_monotone(tree: rules.Group, held: set[int], more: set[int]) -> None:
    """Holding more micro-credentials never un-earns a pathway."""
    if rules.is_satisfied(tree, held):
        assert rules.is_satisfied(tree, held | more)
    report = rules.progress(tree, held | more)
    assert report.met >= rules.progress(tree, held).met


# ------------------------------------------------------------------------------ building


def test_building_a_tree_through_the_actions_audits_each_step(world: Any) -> None:
    before = AuditEntry.objects.count()
    pathway, _mcs = standard(world)
    assert pathway.state == Pathway.State.DRAFT
    assert pathway.slug == "data-analytics-pathway"
    assert root_of(pathway).rule == ALL
    # create + 5 items + 1 group, one entry each.
    assert AuditEntry.objects.count() - before == 7
    actions_done = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions_done[0] == "pathway.create"
    assert actions_done.count("pathway.item_add") == 5
    item = RuleItem.objects.filter(group__pathway=pathway).first()
    assert item is not None
    actions.rule_item_remove(actor=world.designer, item=item)
    group = pathway.groups.get(rule=AT_LEAST)
    actions.rule_group_update(
        actor=world.designer, group=group, title="Electives", rule=AT_LEAST, minimum=1
    )
    group.refresh_from_db()
    assert (group.title, group.minimum) == ("Electives", 1)
    actions.rule_group_remove(actor=world.designer, group=group)
    assert not RuleItem.objects.filter(group__pathway=pathway, group__rule=AT_LEAST).exists()
    assert AuditEntry.objects.count() - before == 10


def test_slugs_are_unique_and_reserved_ones_refused(world: Any) -> None:
    first = new_pathway(world, title="Same")
    second = new_pathway(world, title="Same")
    assert (first.slug, second.slug) == ("same", "same-2")
    before = snapshot()
    for slug in ("same", "manage", "Not A Slug"):
        with pytest.raises(actions.PathwayRefused):
            new_pathway(world, title="Other", slug=slug)
    assert snapshot() == before


@pytest.mark.parametrize(
    "case",
    ["other_institution", "unpublished", "duplicate", "root_removal", "too_deep", "bad_minimum"],
)
def test_rule_changes_refused_with_nothing_changed(world: Any, case: str) -> None:
    pathway, mcs = standard(world)
    root = root_of(pathway)
    attempt: Any
    if case == "other_institution":
        far = offered(world.other_issuer, "Z")
        attempt = lambda: actions.rule_item_add(  # noqa: E731
            actor=world.designer, group=root, micro_credential=far
        )
    elif case == "unpublished":
        draft = f.VersionFactory(micro_credential__issuer=world.issuer).micro_credential
        attempt = lambda: actions.rule_item_add(  # noqa: E731
            actor=world.designer, group=root, micro_credential=draft
        )
    elif case == "duplicate":
        electives = pathway.groups.get(rule=AT_LEAST)
        attempt = lambda: actions.rule_item_add(  # noqa: E731
            actor=world.designer, group=electives, micro_credential=mcs["A"]
        )
    elif case == "root_removal":
        attempt = lambda: actions.rule_group_remove(actor=world.designer, group=root)  # noqa: E731
    elif case == "too_deep":
        parent = pathway.groups.get(rule=AT_LEAST)
        for _ in range(2):
            parent = actions.rule_group_add(actor=world.designer, parent=parent, rule=ALL)
        attempt = lambda: actions.rule_group_add(  # noqa: E731
            actor=world.designer, parent=parent, rule=ALL
        )
    else:
        attempt = lambda: actions.rule_group_add(  # noqa: E731
            actor=world.designer, parent=root, rule=AT_LEAST, minimum=0
        )
    before = snapshot()
    with pytest.raises(actions.PathwayRefused) as refused:
        attempt()
    assert str(refused.value)
    assert snapshot() == before


def test_mc_of_another_school_of_the_same_institution_is_allowed(world: Any) -> None:
    health_issuer = f.IssuerFactory(organisation=world.health)
    pathway = new_pathway(world)
    item = actions.rule_item_add(
        actor=world.designer,
        group=root_of(pathway),
        micro_credential=offered(health_issuer, "Health data"),
    )
    assert item.group.pathway == pathway


# ----------------------------------------------------------------------------- publishing


def _make_problem(world: Any, pathway: Pathway, mcs: dict[str, Any], case: str) -> str:
    """Break `pathway` in one way; return (a part of) the message that must explain it."""
    root = root_of(pathway)
    if case == "empty_group":
        RuleGroup.objects.create(pathway=pathway, parent=root, title="Capstone", position=9)
        return "The group “Capstone” is empty"
    if case == "minimum":
        pathway.groups.filter(rule=AT_LEAST).update(minimum=5, title="Electives")
        return "asks for at least 5, but has only 3"
    if case == "duplicate":
        RuleItem.objects.create(group=pathway.groups.get(rule=AT_LEAST), micro_credential=mcs["A"])
        return "“A” is listed 2 times"
    if case == "too_deep":
        parent = root
        for depth in range(4):
            parent = RuleGroup.objects.create(pathway=pathway, parent=parent, position=10 + depth)
            RuleItem.objects.create(
                group=parent, micro_credential=offered(world.issuer, f"N{depth}")
            )
        return "nested more than 4 levels deep"
    if case == "unpublished":
        Version.objects.filter(micro_credential=mcs["C"]).update(state=Version.State.RETIRED)
        return "“C” is not published"
    if case == "other_institution":
        RuleItem.objects.create(group=root, micro_credential=offered(world.other_issuer, "Far"))
        return "“Far” belongs to another institution"
    if case == "no_criteria":
        Pathway.objects.filter(pk=pathway.pk).update(criteria="  ")
        return "Say how the pathway is earned"
    if case == "image_alt":
        pathway.image.save("p.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
        return "Describe the image"
    if case == "nothing":
        RuleGroup.objects.filter(pathway=pathway).exclude(parent=None).delete()
        RuleItem.objects.filter(group__pathway=pathway).delete()
        return "does not require any micro-credential yet"
    raise AssertionError(case)


PROBLEMS = [
    "empty_group",
    "minimum",
    "duplicate",
    "too_deep",
    "unpublished",
    "other_institution",
    "no_criteria",
    "image_alt",
    "nothing",
]


@pytest.mark.parametrize("case", PROBLEMS)
def test_publish_refused_for_each_problem(world: Any, case: str) -> None:
    pathway, mcs = standard(world)
    expected = _make_problem(world, pathway, mcs, case)
    before = snapshot()
    with pytest.raises(actions.PathwayRefused) as refused:
        actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    assert expected in str(refused.value)
    assert snapshot() == before
    pathway.refresh_from_db()
    assert (pathway.state, pathway.published_at) == (Pathway.State.DRAFT, None)


@pytest.mark.parametrize("case", PROBLEMS)
def test_publish_view_shows_the_problem_and_changes_nothing(
    client: Client, world: Any, case: str
) -> None:
    pathway, mcs = standard(world)
    expected = _make_problem(world, pathway, mcs, case)
    page = client_for(client, world.tlc_admin).get(reverse("pathways:edit", args=[pathway.slug]))
    assert expected in page.content.decode()  # shown before trying, too
    before = snapshot()
    response = client.post(reverse("pathways:publish", args=[pathway.slug]))
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert snapshot() == before


def test_publish_reports_every_problem_at_once(world: Any) -> None:
    pathway, mcs = standard(world)
    expected = [_make_problem(world, pathway, mcs, case) for case in ("minimum", "no_criteria")]
    with pytest.raises(actions.PathwayRefused) as refused:
        actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    assert len(refused.value.problems) == 2
    for text in expected:
        assert any(text in problem for problem in refused.value.problems)


def test_only_institution_admins_publish_and_retire(world: Any) -> None:
    pathway, _mcs = standard(world)
    before = snapshot()
    with pytest.raises(actions.PathwayRefused, match="institution admin"):
        actions.pathway_publish(actor=world.designer, pathway=pathway)
    assert snapshot() == before
    actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    pathway.refresh_from_db()
    assert pathway.state == Pathway.State.PUBLISHED
    assert pathway.published_at is not None
    with pytest.raises(actions.PathwayRefused):
        actions.pathway_retire(actor=world.designer, pathway=pathway)
    actions.pathway_retire(actor=world.tlc_admin, pathway=pathway)
    pathway.refresh_from_db()
    assert pathway.state == Pathway.State.RETIRED
    assert pathway.retired_at is not None
    with pytest.raises(actions.PathwayRefused):
        actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    assert list(
        AuditEntry.objects.filter(action__in=["pathway.publish", "pathway.retire"])
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["pathway.publish", "pathway.retire"]


def test_published_pathway_is_immutable(world: Any) -> None:
    pathway, mcs = standard(world)
    actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    root = root_of(pathway)
    electives = pathway.groups.get(rule=AT_LEAST)
    item = RuleItem.objects.filter(group=root).first()
    extra = offered(world.issuer, "Late")
    attempts = [
        lambda: actions.pathway_update(actor=world.tlc_admin, pathway=pathway, title="New"),
        lambda: actions.rule_group_add(actor=world.tlc_admin, parent=root, rule=ALL),
        lambda: actions.rule_group_update(
            actor=world.tlc_admin, group=electives, title="", rule=AT_LEAST, minimum=1
        ),
        lambda: actions.rule_group_remove(actor=world.tlc_admin, group=electives),
        lambda: actions.rule_item_add(actor=world.designer, group=root, micro_credential=extra),
        lambda: actions.rule_item_remove(actor=world.designer, item=item),
    ]
    before = snapshot()
    for attempt in attempts:
        with pytest.raises(actions.PathwayRefused, match="Retire it and create a new pathway"):
            attempt()
    assert snapshot() == before
    assert rules.describe(pathway, "en") == "All of: A, B; and at least 2 of: C, D, E"
    del mcs


# ------------------------------------------------------------------------ the role matrix

DESIGNERS = {"designer", "tlc_admin", "platform_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_manage_pages_by_persona(client: Client, world: Any, persona: str) -> None:
    pathway, _mcs = standard(world)
    user = world.people[persona]
    client = client_for(client, user)
    listing = client.get(reverse("pathways:manage_list"))
    builder = client.get(reverse("pathways:edit", args=[pathway.slug]))
    new = client.get(reverse("pathways:create"))
    if user is None:
        for response in (listing, builder, new):
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]
    elif persona in DESIGNERS:
        assert listing.status_code == builder.status_code == new.status_code == 200
        assert pathway.title in listing.content.decode()
    elif persona in {"other_designer", "other_admin"}:
        assert listing.status_code == 200
        assert pathway.title not in listing.content.decode()
        assert new.status_code == 200
        assert world.issuer.name not in new.content.decode()
        assert builder.status_code == 404
    else:
        assert listing.status_code == 403
        assert new.status_code == 403
        assert builder.status_code == 404


def _forged_posts(pathway: Pathway, world: Any) -> list[tuple[str, dict[str, Any]]]:
    root = root_of(pathway)
    electives = pathway.groups.get(rule=AT_LEAST)
    item = RuleItem.objects.filter(group=root).first()
    assert item is not None
    slug = pathway.slug
    extra = offered(world.issuer, "Extra")
    return [
        (reverse("pathways:update", args=[slug]), {"title": "Hacked", "achievement_type": "Badge"}),
        (reverse("pathways:group_add", args=[slug, root.pk]), {f"sub-{root.pk}-rule": "all"}),
        (
            reverse("pathways:group_update", args=[slug, electives.pk]),
            {f"edit-{electives.pk}-rule": "all"},
        ),
        (reverse("pathways:group_remove", args=[slug, electives.pk]), {}),
        (
            reverse("pathways:item_add", args=[slug, root.pk]),
            {f"item-{root.pk}-micro_credential": extra.pk},
        ),
        (reverse("pathways:item_remove", args=[slug, item.pk]), {}),
        (reverse("pathways:publish", args=[slug]), {}),
        (reverse("pathways:retire", args=[slug]), {}),
    ]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in DESIGNERS])
def test_forged_posts_are_404_and_change_nothing(client: Client, world: Any, persona: str) -> None:
    pathway, _mcs = standard(world)
    posts = _forged_posts(pathway, world)
    client = client_for(client, world.people[persona])
    before = snapshot()
    for url, data in posts:
        response = client.post(url, data)
        if persona == "anonymous":
            assert response.status_code == 302, url
        else:
            assert response.status_code == 404, url
    assert snapshot() == before
    pathway.refresh_from_db()
    assert pathway.title == "Data Analytics Pathway"


def test_groups_and_items_of_another_pathway_are_404(client: Client, world: Any) -> None:
    mine, _mcs = standard(world)
    theirs = actions.pathway_create(
        actor=world.other_designer, issuer=world.other_issuer, title="Theirs", criteria="x"
    )
    their_root = root_of(theirs)
    client = client_for(client, world.designer)
    before = snapshot()
    response = client.post(
        reverse("pathways:group_add", args=[mine.slug, their_root.pk]),
        {f"sub-{their_root.pk}-rule": "all"},
    )
    assert response.status_code == 404
    response = client.post(reverse("pathways:group_remove", args=[mine.slug, their_root.pk]))
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_by_persona(client: Client, world: Any, persona: str) -> None:
    published, _mcs = standard(world)
    actions.pathway_publish(actor=world.tlc_admin, pathway=published)
    draft = new_pathway(world, title="Secret draft")
    client = client_for(client, world.people[persona])
    page = client.get(reverse("pathways:detail", args=[published.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Data Analytics Pathway" in html
    assert "All of: A, B; and at least 2 of: C, D, E" in html
    assert (
        client.get(reverse("pathways:achievement_json", args=[published.slug])).status_code == 200
    )
    for url in (
        reverse("pathways:detail", args=[draft.slug]),
        reverse("pathways:achievement_json", args=[draft.slug]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("pathways:detail", args=[draft.slug]), headers={"accept": "application/ld+json"}
        ).status_code
        == 404
    )


# ------------------------------------------------------------------------------- the views


def test_designer_builds_a_pathway_through_the_pages(client: Client, world: Any) -> None:
    mcs = {name: offered(world.issuer, name) for name in "ABC"}
    offered(world.other_issuer, "Not ours")
    client = client_for(client, world.designer)
    response = client.post(
        reverse("pathways:create"),
        {
            "issuer": world.issuer.pk,
            "title": "Analytics",
            "slug": "",
            "summary": "Three micro-credentials",
            "description": "**Bold** <script>alert(1)</script>",
            "criteria": "Hold them.",
            "achievement_type": "Certificate",
            "image_alt": "",
        },
    )
    assert response.status_code == 302
    pathway = Pathway.objects.get(slug="analytics")
    root = root_of(pathway)
    builder = client.get(response["Location"]).content.decode()
    assert "Not ours" not in builder
    assert ">A<" in builder
    assert f'id="id_item-{root.pk}-micro_credential"' in builder
    assert f'for="id_item-{root.pk}-micro_credential"' in builder
    client.post(
        reverse("pathways:item_add", args=[pathway.slug, root.pk]),
        {f"item-{root.pk}-micro_credential": mcs["A"].pk},
    )
    response = client.post(
        reverse("pathways:group_add", args=[pathway.slug, root.pk]),
        {f"sub-{root.pk}-title": "Electives", f"sub-{root.pk}-rule": "at_least",
         f"sub-{root.pk}-minimum": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    electives = pathway.groups.get(title="Electives")
    for name in "BC":
        client.post(
            reverse("pathways:item_add", args=[pathway.slug, electives.pk]),
            {f"item-{electives.pk}-micro_credential": mcs[name].pk},
        )
    assert rules.describe(pathway, "en") == "All of: A; and at least 1 of: B, C"
    page = client.get(reverse("pathways:edit", args=[pathway.slug])).content.decode()
    assert "<h4" in page
    assert "Electives" in page
    client.force_login(world.tlc_admin)
    response = client.post(reverse("pathways:publish", args=[pathway.slug]))
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.state == Pathway.State.PUBLISHED
    page = client.get(reverse("pathways:edit", args=[pathway.slug])).content.decode()
    assert "retire it and create a new pathway" in page
    assert "Add the micro-credential" not in page
    public = client.get(reverse("pathways:detail", args=[pathway.slug])).content.decode()
    assert "<strong>Bold</strong>" in public
    assert "<script>" not in public


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("group_add", {"rule": "at_least", "minimum": ""}, "Say how many requirements are needed"),
        ("group_add", {"rule": "some", "minimum": ""}, "Select a valid choice"),
        ("group_add", {"rule": "at_least", "minimum": "-1"}, "greater than or equal to 1"),
        ("item_add", {"micro_credential": "999999"}, "Choose a published micro-credential"),
        ("item_add", {"micro_credential": "other"}, "Choose a published micro-credential"),
        ("item_add", {"micro_credential": "dup"}, "Choose a published micro-credential"),
        ("update", {"title": "", "achievement_type": "Certificate"}, "This field is required"),
        ("update", {"title": "T", "achievement_type": "Spaceship"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client: Client, world: Any, kind: str, data: dict[str, str], message: str
) -> None:
    pathway, mcs = standard(world)
    root = root_of(pathway)
    client = client_for(client, world.designer)
    if data.get("micro_credential") == "other":
        data = {"micro_credential": str(offered(world.other_issuer, "Far").pk)}
    if data.get("micro_credential") == "dup":
        data = {"micro_credential": str(mcs["C"].pk)}
    if kind == "update":
        url, posted = reverse("pathways:update", args=[pathway.slug]), data
    else:
        prefix = "sub" if kind == "group_add" else "item"
        url = reverse(f"pathways:{kind}", args=[pathway.slug, root.pk])
        posted = {f"{prefix}-{root.pk}-{key}": value for key, value in data.items()}
    before = snapshot()
    response = client.post(url, posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_uploaded_image_is_checked(client: Client, world: Any) -> None:
    pathway, _mcs = standard(world)
    client = client_for(client, world.designer)
    fake = ContentFile(b"<?php echo 1; ?>", name="badge.png")
    before = snapshot()
    response = client.post(
        reverse("pathways:update", args=[pathway.slug]),
        {"title": "T", "achievement_type": "Certificate", "image": fake, "image_alt": "A badge"},
    )
    assert response.status_code == 400
    assert "not a PNG, JPEG or SVG image" in response.content.decode()
    assert snapshot() == before
    svg = ContentFile(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert(1)</script><rect width="10" height="10"/></svg>',
        name="badge.svg",
    )
    response = client.post(
        reverse("pathways:update", args=[pathway.slug]),
        {"title": "T", "achievement_type": "Certificate", "image": svg, "image_alt": ""},
    )
    assert response.status_code == 400  # the alt text is required with an image
    svg.seek(0)
    response = client.post(
        reverse("pathways:update", args=[pathway.slug]),
        {"title": "T", "achievement_type": "Certificate", "image": svg, "image_alt": "A badge"},
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    stored = pathway.image.read()
    assert b"<script" not in stored
    assert b"<rect" in stored


# ------------------------------------------------------------------- the OB 3.0 Achievement


def _as_credential(achievement: dict[str, Any]) -> dict[str, Any]:
    return ob3.achievement_credential(
        id="urn:uuid:5d2c2a5e-7b0c-4f3e-9a83-6f8f1f0e9a11",
        issuer={"id": "did:example:issuer", "type": ["Profile"], "name": "Test"},
        credential_subject=ob3.achievement_subject(
            id="did:example:learner", achievement=achievement
        ),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        name="Test credential",
    )


def test_achievement_document(world: Any, settings: Any) -> None:
    settings.SITE_URL = SITE
    pathway, mcs = standard(world)
    pathway.description = "A **pathway** into analytics."
    pathway.achievement_type = Pathway.AchievementType.LEARNING_PROGRAM
    pathway.image_alt = "A mosaic"
    pathway.image.save("p.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    document = pathway_achievement(pathway)
    assert document["@context"] == [ob3.VC2_CONTEXT, ob3.OB3_CONTEXT]
    assert document["id"] == pathway_achievement_id(pathway) == f"{SITE}/pathways/{pathway.slug}"
    assert document["type"] == ["Achievement"]
    assert document["achievementType"] == "LearningProgram"
    assert document["description"] == "A pathway into analytics."
    narrative = document["criteria"]["narrative"]
    assert narrative.startswith("Earn the micro-credentials below.")
    assert narrative.endswith("All of: A, B; and at least 2 of: C, D, E")
    assert document["image"]["id"].startswith(f"{SITE}/media/pathways/")
    assert document["image"]["caption"] == "A mosaic"
    assert document["creator"]["name"] == world.issuer.name
    assert [a["targetName"] for a in document["alignment"]] == list("ABCDE")
    for alignment in document["alignment"]:
        assert alignment["targetType"] == "ceterms:Credential"
        assert alignment["targetUrl"].startswith(f"{SITE}/catalogue/")
    bare = pathway_achievement(pathway, with_context=False)
    assert "@context" not in bare
    assert schema.schema_problems(_as_credential(bare), "achievementcredential") == []
    jsonld.check_safe(document)
    del mcs


def test_minimal_achievement_document_validates(world: Any) -> None:
    pathway = new_pathway(world, criteria="")
    document = pathway_achievement(pathway)
    assert document["description"] == "Data Analytics Pathway"
    assert "alignment" not in document
    assert "image" not in document
    assert schema.schema_problems(_as_credential(pathway_achievement(pathway, with_context=False)),
                                  "achievementcredential") == []  # fmt: skip
    jsonld.check_safe(document)


def test_content_negotiation_on_the_page_url(client: Client, world: Any) -> None:
    pathway, _mcs = standard(world)
    actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    url = reverse("pathways:detail", args=[pathway.slug])
    for accept in ("application/ld+json", "application/json"):
        response = client.get(url, headers={"accept": accept})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/ld+json"
        assert "Accept" in response["Vary"]
        assert json.loads(response.content)["id"].endswith(url)
    page = client.get(url, headers={"accept": "text/html,application/xhtml+xml"})
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    explicit = client.get(reverse("pathways:achievement_json", args=[pathway.slug]))
    assert json.loads(explicit.content) == pathway_achievement(pathway)


def test_retired_pathway_stays_public_with_a_notice(client: Client, world: Any) -> None:
    pathway, _mcs = standard(world)
    actions.pathway_publish(actor=world.tlc_admin, pathway=pathway)
    actions.pathway_retire(actor=world.tlc_admin, pathway=pathway)
    html = client.get(reverse("pathways:detail", args=[pathway.slug])).content.decode()
    assert "no longer offered" in html


def test_index_lists_published_pathways_only(client: Client, world: Any) -> None:
    published, mcs = standard(world)
    actions.pathway_publish(actor=world.tlc_admin, pathway=published)
    new_pathway(world, title="Secret draft")
    html = client.get(reverse("pathways:index")).content.decode()
    assert "Data Analytics Pathway" in html
    assert "Secret draft" not in html
    assert list(rules.published_pathways_requiring(mcs["C"].pk)) == [published]
    assert list(rules.published_pathways_requiring(offered(world.issuer, "Z").pk)) == []


@pytest.mark.parametrize("persona", sorted(DESIGNERS))
def test_designers_and_admins_change_the_rule(client: Client, world: Any, persona: str) -> None:
    pathway, _mcs = standard(world)
    root = root_of(pathway)
    extra = offered(world.issuer, "Extra")
    client = client_for(client, world.people[persona])
    response = client.post(
        reverse("pathways:item_add", args=[pathway.slug, root.pk]),
        {f"item-{root.pk}-micro_credential": extra.pk},
    )
    assert response.status_code == 302
    assert RuleItem.objects.filter(group=root, micro_credential=extra).exists()
    entry = AuditEntry.objects.order_by("pk").last()
    assert entry is not None
    assert (entry.action, entry.actor) == ("pathway.item_add", world.people[persona])


def test_designer_cannot_publish_through_the_page(client: Client, world: Any) -> None:
    pathway, _mcs = standard(world)
    client = client_for(client, world.designer)
    page = client.get(reverse("pathways:edit", args=[pathway.slug])).content.decode()
    assert "Publish the pathway" not in page
    assert "An institution admin publishes pathways." in page
    before = snapshot()
    response = client.post(reverse("pathways:publish", args=[pathway.slug]))
    assert response.status_code == 400
    assert "Only an institution admin may publish a pathway." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in DESIGNERS])
def test_forged_create_for_another_organisation_changes_nothing(
    client: Client, world: Any, persona: str
) -> None:
    client = client_for(client, world.people[persona])
    before = snapshot()
    response = client.post(
        reverse("pathways:create"),
        {"issuer": world.issuer.pk, "title": "Forged", "achievement_type": "Certificate"},
    )
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in {"other_designer", "other_admin"}:
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    else:
        assert response.status_code == 403
    assert snapshot() == before
