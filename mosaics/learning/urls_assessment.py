"""URLs of the assessment pages (namespace `learning`): the assessor's queue, one submission
to assess, and the assessor's declared conflicts of interest."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.learning import views_assessment as views

urlpatterns: list[URLPattern] = [
    path("assess/", views.queue, name="queue"),
    path("assess/conflicts", views.conflicts, name="conflicts"),
    path("assess/conflicts/<int:pk>/withdraw", views.conflict_withdraw, name="conflict_withdraw"),
    path("assess/<uuid:uuid>", views.assess, name="assess"),
    path("assess/<uuid:uuid>/conflict", views.conflict_declare, name="conflict_declare"),
]
