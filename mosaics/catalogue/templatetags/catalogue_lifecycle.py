"""`{% load catalogue_lifecycle %}`: which lifecycle steps the person may take now."""

from __future__ import annotations

from typing import Any

from django import template

from mosaics.catalogue import gates
from mosaics.catalogue.models import Version
from mosaics.organisations import permissions
from mosaics.organisations.models import Role

register = template.Library()

State = Version.State


@register.simple_tag
def lifecycle_steps(user: Any, version: Version, checklist: Any = None) -> dict[str, Any]:
    """The buttons to show on the design page (the actions check again when posted), the
    open version that blocks a new one, and the gates that would refuse publication."""
    organisation = version.micro_credential.issuer.organisation
    state = version.state
    on_team = permissions.has_role(user, organisation, *permissions.DESIGN_TEAM)
    reviewer = permissions.has_role(user, organisation, Role.REVIEWER, Role.INSTITUTION_ADMIN)
    author = permissions.is_author(user, version)
    publisher = permissions.can_publish_design(user, version)
    open_version = None
    if state in (State.PUBLISHED, State.SUPERSEDED, State.RETIRED):
        open_version = version.micro_credential.versions.filter(
            state__in=Version.OPEN_STATES
        ).first()
    publish = state == State.APPROVED and publisher
    if publish:
        checklist = gates.evaluate(version) if checklist is None else checklist
        failing = [gate for gate in checklist if not gate.passed]
    else:
        failing = []
    return {
        "submit": state in Version.EDITABLE_STATES and permissions.can_edit_design(user, version),
        "review": state == State.SUBMITTED and reviewer and not author,
        "own_design": state == State.SUBMITTED and reviewer and author,
        "publish": publish,
        "failing": failing,
        "retire": state == State.PUBLISHED and publisher,
        "start_next": state == State.PUBLISHED
        and permissions.can_create_design(user, organisation)
        and open_version is None,
        "open_version": open_version if on_team else None,
        "comment": state in Version.OPEN_STATES and on_team,
        "history": on_team,
        # Review comments and who wrote or approved the design are internal to the team.
        "on_team": on_team,
    }
