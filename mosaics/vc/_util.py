"""Small helpers shared by the core's modules."""

from __future__ import annotations

from typing import Any


def as_list(value: object) -> list[Any]:
    """A JSON-LD value as a list: absent → [], a single value → [value], a list as it is.

    Many OB 3.0 / VC properties may be a single value or an array (VC Data Model 2.0 §4).
    """
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]
