"""URLs of the reflection, the review before submitting, the learner's submissions (attempts)
and the route (namespace `learning`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from mosaics.learning import views_submission as views

urlpatterns: list[URLPattern] = [
    path("learn/<slug:slug>/reflection", views.reflection, name="reflection"),
    path("learn/<slug:slug>/submit", views.submit, name="submit"),
    path("learn/<slug:slug>/route", views.route, name="route"),
    path("learn/<slug:slug>/attempts/<int:number>", views.submission, name="submission"),
    path(
        "learn/<slug:slug>/attempts/<int:number>/withdraw",
        views.submission_withdraw,
        name="submission_withdraw",
    ),
]
