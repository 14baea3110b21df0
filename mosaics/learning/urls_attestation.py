"""URLs of the attestation pages (namespace `learning`): the learner asks a supervisor to
confirm a demonstration; the supervisor answers through a link that needs no account."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.learning import views_attestation as views

urlpatterns: list[URLPattern] = [
    path(
        "learn/demonstrations/<uuid:uuid>/attestation",
        views.attestation_request,
        name="attestation_request",
    ),
    path(
        "learn/attestations/<uuid:uuid>/resend",
        views.attestation_resend,
        name="attestation_resend",
    ),
    path(
        "learn/attestations/<uuid:uuid>/cancel",
        views.attestation_cancel,
        name="attestation_cancel",
    ),
    path("attest/<str:token>", views.attest, name="attest"),
    path("attest/<str:token>/files/<uuid:uuid>", views.attest_file, name="attest_file"),
]
