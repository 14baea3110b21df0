from __future__ import annotations

from django.urls import path

from mosaics.portfolio import views_import as views

_external = "mosaic/external/<uuid:uuid>"

urlpatterns = [
    path("mosaic/import", views.import_badge, name="import"),
    path(_external, views.external, name="external"),
    path(_external + "/delete", views.external_delete, name="external_delete"),
    path(_external + "/share", views.external_share, name="external_share"),
]
