from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from mosaics.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("mosaics.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("mosaics.organisations.urls")),
    path("", include("mosaics.issuance.urls")),
    path("", include("mosaics.catalogue.urls")),
    path("", include("mosaics.endorsements.urls")),
    path("", include("mosaics.pathways.urls")),
    path("", include("mosaics.awards.urls")),
    path("", include("mosaics.portfolio.urls")),
    path("", include("mosaics.verification.urls")),
    path("", include("mosaics.learning.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "mosaics.core.views.bad_request"
handler404 = "mosaics.core.views.page_not_found"
handler500 = "mosaics.core.views.server_error"
