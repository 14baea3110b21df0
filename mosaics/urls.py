from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from mosaics.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "mosaics.core.views.page_not_found"
handler500 = "mosaics.core.views.server_error"
