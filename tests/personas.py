"""Personas: one person per role around one institution, plus outsiders.

`world` is the Northern College setting: an institution with two schools, an issuer in the
School of Business, a partner (Prairie Analytics) with its endorser profile, and a second
institution (Elsewhere College) whose staff must be refused everything here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories as f


@dataclass
class World:
    institution: Any
    business: Any
    health: Any
    issuer: Any
    partner: Any
    endorser_profile: Any
    goal: Any
    other_institution: Any
    other_school: Any
    other_issuer: Any
    other_partner: Any
    people: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


# Every persona the role matrix checks. `anonymous` is the signed-out visitor (None).
PERSONAS = (
    "anonymous",
    "learner",
    "platform_admin",
    "tlc_admin",
    "designer",
    "reviewer",
    "assessor",
    "endorser",
    "other_designer",
    "other_admin",
    "other_endorser",
)


@pytest.fixture
def world(db: None) -> World:
    institution = f.InstitutionFactory(name="Northern College", slug="northern")
    business = f.SchoolFactory(parent=institution, name="School of Business", slug="business")
    health = f.SchoolFactory(parent=institution, name="School of Health", slug="health")
    issuer = f.IssuerFactory(
        organisation=business, name="Northern College School of Business", slug="northern-business"
    )
    partner = f.PartnerFactory(name="Prairie Analytics", slug="prairie-analytics")
    endorser_profile = f.EndorserProfileFactory(organisation=partner, slug="prairie-analytics")
    goal = f.GoalFactory(institution=institution, title="Work-integrated learning for all")
    other_institution = f.InstitutionFactory(name="Elsewhere College", slug="elsewhere")
    other_school = f.SchoolFactory(parent=other_institution, name="Elsewhere School")
    other_issuer = f.IssuerFactory(organisation=other_school, slug="elsewhere-issuer")
    other_partner = f.PartnerFactory(name="Other Partner Inc", slug="other-partner")

    def person(username: str, *memberships: tuple[Any, str], **extra: Any) -> Any:
        user = f.UserFactory(username=username, **extra)
        for organisation, role in memberships:
            f.MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    people = {
        "anonymous": None,
        "learner": person("learner"),
        "platform_admin": person("platform_admin", is_superuser=True, is_staff=True),
        "tlc_admin": person("tlc_admin", (institution, "institution_admin")),
        "designer": person("designer", (business, "designer")),
        "reviewer": person("reviewer", (institution, "reviewer")),
        "assessor": person("assessor", (business, "assessor")),
        "endorser": person("endorser", (partner, "endorser")),
        "other_designer": person("other_designer", (other_school, "designer")),
        "other_admin": person("other_admin", (other_institution, "institution_admin")),
        "other_endorser": person("other_endorser", (other_partner, "endorser")),
    }
    return World(
        institution=institution,
        business=business,
        health=health,
        issuer=issuer,
        partner=partner,
        endorser_profile=endorser_profile,
        goal=goal,
        other_institution=other_institution,
        other_school=other_school,
        other_issuer=other_issuer,
        other_partner=other_partner,
        people=people,
    )


def client_for(client: Any, user: Any) -> Any:
    """`client` signed in as `user` (or left signed out for None)."""
    if user is not None:
        client.force_login(user)
    return client
