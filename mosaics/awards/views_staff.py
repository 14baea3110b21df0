"""The staff side of awards: award a badge directly, the list of an organisation's awards, one
award's record (with its status history), and revoking, suspending and reinstating.

Assessors and institution admins award and see records (`permissions.can_award`,
`can_view_award_record`); only institution admins change a badge's status
(`can_change_award_status`). Anyone else gets a 404 for a record (its existence is private)
and a 403 for the staff pages. Views parse, authorise, call an action in
`mosaics.awards.actions` and redirect — or show the page again with what was typed and the
reason it was refused, having changed nothing.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.audit.log import history
from mosaics.awards import actions
from mosaics.awards.forms_staff import (
    EVIDENCE_ROWS,
    AwardForm,
    AwardListFilter,
    ChooseForm,
    EvidenceForm,
    ReasonForm,
    RevokeForm,
    parse_choice,
)
from mosaics.awards.models import Award, AwardResult
from mosaics.catalogue.models import Competency, RubricLevel, Version
from mosaics.core.forms import MAX_PK
from mosaics.organisations import permissions
from mosaics.organisations.models import Issuer
from mosaics.pathways.models import Pathway

PAGE_SIZE = 25

# --- lookups ------------------------------------------------------------------------------


def _awarding_issuers(user: Any) -> QuerySet[Issuer]:
    """Issuer profiles `user` may award for (assessor or institution admin)."""
    return Issuer.objects.filter(
        organisation__in=permissions.organisations_where(user, *permissions.AWARDING),
        kind=Issuer.Kind.ISSUER,
    ).select_related("organisation")


def _get_award_for_user(user: Any, value: uuid_module.UUID) -> Award:
    """The award, if `user` may see its staff record; 404 otherwise, whether or not it exists."""
    award = (
        Award.objects.select_related(
            "version__micro_credential",
            "pathway",
            "issuer__organisation__parent",
            "learner",
            "awarded_by",
        )
        .filter(uuid=value)
        .first()
    )
    if award is None or not permissions.can_view_award_record(user, award):
        raise Http404
    return award


def _get_version_to_award(user: Any, pk: int) -> Version:
    """A once-published micro-credential version `user` may award (the action refuses one that
    is no longer the published version, in words); 404 otherwise."""
    if not 0 < pk <= MAX_PK:
        raise Http404
    version = (
        Version.objects.select_related("micro_credential__issuer__organisation")
        .filter(pk=pk, published_at__isnull=False)
        .first()
    )
    if version is None or not permissions.can_award(user, version.micro_credential.issuer):
        raise Http404
    return version


def _get_pathway_to_award(user: Any, pk: int) -> Pathway:
    if not 0 < pk <= MAX_PK:
        raise Http404
    pathway = (
        Pathway.objects.select_related("issuer__organisation")
        .filter(pk=pk, state__in=[Pathway.State.PUBLISHED, Pathway.State.RETIRED])
        .first()
    )
    if pathway is None or not permissions.can_award(user, pathway.issuer):
        raise Http404
    return pathway


def _url_or_empty(name: str, **kwargs: Any) -> str:
    """A URL another module owns, or "" while it does not exist yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


# --- awarding -----------------------------------------------------------------------------


