"""Demonstration workflows: the draft, evidence, submitting (freezing), revising, discarding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from mosaics.audit.models import AuditEntry
from mosaics.awards.models import Award
from mosaics.learning.actions import demonstration as actions
from mosaics.learning.actions._common import LearningRefused
from mosaics.learning.documents import evidence_url
from mosaics.learning.models import Demonstration, EvidenceItem, Submission
from mosaics.portfolio.models import ExternalBadge
from tests import factories as f
from tests.learning import builders as b

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def s(world: Any) -> SimpleNamespace:
    version = b.learning_version(world.issuer)
    competency, other_competency = version.competencies.all()
    return SimpleNamespace(
        world=world,
        learner=world.learner,
        version=version,
        enrolment=b.enrolment(world.learner, version),
        competency=competency,
        other_competency=other_competency,
    )


def audits(action: str) -> int:
    return AuditEntry.objects.filter(action=f"learning.{action}").count()


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def save(s: SimpleNamespace, **fields: Any) -> Demonstration:
    fields.setdefault("actor", s.learner)
    fields.setdefault("enrolment", s.enrolment)
    fields.setdefault("competency", s.competency)
    return actions.demonstration_save(**fields)


def draft_with_file(s: SimpleNamespace) -> tuple[Demonstration, EvidenceItem]:
    draft = save(
        s, narrative="What I did.", setting_organisation="Prairie", setting_kind="industry"
    )
    item = actions.evidence_add(
        actor=s.learner, demonstration=draft, kind="file", upload=pdf(), visibility="public"
    )
    return draft, item


def storage() -> Any:
    """Django's default storage, looked up when used: importing `default_storage` into this
    module would set it up when pytest collects the module (it inspects module globals),
    before the suite's session fixture has pointed STORAGES at the test set-up."""
    from django.core.files.storage import default_storage

    return default_storage


def _stored_files() -> set[str]:
    """Every file under MEDIA_ROOT/evidence (the suite's throwaway media directory)."""
    root = Path(storage().path("evidence"))
    return {str(path) for path in root.rglob("*") if path.is_file()}


def codes(refused: pytest.ExceptionInfo[LearningRefused]) -> list[str]:
    return [error.code for error in refused.value.error_list]


# --- saving the draft ----------------------------------------------------------------------


def test_the_first_save_makes_version_1_and_later_saves_change_it(s: SimpleNamespace) -> None:
    draft = save(
        s,
        narrative="I cleaned the data.",
        setting_organisation="Prairie Analytics",
        setting_role="Intern",
        setting_kind="industry",
        setting_start=dt.date(2025, 1, 6),
        setting_end=dt.date(2025, 4, 30),
    )
    assert (draft.number, draft.state) == (1, "draft")
    assert draft.setting_end == dt.date(2025, 4, 30)
    again = save(s, narrative="  I cleaned and charted the data.  ")
    assert again.pk == draft.pk
    assert again.narrative == "I cleaned and charted the data."
    assert again.setting_organisation == ""  # the form sends every field
    assert Demonstration.objects.count() == 1
    assert audits("demonstration_save") == 2
    entry = AuditEntry.objects.filter(action="learning.demonstration_save").earliest("id")
    assert entry.data["created"] is True
    assert entry.organisation == s.world.business


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"narrative": "x" * 20_001}, "too_long"),
        ({"setting_organisation": "x" * 201}, "too_long"),
        ({"setting_role": "x" * 201}, "too_long"),
        ({"narrative": "nul\x00"}, "nul"),
        ({"setting_kind": "moon"}, "setting_kind"),
        (
            {"setting_start": dt.date(2025, 5, 1), "setting_end": dt.date(2025, 4, 1)},
            "dates_out_of_order",
        ),
        ({"setting_start": "2025-01-01"}, "date"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    s: SimpleNamespace, fields: dict[str, Any], code: str
) -> None:
    with pytest.raises(LearningRefused) as refused:
        save(s, **fields)
    assert refused.value.code == code
    assert not Demonstration.objects.exists()
    assert audits("demonstration_save") == 0


