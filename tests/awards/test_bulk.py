"""Bulk awarding: many signed awards at once, by the same rules as one, and its staff page."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions, bulk
from mosaics.awards.bulk import awards_issue_bulk
from mosaics.awards.models import Award
from mosaics.issuance import signing
from mosaics.issuance.actions import status_entries_allocate
from mosaics.issuance.models import StatusEntry, StatusList
from mosaics.vc import batch, dataintegrity
from mosaics.vc.keys import Ed25519Multikey
from tests import factories as f

pytestmark = pytest.mark.django_db


def _people(n: int, start: int = 0) -> list[tuple[str, str]]:
    return [(f"Learner{i}@Example.org", f"Learner {i}") for i in range(start, start + n)]


def test_fifty_recipients_get_fifty_verifying_awards(world, django_capture_on_commit_callbacks):
    version = f.published_version(world.issuer)
    with django_capture_on_commit_callbacks(execute=False):
        result = awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(50))
    assert len(result.made) == 50
    assert not result.refused
    assert not result.already_held
    awards = list(Award.objects.filter(version=version).select_related("issuer"))
    assert len(awards) == 50
    assert {a.recipient_email for a in awards} == {f"learner{i}@example.org" for i in range(50)}
    for award in awards[:3]:
        assert actions.verify_award(award).status == "valid"
        assert actions.schema_problems(award.credential) == []
        assert award.claim_token_hash == actions.token_hash(actions.claim_token(award))
    documents = signing.trusted_documents([world.issuer])
    for award in awards:
        dataintegrity.verify(award.credential, documents=documents)
    revocation = {a.revocation_entry.index for a in awards}
    suspension = {a.suspension_entry.index for a in awards}
    assert len(revocation) == 50
    assert len(suspension) == 50
    assert StatusEntry.objects.filter(credential_id__startswith="urn:uuid:").count() == 100
    assert AuditEntry.objects.filter(action="awards.issue").count() == 50
    assert AuditEntry.objects.filter(action="awards.issue_bulk").count() == 1
    # Idempotent: a second run holds everyone already.
    again = awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(50))
    assert not again.made
    assert len(again.already_held) == 50
    assert Award.objects.filter(version=version).count() == 50


def test_bad_rows_are_reported_by_line_and_the_rest_awarded(world):
    version = f.published_version(world.issuer)
    EmailAddress.objects.create(user=world.learner, email="known@example.org", verified=True)
    first = f.award(version, email="held@example.org")
    rows = [
        ("good@example.org", "Good"),
        ("not an address", ""),
        (world.assessor.email, "Me"),
        ("GOOD@example.org", "Again"),
        ("held@example.org", ""),
        ("known@example.org", "Known"),
    ]
    result = awards_issue_bulk(
        actor=world.assessor, version=version, recipients=rows, lines=[2, 3, 4, 5, 6, 7]
    )
    assert sorted(a.recipient_email for a in result.made) == [
        "good@example.org",
        "known@example.org",
    ]
    assert [(r.line, r.code) for r in result.refused] == [
        (3, "email"),
        (4, "self"),
        (5, "duplicate"),
    ]
    assert "line 2" in result.refused[2].message
    assert [(h.line, h.award.pk) for h in result.already_held] == [(6, first.pk)]
    known = Award.objects.get(recipient_email="known@example.org")
    assert known.learner == world.learner
    assert Award.objects.filter(version=version).count() == 3


def test_only_those_who_may_award_and_only_published(world):
    version = f.published_version(world.issuer)
    for person in ("learner", "designer", "endorser", "other_admin"):
        with pytest.raises(PermissionDenied):
            awards_issue_bulk(actor=world.people[person], version=version, recipients=_people(2))
    version.state = "retired"
    version.save(update_fields=["state"])
    with pytest.raises(actions.AwardRefused):
        awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(2))
    assert not Award.objects.exists()


def test_emails_and_pathways_after_commit(world, django_capture_on_commit_callbacks, mailoutbox):
    first, second = (f.published_version(world.issuer) for _ in range(2))
    pathway = f.published_pathway(world.issuer, [first.micro_credential, second.micro_credential])
    f.award(first, email="learner3@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = awards_issue_bulk(actor=world.assessor, version=second, recipients=_people(5))
    assert len(result.made) == 5
    recipients = [m.to[0] for m in mailoutbox]
    for award in result.made:
        assert recipients.count(award.recipient_email) >= 1
        assert actions.claim_url(award) in "".join(m.body for m in mailoutbox)
    made = Award.objects.filter(pathway=pathway)
    assert [a.recipient_email for a in made] == ["learner3@example.org"]


def test_status_entries_allocate_fills_lists_and_opens_new_ones(world):
    f.with_key(world.issuer)
    status_list = StatusList.objects.create(
        issuer=world.issuer, purpose="revocation", length=16, bits=bytes(2), credential={}
    )
    StatusEntry.objects.create(status_list=status_list, index=3, credential_id="urn:x:0")
    status_list.allocated = 1
    status_list.save()
    entries = status_entries_allocate(
        issuer=world.issuer,
        purpose="revocation",
        credential_ids=[f"urn:x:{i}" for i in range(1, 21)],
    )
    assert [e.credential_id for e in entries] == [f"urn:x:{i}" for i in range(1, 21)]
    first = [e.index for e in entries if e.status_list_id == status_list.pk]
    assert sorted(first) == [i for i in range(16) if i != 3]
    others = [e for e in entries if e.status_list_id != status_list.pk]
    assert len(others) == 5
    assert len({e.index for e in others}) == 5
    assert others[0].status_list.credential is not None
    status_list.refresh_from_db()
    assert status_list.allocated == 16


# --- the staff page --------------------------------------------------------------------------


def _post(client, world, version, **data):
    client.force_login(world.assessor)
    return client.post(reverse("awards:bulk", kwargs={"pk": version.pk}), data)


def test_the_page_awards_a_pasted_list_and_lists_the_outcome(world, client):
    version = f.published_version(world.issuer)
    text = "email,name\nana@example.org,Ana\n\nbob@example.org\nnope\nana@example.org,Ana\n"
    response = _post(client, world, version, text=text, narrative="Recognised prior learning")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 awarded, 0 already held, 2 refused." in html
    assert "<td>5</td>" in html
    assert "<td>6</td>" in html
    assert Award.objects.filter(version=version).count() == 2
    form = client.get(reverse("awards:new_version", kwargs={"pk": version.pk})).content.decode()
    assert reverse("awards:bulk", kwargs={"pk": version.pk}) in form


def test_an_uploaded_file_with_bom_is_read(world, client):
    version = f.published_version(world.issuer)
    upload = SimpleUploadedFile(
        "list.csv", "\ufeffemail,name\r\nzoe@example.org,Zoë\r\n".encode(), "text/csv"
    )
    response = _post(client, world, version, file=upload)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert Award.objects.get(version=version).recipient_name == "Zoë"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
        (b"a@example.org\nb@example.org\x00,x\n", "Line 2 contains a NUL"),
        (b"".join(b"p%d@example.org\n" % i for i in range(10_001)), "at most 10000"),
        (b"a@example.org," + b"x" * (3 * 1024 * 1024), "larger than 2 MB"),
        (b"a@example.org,A\nb@example.org,B,C\n", "Line 2 has 3 columns"),
    ],
    ids=["binary", "nul", "10001-rows", "3MB", "columns"],
)
def test_a_malformed_file_is_refused_whole(world, client, content, needle):
    version = f.published_version(world.issuer)
    upload = SimpleUploadedFile("list.csv", content, "text/csv")
    response = _post(client, world, version, file=upload)
    assert response.status_code == 400
    assert needle in response.content.decode()
    assert not Award.objects.exists()


def test_formulas_and_markup_are_never_echoed_unescaped(world, client):
    version = f.published_version(world.issuer)
    text = "=cmd|' /C calc'!A0,x\n<script>alert(1)</script>@x,y\nok@example.org,\"=HYPERLINK(1)\"\n"
    response = _post(client, world, version, text=text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "=cmd|&#x27; /C calc&#x27;!A0" in html
    assert "1 awarded, 0 already held, 2 refused." in html


def test_outsiders_cannot_open_the_page(world, client):
    version = f.published_version(world.issuer)
    client.force_login(world.learner)
    url = reverse("awards:bulk", kwargs={"pk": version.pk})
    assert client.post(url, {"text": "a@example.org"}).status_code == 404
    assert not Award.objects.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql(world):
    assert connection.vendor == "postgresql"
    version = f.published_version(world.issuer)
    result = awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(20))
    assert len(result.made) == 20
    assert actions.verify_award(result.made[0]).status == "valid"


def test_a_large_batch_is_signed_in_worker_processes_and_every_proof_verifies(world):
    # POOL_THRESHOLD recipients: on more than one CPU, spawned workers sign and verify while
    # this process holds its database connection (SQLite here, PostgreSQL in CI).
    version = f.published_version(world.issuer)
    count = batch.POOL_THRESHOLD
    result = awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(count))
    assert len(result.made) == count
    assert Award.objects.filter(version=version).count() == count
    documents = signing.trusted_documents([world.issuer])
    for award in Award.objects.filter(version=version):
        dataintegrity.verify(award.credential, documents=documents)
    assert actions.verify_award(result.made[-1]).status == "valid"
    emails = [a.recipient_email for a in result.made]
    assert emails == [f"learner{i}@example.org" for i in range(count)]  # order kept


def test_a_proof_that_does_not_verify_leaves_nothing(world, monkeypatch):
    version = f.published_version(world.issuer)
    real = batch.sign_and_verify
    stranger = Ed25519Multikey.generate()

    def with_a_stranger_key(documents, **kwargs):
        # Real signatures, checked against a key that is not the issuer's.
        return real(documents, **{**kwargs, "public_key": stranger.public_bytes()})

    monkeypatch.setattr(bulk.batch, "sign_and_verify", with_a_stranger_key)
    with pytest.raises(actions.AwardRefused) as refused:
        awards_issue_bulk(actor=world.assessor, version=version, recipients=_people(3))
    assert refused.value.code == "self_check_failed"
    assert not Award.objects.filter(version=version).exists()
    assert not AuditEntry.objects.filter(action__startswith="awards.issue").exists()
    assert not StatusEntry.objects.filter(credential_id__startswith="urn:uuid:").exists()
