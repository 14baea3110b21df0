"""Authoring micro-credential designs: the list of designs, creating one, the design page
and one endpoint per edit form, and the version's badge image.

Every view finds the version through `_get_version_for_user`: someone who may not see the
design gets a 404 (its existence never leaks across organisations); someone who may see it
but not edit it (a reviewer, an invited endorser, anyone once the version is locked) gets a
403 page that says why. Edits are POSTs; bad input re-renders the form with the input kept
and the reasons shown, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.catalogue import gates
from mosaics.catalogue.actions import design as actions
from mosaics.catalogue.errors import CatalogueError, DesignLocked
from mosaics.catalogue.forms import (
    AlignmentForm,
    CompetencyForm,
    GoalsForm,
    ImageForm,
    MicroCredentialCreateForm,
    MoveForm,
    PassingLevelForm,
    ReflectionPromptForm,
    RubricLevelForm,
    VersionForm,
)
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer, Role

# Versions anyone may see, with their image (the public catalogue shows them).
PUBLIC_STATES = (Version.State.PUBLISHED, Version.State.SUPERSEDED, Version.State.RETIRED)
SVG_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

_GET_POST = require_http_methods(["GET", "HEAD", "POST"])


class EditRefused(PermissionDenied):
    """May see the design but not edit this version; `reason` says why."""

    def __init__(self, version: Version, reason: str) -> None:
        super().__init__(reason)
        self.version = version
        self.reason = reason


def _get_version_for_user(
    request: HttpRequest, slug: str, number: int, *, for_edit: bool = False
) -> Version:
    """The version if the user may see the design (404 otherwise); with `for_edit`, also
    refuse (EditRefused, a 403 page) unless they may edit it."""
    version = (
        Version.objects.select_related("micro_credential__issuer__organisation__parent")
        .filter(micro_credential__slug=slug, number=number)
        .first()
    )
    if version is None or not permissions.can_view_design(request.user, version):
        raise Http404
    if for_edit and not permissions.can_edit_design(request.user, version):
        if not version.is_editable:
            reason = _(
                "This version is %(state)s and can no longer be edited. "
                "Start a new version to make changes."
            ) % {"state": version.get_state_display().lower()}
        else:
            reason = _("Only the design's faculty designers and institution admins can edit it.")
        raise EditRefused(version, reason)
    return version


def _design_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in only; an EditRefused becomes the 403 page explaining why."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except EditRefused as refused:
            return render(
                request,
                "catalogue/design_forbidden.html",
                {"version": refused.version, "reason": refused.reason},
                status=403,
            )

    return wrapped


def _posted(request: HttpRequest) -> Any:
    """The submitted data of a POST (bound even when empty: an empty POST is bad input, not
    a fresh form), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def design_url(version: Version, fragment: str = "") -> str:
    url = reverse(
        "catalogue:design",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )
    return f"{url}#{fragment}" if fragment else url


# --- list and create ---------------------------------------------------------------------


@require_safe
@login_required
def design_list(request: HttpRequest) -> HttpResponse:
    organisations = permissions.organisations_where(request.user, *permissions.DESIGN_TEAM)
    if not organisations.exists():
        raise Http404
    states = dict(Version.State.choices)
    state = request.GET.get("state", "")
    if state not in states:
        state = ""
    versions = (
        Version.objects.filter(micro_credential__issuer__organisation__in=organisations)
        .select_related("micro_credential__issuer")
        .order_by("micro_credential__slug", "-number")
    )
    if state:
        versions = versions.filter(state=state)
    groups: dict[str, list[Version]] = {}
    for version in versions:
        groups.setdefault(version.state, []).append(version)
    grouped = [
        {"state": code, "label": label, "versions": groups[code]}
        for code, label in Version.State.choices
        if code in groups
    ]
    creatable = _issuers_for(request.user).exists()
    return render(
        request,
        "catalogue/design_list.html",
        {
            "groups": grouped,
            "states": Version.State.choices,
            "state": state,
            "can_create": creatable,
        },
    )


def _issuers_for(user: Any) -> Any:
    organisations = permissions.organisations_where(user, Role.DESIGNER, Role.INSTITUTION_ADMIN)
    return Issuer.objects.filter(kind=Issuer.Kind.ISSUER, organisation__in=organisations)


