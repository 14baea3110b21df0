from __future__ import annotations

from mosaics.catalogue import urls_design, urls_lifecycle, urls_public

app_name = "catalogue"

urlpatterns = [*urls_lifecycle.urlpatterns, *urls_design.urlpatterns, *urls_public.urlpatterns]