def test_a_competency_of_another_micro_credential_is_refused(s: SimpleNamespace) -> None:
    elsewhere = b.learning_version(s.world.issuer).competencies.first()
    with pytest.raises(LearningRefused) as refused:
        save(s, competency=elsewhere)
    assert refused.value.code == "competency"
    assert not Demonstration.objects.exists()


@pytest.mark.parametrize("who", ["assessor", "tlc_admin", "other_admin", "anonymous"])
def test_only_the_learner_saves(s: SimpleNamespace, who: str) -> None:
    with pytest.raises(PermissionDenied):
        save(s, actor=getattr(s.world, who), narrative="Not mine")
    assert not Demonstration.objects.exists()
    assert audits("demonstration_save") == 0


def test_another_learner_cannot_save_into_this_enrolment(s: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        save(s, actor=f.UserFactory(), narrative="Not mine")
    assert not Demonstration.objects.exists()


@pytest.mark.parametrize("state", ["waitlisted", "withdrawn", "awarded", "not_met"])
def test_nothing_changes_unless_the_enrolment_is_active(s: SimpleNamespace, state: str) -> None:
    s.enrolment.state = state
    s.enrolment.save()
    with pytest.raises(LearningRefused) as refused:
        save(s, narrative="Hello")
    assert refused.value.code == "not_active"
    assert not Demonstration.objects.exists()


# --- evidence ------------------------------------------------------------------------------


def test_a_link_is_added_to_the_draft(s: SimpleNamespace) -> None:
    draft = save(s)
    item = actions.evidence_add(
        actor=s.learner,
        demonstration=draft,
        kind="link",
        title=" Dashboard ",
        description="The dashboard I built.",
        url="https://example.org/dashboard",
        visibility="public",
    )
    assert (item.kind, item.title, item.url, item.visibility) == (
        "link",
        "Dashboard",
        "https://example.org/dashboard",
        "public",
    )
    assert evidence_url(item) == "https://example.org/dashboard"
    second = actions.evidence_add(
        actor=s.learner, demonstration=draft, kind="link", title="B", url="http://example.org/b"
    )
    assert second.position > item.position
    assert audits("evidence_add") == 2


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("javascript:alert(1)", "A"),
        ("ftp://example.org/file", "A"),
        ("https://", "A"),
        ("example.org", "A"),
        ("https://example.org/" + "a" * 500, "A"),
        ("", "A"),
        ("https://example.org", ""),
    ],
)
def test_bad_links_are_refused(s: SimpleNamespace, url: str, title: str) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused):
        actions.evidence_add(
            actor=s.learner, demonstration=draft, kind="link", title=title, url=url
        )
    assert not EvidenceItem.objects.exists()
    assert audits("evidence_add") == 0


def test_a_file_is_stored_through_the_storage_api(s: SimpleNamespace, settings: Any) -> None:
    _draft, item = draft_with_file(s)
    assert item.file.name.startswith("evidence/")
    with storage().open(item.file.name) as handle:
        assert handle.read() == PDF
    assert evidence_url(item) == f"{settings.SITE_URL}/evidence/{item.uuid}"


def test_a_refused_file_is_not_stored(s: SimpleNamespace) -> None:
    draft = save(s)
    before = _stored_files()
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(
            actor=s.learner,
            demonstration=draft,
            kind="file",
            upload=SimpleUploadedFile("page.png", b"<html><script></script></html>"),
        )
    assert refused.value.code == "unsupported"
    assert not EvidenceItem.objects.exists()
    assert _stored_files() == before


