"""award_issue: one signed record, every check a verifier makes passes, idempotent."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions
from mosaics.awards.models import Award
from mosaics.issuance.models import SigningKey, StatusEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_award_is_signed_and_verifies():
    award = f.award()
    assert award.created
    report = actions.verify_award(award)
    assert report.status == "valid", report.to_dict() if hasattr(report, "to_dict") else report
    assert actions.schema_problems(award.credential) == []
    subject = award.credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert "learner@example.org" not in str(award.credential)
    assert [e["statusPurpose"] for e in award.credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]


def test_awarding_twice_gives_the_same_award():
    version = f.published_version()
    first = f.award(version)
    second = f.award(version, email=" Learner@Example.org ")
    assert second.pk == first.pk
    assert not second.created
    assert Award.objects.count() == 1


@pytest.mark.parametrize("form", actions.FORMS)
def test_every_signed_form_verifies_and_is_kept(form):
    award = f.award()
    signed = actions.award_credential_form(award, form)
    assert actions.verify_award(award, signed).status == "valid"
    award.refresh_from_db()
    assert actions.award_credential_form(award, form) == signed


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_of_the_same_badge_make_one():
    """Four staff press Award at the same moment for the same learner: the database's unique
    constraint lets one through, and every caller gets that one award back."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite runs one at a time")
    version = f.published_version()
    barrier = threading.Barrier(4)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            award = f.award(version, email="same@example.org")
            results.append((award.pk, award.created))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert Award.objects.count() == 1
    # The losers' status entries were rolled back with their attempt.
    assert StatusEntry.objects.count() == 2
    assert AuditEntry.objects.filter(action="awards.issue").count() == 1


def test_the_learner_with_a_verified_address_gets_it_and_is_not_awarded_twice(world):
    version = f.published_version(world.issuer)
    first = f.award(version, email=world.learner.email)
    assert first.learner == world.learner
    # Another of their verified addresses: still the same learner, so the same award.
    EmailAddress.objects.create(user=world.learner, email="second@example.org", verified=True)
    again = f.award(version, email="second@example.org")
    assert again.pk == first.pk


