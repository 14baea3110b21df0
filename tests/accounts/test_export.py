"""Exporting one's personal data: a ZIP with data.json, the evidence files and the signed
credentials — everything that is the learner's, nothing secret, nobody else's."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from mosaics.accounts import actions
from mosaics.accounts.export import build_archive
from mosaics.audit.models import AuditEntry
from tests.accounts.journey import NONCE, PHOTO, REPORT, TOKEN_HASH, journey

URL = "/accounts/export/"


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_url_names_the_page() -> None:
    assert reverse("accounts:export") == URL


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Any, db: None, method: str) -> None:
    response = getattr(client, method)(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not AuditEntry.objects.exists()


def test_the_page_explains_what_the_file_holds(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert "data.json" in page
    assert "evidence/" in page
    assert "credentials/" in page
    assert 'aria-label="Your account"' in page
    assert not AuditEntry.objects.filter(action="accounts.export").exists()


def test_the_download_holds_everything_that_is_the_learners(client: Any, world: Any) -> None:
    j = journey(world)
    client.force_login(j.learner)
    response = client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="mosaics-personal-data-'
    )
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    archive = _zip(response)
    data = json.loads(archive.read("data.json"))

    assert data["format"] == "mosaics-personal-data"
    assert data["profile"]["display_name"] == "Lee"
    assert data["profile"]["legal_name"] == "Lee Learner-Legal"
    assert data["email_addresses"] == [
        {"email": j.learner.email, "verified": True, "primary": True}
    ]
    assert [b["did"] for b in data["bound_dids"]] == [
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    ]

    (enrolment,) = data["enrolments"]
    assert enrolment["state"] == "active"
    assert enrolment["title"] == j.enrolment.version.title
    demos = enrolment["demonstrations"]
    assert len(demos) == 3  # two submitted, one revised draft
    first = next(d for d in demos if d["uuid"] == str(j.attestation.demonstration.uuid))
    assert first["narrative"].startswith("I cleaned the sales data")
    assert first["setting"]["organisation"] == "Prairie Analytics"
    assert first["setting"]["role"] == "Analyst intern"
    kinds = sorted(item["kind"] for item in first["evidence"])
    assert kinds == ["file", "link"]
    (attestation,) = first["attestations"]
    assert attestation["supervisor_name"] == "Sam Supervisor"
    assert attestation["supervisor_email"] == "sam@prairie.example"
    assert attestation["state"] == "confirmed"
    assert attestation["comment"] == "Lee did this work, and did it well."

    (reflection,) = enrolment["reflections"]
    assert reflection["summary"] == "I learned to turn raw data into a decision."
    assert [a["answer"] for a in reflection["answers"]] == [
        "My answer to: What did you learn?",
        "My answer to: What would you do differently?",
    ]
    (submission,) = enrolment["submissions"]
    assert submission["state"] == "met"
    assert submission["award"] == str(j.award.uuid)
    (assessment,) = submission["assessments"]
    assert assessment["decision"] == "meets"
    assert assessment["feedback"] == "Clear evidence, well argued."
    assert [s["level"] for s in assessment["scores"]] == ["Proficient", "Proficient"]
    assert "assessor" not in json.dumps(assessment)  # the learner's judgement, not who

    (award,) = data["awards"]
    assert award["uuid"] == str(j.award.uuid)
    assert award["credential"] == j.award.credential
    assert award["recipient_name"] == "Lee Learner-Legal"
    assert json.loads(archive.read(f"credentials/{j.award.uuid}.json")) == j.award.credential

    (imported,) = data["imported_badges"]
    assert imported["title"] == "Imported Python"
    (collection,) = data["collections"]
    assert collection["name"] == "For employers"
    assert collection["awards"] == [str(j.award.uuid)]
    assert collection["imported_badges"] == [str(j.external.uuid)]
    actions_done = [entry["action"] for entry in data["activity"]]
    assert "learning.enrolment_enrol" in actions_done
    assert "awards.accept" in actions_done or any(a.startswith("awards.") for a in actions_done)


def test_evidence_files_are_in_the_archive_once_each(client: Any, world: Any) -> None:
    j = journey(world)
    client.force_login(j.learner)
    archive = _zip(client.post(URL))
    report, copy, photo = j.items
    names = [n for n in archive.namelist() if n.startswith("evidence/")]
    assert sorted(names) == sorted(
        [f"evidence/{report.uuid}-report.pdf", f"evidence/{photo.uuid}-whiteboard.png"]
    )
    assert archive.read(f"evidence/{report.uuid}-report.pdf") == REPORT
    assert archive.read(f"evidence/{photo.uuid}-whiteboard.png") == PHOTO
    data = json.loads(archive.read("data.json"))
    by_uuid = {
        item["uuid"]: item
        for demo in data["enrolments"][0]["demonstrations"]
        for item in demo["evidence"]
    }
    # The revised version's copy points at the same file in the archive.
    assert by_uuid[str(copy.uuid)]["file"] == f"evidence/{report.uuid}-report.pdf"
    assert by_uuid[str(report.uuid)]["size"] == len(REPORT)
    assert by_uuid[str(report.uuid)]["file_name"] == "report.pdf"


def test_nothing_secret_and_nobody_elses_data(client: Any, world: Any) -> None:
    j = journey(world)
    client.force_login(j.learner)
    archive = _zip(client.post(URL))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    j.learner.refresh_from_db()
    for secret in (
        j.learner.password,
        NONCE,
        TOKEN_HASH,
        j.award.claim_token_hash or "no claim token hash",
    ):
        assert secret.encode() not in everything
    assert b"someone-else.txt" not in everything
    assert b"another learner's file" not in everything
    assert b"other_learner" not in everything
    assert world.assessor.username.encode() not in everything


def test_the_export_is_audited(client: Any, world: Any) -> None:
    client.force_login(world.learner)
    response = client.post(URL)
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="accounts.export")
    assert entry.actor == world.learner
    assert entry.target == f"accounts.user:{world.learner.pk}"


def test_a_learner_with_nothing_gets_an_archive_with_empty_lists(world: Any) -> None:
    with build_archive(world.learner) as handle:
        archive = zipfile.ZipFile(handle)
        assert archive.namelist() == ["data.json"]
        data = json.loads(archive.read("data.json"))
    assert data["enrolments"] == data["awards"] == data["collections"] == []
    assert data["imported_badges"] == data["bound_dids"] == []


def test_a_file_gone_from_storage_is_named_not_hidden(world: Any) -> None:
    j = journey(world)
    report = j.items[0]
    report.file.storage.delete(report.file.name)
    with build_archive(j.learner) as handle:
        archive = zipfile.ZipFile(handle)
        data = json.loads(archive.read("data.json"))
        assert f"evidence/{report.uuid}-report.pdf" not in archive.namelist()
    assert data["evidence_files_missing"] == [f"evidence/{report.uuid}-report.pdf"]


def test_the_action_refuses_anonymous_visitors(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.account_export(actor=AnonymousUser())
    assert not AuditEntry.objects.exists()
