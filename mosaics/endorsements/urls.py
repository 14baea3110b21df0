from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.endorsements import views

app_name = "endorsements"

_request = "endorse/requests/<int:pk>/"
_endorsement = "endorse/endorsements/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # The partner's portal and the conversation (both sides).
    path("endorse/", views.portal, name="portal"),
    path("endorse/requests/<int:pk>", views.request_detail, name="request"),
    path(_request + "comment", views.comment, name="comment"),
    path(_request + "endorse", views.endorse, name="endorse"),
    path(_request + "decline", views.decline, name="decline"),
    path(_request + "cancel", views.request_cancel, name="request_cancel"),
    path(_endorsement + "renew", views.renew, name="renew"),
    path(_endorsement + "withdraw", views.withdraw, name="withdraw"),
    # The institution invites a partner.
    path(
        "design/<slug:slug>/v<int:number>/endorsements/request",
        views.request_send,
        name="request_send",
    ),
    # Public, stable: the credential's own page and JSON.
    path("endorsements/<uuid:uuid>.json", views.credential, name="credential"),
    path("endorsements/<uuid:uuid>", views.detail, name="detail"),
]
