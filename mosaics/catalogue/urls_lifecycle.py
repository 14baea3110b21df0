"""Framework review, publication, versions and history (views in views/lifecycle.py).

`design/review` is a page of its own: the authoring side reserves the slug "review", and
these patterns are listed before the authoring ones in urls.py.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.catalogue.views import lifecycle as views

_version = "design/<slug:slug>/v<int:number>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("design/review", views.review_queue, name="review_queue"),
    path("design/<slug:slug>/history", views.design_history, name="design_history"),
    path(_version + "submit", views.version_submit, name="version_submit"),
    path(
        _version + "request-changes",
        views.version_request_changes,
        name="version_request_changes",
    ),
    path(_version + "approve", views.version_approve, name="version_approve"),
    path(_version + "publish", views.version_publish, name="version_publish"),
    path(_version + "retire", views.version_retire, name="version_retire"),
    path(_version + "start-next", views.version_start_next, name="version_start_next"),
    path(_version + "comment", views.review_comment_add, name="review_comment_add"),
]
