from __future__ import annotations

from mosaics.verification import urls_api, urls_page

app_name = "verification"

urlpatterns = [*urls_page.urlpatterns, *urls_api.urlpatterns]
