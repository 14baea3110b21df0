"""The public catalogue (no sign-in): browse, detail pages and the machine-readable forms.

These URLs are stable: `catalogue:version` is the Achievement id written into credentials.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.catalogue.views import public

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/", public.index, name="index"),
    path("catalogue/<slug:slug>", public.detail, name="detail"),
    path("catalogue/<slug:slug>/v<int:number>", public.version_detail, name="version"),
    path(
        "catalogue/<slug:slug>/v<int:number>/achievement.json",
        public.achievement_json,
        name="achievement_json",
    ),
    path(
        "catalogue/<slug:slug>/v<int:number>/badgeclass.json",
        public.badgeclass_json,
        name="badgeclass",
    ),
]
