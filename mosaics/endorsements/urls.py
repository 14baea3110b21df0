from __future__ import annotations

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "endorsements"

urlpatterns: list[URLPattern | URLResolver] = []
