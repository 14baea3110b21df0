"""E-mail notifications, kept until they are sent (an outbox).

A workflow that must tell someone something creates a `Notification` row in its own
transaction (`mosaics.notifications.outbox.notify`), so the message is never lost when the state
change is kept, and never sent when it is rolled back. After commit a task renders and sends
it; a failure is recorded and retried later with back-off (`mosaics notifications send`).
Rows hold ids, never rendered text: links with secrets in them (attestation, claim) are
derived again at send time, so no token is ever stored.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")
        CANCELLED = "cancelled", _("No longer needed")

    kind = models.CharField(_("kind"), max_length=80)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    #: "<app_label>.<model>:<pk>" of what the message is about.
    target = models.CharField(max_length=120)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    #: The last failure's exception type and message (never the message body or a link).
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
