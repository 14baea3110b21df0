"""Write audit entries. Call `record()` inside the action's atomic block."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from mosaics.audit.models import AuditEntry

if TYPE_CHECKING:
    from mosaics.organisations.models import Organisation


def target_of(obj: models.Model) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}:{obj.pk}"


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    organisation: Organisation | None = None,
    **data: Any,
) -> AuditEntry:
    """Record that `actor` did `action` to `target`. `data` must be JSON-serialisable and
    must never contain secrets (keys, tokens, passwords)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target=target_of(target),
        organisation=organisation,
        data=data,
    )


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target=target_of(obj)).select_related("actor")