def test_a_file_stored_before_a_failure_is_deleted(
    s: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = save(s)
    stored: list[str] = []
    real_save = EvidenceItem.save

    def failing_save(item: EvidenceItem, *args: Any, **kwargs: Any) -> None:
        stored.append(item.file.name)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(EvidenceItem, "save", failing_save)
    with pytest.raises(RuntimeError):
        actions.evidence_add(actor=s.learner, demonstration=draft, kind="file", upload=pdf())
    monkeypatch.setattr(EvidenceItem, "save", real_save)
    assert stored
    assert stored[0].startswith("evidence/")
    assert not storage().exists(stored[0])
    assert not EvidenceItem.objects.exists()
    assert audits("evidence_add") == 0


def test_a_missing_upload_is_refused(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(actor=s.learner, demonstration=draft, kind="file")
    assert refused.value.code == "file_missing"


@pytest.mark.parametrize(
    ("kind", "visibility"), [("poster", "private"), ("link", "everyone"), ("", "private")]
)
def test_unknown_kind_or_visibility(s: SimpleNamespace, kind: str, visibility: str) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused):
        actions.evidence_add(
            actor=s.learner,
            demonstration=draft,
            kind=kind,
            title="T",
            url="https://example.org",
            visibility=visibility,
        )
    assert not EvidenceItem.objects.exists()


def test_at_most_the_configured_number_of_items(s: SimpleNamespace, settings: Any) -> None:
    settings.MOSAICS_MAX_EVIDENCE_ITEMS = 2
    draft = save(s)
    for n in range(2):
        actions.evidence_add(
            actor=s.learner, demonstration=draft, kind="link", title=f"{n}", url="https://a.example"
        )
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(
            actor=s.learner, demonstration=draft, kind="link", title="3", url="https://a.example"
        )
    assert refused.value.code == "too_many_items"
    assert draft.items.count() == 2


def test_no_evidence_is_added_to_a_submitted_version(s: SimpleNamespace) -> None:
    frozen = b.demonstration(s.enrolment, s.competency)
    files_before = _stored_files()
    for kwargs in (
        {"kind": "link", "title": "T", "url": "https://example.org"},
        {"kind": "file", "upload": pdf()},
    ):
        with pytest.raises(LearningRefused) as refused:
            actions.evidence_add(actor=s.learner, demonstration=frozen, **kwargs)
        assert refused.value.code == "frozen"
    assert frozen.items.count() == 1
    assert _stored_files() == files_before
    assert audits("evidence_add") == 0


def test_another_learner_cannot_add_evidence(s: SimpleNamespace) -> None:
    draft = save(s)
    files_before = _stored_files()
    for kwargs in (
        {"kind": "link", "title": "T", "url": "https://example.org"},
        {"kind": "file", "upload": pdf()},
    ):
        with pytest.raises(PermissionDenied):
            actions.evidence_add(actor=f.UserFactory(), demonstration=draft, **kwargs)
    assert not EvidenceItem.objects.exists()
    assert _stored_files() == files_before


# --- badges (recognition of prior learning) ------------------------------------------------


@pytest.fixture
def held(s: SimpleNamespace) -> Award:
    """An award of another micro-credential that the learner accepted into their mosaic."""
    award = f.award(f.published_version(s.world.issuer), email=s.learner.email)
    assert award.learner_id == s.learner.pk
    Award.objects.filter(pk=award.pk).update(claim=Award.Claim.ACCEPTED)
    award.refresh_from_db()
    return award


def external(owner: Any, **fields: Any) -> ExternalBadge:
    fields = {"verified": True, "status": "valid", "title": "Excel basics", **fields}
    return ExternalBadge.objects.create(
        owner=owner,
        format="ob2-json",
        payload="{}",
        credential={"id": "https://badges.example/assertions/1"},
        issuer_name="Elsewhere Academy",
        **fields,
    )


def test_a_badge_in_the_mosaic_maps_to_a_competency(
    s: SimpleNamespace, held: Award, settings: Any
) -> None:
    draft = save(s)
    item = actions.evidence_add(actor=s.learner, demonstration=draft, kind="badge", award=held)
    assert (item.kind, item.award_id, item.title) == ("badge", held.pk, held.title)
    assert evidence_url(item) == f"{settings.SITE_URL}/badges/{held.uuid}"


def test_a_verified_imported_badge_maps_to_a_competency(s: SimpleNamespace) -> None:
    draft = save(s)
    badge = external(s.learner)
    item = actions.evidence_add(
        actor=s.learner, demonstration=draft, kind="badge", external_badge=badge, title=""
    )
    assert (item.external_badge_id, item.title) == (badge.pk, "Excel basics")
    assert evidence_url(item) == "https://badges.example/assertions/1"


@pytest.mark.parametrize(
    "change",
    [
        {"claim": Award.Claim.PENDING},
        {"claim": Award.Claim.DECLINED},
        {"status": Award.Status.REVOKED},
        {"status": Award.Status.SUSPENDED},
    ],
)
def test_an_award_not_in_the_mosaic_or_not_active_is_refused(
    s: SimpleNamespace, held: Award, change: dict[str, str]
) -> None:
    Award.objects.filter(pk=held.pk).update(**change)
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(actor=s.learner, demonstration=draft, kind="badge", award=held)
    assert refused.value.code == "badge_not_eligible"
    assert not EvidenceItem.objects.exists()


def test_someone_elses_award_is_refused(s: SimpleNamespace, held: Award) -> None:
    other = f.UserFactory()
    version = b.learning_version(s.world.issuer)
    enrolment = b.enrolment(other, version)
    draft = actions.demonstration_save(
        actor=other, enrolment=enrolment, competency=version.competencies.first()
    )
    with pytest.raises(LearningRefused):
        actions.evidence_add(actor=other, demonstration=draft, kind="badge", award=held)
    assert not EvidenceItem.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"verified": False}, {"status": "expired"}, {"status": "revoked"}]
)
def test_an_imported_badge_not_verified_as_valid_is_refused(
    s: SimpleNamespace, fields: dict[str, Any]
) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(
            actor=s.learner,
            demonstration=draft,
            kind="badge",
            external_badge=external(s.learner, **fields),
        )
    assert refused.value.code == "badge_not_eligible"


