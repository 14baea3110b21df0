"""Industry endorsement: request → conversation → endorse (a signed OB 3.0 EndorsementCredential
that verifies) or decline; renew, withdraw (revoked through the status list), expiry; e-mails;
every view × persona; forged posts; bad input; the `mosaics vc verify` command."""

from __future__ import annotations

import decimal
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from mosaics.audit.models import AuditEntry
from mosaics.catalogue import gates
from mosaics.catalogue.actions import design as design_actions
from mosaics.catalogue.actions import lifecycle
from mosaics.catalogue.documents import achievement_document, achievement_id, content_digest
from mosaics.catalogue.errors import GatesFailing
from mosaics.catalogue.models import Version
from mosaics.endorsements import actions
from mosaics.endorsements.actions import EndorsementRefused
from mosaics.endorsements.models import Endorsement, EndorsementComment, EndorsementRequest
from mosaics.issuance.actions import key_generate, status_list_credentials
from mosaics.issuance.models import StatusEntry
from mosaics.issuance.signing import issuer_did, trusted_documents
from mosaics.vc import schema
from mosaics.vc import verify as vc_verify
from mosaics.vc.cli import main as vc_main
from tests import factories as f
from tests.personas import client_for
from tests.web.test_lifecycle_support import png_bytes

# --- helpers ------------------------------------------------------------------------------


def _design(world: Any, *, title: str = "Statistical Analysis Software", **kwargs: Any) -> Version:
    micro_credential = f.MicroCredentialFactory(issuer=world.issuer, slug=slugify(title))
    version = f.VersionFactory(
        micro_credential=micro_credential,
        title=title,
        description="Use **R** and SPSS on real data.",
        created_by=world.designer,
        **kwargs,
    )
    f.complete_competency(version, "Clean and analyse a workplace data set")
    f.ReflectionPromptFactory(version=version, text="What surprised you in the data?")
    version.goals.add(world.goal)
    return version


@pytest.fixture
def design(world: Any) -> Version:
    key_generate(issuer=world.endorser_profile, actor=None)
    return _design(world)


def _ask(world: Any, version: Version, partner: Any = None) -> EndorsementRequest:
    return actions.endorsement_request_send(
        actor=world.designer,
        version=version,
        partner=partner or world.partner,
        message="Could you review this before the fall term?",
    )


def _endorse(world: Any, version: Version, **kwargs: Any) -> Endorsement:
    request = _ask(world, version)
    return actions.endorsement_sign(
        actor=world.endorser,
        request=request,
        statement=kwargs.pop("statement", "Graduates can do this on day one."),
        **kwargs,
    )


def _verify(endorsement: Endorsement, *, now: datetime | None = None) -> vc_verify.Report:
    return vc_verify.verify(
        endorsement.credential,
        now=now,
        documents=trusted_documents(),
        status_lists=status_list_credentials(),
    )


def _snapshot() -> tuple[Any, ...]:
    """Everything the endorsement views can change."""
    return (
        AuditEntry.objects.count(),
        sorted(
            EndorsementRequest.objects.values_list("pk", "state", "decline_reason", "decided_at")
        ),
        EndorsementComment.objects.count(),
        sorted(
            Endorsement.objects.values_list(
                "pk", "withdrawn_at", "renewed_by", "statement", "valid_until"
            )
        ),
        StatusEntry.objects.count(),
        sorted(StatusEntry.objects.values_list("pk", "set_at")),
        len(mail.outbox),
    )


def _uuid(endorsement: Endorsement) -> str:
    return endorsement.credential_id.removeprefix("urn:uuid:")


# --- the whole journey --------------------------------------------------------------------


