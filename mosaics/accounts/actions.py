"""Account workflows: the profile, the export of one's personal data, deleting one's account,
and binding and unbinding a DID (`BoundDid`).

A bound DID is what new awards name as their credential subject (`award_issue` reads the most
recently bound one); awards made before keep the identity they were signed with.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.accounts.did import DidProofRefused, verify_did_proof
from mosaics.accounts.models import BoundDid
from mosaics.audit.log import record, target_of
from mosaics.vc.limits import contains_nul

__all__ = [
    "AccountRefused",
    "DidProofRefused",
    "account_delete",
    "account_export",
    "did_bind",
    "did_unbind",
    "profile_update",
]

log = logging.getLogger(__name__)


@transaction.atomic
def did_bind(*, actor: Any, response: str, challenge: str, now: datetime | None = None) -> BoundDid:
    """Bind the did:key that signed `challenge` (in `response`) to `actor`'s account.

    A DID is bound to one account at most. Binding it again to the same account is no error:
    the binding is kept (one row) and becomes the one new awards use. Raises `DidProofRefused`
    when the response does not prove control of a did:key over this challenge, when the DID is
    bound to another account, and when badges awarded to another account already name it (so
    that a DID lent for a while cannot carry someone else's badges into this account)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    did = verify_did_proof(response, challenge=challenge, now=now)
    if BoundDid.objects.filter(did=did).exclude(user=actor).exists():
        raise _taken()
    _refuse_if_others_awards_name(did, actor)
    try:
        with transaction.atomic():
            bound, created = BoundDid.objects.get_or_create(user=actor, did=did)
    except IntegrityError:
        # Another account bound it between our check and our insert (the unique constraint).
        raise _taken() from None
    if not created:
        # auto_now_add keeps the first date; the latest binding is the one awards use.
        BoundDid.objects.filter(pk=bound.pk).update(bound_at=timezone.now())
        bound.refresh_from_db()
    record(actor=actor, action="accounts.did_bind", target=bound, did=did, again=not created)
    return bound


def _taken() -> DidProofRefused:
    return DidProofRefused(_("This DID is already bound to another account."), code="did_taken")


def _refuse_if_others_awards_name(did: str, actor: Any) -> None:
    from mosaics.awards.models import Award

    if Award.objects.filter(recipient_did=did).exclude(learner=actor).exists():
        raise DidProofRefused(
            _(
                "Badges awarded to another account already name this DID, so it cannot be "
                "bound to yours."
            ),
            code="did_named_by_others",
        )


@transaction.atomic
def did_unbind(*, actor: Any, bound: BoundDid) -> None:
    """Forget a bound DID. Awards already made to it keep it (they are signed)."""
    if actor is None or not actor.is_authenticated or bound.user_id != actor.pk:
        raise PermissionDenied
    record(actor=actor, action="accounts.did_unbind", target=bound, did=bound.did)
    bound.delete()


# --- profile -------------------------------------------------------------------------------


class AccountRefused(ValidationError):
    """The account change cannot be made; the message says why, in plain words. Views show
    it and keep what was typed."""


#: The longest names the profile keeps (the model's columns).
MAX_DISPLAY_NAME = 150
MAX_LEGAL_NAME = 200


def _name(value: Any, *, what: str, limit: int) -> str:
    result = " ".join(str(value if value is not None else "").split())
    if contains_nul(result):
        raise AccountRefused(
            _("%(what)s contains a character that cannot be stored.") % {"what": what},
            code="nul",
        )
    if len(result) > limit:
        raise AccountRefused(
            _("%(what)s is too long (at most %(limit)d characters).")
            % {"what": what, "limit": limit},
            code="too_long",
        )
    return result


def _language(value: Any) -> str:
    code = str(value if value is not None else "").strip()
    if code and code not in {language for language, _label in settings.LANGUAGES}:
        raise AccountRefused(_("Choose one of the languages offered."), code="language")
    return code


def _require_person(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied


@transaction.atomic
def profile_update(
    *, actor: Any, display_name: str, legal_name: str, preferred_language: str
) -> Any:
    """Change `actor`'s own names and preferred language. The display name is what pages
    show; the legal name is what credentials awarded from now on name (awards already made
    are signed and keep theirs); the language is the one pages and e-mails use (empty: the
    browser's). Raises `AccountRefused` for a name that is too long or holds a NUL
    character, and for a language the site does not offer."""
    _require_person(actor)
    values = {
        "display_name": _name(display_name, what=_("Display name"), limit=MAX_DISPLAY_NAME),
        "legal_name": _name(legal_name, what=_("Legal name"), limit=MAX_LEGAL_NAME),
        "preferred_language": _language(preferred_language),
    }
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field, value in values.items():
        setattr(user, field, value)
    if changed:
        user.save(update_fields=changed)
    # The names are the person's own data: the entry says what changed, not to what.
    record(actor=user, action="accounts.profile_update", target=user, changed=changed)
    for field, value in values.items():
        setattr(actor, field, value)
    return user


# --- export --------------------------------------------------------------------------------


def account_export(*, actor: Any) -> Any:
    """The archive of everything we hold about `actor` (`mosaics.accounts.export`), as a
    temporary file positioned at its start; the export is audited. The archive is built
    outside any transaction: it can be large, and reading it must not hold up writers."""
    from mosaics.accounts.export import build_archive

    _require_person(actor)
    archive = build_archive(actor)
    with transaction.atomic():
        record(actor=actor, action="accounts.export", target=actor)
    return archive


# --- deletion ------------------------------------------------------------------------------


def _evidence_storage() -> Any:
    from mosaics.learning.models import EvidenceItem

    return EvidenceItem._meta.get_field("file").storage


def _delete_unreferenced_files(names: list[str]) -> None:
    """After commit: remove evidence files no evidence item refers to any more. (Revised
    demonstrations copy their items, so one file may have had several; a file still named by
    some row — which should not happen for another person's — is kept.)"""
    from mosaics.learning.models import EvidenceItem

    storage = _evidence_storage()
    for name in names:
        if EvidenceItem.objects.filter(file=name).exists():
            continue
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not delete evidence file %s of a deleted account", name)


@transaction.atomic
def account_delete(*, actor: Any, password: str) -> dict[str, Any]:
    """Delete `actor`'s account and everything that is only theirs, after checking their
    password. Refused (`AccountRefused`) while they hold a staff role or are a platform
    admin: an institution admin removes the roles first, so that nobody's work is left
    without someone responsible for it.

    Badges awarded to them stay the issuer's record and stay valid (they are signed and
    verifiable as before): they are detached from the account and their public pages hidden.
    Their enrolments, demonstrations, evidence, attestation requests, reflections,
    submissions (with their assessments), imported badges, collections, bound DIDs, e-mail
    addresses and two-factor authenticators go with the account; their evidence files are
    removed from storage once the deletion is committed; the places they held go to the
    waiting lists. The audit entry names no one: it counts what went. Returns those counts."""
    from mosaics.awards.models import Award
    from mosaics.catalogue.models import MicroCredential
    from mosaics.learning.actions.enrolment import waitlist_fill
    from mosaics.learning.models import Enrolment, EvidenceItem, Submission
    from mosaics.notifications.models import Notification
    from mosaics.organisations.models import Membership

    _require_person(actor)
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(str(password or "")):
        raise AccountRefused(
            _("That is not your password. Your account was not deleted."), code="password"
        )
    if user.is_superuser or Membership.objects.filter(user=user).exists():
        raise AccountRefused(
            _(
                "You hold staff roles (or are a platform admin), so your account cannot be "
                "deleted yet: ask an institution admin to remove your roles first."
            ),
            code="staff",
        )

    # The places they held go to the waiting lists: lock those micro-credentials first, as
    # the enrolment workflows do.
    held = Enrolment.objects.filter(learner=user, state=Enrolment.State.ACTIVE)
    freed = list(
        MicroCredential.objects.select_for_update()
        .filter(pk__in=held.values("micro_credential_id"))
        .order_by("pk")
    )
    awards = list(
        Award.objects.select_for_update().filter(learner=user).values_list("pk", flat=True)
    )
    Award.objects.filter(pk__in=awards).update(learner=None, shared=False)
    items = EvidenceItem.objects.filter(demonstration__enrolment__learner=user)
    files = sorted(set(items.exclude(file="").values_list("file", flat=True)))
    # Messages still waiting about what goes (a supervisor's link, a decision) have nothing
    # left to say; the outbox refers to objects only by "<app>.<model>:<pk>".
    targets = _targets_of(user)
    counts: dict[str, Any] = {
        "awards_detached": len(awards),
        "enrolments": user.enrolments.count(),
        "evidence_items": items.count(),
        "evidence_files": len(files),
        "imported_badges": user.external_badges.count(),
        "collections": user.collections.count(),
        "bound_dids": user.bound_dids.count(),
        "notifications": Notification.objects.filter(target__in=targets).count(),
    }
    Notification.objects.filter(target__in=targets).delete()
    record(actor=None, action="accounts.delete", target=user, **counts)
    # A submission holds its reflection with PROTECT: delete submissions (and with them their
    # assessments) before the enrolments take the reflections.
    Submission.objects.filter(enrolment__learner=user).delete()
    user.delete()
    for micro_credential in freed:
        waitlist_fill(micro_credential)
    transaction.on_commit(lambda: _delete_unreferenced_files(files))
    return counts


def _targets_of(user: Any) -> list[str]:
    from mosaics.learning.models import (
        Assessment,
        Attestation,
        Demonstration,
        Enrolment,
        Reflection,
        Submission,
    )

    targets = [target_of(user)]
    for model, lookup in (
        (Enrolment, "learner"),
        (Demonstration, "enrolment__learner"),
        (Attestation, "demonstration__enrolment__learner"),
        (Reflection, "enrolment__learner"),
        (Submission, "enrolment__learner"),
        (Assessment, "submission__enrolment__learner"),
    ):
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        targets += [
            f"{label}:{pk}"
            for pk in model.objects.filter(**{lookup: user}).values_list("pk", flat=True)
        ]
    return targets
