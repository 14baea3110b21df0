from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import mosaics


def site(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_URL": settings.SITE_URL, "MOSAICS_VERSION": mosaics.__version__}
