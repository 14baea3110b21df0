"""URLs of the demonstration pages (namespace `learning`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.learning import views_demonstration as views

_competency = "learn/<slug:slug>/competencies/<int:competency>/"

urlpatterns: list[URLPattern] = [
    path(_competency, views.demonstration, name="demonstration"),
    path(_competency + "evidence", views.evidence_add, name="evidence_add"),
    path(_competency + "submit", views.demonstration_submit, name="demonstration_submit"),
    path(_competency + "revise", views.demonstration_revise, name="demonstration_revise"),
    path(_competency + "discard", views.demonstration_discard, name="demonstration_discard"),
    path("learn/evidence/<uuid:uuid>/remove", views.evidence_remove, name="evidence_remove"),
    path(
        "learn/evidence/<uuid:uuid>/visibility",
        views.evidence_visibility,
        name="evidence_visibility",
    ),
    path(
        "learn/demonstrations/<uuid:uuid>",
        views.demonstration_version,
        name="demonstration_version",
    ),
    path("evidence/<uuid:uuid>", views.evidence_file, name="evidence_file"),
]
