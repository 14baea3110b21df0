"""Account pages of our own (namespace `accounts`), under /accounts/ next to allauth's."""

from __future__ import annotations

from django.urls import path

from mosaics.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("did/", views.did, name="did"),
    path("did/<int:pk>/unbind", views.did_unbind, name="did_unbind"),
]
