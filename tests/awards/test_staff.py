"""The staff side of awards: awarding directly through the form, the award list, the record
page with its status history, and revoking, suspending and reinstating through the views."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mosaics.audit.models import AuditEntry
from mosaics.awards import actions
from mosaics.awards.models import Award, AwardEvidence, AwardResult
from mosaics.catalogue.models import Competency
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem
from tests import factories as f
from tests.personas import client_for

pytestmark = pytest.mark.django_db

AWARDERS = ("assessor", "tlc_admin", "platform_admin")
STATUS_CHANGERS = ("tlc_admin", "platform_admin")
OUTSIDERS = ("learner", "designer", "reviewer", "endorser", "other_admin", "other_designer")


def _post_data(version: Any = None, **extra: Any) -> dict[str, Any]:
    data = {
        "recipient_email": "Sam.Learner@Example.org",
        "recipient_name": "Sam Learner",
        "narrative": "Recognised prior learning: **five years** of analysis work.",
        "evidence-0-name": "Analysis portfolio",
        "evidence-0-description": "Reports written for the employer.",
        "evidence-0-narrative": "Shows every competency in practice.",
        "evidence-0-url": "https://portfolio.example.org/sam",
        "evidence-0-genre": "Portfolio",
    }
    if version is not None:
        for competency in Competency.objects.filter(version=version).order_by("position"):
            data[f"result-{competency.pk}"] = str(competency.passing_level_id)
    data.update(extra)
    return data


def _counts() -> tuple[int, ...]:
    return (
        Award.objects.count(),
        AwardEvidence.objects.count(),
        AwardResult.objects.count(),
        AuditEntry.objects.count(),
    )


def _published_pathway(issuer: Any, version: Any) -> Pathway:
    pathway = Pathway.objects.create(
        issuer=issuer, slug="data-pathway", title="Data pathway", state=Pathway.State.PUBLISHED
    )
    group = RuleGroup.objects.create(pathway=pathway, rule=RuleGroup.Rule.ALL)
    RuleItem.objects.create(group=group, micro_credential=version.micro_credential)
    return pathway


# --- awarding through the form ------------------------------------------------------------


def test_an_assessor_awards_through_the_form_and_the_badge_verifies(
    client, world, django_capture_on_commit_callbacks
):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    page = client.get(reverse("awards:new"))
    assert page.status_code == 200
    assert version.title in page.content.decode()
    chosen = client.get(reverse("awards:new"), {"what": f"v{version.pk}"})
    assert chosen.status_code == 302
    assert chosen.url == reverse("awards:new_version", kwargs={"pk": version.pk})
    form = client.get(chosen.url)
    assert form.status_code == 200
    for competency in Competency.objects.filter(version=version):
        assert competency.statement in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(chosen.url, _post_data(version))
    award = Award.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("awards:record", kwargs={"uuid": award.uuid})
    assert award.recipient_email == "sam.learner@example.org"
    assert award.recipient_name == "Sam Learner"
    assert award.source == Award.Source.STAFF
    assert award.awarded_by == world.assessor
    assert award.evidence.get().url == "https://portfolio.example.org/sam"
    assert {r.level_id for r in award.results.all()} == {
        c.passing_level_id for c in Competency.objects.filter(version=version)
    }
    report = actions.verify_award(award)
    assert report.status == "valid"
    evidence = award.credential["evidence"]
    assert evidence[0]["name"] == "Analysis portfolio"
    assert [m.to for m in mail.outbox] == [["sam.learner@example.org"]]
    record = client.get(response.url)
    assert "was awarded" in record.content.decode()


def test_a_pathway_is_awarded_through_the_form(client, world):
    version = f.published_version(world.issuer)
    pathway = _published_pathway(world.issuer, version)
    client_for(client, world.tlc_admin)
    assert "Data pathway" in client.get(reverse("awards:new")).content.decode()
    url = reverse("awards:new_pathway", kwargs={"pk": pathway.pk})
    assert client.get(reverse("awards:new"), {"what": f"p{pathway.pk}"}).url == url
    response = client.post(url, {"recipient_email": "pat@example.org"})
    award = Award.objects.get()
    assert response.status_code == 302
    assert award.pathway == pathway
    assert actions.verify_award(award).status == "valid"


def test_awarding_again_says_so_and_links_to_the_existing_award(client, world):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    url = reverse("awards:new_version", kwargs={"pk": version.pk})
    client.post(url, _post_data(version))
    award = Award.objects.get()
    before = _counts()
    again = client.post(url, _post_data(version, **{"recipient_email": "sam.learner@EXAMPLE.org"}))
    assert again.status_code == 200
    page = again.content.decode()
    assert "Nothing new was awarded" in page
    assert "already holds" in page
    assert reverse("awards:record", kwargs={"uuid": award.uuid}) in page
    assert _counts() == before


def test_a_refused_award_keeps_what_was_typed(client, world):
    """An issuer with no signing key: the action refuses in words; the form keeps everything."""
    from django.utils import timezone

    version = f.published_version(world.issuer)
    world.issuer.signing_keys.update(retired_at=timezone.now())
    client_for(client, world.assessor)
    before = _counts()
    response = client.post(
        reverse("awards:new_version", kwargs={"pk": version.pk}), _post_data(version)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was awarded" in page
    assert "Analysis portfolio" in page
    assert "Sam.Learner@Example.org" in page
    assert "no usable signing key" in page
    assert _counts() == before


def test_evidence_addresses_must_be_https_and_titled(client, world):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    url = reverse("awards:new_version", kwargs={"pk": version.pk})
    before = _counts()
    response = client.post(url, _post_data(version, **{"evidence-0-url": "http://example.org/x"}))
    assert response.status_code == 400
    assert "must start with https://" in response.content.decode()
    response = client.post(
        url, _post_data(version, **{"evidence-0-name": "", "evidence-1-genre": "Project"})
    )
    assert response.status_code == 400
    assert "Give this piece of evidence a title." in response.content.decode()
    assert _counts() == before
    assert mail.outbox == []


def test_a_level_of_another_competency_is_refused(client, world):
    version = f.published_version(world.issuer)
    first, second = Competency.objects.filter(version=version).order_by("position")
    client_for(client, world.assessor)
    before = _counts()
    response = client.post(
        reverse("awards:new_version", kwargs={"pk": version.pk}),
        _post_data(version, **{f"result-{first.pk}": str(second.passing_level_id)}),
    )
    assert response.status_code == 400
    assert "levels of this competency" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"recipient_email": ""},
        {"recipient_email": "not an address"},
        {"recipient_email": "a" * 5000 + "@example.org"},
        {"recipient_name": "x" * 100_000},
        {"narrative": "x" * 100_000},
        {"narrative": "nul \x00 byte"},
        {"evidence-0-name": "x" * 5000},
        {"evidence-0-url": "https://" + "a" * 5000 + ".org"},
        {"evidence-0-url": "javascript:alert(1)"},
        {"evidence-2-genre": "y" * 5000},
        {"result-1": "1"},  # not a field: ignored, the rest still valid → see below
    ],
)
def test_hostile_award_input_never_500s_and_creates_nothing(client, world, changes):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    url = reverse("awards:new_version", kwargs={"pk": version.pk})
    data = _post_data(version, **changes)
    if "result-1" in changes:  # make it hostile for real: a level id beyond 64 bits
        first = Competency.objects.filter(version=version).first()
        data[f"result-{first.pk}"] = str(2**64)
    before = _counts()
    response = client.post(url, data)
    assert response.status_code == 400
    assert _counts() == before
    assert mail.outbox == []


def test_missing_fields_and_a_post_of_nothing(client, world):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    before = _counts()
    response = client.post(reverse("awards:new_version", kwargs={"pk": version.pk}), {})
    assert response.status_code == 400
    assert "Learner&#x27;s e-mail" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    "what", ["", "v", "x12", "v-1", "v0", f"v{2**63}", f"p{2**64}", "v" + "9" * 40, "v1\x00"]
)
def test_bad_choices_never_500(client, world, what):
    f.published_version(world.issuer)
    client_for(client, world.assessor)
    response = client.get(reverse("awards:new"), {"what": what})
    assert response.status_code == 400


@pytest.mark.parametrize("pk", [0, 999_999, 2**63, 2**64, 10**30])
def test_bad_ids_in_the_address_are_404(client, world, pk):
    f.published_version(world.issuer)
    client_for(client, world.assessor)
    before = _counts()
    for name in ("awards:new_version", "awards:new_pathway"):
        url = reverse(name, kwargs={"pk": pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"recipient_email": "x@example.org"}).status_code == 404
    assert _counts() == before


def test_drafts_and_other_institutions_cannot_be_chosen(client, world):
    ours = f.published_version(world.issuer)
    theirs = f.published_version(world.other_issuer)
    draft = f.VersionFactory(micro_credential=f.MicroCredentialFactory(issuer=world.issuer))
    client_for(client, world.assessor)
    page = client.get(reverse("awards:new")).content.decode()
    assert ours.title in page
    assert theirs.title not in page
    assert draft.title not in page
    assert client.get(reverse("awards:new"), {"what": f"v{theirs.pk}"}).status_code == 400
    before = _counts()
    for version in (theirs, draft):
        url = reverse("awards:new_version", kwargs={"pk": version.pk})
        assert client.post(url, _post_data(version)).status_code == 404
    assert _counts() == before


def test_a_superseded_version_is_refused_in_words(client, world):
    version = f.published_version(world.issuer)
    client_for(client, world.assessor)
    url = reverse("awards:new_version", kwargs={"pk": version.pk})
    version.state = version.State.SUPERSEDED
    version.save(update_fields=["state"])
    before = _counts()
    response = client.post(url, _post_data(version))
    assert response.status_code == 400
    assert "Only the published version" in response.content.decode()
    assert "Analysis portfolio" in response.content.decode()
    assert _counts() == before


# --- who may do what ----------------------------------------------------------------------


@pytest.fixture
def scene(world):
    version = f.published_version(world.issuer)
    award = f.award(version, email="holder@example.org")
    return version, award


def _refused(response: Any, persona: str) -> bool:
    if persona == "anonymous":
        return response.status_code == 302 and "/accounts/login" in response.url
    return response.status_code in (403, 404)


@pytest.mark.parametrize("persona", ["anonymous", *OUTSIDERS])
def test_outsiders_are_refused_everything(client, world, scene, persona):
    version, award = scene
    client_for(client, world.people[persona])
    before = _counts()
    status_before = award.status
    gets = [
        reverse("awards:staff_list"),
        reverse("awards:new"),
        reverse("awards:new_version", kwargs={"pk": version.pk}),
        reverse("awards:record", kwargs={"uuid": award.uuid}),
    ]
    for url in gets:
        response = client.get(url)
        page = response.content.decode()
        if persona == "other_admin" and url in gets[:2]:
            # Awards of their own institution: their list and chooser, never ours.
            assert response.status_code == 200
            assert version.title not in page
        else:
            assert _refused(response, persona), (url, response.status_code)
        assert "holder@example.org" not in page
    posts = {
        reverse("awards:new_version", kwargs={"pk": version.pk}): _post_data(version),
        reverse("awards:revoke", kwargs={"uuid": award.uuid}): {
            "revoke-reason": "x",
            "revoke-confirm": "on",
        },
        reverse("awards:suspend", kwargs={"uuid": award.uuid}): {"suspend-reason": "x"},
        reverse("awards:reinstate", kwargs={"uuid": award.uuid}): {},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert _refused(response, persona), (url, response.status_code)
    award.refresh_from_db()
    assert award.status == status_before
    assert _counts() == before
    assert actions.verify_award(award).status == "valid"


@pytest.mark.parametrize("persona", AWARDERS)
def test_assessors_and_admins_award_and_see_records(client, world, scene, persona):
    version, award = scene
    client_for(client, world.people[persona])
    assert client.get(reverse("awards:staff_list")).status_code == 200
    assert client.get(reverse("awards:new")).status_code == 200
    assert client.get(reverse("awards:new_version", kwargs={"pk": version.pk})).status_code == 200
    record = client.get(reverse("awards:record", kwargs={"uuid": award.uuid}))
    assert record.status_code == 200
    assert "holder@example.org" in record.content.decode()
    response = client.post(
        reverse("awards:new_version", kwargs={"pk": version.pk}),
        _post_data(version, recipient_email=f"{persona}-pick@example.org"),
    )
    assert response.status_code == 302
    assert Award.objects.filter(recipient_email=f"{persona}-pick@example.org").exists()


def test_assessors_may_not_change_a_status(client, world, scene):
    _version, award = scene
    client_for(client, world.assessor)
    page = client.get(reverse("awards:record", kwargs={"uuid": award.uuid})).content.decode()
    assert reverse("awards:revoke", kwargs={"uuid": award.uuid}) not in page
    before = _counts()
    for name, data in (
        ("awards:revoke", {"revoke-reason": "x", "revoke-confirm": "on"}),
        ("awards:suspend", {"suspend-reason": "x"}),
    ):
        response = client.post(reverse(name, kwargs={"uuid": award.uuid}), data)
        assert response.status_code == 403
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE
    assert _counts() == before
    assert actions.verify_award(award).status == "valid"


def test_the_status_views_are_post_only(client, world, scene):
    _version, award = scene
    client_for(client, world.tlc_admin)
    for name in ("awards:revoke", "awards:suspend", "awards:reinstate"):
        assert client.get(reverse(name, kwargs={"uuid": award.uuid})).status_code == 405


def test_an_unknown_award_is_404(client, world):
    client_for(client, world.tlc_admin)
    url = reverse("awards:record", kwargs={"uuid": "00000000-0000-4000-8000-000000000000"})
    assert client.get(url).status_code == 404
    assert client.get("/manage/awards/not-a-uuid").status_code == 404
    assert client.post("/manage/awards/12/revoke").status_code == 404


# --- status changes through the views -----------------------------------------------------


def test_suspend_reinstate_and_revoke_through_the_views(
    client, world, scene, django_capture_on_commit_callbacks
):
    _version, award = scene
    client_for(client, world.tlc_admin)
    record_url = reverse("awards:record", kwargs={"uuid": award.uuid})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("awards:suspend", kwargs={"uuid": award.uuid}),
            {"suspend-reason": "Under review after a complaint"},
        )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.SUSPENDED
    assert actions.verify_award(award).status == "suspended"

    response = client.post(
        reverse("awards:reinstate", kwargs={"uuid": award.uuid}),
        {"reinstate-reason": "Complaint dismissed"},
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE
    assert actions.verify_award(award).status == "valid"

    response = client.post(
        reverse("awards:revoke", kwargs={"uuid": award.uuid}),
        {"revoke-reason": "Awarded in error", "revoke-confirm": "on"},
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.REVOKED
    report = actions.verify_award(award)
    assert report.status == "revoked"

    page = client.get(record_url).content.decode()
    # The status history: who, what, why, in order.
    history = page[page.index("Status history") :]
    for text in (
        "Awarded",
        "Suspended",
        "Under review after a complaint",
        "Reinstated",
        "Complaint dismissed",
        "Revoked",
        "Awarded in error",
        world.tlc_admin.name,
        "The issuer&#x27;s API",
    ):
        assert text in history, text
    assert history.index("Suspended") < history.index("Reinstated") < history.index("Revoked")
    # A revoked badge offers no more changes.
    assert reverse("awards:revoke", kwargs={"uuid": award.uuid}) not in page
    assert reverse("awards:reinstate", kwargs={"uuid": award.uuid}) not in page


def test_revoking_needs_a_reason_and_the_confirmation(client, world, scene):
    _version, award = scene
    client_for(client, world.tlc_admin)
    url = reverse("awards:revoke", kwargs={"uuid": award.uuid})
    before = _counts()
    for data in (
        {"revoke-reason": "Awarded in error"},
        {"revoke-confirm": "on"},
        {"revoke-reason": "   ", "revoke-confirm": "on"},
        {"revoke-reason": "x" * 5000, "revoke-confirm": "on"},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "Nothing was changed" in response.content.decode()
    assert "revocation is permanent" in response.content.decode().lower()
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE
    assert _counts() == before
    assert actions.verify_award(award).status == "valid"


def test_suspending_needs_a_reason(client, world, scene):
    _version, award = scene
    client_for(client, world.tlc_admin)
    before = _counts()
    response = client.post(reverse("awards:suspend", kwargs={"uuid": award.uuid}), {})
    assert response.status_code == 400
    assert "verifiers of the badge will see it" in response.content.decode()
    assert _counts() == before


def test_a_change_the_state_does_not_allow_is_refused_in_words(client, world, scene):
    _version, award = scene
    client_for(client, world.tlc_admin)
    before = _counts()
    response = client.post(reverse("awards:reinstate", kwargs={"uuid": award.uuid}), {})
    assert response.status_code == 400
    assert "Only a suspended badge can be reinstated." in response.content.decode()
    assert _counts() == before
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Fraud")
    before = _counts()
    response = client.post(
        reverse("awards:suspend", kwargs={"uuid": award.uuid}), {"suspend-reason": "x"}
    )
    assert response.status_code == 400
    assert "Only an active badge can be suspended." in response.content.decode()
    assert _counts() == before


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_our_awards_only_and_filters(client, world):
    version = f.published_version(world.issuer)
    other = f.published_version(world.issuer, title="Negotiation basics")
    f.award(version, email="ada@example.org")
    revoked = f.award(other, email="bob@example.org")
    actions.award_revoke(actor=world.tlc_admin, award=revoked, reason="Error")
    f.award(f.published_version(world.other_issuer), email="elsewhere@example.org")
    client_for(client, world.assessor)
    url = reverse("awards:staff_list")
    page = client.get(url).content.decode()
    assert "ada@example.org" in page
    assert "bob@example.org" in page
    assert "elsewhere@example.org" not in page
    page = client.get(url, {"status": "revoked"}).content.decode()
    assert "bob@example.org" in page
    assert "ada@example.org" not in page
    page = client.get(url, {"status": "active"}).content.decode()
    assert "ada@example.org" in page
    assert "bob@example.org" not in page
    page = client.get(url, {"q": "negotiation"}).content.decode()
    assert "bob@example.org" in page
    assert "ada@example.org" not in page
    page = client.get(url, {"q": "ADA@"}).content.decode()
    assert "ada@example.org" in page
    assert "bob@example.org" not in page
    page = client.get(url, {"claim": "accepted"}).content.decode()
    assert "No award matches these filters." in page
    # The other institution's admin sees theirs, not ours.
    client_for(client, world.other_admin)
    page = client.get(url).content.decode()
    assert "elsewhere@example.org" in page
    assert "ada@example.org" not in page


def test_expired_awards_are_filtered_as_expired(client, world):
    from datetime import timedelta

    from django.utils import timezone

    version = f.published_version(world.issuer, validity_months=1)
    f.award(version, email="old@example.org", now=timezone.now() - timedelta(days=90))
    f.award(f.published_version(world.issuer), email="new@example.org")
    client_for(client, world.tlc_admin)
    url = reverse("awards:staff_list")
    page = client.get(url, {"status": "expired"}).content.decode()
    assert "old@example.org" in page
    assert "new@example.org" not in page
    page = client.get(url, {"status": "active"}).content.decode()
    assert "new@example.org" in page
    assert "old@example.org" not in page


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"claim": "x" * 10_000},
        {"q": "x" * 100_000},
        {"q": "%_\\'\""},
        {"page": "abc"},
        {"page": str(2**64)},
        {"page": "-1"},
        {"q": "nul\x00"},
    ],
)
def test_hostile_list_queries_never_500(client, world, query):
    f.award(f.published_version(world.issuer), email="ada@example.org")
    client_for(client, world.assessor)
    response = client.get(reverse("awards:staff_list"), query)
    assert response.status_code == 200


def test_the_list_is_paginated_with_a_constant_number_of_queries(client, world):
    from mosaics.awards import views_staff

    version_count = 4
    versions = [f.published_version(world.issuer, competencies=1) for _ in range(version_count)]
    pathway = _published_pathway(world.issuer, versions[0])
    client_for(client, world.assessor)
    url = reverse("awards:staff_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    f.award(versions[0], email="one@example.org")
    few = queries()
    for n, version in enumerate(versions[1:]):
        f.award(version, email=f"more{n}@example.org")
    actions.award_issue(
        actor=None, recipient_email="p@example.org", pathway=pathway, source="pathway"
    )
    assert Award.objects.count() >= 5
    assert queries() == few

    # Pages: with a page size of 2, three pages; the links keep the filters.
    original = views_staff.PAGE_SIZE
    views_staff.PAGE_SIZE = 2
    try:
        response = client.get(url, {"q": "example", "page": 2})
        page = response.content.decode()
        assert "Page 2 of 3" in page
        assert "q=example" in page
        assert "page=3" in page
        assert "page=1" in page
    finally:
        views_staff.PAGE_SIZE = original


def test_the_dashboard_links_to_awards(client, world):
    client_for(client, world.assessor)
    page = client.get(reverse("organisations:dashboard")).content.decode()
    assert reverse("awards:staff_list") in page
    assert reverse("awards:new") in page
    client_for(client, world.designer)
    page = client.get(reverse("organisations:dashboard")).content.decode()
    assert reverse("awards:staff_list") not in page


# --- the record ---------------------------------------------------------------------------


def test_the_record_shows_what_was_awarded(client, world):
    version = f.published_version(world.issuer, validity_months=12)
    client_for(client, world.assessor)
    client.post(reverse("awards:new_version", kwargs={"pk": version.pk}), _post_data(version))
    award = Award.objects.get()
    page = client.get(reverse("awards:record", kwargs={"uuid": award.uuid})).content.decode()
    for text in (
        "sam.learner@example.org",
        "Sam Learner",
        version.title,
        world.issuer.name,
        "Analysis portfolio",
        "https://portfolio.example.org/sam",
        "Portfolio",
        "<strong>five years</strong>",
        "Proficient",
        "Waiting for the learner",
        "Not shared by the learner",
        award.credential_id,
        world.assessor.name,
    ):
        assert text in page, text
    assert (
        reverse("catalogue:version", kwargs={"slug": version.micro_credential.slug, "number": 1})
        in page
    )


def test_the_record_links_to_the_public_page_once_shared(client, world):
    award = f.award(f.published_version(world.issuer), email="ada@example.org")
    client_for(client, world.assessor)
    url = reverse("awards:record", kwargs={"uuid": award.uuid})
    public = reverse("awards:public", kwargs={"uuid": award.uuid})
    assert public not in client.get(url).content.decode()
    Award.objects.filter(pk=award.pk).update(shared=True)
    assert public in client.get(url).content.decode()


def test_nothing_to_award_yet_is_said_in_words(client, world):
    client_for(client, world.assessor)
    response = client.get(reverse("awards:new"))
    assert response.status_code == 200
    assert "There is nothing you can award yet" in response.content.decode()


def test_a_pathway_award_made_by_the_platform_shows_who_in_its_history(client, world):
    version = f.published_version(world.issuer)
    pathway = _published_pathway(world.issuer, version)
    award = actions.award_issue(
        actor=None, recipient_email="p@example.org", pathway=pathway, source="pathway"
    )
    client_for(client, world.tlc_admin)
    page = client.get(reverse("awards:record", kwargs={"uuid": award.uuid})).content.decode()
    assert "Mosaics, automatically" in page
    assert reverse("pathways:detail", kwargs={"slug": pathway.slug}) in page
    assert "Results against the rubric" not in page
