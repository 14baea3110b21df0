from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from mosaics.verification import views_api

urlpatterns: list[URLPattern | URLResolver] = [
    # W3C VC-API (https://w3c-ccg.github.io/vc-api/): JSON in and out.
    path("credentials/issue", views_api.issue_credential, name="api_issue"),
    path("credentials/verify", views_api.verify_credential, name="api_verify"),
    path(
        "presentations/verify",
        views_api.verify_presentation,
        name="api_presentations_verify",
    ),
    # Token management (institution admins of the issuer's organisation).
    path("manage/issuers/<slug:slug>/api-tokens", views_api.tokens_list, name="api_tokens"),
    path(
        "manage/issuers/<slug:slug>/api-tokens/new",
        views_api.token_create,
        name="api_token_create",
    ),
    path(
        "manage/issuers/<slug:slug>/api-tokens/<int:pk>/revoke",
        views_api.token_revoke,
        name="api_token_revoke",
    ),
]
