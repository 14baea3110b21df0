from __future__ import annotations

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):  # replaced by the sharing views
    raise Http404


urlpatterns = [
    path("badges/<uuid:uuid>", _todo, name="public"),
]