@_GET_POST
@login_required
def design_create(request: HttpRequest) -> HttpResponse:
    issuers = _issuers_for(request.user)
    if not issuers.exists():
        raise Http404
    form = MicroCredentialCreateForm(_posted(request), issuers=issuers)
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.micro_credential_create(
                actor=request.user,
                issuer=form.cleaned_data["issuer"],
                title=form.cleaned_data["title"],
                slug=form.cleaned_data["slug"],
            )
        except CatalogueError as error:
            form.add_error("slug" if "slug" in error.code else None, str(error))
        else:
            messages.success(request, _("The micro-credential was created as a draft."))
            return redirect(design_url(version))
    return render(request, "catalogue/design_create.html", {"form": form})


# --- the design page ---------------------------------------------------------------------


def _design_context(request: HttpRequest, version: Version, **forms: Any) -> dict[str, Any]:
    """Everything the design page shows; `forms` replaces the blank forms (to show errors)."""
    user = request.user
    can = {
        "edit": permissions.can_edit_design(user, version),
        "review": permissions.can_review_design(user, version),
        "publish": permissions.can_publish_design(user, version),
        "request_endorsement": permissions.can_request_endorsement(user, version),
    }
    competencies = list(
        version.competencies.select_related("passing_level").prefetch_related(
            Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "id")),
            "alignments",
        )
    )
    if can["edit"]:
        for competency in competencies:
            competency.level_form = forms.get(  # type: ignore[attr-defined]
                f"level-{competency.pk}"
            ) or RubricLevelForm(prefix=f"level-{competency.pk}")
            competency.passing_form = forms.get(  # type: ignore[attr-defined]
                f"passing-{competency.pk}"
            ) or PassingLevelForm(prefix=f"passing-{competency.pk}", competency=competency)
            competency.alignment_form = forms.get(  # type: ignore[attr-defined]
                f"alignment-{competency.pk}"
            ) or AlignmentForm(prefix=f"alignment-{competency.pk}")
    context = {
        "version": version,
        "micro_credential": version.micro_credential,
        "checklist": gates.evaluate(version),
        "can": can,
        "competencies": competencies,
        "prompts": list(version.reflection_prompts.all()),
        "goals": list(version.goals.all()),
        "image_url": _image_url(version) if version.image else "",
    }
    if can["edit"]:
        context.update(
            image_form=forms.get("image") or ImageForm(prefix="image", version=version),
            goals_form=forms.get("goals") or GoalsForm(prefix="goals", version=version),
            competency_form=forms.get("competency") or CompetencyForm(prefix="competency"),
            prompt_form=forms.get("prompt") or ReflectionPromptForm(prefix="prompt"),
        )
    return context


def _image_url(version: Version) -> str:
    return reverse(
        "catalogue:image",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )


@require_safe
@_design_view
def design(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number)
    return render(request, "catalogue/design_detail.html", _design_context(request, version))


# --- editing -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    version: Version,
    form: Any,
    *,
    heading: str,
    submit: str,
    multipart: bool = False,
    status: int = 200,
) -> HttpResponse:
    """A form on a page of its own: the GET of an edit endpoint, and how any edit endpoint
    answers bad input (the input kept, the reasons shown)."""
    return render(
        request,
        "catalogue/design_form.html",
        {
            "version": version,
            "micro_credential": version.micro_credential,
            "form": form,
            "heading": heading,
            "submit": submit,
            "multipart": multipart,
            "design_url": design_url(version),
        },
        status=status,
    )


