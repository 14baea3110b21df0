"""The learner's mosaic, their collections, the public page of a shared collection, and CLR
exports. Every page but the public one is the signed-in learner's own: anyone else gets a 404
(a collection's existence is private), a signed-out visitor the sign-in page."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.awards.models import Award, AwardEvidence
from mosaics.portfolio import actions, clr, imports
from mosaics.portfolio.forms import BadgesForm, CollectionForm
from mosaics.portfolio.models import Collection, ExternalBadge
from mosaics.portfolio.mosaic import (
    award_url,
    display_name,
    external_url,
    mosaic,
    status_label,
)

JSON_LD = "application/ld+json"


def _get_collection_for_user(user: Any, uuid: UUID) -> Collection:
    """The user's own collection; 404 for anyone else's, whether or not it exists."""
    collection = Collection.objects.filter(uuid=uuid, owner=user).first()
    if collection is None:
        raise Http404
    return collection


def _uuids(values: list[str]) -> list[UUID]:
    """The values that are UUIDs (a forged or garbled one matches nothing)."""
    out = []
    for value in values[:100]:
        try:
            out.append(UUID(str(value)))
        except ValueError:
            continue
    return out


def _external_words(badge: ExternalBadge) -> tuple[str, str, str]:
    """(status, issuer heading, issuer) of an imported badge, as far as it was proved: "Issued
    by" only a confirmed issuer; otherwise "Issuer" and the name as written in the badge,
    marked as not confirmed, with the DID that signed it."""
    identity = imports.issuer_identity(badge)
    return (
        imports.status_text(badge, identity),
        imports.issued_by_label(identity),
        imports.issuer_text(identity),
    )


def _problems(form: Any) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


# ------------------------------------------------------------------------------- the mosaic


@login_required
@require_safe
def mosaic_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portfolio/mosaic.html",
        {"mosaic": mosaic(request.user), "form": CollectionForm(prefix="new")},
    )


@login_required
@require_POST
def mosaic_clr(request: HttpRequest) -> HttpResponse:
    return _clr_response(request, None)


def _clr_response(request: HttpRequest, collection: Collection | None) -> HttpResponse:
    try:
        document = clr.clr_export(actor=request.user, collection=collection)
    except clr.ClrRefused as refused:
        messages.error(request, refused.message)
        if collection is not None:
            return redirect("portfolio:collection", uuid=collection.uuid)
        return redirect("portfolio:mosaic")
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD
    )
    response["Content-Disposition"] = f'attachment; filename="{clr.clr_filename(collection)}"'
    response["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------- collections


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def collection_new(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST or None, prefix="new")
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                collection = actions.collection_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except actions.CollectionRefused as refused:
                errors = [str(refused.message)]
            else:
                messages.success(request, _("The collection was created."))
                return redirect("portfolio:collection", uuid=collection.uuid)
        else:
            errors = _problems(form)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "portfolio/collection_new.html", {"form": form, "errors": errors}, status=status
    )


def _collection_page(
    request: HttpRequest,
    collection: Collection,
    *,
    edit_form: CollectionForm | None = None,
    add_form: BadgesForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    collection.refresh_from_db()
    awards = list(collection.awards.select_related("version", "pathway", "issuer"))
    externals = list(collection.external_badges.all())
    add_form = add_form or BadgesForm(user=request.user)
    # Offer only what is not in the collection yet.
    add_form.fields["awards"].queryset = add_form.fields["awards"].queryset.exclude(  # type: ignore[attr-defined]
        pk__in=[a.pk for a in awards]
    )
    add_form.fields["external_badges"].queryset = add_form.fields[  # type: ignore[attr-defined]
        "external_badges"
    ].queryset.exclude(pk__in=[b.pk for b in externals])
    errors = list(errors or [])
    for form in (edit_form, add_form):
        if form is not None and form.is_bound and form.errors:
            errors += _problems(form)
    context = {
        "collection": collection,
        "awards": [(a, award_url(a), status_label(a.effective_status)) for a in awards],
        "externals": [(b, external_url(b), *_external_words(b)) for b in externals],
        "edit_form": edit_form
        or CollectionForm(initial={"name": collection.name, "description": collection.description}),
        "add_form": add_form,
        "has_choices": bool(
            add_form.fields["awards"].queryset.exists()  # type: ignore[attr-defined]
            or add_form.fields["external_badges"].queryset.exists()  # type: ignore[attr-defined]
        ),
        "errors": errors,
    }
    return render(request, "portfolio/collection.html", context, status=status)


@login_required
@require_safe
def collection_page(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _collection_page(request, _get_collection_for_user(request.user, uuid))


@login_required
@require_POST
def collection_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    collection = _get_collection_for_user(request.user, uuid)
    form = CollectionForm(request.POST)
    if not form.is_valid():
        return _collection_page(request, collection, edit_form=form, status=400)
    try:
        actions.collection_update(
            actor=request.user,
            collection=collection,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )
    except actions.CollectionRefused as refused:
        return _collection_page(
            request, collection, edit_form=form, errors=[str(refused.message)], status=400
        )
    messages.success(request, _("The collection was saved."))
    return redirect("portfolio:collection", uuid=collection.uuid)


@login_required
@require_POST
def collection_delete(request: HttpRequest, uuid: UUID) -> HttpResponse:
    collection = _get_collection_for_user(request.user, uuid)
    actions.collection_delete(actor=request.user, collection=collection)
    messages.success(request, _("The collection was deleted. Its badges are still yours."))
    return redirect("portfolio:mosaic")


@login_required
@require_POST
def collection_share(request: HttpRequest, uuid: UUID) -> HttpResponse:
    collection = _get_collection_for_user(request.user, uuid)
    shared = request.POST.get("shared") == "on"
    actions.collection_share(actor=request.user, collection=collection, shared=shared)
    messages.success(
        request,
        _("The collection is shared: anyone with its address can see it.")
        if shared
        else _("The collection is private again."),
    )
    return redirect("portfolio:collection", uuid=collection.uuid)


@login_required
@require_POST
def collection_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    collection = _get_collection_for_user(request.user, uuid)
    form = BadgesForm(request.POST, user=request.user)
    if not form.is_valid():
        return _collection_page(request, collection, add_form=form, status=400)
    try:
        actions.collection_add(
            actor=request.user,
            collection=collection,
            awards=list(form.cleaned_data["awards"]),
            external_badges=list(form.cleaned_data["external_badges"]),
        )
    except actions.CollectionRefused as refused:
        return _collection_page(
            request, collection, add_form=form, errors=[str(refused.message)], status=400
        )
    messages.success(request, _("The badges were added."))
    return redirect("portfolio:collection", uuid=collection.uuid)


@login_required
@require_POST
def collection_remove(request: HttpRequest, uuid: UUID) -> HttpResponse:
    collection = _get_collection_for_user(request.user, uuid)
    awards = list(collection.awards.filter(uuid__in=_uuids(request.POST.getlist("award"))))
    badges = list(
        collection.external_badges.filter(uuid__in=_uuids(request.POST.getlist("external_badge")))
    )
    try:
        actions.collection_remove(
            actor=request.user, collection=collection, awards=awards, external_badges=badges
        )
    except actions.CollectionRefused as refused:
        return _collection_page(request, collection, errors=[str(refused.message)], status=400)
    messages.success(request, _("The badge was taken out of the collection."))
    return redirect("portfolio:collection", uuid=collection.uuid)


@login_required
@require_POST
def collection_clr(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _clr_response(request, _get_collection_for_user(request.user, uuid))


# ------------------------------------------------------------------------------ public page


@require_safe
def collection_public(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """A shared collection, showing only what is safe to share: titles, issuers, dates,
    status, the evidence the learner did not mark private, and their display name."""
    collection = Collection.objects.filter(uuid=uuid, shared=True).select_related("owner").first()
    if collection is None:
        raise Http404
    awards = (
        collection.awards.filter(learner=collection.owner, claim=Award.Claim.ACCEPTED)
        .select_related("version", "pathway", "issuer")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=AwardEvidence.objects.filter(private=False),
                to_attr="public_evidence",
            )
        )
    )
    externals = collection.external_badges.filter(owner=collection.owner, verified=True)
    owner = collection.owner
    context = {
        "collection": collection,
        "owner_name": display_name(owner),
        "awards": [(a, status_label(a.effective_status)) for a in awards],
        "externals": [(b, *_external_words(b)) for b in externals],
    }
    response = render(request, "portfolio/collection_public.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
