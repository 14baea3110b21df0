"""Pathways (stacks): a larger credential earned by holding micro-credentials, by a rule of
nested groups ("all of", "at least n of"). A pathway is itself an OB 3.0 Achievement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Pathway(models.Model):
    class State(models.TextChoices):
        # Contexts: French agrees these with "parcours" (masculine), unlike design versions.
        DRAFT = "draft", pgettext_lazy("pathway state", "Draft")
        PUBLISHED = "published", pgettext_lazy("pathway state", "Published")
        RETIRED = "retired", pgettext_lazy("pathway state", "Retired")

    class AchievementType(models.TextChoices):
        CERTIFICATE = "Certificate", _("Certificate")
        LEARNING_PROGRAM = "LearningProgram", _("Learning program")
        MICRO_CREDENTIAL = "MicroCredential", _("Micro-credential")
        BADGE = "Badge", _("Badge")

    issuer = models.ForeignKey(
        "organisations.Issuer",
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="pathways",
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    criteria = models.TextField(
        _("how the pathway is earned"), blank=True, help_text=_("Markdown.")
    )
    achievement_type = models.CharField(
        _("kind of credential"),
        max_length=30,
        choices=AchievementType.choices,
        default=AchievementType.CERTIFICATE,
    )
    image = models.FileField(_("image"), upload_to="pathways/", blank=True)
    image_alt = models.CharField(_("image text alternative"), max_length=300, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self) -> str:
        return self.title


class RuleGroup(models.Model):
    """A group of requirements: all of its members, or at least `minimum` of them. Members are
    micro-credentials (`RuleItem`) and nested groups. Each pathway has exactly one root."""

    class Rule(models.TextChoices):
        ALL = "all", _("All of")
        AT_LEAST = "at_least", _("At least")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="groups")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="subgroups"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("group name"), max_length=200, blank=True)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.ALL)
    minimum = models.PositiveIntegerField(_("how many"), null=True, blank=True)

    class Meta:
        ordering = ["pathway", "position", "id"]
        verbose_name = _("requirement group")
        verbose_name_plural = _("requirement groups")
        constraints = [
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(parent__isnull=True), name="one_root_group"
            ),
            models.CheckConstraint(
                condition=Q(rule="all") | Q(minimum__gte=1), name="at_least_has_minimum"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_rule_display()


class RuleItem(models.Model):
    group = models.ForeignKey(RuleGroup, on_delete=models.CASCADE, related_name="items")
    micro_credential = models.ForeignKey(
        "catalogue.MicroCredential", on_delete=models.PROTECT, related_name="pathway_items"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["group", "position", "id"]
        verbose_name = _("required micro-credential")
        verbose_name_plural = _("required micro-credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "micro_credential"], name="unique_item_per_group"
            )
        ]

    def __str__(self) -> str:
        return str(self.micro_credential)
