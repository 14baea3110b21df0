"""What each kind of notification says: its templates and how its context is built from the
object it is about. Apps register their kinds when they are ready (`AppConfig.ready`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Kind", "get", "register"]


@dataclass(frozen=True)
class Kind:
    name: str
    #: Template path prefix: `<template>_subject.txt`, `<template>_body.txt` and, when `html`,
    #: `<template>_body.html`.
    template: str
    #: Builds the template context from the target object. Returning None cancels the
    #: message (what it was about has moved on, e.g. an attestation that was answered).
    context: Callable[[Any], dict[str, Any] | None]
    html: bool = True


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    template: str,
    context: Callable[[Any], dict[str, Any] | None],
    html: bool = True,
) -> Kind:
    kind = Kind(name=name, template=template, context=context, html=html)
    _KINDS[name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _KINDS.get(name)
