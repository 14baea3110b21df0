"""People in the Django admin (platform admins only)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from mosaics.accounts.models import User


@admin.register(User)
class PersonAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Names and language"), {"fields": ("display_name", "legal_name", "preferred_language")}),
    )
    list_display = ("username", "email", "display_name", "is_superuser", "is_active")
