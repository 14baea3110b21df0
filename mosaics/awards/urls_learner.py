from __future__ import annotations

from django.urls import path

from mosaics.awards import views_learner as views

urlpatterns = [
    path("awards/", views.inbox, name="inbox"),
    path("awards/<uuid:uuid>", views.detail, name="detail"),
    path("awards/<uuid:uuid>/accept", views.accept, name="accept"),
    path("awards/<uuid:uuid>/decline", views.decline, name="decline"),
    path("awards/<uuid:uuid>/claim/<str:token>", views.claim, name="claim"),
    path("awards/<uuid:uuid>/claim/<str:token>/signup", views.claim_signup, name="claim_signup"),
]
