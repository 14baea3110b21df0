"""The role matrix: every view × every persona.

`ROUTES` names each URL of the organisations, issuance, catalogue, endorsements, pathways,
awards, portfolio, verification, learning and accounts apps with the method it is driven by
(a page that shows a form and takes it is driven both ways) and who may use it.
`test_every_route_is_in_the_matrix` fails when a view is added without a row here, so no view
escapes the matrix. (allauth's own pages, two-factor included, are allauth's: not in it.)

For a persona outside a route's audience the view must refuse: a signed-out visitor is sent to
sign in (or gets a 404 for objects they may not know about), anyone else gets 403 or 404 — or,
for a lifecycle step they may see but not take, a redirect that changed nothing. Nothing may
change in any refused case (audit log and row counts). For a persona inside the audience the
view must not refuse; allowed POSTs run inside a transaction that is rolled back, so every
persona meets the same scene. A POST sends what the route's `data` gives (a request that would
succeed for its audience), or nothing; a refused persona sends the same and must change
nothing. The detailed behaviour of each view is tested in its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from mosaics.accounts.models import BoundDid
from mosaics.audit.models import AuditEntry
from mosaics.awards.actions import award_accept, claim_token
from mosaics.awards.models import Award, AwardEvidence
from mosaics.awards.sharing import award_share
from mosaics.catalogue.models import Version
from mosaics.endorsements import actions as endorsement_actions
from mosaics.endorsements.models import Endorsement, EndorsementRequest
from mosaics.issuance.actions import key_generate
from mosaics.issuance.models import SigningKey, StatusList
from mosaics.organisations.actions import invitation_send
from mosaics.organisations.models import Invitation, Membership
from mosaics.pathways.models import Pathway, RuleGroup, RuleItem
from mosaics.portfolio.actions import collection_add, collection_create
from mosaics.portfolio.models import Collection, ExternalBadge
from mosaics.verification.models import ApiToken
from mosaics.verification.tokens import api_token_create
from tests import factories as f
from tests.personas import PERSONAS, World
from tests.web import role_matrix_learning as learning
from tests.web.role_matrix_learning import Learning

pytestmark = pytest.mark.django_db

NAMESPACES = (
    "organisations",
    "issuance",
    "catalogue",
    "endorsements",
    "pathways",
    "awards",
    "portfolio",
    "verification",
    "learning",
    "accounts",
)

EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMINS = frozenset({"tlc_admin", "platform_admin"})
DESIGN_EDIT = ADMINS | {"designer"}
DESIGN_VIEW = DESIGN_EDIT | {"reviewer"}
DESIGN_READ = DESIGN_VIEW | {"endorser"}  # the partner has an open request on the draft
REVIEW = ADMINS | {"reviewer"}
ENDORSER = frozenset({"endorser"})
# Endorsement conversation: the partner's endorsers and the institution's design team.
CONVERSATION = DESIGN_VIEW | ENDORSER
ORG_VIEW = DESIGN_VIEW | {"assessor"}  # anyone holding a role in the school or institution
# Lists of one's own work: people holding the role in another institution or partner see
# theirs (and never ours: see PRIVATE below).
ELSEWHERE = frozenset({"other_designer", "other_admin"})

# Awards: who awards and keeps the records; the learner holds the scene's award.
AWARDING = ADMINS | {"assessor"}
HOLDER = frozenset({"learner"})
# The staff award pages also answer people who award in another institution (their own lists).
AWARDING_ANYWHERE = AWARDING | {"other_admin"}

# Learning: the learner owns their enrolments; the issuing organisation's assessors and
# institution admins (a platform admin acts as one) assess; the queue and the conflicts page
# also answer people who assess in another institution (their own, empty, lists).
ASSESSING = ADMINS | {"assessor"}
ASSESSING_ANYWHERE = ASSESSING | {"other_admin"}
# Enrolment settings: the issuing organisation's designers and institution admins.
ENROLMENT_STAFF = DESIGN_EDIT

# Titles only the design team (and the partner asked to endorse the draft) may ever see, and
# what only the learner and those who assess their work may ever see.
PRIVATE = {
    "Draft Design": DESIGN_VIEW | {"endorser"},
    "Submitted Design": DESIGN_VIEW,
    "Approved Design": DESIGN_VIEW,
    "Draft pathway": DESIGN_VIEW,
    learning.NARRATIVE: HOLDER | ASSESSING,
    learning.REFLECTION: HOLDER | ASSESSING,
}


@dataclass
class Scene:
    world: World
    draft: Version
    submitted: Version
    approved: Version
    published: Version
    request: EndorsementRequest
    endorsement: Endorsement
    pathway_draft: Pathway
    pathway_published: Pathway
    invitation: Invitation
    token: str
    membership: Membership
    status_list: StatusList
    award: Award
    collection: Collection
    external: ExternalBadge
    api_token: ApiToken
    learner_did: BoundDid
    learning: Learning

    def design(self, version: Version) -> dict[str, Any]:
        return {"slug": version.micro_credential.slug, "number": version.number}


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def _version(world: World, state: str, slug: str) -> Version:
    version = f.VersionFactory(
        micro_credential=f.MicroCredentialFactory(issuer=world.issuer, slug=slug),
        state=state,
        title=slug.replace("-", " ").title(),
        created_by=world.designer,
    )
    version.contributors.add(world.designer)
    if state == "published":
        version.published_at = version.submitted_at = version.approved_at = timezone.now()
        version.save()
    competency = f.complete_competency(version)
    f.ReflectionPromptFactory(version=version)
    version.goals.add(world.goal)
    assert competency.levels.count() == 3
    return version


@pytest.fixture
def scene(world: World) -> Scene:
    key_generate(issuer=world.issuer, actor=None)
    key_generate(issuer=world.endorser_profile, actor=None)
    draft = _version(world, "draft", "draft-design")
    draft.image.save("badge.png", ContentFile(_png()), save=False)
    draft.image_alt = "A blue mosaic tile"
    draft.save()
    submitted = _version(world, "submitted", "submitted-design")
    approved = _version(world, "approved", "approved-design")
    published = _version(world, "published", "published-design")
    endorsement = endorsement_actions.endorsement_sign(
        actor=world.endorser,
        request=endorsement_actions.endorsement_request_send(
            actor=world.designer, version=published, partner=world.partner
        ),
        statement="Graduates can do this on their first day.",
    )
    request = endorsement_actions.endorsement_request_send(
        actor=world.designer, version=draft, partner=world.partner, message="Please review."
    )
    pathway_draft = Pathway.objects.create(
        issuer=world.issuer, slug="draft-pathway", title="Draft pathway"
    )
    RuleGroup.objects.create(pathway=pathway_draft)
    pathway_published = Pathway.objects.create(
        issuer=world.issuer,
        slug="published-pathway",
        title="Published pathway",
        criteria="Hold the micro-credentials.",
        state=Pathway.State.PUBLISHED,
    )
    root = RuleGroup.objects.create(pathway=pathway_published)
    RuleItem.objects.create(group=root, micro_credential=published.micro_credential)
    invitation, token = invitation_send(
        actor=world.tlc_admin,
        organisation=world.business,
        email="new.designer@example.test",
        role="designer",
    )
    award = f.award(published, email=world.learner.email)
    award_accept(actor=world.learner, award=award)
    award_share(actor=world.learner, award=award, shared=True)
    collection = collection_create(actor=world.learner, name="For employers")
    collection_add(actor=world.learner, collection=collection, awards=[award])
    external = ExternalBadge.objects.create(
        owner=world.learner,
        format=ExternalBadge.Format.OB3_JSON,
        payload="{}",
        verified=True,
        status="valid",
        title="Badge from elsewhere",
    )
    api_token, _secret = api_token_create(
        actor=world.tlc_admin, issuer=world.issuer, name="Student system"
    )
    return Scene(
        world=world,
        draft=draft,
        submitted=submitted,
        approved=approved,
        published=published,
        request=request,
        endorsement=endorsement,
        pathway_draft=pathway_draft,
        pathway_published=pathway_published,
        invitation=invitation,
        token=token,
        membership=Membership.objects.get(user=world.designer),
        status_list=StatusList.objects.get(issuer=world.endorser_profile),
        award=award,
        collection=collection,
        external=external,
        api_token=api_token,
        learner_did=BoundDid.objects.create(
            user=world.learner, did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
        ),
        learning=learning.build(world),
    )


@dataclass(frozen=True)
class Route:
    method: str  # "get", "post", or "get+post" (both driven, for the same audience)
    kwargs: Callable[[Scene], dict[str, Any]]
    audience: frozenset[str]
    # Who is sent to sign in when signed out (False: a 404 is just as right, e.g. a token link).
    login: bool = True
    # What a POST sends: a request that would succeed for the audience (default: nothing).
    data: Callable[[Learning], dict[str, Any]] | None = None
    # PRIVATE texts this route shows its whole audience (a token link shows the supervisor
    # the one demonstration it is about).
    discloses: frozenset[str] = frozenset()

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.method.split("+"))


def _draft(s: Scene) -> dict[str, Any]:
    return s.design(s.draft)


def _competency(s: Scene) -> dict[str, Any]:
    return {**_draft(s), "pk": s.draft.competencies.get().pk}


def _level(s: Scene) -> dict[str, Any]:
    return {**_draft(s), "pk": s.draft.competencies.get().levels.first().pk}  # type: ignore[union-attr]


def _alignment(s: Scene) -> dict[str, Any]:
    return {**_draft(s), "pk": s.draft.competencies.get().alignments.get().pk}


def _prompt(s: Scene) -> dict[str, Any]:
    return {**_draft(s), "pk": s.draft.reflection_prompts.get().pk}


def _uuid(s: Scene) -> dict[str, Any]:
    return {"uuid": s.endorsement.credential_id.removeprefix("urn:uuid:")}


def _pathway_draft(s: Scene) -> dict[str, Any]:
    return {"slug": s.pathway_draft.slug}


def _root_group(s: Scene) -> dict[str, Any]:
    return {**_pathway_draft(s), "group_id": s.pathway_draft.groups.get().pk}


def _business(s: Scene) -> dict[str, Any]:
    return {"slug": s.world.business.slug}


def _issuer(s: Scene) -> dict[str, Any]:
    return {"slug": s.world.issuer.slug}


def _none(s: Scene) -> dict[str, Any]:
    return {}


def _award(s: Scene) -> dict[str, Any]:
    return {"uuid": s.award.uuid}


def _collection(s: Scene) -> dict[str, Any]:
    return {"uuid": s.collection.uuid}


def _external(s: Scene) -> dict[str, Any]:
    return {"uuid": s.external.uuid}


def _working(s: Scene) -> dict[str, Any]:
    """The micro-credential the learner is still working on."""
    return {"slug": s.learning.working.micro_credential.slug}


def _first(s: Scene) -> dict[str, Any]:
    return {**_working(s), "competency": s.learning.first.pk}


def _second(s: Scene) -> dict[str, Any]:
    return {**_working(s), "competency": s.learning.second.pk}


def _attempt(s: Scene) -> dict[str, Any]:
    return {"slug": s.learning.assessed.micro_credential.slug, "number": 1}


def _submission(s: Scene) -> dict[str, Any]:
    return {"uuid": s.learning.submission.uuid}


def _draft_item(s: Scene) -> dict[str, Any]:
    return {"uuid": s.learning.draft_item.uuid}


def _attestation(s: Scene) -> dict[str, Any]:
    return {"uuid": s.learning.attestation.uuid}


ROUTES: dict[str, Route] = {
    # --- organisations ---------------------------------------------------------------------
    "organisations:dashboard": Route("get", _none, SIGNED_IN),
    "organisations:organisation_new": Route("get", _none, frozenset({"platform_admin"})),
    "organisations:detail": Route("get", _business, ORG_VIEW),
    "organisations:edit": Route("post", _business, ADMINS),
    "organisations:invite": Route("post", _business, ADMINS),
    "organisations:invitation_revoke": Route(
        "post", lambda s: {**_business(s), "pk": s.invitation.pk}, ADMINS
    ),
    "organisations:membership_revoke": Route(
        "post", lambda s: {**_business(s), "pk": s.membership.pk}, ADMINS
    ),
    "organisations:school_create": Route(
        "post", lambda s: {"slug": s.world.institution.slug}, ADMINS
    ),
    "organisations:issuer_create": Route("post", _business, ADMINS),
    "organisations:goal_create": Route(
        "post", lambda s: {"slug": s.world.institution.slug}, ADMINS
    ),
    "organisations:issuer_edit": Route("post", _issuer, ADMINS),
    "organisations:goal_edit": Route("post", lambda s: {"pk": s.world.goal.pk}, ADMINS),
    "organisations:goal_deactivate": Route("post", lambda s: {"pk": s.world.goal.pk}, ADMINS),
    "organisations:invitation": Route("get", lambda s: {"token": s.token}, EVERYONE),
    # --- issuance --------------------------------------------------------------------------
    "issuance:profile": Route("get", _issuer, EVERYONE),
    "issuance:profile_json": Route("get", _issuer, EVERYONE),
    "issuance:did": Route("get", _issuer, EVERYONE),
    "issuance:ob2_issuer": Route("get", _issuer, EVERYONE),
    "issuance:status_list": Route("get", lambda s: {"pk": s.status_list.pk}, EVERYONE),
    "issuance:keys": Route("get", _issuer, ADMINS),
    "issuance:key_rotate": Route("post", _issuer, ADMINS),
    # --- catalogue: authoring --------------------------------------------------------------
    "catalogue:design_list": Route("get", _none, DESIGN_VIEW | ELSEWHERE),
    "catalogue:design_create": Route("get", _none, DESIGN_EDIT | ELSEWHERE),
    "catalogue:design": Route("get", _draft, DESIGN_READ),
    "catalogue:design_edit": Route("post", _draft, DESIGN_EDIT),
    "catalogue:design_image": Route("post", _draft, DESIGN_EDIT),
    "catalogue:design_goals": Route("post", _draft, DESIGN_EDIT),
    "catalogue:competency_add": Route("post", _draft, DESIGN_EDIT),
    "catalogue:competency_edit": Route("post", _competency, DESIGN_EDIT),
    "catalogue:competency_remove": Route("post", _competency, DESIGN_EDIT),
    "catalogue:competency_move": Route("post", _competency, DESIGN_EDIT),
    "catalogue:rubric_level_add": Route("post", _competency, DESIGN_EDIT),
    "catalogue:rubric_level_edit": Route("post", _level, DESIGN_EDIT),
    "catalogue:rubric_level_remove": Route("post", _level, DESIGN_EDIT),
    "catalogue:passing_level_set": Route("post", _competency, DESIGN_EDIT),
    "catalogue:alignment_add": Route("post", _competency, DESIGN_EDIT),
    "catalogue:alignment_remove": Route("post", _alignment, DESIGN_EDIT),
    "catalogue:prompt_add": Route("post", _draft, DESIGN_EDIT),
    "catalogue:prompt_edit": Route("post", _prompt, DESIGN_EDIT),
    "catalogue:prompt_remove": Route("post", _prompt, DESIGN_EDIT),
    "catalogue:image": Route("get", _draft, DESIGN_READ),
    # --- catalogue: review lifecycle -------------------------------------------------------
    "catalogue:version_submit": Route("post", _draft, DESIGN_EDIT),
    # The designer wrote these versions: only reviewers and admins may review them.
    "catalogue:version_request_changes": Route("post", lambda s: s.design(s.submitted), REVIEW),
    "catalogue:version_approve": Route("post", lambda s: s.design(s.submitted), REVIEW),
    "catalogue:version_publish": Route("post", lambda s: s.design(s.approved), ADMINS),
    "catalogue:version_retire": Route("post", lambda s: s.design(s.published), ADMINS),
    "catalogue:version_start_next": Route("post", lambda s: s.design(s.published), DESIGN_EDIT),
    "catalogue:review_comment_add": Route("post", _draft, DESIGN_VIEW),
    "catalogue:review_queue": Route("get", _none, REVIEW | {"other_admin"}),
    "catalogue:design_history": Route(
        "get", lambda s: {"slug": s.draft.micro_credential.slug}, DESIGN_VIEW
    ),
    # --- catalogue: public -----------------------------------------------------------------
    "catalogue:index": Route("get", _none, EVERYONE),
    "catalogue:detail": Route(
        "get", lambda s: {"slug": s.published.micro_credential.slug}, EVERYONE
    ),
    "catalogue:version": Route("get", lambda s: s.design(s.published), EVERYONE),
    "catalogue:achievement_json": Route("get", lambda s: s.design(s.published), EVERYONE),
    "catalogue:badgeclass": Route("get", lambda s: s.design(s.published), EVERYONE),
    # --- endorsements ----------------------------------------------------------------------
    "endorsements:portal": Route("get", _none, ENDORSER | {"other_endorser"}),
    "endorsements:request": Route("get", lambda s: {"pk": s.request.pk}, CONVERSATION),
    "endorsements:comment": Route("post", lambda s: {"pk": s.request.pk}, DESIGN_EDIT | ENDORSER),
    "endorsements:endorse": Route("post", lambda s: {"pk": s.request.pk}, ENDORSER),
    "endorsements:decline": Route("post", lambda s: {"pk": s.request.pk}, ENDORSER),
    "endorsements:request_cancel": Route("post", lambda s: {"pk": s.request.pk}, DESIGN_EDIT),
    "endorsements:renew": Route("post", lambda s: {"pk": s.endorsement.pk}, ENDORSER),
    "endorsements:withdraw": Route("post", lambda s: {"pk": s.endorsement.pk}, ENDORSER),
    "endorsements:request_send": Route("post", _draft, DESIGN_EDIT),
    "endorsements:credential": Route("get", _uuid, EVERYONE),
    "endorsements:detail": Route("get", _uuid, EVERYONE),
    # --- pathways --------------------------------------------------------------------------
    "pathways:manage_list": Route("get", _none, DESIGN_EDIT | ELSEWHERE),
    "pathways:create": Route("get", _none, DESIGN_EDIT | ELSEWHERE),
    "pathways:edit": Route("get", _pathway_draft, DESIGN_EDIT),
    "pathways:update": Route("post", _pathway_draft, DESIGN_EDIT),
    "pathways:publish": Route("post", _pathway_draft, ADMINS),
    "pathways:retire": Route("post", lambda s: {"slug": s.pathway_published.slug}, ADMINS),
    "pathways:group_add": Route("post", _root_group, DESIGN_EDIT),
    "pathways:group_update": Route("post", _root_group, DESIGN_EDIT),
    "pathways:group_remove": Route("post", _root_group, DESIGN_EDIT),
    "pathways:item_add": Route("post", _root_group, DESIGN_EDIT),
    "pathways:item_remove": Route(
        "post",
        lambda s: {"slug": s.pathway_published.slug, "item_id": RuleItem.objects.get().pk},
        DESIGN_EDIT,
    ),
    "pathways:index": Route("get", _none, EVERYONE),
    "pathways:detail": Route("get", lambda s: {"slug": s.pathway_published.slug}, EVERYONE),
    "pathways:achievement_json": Route(
        "get", lambda s: {"slug": s.pathway_published.slug}, EVERYONE
    ),
    # --- awards: staff ---------------------------------------------------------------------
    "awards:staff_list": Route("get", _none, AWARDING_ANYWHERE),
    "awards:new": Route("get", _none, AWARDING_ANYWHERE),
    "awards:new_version": Route("post", lambda s: {"pk": s.published.pk}, AWARDING),
    "awards:new_pathway": Route("post", lambda s: {"pk": s.pathway_published.pk}, AWARDING),
    "awards:record": Route("get", _award, AWARDING),
    "awards:revoke": Route("post", _award, ADMINS),
    "awards:suspend": Route("post", _award, ADMINS),
    "awards:reinstate": Route("post", _award, ADMINS),
    "awards:bulk": Route("post", lambda s: {"pk": s.published.pk}, AWARDING),
    # --- awards: the learner's -------------------------------------------------------------
    "awards:inbox": Route("get", _none, SIGNED_IN),
    "awards:detail": Route("get", _award, HOLDER),
    "awards:accept": Route("post", _award, HOLDER),
    "awards:decline": Route("post", _award, HOLDER),
    "awards:claim": Route(
        "get", lambda s: {**_award(s), "token": claim_token(s.award)}, EVERYONE, login=False
    ),
    "awards:claim_signup": Route(
        "get", lambda s: {**_award(s), "token": claim_token(s.award)}, EVERYONE, login=False
    ),
    "awards:sharing": Route("get", _award, HOLDER),
    "awards:share": Route("post", _award, HOLDER),
    "awards:evidence_privacy": Route("post", _award, HOLDER),
    "awards:download": Route(
        "get", lambda s: {**_award(s), "file": "credential.json"}, HOLDER | AWARDING
    ),
    "awards:certificate": Route("get", _award, HOLDER | AWARDING),
    # --- awards: public ----------------------------------------------------------------------
    "awards:public": Route("get", _award, EVERYONE),
    "awards:public_image": Route("get", _award, EVERYONE),
    "awards:qr": Route("get", _award, EVERYONE),
    "awards:ob2_assertion": Route("get", _award, EVERYONE),
    "awards:ob2_baked": Route("get", lambda s: {**_award(s), "ext": "png"}, EVERYONE),
    "awards:ob2_pathway_badgeclass": Route(
        "get", lambda s: {"slug": s.pathway_published.slug}, EVERYONE
    ),
    # --- the mosaic ------------------------------------------------------------------------
    "portfolio:mosaic": Route("get", _none, SIGNED_IN),
    "portfolio:mosaic_clr": Route("post", _none, SIGNED_IN),
    "portfolio:collection_new": Route("post", _none, SIGNED_IN),
    "portfolio:collection": Route("get", _collection, HOLDER),
    "portfolio:collection_update": Route("post", _collection, HOLDER),
    "portfolio:collection_delete": Route("post", _collection, HOLDER),
    "portfolio:collection_share": Route("post", _collection, HOLDER),
    "portfolio:collection_add": Route("post", _collection, HOLDER),
    "portfolio:collection_remove": Route("post", _collection, HOLDER),
    "portfolio:collection_clr": Route("post", _collection, HOLDER),
    "portfolio:collection_public": Route("get", _collection, frozenset()),  # not shared
    "portfolio:import": Route("post", _none, SIGNED_IN),
    "portfolio:external": Route("get", _external, HOLDER),
    "portfolio:external_delete": Route("post", _external, HOLDER),
    "portfolio:external_share": Route("post", _external, HOLDER),
    # --- verification and the issuer API ---------------------------------------------------
    "verification:verify": Route("get", _none, EVERYONE),
    "verification:api_verify": Route("post", _none, EVERYONE),
    "verification:api_presentations_verify": Route("post", _none, EVERYONE),
    # Issuing takes an API token, never a session: everyone signed in or not is refused.
    "verification:api_issue": Route("post", _none, frozenset(), login=False),
    "verification:api_tokens": Route("get", _issuer, ADMINS),
    "verification:api_token_create": Route("post", _issuer, ADMINS),
    "verification:api_token_revoke": Route(
        "post", lambda s: {**_issuer(s), "pk": s.api_token.pk}, ADMINS
    ),
    # --- learning: enrolment ----------------------------------------------------------------
    "learning:mine": Route("get", _none, SIGNED_IN),
    # Anyone signed in may enrol (the learner holds this one already: told so, nothing done).
    "learning:enrol": Route(
        "post",
        lambda s: {"slug": s.published.micro_credential.slug},
        SIGNED_IN,
        data=learning.enrol,
    ),
    # `learn/<slug>/` is the signed-in person's own pathway: nothing in the address to guess.
    # Someone not enrolled is shown the enrol box instead, never the learner's work (PRIVATE).
    "learning:enrolment": Route("get", _working, SIGNED_IN),
    "learning:withdraw": Route("get+post", _working, HOLDER),
    "learning:enrolment_settings": Route(
        "get+post", _working, ENROLMENT_STAFF, data=learning.enrolment_settings
    ),
    # --- learning: demonstrations ----------------------------------------------------------
    "learning:demonstration": Route("get+post", _first, HOLDER, data=learning.demonstration),
    "learning:evidence_add": Route("post", _first, HOLDER, data=learning.evidence_add),
    "learning:demonstration_submit": Route("post", _first, HOLDER),
    "learning:demonstration_revise": Route("post", _second, HOLDER),
    "learning:demonstration_discard": Route("post", _first, HOLDER),
    "learning:evidence_remove": Route("post", _draft_item, HOLDER),
    "learning:evidence_visibility": Route(
        "post", _draft_item, HOLDER, data=learning.evidence_visibility
    ),
    # A submitted version, and its files, are also for those who assess the submission.
    "learning:demonstration_version": Route(
        "get", lambda s: {"uuid": s.learning.demonstration.uuid}, HOLDER | ASSESSING
    ),
    "learning:evidence_file": Route(
        "get", lambda s: {"uuid": s.learning.file_item.uuid}, HOLDER | ASSESSING, login=False
    ),
    # --- learning: supervisor attestation --------------------------------------------------
    "learning:attestation_request": Route(
        "get+post",
        lambda s: {"uuid": s.learning.second_demonstration.uuid},
        HOLDER,
        data=learning.attestation_request,
    ),
    "learning:attestation_resend": Route("post", _attestation, HOLDER),
    "learning:attestation_cancel": Route("post", _attestation, HOLDER),
    # The supervisor's link needs no account: its token is the only key, so whoever holds it
    # — signed out (the supervisor's usual case) or signed in as anyone at all — gets the same
    # page for the one demonstration it names, and may answer it once. What the matrix holds
    # it to is that the token opens that demonstration only: its narrative is disclosed here,
    # and nothing else private (no design, no reflection) is shown to anyone. Without the
    # token the demonstration's other pages refuse them (rows above).
    "learning:attest": Route(
        "get+post",
        lambda s: {"token": s.learning.token},
        EVERYONE,
        login=False,
        data=learning.attest,
        discloses=frozenset({learning.NARRATIVE}),
    ),
    "learning:attest_file": Route(
        "get",
        lambda s: {"token": s.learning.token, "uuid": s.learning.file_item.uuid},
        EVERYONE,
        login=False,
    ),
    # --- learning: reflection, submitting, attempts, route ---------------------------------
    "learning:reflection": Route("get+post", _working, HOLDER, data=learning.reflection),
    "learning:submit": Route("get+post", _working, HOLDER, data=learning.submit),
    "learning:route": Route("get+post", _working, HOLDER, data=learning.route),
    "learning:submission": Route("get", _attempt, HOLDER),
    "learning:submission_withdraw": Route("post", _attempt, HOLDER),
    # --- learning: assessment --------------------------------------------------------------
    "learning:queue": Route("get", _none, ASSESSING_ANYWHERE),
    "learning:conflicts": Route("get", _none, ASSESSING_ANYWHERE),
    "learning:conflict_withdraw": Route(
        "post", lambda s: {"pk": s.learning.conflict.pk}, frozenset({"assessor"})
    ),
    # The learner gets a 403 on the assessment page of their own submission.
    "learning:assess": Route("get+post", _submission, ASSESSING, data=learning.assess),
    "learning:conflict_declare": Route(
        "post", _submission, ASSESSING, data=learning.conflict_declare
    ),
    # --- accounts: every signed-in person's own --------------------------------------------
    "accounts:profile": Route("get+post", _none, SIGNED_IN, data=learning.profile),
    "accounts:export": Route("get+post", _none, SIGNED_IN),
    # Staff and platform admins are told their roles go first (the form again, 400).
    "accounts:delete": Route("get+post", _none, SIGNED_IN, data=learning.delete),
    "accounts:did": Route("get", _none, SIGNED_IN),
    "accounts:did_unbind": Route("post", lambda s: {"pk": s.learner_did.pk}, HOLDER),
}


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_is_in_the_matrix() -> None:
    names = _route_names()
    assert sorted(names - set(ROUTES)) == [], "add these views to the role matrix"
    assert sorted(set(ROUTES) - names) == [], "these rows name views that no longer exist"


def _state() -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    return (
        AuditEntry.objects.count(),
        list(Version.objects.values_list("pk", "state", "title").order_by("pk")),
        Membership.objects.count(),
        list(Invitation.objects.values_list("pk", "revoked_at", "accepted_at").order_by("pk")),
        list(Endorsement.objects.values_list("pk", "withdrawn_at", "renewed_by").order_by("pk")),
        list(EndorsementRequest.objects.values_list("pk", "state").order_by("pk")),
        list(Pathway.objects.values_list("pk", "state", "title").order_by("pk")),
        RuleGroup.objects.count(),
        RuleItem.objects.count(),
        SigningKey.objects.count(),
        list(
            Award.objects.values_list("pk", "status", "claim", "shared", "learner").order_by("pk")
        ),
        list(AwardEvidence.objects.values_list("pk", "private").order_by("pk")),
        list(Collection.objects.values_list("pk", "name", "shared").order_by("pk")),
        Collection.awards.through.objects.count(),
        list(ExternalBadge.objects.values_list("pk", "shared").order_by("pk")),
        list(ApiToken.objects.values_list("pk", "revoked_at").order_by("pk")),
        BoundDid.objects.count(),
        *learning.state(),
    )


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_persona_as_the_matrix_says(name: str, scene: Scene) -> None:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(scene))
    data = route.data(scene.learning) if route.data is not None else {}
    failures = []
    for method in route.methods:
        for persona in PERSONAS:
            failures += [
                f"{method.upper()} {failure}"
                for failure in _drive(route, method, url, data, persona, scene)
            ]
    assert failures == [], f"{name} ({url}):\n" + "\n".join(failures)


def _drive(
    route: Route, method: str, url: str, data: dict[str, Any], persona: str, scene: Scene
) -> list[str]:
    client = Client()
    user = scene.world.people[persona]
    if user is not None:
        client.force_login(user)
    outsider = persona not in route.audience
    # Every request runs in a transaction rolled back afterwards, so each persona meets the
    # same scene; an outsider's must not have changed anything when it ends.
    with transaction.atomic():
        before = _state() if outsider else None
        response = client.get(url) if method == "get" else client.post(url, data)
        changed = outsider and _state() != before
        transaction.set_rollback(True)
    failures = []
    status = response.status_code
    body = getattr(response, "content", b"").decode("utf-8", "replace")
    for title, audience in PRIVATE.items():
        shown_to = audience | (route.audience if title in route.discloses else frozenset())
        if persona not in shown_to and title in body:
            failures.append(f"{persona} was shown {title!r}")
    if status >= 500:
        return [*failures, f"{persona}: {status}"]
    refused = status in (401, 403, 404) or _is_login_redirect(response)
    if not outsider:
        if refused:
            failures.append(f"{persona} is in the audience but was refused ({status})")
        return failures
    # Someone who may see the object but not take this step may also be told why: a redirect
    # with a message, or the form again with the reason (400).
    told_why = method == "post" and status in (302, 400) and persona != "anonymous"
    ok = refused or told_why
    if persona == "anonymous" and route.login and status == 302:
        ok = ok and _is_login_redirect(response)
    if not ok:
        failures.append(f"{persona} is outside the audience but got {status}")
    if changed:
        failures.append(f"{persona} is outside the audience but changed something ({status})")
    return failures