def test_someone_elses_imported_badge_is_refused(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused):
        actions.evidence_add(
            actor=s.learner,
            demonstration=draft,
            kind="badge",
            external_badge=external(f.UserFactory()),
        )
    assert not EvidenceItem.objects.exists()


def test_a_badge_item_needs_exactly_one_badge(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_add(actor=s.learner, demonstration=draft, kind="badge")
    assert refused.value.code == "badge"


# --- removing evidence and choosing who sees it -------------------------------------------


def test_removing_a_file_item_deletes_its_file_after_commit(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    _draft, item = draft_with_file(s)
    name = item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        actions.evidence_remove(actor=s.learner, item=item)
    assert not EvidenceItem.objects.exists()
    assert not storage().exists(name)
    assert audits("evidence_remove") == 1


def test_items_of_a_submitted_version_cannot_be_removed(s: SimpleNamespace) -> None:
    frozen = b.demonstration(s.enrolment, s.competency)
    item = frozen.items.get()
    with pytest.raises(LearningRefused) as refused:
        actions.evidence_remove(actor=s.learner, item=item)
    assert refused.value.code == "frozen"
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    assert audits("evidence_remove") == 0


def test_another_learner_cannot_remove_evidence(s: SimpleNamespace) -> None:
    _draft, item = draft_with_file(s)
    with pytest.raises(PermissionDenied):
        actions.evidence_remove(actor=f.UserFactory(), item=item)
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    assert storage().exists(item.file.name)


def test_visibility_may_change_on_a_submitted_version(s: SimpleNamespace) -> None:
    frozen = b.demonstration(s.enrolment, s.competency, visibility="public")
    item = frozen.items.get()
    changed = actions.evidence_visibility_set(actor=s.learner, item=item, visibility="excluded")
    assert changed.visibility == "excluded"
    entry = AuditEntry.objects.get(action="learning.evidence_visibility")
    assert entry.data == {"was": "public", "visibility": "excluded"}


def test_visibility_may_change_after_the_enrolment_has_ended(s: SimpleNamespace) -> None:
    item = b.demonstration(s.enrolment, s.competency).items.get()
    s.enrolment.state = "awarded"
    s.enrolment.save()
    actions.evidence_visibility_set(actor=s.learner, item=item, visibility="private")
    item.refresh_from_db()
    assert item.visibility == "private"


def test_visibility_refusals(s: SimpleNamespace) -> None:
    item = b.demonstration(s.enrolment, s.competency, visibility="public").items.get()
    with pytest.raises(LearningRefused):
        actions.evidence_visibility_set(actor=s.learner, item=item, visibility="world")
    with pytest.raises(PermissionDenied):
        actions.evidence_visibility_set(actor=s.world.assessor, item=item, visibility="private")
    item.refresh_from_db()
    assert item.visibility == "public"
    assert audits("evidence_visibility") == 0


# --- submitting --------------------------------------------------------------------------


def test_submitting_freezes_the_draft(s: SimpleNamespace) -> None:
    draft, _item = draft_with_file(s)
    submitted = actions.demonstration_submit(actor=s.learner, demonstration=draft)
    assert submitted.state == "submitted"
    assert submitted.submitted_at is not None
    assert submitted.is_frozen
    assert audits("demonstration_submit") == 1
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_submit(actor=s.learner, demonstration=submitted)
    assert refused.value.code == "frozen"
    assert audits("demonstration_submit") == 1


def test_submitting_names_everything_missing_at_once(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_submit(actor=s.learner, demonstration=draft)
    assert codes(refused) == ["narrative", "evidence", "setting"]
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert audits("demonstration_submit") == 0


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"setting_organisation": "Prairie", "setting_kind": "industry"}, ["narrative"]),
        ({"narrative": "   ", "setting_organisation": "P", "setting_kind": "other"}, ["narrative"]),
        ({"narrative": "Done.", "setting_kind": "industry"}, ["setting"]),
        ({"narrative": "Done.", "setting_organisation": "Prairie"}, ["setting"]),
    ],
)
def test_submitting_without_a_part(
    s: SimpleNamespace, fields: dict[str, str], missing: list[str]
) -> None:
    draft = save(s, **fields)
    actions.evidence_add(
        actor=s.learner, demonstration=draft, kind="link", title="T", url="https://e.example"
    )
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_submit(actor=s.learner, demonstration=draft)
    assert codes(refused) == missing