def test_only_published_versions_and_staff_of_the_issuer_may_award(world):
    draft = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    with pytest.raises(actions.AwardRefused, match="published"):
        f.award(draft)
    version = f.published_version(world.issuer)
    for person in ("learner", "designer", "reviewer", "endorser", "other_admin"):
        with pytest.raises(PermissionDenied):
            actions.award_issue(
                actor=world.people[person], recipient_email="a@example.org", version=version
            )
    assert Award.objects.count() == 0
    for person in ("assessor", "tlc_admin", "platform_admin"):
        award = actions.award_issue(
            actor=world.people[person], recipient_email=f"{person}@example.org", version=version
        )
        assert award.awarded_by == world.people[person]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recipient_email": "not an address"}, "not an e-mail address"),
        ({"narrative": "x" * 10_001}, "too long"),
        ({"evidence": [{"name": ""}]}, "needs a title"),
        ({"evidence": [{"name": "Report", "url": "javascript:alert(1)"}]}, "https://"),
        ({"evidence": [{"name": "e"}] * 21}, "at most"),
        ({"results": {"999999": None}}, "not part of"),
        ({"results": {str(2**70): None}}, "not part of"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_kept(world, kwargs, message):
    version = f.published_version(world.issuer)
    arguments = {"recipient_email": "a@example.org", **kwargs}
    with pytest.raises(actions.AwardRefused, match=message):
        actions.award_issue(actor=world.assessor, version=version, **arguments)
    assert Award.objects.count() == 0
    assert StatusEntry.objects.count() == 0


def test_results_must_be_levels_of_their_own_competency(world):
    version = f.published_version(world.issuer)
    first, second = version.competencies.all()
    with pytest.raises(actions.AwardRefused, match="rubric levels"):
        actions.award_issue(
            actor=world.assessor,
            recipient_email="a@example.org",
            version=version,
            results={first.pk: second.levels.first().pk},
        )
    award = actions.award_issue(
        actor=world.assessor,
        recipient_email="a@example.org",
        version=version,
        results={first.pk: first.passing_level_id, second.pk: second.levels.last().pk},
        evidence=[actions.EvidenceInput(name="Sales forecast", url="https://example.org/r")],
        narrative="Built the forecast the team now uses.",
    )
    subject = award.credential["credentialSubject"]
    aid = subject["achievement"]["id"]
    assert subject["result"][0]["resultDescription"] == f"{aid}#competency-{first.pk}"
    assert subject["result"][0]["achievedLevel"].endswith(f"-level-{first.passing_level_id}")
    assert award.credential["evidence"][0]["id"] == "https://example.org/r"
    assert subject["narrative"] == "Built the forecast the team now uses."
    assert actions.verify_award(award).status == "valid"


def test_validity_follows_the_design_and_expiry_is_reported(world):
    version = f.published_version(world.issuer, validity_months=12)
    award = f.award(version, now=timezone.now() - timedelta(days=400))
    assert award.valid_until is not None
    assert award.is_expired
    assert award.effective_status == "expired"
    assert actions.verify_award(award).status == "expired"
    fresh = f.award(version, email="fresh@example.org")
    assert fresh.credential["validUntil"] > fresh.credential["validFrom"]
    assert actions.verify_award(fresh).status == "valid"


def test_no_key_no_award(world):
    version = f.published_version(world.issuer)
    SigningKey.objects.filter(issuer=world.issuer).update(retired_at=timezone.now())
    with pytest.raises(actions.AwardRefused, match="no usable signing key"):
        f.award(version)
    assert StatusEntry.objects.filter(credential_id__startswith="urn:uuid:").count() == 0


def test_status_changes_are_checked_audited_and_final_where_they_should_be(world):
    award = f.award(f.published_version(world.issuer))
    for person in ("assessor", "designer", "learner", "other_admin"):
        with pytest.raises(PermissionDenied):
            actions.award_suspend(actor=world.people[person], award=award, reason="x")
    with pytest.raises(actions.AwardRefused, match="reason"):
        actions.award_revoke(actor=world.tlc_admin, award=award, reason="  ")
    with pytest.raises(actions.AwardRefused, match="suspended"):
        actions.award_reinstate(actor=world.tlc_admin, award=award)
    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Checking the evidence")
    assert actions.verify_award(award).status == "suspended"
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Evidence was not theirs")
    award.refresh_from_db()
    assert award.status == "revoked"
    assert award.status_reason == "Evidence was not theirs"
    assert actions.verify_award(award).status == "revoked"
    with pytest.raises(actions.AwardRefused):
        actions.award_reinstate(actor=world.tlc_admin, award=award)
    with pytest.raises(actions.AwardRefused, match="already revoked"):
        actions.award_revoke(actor=world.tlc_admin, award=award, reason="again")
    assert list(
        AuditEntry.objects.filter(action__startswith="awards.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["awards.issue", "awards.suspend", "awards.revoke"]


def test_nobody_awards_themselves(world):
    version = f.published_version(world.issuer)
    EmailAddress.objects.create(user=world.assessor, email="unverified@example.org")
    for email in (world.assessor.email, world.assessor.email.upper(), "unverified@example.org"):
        with pytest.raises(actions.AwardRefused, match="yourself"):
            actions.award_issue(actor=world.assessor, recipient_email=email, version=version)
    assert Award.objects.count() == 0
    # Another assessor (here the institution admin) may.
    award = actions.award_issue(
        actor=world.tlc_admin, recipient_email=world.assessor.email, version=version
    )
    assert award.learner == world.assessor


def test_a_look_alike_address_never_receives_the_award(world):
    """PostgreSQL's UPPER() folds the dotless ı into I: compared case-insensitively there,
    alıce@gmaıl.com would be alice@gmail.com. Addresses are compared exactly (allauth stores
    them lower-cased), so the look-alike's owner gets nothing."""
    EmailAddress.objects.create(user=world.endorser, email="alıce@gmaıl.com", verified=True)
    award = f.award(f.published_version(world.issuer), email="Alice@Gmail.com")
    assert award.learner is None
    assert award.recipient_email == "alice@gmail.com"


def test_plain_text_mail_is_not_html_escaped(world, django_capture_on_commit_callbacks, mailoutbox):
    version = f.published_version(world.issuer, title="Tools & Techniques <Level 1>")
    with django_capture_on_commit_callbacks(execute=True):
        f.award(version, email="sam@example.org")
    (message,) = mailoutbox
    assert "Tools & Techniques <Level 1>" in message.subject
    assert "Tools & Techniques <Level 1>" in message.body
    assert "&amp;" not in message.body
