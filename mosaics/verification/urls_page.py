from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.verification import views_page

urlpatterns: list[URLPattern] = [
    path("verify", views_page.verify, name="verify"),
]
