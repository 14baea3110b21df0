"""Staff pages of awards (namespace `awards`): award directly, the list, one award's record
and its status changes."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.awards import views_bulk, views_staff

urlpatterns: list[URLPattern] = [
    path("manage/awards", views_staff.staff_list, name="staff_list"),
    path("manage/awards/new", views_staff.new, name="new"),
    path("manage/awards/new/version/<int:pk>", views_staff.new_version, name="new_version"),
    path("manage/awards/new/pathway/<int:pk>", views_staff.new_pathway, name="new_pathway"),
    path("manage/awards/<uuid:uuid>", views_staff.record, name="record"),
    path("manage/awards/<uuid:uuid>/revoke", views_staff.revoke, name="revoke"),
    path("manage/awards/<uuid:uuid>/suspend", views_staff.suspend, name="suspend"),
    path("manage/awards/<uuid:uuid>/reinstate", views_staff.reinstate, name="reinstate"),
    path("manage/awards/new/version/<int:pk>/bulk", views_bulk.bulk, name="bulk"),
]
