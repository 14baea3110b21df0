from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.organisations import views

app_name = "organisations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/", views.dashboard, name="dashboard"),
    path("manage/organisations/new", views.organisation_new, name="organisation_new"),
    path("manage/organisations/<slug:slug>", views.detail, name="detail"),
    path("manage/organisations/<slug:slug>/edit", views.organisation_edit, name="edit"),
    path("manage/organisations/<slug:slug>/invitations", views.invite, name="invite"),
    path(
        "manage/organisations/<slug:slug>/invitations/<int:pk>/revoke",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "manage/organisations/<slug:slug>/members/<int:pk>/revoke",
        views.membership_revoke,
        name="membership_revoke",
    ),
    path("manage/organisations/<slug:slug>/schools", views.school_create, name="school_create"),
    path("manage/organisations/<slug:slug>/issuers", views.issuer_create, name="issuer_create"),
    path("manage/organisations/<slug:slug>/goals", views.goal_create, name="goal_create"),
    path("manage/issuers/<slug:slug>/edit", views.issuer_edit, name="issuer_edit"),
    path("manage/goals/<int:pk>/edit", views.goal_edit, name="goal_edit"),
    path("manage/goals/<int:pk>/deactivate", views.goal_deactivate, name="goal_deactivate"),
    path("invitations/<str:token>", views.invitation, name="invitation"),
]
