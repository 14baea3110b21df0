"""factory_boy factories for the domain models. Tests build exactly what they need."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from mosaics.accounts.models import User
from mosaics.catalogue.models import (
    Alignment,
    Competency,
    MicroCredential,
    ReflectionPrompt,
    RubricLevel,
    Version,
)
from mosaics.organisations.models import (
    InstitutionalGoal,
    Issuer,
    Membership,
    Organisation,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Every factory person has a verified primary e-mail (pass verified_email=False to
        skip it), as allauth requires before sign-in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.INSTITUTION
    name = factory.Sequence(lambda n: f"College {n}")
    slug = factory.Sequence(lambda n: f"college-{n}")
    url = "https://college.example"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.SCHOOL
    parent = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.PARTNER
    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    url = "https://partner.example"
    sector = "Data analytics"


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer

    organisation = factory.SubFactory(SchoolFactory)
    kind = Issuer.Kind.ISSUER
    name = factory.LazyAttribute(lambda o: f"{o.organisation.name} Micro-credentials")
    slug = factory.Sequence(lambda n: f"issuer-{n}")
    url = "https://college.example/micro-credentials"
    email = "badges@college.example"


class EndorserProfileFactory(IssuerFactory):
    organisation = factory.SubFactory(PartnerFactory)
    kind = Issuer.Kind.ENDORSER
    name = factory.LazyAttribute(lambda o: o.organisation.name)
    url = "https://partner.example"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(InstitutionFactory)
    role = "designer"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionalGoal

    institution = factory.SubFactory(InstitutionFactory)
    category = InstitutionalGoal.Category.STRATEGIC_PLAN
    code = factory.Sequence(lambda n: f"SP{n}")
    title = factory.Sequence(lambda n: f"Strategic goal {n}")


class MicroCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicroCredential

    issuer = factory.SubFactory(IssuerFactory)
    slug = factory.Sequence(lambda n: f"micro-credential-{n}")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    micro_credential = factory.SubFactory(MicroCredentialFactory)
    number = 1
    state = Version.State.DRAFT
    title = factory.Sequence(lambda n: f"Micro-credential {n}")
    summary = "Apply the skill in a real workplace."
    description = "A short, skills-based micro-credential."
    criteria = "Demonstrate each competency and reflect on the learning."
    estimated_hours = 30
    delivery_mode = "blended"
    language = "en"
    level = "introductory"


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    version = factory.SubFactory(VersionFactory)
    position = factory.Sequence(int)
    statement = factory.Sequence(lambda n: f"Competency {n}")
    demonstration = "Apply it to a real data set from the workplace."


class RubricLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricLevel

    competency = factory.SubFactory(CompetencyFactory)
    position = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Level {n}")
    description = "What this level looks like."


class AlignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alignment

    competency = factory.SubFactory(CompetencyFactory)
    framework = "ESCO"
    target_name = "use statistical analysis techniques"
    target_url = "http://data.europa.eu/esco/skill/7f07c3a4-4b6a-4d6e-9b43-8f5b1c7f1d2e"
    target_code = "S7.2"


class ReflectionPromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionPrompt

    version = factory.SubFactory(VersionFactory)
    text = "What did you learn about applying this skill at work?"


def complete_competency(version: Version, statement: str = "Analyse a data set") -> Competency:
    """A competency that meets the framework: demonstration criterion, a three-level rubric
    with a passing level, and one alignment."""
    competency = CompetencyFactory(version=version, statement=statement)
    levels = [
        RubricLevelFactory(competency=competency, position=i, name=name)
        for i, name in enumerate(["Beginning", "Proficient", "Exemplary"])
    ]
    competency.passing_level = levels[1]
    competency.save(update_fields=["passing_level"])
    AlignmentFactory(competency=competency)
    return competency


def with_key(issuer: Issuer) -> Issuer:
    """`issuer` with an active signing key (generated and encrypted as in production)."""
    from mosaics.issuance.actions import key_ensure

    key_ensure(issuer=issuer, actor=None)
    return issuer


def published_version(
    issuer: Issuer | None = None,
    *,
    competencies: int = 2,
    validity_months: int | None = None,
    **fields: Any,
) -> Version:
    """A published version of a new micro-credential of `issuer` (keyed), with complete
    competencies (set straight in the database: the lifecycle has its own tests)."""
    from django.utils import timezone

    issuer = with_key(issuer or IssuerFactory())
    version = VersionFactory(
        micro_credential=MicroCredentialFactory(issuer=issuer),
        state=Version.State.PUBLISHED,
        validity_months=validity_months,
        **fields,
    )
    for n in range(competencies):
        complete_competency(version, statement=f"Competency {n + 1} of {version.title}")
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    return version


def award(version: Version | None = None, *, email: str = "learner@example.org", **kwargs: Any):
    """An award of `version` (a new published one by default) to `email`, made by the platform
    itself (source api), so tests need no assessor."""
    from mosaics.awards.actions import award_issue

    version = version or published_version()
    kwargs.setdefault("source", "api")
    return award_issue(actor=None, recipient_email=email, version=version, **kwargs)


def published_pathway(issuer: Issuer, micro_credentials: list[Any], **fields: Any) -> Any:
    """A published pathway of `issuer` requiring all of `micro_credentials` (set straight in
    the database: the pathway workflows have their own tests)."""
    from django.utils import timezone

    from mosaics.pathways.models import Pathway, RuleGroup, RuleItem

    fields.setdefault("slug", f"pathway-{Pathway.objects.count() + 1}")
    fields.setdefault("title", "Data Analytics Foundations Certificate")
    pathway = Pathway.objects.create(
        issuer=issuer, state=Pathway.State.PUBLISHED, published_at=timezone.now(), **fields
    )
    root = RuleGroup.objects.create(pathway=pathway, rule=RuleGroup.Rule.ALL)
    for position, micro_credential in enumerate(micro_credentials):
        RuleItem.objects.create(group=root, micro_credential=micro_credential, position=position)
    return pathway
