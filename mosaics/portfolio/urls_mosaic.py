from __future__ import annotations

from django.urls import path

from mosaics.portfolio import views_mosaic as views

_collection = "mosaic/collections/<uuid:uuid>"

urlpatterns = [
    path("mosaic", views.mosaic_page, name="mosaic"),
    path("mosaic/clr.json", views.mosaic_clr, name="mosaic_clr"),
    path("mosaic/collections/new", views.collection_new, name="collection_new"),
    path(_collection, views.collection_page, name="collection"),
    path(_collection + "/edit", views.collection_update, name="collection_update"),
    path(_collection + "/delete", views.collection_delete, name="collection_delete"),
    path(_collection + "/share", views.collection_share, name="collection_share"),
    path(_collection + "/add", views.collection_add, name="collection_add"),
    path(_collection + "/remove", views.collection_remove, name="collection_remove"),
    path(_collection + "/clr.json", views.collection_clr, name="collection_clr"),
    path("collections/<uuid:uuid>", views.collection_public, name="collection_public"),
]
