"""Organisations, the issuer profiles they sign as, who holds which role, and invitations.

An institution has schools (faculties); each institution or school has one or more issuer
profiles that sign credentials. An industry partner is an organisation too; it signs its
endorsements as its own endorser profile (an `Issuer` with kind `endorser`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        SCHOOL = "school", _("School or faculty")
        PARTNER = "partner", _("Industry or community partner")
        #: The platform itself: its issuer profile signs the CLRs learners export. Nobody holds
        #: a role in it and no staff page lists it.
        PLATFORM = "platform", _("The platform")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The institution a school or faculty belongs to."),
    )
    url = models.URLField(_("web site"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    sector = models.CharField(
        _("industry or sector"), max_length=120, blank=True, help_text=_("For partners.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="school", parent__isnull=False) | ~Q(kind="school"),
                name="school_has_institution",
            ),
            models.CheckConstraint(
                condition=Q(kind="school") | Q(parent__isnull=True),
                name="only_schools_have_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def institution(self) -> Organisation | None:
        """The institution this organisation is or belongs to (None for partners)."""
        if self.kind == self.Kind.INSTITUTION:
            return self
        if self.kind == self.Kind.SCHOOL:
            return self.parent
        return None

    def scope(self) -> list[Organisation]:
        """Organisations whose role holders act on this one: itself and, for a school,
        its institution (an institution-level role covers every school)."""
        return [self, self.parent] if self.parent_id and self.parent else [self]


class Issuer(models.Model):
    """A signing identity published as an OB 3.0 `Profile` and a did:web document.

    Its DID is derived from SITE_URL and the slug (`did:web:<host>:issuers:<slug>`), so it is
    stable for as long as the site's address is.
    """

    class Kind(models.TextChoices):
        ISSUER = "issuer", _("Credential issuer")
        ENDORSER = "endorser", _("Endorser")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="issuers",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ISSUER)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    url = models.URLField(_("web site"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("issuer profile")
        verbose_name_plural = _("issuer profiles")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin (Teaching & Learning Centre)")
    DESIGNER = "designer", _("Faculty designer")
    REVIEWER = "reviewer", _("Framework reviewer")
    ASSESSOR = "assessor", _("Assessor")
    ENDORSER = "endorser", _("Industry endorser")


# Which roles an organisation of each kind can grant.
ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    Organisation.Kind.INSTITUTION: (
        Role.INSTITUTION_ADMIN,
        Role.DESIGNER,
        Role.REVIEWER,
        Role.ASSESSOR,
    ),
    Organisation.Kind.SCHOOL: (Role.DESIGNER, Role.REVIEWER, Role.ASSESSOR),
    Organisation.Kind.PARTNER: (Role.ENDORSER,),
    Organisation.Kind.PLATFORM: (),
}


class Membership(models.Model):
    """One role held by one person in one organisation. A person may hold many."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class Invitation(models.Model):
    """An e-mailed invitation to take a role in an organisation.

    Only a hash of the token is stored; the token itself is in the e-mailed link.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires > timezone.now()
        )


class InstitutionalGoal(models.Model):
    """One of the institution's values, strategic-plan goals or digital-learning-strategy
    goals; every design must align with at least one (framework gate 4)."""

    class Category(models.TextChoices):
        VALUE = "value", _("Institutional value")
        STRATEGIC_PLAN = "strategic_plan", _("Strategic plan")
        DIGITAL_LEARNING = "digital_learning", _("Digital learning strategy")

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="goals",
        limit_choices_to={"kind": Organisation.Kind.INSTITUTION},
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("offered for new designs"), default=True)

    class Meta:
        ordering = ["category", "code", "title"]
        verbose_name = _("institutional goal")
        verbose_name_plural = _("institutional goals")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "category", "title"], name="unique_goal_title"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()
