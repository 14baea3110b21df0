"""URLs of the enrolment pages (namespace `learning`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.learning import views_enrolment as views

urlpatterns: list[URLPattern] = [
    path("learn/", views.mine, name="mine"),
    path("learn/<slug:slug>/enrol", views.enrol, name="enrol"),
    path("learn/<slug:slug>/withdraw", views.withdraw, name="withdraw"),
    path("learn/<slug:slug>/", views.enrolment, name="enrolment"),
    path("manage/enrolment/<slug:slug>", views.enrolment_settings, name="enrolment_settings"),
]
