"""The Django admin, for platform admins. Day-to-day work goes through the staff pages, whose
actions write the audit log; the admin is for inspection and repair, so invitations and the
audit-relevant fields are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mosaics.organisations.models import (
    InstitutionalGoal,
    Invitation,
    Issuer,
    Membership,
    Organisation,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "slug", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin[Issuer]):
    list_display = ["name", "kind", "slug", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The slug is part of the issuer's DID: it never changes once created.
        return ["slug"] if obj is not None else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "role", "organisation", "created"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "role", "organisation", "created", "expires", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "token_hash",
        "invited_by",
        "created",
        "expires",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent from the organisation's page (with their e-mail)


@admin.register(InstitutionalGoal)
class InstitutionalGoalAdmin(admin.ModelAdmin[InstitutionalGoal]):
    list_display = ["title", "code", "category", "institution", "active"]
    list_filter = ["category", "active"]
    search_fields = ["title", "code"]
