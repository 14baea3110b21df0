"""Authoring designs (views in views/design.py). `design/new` comes before every
`design/<slug>` pattern; the slugs "new" and "review" are reserved for that reason."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.catalogue.views import design as views

_version = "design/<slug:slug>/v<int:number>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("design/", views.design_list, name="design_list"),
    path("design/new", views.design_create, name="design_create"),
    path("design/<slug:slug>/v<int:number>", views.design, name="design"),
    path(_version + "edit", views.design_edit, name="design_edit"),
    path(_version + "image", views.design_image, name="design_image"),
    path(_version + "goals", views.design_goals, name="design_goals"),
    path(_version + "competencies/add", views.competency_add, name="competency_add"),
    path(_version + "competencies/<int:pk>/edit", views.competency_edit, name="competency_edit"),
    path(
        _version + "competencies/<int:pk>/remove",
        views.competency_remove,
        name="competency_remove",
    ),
    path(_version + "competencies/<int:pk>/move", views.competency_move, name="competency_move"),
    path(
        _version + "competencies/<int:pk>/levels/add",
        views.rubric_level_add,
        name="rubric_level_add",
    ),
    path(_version + "levels/<int:pk>/edit", views.rubric_level_edit, name="rubric_level_edit"),
    path(
        _version + "levels/<int:pk>/remove", views.rubric_level_remove, name="rubric_level_remove"
    ),
    path(
        _version + "competencies/<int:pk>/passing-level",
        views.passing_level_set,
        name="passing_level_set",
    ),
    path(
        _version + "competencies/<int:pk>/alignments/add",
        views.alignment_add,
        name="alignment_add",
    ),
    path(_version + "alignments/<int:pk>/remove", views.alignment_remove, name="alignment_remove"),
    path(_version + "prompts/add", views.prompt_add, name="prompt_add"),
    path(_version + "prompts/<int:pk>/edit", views.prompt_edit, name="prompt_edit"),
    path(_version + "prompts/<int:pk>/remove", views.prompt_remove, name="prompt_remove"),
    path("catalogue/<slug:slug>/v<int:number>/image", views.image, name="image"),
]
