from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.issuance import views

app_name = "issuance"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public, stable: these URLs are written into signed credentials.
    path("issuers/<slug:slug>", views.profile, name="profile"),
    path("issuers/<slug:slug>.json", views.profile_json, name="profile_json"),
    path("issuers/<slug:slug>/did.json", views.did, name="did"),
    path("issuers/<slug:slug>/ob2.json", views.ob2_issuer, name="ob2_issuer"),
    path("status-lists/<int:pk>", views.status_list, name="status_list"),
    # Key management (institution admins of the issuer's organisation).
    path("manage/issuers/<slug:slug>/keys", views.keys, name="keys"),
    path("manage/issuers/<slug:slug>/keys/rotate", views.key_rotate, name="key_rotate"),
]