def test_request_conversation_and_endorsement_through_the_pages(
    world: Any, design: Version, client: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://mosaics.example"
    # The designer invites the partner.
    client_for(client, world.designer)
    page = client.get(
        reverse(
            "endorsements:request_send", kwargs={"slug": design.micro_credential.slug, "number": 1}
        )
    )
    assert page.status_code == 200
    assert "Prairie Analytics" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "endorsements:request_send",
                kwargs={"slug": design.micro_credential.slug, "number": 1},
            ),
            {"partner": world.partner.pk, "message": "Please look at the rubric."},
        )
    request = EndorsementRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("endorsements:request", kwargs={"pk": request.pk})
    assert (request.state, request.requested_by, request.message) == (
        "open",
        world.designer,
        "Please look at the rubric.",
    )
    (invitation,) = mail.outbox
    assert invitation.to == [world.endorser.email]
    assert "Statistical Analysis Software" in invitation.subject
    link = f"https://mosaics.example/endorse/requests/{request.pk}"
    assert link in invitation.body
    assert link in invitation.alternatives[0][0]
    client.logout()

    # The endorser finds it in the portal and reads the design.
    client_for(client, world.endorser)
    portal = client.get(reverse("endorsements:portal"))
    assert portal.status_code == 200
    assert "Statistical Analysis Software" in portal.content.decode()
    page = client.get(reverse("endorsements:request", kwargs={"pk": request.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "<strong>R</strong>" in text  # the description is rendered markdown
    assert "Clean and analyse a workplace data set" in text
    assert "passing level" in text
    assert "use statistical analysis techniques" in text  # the alignment
    assert "What surprised you in the data?" in text
    assert "Endorse and sign" in text

    # A question from the partner goes to the institution; the answer back to the partner.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("endorsements:comment", kwargs={"pk": request.pk}),
            {"comment-body": "Which tools do learners use?"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == [world.designer.email]
    assert "Which tools do learners use?" in mail.outbox[-1].body
    client.logout()
    client_for(client, world.designer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("endorsements:comment", kwargs={"pk": request.pk}),
            {"comment-body": "R and SPSS."},
        )
    assert mail.outbox[-1].to == [world.endorser.email]
    assert [c.body for c in request.comments.all()] == [
        "Which tools do learners use?",
        "R and SPSS.",
    ]
    # The institution side sees the conversation but cannot endorse.
    page = client.get(reverse("endorsements:request", kwargs={"pk": request.pk}))
    assert "R and SPSS." in page.content.decode()
    assert "Endorse and sign" not in page.content.decode()
    client.logout()

    # The endorser endorses.
    client_for(client, world.endorser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("endorsements:endorse", kwargs={"pk": request.pk}),
            {"endorse-statement": "Exactly what our analysts need.", "endorse-valid_months": "12"},
        )
    endorsement = Endorsement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "endorsements:detail", kwargs={"uuid": _uuid(endorsement)}
    )
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("endorsed", world.endorser)
    assert mail.outbox[-1].to == [world.designer.email]
    assert "Exactly what our analysts need." in mail.outbox[-1].body
    assert endorsement.is_current()
    assert (endorsement.endorser, endorsement.signed_by) == (world.endorser_profile, world.endorser)
    assert actions.add_months(endorsement.valid_from, 12) == endorsement.valid_until

    credential = endorsement.credential
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["id"] == endorsement.credential_id
    assert credential["issuer"]["id"] == issuer_did(world.endorser_profile)
    assert credential["credentialSubject"]["id"] == achievement_id(design)
    assert (
        credential["credentialSubject"]["endorsementComment"] == "Exactly what our analysts need."
    )
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    schema.validate(credential, "endorsementcredential")
    report = _verify(endorsement)
    assert (report.verified, report.status) == (True, "valid"), report.to_json()

    # Public: the page and the JSON.
    client.logout()
    design.state = Version.State.PUBLISHED
    design.published_at = timezone.now()
    design.save()
    detail = client.get(reverse("endorsements:detail", kwargs={"uuid": _uuid(endorsement)}))
    assert detail.status_code == 200
    assert "Exactly what our analysts need." in detail.content.decode()
    assert "Current" in detail.content.decode()
    document = client.get(reverse("endorsements:credential", kwargs={"uuid": _uuid(endorsement)}))
    assert document.status_code == 200
    assert document["Content-Type"].startswith("application/ld+json")
    assert document["Access-Control-Allow-Origin"] == "*"
    assert json.loads(document.content) == credential
    assert actions.endorsements_for_achievement(design) == [endorsement]
    assert actions.endorsement_credentials_for_achievement(design) == [credential]
    assert set(
        AuditEntry.objects.filter(action__startswith="endorsements.").values_list(
            "action", flat=True
        )
    ) == {"endorsements.request_send", "endorsements.comment_add", "endorsements.sign"}


def test_decline_tells_the_institution_why(
    world: Any, design: Version, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _ask(world, design)
    client_for(client, world.endorser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("endorsements:decline", kwargs={"pk": request.pk}),
            {"decline-reason": "We do not use SPSS."},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.decline_reason) == ("declined", "We do not use SPSS.")
    assert not Endorsement.objects.exists()
    assert mail.outbox[-1].to == [world.designer.email]
    assert "We do not use SPSS." in mail.outbox[-1].body
    # Decided: no more decisions, comments or a second decline.
    before = _snapshot()
    with pytest.raises(EndorsementRefused):
        actions.endorsement_sign(actor=world.endorser, request=request, statement="Yes after all")
    with pytest.raises(EndorsementRefused):
        actions.endorsement_comment_add(actor=world.endorser, request=request, body="Hello")
    assert _snapshot() == before
    # The institution may ask again.
    assert _ask(world, design).state == "open"


def test_cancel_closes_an_open_request(world: Any, design: Version, client: Any) -> None:
    request = _ask(world, design)
    client_for(client, world.designer)
    response = client.post(reverse("endorsements:request_cancel", kwargs={"pk": request.pk}))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "cancelled"
    with pytest.raises(EndorsementRefused):
        actions.endorsement_sign(actor=world.endorser, request=request, statement="Too late")


def test_renewal_issues_a_new_credential_and_keeps_the_old_one_verifiable(
    world: Any, design: Version, client: Any
) -> None:
    old = _endorse(world, design, valid_months=6)
    client_for(client, world.endorser)
    response = client.post(
        reverse("endorsements:renew", kwargs={"pk": old.pk}),
        {"renew-statement": "", "renew-valid_months": "36"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.renewed_by
    assert new is not None
    assert new != old
    assert (new.statement, new.request, new.version) == (old.statement, old.request, design)
    assert new.credential_id != old.credential_id
    assert actions.add_months(new.valid_from, 36) == new.valid_until
    assert not old.is_current()
    assert new.is_current()
    assert list(Endorsement.objects.current()) == [new]
    assert actions.endorsements_for_achievement(design) == [new]
    report = _verify(new)
    assert (report.verified, report.status) == (True, "valid"), report.to_json()
    old_report = _verify(old)  # not revoked: still valid until its own end
    assert (old_report.verified, old_report.status) == (True, "valid"), old_report.to_json()
    assert AuditEntry.objects.filter(action="endorsements.renew").count() == 1
    # A renewed endorsement is not renewed twice; a new statement can be given.
    with pytest.raises(EndorsementRefused):
        actions.endorsement_renew(actor=world.endorser, endorsement=old)
    newer = actions.endorsement_renew(
        actor=world.endorser, endorsement=new, statement="Even better now.", valid_months=1
    )
    assert newer.credential["credentialSubject"]["endorsementComment"] == "Even better now."


def test_expired_endorsements_are_not_current_and_can_be_renewed(
    world: Any, design: Version
) -> None:
    three_years_ago = timezone.now() - timedelta(days=3 * 366)
    old = _endorse(world, design, valid_months=12, now=three_years_ago)
    assert old.valid_until is not None
    assert old.valid_until < timezone.now()
    assert not Endorsement.objects.current().exists()
    assert Endorsement.objects.current(now=three_years_ago + timedelta(days=1)).get() == old
    assert actions.endorsements_for_achievement(design) == []
    assert _verify(old).status == "expired"
    renewal = actions.endorsement_renew(actor=world.endorser, endorsement=old)
    assert actions.endorsements_for_achievement(design) == [renewal]
    assert _verify(renewal).status == "valid"


def test_withdrawal_revokes_the_credential(
    world: Any, design: Version, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endorsement = _endorse(world, design)
    client_for(client, world.endorser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("endorsements:withdraw", kwargs={"pk": endorsement.pk}),
            {"withdraw-reason": "The program changed its tools."},
        )
    assert response.status_code == 302
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is not None
    assert (endorsement.withdrawn_by, endorsement.withdrawal_reason) == (
        world.endorser,
        "The program changed its tools.",
    )
    assert endorsement.status_entry is not None
    assert endorsement.status_entry.set_at is not None
    report = _verify(endorsement)
    assert (report.verified, report.status) == (False, "revoked"), report.to_json()
    assert actions.endorsements_for_achievement(design) == []
    assert mail.outbox[-1].to == [world.designer.email]
    assert "The program changed its tools." in mail.outbox[-1].body
    page = client.get(reverse("endorsements:detail", kwargs={"uuid": _uuid(endorsement)}))
    assert "Withdrawn" in page.content.decode()
    assert "The program changed its tools." in page.content.decode()
    # Neither withdrawn again nor renewed.
    before = _snapshot()
    with pytest.raises(EndorsementRefused):
        actions.endorsement_withdraw(actor=world.endorser, endorsement=endorsement, reason="Again")
    with pytest.raises(EndorsementRefused):
        actions.endorsement_renew(actor=world.endorser, endorsement=endorsement)
    assert _snapshot() == before


def test_withdrawing_a_renewal_also_revokes_the_credential_it_renewed(
    world: Any, design: Version
) -> None:
    old = _endorse(world, design)
    new = actions.endorsement_renew(actor=world.endorser, endorsement=old)
    with pytest.raises(EndorsementRefused):
        actions.endorsement_withdraw(actor=world.endorser, endorsement=old, reason="No")
    actions.endorsement_withdraw(actor=world.endorser, endorsement=new, reason="No longer")
    old.refresh_from_db()
    assert old.withdrawn_at is not None
    assert _verify(old).status == "revoked"
    assert _verify(new).status == "revoked"


# --- the CLI ------------------------------------------------------------------------------


def test_mosaics_vc_verify_accepts_a_fresh_endorsement(
    world: Any, design: Version, tmp_path: Path, capsys: Any
) -> None:
    endorsement = _endorse(world, design)
    did = issuer_did(world.endorser_profile)
    (tmp_path / "did.json").write_text(json.dumps(trusted_documents()[did]))
    url = endorsement.credential["credentialStatus"]["statusListCredential"]
    (tmp_path / "list.json").write_text(json.dumps(status_list_credentials()[url]))
    (tmp_path / "endorsement.json").write_text(json.dumps(endorsement.credential))
    argv = [
        "verify",
        "--document",
        str(tmp_path / "did.json"),
        "--status-list",
        str(tmp_path / "list.json"),
        str(tmp_path / "endorsement.json"),
    ]
    assert vc_main(argv) == 0, capsys.readouterr()
    # Without the endorser's DID document the key is not confirmed.
    assert vc_main(["verify", *argv[3:]]) == 1


# --- refusals in the actions --------------------------------------------------------------


def test_request_send_refusals(world: Any, design: Version) -> None:
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="endorser profile"):
        _ask(world, design, partner=world.other_partner)  # no endorser profile
    with pytest.raises(EndorsementRefused, match="endorser profile"):
        _ask(world, design, partner=world.business)  # not a partner
    assert _snapshot() == before
    _ask(world, design)
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="already has an open request"):
        _ask(world, design)
    assert _snapshot() == before
    retired = _design(world, title="Old")
    retired.state = Version.State.RETIRED
    retired.save()
    with pytest.raises(EndorsementRefused, match="retired"):
        _ask(world, retired)
    assert _snapshot() == before


def test_a_current_endorsement_needs_renewal_not_a_new_request(world: Any, design: Version) -> None:
    _endorse(world, design)
    with pytest.raises(EndorsementRefused, match="renew"):
        _ask(world, design)


def test_signing_without_a_key_is_refused_and_changes_nothing(world: Any) -> None:
    version = _design(world)  # the endorser profile has no key
    request = _ask(world, version)
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="signing key"):
        actions.endorsement_sign(actor=world.endorser, request=request, statement="Yes")
    assert _snapshot() == before
    request.refresh_from_db()
    assert request.state == "open"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statement": ""}, "Please write"),
        ({"statement": "   "}, "Please write"),
        ({"statement": "x" * (actions.MAX_TEXT_LENGTH + 1)}, "characters or fewer"),
        ({"statement": "Yes", "valid_months": 0}, "1 to 36 months"),
        ({"statement": "Yes", "valid_months": 37}, "1 to 36 months"),
        ({"statement": "Yes", "valid_months": "12"}, "1 to 36 months"),
    ],
)
def test_endorsement_sign_bad_input(
    world: Any, design: Version, kwargs: dict[str, Any], message: str
) -> None:
    request = _ask(world, design)
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match=message):
        actions.endorsement_sign(actor=world.endorser, request=request, **kwargs)
    assert _snapshot() == before


PERSONAS_REFUSED_AS_ENDORSER = (
    "other_endorser",
    "other_admin",
    "learner",
    "designer",
    "tlc_admin",
    "platform_admin",
)


@pytest.mark.parametrize("persona", PERSONAS_REFUSED_AS_ENDORSER)
def test_only_the_partners_endorsers_sign_renew_or_withdraw(
    world: Any, design: Version, persona: str
) -> None:
    from django.core.exceptions import PermissionDenied

    endorsement = _endorse(world, design)
    request = _ask(world, _design(world, title="Second"))  # noqa: F841 - another open request
    open_request = EndorsementRequest.objects.get(state="open")
    before = _snapshot()
    actor = world.people[persona]
    with pytest.raises(PermissionDenied):
        actions.endorsement_sign(actor=actor, request=open_request, statement="Yes")
    with pytest.raises(PermissionDenied):
        actions.endorsement_decline(actor=actor, request=open_request, reason="No")
    with pytest.raises(PermissionDenied):
        actions.endorsement_renew(actor=actor, endorsement=endorsement)
    with pytest.raises(PermissionDenied):
        actions.endorsement_withdraw(actor=actor, endorsement=endorsement, reason="No")
    assert _snapshot() == before


# --- every view × persona -----------------------------------------------------------------

OUTSIDERS = ("anonymous", "learner", "other_admin", "other_designer", "other_endorser", "assessor")


def _views(
    world: Any, request: EndorsementRequest, endorsement: Endorsement
) -> list[tuple[str, str, dict[str, str]]]:
    version = request.version
    send_url = reverse(
        "endorsements:request_send",
        kwargs={"slug": version.micro_credential.slug, "number": version.number},
    )
    return [
        ("get", reverse("endorsements:request", kwargs={"pk": request.pk}), {}),
        (
            "post",
            reverse("endorsements:comment", kwargs={"pk": request.pk}),
            {"comment-body": "Hi"},
        ),
        (
            "post",
            reverse("endorsements:endorse", kwargs={"pk": request.pk}),
            {"endorse-statement": "Yes", "endorse-valid_months": "12"},
        ),
        (
            "post",
            reverse("endorsements:decline", kwargs={"pk": request.pk}),
            {"decline-reason": "No"},
        ),
        ("post", reverse("endorsements:request_cancel", kwargs={"pk": request.pk}), {}),
        (
            "post",
            reverse("endorsements:renew", kwargs={"pk": endorsement.pk}),
            {"renew-valid_months": "12"},
        ),
        (
            "post",
            reverse("endorsements:withdraw", kwargs={"pk": endorsement.pk}),
            {"withdraw-reason": "No"},
        ),
        ("get", send_url, {}),
        ("post", send_url, {"partner": str(world.partner.pk)}),
    ]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_every_view_refuses_outsiders_and_changes_nothing(
    world: Any, design: Version, client: Any, persona: str, django_capture_on_commit_callbacks: Any
) -> None:
    endorsement = _endorse(world, design)
    other = _design(world, title="Second design")
    request = _ask(world, other)
    before = _snapshot()
    user = world.people[persona]
    client_for(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        for method, url, data in _views(world, request, endorsement):
            response = getattr(client, method)(url, data)
            if user is None:
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("account_login")), url
            else:
                assert response.status_code == 404, (method, url, response.status_code)
        portal = client.get(reverse("endorsements:portal"))
    if persona == "other_endorser":
        assert portal.status_code == 200  # their own (empty) portal
        assert "Statistical Analysis Software" not in portal.content.decode()
        assert "Second design" not in portal.content.decode()
    elif user is None:
        assert portal.status_code == 302
    else:
        assert portal.status_code == 404
    assert _snapshot() == before


def test_an_unpublished_endorsement_is_public_only_to_the_two_sides(
    world: Any, design: Version, client: Any
) -> None:
    endorsement = _endorse(world, design)
    urls = [
        reverse("endorsements:detail", kwargs={"uuid": _uuid(endorsement)}),
        reverse("endorsements:credential", kwargs={"uuid": _uuid(endorsement)}),
    ]
    for persona, status in [
        ("anonymous", 404),
        ("other_endorser", 404),
        ("other_admin", 404),
        ("designer", 200),
        ("endorser", 200),
    ]:
        client.logout()
        client_for(client, world.people[persona])
        for url in urls:
            assert client.get(url).status_code == status, (persona, url)
    client.logout()
    assert (
        client.get(reverse("endorsements:detail", kwargs={"uuid": uuid.uuid4()})).status_code == 404
    )


def test_a_forged_post_for_another_partners_request_is_404(
    world: Any, design: Version, client: Any
) -> None:
    """An endorser of one partner posts to a request addressed to another partner."""
    key_generate(issuer=f.EndorserProfileFactory(organisation=world.other_partner), actor=None)
    mine = _ask(world, design, partner=world.other_partner)
    theirs = _ask(world, design)
    before = _snapshot()
    client_for(client, world.other_endorser)
    assert client.get(reverse("endorsements:request", kwargs={"pk": mine.pk})).status_code == 200
    for verb, data in [
        ("endorse", {"endorse-statement": "Yes", "endorse-valid_months": "12"}),
        ("decline", {"decline-reason": "No"}),
        ("comment", {"comment-body": "Hi"}),
    ]:
        response = client.post(reverse(f"endorsements:{verb}", kwargs={"pk": theirs.pk}), data)
        assert response.status_code == 404, verb
    assert _snapshot() == before


def test_the_institution_cannot_endorse_its_own_design(
    world: Any, design: Version, client: Any
) -> None:
    request = _ask(world, design)
    before = _snapshot()
    for persona in ("designer", "tlc_admin", "platform_admin", "reviewer"):
        client.logout()
        client_for(client, world.people[persona])
        assert (
            client.get(reverse("endorsements:request", kwargs={"pk": request.pk})).status_code
            == 200
        )
        response = client.post(
            reverse("endorsements:endorse", kwargs={"pk": request.pk}),
            {"endorse-statement": "Yes", "endorse-valid_months": "12"},
        )
        assert response.status_code == 404, persona
    assert _snapshot() == before


def test_the_endorser_cannot_cancel_or_ask(world: Any, design: Version, client: Any) -> None:
    request = _ask(world, design)
    before = _snapshot()
    client_for(client, world.endorser)
    assert (
        client.post(reverse("endorsements:request_cancel", kwargs={"pk": request.pk})).status_code
        == 404
    )
    url = reverse(
        "endorsements:request_send", kwargs={"slug": design.micro_credential.slug, "number": 1}
    )
    assert client.post(url, {"partner": world.partner.pk}).status_code == 404
    assert _snapshot() == before


# --- bad input through the pages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"endorse-statement": "", "endorse-valid_months": "12"}, "Please fill in this field."),
        ({"endorse-statement": "Yes", "endorse-valid_months": "0"}, "at least 1 month"),
        ({"endorse-statement": "Yes", "endorse-valid_months": "99"}, "at most 36 months"),
        ({"endorse-statement": "Yes", "endorse-valid_months": "twelve"}, "whole number"),
        (
            {
                "endorse-statement": "x" * (actions.MAX_TEXT_LENGTH + 1),
                "endorse-valid_months": "12",
            },
            "characters or fewer",
        ),
    ],
)
def test_bad_endorse_input_is_explained_and_changes_nothing(
    world: Any, design: Version, client: Any, data: dict[str, str], message: str
) -> None:
    request = _ask(world, design)
    before = _snapshot()
    client_for(client, world.endorser)
    response = client.post(reverse("endorsements:endorse", kwargs={"pk": request.pk}), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert 'aria-invalid="true"' in text
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("verb", "data", "message"),
    [
        ("comment", {"comment-body": ""}, "Please fill in this field."),
        ("comment", {"comment-body": "x" * (actions.MAX_TEXT_LENGTH + 1)}, "characters or fewer"),
        ("decline", {"decline-reason": "  "}, "Please fill in this field."),
    ],
)
def test_bad_comment_and_decline_input(
    world: Any, design: Version, client: Any, verb: str, data: dict[str, str], message: str
) -> None:
    request = _ask(world, design)
    before = _snapshot()
    client_for(client, world.endorser)
    response = client.post(reverse(f"endorsements:{verb}", kwargs={"pk": request.pk}), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before


def test_bad_renew_and_withdraw_input(world: Any, design: Version, client: Any) -> None:
    endorsement = _endorse(world, design)
    before = _snapshot()
    client_for(client, world.endorser)
    response = client.post(
        reverse("endorsements:withdraw", kwargs={"pk": endorsement.pk}), {"withdraw-reason": ""}
    )
    assert response.status_code == 400
    assert "Please fill in this field." in response.content.decode()
    response = client.post(
        reverse("endorsements:renew", kwargs={"pk": endorsement.pk}), {"renew-valid_months": "99"}
    )
    assert response.status_code == 400
    assert "at most 36 months" in response.content.decode()
    assert _snapshot() == before


def test_bad_request_send_input(world: Any, design: Version, client: Any) -> None:
    url = reverse(
        "endorsements:request_send", kwargs={"slug": design.micro_credential.slug, "number": 1}
    )
    before = _snapshot()
    client_for(client, world.designer)
    for data, message in [
        ({}, "Please choose the partner to invite."),
        ({"partner": world.other_partner.pk}, "Please choose one of the partners listed."),
        ({"partner": world.partner.pk, "message": "x" * 5000}, "characters or fewer"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert _snapshot() == before
    _ask(world, design)
    before = _snapshot()
    response = client.post(url, {"partner": world.partner.pk})
    assert response.status_code == 400
    assert "already has an open request" in response.content.decode()
    assert _snapshot() == before


# --- the portal and the design page's panel -----------------------------------------------


def test_portal_lists_open_requests_first_then_decided_and_endorsements(
    world: Any, design: Version, client: Any
) -> None:
    endorsed = _endorse(world, design)
    second = _design(world, title="Data Visualisation")
    _ask(world, second)
    client_for(client, world.endorser)
    text = client.get(reverse("endorsements:portal")).content.decode()
    waiting, rest = text.split('id="decided-heading"')
    assert "Data Visualisation" in waiting
    assert "Statistical Analysis Software" not in waiting
    assert "Statistical Analysis Software" in rest
    assert reverse("endorsements:detail", kwargs={"uuid": _uuid(endorsed)}) in rest
    assert "Current" in rest


@pytest.mark.parametrize(
    ("persona", "sees_form", "sees_other_partner"),
    [("designer", True, True), ("reviewer", False, True), ("endorser", False, False)],
)
def test_design_panel(
    world: Any, design: Version, persona: str, sees_form: bool, sees_other_partner: bool
) -> None:
    from mosaics.organisations import permissions

    key_generate(issuer=f.EndorserProfileFactory(organisation=world.other_partner), actor=None)
    _endorse(world, design)
    _ask(world, design, partner=world.other_partner)
    user = world.people[persona]
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string(
        "endorsements/_design_panel.html",
        {
            "version": design,
            "micro_credential": design.micro_credential,
            "user": user,
            "can": {"request_endorsement": permissions.can_request_endorsement(user, design)},
        },
        request=request,
    )
    assert "Industry endorsement" in html
    assert "Conversation with Prairie Analytics" in html
    assert "Endorsement by Prairie Analytics" in html
    assert ("Conversation with Other Partner Inc" in html) is sees_other_partner
    assert ("Send the invitation" in html) is sees_form


def test_now_must_be_aware_and_in_the_past_for_backdating(world: Any, design: Version) -> None:
    endorsement = _endorse(world, design, now=datetime(2024, 1, 31, 12, tzinfo=UTC), valid_months=1)
    assert endorsement.valid_until == datetime(2024, 2, 29, 12, tzinfo=UTC)  # clamped, leap year


def test_the_design_page_shows_the_panel(world: Any, design: Version, client: Any) -> None:
    url = reverse("catalogue:design", kwargs={"slug": design.micro_credential.slug, "number": 1})
    client_for(client, world.designer)
    text = client.get(url).content.decode()
    assert "Industry endorsement" in text
    assert "Send the invitation" in text
    assert "Prairie Analytics" in text
    endorsement = _endorse(world, design)
    text = client.get(url).content.decode()
    assert reverse("endorsements:detail", kwargs={"uuid": _uuid(endorsement)}) in text
    assert reverse("endorsements:request", kwargs={"pk": endorsement.request_id}) in text


# --- an endorsement covers the content the partner read ------------------------------------


def _endorsed_gate(version: Version) -> gates.Gate:
    return next(
        gate
        for gate in gates.evaluate(Version.objects.get(pk=version.pk))
        if gate.code == "endorsed"
    )


def _with_image(world: Any, version: Version) -> Version:
    return design_actions.version_image_set(
        actor=world.designer,
        version=version,
        image=ContentFile(png_bytes(), name="badge.png"),
        alt="A blue tile with a bar chart",
    )


def _edits(world: Any, version: Version) -> dict[str, Any]:
    """One design action per thing a partner reads, each applied to `version`."""
    competency = version.competencies.get()
    level = competency.levels.order_by("position").first()
    other_level = competency.levels.exclude(pk=competency.passing_level_id).first()
    prompt = version.reflection_prompts.get()
    designer = world.designer

    def update(**fields: Any) -> Any:
        return lambda: design_actions.version_update(actor=designer, version=version, **fields)

    return {
        "title": update(title="Statistical Analysis with R"),
        "summary": update(summary="Analyse data at work."),
        "description": update(description="Use **Python** on real data."),
        "criteria": update(criteria="Pass the capstone."),
        "estimated hours": update(estimated_hours=31),
        "delivery mode": update(delivery_mode="online"),
        "language": update(language="fr"),
        "credits": update(credits_available=decimal.Decimal("1.5")),
        "level": update(level="advanced"),
        "field of study": update(field_of_study="Statistics"),
        "code": update(human_code="STAT-200"),
        "tags": update(tags=["R"]),
        "award validity": update(validity_months=12),
        "prerequisites": update(prerequisites="Basic algebra."),
        "competency added": lambda: design_actions.competency_add(
            actor=designer, version=version, statement="Report the findings"
        ),
        "competency statement": lambda: design_actions.competency_update(
            actor=designer,
            competency=competency,
            statement="Clean a data set",
            demonstration=competency.demonstration,
        ),
        "demonstration": lambda: design_actions.competency_update(
            actor=designer,
            competency=competency,
            statement=competency.statement,
            demonstration="On a partner's data.",
        ),
        "rubric level": lambda: design_actions.rubric_level_update(
            actor=designer, level=level, name=level.name, description="Rarely right."
        ),
        "passing level": lambda: design_actions.competency_passing_level_set(
            actor=designer, competency=competency, level=other_level
        ),
        "alignment": lambda: design_actions.alignment_add(
            actor=designer,
            competency=competency,
            framework="ESCO",
            target_name="statistics",
            target_url="https://esco.example/skill/statistics",
        ),
        "reflection prompt": lambda: design_actions.reflection_prompt_update(
            actor=designer, prompt=prompt, text="What would you do differently?"
        ),
        "reflection prompt added": lambda: design_actions.reflection_prompt_add(
            actor=designer, version=version, text="Who did you learn from?"
        ),
        "goals": lambda: design_actions.version_goals_set(
            actor=designer,
            version=version,
            goals=[f.GoalFactory(institution=world.institution, title="Digital fluency")],
        ),
        "image": lambda: _with_image(world, version),
    }


EDITS = [
    "title",
    "summary",
    "description",
    "criteria",
    "estimated hours",
    "delivery mode",
    "language",
    "credits",
    "level",
    "field of study",
    "code",
    "tags",
    "award validity",
    "prerequisites",
    "competency added",
    "competency statement",
    "demonstration",
    "rubric level",
    "passing level",
    "alignment",
    "reflection prompt",
    "reflection prompt added",
    "goals",
    "image",
]


def test_the_content_digest_is_deterministic(world: Any, design: Version, settings: Any) -> None:
    digest = content_digest(design)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert content_digest(Version.objects.get(pk=design.pk)) == digest
    # Endorsing, renaming the issuer or moving the site does not change what the design says.
    _endorse(world, design)
    world.issuer.name = "Renamed School of Business"
    world.issuer.save()
    assert content_digest(Version.objects.get(pk=design.pk)) == digest
    settings.SITE_URL = "https://mosaics.example"
    assert content_digest(Version.objects.get(pk=design.pk)) == digest
    # Another design with the same words is another design.
    assert content_digest(_design(world, title="Statistical Analysis Software 2")) != digest


@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_of_the_design_changes_the_content_digest(
    world: Any, design: Version, edit: str
) -> None:
    before = content_digest(design)
    _edits(world, design)[edit]()
    assert content_digest(Version.objects.get(pk=design.pk)) != before


def test_an_edit_after_endorsing_stales_the_endorsement_until_the_partner_renews(
    world: Any, design: Version
) -> None:
    design = _with_image(world, design)
    endorsement = _endorse(world, design)
    assert endorsement.content_digest == content_digest(design)
    assert _endorsed_gate(design).passed
    assert actions.endorsements_for_achievement(design) == [endorsement]

    # The designer rewrites the draft after the partner endorsed it.
    design = design_actions.version_update(
        actor=world.designer, version=design, description="Use **Excel** only."
    )
    design_actions.competency_add(
        actor=world.designer, version=design, statement="Make pivot tables"
    )
    gate = _endorsed_gate(design)
    assert not gate.passed
    assert "The design changed after “Prairie Analytics” endorsed it" in gate.reason
    assert "must renew their endorsement to endorse the current content" in gate.reason
    assert endorsement in Endorsement.objects.current()  # still current, but not in force
    assert list(actions.endorsements_in_force(design)) == []
    assert actions.endorsements_for_achievement(design) == []
    assert actions.endorsement_credentials_for_achievement(design) == []
    assert "endorsement" not in achievement_document(Version.objects.get(pk=design.pk))

    # Complete it, through review; publishing is refused with the reason.
    version = Version.objects.get(pk=design.pk)
    f.complete_competency(version, "Present the results")
    version.competencies.get(statement="Make pivot tables").delete()
    lifecycle.version_submit(actor=world.designer, version=version)
    lifecycle.version_approve(actor=world.reviewer, version=version)
    with pytest.raises(GatesFailing, match="must renew their endorsement"):
        lifecycle.version_publish(actor=world.tlc_admin, version=version)
    assert Version.objects.get(pk=design.pk).state == Version.State.APPROVED

    # The partner renews: the new endorsement is over the current content and in force.
    renewal = actions.endorsement_renew(actor=world.endorser, endorsement=endorsement)
    version = Version.objects.get(pk=design.pk)
    assert renewal.content_digest == content_digest(version) != endorsement.content_digest
    assert _endorsed_gate(version).passed
    assert actions.endorsements_for_achievement(version) == [renewal]
    audit = AuditEntry.objects.get(action="endorsements.renew")
    assert audit.data["content_changed"] is True
    lifecycle.version_publish(actor=world.tlc_admin, version=version)
    assert Version.objects.get(pk=design.pk).state == Version.State.PUBLISHED
    embedded = achievement_document(Version.objects.get(pk=design.pk))["endorsement"]
    assert embedded == [renewal.credential]


def test_an_endorsement_without_a_digest_is_not_in_force(world: Any, design: Version) -> None:
    endorsement = _endorse(world, design)
    Endorsement.objects.filter(pk=endorsement.pk).update(content_digest="")
    assert list(Endorsement.objects.current()) == [endorsement]
    assert actions.endorsements_for_achievement(design) == []
    assert "renew" in _endorsed_gate(design).reason


def test_a_published_versions_endorsements_stay_in_force_whatever_the_digest(
    world: Any, design: Version
) -> None:
    """Published content cannot change; a later release that builds the Achievement
    differently (every digest changes) must not strip published designs of their endorsers."""
    endorsement = _endorse(world, design)
    Version.objects.filter(pk=design.pk).update(state="published", published_at=timezone.now())
    Endorsement.objects.filter(pk=endorsement.pk).update(content_digest="0" * 64)
    published = Version.objects.get(pk=design.pk)
    assert actions.endorsements_for_achievement(published) == [endorsement]
    assert actions.endorsements_in_force(Version.objects.get(pk=design.pk)).count() == 1


def test_of_two_partners_only_the_one_who_read_the_current_design_counts(
    world: Any, design: Version
) -> None:
    stale = _endorse(world, design)
    design = design_actions.version_update(actor=world.designer, version=design, summary="Changed.")
    second = world.other_partner
    key_generate(issuer=f.EndorserProfileFactory(organisation=second), actor=None)
    request = _ask(world, design, partner=second)
    fresh = actions.endorsement_sign(actor=world.other_endorser, request=request, statement="Yes")
    assert actions.endorsements_for_achievement(design) == [fresh]
    assert _endorsed_gate(design).passed
    assert stale.content_digest != fresh.content_digest


@pytest.mark.parametrize("state", [Version.State.SUPERSEDED, Version.State.RETIRED])
def test_renewing_an_endorsement_of_a_closed_version_is_refused(
    world: Any, design: Version, state: str
) -> None:
    endorsement = _endorse(world, design)
    Version.objects.filter(pk=design.pk).update(state=state)
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="cannot be renewed") as refused:
        actions.endorsement_renew(actor=world.endorser, endorsement=endorsement)
    assert refused.value.code == "version_closed"
    assert _snapshot() == before


def test_signing_or_renewing_over_a_design_that_changed_while_reading_is_refused(
    world: Any, design: Version
) -> None:
    read = content_digest(design)
    request = _ask(world, design)
    design = design_actions.version_update(actor=world.designer, version=design, title="Renamed")
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="changed while you were reading") as refused:
        actions.endorsement_sign(
            actor=world.endorser, request=request, statement="Yes", read_digest=read
        )
    assert refused.value.code == "content_changed"
    assert _snapshot() == before
    endorsement = actions.endorsement_sign(
        actor=world.endorser, request=request, statement="Yes", read_digest=content_digest(design)
    )
    read = content_digest(design)
    design = design_actions.version_update(
        actor=world.designer, version=design, title="Renamed again"
    )
    before = _snapshot()
    with pytest.raises(EndorsementRefused, match="changed while you were reading"):
        actions.endorsement_renew(actor=world.endorser, endorsement=endorsement, read_digest=read)
    assert _snapshot() == before


def test_a_stale_endorsement_is_shown_and_renewed_through_the_pages(
    world: Any, design: Version, client: Any
) -> None:
    endorsement = _endorse(world, design)
    design = design_actions.version_update(actor=world.designer, version=design, summary="Changed.")
    stale_text = "Endorsed an earlier state of this design — renew to endorse the current content"
    # The design team sees it on the panel; the partner on the request page and portal.
    client_for(client, world.designer)
    url = reverse("catalogue:design", kwargs={"slug": design.micro_credential.slug, "number": 1})
    assert stale_text in client.get(url).content.decode()
    client_for(client, world.endorser)
    page = client.get(reverse("endorsements:request", kwargs={"pk": endorsement.request_id}))
    html = page.content.decode()
    assert stale_text in html
    assert "The design has changed since you endorsed it" in html
    assert reverse("endorsements:renew", kwargs={"pk": endorsement.pk}) in html
    assert f'value="{content_digest(design)}"' in html
    assert stale_text in client.get(reverse("endorsements:portal")).content.decode()
    # A renewal posted from a page that showed an earlier state is refused, changing nothing.
    before = _snapshot()
    response = client.post(
        reverse("endorsements:renew", kwargs={"pk": endorsement.pk}),
        {
            "renew-statement": "",
            "renew-valid_months": "24",
            "renew-content_digest": endorsement.content_digest,
        },
    )
    assert response.status_code == 400
    assert "changed while you were reading" in response.content.decode()
    assert _snapshot() == before
    # Renewing from the current page puts it back in force.
    response = client.post(
        reverse("endorsements:renew", kwargs={"pk": endorsement.pk}),
        {
            "renew-statement": "",
            "renew-valid_months": "24",
            "renew-content_digest": content_digest(design),
        },
    )
    assert response.status_code == 302
    endorsement.refresh_from_db()
    assert endorsement.renewed_by is not None
    assert actions.endorsements_for_achievement(design) == [endorsement.renewed_by]
    page = client.get(reverse("endorsements:request", kwargs={"pk": endorsement.request_id}))
    assert stale_text not in page.content.decode()


def test_asking_a_partner_whose_endorsement_is_stale_points_to_renewal(
    world: Any, design: Version
) -> None:
    _endorse(world, design)
    design = design_actions.version_update(actor=world.designer, version=design, summary="Changed.")
    with pytest.raises(EndorsementRefused, match="earlier state of this version"):
        _ask(world, design)