def _edit(
    request: HttpRequest,
    version: Version,
    form: Any,
    run: Callable[[Any], Any],
    *,
    heading: str,
    success: str,
    submit: str,
    fragment: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """GET: the form on its own page. POST: validate, run the action, redirect to the design
    page with `success`; on bad input (or a refusal from the action) the form again."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except DesignLocked as error:
            messages.error(request, str(error))
            return redirect(design_url(version))
        except CatalogueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(design_url(version, fragment))
    return _form_page(request, version, form, heading=heading, submit=submit, multipart=multipart)


@_GET_POST
@_design_view
def design_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    fresh = Version.objects.get(pk=version.pk)  # the form may change its instance in memory
    form = VersionForm(_posted(request), instance=fresh)
    return _edit(
        request,
        version,
        form,
        lambda data: actions.version_update(
            actor=request.user,
            version=version,
            **{name: data[name] for name in actions.EDITABLE_FIELDS},
        ),
        heading=_("Edit the details"),
        submit=_("Save the details"),
        success=_("The details were saved."),
    )


@_GET_POST
@_design_view
def design_image(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    form = ImageForm(_posted(request), _files(request), prefix="image", version=version)
    return _edit(
        request,
        version,
        form,
        lambda data: actions.version_image_set(
            actor=request.user, version=version, image=data["image"], alt=data["alt"]
        ),
        heading=_("Badge image"),
        submit=_("Save the image"),
        success=_("The image was saved."),
        fragment="image",
        multipart=True,
    )


@_GET_POST
@_design_view
def design_goals(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    form = GoalsForm(_posted(request), prefix="goals", version=version)
    return _edit(
        request,
        version,
        form,
        lambda data: actions.version_goals_set(
            actor=request.user, version=version, goals=data["goals"]
        ),
        heading=_("Institutional goals"),
        submit=_("Save the goals"),
        success=_("The institutional goals were saved."),
        fragment="goals",
    )


@_GET_POST
@_design_view
def competency_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    form = CompetencyForm(_posted(request), prefix="competency")
    return _edit(
        request,
        version,
        form,
        lambda data: actions.competency_add(
            actor=request.user,
            version=version,
            statement=data["statement"],
            demonstration=data["demonstration"],
        ),
        heading=_("Add a competency"),
        submit=_("Add the competency"),
        success=_("The competency was added."),
        fragment="competencies",
    )


def _competency(version: Version, pk: int) -> Competency:
    return get_object_or_404(Competency, pk=pk, version=version)


@_GET_POST
@_design_view
def competency_edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    form = CompetencyForm(
        _posted(request),
        prefix="competency",
        instance=Competency.objects.get(pk=competency.pk),
    )
    return _edit(
        request,
        version,
        form,
        lambda data: actions.competency_update(
            actor=request.user,
            competency=competency,
            statement=data["statement"],
            demonstration=data["demonstration"],
        ),
        heading=_("Edit the competency"),
        submit=_("Save the competency"),
        success=_("The competency was saved."),
        fragment=f"competency-{competency.pk}",
    )


@require_POST
@_design_view
def competency_remove(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    return _run(
        request,
        version,
        lambda: actions.competency_remove(actor=request.user, competency=competency),
        _("The competency was removed."),
        "competencies",
    )


@require_POST
@_design_view
def competency_move(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to move it up or down."))
        return redirect(design_url(version, f"competency-{competency.pk}"))
    return _run(
        request,
        version,
        lambda: actions.competency_move(
            actor=request.user, competency=competency, direction=form.cleaned_data["direction"]
        ),
        _("The competency was moved."),
        f"competency-{competency.pk}",
    )


def _run(
    request: HttpRequest, version: Version, run: Callable[[], Any], success: str, fragment: str
) -> HttpResponse:
    """A form-less edit (remove, move): do it and say so, or say why not."""
    try:
        run()
    except CatalogueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(design_url(version, fragment))


@_GET_POST
@_design_view
def rubric_level_add(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    form = RubricLevelForm(_posted(request), prefix=f"level-{competency.pk}")
    return _edit(
        request,
        version,
        form,
        lambda data: actions.rubric_level_add(
            actor=request.user,
            competency=competency,
            name=data["name"],
            description=data["description"],
            points=data["points"],
        ),
        heading=_("Add a level to “%(competency)s”") % {"competency": competency.statement},
        submit=_("Add the level"),
        success=_("The rubric level was added."),
        fragment=f"competency-{competency.pk}",
    )


def _level(version: Version, pk: int) -> RubricLevel:
    return get_object_or_404(RubricLevel, pk=pk, competency__version=version)


@_GET_POST
@_design_view
def rubric_level_edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    level = _level(version, pk)
    form = RubricLevelForm(
        _posted(request),
        prefix=f"level-{level.competency_id}",
        instance=RubricLevel.objects.get(pk=level.pk),
    )
    return _edit(
        request,
        version,
        form,
        lambda data: actions.rubric_level_update(
            actor=request.user,
            level=level,
            name=data["name"],
            description=data["description"],
            points=data["points"],
        ),
        heading=_("Edit the rubric level"),
        submit=_("Save the level"),
        success=_("The rubric level was saved."),
        fragment=f"competency-{level.competency_id}",
    )


@require_POST
@_design_view
def rubric_level_remove(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    level = _level(version, pk)
    return _run(
        request,
        version,
        lambda: actions.rubric_level_remove(actor=request.user, level=level),
        _("The rubric level was removed."),
        f"competency-{level.competency_id}",
    )


@_GET_POST
@_design_view
def passing_level_set(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    form = PassingLevelForm(
        _posted(request), prefix=f"passing-{competency.pk}", competency=competency
    )
    return _edit(
        request,
        version,
        form,
        lambda data: actions.competency_passing_level_set(
            actor=request.user, competency=competency, level=data["level"]
        ),
        heading=_("The level that passes “%(competency)s”") % {"competency": competency.statement},
        submit=_("Save the passing level"),
        success=_("The passing level was saved."),
        fragment=f"competency-{competency.pk}",
    )


@_GET_POST
@_design_view
def alignment_add(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    competency = _competency(version, pk)
    form = AlignmentForm(_posted(request), prefix=f"alignment-{competency.pk}")
    return _edit(
        request,
        version,
        form,
        lambda data: actions.alignment_add(
            actor=request.user,
            competency=competency,
            framework=data["framework"],
            framework_name=data["framework_name"],
            target_name=data["target_name"],
            target_url=data["target_url"],
            target_code=data["target_code"],
            target_description=data["target_description"],
        ),
        heading=_("Align “%(competency)s” with a skills framework")
        % {"competency": competency.statement},
        submit=_("Add the alignment"),
        success=_("The alignment was added."),
        fragment=f"competency-{competency.pk}",
    )


@require_POST
@_design_view
def alignment_remove(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    alignment = get_object_or_404(Alignment, pk=pk, competency__version=version)
    return _run(
        request,
        version,
        lambda: actions.alignment_remove(actor=request.user, alignment=alignment),
        _("The alignment was removed."),
        f"competency-{alignment.competency_id}",
    )


@_GET_POST
@_design_view
def prompt_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    form = ReflectionPromptForm(_posted(request), prefix="prompt")
    return _edit(
        request,
        version,
        form,
        lambda data: actions.reflection_prompt_add(
            actor=request.user, version=version, text=data["text"]
        ),
        heading=_("Add a reflection prompt"),
        submit=_("Add the prompt"),
        success=_("The reflection prompt was added."),
        fragment="prompts",
    )


def _prompt(version: Version, pk: int) -> ReflectionPrompt:
    return get_object_or_404(ReflectionPrompt, pk=pk, version=version)


@_GET_POST
@_design_view
def prompt_edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    prompt = _prompt(version, pk)
    form = ReflectionPromptForm(
        _posted(request), prefix="prompt", instance=ReflectionPrompt.objects.get(pk=prompt.pk)
    )
    return _edit(
        request,
        version,
        form,
        lambda data: actions.reflection_prompt_update(
            actor=request.user, prompt=prompt, text=data["text"]
        ),
        heading=_("Edit the reflection prompt"),
        submit=_("Save the prompt"),
        success=_("The reflection prompt was saved."),
        fragment="prompts",
    )


@require_POST
@_design_view
def prompt_remove(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    version = _get_version_for_user(request, slug, number, for_edit=True)
    prompt = _prompt(version, pk)
    return _run(
        request,
        version,
        lambda: actions.reflection_prompt_remove(actor=request.user, prompt=prompt),
        _("The reflection prompt was removed."),
        "prompts",
    )


# --- the badge image ---------------------------------------------------------------------


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "image/svg+xml"
    return None


@require_safe
def image(request: HttpRequest, slug: str, number: int) -> HttpResponseBase:
    """The version's badge image: anyone's once published (or superseded or retired), the
    design team's (and invited endorsers') before. SVG is served sandboxed, without script."""
    version = (
        Version.objects.select_related("micro_credential__issuer__organisation__parent")
        .filter(micro_credential__slug=slug, number=number)
        .first()
    )
    if version is None or not version.image:
        raise Http404
    public = version.state in PUBLIC_STATES
    if not public and not permissions.can_view_design(request.user, version):
        raise Http404
    try:
        handle = version.image.open("rb")
    except OSError:
        raise Http404 from None
    content_type = _sniff(handle.read(16))
    if content_type is None:
        handle.close()
        raise Http404
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-cache"
    if content_type == "image/svg+xml":
        response["Content-Security-Policy"] = SVG_IMAGE_POLICY
    return response
