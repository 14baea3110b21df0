"""The demonstration pages: the learner's competency page and its steps, one version
read-only, and who may download evidence files."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from PIL import Image

from mosaics.audit.models import AuditEntry
from mosaics.awards.actions import MAX_EVIDENCE, award_accept
from mosaics.awards.models import Award, AwardEvidence
from mosaics.awards.sharing import award_evidence_privacy, award_share
from mosaics.learning.actions import demonstration as actions
from mosaics.learning.actions.assessment import assessment_record
from mosaics.learning.documents import evidence_url
from mosaics.learning.models import Conflict, Demonstration, EvidenceItem, Submission
from mosaics.portfolio.models import ExternalBadge
from tests import factories as f
from tests.learning import builders as b

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def s(world: Any) -> SimpleNamespace:
    version = b.learning_version(world.issuer)
    competency = version.competencies.first()
    enrolment = b.enrolment(world.learner, version)
    slug = version.micro_credential.slug
    return SimpleNamespace(
        world=world,
        learner=world.learner,
        version=version,
        enrolment=enrolment,
        competency=competency,
        slug=slug,
        page=reverse("learning:demonstration", kwargs={"slug": slug, "competency": competency.pk}),
    )


def step_url(s: SimpleNamespace, name: str) -> str:
    return reverse(f"learning:{name}", kwargs={"slug": s.slug, "competency": s.competency.pk})


def signed_in(client: Any, user: Any) -> Any:
    if user is not None:
        client.force_login(user)
    return client


def h1s(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def draft_fields(**overrides: str) -> dict[str, str]:
    return {
        "narrative": "I built the dashboard.",
        "setting_organisation": "Prairie Analytics",
        "setting_role": "Intern",
        "setting_kind": "industry",
        "setting_start": "2025-01-06",
        "setting_end": "2025-04-30",
        **overrides,
    }


def file_item(
    demonstration: Demonstration,
    *,
    data: bytes = PDF,
    content_type: str = "application/pdf",
    file_name: str = "report.pdf",
    visibility: str = "private",
) -> EvidenceItem:
    item = EvidenceItem(
        demonstration=demonstration,
        position=5,
        kind="file",
        title="The report",
        file_name=file_name,
        content_type=content_type,
        size=len(data),
        visibility=visibility,
    )
    item.file.save("stored.bin", ContentFile(data), save=False)
    item.save()
    return item


# --- the competency page -------------------------------------------------------------------


def test_the_learner_sees_criterion_rubric_and_a_form(client: Any, s: SimpleNamespace) -> None:
    html = signed_in(client, s.learner).get(s.page).content.decode()
    assert h1s(html) == 1
    assert s.competency.statement in html
    assert "What you must demonstrate" in html
    for level in s.competency.levels.all():
        assert level.name in html
    assert "the level needed to pass" in html
    assert 'name="narrative"' in html
    assert 'type="date"' in html
    assert 'accept=".pdf,' in html
    assert "Save draft" in html
    assert "Not started" in html
    assert "Submit this demonstration" not in html  # nothing to submit yet


@pytest.mark.parametrize("who", ["assessor", "tlc_admin", "other_admin", "designer"])
def test_the_page_is_private(client: Any, s: SimpleNamespace, who: str) -> None:
    assert signed_in(client, getattr(s.world, who)).get(s.page).status_code == 404


def test_another_learner_gets_404(client: Any, s: SimpleNamespace) -> None:
    other = f.UserFactory()
    b.enrolment(other, b.learning_version(s.world.issuer))
    assert signed_in(client, other).get(s.page).status_code == 404
    response = client.post(s.page, draft_fields())
    assert response.status_code == 404
    assert not Demonstration.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Any, s: SimpleNamespace) -> None:
    response = client.get(s.page)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    response = client.post(step_url(s, "evidence_add"), {"kind": "link"})
    assert response.status_code == 302
    assert not EvidenceItem.objects.exists()


def test_a_competency_of_another_version_is_404(client: Any, s: SimpleNamespace) -> None:
    elsewhere = b.learning_version(s.world.issuer).competencies.first()
    signed_in(client, s.learner)
    url = reverse("learning:demonstration", kwargs={"slug": s.slug, "competency": elsewhere.pk})
    assert client.get(url).status_code == 404
    url = reverse("learning:demonstration", kwargs={"slug": "nope", "competency": s.competency.pk})
    assert client.get(url).status_code == 404
    url = reverse("learning:demonstration", kwargs={"slug": s.slug, "competency": 2**70})
    assert client.get(url).status_code == 404
    assert client.post(url.rstrip("/") + "/evidence", {"kind": "link"}).status_code == 404


def test_saving_the_draft(client: Any, s: SimpleNamespace) -> None:
    response = signed_in(client, s.learner).post(s.page, draft_fields())
    assert response.status_code == 302
    draft = Demonstration.objects.get()
    assert (draft.number, draft.state, draft.setting_kind) == (1, "draft", "industry")
    assert draft.setting_start == dt.date(2025, 1, 6)
    html = client.get(s.page).content.decode()
    assert "Your draft was saved." in html
    assert "Your draft (version 1)" in html
    assert "I built the dashboard." in html
    assert 'value="2025-01-06"' in html
    assert "Submit this demonstration" in html


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"setting_start": "2025-05-01", "setting_end": "2025-04-01"}, "before the date"),
        ({"narrative": "x" * 20_001}, "at most 20000"),
        ({"setting_kind": "moon"}, "Select a valid choice"),
        ({"setting_start": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_input_is_shown_and_kept(
    client: Any, s: SimpleNamespace, fields: dict[str, str], words: str
) -> None:
    typed = draft_fields(**{"narrative": "My typed words", **fields})
    response = signed_in(client, s.learner).post(s.page, typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html.replace("20,000", "20000")
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert typed["setting_organisation"] in html
    assert not Demonstration.objects.exists()


def test_a_refused_save_keeps_what_was_typed(client: Any, s: SimpleNamespace) -> None:
    s.enrolment.state = "withdrawn"
    s.enrolment.save()
    response = signed_in(client, s.learner).post(s.page, draft_fields())
    assert response.status_code == 400
    assert "You are not enrolled" in response.content.decode()
    assert not Demonstration.objects.exists()


# --- adding evidence -----------------------------------------------------------------------


def test_adding_a_link_starts_the_draft(client: Any, s: SimpleNamespace) -> None:
    response = signed_in(client, s.learner).post(
        step_url(s, "evidence_add"),
        {
            "kind": "link",
            "link-url": "https://example.org/dashboard",
            "link-title": "Dashboard",
            "link-visibility": "public",
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert (item.kind, item.url, item.visibility) == (
        "link",
        "https://example.org/dashboard",
        "public",
    )
    assert item.demonstration.state == "draft"
    html = client.get(s.page).content.decode()
    assert "Dashboard" in html
    assert reverse("learning:evidence_remove", kwargs={"uuid": item.uuid}) in html


def test_uploading_a_file(client: Any, s: SimpleNamespace) -> None:
    upload = SimpleUploadedFile("My report.pdf", PDF, content_type="application/pdf")
    response = signed_in(client, s.learner).post(
        step_url(s, "evidence_add"),
        {"kind": "file", "file-file": upload, "file-title": "", "file-visibility": "private"},
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert (item.title, item.file_name, item.content_type) == (
        "My report.pdf",
        "My report.pdf",
        "application/pdf",
    )
    html = client.get(s.page).content.decode()
    assert reverse("learning:evidence_file", kwargs={"uuid": item.uuid}) in html


def test_a_refused_file_is_explained(client: Any, s: SimpleNamespace) -> None:
    upload = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>")
    response = signed_in(client, s.learner).post(
        step_url(s, "evidence_add"),
        {
            "kind": "file",
            "file-file": upload,
            "file-title": "My photo",
            "file-visibility": "public",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This kind of file cannot be used as evidence" in html
    assert 'value="My photo"' in html
    assert not EvidenceItem.objects.exists()
    assert not AuditEntry.objects.filter(action="learning.evidence_add").exists()


def test_a_file_form_without_a_file(client: Any, s: SimpleNamespace) -> None:
    response = signed_in(client, s.learner).post(
        step_url(s, "evidence_add"), {"kind": "file", "file-visibility": "private"}
    )
    assert response.status_code == 400
    assert "Please choose a file to upload." in response.content.decode()


def test_an_unknown_kind(client: Any, s: SimpleNamespace) -> None:
    response = signed_in(client, s.learner).post(step_url(s, "evidence_add"), {"kind": "poster"})
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists()


def test_no_evidence_is_added_to_a_submitted_version(client: Any, s: SimpleNamespace) -> None:
    b.demonstration(s.enrolment, s.competency)
    response = signed_in(client, s.learner).post(
        step_url(s, "evidence_add"),
        {
            "kind": "link",
            "link-url": "https://e.example",
            "link-title": "T",
            "link-visibility": "private",
        },
    )
    assert response.status_code == 400
    assert "Revise it" in response.content.decode()
    assert EvidenceItem.objects.count() == 1


def test_the_badge_picker_lists_only_eligible_badges(client: Any, s: SimpleNamespace) -> None:
    other_version = f.published_version(s.world.issuer)
    held = f.award(other_version, email=s.learner.email)
    Award.objects.filter(pk=held.pk).update(claim="accepted")
    verified = ExternalBadge.objects.create(
        owner=s.learner,
        format="ob2-json",
        payload="{}",
        verified=True,
        status="valid",
        title="Excel basics",
    )
    ExternalBadge.objects.create(
        owner=s.learner,
        format="ob2-json",
        payload="{}",
        verified=False,
        status="invalid",
        title="Dubious badge",
    )
    theirs = ExternalBadge.objects.create(
        owner=f.UserFactory(),
        format="ob2-json",
        payload="{}",
        verified=True,
        status="valid",
        title="Not yours",
    )
    html = signed_in(client, s.learner).get(s.page).content.decode()
    assert f"award:{held.uuid}" in html
    assert f"external:{verified.uuid}" in html
    assert "Dubious badge" not in html
    assert "Not yours" not in html

    response = client.post(
        step_url(s, "evidence_add"),
        {"kind": "badge", "badge-badge": f"external:{theirs.uuid}", "badge-visibility": "private"},
    )
    assert response.status_code == 400
    assert "Please choose one of your badges." in response.content.decode()
    assert not EvidenceItem.objects.exists()

    response = client.post(
        step_url(s, "evidence_add"),
        {"kind": "badge", "badge-badge": f"award:{held.uuid}", "badge-visibility": "public"},
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert (item.kind, item.award_id, item.title) == ("badge", held.pk, held.title)


def test_without_badges_the_page_says_how_to_get_one(client: Any, s: SimpleNamespace) -> None:
    html = signed_in(client, s.learner).get(s.page).content.decode()
    assert "You have no badge to offer" in html
    assert 'name="badge-badge"' not in html


# --- removing evidence and choosing who sees it -------------------------------------------


def test_removing_evidence(client: Any, s: SimpleNamespace) -> None:
    draft = b.demonstration(s.enrolment, s.competency, submitted=False)
    item = draft.items.get()
    url = reverse("learning:evidence_remove", kwargs={"uuid": item.uuid})
    other = f.UserFactory()
    assert signed_in(client, other).post(url).status_code == 404
    assert signed_in(client, s.world.assessor).post(url).status_code == 404
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    response = signed_in(client, s.learner).post(url)
    assert response.status_code == 302
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()


def test_removing_from_a_submitted_version_is_refused(client: Any, s: SimpleNamespace) -> None:
    item = b.demonstration(s.enrolment, s.competency).items.get()
    response = signed_in(client, s.learner).post(
        reverse("learning:evidence_remove", kwargs={"uuid": item.uuid})
    )
    assert response.status_code == 400
    assert "cannot be changed" in response.content.decode()
    assert EvidenceItem.objects.filter(pk=item.pk).exists()


def test_choosing_who_sees_an_item_of_a_submitted_version(client: Any, s: SimpleNamespace) -> None:
    item = b.demonstration(s.enrolment, s.competency, visibility="public").items.get()
    url = reverse("learning:evidence_visibility", kwargs={"uuid": item.uuid})
    assert (
        signed_in(client, f.UserFactory()).post(url, {"visibility": "excluded"}).status_code == 404
    )
    item.refresh_from_db()
    assert item.visibility == "public"
    response = signed_in(client, s.learner).post(url, {"visibility": "excluded"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.visibility == "excluded"
    response = client.post(url, {"visibility": "everyone"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.visibility == "excluded"


# --- submit, revise, discard ---------------------------------------------------------------


def test_submitting_names_what_is_missing(client: Any, s: SimpleNamespace) -> None:
    actions.demonstration_save(actor=s.learner, enrolment=s.enrolment, competency=s.competency)
    response = signed_in(client, s.learner).post(step_url(s, "demonstration_submit"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write your narrative" in html
    assert "Add at least one piece of evidence." in html
    assert "Say where you did this work" in html
    assert Demonstration.objects.get().state == "draft"


def test_submitting_then_revising_then_discarding(client: Any, s: SimpleNamespace) -> None:
    b.demonstration(s.enrolment, s.competency, submitted=False)
    signed_in(client, s.learner)
    assert client.post(step_url(s, "demonstration_submit")).status_code == 302
    v1 = Demonstration.objects.get()
    assert v1.state == "submitted"
    html = client.get(s.page).content.decode()
    assert "Revise" in html
    assert "Submitted versions" in html
    assert 'name="narrative"' not in html  # a submitted version has no form

    assert client.post(step_url(s, "demonstration_revise")).status_code == 302
    v2 = Demonstration.objects.get(number=2)
    assert v2.state == "draft"
    html = client.get(s.page).content.decode()
    assert "Your draft (version 2)" in html
    assert "Discard this draft" in html

    assert client.post(step_url(s, "demonstration_discard")).status_code == 302
    assert list(Demonstration.objects.values_list("number", flat=True)) == [1]


def test_nothing_to_submit_or_discard(client: Any, s: SimpleNamespace) -> None:
    signed_in(client, s.learner)
    assert client.post(step_url(s, "demonstration_submit")).status_code == 400
    assert client.post(step_url(s, "demonstration_discard")).status_code == 400
    assert client.post(step_url(s, "demonstration_revise")).status_code == 400
    assert not Demonstration.objects.exists()


def test_while_being_assessed_there_is_no_revise_button(client: Any, s: SimpleNamespace) -> None:
    b.submission(s.enrolment)
    signed_in(client, s.learner)
    html = client.get(s.page).content.decode()
    assert "This demonstration is being assessed" in html
    assert step_url(s, "demonstration_revise") not in html
    assert client.post(step_url(s, "demonstration_revise")).status_code == 400
    assert not Demonstration.objects.filter(state="draft").exists()


@pytest.mark.parametrize(
    "name",
    ["evidence_add", "demonstration_submit", "demonstration_revise", "demonstration_discard"],
)
def test_steps_are_post_only(client: Any, s: SimpleNamespace, name: str) -> None:
    assert signed_in(client, s.learner).get(step_url(s, name)).status_code == 405


def test_frozen_versions_offer_the_supervisor_link_when_it_exists(
    client: Any, s: SimpleNamespace
) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    html = signed_in(client, s.learner).get(s.page).content.decode()
    try:
        url = reverse("learning:attestation_request", kwargs={"uuid": v1.uuid})
    except NoReverseMatch:
        pytest.skip("the attestation pages are not there yet")
    assert "Ask your supervisor to confirm this" in html
    assert url in html


# --- one version, read-only ----------------------------------------------------------------


@pytest.fixture
def in_submission(s: SimpleNamespace) -> SimpleNamespace:
    submission = b.submission(s.enrolment)
    s.submission = submission
    s.v1 = submission.demonstrations.get(competency=s.competency)
    s.version_url = reverse("learning:demonstration_version", kwargs={"uuid": s.v1.uuid})
    return s


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner", 200),
        ("assessor", 200),
        ("tlc_admin", 200),
        ("other_admin", 404),
        ("designer", 404),
        ("endorser", 404),
    ],
)
def test_who_may_read_a_version_in_a_submission(
    client: Any, in_submission: SimpleNamespace, who: str, status: int
) -> None:
    s = in_submission
    response = signed_in(client, getattr(s.world, who)).get(s.version_url)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert h1s(html) == 1
        assert s.v1.narrative in html
        assert "Project report" in html


def test_a_version_is_private_to_others(client: Any, in_submission: SimpleNamespace) -> None:
    s = in_submission
    assert signed_in(client, f.UserFactory()).get(s.version_url).status_code == 404
    Conflict.objects.create(assessor=s.world.assessor, learner=s.learner)
    assert signed_in(client, s.world.assessor).get(s.version_url).status_code == 404
    client.logout()
    response = client.get(s.version_url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_version_outside_any_submission_is_the_learners_only(
    client: Any, s: SimpleNamespace
) -> None:
    v1 = b.demonstration(s.enrolment, s.competency)
    url = reverse("learning:demonstration_version", kwargs={"uuid": v1.uuid})
    assert signed_in(client, s.world.assessor).get(url).status_code == 404
    assert signed_in(client, s.learner).get(url).status_code == 200


# --- evidence files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner", 200),
        ("assessor", 200),
        ("tlc_admin", 200),
        ("other_admin", 404),
        ("designer", 404),
        ("anonymous", 404),
    ],
)
def test_who_may_download_evidence_in_a_submission(
    client: Any, in_submission: SimpleNamespace, who: str, status: int
) -> None:
    s = in_submission
    item = file_item(s.v1, visibility="public")
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    response = signed_in(client, getattr(s.world, who)).get(url)
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF


def test_another_learner_cannot_download(client: Any, s: SimpleNamespace) -> None:
    item = file_item(b.demonstration(s.enrolment, s.competency, submitted=False))
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    assert signed_in(client, f.UserFactory()).get(url).status_code == 404
    # An assessor sees evidence only through a submission.
    assert signed_in(client, s.world.assessor).get(url).status_code == 404
    assert signed_in(client, s.learner).get(url).status_code == 200


def test_the_download_headers(client: Any, s: SimpleNamespace) -> None:
    demo = b.demonstration(s.enrolment, s.competency, submitted=False)
    pdf = file_item(demo, file_name="My report.pdf")
    text = file_item(demo, data=b"a,b\n", content_type="text/csv", file_name="data.csv")
    signed_in(client, s.learner)

    response = client.get(reverse("learning:evidence_file", kwargs={"uuid": pdf.uuid}))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="My report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]

    response = client.get(reverse("learning:evidence_file", kwargs={"uuid": text.uuid}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="data.csv"'
    assert response["Content-Security-Policy"] == "sandbox"


def test_an_uploaded_photo_is_served_inline_without_its_exif(
    client: Any, s: SimpleNamespace
) -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 25.0, 12.0)}
    Image.new("RGB", (8, 8)).save(out, format="JPEG", exif=exif.tobytes())
    signed_in(client, s.learner).post(
        step_url(s, "evidence_add"),
        {
            "kind": "file",
            "file-file": SimpleUploadedFile("site.jpg", out.getvalue()),
            "file-visibility": "private",
        },
    )
    item = EvidenceItem.objects.get()
    response = client.get(reverse("learning:evidence_file", kwargs={"uuid": item.uuid}))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getexif()) == 0


def test_a_link_item_has_no_file(client: Any, s: SimpleNamespace) -> None:
    item = b.demonstration(s.enrolment, s.competency).items.get()
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    assert signed_in(client, s.learner).get(url).status_code == 404


@pytest.fixture
def awarded(s: SimpleNamespace) -> SimpleNamespace:
    """A submission that met the criteria, with its award (not shared yet)."""
    submission = b.submission(s.enrolment, state=Submission.State.MET)
    award = f.award(s.version, email=s.learner.email)
    Award.objects.filter(pk=award.pk).update(claim="accepted")
    submission.award = award
    submission.save()
    s.award = award
    s.v1 = submission.demonstrations.get(competency=s.competency)
    return s


def listed(award: Award, *items: EvidenceItem, private: bool = False) -> None:
    """`award` names each item (by its address) among its evidence, as the assessment does."""
    for item in items:
        AwardEvidence.objects.create(
            award=award, name=item.title, url=evidence_url(item), private=private
        )


def test_public_evidence_is_anyones_once_the_badge_is_shared(
    client: Any, awarded: SimpleNamespace
) -> None:
    s = awarded
    public = file_item(s.v1, visibility="public")
    private = file_item(s.v1, visibility="private")
    excluded = file_item(s.v1, visibility="excluded")
    listed(s.award, public, private, excluded)
    urls = {
        item.visibility: reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
        for item in (public, private, excluded)
    }
    # Not shared yet: nobody outside.
    assert client.get(urls["public"]).status_code == 404
    Award.objects.filter(pk=s.award.pk).update(shared=True)
    response = client.get(urls["public"])
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == PDF
    assert signed_in(client, s.world.other_admin).get(urls["public"]).status_code == 200
    client.logout()
    assert client.get(urls["private"]).status_code == 404
    assert client.get(urls["excluded"]).status_code == 404
    # A revoked badge shares nothing any more.
    Award.objects.filter(pk=s.award.pk).update(status=Award.Status.REVOKED)
    assert client.get(urls["public"]).status_code == 404


def test_public_evidence_of_a_submission_that_did_not_meet_is_not_public(
    client: Any, awarded: SimpleNamespace
) -> None:
    s = awarded
    item = file_item(s.v1, visibility="public")
    listed(s.award, item)
    Award.objects.filter(pk=s.award.pk).update(shared=True)
    Submission.objects.filter(award=s.award).update(state=Submission.State.RETURNED)
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    assert client.get(url).status_code == 404


def test_a_public_file_the_badge_does_not_list_is_not_public(
    client: Any, awarded: SimpleNamespace
) -> None:
    s = awarded
    item = file_item(s.v1, visibility="public")
    Award.objects.filter(pk=s.award.pk).update(shared=True)
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    assert client.get(url).status_code == 404
    # Another badge (of another micro-credential) listing it does not make it public either.
    other = f.award(email=s.learner.email)
    assert other.pk != s.award.pk
    Award.objects.filter(pk=other.pk).update(shared=True)
    listed(other, item)
    assert client.get(url).status_code == 404
    assert signed_in(client, s.learner).get(url).status_code == 200


def test_a_file_hidden_on_the_badge_page_is_no_longer_public(
    client: Any, awarded: SimpleNamespace
) -> None:
    s = awarded
    item = file_item(s.v1, visibility="public")
    listed(s.award, item)
    Award.objects.filter(pk=s.award.pk).update(shared=True)
    url = reverse("learning:evidence_file", kwargs={"uuid": item.uuid})
    assert client.get(url).status_code == 200
    evidence = AwardEvidence.objects.get(award=s.award)
    award_evidence_privacy(actor=s.learner, award=s.award, evidence=evidence, private=True)
    assert client.get(url).status_code == 404
    assert signed_in(client, s.learner).get(url).status_code == 200
    assert signed_in(client, s.world.assessor).get(url).status_code == 200


def test_a_credential_grouping_its_evidence_publishes_only_the_files_it_names(
    client: Any, s: SimpleNamespace
) -> None:
    submission = b.submission(s.enrolment)
    v1 = submission.demonstrations.get(competency=s.competency)
    v1.items.all().delete()
    files = [file_item(v1, visibility="public") for _ in range(MAX_EVIDENCE + 1)]
    scores = {
        c.pk: (list(c.levels.order_by("position", "pk"))[1].pk, "Good work.")
        for c in s.version.competencies.all()
    }
    assessment_record(
        actor=s.world.assessor, submission=submission, scores=scores, decision="meets"
    )
    submission.refresh_from_db()
    award = submission.award
    award_accept(actor=s.learner, award=award)
    award_share(actor=s.learner, award=award, shared=True)
    first, second = (
        reverse("learning:evidence_file", kwargs={"uuid": item.uuid}) for item in files[:2]
    )
    assert client.get(first).status_code == 200  # the address the credential names
    assert client.get(second).status_code == 404  # only listed in its description
    piece = AwardEvidence.objects.get(award=award, url=evidence_url(files[0]))
    award_evidence_privacy(actor=s.learner, award=award, evidence=piece, private=True)
    assert client.get(first).status_code == 404


def test_an_unknown_evidence_uuid_is_404(client: Any, s: SimpleNamespace) -> None:
    url = reverse("learning:evidence_file", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    assert signed_in(client, s.learner).get(url).status_code == 404