def test_submitting_without_evidence(s: SimpleNamespace) -> None:
    draft = save(s, narrative="Done.", setting_organisation="P", setting_kind="community")
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_submit(actor=s.learner, demonstration=draft)
    assert codes(refused) == ["evidence"]


def test_prior_learning_needs_no_setting(s: SimpleNamespace, held: Award) -> None:
    s.enrolment.route = "prior_learning"
    s.enrolment.save()
    draft = save(s, narrative="My badge shows I can do this.")
    actions.evidence_add(actor=s.learner, demonstration=draft, kind="badge", award=held)
    assert actions.demonstration_submit(actor=s.learner, demonstration=draft).is_frozen


def test_only_the_learner_submits(s: SimpleNamespace) -> None:
    draft, _item = draft_with_file(s)
    with pytest.raises(PermissionDenied):
        actions.demonstration_submit(actor=s.world.assessor, demonstration=draft)
    draft.refresh_from_db()
    assert draft.state == "draft"


# --- revising ----------------------------------------------------------------------------


def test_revising_copies_the_version_and_keeps_the_old(s: SimpleNamespace) -> None:
    draft, item = draft_with_file(s)
    actions.evidence_add(
        actor=s.learner, demonstration=draft, kind="link", title="L", url="https://e.example"
    )
    v1 = actions.demonstration_submit(actor=s.learner, demonstration=draft)
    v2 = actions.demonstration_revise(actor=s.learner, demonstration=v1)
    assert (v2.number, v2.state) == (2, "draft")
    assert (v2.narrative, v2.setting_organisation, v2.setting_kind) == (
        "What I did.",
        "Prairie",
        "industry",
    )
    copied = list(v2.items.order_by("position"))
    assert [i.kind for i in copied] == ["file", "link"]
    # The same stored file: its bytes were not copied.
    assert copied[0].file.name == item.file.name
    assert copied[0].uuid != item.uuid
    assert (copied[0].file_name, copied[0].size) == (item.file_name, item.size)
    v1.refresh_from_db()
    assert (v1.state, v1.items.count()) == ("submitted", 2)
    assert audits("demonstration_revise") == 1


