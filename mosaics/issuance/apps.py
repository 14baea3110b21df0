from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuanceConfig(AppConfig):
    name = "mosaics.issuance"
    label = "issuance"
    verbose_name = _("Issuance")
    default_auto_field = "django.db.models.BigAutoField"
