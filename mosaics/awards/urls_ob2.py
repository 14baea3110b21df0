"""Open Badges 2.0 documents of awards (public, stable: written into hosted Assertions and
baked images)."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.awards import views_ob2

urlpatterns: list[URLPattern] = [
    path("awards/<uuid:uuid>/ob2", views_ob2.assertion, name="ob2_assertion"),
    path("awards/<uuid:uuid>/ob2/badge.<str:ext>", views_ob2.baked, name="ob2_baked"),
    path(
        "pathways/<slug:slug>/badgeclass.json",
        views_ob2.pathway_badgeclass,
        name="ob2_pathway_badgeclass",
    ),
]
