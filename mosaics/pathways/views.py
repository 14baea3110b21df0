"""Pathway pages: the builder for designers and institution admins, and the public page with
its OB 3.0 Achievement (content negotiation on the page's URL, and an explicit `.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.organisations.models import Issuer, Role
from mosaics.organisations.permissions import organisations_where
from mosaics.pathways import actions, documents, rules
from mosaics.pathways.forms import GroupForm, ItemForm, PathwayCreateForm, PathwayDetailsForm
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem

JSON_LD = "application/ld+json"
JSON = "application/json"
HTML = "text/html"
DESIGN_ROLES = (Role.DESIGNER, Role.INSTITUTION_ADMIN)


# ------------------------------------------------------------------------------- lookups


def _designable_issuers(user: Any) -> QuerySet[Issuer]:
    return (
        Issuer.objects.filter(
            organisation__in=organisations_where(user, *DESIGN_ROLES), kind=Issuer.Kind.ISSUER
        )
        .select_related("organisation")
        .order_by("name")
    )


def _get_pathway_for_user(user: Any, slug: str) -> Pathway:
    """A pathway `user` may design (any state); 404 otherwise, whether or not it exists."""
    pathway = (
        Pathway.objects.select_related("issuer__organisation__parent").filter(slug=slug).first()
    )
    if pathway is None or not actions.can_design_pathway(user, pathway):
        raise Http404
    return pathway


def _get_public_pathway(slug: str) -> Pathway:
    """A published or retired pathway; drafts do not exist for the public."""
    pathway = (
        Pathway.objects.select_related("issuer__organisation__parent")
        .filter(slug=slug, state__in=[Pathway.State.PUBLISHED, Pathway.State.RETIRED])
        .first()
    )
    if pathway is None:
        raise Http404
    return pathway


def _get_group(pathway: Pathway, group_id: int) -> RuleGroup:
    group = RuleGroup.objects.select_related("pathway").filter(pk=group_id, pathway=pathway)
    found = group.first()
    if found is None:
        raise Http404
    return found


def _get_item(pathway: Pathway, item_id: int) -> RuleItem:
    found = (
        RuleItem.objects.select_related("group__pathway")
        .filter(pk=item_id, group__pathway=pathway)
        .first()
    )
    if found is None:
        raise Http404
    return found


# ----------------------------------------------------------------------- the tree on pages


def catalogue_url(item: rules.Item) -> str | None:
    """The micro-credential's public catalogue page (None until the catalogue has one)."""
    try:
        return reverse("catalogue:detail", kwargs={"slug": item.slug})
    except NoReverseMatch:
        return None


@dataclass
class ItemView:
    item: rules.Item
    url: str | None
    remove_url: str = ""


@dataclass
class GroupView:
    """One group as a page shows it: heading level, what it asks, and (in the builder) the
    forms that change it."""

    group: rules.Group
    heading_level: int
    items: list[ItemView] = field(default_factory=list)
    groups: list[GroupView] = field(default_factory=list)
    item_form: forms.Form | None = None
    group_form: forms.Form | None = None
    edit_form: forms.Form | None = None

    @property
    def heading(self) -> str:
        if self.group.title:
            return self.group.title
        if self.group.is_root:
            return _("Requirements")
        return self.rule_text

    @property
    def rule_text(self) -> str:
        if self.group.rule == RuleGroup.Rule.AT_LEAST:
            return _("At least %(count)d of these") % {"count": self.group.minimum or 1}
        return _("All of these")

    @property
    def can_nest(self) -> bool:
        return self.group.depth < rules.MAX_DEPTH


def _group_views(
    pathway: Pathway,
    group: rules.Group,
    *,
    heading_level: int,
    builder: bool = False,
    bound: dict[str, forms.Form] | None = None,
) -> GroupView:
    bound = bound or {}
    view = GroupView(group=group, heading_level=min(heading_level, 6))
    for item in group.items:
        view.items.append(
            ItemView(
                item=item,
                url=catalogue_url(item),
                remove_url=reverse(
                    "pathways:item_remove", kwargs={"slug": pathway.slug, "item_id": item.id}
                )
                if builder
                else "",
            )
        )
    for child in group.groups:
        view.groups.append(
            _group_views(
                pathway, child, heading_level=heading_level + 1, builder=builder, bound=bound
            )
        )
    if builder and group.id is not None:
        key = str(group.id)
        view.item_form = bound.get(f"item-{key}") or ItemForm(pathway=pathway, prefix=f"item-{key}")
        view.group_form = bound.get(f"sub-{key}") or GroupForm(prefix=f"sub-{key}")
        view.edit_form = bound.get(f"edit-{key}") or GroupForm(
            prefix=f"edit-{key}",
            initial={"title": group.title, "rule": group.rule, "minimum": group.minimum},
        )
    return view


