"""Pathway URLs. `pathways:detail` is stable: it is the pathway Achievement's id."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.pathways import views

app_name = "pathways"

urlpatterns: list[URLPattern | URLResolver] = [
    # Designers and institution admins.
    path("pathways/manage/", views.manage_list, name="manage_list"),
    path("pathways/manage/new", views.create, name="create"),
    path("pathways/manage/<slug:slug>", views.edit, name="edit"),
    path("pathways/manage/<slug:slug>/details", views.update, name="update"),
    path("pathways/manage/<slug:slug>/publish", views.publish, name="publish"),
    path("pathways/manage/<slug:slug>/retire", views.retire, name="retire"),
    path(
        "pathways/manage/<slug:slug>/groups/<int:group_id>/add",
        views.group_add,
        name="group_add",
    ),
    path(
        "pathways/manage/<slug:slug>/groups/<int:group_id>/edit",
        views.group_update,
        name="group_update",
    ),
    path(
        "pathways/manage/<slug:slug>/groups/<int:group_id>/remove",
        views.group_remove,
        name="group_remove",
    ),
    path(
        "pathways/manage/<slug:slug>/groups/<int:group_id>/items/add",
        views.item_add,
        name="item_add",
    ),
    path(
        "pathways/manage/<slug:slug>/items/<int:item_id>/remove",
        views.item_remove,
        name="item_remove",
    ),
    # Public and stable.
    path("pathways/", views.index, name="index"),
    path("pathways/<slug:slug>", views.detail, name="detail"),
    path("pathways/<slug:slug>.json", views.achievement_json, name="achievement_json"),
]
