from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "mosaics.pathways"
    label = "pathways"
    verbose_name = _("Pathways")
    default_auto_field = "django.db.models.BigAutoField"