# ---------------------------------------------------------------------------------- staff


@login_required
@require_safe
def manage_list(request: HttpRequest) -> HttpResponse:
    organisations = organisations_where(request.user, *DESIGN_ROLES)
    if not organisations.exists():
        raise PermissionDenied
    pathways = Pathway.objects.filter(issuer__organisation__in=organisations).select_related(
        "issuer"
    )
    return render(request, "pathways/manage_list.html", {"pathways": pathways})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    issuers = _designable_issuers(request.user)
    if not issuers.exists():
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        form = PathwayCreateForm(request.POST, request.FILES, issuers=issuers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pathway = actions.pathway_create(
                    actor=request.user,
                    issuer=data["issuer"],
                    title=data["title"],
                    slug=data["slug"],
                    summary=data["summary"],
                    description=data["description"],
                    criteria=data["criteria"],
                    achievement_type=data["achievement_type"],
                    image=data["image"],
                    image_alt=data["image_alt"],
                )
            except actions.PathwayRefused as refused:
                errors = refused.problems
            else:
                messages.success(request, _("The pathway was created as a draft."))
                return redirect("pathways:edit", slug=pathway.slug)
        else:
            errors = _form_problems(form)
    else:
        form = PathwayCreateForm(issuers=issuers)
    status = 400 if request.method == "POST" else 200
    return render(request, "pathways/create.html", {"form": form, "errors": errors}, status=status)


def _form_problems(form: forms.BaseForm) -> list[str]:
    """A refused form's errors as sentences for the summary at the top of the page (each is
    also shown next to its field)."""
    problems = []
    for name, messages_ in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for message in messages_:
            problems.append(f"{label}: {message}" if label else str(message))
    return problems


def _builder(
    request: HttpRequest,
    pathway: Pathway,
    *,
    bound: dict[str, forms.Form] | None = None,
    details_form: PathwayDetailsForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    pathway.refresh_from_db()
    errors = list(errors or [])
    for form in [*(bound or {}).values(), details_form]:
        if form is not None and form.errors:
            errors += _form_problems(form)
    tree = rules.requirement_tree(pathway)
    draft = pathway.state == Pathway.State.DRAFT
    context = {
        "pathway": pathway,
        "is_draft": draft,
        "root": _group_views(pathway, tree, heading_level=3, builder=draft, bound=bound),
        "rule_text": rules.describe(tree),
        "problems": actions.pathway_problems(pathway, tree) if draft else [],
        "can_publish": actions.can_publish_pathway(request.user, pathway),
        "details_form": details_form or PathwayDetailsForm(instance=pathway),
        "errors": errors,
        "public_url": reverse("pathways:detail", kwargs={"slug": pathway.slug})
        if not draft
        else "",
    }
    return render(request, "pathways/edit.html", context, status=status)


@login_required
@require_safe
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _builder(request, _get_pathway_for_user(request.user, slug))


def _done(request: HttpRequest, pathway: Pathway, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("pathways:edit", slug=pathway.slug)


@login_required
@require_POST
def update(request: HttpRequest, slug: str) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    form = PathwayDetailsForm(request.POST, request.FILES, instance=pathway)
    if not form.is_valid():
        return _builder(request, pathway, details_form=form, status=400)
    data = form.cleaned_data
    image: dict[str, Any] = {}  # left out: the image stays as it is
    if data["image"] is not None:
        image["image"] = data["image"]
    elif data["remove_image"]:
        image["image"] = None
    try:
        actions.pathway_update(
            actor=request.user,
            pathway=pathway,
            title=data["title"],
            summary=data["summary"],
            description=data["description"],
            criteria=data["criteria"],
            achievement_type=data["achievement_type"],
            image_alt=data["image_alt"],
            **image,
        )
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, details_form=form, errors=refused.problems, status=400)
    return _done(request, pathway, _("The details were saved."))


@login_required
@require_POST
def group_add(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    parent = _get_group(pathway, group_id)
    prefix = f"sub-{parent.pk}"
    form = GroupForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _builder(request, pathway, bound={prefix: form}, status=400)
    try:
        actions.rule_group_add(
            actor=request.user,
            parent=parent,
            title=form.cleaned_data["title"],
            rule=form.cleaned_data["rule"],
            minimum=form.cleaned_data["minimum"],
        )
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, bound={prefix: form}, errors=refused.problems, status=400)
    return _done(request, pathway, _("The group was added."))


@login_required
@require_POST
def group_update(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    group = _get_group(pathway, group_id)
    prefix = f"edit-{group.pk}"
    form = GroupForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _builder(request, pathway, bound={prefix: form}, status=400)
    try:
        actions.rule_group_update(
            actor=request.user,
            group=group,
            title=form.cleaned_data["title"],
            rule=form.cleaned_data["rule"],
            minimum=form.cleaned_data["minimum"],
        )
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, bound={prefix: form}, errors=refused.problems, status=400)
    return _done(request, pathway, _("The group was changed."))


@login_required
@require_POST
def group_remove(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    group = _get_group(pathway, group_id)
    try:
        actions.rule_group_remove(actor=request.user, group=group)
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, errors=refused.problems, status=400)
    return _done(request, pathway, _("The group was removed."))


@login_required
@require_POST
def item_add(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    group = _get_group(pathway, group_id)
    prefix = f"item-{group.pk}"
    form = ItemForm(request.POST, pathway=pathway, prefix=prefix)
    if not form.is_valid():
        return _builder(request, pathway, bound={prefix: form}, status=400)
    try:
        actions.rule_item_add(
            actor=request.user, group=group, micro_credential=form.cleaned_data["micro_credential"]
        )
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, bound={prefix: form}, errors=refused.problems, status=400)
    return _done(request, pathway, _("The micro-credential was added."))


@login_required
@require_POST
def item_remove(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    item = _get_item(pathway, item_id)
    try:
        actions.rule_item_remove(actor=request.user, item=item)
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, errors=refused.problems, status=400)
    return _done(request, pathway, _("The micro-credential was removed."))


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    try:
        actions.pathway_publish(actor=request.user, pathway=pathway)
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, errors=refused.problems, status=400)
    return _done(request, pathway, _("The pathway is published."))


@login_required
@require_POST
def retire(request: HttpRequest, slug: str) -> HttpResponse:
    pathway = _get_pathway_for_user(request.user, slug)
    try:
        actions.pathway_retire(actor=request.user, pathway=pathway)
    except actions.PathwayRefused as refused:
        return _builder(request, pathway, errors=refused.problems, status=400)
    return _done(request, pathway, _("The pathway is retired."))


# --------------------------------------------------------------------------------- public


def _achievement_response(pathway: Pathway, tree: rules.Group | None = None) -> HttpResponse:
    document = documents.pathway_achievement(pathway, tree=tree)
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type=JSON_LD)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every pathway on offer (published; retired ones keep their own page)."""
    pathways = Pathway.objects.filter(state=Pathway.State.PUBLISHED).select_related("issuer")
    return render(request, "pathways/index.html", {"pathways": pathways})


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page, or the pathway's OB 3.0 Achievement for clients that prefer JSON
    (this URL is the Achievement's id)."""
    pathway = _get_public_pathway(slug)
    tree = rules.requirement_tree(pathway)
    wanted = request.get_preferred_type([HTML, JSON_LD, JSON])
    if wanted in (JSON_LD, JSON):
        response = _achievement_response(pathway, tree)
    else:
        response = render(
            request,
            "pathways/detail.html",
            {
                "pathway": pathway,
                "root": _group_views(pathway, tree, heading_level=3),
                "rule_text": rules.describe(tree),
                "is_retired": pathway.state == Pathway.State.RETIRED,
                "can_design": actions.can_design_pathway(request.user, pathway),
            },
        )
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def achievement_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _achievement_response(_get_public_pathway(slug))
