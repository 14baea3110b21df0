"""The demo (`mosaics demo`): a realistic college built through the real workflows, which must
itself prove the platform works — published designs pass every gate, their endorsements
verify, the catalogue finds them, and every demo person can sign in."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from mosaics import vc
from mosaics.audit.models import AuditEntry
from mosaics.catalogue import gates
from mosaics.catalogue.models import MicroCredential, ReviewComment, Version
from mosaics.core import demo_content as content
from mosaics.core.demo import DEMO_PASSWORD, DEMO_PEOPLE, IMAGES, load_demo
from mosaics.core.uploads import clean_image
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.issuance import actions as issuance
from mosaics.issuance import signing
from mosaics.organisations.models import InstitutionalGoal, Issuer, Membership, Organisation
from mosaics.pathways.models import Pathway

pytestmark = pytest.mark.django_db

MODELS = (
    "accounts.User",
    "account.EmailAddress",
    "organisations.Organisation",
    "organisations.Issuer",
    "organisations.Membership",
    "organisations.InstitutionalGoal",
    "issuance.SigningKey",
    "issuance.StatusList",
    "issuance.StatusEntry",
    "catalogue.MicroCredential",
    "catalogue.Version",
    "catalogue.Competency",
    "catalogue.RubricLevel",
    "catalogue.Alignment",
    "catalogue.ReflectionPrompt",
    "catalogue.ReviewComment",
    "endorsements.EndorsementRequest",
    "endorsements.EndorsementComment",
    "endorsements.Endorsement",
    "pathways.Pathway",
    "pathways.RuleGroup",
    "pathways.RuleItem",
    "awards.Award",
    "awards.AwardEvidence",
    "awards.AwardResult",
    "learning.Enrolment",
    "learning.Demonstration",
    "learning.EvidenceItem",
    "learning.Attestation",
    "learning.Reflection",
    "learning.ReflectionAnswer",
    "learning.Submission",
    "learning.Assessment",
    "learning.CompetencyScore",
    "learning.Conflict",
    "notifications.Notification",
    "audit.AuditEntry",
)


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in MODELS}


def _published() -> list[Version]:
    return list(Version.objects.published().select_related("micro_credential__issuer"))


def test_loading_twice_changes_nothing() -> None:
    load_demo()
    first = _counts()
    assert all(first[label] > 0 for label in MODELS), first
    second_results = load_demo()
    assert _counts() == first
    assert not any(created for _person, created in second_results)


def test_everything_is_made_by_the_workflows_with_an_audit_trail() -> None:
    load_demo()
    users = {user.username: user for user in get_user_model().objects.all()}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    for action in (
        "organisation.create",
        "issuer.create",
        "membership.grant",
        "goal.create",
        "design.created",
        "version.submit",
        "version.approve",
        "version.publish",
        "endorsements.request_send",
        "endorsements.comment_add",
        "endorsements.sign",
        "pathway.create",
    ):
        assert action in actions, action
    for version in _published():
        # Reviewed by the reviewer (never by its own designer), published by the TLC.
        assert version.approved_by == users["reviewer"]
        assert not version.contributors.filter(pk=users["reviewer"].pk).exists()
        publish = AuditEntry.objects.get(
            action="version.publish", target=f"catalogue.version:{version.pk}"
        )
        assert publish.actor == users["tlc"]


def test_the_college_its_schools_partners_and_goals() -> None:
    load_demo()
    institution = Organisation.objects.get(slug="northern-lights")
    assert institution.name == "Northern Lights College"
    assert institution.kind == Organisation.Kind.INSTITUTION
    assert sorted(institution.children.values_list("name", flat=True)) == [
        "School of Business and Data",
        "School of Health and Community Services",
    ]
    for school in institution.children.all():
        issuer = Issuer.objects.get(organisation=school)
        assert issuer.kind == Issuer.Kind.ISSUER
        assert issuer.signing_keys.exists()
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER)
    assert sorted(partners.values_list("name", flat=True)) == [
        "Northbridge Community Health Network",
        "Prairie Analytics Co-operative",
    ]
    for partner in partners:
        endorser = Issuer.objects.get(organisation=partner)
        assert endorser.kind == Issuer.Kind.ENDORSER
        assert endorser.signing_keys.exists()
    categories = set(
        InstitutionalGoal.objects.filter(institution=institution).values_list("category", flat=True)
    )
    assert categories == set(InstitutionalGoal.Category.values)


def test_at_least_five_published_designs_pass_every_gate_with_an_endorsement_that_verifies() -> (
    None
):
    load_demo()
    published = _published()
    assert len(published) >= 5
    documents = signing.trusted_documents()
    status_lists = issuance.status_list_credentials()
    for version in published:
        assert gates.failing(version) == [], version
        endorsements = list(Endorsement.objects.current().filter(version=version))
        assert endorsements, version
        for endorsement in endorsements:
            report = vc.verify_credential(
                endorsement.credential, documents=documents, status_lists=status_lists
            )
            assert report.status == "valid", (version, report)
            assert endorsement.request.comments.count() >= 1


def test_statistical_analysis_software_is_complete_and_found_in_the_catalogue(
    client: Any,
) -> None:
    load_demo()
    version = Version.objects.published().get(title="Statistical Analysis Software")
    for name in (
        "image",
        "image_alt",
        "summary",
        "description",
        "criteria",
        "estimated_hours",
        "delivery_mode",
        "level",
        "credits_available",
        "field_of_study",
        "human_code",
        "tags",
        "validity_months",
    ):
        assert getattr(version, name), name
    assert version.reflection_prompts.exists()
    statements = list(version.competencies.values_list("statement", flat=True))
    assert "Choose and run an appropriate statistical test" in statements
    for competency in version.competencies.all():
        assert competency.demonstration
        assert [level.name for level in competency.levels.all()] == list(content.LEVELS)
        assert competency.passing_level is not None
        assert competency.passing_level.name == "Proficient"
        assert competency.alignments.exists()
    frameworks = set(
        version.competencies.values_list("alignments__framework", flat=True).distinct()
    )
    assert {"ESCO", "O*NET", "NOC"} <= frameworks

    response = client.get(reverse("catalogue:index"), {"q": "statistical"})
    assert response.status_code == 200
    assert "Statistical Analysis Software" in response.content.decode()


def test_alignments_point_at_real_framework_addresses() -> None:
    load_demo()
    prefixes = {
        "ESCO": "http://data.europa.eu/esco/skill/",
        "O*NET": "https://www.onetonline.org/link/summary/",
        "NOC": "https://noc.esdc.gc.ca/",
    }
    for version in _published():
        for competency in version.competencies.all():
            for alignment in competency.alignments.all():
                if alignment.framework in prefixes:
                    assert alignment.target_url.startswith(prefixes[alignment.framework])
                if alignment.framework in ("O*NET", "NOC"):
                    assert alignment.target_code in alignment.target_url


def test_designs_in_every_review_state_and_one_with_history() -> None:
    load_demo()
    states = set(Version.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "changes_requested", "published", "superseded"} <= states
    sent_back = Version.objects.get(state="changes_requested")
    assert sent_back.comments.filter(kind=ReviewComment.Kind.CHANGES_REQUESTED).exists()
    spreadsheets = MicroCredential.objects.get(slug="spreadsheet-modelling")
    assert list(spreadsheets.versions.order_by("number").values_list("number", "state")) == [
        (1, "superseded"),
        (2, "published"),
    ]


def test_an_endorser_has_a_request_waiting_in_their_portal(client: Any) -> None:
    load_demo()
    waiting = EndorsementRequest.objects.get(state=EndorsementRequest.State.OPEN)
    assert waiting.version.state == Version.State.SUBMITTED
    client.login(email="endorser@mosaics.test", password=DEMO_PASSWORD)
    response = client.get(reverse("endorsements:portal"))
    assert response.status_code == 200
    assert waiting.version.title in response.content.decode()


def test_the_pathway_is_published_with_its_rule() -> None:
    load_demo()
    pathway = Pathway.objects.get(title="Data Analytics Foundations Certificate")
    assert pathway.state == Pathway.State.PUBLISHED
    required = set(pathway.groups.values_list("items__micro_credential__slug", flat=True))
    assert {
        "statistical-analysis-software",
        "data-visualisation-for-decision-making",
        "spreadsheet-modelling",
    } <= required
    assert pathway.groups.filter(rule="at_least", minimum=1).exists()


def test_people_have_their_roles_and_verified_addresses() -> None:
    load_demo()
    for person in content.PEOPLE:
        user = get_user_model().objects.get(username=person.username)
        held = set(Membership.objects.filter(user=user).values_list("organisation__slug", "role"))
        assert held == set(person.memberships), person.username
    for person in DEMO_PEOPLE:
        assert EmailAddress.objects.filter(
            user__username=person.username, email=person.email, verified=True, primary=True
        ).exists()


def test_every_demo_person_can_sign_in(client: Any) -> None:
    load_demo()
    for person in DEMO_PEOPLE:
        assert client.login(email=person.email, password=DEMO_PASSWORD), person.username
        client.logout()
    # And through the sign-in page, as a visitor would.
    response = client.post(
        reverse("account_login"), {"login": "designer@mosaics.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    designer = get_user_model().objects.get(username="designer")
    assert int(client.session["_auth_user_id"]) == designer.pk


def test_a_changed_password_survives_a_second_load() -> None:
    load_demo()
    designer = get_user_model().objects.get(username="designer")
    designer.set_password("a-much-better-secret")
    designer.save()
    load_demo()
    designer.refresh_from_db()
    assert designer.check_password("a-much-better-secret")


def test_the_demo_badge_images_pass_the_upload_checks() -> None:
    names = [spec.image for spec in content.DESIGNS if spec.image] + [content.PATHWAY.image]
    assert names
    for name in names:
        path = IMAGES / name
        with path.open("rb") as handle:
            _cleaned, content_type = clean_image(handle)
        assert content_type == "image/svg+xml"
        text = path.read_text()
        assert "<title" in text
        assert 'role="img"' in text


def test_learners_hold_badges_in_every_state_and_a_pathway_awarded_by_itself(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from mosaics.awards.actions import held_micro_credentials, verify_award
    from mosaics.awards.models import Award
    from mosaics.pathways import rules

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    lena = get_user_model().objects.get(username="learner")
    states = {(a.title, a.claim, a.effective_status) for a in Award.objects.filter(learner=lena)}
    assert ("Statistical Analysis Software", "accepted", "valid") in states
    assert ("Spreadsheet Modelling", "accepted", "revoked") in states
    assert ("Health Data Privacy in Practice", "accepted", "expired") in states
    assert ("Trauma-Informed Community Practice", "pending", "valid") in states
    shared = Award.objects.get(learner=lena, shared=True)
    assert shared.evidence.filter(private=True).exists()
    assert shared.results.exists()
    # Every badge says of itself what the database says.
    for award in Award.objects.all():
        assert verify_award(award).status == award.effective_status
    # Lena is on her way (two of three); Noah completed it and was awarded the pathway.
    pathway = Pathway.objects.get(title="Data Analytics Foundations Certificate")
    progress = rules.progress(pathway, held_micro_credentials(lena))
    assert not progress.satisfied
    noah = get_user_model().objects.get(username="learner2")
    award = Award.objects.get(learner=noah, pathway=pathway)
    assert award.source == Award.Source.PATHWAY
    assert Award.objects.filter(pathway=pathway).count() == 1
    # Loading again adds no award.
    count = Award.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert Award.objects.count() == count
