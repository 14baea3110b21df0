"""Demo data for `mosaics demo` (and `make run`). Idempotent: running it again changes nothing.

Everything is built through the platform's own workflows — the same actions the pages call,
each checking who may act and writing its audit entry — so a demo install shows the platform
working: a college with two schools, two industry partners, published micro-credentials that
partners endorsed with signed credentials, designs in every stage of review, a micro-credential
with two versions, and a pathway. The content itself is in `mosaics.core.demo_content`.

Records are found by their slug (people by username) before anything is created, so a second
run creates nothing; a design that already exists is left exactly as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from mosaics.core import demo_content as content
from mosaics.core.demo_learning import load_learning

DEMO_PASSWORD = "mosaics-demo"  # noqa: S105 - published demo sign-in, printed by the command
IMAGES = Path(__file__).resolve().parent / "static" / "mosaics" / "demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_PEOPLE = (
    DemoPerson(
        "admin",
        "admin@mosaics.test",
        "Ada",
        "Admin",
        "platform admin",
        is_staff=True,
        is_superuser=True,
    ),
    *(
        DemoPerson(person.username, person.email, person.first_name, person.last_name, person.role)
        for person in content.PEOPLE
    ),
)


def load_demo() -> list[tuple[DemoPerson, bool]]:
    """Create whatever part of the demo does not exist yet; return each demo person with
    whether it was created.

    An existing account is left as it is (its password is never reset), so a demo install
    whose admin changed the password stays safe.
    """
    # The demo's people are fictitious (@mosaics.test): the workflows' notification e-mails
    # (invitations to endorse, decisions) and the task runner's log lines about them would
    # only fill the terminal, so no e-mail is sent and the log stays quiet.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        translation.override("en"),
        _quiet("django_tasks"),
    ):
        return _load()


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


@transaction.atomic
def _load() -> list[tuple[DemoPerson, bool]]:
    results, users = _people()
    admin = users["admin"]
    organisations = _organisations(admin, users)
    _memberships(admin, users, organisations)
    issuers = _issuers(users, organisations)
    goals = _goals(users["tlc"], organisations[content.INSTITUTION.slug])
    partners = {org.slug: organisations[org.slug] for org in content.PARTNERS}
    for spec in content.DESIGNS:
        _design(spec, users=users, issuers=issuers, goals=goals, partners=partners)
    _pathway(content.PATHWAY, users=users, issuers=issuers)
    _awards(content.AWARDS, users=users)
    load_learning(users)
    return results


# --- people ------------------------------------------------------------------------------


def _people() -> tuple[list[tuple[DemoPerson, bool]], dict[str, Any]]:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    results = []
    users = {}
    # One hash for every new demo account: hashing is deliberately slow, and the password is
    # published anyway.
    password_hash = None
    for person in DEMO_PEOPLE:
        user, created = user_model.objects.get_or_create(
            username=person.username,
            defaults={
                "email": person.email,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "is_staff": person.is_staff,
                "is_superuser": person.is_superuser,
            },
        )
        if created:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])
        # Signing in is by verified e-mail address (allauth); an account that already has
        # addresses keeps them, and an address someone else uses is never taken over.
        if (
            not EmailAddress.objects.filter(user=user).exists()
            and not EmailAddress.objects.filter(email=person.email.lower()).exists()
        ):
            EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
        results.append((person, created))
        users[person.username] = user
    return results, users


# --- organisations, issuers, roles, goals ------------------------------------------------


def _organisations(admin: Any, users: dict[str, Any]) -> dict[str, Any]:
    from mosaics.organisations.actions import organisation_create
    from mosaics.organisations.models import Organisation

    def ensure(org: content.Org, kind: str, actor: Any, parent: Any = None) -> Any:
        existing = Organisation.objects.filter(slug=org.slug).first()
        if existing is not None:
            return existing
        return organisation_create(
            actor=actor,
            kind=kind,
            name=org.name,
            slug=org.slug,
            parent=parent,
            url=org.url,
            email=org.email,
            description=org.description,
            sector=org.sector,
        )

    found = {}
    institution = ensure(content.INSTITUTION, Organisation.Kind.INSTITUTION, admin)
    found[institution.slug] = institution
    for partner in content.PARTNERS:
        found[partner.slug] = ensure(partner, Organisation.Kind.PARTNER, admin)
    # The institution's first admin is granted by the platform admin; schools are then the
    # institution admin's to create.
    _grant(admin, institution, users["tlc"], "institution_admin")
    for school in content.SCHOOLS:
        found[school.slug] = ensure(school, Organisation.Kind.SCHOOL, users["tlc"], institution)
    return found


def _grant(actor: Any, organisation: Any, user: Any, role: str) -> None:
    from mosaics.organisations.actions import membership_grant
    from mosaics.organisations.models import Membership

    if not Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        membership_grant(actor=actor, organisation=organisation, user=user, role=role)


def _memberships(admin: Any, users: dict[str, Any], organisations: dict[str, Any]) -> None:
    partner_slugs = {org.slug for org in content.PARTNERS}
    for person in content.PEOPLE:
        for slug, role in person.memberships:
            # Partners' endorsers are granted by the platform admin, the college's staff by
            # its institution admin.
            actor = admin if slug in partner_slugs else users["tlc"]
            _grant(actor, organisations[slug], users[person.username], role)


def _issuers(users: dict[str, Any], organisations: dict[str, Any]) -> dict[str, Any]:
    from mosaics.organisations.actions import issuer_create
    from mosaics.organisations.models import Issuer

    found = {}
    for profile, actor in [
        *((profile, users["tlc"]) for profile in content.ISSUERS),
        *((profile, users["admin"]) for profile in content.ENDORSERS),
    ]:
        issuer = Issuer.objects.filter(slug=profile.slug).first()
        if issuer is None:
            issuer = issuer_create(
                actor=actor,
                organisation=organisations[profile.organisation],
                name=profile.name,
                slug=profile.slug,
                url=profile.url,
                email=profile.email,
                description=profile.description,
            )
        found[profile.slug] = issuer
    return found


def _goals(actor: Any, institution: Any) -> dict[str, Any]:
    from mosaics.organisations.actions import goal_create
    from mosaics.organisations.models import InstitutionalGoal

    found = {}
    for goal in content.GOALS:
        existing = InstitutionalGoal.objects.filter(
            institution=institution, category=goal.category, title=goal.title
        ).first()
        found[goal.code] = existing or goal_create(
            actor=actor,
            institution=institution,
            category=goal.category,
            title=goal.title,
            code=goal.code,
            description=goal.description,
        )
    return found


# --- designs -----------------------------------------------------------------------------


def _image(name: str) -> File[bytes]:
    """A demo badge image, read into memory (the action checks and rebuilds it)."""
    from django.core.files.base import ContentFile

    return ContentFile((IMAGES / name).read_bytes(), name=name)


def _design(
    spec: content.DesignSpec,
    *,
    users: dict[str, Any],
    issuers: dict[str, Any],
    goals: dict[str, Any],
    partners: dict[str, Any],
) -> None:
    from mosaics.catalogue import actions as catalogue
    from mosaics.catalogue.models import MicroCredential

    if MicroCredential.objects.filter(slug=spec.slug).exists():
        return
    designer = users[spec.designer]
    version = catalogue.micro_credential_create(
        actor=designer, issuer=issuers[spec.issuer], title=spec.title, slug=spec.slug
    )
    fields: dict[str, Any] = {
        "summary": spec.summary,
        "description": spec.description,
        "criteria": spec.criteria,
        "estimated_hours": spec.estimated_hours,
        "delivery_mode": spec.delivery_mode,
        "level": spec.level,
        "credits_available": Decimal(spec.credits_available) if spec.credits_available else None,
        "field_of_study": spec.field_of_study,
        "human_code": spec.human_code,
        "tags": list(spec.tags),
        "validity_months": spec.validity_months,
        "prerequisites": spec.prerequisites,
    }
    version = catalogue.version_update(actor=designer, version=version, **fields)
    if spec.image:
        version = catalogue.version_image_set(
            actor=designer, version=version, image=_image(spec.image), alt=spec.image_alt
        )
    if spec.goals:
        catalogue.version_goals_set(
            actor=designer, version=version, goals=[goals[code] for code in spec.goals]
        )
    for competency_spec in spec.competencies:
        _competency(designer, version, competency_spec)
    for prompt in spec.prompts:
        catalogue.reflection_prompt_add(actor=designer, version=version, text=prompt)

    if spec.state == "draft":
        return
    version = catalogue.version_submit(actor=designer, version=version)
    reviewer = users["reviewer"]
    if spec.state == "submitted":
        if spec.endorse is not None:
            _endorse(version, spec.endorse, designer=designer, users=users, partners=partners)
        return
    if spec.state == "changes_requested":
        catalogue.version_request_changes(
            actor=reviewer, version=version, comment=spec.changes_requested
        )
        return
    version = catalogue.version_approve(actor=reviewer, version=version, comment=spec.approval)
    assert spec.endorse is not None, spec.slug
    _endorse(version, spec.endorse, designer=designer, users=users, partners=partners)
    version = catalogue.version_publish(actor=users["tlc"], version=version)

    if spec.next_version:
        _next_version(spec, version, designer=designer, users=users, partners=partners)


def _competency(designer: Any, version: Any, spec: content.CompetencySpec) -> None:
    from mosaics.catalogue import actions as catalogue

    competency = catalogue.competency_add(
        actor=designer, version=version, statement=spec.statement, demonstration=spec.demonstration
    )
    if any(spec.rubric):
        levels = {
            name: catalogue.rubric_level_add(
                actor=designer,
                competency=competency,
                name=name,
                description=description,
                points=points,
            )
            for points, (name, description) in enumerate(
                zip(content.LEVELS, spec.rubric, strict=True), start=1
            )
        }
        catalogue.competency_passing_level_set(
            actor=designer, competency=competency, level=levels[content.PASSING_LEVEL]
        )
    for framework, name, url, code in spec.alignments:
        catalogue.alignment_add(
            actor=designer,
            competency=competency,
            framework=framework,
            target_name=name,
            target_url=url,
            target_code=code,
            framework_name=(
                "Northern Lights College graduate attributes" if framework == "institution" else ""
            ),
        )


def _endorse(
    version: Any,
    spec: content.Endorse,
    *,
    designer: Any,
    users: dict[str, Any],
    partners: dict[str, Any],
) -> None:
    """The partner is asked, asks a question, hears the answer, and endorses (or, without an
    answer and a statement yet, is still reviewing)."""
    from mosaics.endorsements import actions as endorsements

    partner = partners[spec.partner]
    endorser = users[
        next(p.username for p in content.PEOPLE if (spec.partner, "endorser") in p.memberships)
    ]
    request = endorsements.endorsement_request_send(
        actor=designer, version=version, partner=partner, message=spec.message
    )
    endorsements.endorsement_comment_add(actor=endorser, request=request, body=spec.question)
    if not spec.answer:
        return
    endorsements.endorsement_comment_add(actor=designer, request=request, body=spec.answer)
    if not spec.statement:
        return
    endorsements.endorsement_sign(
        actor=endorser, request=request, statement=spec.statement, valid_months=24
    )


def _next_version(
    spec: content.DesignSpec,
    published: Any,
    *,
    designer: Any,
    users: dict[str, Any],
    partners: dict[str, Any],
) -> None:
    """Version 2 of a published design: edited, reviewed, endorsed afresh and published,
    which supersedes version 1 (so the design's history shows both)."""
    from mosaics.catalogue import actions as catalogue

    changes = dict(spec.next_version)
    prompt = changes.pop("prompt", None)
    if "credits_available" in changes:
        changes["credits_available"] = Decimal(str(changes["credits_available"]))
    version = catalogue.version_start_next(actor=designer, version=published)
    version = catalogue.version_update(actor=designer, version=version, **changes)
    if prompt:
        catalogue.reflection_prompt_add(actor=designer, version=version, text=str(prompt))
    version = catalogue.version_submit(actor=designer, version=version)
    version = catalogue.version_approve(
        actor=users["reviewer"], version=version, comment="Version 2 approved."
    )
    assert spec.next_endorse is not None, spec.slug
    _endorse(version, spec.next_endorse, designer=designer, users=users, partners=partners)
    catalogue.version_publish(actor=users["tlc"], version=version)


# --- the pathway -------------------------------------------------------------------------


def _pathway(spec: content.PathwaySpec, *, users: dict[str, Any], issuers: dict[str, Any]) -> None:
    from mosaics.catalogue.models import MicroCredential
    from mosaics.core.uploads import clean_image
    from mosaics.pathways import actions as pathways
    from mosaics.pathways.models import Pathway

    if Pathway.objects.filter(slug=spec.slug).exists():
        return
    designer = users[spec.designer]
    image, _content_type = clean_image(_image(spec.image))
    pathway = pathways.pathway_create(
        actor=designer,
        issuer=issuers[spec.issuer],
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        description=spec.description,
        criteria=spec.criteria,
        image=image,
        image_alt=spec.image_alt,
    )
    root = pathway.groups.get(parent__isnull=True)
    for slug in spec.required:
        pathways.rule_item_add(
            actor=designer, group=root, micro_credential=MicroCredential.objects.get(slug=slug)
        )
    choice = pathways.rule_group_add(
        actor=designer,
        parent=root,
        title=spec.choose_title,
        rule="at_least",
        minimum=spec.choose_minimum,
    )
    for slug in spec.choose_from:
        pathways.rule_item_add(
            actor=designer, group=choice, micro_credential=MicroCredential.objects.get(slug=slug)
        )
    pathways.pathway_publish(actor=users["tlc"], pathway=pathway)


# --- awards ------------------------------------------------------------------------------


def _awards(specs: tuple[content.AwardSpec, ...], *, users: dict[str, Any]) -> None:
    """Badges in every state a learner meets: claimed and shared, claimed, waiting to be
    claimed, expired, suspended and revoked; the second learner's complete the pathway, which
    is then awarded by itself (after commit, like any award)."""
    from datetime import timedelta

    from django.utils import timezone

    from mosaics.awards import actions as awards
    from mosaics.awards import sharing
    from mosaics.awards.models import Award
    from mosaics.catalogue.models import Version

    for spec in specs:
        learner = users[spec.learner]
        version = Version.objects.published().filter(micro_credential__slug=spec.design).first()
        if (
            version is None
            or Award.objects.filter(
                learner=learner, version__micro_credential=version.micro_credential
            ).exists()
        ):
            continue
        results = {
            competency.pk: level.pk
            for competency in version.competencies.all()
            for level in competency.levels.all()
            if level.name == spec.level
        }
        award = awards.award_issue(
            actor=users["assessor"],
            recipient_email=learner.email,
            version=version,
            narrative=spec.narrative,
            evidence=[
                awards.EvidenceInput(
                    name=item.name, narrative=item.narrative, url=item.url, private=item.private
                )
                for item in spec.evidence
            ],
            results=results,
            recipient_name=learner.get_full_name(),
            now=timezone.now() - timedelta(days=spec.days_ago),
        )
        if spec.accepted:
            awards.award_accept(actor=learner, award=award)
        if spec.shared:
            sharing.award_share(actor=learner, award=award, shared=True)
        if spec.suspended:
            awards.award_suspend(actor=users["tlc"], award=award, reason=spec.suspended)
        if spec.revoked:
            awards.award_revoke(actor=users["tlc"], award=award, reason=spec.revoked)
