"""The framework review lifecycle: every transition, every refusal (wrong state, wrong role,
the author reviewing their own design), and the views × personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.catalogue.actions import lifecycle
from mosaics.catalogue.errors import TransitionRefused
from mosaics.catalogue.models import ReviewComment, Version
from tests.personas import PERSONAS, client_for
from tests.web.test_lifecycle_support import (
    audit_count,
    design_page,  # noqa: F401 - fixture
    design_url,
    endorse,
    make_complete,
    make_design,
    step_url,
)

State = Version.State
ALL_STATES = [state for state, _label in State.choices]


def _reload(version: Version) -> Version:
    return Version.objects.get(pk=version.pk)


def _assert_refused(call: Any, version: Version, *, match: str | None = None) -> None:
    before_state, before_audit = _reload(version).state, audit_count()
    before_comments = ReviewComment.objects.count()
    with pytest.raises(TransitionRefused, match=match):
        call()
    assert _reload(version).state == before_state
    assert audit_count() == before_audit
    assert ReviewComment.objects.count() == before_comments


# --- actions: the happy path ----------------------------------------------------------------


def test_a_design_goes_from_draft_to_published_and_retired(world: Any) -> None:
    version = make_complete(make_design(world), world)

    lifecycle.version_submit(actor=world.designer, version=version)
    version = _reload(version)
    assert version.state == State.SUBMITTED
    assert version.submitted_at is not None

    lifecycle.version_request_changes(
        actor=world.reviewer, version=version, comment="Name the workplace setting."
    )
    version = _reload(version)
    assert version.state == State.CHANGES_REQUESTED
    assert version.is_editable
    assert version.comments.get().kind == ReviewComment.Kind.CHANGES_REQUESTED

    lifecycle.version_submit(actor=world.designer, version=version)
    lifecycle.version_approve(actor=world.reviewer, version=version, comment="Good to go.")
    version = _reload(version)
    assert version.state == State.APPROVED
    assert version.approved_by == world.reviewer
    assert version.approved_at is not None
    assert version.comments.last().kind == ReviewComment.Kind.APPROVED  # type: ignore[union-attr]

    lifecycle.version_publish(actor=world.tlc_admin, version=version)
    version = _reload(version)
    assert version.state == State.PUBLISHED
    assert version.published_at is not None

    lifecycle.version_retire(actor=world.tlc_admin, version=version)
    version = _reload(version)
    assert version.state == State.RETIRED
    assert version.retired_at is not None

    actions = list(
        AuditEntry.objects.filter(target=f"catalogue.version:{version.pk}")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "version.submit",
        "version.request_changes",
        "version.submit",
        "version.approve",
        "version.publish",
        "version.retire",
    ]
    assert set(AuditEntry.objects.values_list("organisation", flat=True)) == {world.business.pk}
    resubmit = AuditEntry.objects.filter(action="version.submit").order_by("id").last()
    assert resubmit is not None
    assert resubmit.data["resubmitted"] is True


def test_publishing_fills_the_search_text(world: Any) -> None:
    version = make_complete(
        make_design(
            world,
            state=State.APPROVED,
            title="Statistical Analysis Software",
            description="Use **SAS** on real data.",
        ),
        world,
    )
    lifecycle.version_publish(actor=world.tlc_admin, version=version)
    text = _reload(version).search_text
    for expected in [
        "statistical analysis software",
        "use sas on real data.",
        "analyse a data set with statistical software",
        "use statistical analysis techniques",
        "s7.2",
        "statistics",
        "data analytics",
        "northern college school of business",
        "school of business",
    ]:
        assert expected in text
    assert "**" not in text
    assert text == text.lower()


def test_review_comments_are_added_by_the_design_team(world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    for person in (world.designer, world.reviewer, world.tlc_admin):
        lifecycle.review_comment_add(actor=person, version=version, body=f"From {person}")
    assert version.comments.filter(kind=ReviewComment.Kind.COMMENT).count() == 3
    assert AuditEntry.objects.filter(action="review_comment.add").count() == 3


# --- actions: wrong state -------------------------------------------------------------------

STEPS: dict[str, tuple[set[str], Any]] = {
    "submit": (
        {State.DRAFT, State.CHANGES_REQUESTED},
        lambda w, v: lifecycle.version_submit(actor=w.designer, version=v),
    ),
    "request_changes": (
        {State.SUBMITTED},
        lambda w, v: lifecycle.version_request_changes(actor=w.reviewer, version=v, comment="x"),
    ),
    "approve": (
        {State.SUBMITTED},
        lambda w, v: lifecycle.version_approve(actor=w.reviewer, version=v),
    ),
    "publish": (
        {State.APPROVED},
        lambda w, v: lifecycle.version_publish(actor=w.tlc_admin, version=v),
    ),
    "retire": (
        {State.PUBLISHED},
        lambda w, v: lifecycle.version_retire(actor=w.tlc_admin, version=v),
    ),
    "start_next": (
        {State.PUBLISHED},
        lambda w, v: lifecycle.version_start_next(actor=w.designer, version=v),
    ),
    "comment": (
        set(Version.OPEN_STATES),
        lambda w, v: lifecycle.review_comment_add(actor=w.designer, version=v, body="x"),
    ),
}


@pytest.mark.parametrize(
    ("step", "state"),
    [
        (step, state)
        for step, (allowed, _) in STEPS.items()
        for state in ALL_STATES
        if state not in allowed
    ],
)
def test_each_step_is_refused_from_every_other_state(world: Any, step: str, state: str) -> None:
    version = make_complete(make_design(world, state=state), world)
    before_versions = Version.objects.count()
    _assert_refused(lambda: STEPS[step][1](world, version), version, match="not possible while")
    assert Version.objects.count() == before_versions


# --- actions: wrong person ------------------------------------------------------------------

# Who may take each step on a design of the School of Business (designer wrote it).
ALLOWED = {
    "submit": {"designer", "tlc_admin", "platform_admin"},
    "request_changes": {"reviewer", "tlc_admin", "platform_admin"},
    "approve": {"reviewer", "tlc_admin", "platform_admin"},
    "publish": {"tlc_admin", "platform_admin"},
    "retire": {"tlc_admin", "platform_admin"},
    "start_next": {"designer", "tlc_admin", "platform_admin"},
    "comment": {"designer", "reviewer", "tlc_admin", "platform_admin"},
}
STATE_FOR = {
    "submit": State.DRAFT,
    "request_changes": State.SUBMITTED,
    "approve": State.SUBMITTED,
    "publish": State.APPROVED,
    "retire": State.PUBLISHED,
    "start_next": State.PUBLISHED,
    "comment": State.SUBMITTED,
}


def _run(step: str, actor: Any, version: Version) -> Any:
    calls = {
        "submit": lambda: lifecycle.version_submit(actor=actor, version=version),
        "request_changes": lambda: lifecycle.version_request_changes(
            actor=actor, version=version, comment="Please add a rubric."
        ),
        "approve": lambda: lifecycle.version_approve(actor=actor, version=version),
        "publish": lambda: lifecycle.version_publish(actor=actor, version=version),
        "retire": lambda: lifecycle.version_retire(actor=actor, version=version),
        "start_next": lambda: lifecycle.version_start_next(actor=actor, version=version),
        "comment": lambda: lifecycle.review_comment_add(actor=actor, version=version, body="Hi"),
    }
    return calls[step]()


@pytest.mark.parametrize(
    ("step", "persona"), [(step, persona) for step in ALLOWED for persona in PERSONAS]
)
def test_each_step_is_taken_only_by_the_roles_allowed(world: Any, step: str, persona: str) -> None:
    version = make_complete(make_design(world, state=STATE_FOR[step]), world)
    actor = world.people[persona]
    if persona in ALLOWED[step]:
        _run(step, actor, version)
        assert audit_count() == 1
    else:
        before_versions = Version.objects.count()
        _assert_refused(lambda: _run(step, actor, version), version)
        assert Version.objects.count() == before_versions


@pytest.mark.parametrize("step", ["approve", "request_changes"])
def test_the_designer_cannot_review_their_own_design(world: Any, step: str) -> None:
    # The designer also holds the reviewer role: still refused, because they wrote it.
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.designer, organisation=world.business, role="reviewer")
    version = make_design(world, state=State.SUBMITTED)
    _assert_refused(lambda: _run(step, world.designer, version), version, match="own design")


@pytest.mark.parametrize("step", ["approve", "request_changes"])
def test_an_institution_admin_who_edited_the_design_cannot_review_it(world: Any, step: str) -> None:
    version = make_design(world, state=State.SUBMITTED)
    version.contributors.add(world.tlc_admin)
    _assert_refused(lambda: _run(step, world.tlc_admin, version), version, match="own design")
    # Another reviewer can.
    _run(step, world.reviewer, version)


def test_a_reviewer_who_created_the_version_cannot_approve_it(world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED, created_by=world.reviewer)
    _assert_refused(lambda: _run("approve", world.reviewer, version), version, match="own design")


def test_requesting_changes_needs_a_comment(world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    _assert_refused(
        lambda: lifecycle.version_request_changes(
            actor=world.reviewer, version=version, comment=" "
        ),
        version,
        match="what needs to change",
    )


def test_an_empty_or_overlong_review_comment_is_refused(world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    for body in ("", "x" * (lifecycle.COMMENT_MAX_LENGTH + 1)):
        _assert_refused(
            lambda body=body: lifecycle.review_comment_add(
                actor=world.designer, version=version, body=body
            ),
            version,
        )


def test_an_endorser_asked_to_endorse_cannot_take_lifecycle_steps(world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    endorse(version, world)  # the endorser's organisation has a request for this version
    for step in ("approve", "request_changes", "comment"):
        _assert_refused(lambda step=step: _run(step, world.endorser, version), version)


# --- views ----------------------------------------------------------------------------------

VIEW_FOR = {
    "submit": "version_submit",
    "request_changes": "version_request_changes",
    "approve": "version_approve",
    "publish": "version_publish",
    "retire": "version_retire",
    "start_next": "version_start_next",
    "comment": "review_comment_add",
}
# The design team, and the endorser whose organisation was asked to endorse it, see the
# design (refused with a message when not allowed); everyone else gets a 404, as if the
# design did not exist.
SEES_THE_DESIGN = {"designer", "reviewer", "tlc_admin", "platform_admin", "endorser"}


@pytest.mark.usefixtures("design_page")
@pytest.mark.parametrize(
    ("step", "persona"), [(step, persona) for step in ALLOWED for persona in PERSONAS]
)
def test_lifecycle_views_by_persona(client: Any, world: Any, step: str, persona: str) -> None:
    version = make_complete(make_design(world, state=STATE_FOR[step]), world)
    client = client_for(client, world.people[persona])
    before_versions = Version.objects.count()
    response = client.post(step_url(VIEW_FOR[step], version), {"comment": "Looks right."})
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif persona not in SEES_THE_DESIGN:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        if step == "start_next" and persona in ALLOWED[step]:
            new = Version.objects.get(micro_credential=version.micro_credential, number=2)
            assert response["Location"] == design_url(new)
        else:
            assert response["Location"] == design_url(version)
        page = client.get(response["Location"]).content.decode()
        if persona in ALLOWED[step]:
            assert "message-success" in page
            assert audit_count() == 1
            return
        assert "message-error" in page
    assert _reload(version).state == STATE_FOR[step]
    assert audit_count() == 0
    assert Version.objects.count() == before_versions
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("name", list(VIEW_FOR.values()))
def test_lifecycle_views_refuse_get(client: Any, world: Any, name: str) -> None:
    version = make_design(world)
    response = client_for(client, world.tlc_admin).get(step_url(name, version))
    assert response.status_code == 405
    assert audit_count() == 0


@pytest.mark.usefixtures("design_page")
def test_a_forged_post_for_another_organisations_design_is_a_404(client: Any, world: Any) -> None:
    version = make_design(world, state=State.APPROVED)
    make_complete(version, world)
    client = client_for(client, world.other_admin)
    for name in VIEW_FOR.values():
        assert client.post(step_url(name, version), {"comment": "x"}).status_code == 404
    assert _reload(version).state == State.APPROVED
    assert audit_count() == 0


@pytest.mark.usefixtures("design_page")
def test_the_author_is_told_why_they_cannot_approve(client: Any, world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    version.contributors.add(world.tlc_admin)
    client = client_for(client, world.tlc_admin)
    response = client.post(step_url("version_approve", version), follow=True)
    page = response.content.decode()
    assert "a designer cannot approve their own design" in page
    assert "message-error" in page
    assert _reload(version).state == State.SUBMITTED
    assert audit_count() == 0


@pytest.mark.usefixtures("design_page")
def test_request_changes_without_a_comment_shows_the_form_again(client: Any, world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    client = client_for(client, world.reviewer)
    response = client.post(step_url("version_request_changes", version), {"comment": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what needs to change" in page
    assert 'aria-describedby="id_comment-error"' in page
    assert '<label for="id_comment">' in page
    assert _reload(version).state == State.SUBMITTED
    assert audit_count() == 0
    assert not ReviewComment.objects.exists()


@pytest.mark.usefixtures("design_page")
def test_request_changes_through_the_page_records_the_comment(client: Any, world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    client = client_for(client, world.reviewer)
    response = client.post(
        step_url("version_request_changes", version),
        {"comment": "Say where learners demonstrate the skill."},
        follow=True,
    )
    page = response.content.decode()
    assert "Say where learners demonstrate the skill." in page  # the comments thread
    assert _reload(version).state == State.CHANGES_REQUESTED


# --- the partials ---------------------------------------------------------------------------


def _buttons(page: str) -> set[str]:
    names = {
        "version_submit": "/submit",
        "version_request_changes": "/request-changes",
        "version_approve": "/approve",
        "version_publish": "/publish",
        "version_retire": "/retire",
        "version_start_next": "/start-next",
        "review_comment_add": "/comment",
    }
    return {name for name, tail in names.items() if f'{tail}"' in page and 'method="post"' in page}


@pytest.mark.usefixtures("design_page")
@pytest.mark.parametrize(
    ("state", "persona", "expected"),
    [
        (State.DRAFT, "designer", {"version_submit", "review_comment_add"}),
        (State.DRAFT, "reviewer", {"review_comment_add"}),
        (State.SUBMITTED, "designer", {"review_comment_add"}),
        (
            State.SUBMITTED,
            "reviewer",
            {"version_approve", "version_request_changes", "review_comment_add"},
        ),
        (State.APPROVED, "tlc_admin", {"version_publish", "review_comment_add"}),
        (State.APPROVED, "reviewer", {"review_comment_add"}),
        (State.PUBLISHED, "tlc_admin", {"version_retire", "version_start_next"}),
        (State.PUBLISHED, "designer", {"version_start_next"}),
        (State.PUBLISHED, "reviewer", set()),
    ],
)
def test_the_page_offers_only_the_buttons_this_person_may_use(
    client: Any, world: Any, state: str, persona: str, expected: set[str]
) -> None:
    version = make_complete(make_design(world, state=state), world)
    page = client_for(client, world.people[persona]).get(design_url(version)).content.decode()
    assert _buttons(page) == expected
    assert "Review and publication" in page


@pytest.mark.usefixtures("design_page")
def test_the_request_changes_textarea_has_a_label(client: Any, world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED)
    page = client_for(client, world.reviewer).get(design_url(version)).content.decode()
    assert '<label for="lifecycle-changes-comment">' in page
    assert 'id="lifecycle-changes-comment"' in page


@pytest.mark.usefixtures("design_page")
def test_the_author_sees_why_they_have_no_review_buttons(client: Any, world: Any) -> None:
    version = make_design(world, state=State.SUBMITTED, created_by=world.tlc_admin)
    page = client_for(client, world.tlc_admin).get(design_url(version)).content.decode()
    assert "another reviewer must review it" in page
    assert "version_approve" not in _buttons(page)


# --- review queue ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_queue_by_persona(client: Any, world: Any, persona: str) -> None:
    version = make_design(world, state=State.SUBMITTED, title="Queued design")
    from django.utils import timezone

    Version.objects.filter(pk=version.pk).update(submitted_at=timezone.now())
    response = client_for(client, world.people[persona]).get(reverse("catalogue:review_queue"))
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in {"reviewer", "tlc_admin", "platform_admin"}:
        assert response.status_code == 200
        assert "Queued design" in response.content.decode()
    elif persona == "other_admin":
        assert response.status_code == 200
        assert "Queued design" not in response.content.decode()
    else:
        assert response.status_code == 403


def test_review_queue_lists_submitted_designs_oldest_first(client: Any, world: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    newer = make_design(world, state=State.SUBMITTED, title="Newer design")
    older = make_design(world, state=State.SUBMITTED, title="Older design")
    draft = make_design(world, title="Draft design")
    Version.objects.filter(pk=newer.pk).update(submitted_at=now)
    Version.objects.filter(pk=older.pk).update(submitted_at=now - timedelta(days=2))
    page = client_for(client, world.reviewer).get(reverse("catalogue:review_queue"))
    html = page.content.decode()
    assert html.index("Older design") < html.index("Newer design")
    assert draft.title not in html