@login_required
@require_safe
def new(request: HttpRequest) -> HttpResponse:
    """Step one: choose what to award (a GET form, so nothing changes)."""
    issuers = _awarding_issuers(request.user)
    if not issuers.exists():
        raise PermissionDenied
    versions = list(
        Version.objects.filter(state=Version.State.PUBLISHED, micro_credential__issuer__in=issuers)
        .select_related("micro_credential__issuer")
        .order_by("title", "pk")
    )
    pathways = list(
        Pathway.objects.filter(state=Pathway.State.PUBLISHED, issuer__in=issuers)
        .select_related("issuer")
        .order_by("title", "pk")
    )
    chosen = "what" in request.GET
    form = ChooseForm(request.GET if chosen else None, versions=versions, pathways=pathways)
    if chosen and form.is_valid():
        parsed = parse_choice(form.cleaned_data["what"])
        if parsed is not None:
            kind, pk = parsed
            return redirect(f"awards:new_{kind}", pk=pk)
    return render(
        request,
        "awards/staff/new.html",
        {"form": form, "has_choices": bool(versions or pathways)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Step two for a micro-credential: the learner, narrative, evidence and results."""
    version = _get_version_to_award(request.user, pk)
    competencies = list(
        Competency.objects.filter(version=version)
        .prefetch_related(
            Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "pk"))
        )
        .order_by("position", "pk")
    )
    return _award_page(request, version=version, competencies=competencies)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_pathway(request: HttpRequest, pk: int) -> HttpResponse:
    """Step two for a pathway (no competency results: it has no rubric of its own)."""
    return _award_page(request, pathway=_get_pathway_to_award(request.user, pk))


def _award_page(
    request: HttpRequest,
    *,
    version: Version | None = None,
    pathway: Pathway | None = None,
    competencies: list[Competency] | None = None,
) -> HttpResponse:
    competencies = competencies or []
    data = request.POST if request.method == "POST" else None
    form = AwardForm(data, competencies=competencies)
    evidence_forms = [EvidenceForm(data, prefix=f"evidence-{n}") for n in range(EVIDENCE_ROWS)]
    existing: Award | None = None
    status = 200
    if data is not None:
        valid = [form.is_valid()] + [evidence.is_valid() for evidence in evidence_forms]
        if all(valid):
            try:
                award = actions.award_issue(
                    actor=request.user,
                    recipient_email=form.cleaned_data["recipient_email"],
                    version=version,
                    pathway=pathway,
                    narrative=form.cleaned_data["narrative"],
                    evidence=[e.evidence() for e in evidence_forms if not e.is_empty],
                    results=form.results(),
                    recipient_name=form.cleaned_data["recipient_name"],
                    source=Award.Source.STAFF,
                )
            except actions.AwardRefused as refused:
                form.add_error(None, refused.messages)
                status = 400
            else:
                if getattr(award, "created", False):
                    messages.success(
                        request,
                        _("The badge was awarded to %(email)s, who is sent a link to claim it.")
                        % {"email": award.recipient_email},
                    )
                    return redirect("awards:record", uuid=award.uuid)
                existing = award
        else:
            status = 400
    thing: Version | Pathway = version if version is not None else pathway  # type: ignore[assignment]
    errors = _problems(form, *evidence_forms)
    return render(
        request,
        "awards/staff/award_form.html",
        {
            "version": version,
            "pathway": pathway,
            "thing": thing,
            "issuer": version.micro_credential.issuer if version is not None else thing.issuer,  # type: ignore[union-attr]
            "no_longer_published": (
                version.state != Version.State.PUBLISHED
                if version is not None
                else thing.state != Pathway.State.PUBLISHED
            ),
            "form": form,
            "evidence_forms": evidence_forms,
            "existing": existing,
            "errors": errors,
            "action_url": (
                reverse("awards:new_version", kwargs={"pk": version.pk})
                if version is not None
                else reverse("awards:new_pathway", kwargs={"pk": thing.pk})
            ),
        },
        status=status,
    )


def _problems(*forms: Any) -> list[str]:
    """Every error of the forms, as sentences for the summary at the top of the page (each
    field's own error also shows next to it)."""
    problems: list[str] = []
    for form in forms:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            for message in errors:
                problems.append(f"{label}: {message}" if label else str(message))
    return problems


# --- the list -----------------------------------------------------------------------------


@login_required
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    organisations = permissions.organisations_where(request.user, *permissions.AWARDING)
    if not organisations.exists():
        raise PermissionDenied
    awards = Award.objects.filter(issuer__organisation__in=organisations).select_related(
        "version", "pathway", "issuer"
    )
    filters = AwardListFilter(request.GET)
    filters.is_valid()
    wanted = filters.cleaned_data  # only the fields that parsed: a bad one is ignored
    now = timezone.now()
    search = (wanted.get("q") or "").strip()
    if search:
        awards = awards.filter(
            Q(recipient_email__icontains=search)
            | Q(recipient_name__icontains=search)
            | Q(version__title__icontains=search)
            | Q(pathway__title__icontains=search)
        )
    status = wanted.get("status") or ""
    if status == "active":
        awards = awards.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).filter(
            status=Award.Status.ACTIVE
        )
    elif status == "expired":
        awards = awards.filter(status=Award.Status.ACTIVE, valid_until__lte=now)
    elif status:
        awards = awards.filter(status=status)
    if wanted.get("claim"):
        awards = awards.filter(claim=wanted["claim"])
    page = Paginator(awards.order_by("-awarded_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "awards/staff/list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(search or status or wanted.get("claim")),
            "can_award": _awarding_issuers(request.user).exists(),
        },
    )


# --- one award's record -------------------------------------------------------------------

#: What each audited action is called on the record page.
EVENTS = {
    "awards.issue": gettext_lazy("Awarded"),
    "awards.accept": gettext_lazy("Accepted by the learner"),
    "awards.decline": gettext_lazy("Declined by the learner"),
    "awards.revoke": gettext_lazy("Revoked"),
    "awards.suspend": gettext_lazy("Suspended"),
    "awards.reinstate": gettext_lazy("Reinstated"),
    "awards.attach": gettext_lazy("Linked to the learner's account"),
}


@dataclass
class Event:
    when: datetime
    what: str
    who: str
    reason: str


def _events(award: Award) -> list[Event]:
    events = []
    for entry in history(award).order_by("created", "pk"):
        if not entry.action.startswith("awards."):
            continue
        data = entry.data if isinstance(entry.data, dict) else {}
        if entry.actor is not None:
            who = entry.actor.name
        elif entry.action == "awards.issue" and data.get("source") == Award.Source.API:
            who = _("The issuer's API")
        else:
            who = _("Mosaics, automatically")
        events.append(
            Event(
                when=entry.created,
                what=str(EVENTS.get(entry.action, entry.action)),
                who=who,
                reason=str(data.get("reason") or ""),
            )
        )
    return events


def _record_page(
    request: HttpRequest,
    award: Award,
    *,
    status: int = 200,
    revoke_form: RevokeForm | None = None,
    suspend_form: ReasonForm | None = None,
    reinstate_form: ReasonForm | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    can_change = permissions.can_change_award_status(request.user, award)
    active = award.status == Award.Status.ACTIVE
    suspended = award.status == Award.Status.SUSPENDED
    revoked = award.status == Award.Status.REVOKED
    results = list(
        AwardResult.objects.filter(award=award)
        .select_related("competency", "level")
        .order_by("competency__position", "competency_id")
    )
    if award.version is not None:
        achievement_url = _url_or_empty(
            "catalogue:version",
            slug=award.version.micro_credential.slug,
            number=award.version.number,
        )
    else:
        achievement_url = _url_or_empty("pathways:detail", slug=award.pathway.slug)  # type: ignore[union-attr]
    return render(
        request,
        "awards/staff/record.html",
        {
            "award": award,
            "evidence": list(award.evidence.all()),
            "results": results,
            "events": _events(award),
            "achievement_url": achievement_url,
            "public_url": _url_or_empty("awards:public", uuid=award.uuid) if award.shared else "",
            "ob2_url": _url_or_empty("awards:ob2_assertion", uuid=award.uuid),
            "can_change": can_change,
            "errors": errors or [],
            "revoke_form": (revoke_form or RevokeForm(prefix="revoke"))
            if can_change and not revoked
            else None,
            "suspend_form": (suspend_form or ReasonForm(prefix="suspend"))
            if can_change and active
            else None,
            "reinstate_form": (reinstate_form or ReasonForm(prefix="reinstate", required=False))
            if can_change and suspended
            else None,
        },
        status=status,
    )


@login_required
@require_safe
def record(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _record_page(request, _get_award_for_user(request.user, uuid))


def _status_change(request: HttpRequest, uuid: uuid_module.UUID, change: str) -> HttpResponse:
    award = _get_award_for_user(request.user, uuid)
    if not permissions.can_change_award_status(request.user, award):
        raise PermissionDenied  # they may see the record, so its existence is no secret
    form: ReasonForm
    if change == "revoke":
        form = RevokeForm(request.POST, prefix="revoke")
    else:
        form = ReasonForm(request.POST, prefix=change, required=change != "reinstate")
    if form.is_valid():
        changes: dict[str, Callable[..., Award]] = {
            "revoke": actions.award_revoke,
            "suspend": actions.award_suspend,
            "reinstate": actions.award_reinstate,
        }
        action = changes[change]
        try:
            action(actor=request.user, award=award, reason=form.cleaned_data["reason"])
        except actions.AwardRefused as refused:
            form.add_error(None, refused.messages)
        else:
            done = {
                "revoke": _(
                    "The badge is revoked. Verifiers now see it as revoked, with the reason."
                ),
                "suspend": _("The badge is suspended until it is reinstated."),
                "reinstate": _("The badge is reinstated: it is valid again."),
            }[change]
            messages.success(request, done)
            return redirect("awards:record", uuid=award.uuid)
    award.refresh_from_db()
    bound: dict[str, Any] = {f"{change}_form": form}
    return _record_page(request, award, status=400, errors=_problems(form), **bound)


@login_required
@require_POST
def revoke(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _status_change(request, uuid, "revoke")


@login_required
@require_POST
def suspend(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _status_change(request, uuid, "suspend")


@login_required
@require_POST
def reinstate(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _status_change(request, uuid, "reinstate")
