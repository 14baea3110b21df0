"""Catalogue workflows (`<entity>_<verb>`): design editing in `design`, the framework review
lifecycle and versioning in `lifecycle`."""

from __future__ import annotations

from mosaics.catalogue.actions.design import *  # noqa: F403
from mosaics.catalogue.actions.lifecycle import *  # noqa: F403
