from __future__ import annotations

app_name = "portfolio"

urlpatterns: list = []
