"""Who may see a design: endorsers only while their partner's request is open or endorsed,
and never the internal framework review."""

from __future__ import annotations

from typing import Any

import pytest

from mosaics.catalogue.models import ReviewComment, Version
from mosaics.endorsements.models import EndorsementRequest
from mosaics.organisations import permissions
from tests.personas import client_for
from tests.web.test_lifecycle_support import design_page, design_url, make_design

__all__ = ["design_page"]  # the fixture, used by name

State = EndorsementRequest.State


def _asked(world: Any, state: str) -> Version:
    version = make_design(world, state=Version.State.SUBMITTED, title="Applied Data Stories")
    EndorsementRequest.objects.create(
        version=version, partner=world.partner, state=state, requested_by=world.designer
    )
    ReviewComment.objects.create(
        version=version,
        author=world.reviewer,
        kind=ReviewComment.Kind.CHANGES_REQUESTED,
        body="Internal: the rubric for competency 2 is too vague.",
    )
    return version


@pytest.mark.parametrize("state", [State.OPEN, State.ENDORSED])
def test_an_endorser_sees_the_design_while_the_request_is_open_or_endorsed(
    world: Any, state: str
) -> None:
    version = _asked(world, state)
    assert permissions.can_view_design(world.endorser, version)
    assert not permissions.can_view_design(world.other_endorser, version)


@pytest.mark.parametrize("state", [State.CANCELLED, State.DECLINED])
def test_an_endorser_of_a_cancelled_or_declined_request_gets_a_404(
    world: Any, client: Any, design_page: None, state: str
) -> None:
    version = _asked(world, state)
    assert not permissions.can_view_design(world.endorser, version)
    client_for(client, world.endorser)
    response = client.get(design_url(version))
    assert response.status_code == 404
    assert "Applied Data Stories" not in response.content.decode()


def test_an_invited_endorser_sees_the_design_but_not_the_review(
    world: Any, client: Any, design_page: None
) -> None:
    version = _asked(world, State.OPEN)
    reviewer_name = world.reviewer.get_full_name() or world.reviewer.get_username()
    designer_name = world.designer.get_full_name() or world.designer.get_username()
    client_for(client, world.endorser)
    response = client.get(design_url(version))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Applied Data Stories" in html
    assert "too vague" not in html
    assert "Review comments" not in html
    assert reviewer_name not in html
    assert designer_name not in html
    assert 'name="comment"' not in html
    # The design team still sees the review, with names.
    client_for(client, world.designer)
    html = client.get(design_url(version)).content.decode()
    assert "too vague" in html
    assert reviewer_name in html
