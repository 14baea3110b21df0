from __future__ import annotations

from mosaics.portfolio import urls_import, urls_mosaic

app_name = "portfolio"

urlpatterns = [*urls_mosaic.urlpatterns, *urls_import.urlpatterns]
