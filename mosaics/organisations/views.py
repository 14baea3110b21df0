"""Staff pages: the dashboard, an organisation's page (members, invitations, issuer profiles,
schools, goals) and the invitation link.

Views parse, authorise and call an action. An organisation someone may not see answers 404,
whatever they try; so does a management POST from someone who may see but not manage it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mosaics.organisations import actions, permissions
from mosaics.organisations.errors import OrganisationError
from mosaics.organisations.forms import (
    GoalEditForm,
    GoalForm,
    InvitationForm,
    IssuerEditForm,
    IssuerForm,
    NewOrganisationForm,
    OrganisationEditForm,
    SchoolForm,
)
from mosaics.organisations.models import (
    InstitutionalGoal,
    Invitation,
    Issuer,
    Membership,
    Organisation,
    Role,
)

ALL_ROLES = tuple(Role.values)


# --- lookups -----------------------------------------------------------------------------


def _may_see(user: Any, organisation: Organisation) -> bool:
    return bool(permissions.roles(user, organisation)) or permissions.can_manage_organisation(
        user, organisation
    )


def _get_organisation_for_user(user: Any, slug: str) -> Organisation:
    """The organisation, if `user` holds a role in it or its institution (else 404)."""
    organisation = get_object_or_404(Organisation.objects.select_related("parent"), slug=slug)
    if not _may_see(user, organisation):
        raise Http404
    return organisation


def _get_managed_organisation_for_user(user: Any, slug: str) -> Organisation:
    """The organisation, if `user` may manage it (else 404)."""
    organisation = _get_organisation_for_user(user, slug)
    if not permissions.can_manage_organisation(user, organisation):
        raise Http404
    return organisation


def _get_issuer_for_user(user: Any, slug: str) -> Issuer:
    """The issuer profile, if `user` may manage its organisation (else 404)."""
    issuer = get_object_or_404(Issuer.objects.select_related("organisation"), slug=slug)
    if not permissions.can_manage_organisation(user, issuer.organisation):
        raise Http404
    return issuer


def _get_goal_for_user(user: Any, pk: int) -> InstitutionalGoal:
    """The goal, if `user` may manage its institution (else 404)."""
    goal = get_object_or_404(InstitutionalGoal.objects.select_related("institution"), pk=pk)
    if not permissions.can_manage_organisation(user, goal.institution):
        raise Http404
    return goal


def _refuse(form: django_forms.BaseForm, error: OrganisationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


# --- dashboard ---------------------------------------------------------------------------


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    entries: list[dict[str, Any]] = []
    for organisation in (
        permissions.organisations_where(user, *ALL_ROLES)
        .select_related("parent")
        .order_by("kind", "name")
    ):
        held = permissions.roles(user, organisation)
        entries.append(
            {
                "organisation": organisation,
                "roles": [role.label for role in Role if role.value in held],
                "can_manage": permissions.can_manage_organisation(user, organisation),
                "is_endorser": Role.ENDORSER in held,
                "designs": bool(held & set(permissions.DESIGN_TEAM)),
                "reviews": bool(held & {Role.REVIEWER, Role.INSTITUTION_ADMIN}),
                "awards": bool(held & set(permissions.AWARDING)),
            }
        )
    is_platform_admin = permissions.is_platform_admin(user)
    if is_platform_admin:
        # Platform admins manage partners too; they do not hold roles there.
        listed = {entry["organisation"].pk for entry in entries}
        for organisation in Organisation.objects.filter(kind=Organisation.Kind.PARTNER):
            if organisation.pk not in listed:
                entries.append(
                    {
                        "organisation": organisation,
                        "roles": [],
                        "can_manage": True,
                        "is_endorser": False,
                        "designs": False,
                        "reviews": False,
                    }
                )
    return render(
        request,
        "organisations/dashboard.html",
        {"entries": entries, "is_platform_admin": is_platform_admin},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    """A platform admin creates an institution or a partner."""
    if not permissions.is_platform_admin(request.user):
        raise Http404
    form = NewOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = actions.organisation_create(actor=request.user, **form.cleaned_data)
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The organisation was created."))
            return redirect("organisations:detail", slug=organisation.slug)
    status = 400 if form.errors else 200
    return render(request, "organisations/organisation_new.html", {"form": form}, status=status)


# --- an organisation's page --------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    organisation: Organisation,
    *,
    status: int = 200,
    **bound: django_forms.BaseForm,
) -> HttpResponse:
    user = request.user
    can_manage = permissions.can_manage_organisation(user, organisation)
    is_institution = organisation.kind == Organisation.Kind.INSTITUTION
    institution = organisation.institution
    context: dict[str, Any] = {
        "organisation": organisation,
        "can_manage": can_manage,
        "my_roles": [
            role.label for role in Role if role.value in permissions.roles(user, organisation)
        ],
        "members": Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__username"),
        "issuers": organisation.issuers.all(),
        "schools": organisation.children.all() if is_institution else [],
        "goals": InstitutionalGoal.objects.filter(institution=institution)
        if institution
        else InstitutionalGoal.objects.none(),
        "goals_editable": can_manage and is_institution,
        "is_institution": is_institution,
    }
    if can_manage:
        context["invitations"] = [
            invitation
            for invitation in organisation.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            ).select_related("invited_by")
            if invitation.is_open
        ]
        context["invite_form"] = bound.get("invite_form") or InvitationForm(
            organisation=organisation, prefix="invite"
        )
        context["issuer_form"] = bound.get("issuer_form") or IssuerForm(prefix="issuer")
        if is_institution:
            context["school_form"] = bound.get("school_form") or SchoolForm(prefix="school")
            context["goal_form"] = bound.get("goal_form") or GoalForm(prefix="goal")
    return render(request, "organisations/detail.html", context, status=status)


@require_safe
@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_organisation_for_user(request.user, slug)
    return _render_detail(request, organisation)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    form = OrganisationEditForm(
        request.POST or None, instance=Organisation.objects.get(pk=organisation.pk)
    )
    if organisation.kind != Organisation.Kind.PARTNER:
        del form.fields["sector"]
    if request.method == "POST" and form.is_valid():
        try:
            actions.organisation_update(
                actor=request.user,
                organisation=organisation,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("organisations:detail", slug=organisation.slug)
    status = 400 if form.errors else 200
    return render(
        request,
        "organisations/organisation_edit.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@require_POST
@login_required
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    form = InvitationForm(request.POST, organisation=organisation, prefix="invite")
    if form.is_valid():
        try:
            invitation, _token = actions.invitation_send(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("organisations:detail", slug=organisation.slug)
    return _render_detail(request, organisation, status=400, invite_form=form)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        actions.invitation_revoke(actor=request.user, invitation=invitation)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("organisations:detail", slug=organisation.slug)


@require_POST
@login_required
def membership_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=organisation
    )
    try:
        actions.membership_revoke(actor=request.user, membership=membership)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s no longer holds the role “%(role)s”.")
            % {"person": membership.user.name, "role": membership.get_role_display()},
        )
    return redirect("organisations:detail", slug=organisation.slug)


@require_POST
@login_required
def school_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    if organisation.kind != Organisation.Kind.INSTITUTION:
        raise Http404
    form = SchoolForm(request.POST, prefix="school")
    if form.is_valid():
        try:
            school = actions.organisation_create(
                actor=request.user,
                kind=Organisation.Kind.SCHOOL,
                parent=organisation,
                **form.cleaned_data,
            )
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": school.name})
            return redirect("organisations:detail", slug=school.slug)
    return _render_detail(request, organisation, status=400, school_form=form)


@require_POST
@login_required
def issuer_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    form = IssuerForm(request.POST, prefix="issuer")
    if form.is_valid():
        try:
            issuer = actions.issuer_create(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(
                request,
                _("The profile %(name)s was created with its first signing key.")
                % {"name": issuer.name},
            )
            return redirect("organisations:detail", slug=organisation.slug)
    return _render_detail(request, organisation, status=400, issuer_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def issuer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = _get_issuer_for_user(request.user, slug)
    form = IssuerEditForm(request.POST or None, instance=Issuer.objects.get(pk=issuer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.issuer_update(actor=request.user, issuer=issuer, **form.cleaned_data)
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("organisations:detail", slug=issuer.organisation.slug)
    status = 400 if form.errors else 200
    return render(
        request,
        "organisations/issuer_edit.html",
        {"issuer": issuer, "organisation": issuer.organisation, "form": form},
        status=status,
    )


@require_POST
@login_required
def goal_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_managed_organisation_for_user(request.user, slug)
    if organisation.kind != Organisation.Kind.INSTITUTION:
        raise Http404
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        try:
            actions.goal_create(actor=request.user, institution=organisation, **form.cleaned_data)
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The goal was added."))
            return redirect("organisations:detail", slug=organisation.slug)
    return _render_detail(request, organisation, status=400, goal_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_goal_for_user(request.user, pk)
    form = GoalEditForm(request.POST or None, instance=InstitutionalGoal.objects.get(pk=goal.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.goal_update(actor=request.user, goal=goal, **form.cleaned_data)
        except OrganisationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The goal was saved."))
            return redirect("organisations:detail", slug=goal.institution.slug)
    status = 400 if form.errors else 200
    return render(
        request,
        "organisations/goal_edit.html",
        {"goal": goal, "organisation": goal.institution, "form": form},
        status=status,
    )


@require_POST
@login_required
def goal_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_goal_for_user(request.user, pk)
    try:
        actions.goal_deactivate(actor=request.user, goal=goal)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("“%(title)s” is no longer offered for new designs.") % {"title": goal.title}
        )
    return redirect("organisations:detail", slug=goal.institution.slug)


# --- the invitation link -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """What the invitation is for; accepting it is a POST by the invited, signed-in person."""
    found = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=actions.token_hash(token))
        .first()
    )
    signed_in = request.user.is_authenticated
    if request.method == "POST":
        if not signed_in:
            return redirect(_with_next("account_login", request))
        try:
            membership = actions.invitation_accept(actor=request.user, token=token)
        except OrganisationError as error:
            return _render_invitation(request, found, str(error), status=400)
        messages.success(
            request,
            _("You now hold the role “%(role)s” in %(organisation)s.")
            % {
                "role": membership.get_role_display(),
                "organisation": membership.organisation.name,
            },
        )
        return redirect("organisations:detail", slug=membership.organisation.slug)
    refusal = actions.invitation_refusal(found, request.user if signed_in else None)
    return _render_invitation(request, found, refusal, status=404 if found is None else 200)


def _with_next(url_name: str, request: HttpRequest) -> str:
    """The sign-in (or sign-up) address that comes back to this page afterwards."""
    return f"{reverse(url_name)}?{urlencode({'next': request.path}, safe='/')}"


def _render_invitation(
    request: HttpRequest, invitation: Invitation | None, refusal: str | None, *, status: int
) -> HttpResponse:
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invitation if invitation is not None else None,
            "refusal": refusal,
            "login_url": _with_next("account_login", request),
            "signup_url": _with_next("account_signup", request),
        },
        status=status,
    )
