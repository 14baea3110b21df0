from __future__ import annotations

from django.urls import path

from mosaics.awards import views_share as views

urlpatterns = [
    path("badges/<uuid:uuid>", views.public, name="public"),
    path("badges/<uuid:uuid>/image.png", views.public_image, name="public_image"),
    path("badges/<uuid:uuid>/qr.svg", views.qr, name="qr"),
    path("awards/<uuid:uuid>/share", views.sharing_page, name="sharing"),
    path("awards/<uuid:uuid>/share/public", views.share, name="share"),
    path("awards/<uuid:uuid>/share/evidence", views.evidence_privacy, name="evidence_privacy"),
    path("awards/<uuid:uuid>/download/<str:file>", views.download, name="download"),
    path("awards/<uuid:uuid>/certificate.pdf", views.certificate_view, name="certificate"),
]