def test_changing_a_revision_leaves_the_submitted_version_alone(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    draft, item = draft_with_file(s)
    v1 = actions.demonstration_submit(actor=s.learner, demonstration=draft)
    v2 = actions.demonstration_revise(actor=s.learner, demonstration=v1)
    save(s, narrative="Better.", setting_organisation="Prairie", setting_kind="industry")
    with django_capture_on_commit_callbacks(execute=True):
        actions.evidence_remove(actor=s.learner, item=v2.items.get())
    # v1 still holds the file, so it stays.
    assert storage().exists(item.file.name)
    v1.refresh_from_db()
    assert v1.narrative == "What I did."
    assert v1.items.count() == 1


def test_saving_after_a_submitted_version_starts_a_revision(s: SimpleNamespace) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    v2 = save(s, narrative="Second try.", setting_organisation="Elsewhere", setting_kind="other")
    assert (v2.number, v2.narrative) == (2, "Second try.")
    assert v2.items.count() == 1
    v1.refresh_from_db()
    assert v1.narrative.startswith("I cleaned the sales data")
    entry = AuditEntry.objects.get(action="learning.demonstration_save")
    assert entry.data["revised_from"] == 1
    assert audits("demonstration_revise") == 0


def test_revising_is_refused_when_a_draft_exists(s: SimpleNamespace) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    actions.demonstration_revise(actor=s.learner, demonstration=v1)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_revise(actor=s.learner, demonstration=v1)
    assert refused.value.code == "draft_exists"
    assert Demonstration.objects.count() == 2
    assert audits("demonstration_revise") == 1


def test_a_draft_is_not_revised(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_revise(actor=s.learner, demonstration=draft)
    assert refused.value.code == "draft"


@pytest.mark.parametrize("state", ["submitted", "in_moderation"])
def test_revising_is_refused_while_it_is_being_assessed(s: SimpleNamespace, state: str) -> None:
    submission = b.submission(s.enrolment, state=state)
    v1 = submission.demonstrations.get(competency=s.competency)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_revise(actor=s.learner, demonstration=v1)
    assert refused.value.code == "being_assessed"
    with pytest.raises(LearningRefused):
        save(s, narrative="Sneaky change")
    assert Demonstration.objects.filter(state="draft").count() == 0
    assert audits("demonstration_revise") == 0


def test_revising_after_the_submission_was_returned(s: SimpleNamespace) -> None:
    submission = b.submission(s.enrolment, state=Submission.State.RETURNED)
    v1 = submission.demonstrations.get(competency=s.competency)
    v2 = actions.demonstration_revise(actor=s.learner, demonstration=v1)
    assert v2.number == 2


def test_another_learner_cannot_revise(s: SimpleNamespace) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    with pytest.raises(PermissionDenied):
        actions.demonstration_revise(actor=f.UserFactory(), demonstration=v1)
    assert Demonstration.objects.count() == 1


# --- discarding --------------------------------------------------------------------------


def test_discarding_a_revision_keeps_the_submitted_version_and_its_files(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    draft, item = draft_with_file(s)
    v1 = actions.demonstration_submit(actor=s.learner, demonstration=draft)
    v2 = actions.demonstration_revise(actor=s.learner, demonstration=v1)
    added = actions.evidence_add(
        actor=s.learner,
        demonstration=v2,
        kind="file",
        upload=SimpleUploadedFile("notes.txt", b"notes\n"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.demonstration_discard(actor=s.learner, demonstration=v2)
    assert list(Demonstration.objects.values_list("number", flat=True)) == [1]
    assert storage().exists(item.file.name)  # v1's
    assert not storage().exists(added.file.name)  # only the discarded draft held it
    assert audits("demonstration_discard") == 1


def test_the_only_version_is_not_discarded(s: SimpleNamespace) -> None:
    draft = save(s)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_discard(actor=s.learner, demonstration=draft)
    assert refused.value.code == "only_version"
    assert Demonstration.objects.filter(pk=draft.pk).exists()
    assert audits("demonstration_discard") == 0


def test_a_submitted_version_is_not_discarded(s: SimpleNamespace) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    with pytest.raises(LearningRefused) as refused:
        actions.demonstration_discard(actor=s.learner, demonstration=v1)
    assert refused.value.code == "frozen"
    assert Demonstration.objects.filter(pk=v1.pk).exists()


def test_another_learner_cannot_discard(s: SimpleNamespace) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    v2 = actions.demonstration_revise(actor=s.learner, demonstration=v1)
    with pytest.raises(PermissionDenied):
        actions.demonstration_discard(actor=s.world.assessor, demonstration=v2)
    assert Demonstration.objects.filter(pk=v2.pk).exists()
