"""The learner's award page, accept and decline, and the badges waiting for them: only the
award's holder sees or changes anything; everyone else gets a 404 and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions
from mosaics.awards.models import Award
from mosaics.awards.views_learner import mask_email
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(world: Any) -> Award:
    version = f.published_version(world.issuer, title="Statistical Analysis Software")
    competency = version.competencies.order_by("position").first()
    level = competency.levels.order_by("position").last()
    made = f.award(
        version,
        email=world.learner.email,
        narrative="Sam cleaned a **messy** survey data set.",
        evidence=[
            {"name": "Survey report", "url": "https://example.org/report", "genre": "Report"},
            {"name": "Reflection journal", "narrative": "What I learnt.", "private": True},
        ],
        results={competency.pk: level.pk},
    )
    assert made.learner == world.learner
    return made


def _detail(award: Award) -> str:
    return reverse("awards:detail", kwargs={"uuid": award.uuid})


def test_mask_email() -> None:
    assert mask_email("learner@example.org") == "l•••@example.org"
    assert mask_email("") == "•••"
    assert mask_email("no-at-sign") == "•••"


def test_the_holder_sees_their_award(client: Any, world: Any, award: Award) -> None:
    client_for(client, world.learner)
    response = client.get(_detail(award))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "Statistical Analysis Software" in html
    assert world.issuer.name in html
    assert "<strong>messy</strong>" in html  # markdown, cleaned
    assert "Survey report" in html
    assert 'href="https://example.org/report"' in html
    assert "Reflection journal" in html
    assert "Private" in html
    level = award.results.get().level
    assert level.name in html
    assert "Valid" in html
    assert reverse("awards:accept", kwargs={"uuid": award.uuid}) in html
    assert reverse("awards:decline", kwargs={"uuid": award.uuid}) in html
    assert "Awarded" in html  # history


def test_the_page_shows_a_revocation_and_its_reason(client: Any, world: Any, award: Award) -> None:
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    client_for(client, world.learner)
    html = client.get(_detail(award)).content.decode()
    assert "Revoked" in html
    assert "Issued in error" in html


def test_the_page_shows_a_suspension(client: Any, world: Any, award: Award) -> None:
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review")
    client_for(client, world.learner)
    html = client.get(_detail(award)).content.decode()
    assert "Suspended" in html
    assert "Under review" in html


def test_an_expired_award_says_so(client: Any, world: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    version = f.published_version(world.issuer, validity_months=1)
    award = f.award(version, email=world.learner.email, now=timezone.now() - timedelta(days=90))
    client_for(client, world.learner)
    html = client.get(_detail(award)).content.decode()
    assert "Expired" in html


@pytest.mark.parametrize("persona", ["assessor", "tlc_admin", "other_admin", "designer"])
def test_nobody_else_sees_the_learners_page(
    client: Any, world: Any, award: Award, persona: str
) -> None:
    client_for(client, world.people[persona])
    assert client.get(_detail(award)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Any, award: Award) -> None:
    response = client.get(_detail(award))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for name in ("awards:accept", "awards:decline"):
        response = client.post(reverse(name, kwargs={"uuid": award.uuid}))
        assert response.status_code == 302
    award.refresh_from_db()
    assert award.claim == Award.Claim.PENDING


def test_an_unknown_award_is_404(client: Any, world: Any) -> None:
    import uuid

    client_for(client, world.learner)
    assert client.get(reverse("awards:detail", kwargs={"uuid": uuid.uuid4()})).status_code == 404


def test_accept_then_decline_then_accept_again(client: Any, world: Any, award: Award) -> None:
    client_for(client, world.learner)
    response = client.post(reverse("awards:accept", kwargs={"uuid": award.uuid}))
    assert response.status_code == 302
    assert response["Location"] == _detail(award)
    award.refresh_from_db()
    assert award.claim == Award.Claim.ACCEPTED
    assert award.in_mosaic
    html = client.get(_detail(award)).content.decode()
    assert reverse("awards:accept", kwargs={"uuid": award.uuid}) not in html

    award.shared = True
    award.save(update_fields=["shared"])
    client.post(reverse("awards:decline", kwargs={"uuid": award.uuid}))
    award.refresh_from_db()
    assert award.claim == Award.Claim.DECLINED
    assert not award.shared
    assert not award.in_mosaic

    client.post(reverse("awards:accept", kwargs={"uuid": award.uuid}))
    award.refresh_from_db()
    assert award.claim == Award.Claim.ACCEPTED
    assert list(
        AuditEntry.objects.filter(action__in=["awards.accept", "awards.decline"])
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["awards.accept", "awards.decline", "awards.accept"]


@pytest.mark.parametrize("persona", ["anonymous", "assessor", "tlc_admin", "other_admin"])
@pytest.mark.parametrize("name", ["awards:accept", "awards:decline"])
def test_nobody_else_answers_for_the_learner(
    client: Any, world: Any, award: Award, persona: str, name: str
) -> None:
    client_for(client, world.people[persona])
    before = AuditEntry.objects.count()
    response = client.post(reverse(name, kwargs={"uuid": award.uuid}))
    assert response.status_code in (302, 404)
    if persona != "anonymous":
        assert response.status_code == 404
    award.refresh_from_db()
    assert award.claim == Award.Claim.PENDING
    assert AuditEntry.objects.count() == before


def test_accept_and_decline_are_post_only(client: Any, world: Any, award: Award) -> None:
    client_for(client, world.learner)
    for name in ("awards:accept", "awards:decline"):
        assert client.get(reverse(name, kwargs={"uuid": award.uuid})).status_code == 405
    award.refresh_from_db()
    assert award.claim == Award.Claim.PENDING


def test_accept_needs_the_csrf_token(world: Any, award: Award) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner)
    response = client.post(reverse("awards:accept", kwargs={"uuid": award.uuid}))
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.claim == Award.Claim.PENDING


def test_badges_waiting_for_you(client: Any, world: Any, award: Award) -> None:
    accepted = f.award(email=world.learner.email)
    actions.award_accept(actor=world.learner, award=accepted)
    someone_elses = f.award(email="someone@example.org")
    client_for(client, world.learner)
    response = client.get(reverse("awards:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    waiting = html.split("Badges waiting for you", 1)[1].split("In your mosaic", 1)[0]
    assert _detail(award) in waiting
    assert _detail(accepted) not in waiting
    assert _detail(accepted) in html
    assert _detail(someone_elses) not in html


def test_the_inbox_asks_signed_out_visitors_to_sign_in(client: Any) -> None:
    response = client.get(reverse("awards:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_email_page_renders_in_our_layout(client: Any, world: Any) -> None:
    client_for(client, world.learner)
    response = client.get(reverse("account_email"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "<legend>" in html
    assert world.learner.email in html
    assert "<script" not in html
    for control in re.findall(r'<input[^>]*type="(?:email|radio)"[^>]*>', html):
        control_id = re.search(r'id="([^"]+)"', control)
        assert control_id, control
        assert f'for="{control_id.group(1)}"' in html


def test_the_status_email_links_to_the_award(
    world: Any, award: Award, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Under review" in body
    assert _detail(award) in body


def test_the_page_links_to_sharing_and_downloads(client: Any, world: Any, award: Award) -> None:
    client_for(client, world.learner)
    actions.award_accept(actor=world.learner, award=award)
    html = client.get(_detail(award)).content.decode()
    for file in ("credential.json", "credential.jwt", "badge.png", "badge.svg"):
        url = reverse("awards:download", kwargs={"uuid": award.uuid, "file": file})
        assert f'href="{url}"' in html
    share = reverse("awards:share", kwargs={"uuid": award.uuid})
    assert f'action="{share}"' in html
    # The share button as the page makes it: on, and back to this page.
    response = client.post(share, {"shared": "on", "next": _detail(award)})
    assert response.status_code == 302
    assert response["Location"] == _detail(award)
    award.refresh_from_db()
    assert award.shared
    html = client.get(_detail(award)).content.decode()
    assert reverse("awards:public", kwargs={"uuid": award.uuid}) in html
