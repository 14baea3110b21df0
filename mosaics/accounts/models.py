"""People. Every person is a `User`; what they may do comes from `organisations.Membership`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account: learner, staff member, partner, or platform admin.

    `display_name` is what pages show; `legal_name` is what goes into credentials (issue 5
    lets learners edit both). The sign-in e-mail lives in allauth's `EmailAddress` table.
    """

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class BoundDid(models.Model):
    """A DID the learner has proved they control (by signing a challenge with its key).

    New awards name the learner's most recently bound DID as the credential subject's `id`
    instead of a hashed e-mail address (OB §B.1.4). A DID is bound to one account at most
    (the database says so): otherwise two people could share one DID, and the badges of one
    would be the other's to import and present."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bound_dids")
    did = models.CharField(_("DID"), max_length=500)
    bound_at = models.DateTimeField(_("bound"), auto_now_add=True)

    class Meta:
        ordering = ["-bound_at", "-id"]
        verbose_name = _("bound DID")
        verbose_name_plural = _("bound DIDs")
        constraints = [models.UniqueConstraint(fields=["did"], name="bound_did_one_account")]

    def __str__(self) -> str:
        return self.did
