from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementsConfig(AppConfig):
    name = "mosaics.endorsements"
    label = "endorsements"
    verbose_name = _("Endorsements")
    default_auto_field = "django.db.models.BigAutoField"
