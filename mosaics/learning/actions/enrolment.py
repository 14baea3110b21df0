"""Enrolment and the waiting list.

The micro-credential's row is locked while places are counted, so two learners asking for
the last place at once get one place and one waiting-list spot, never two places.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.catalogue.models import MicroCredential, Version
from mosaics.learning import notifications
from mosaics.learning.actions._common import (
    LearningRefused,
    learner_email,
    learner_language,
    refuse,
    require,
)
from mosaics.learning.models import Enrolment, Submission
from mosaics.notifications.outbox import notify
from mosaics.organisations import permissions

__all__ = [
    "enrolment_enrol",
    "enrolment_finish",
    "enrolment_withdraw",
    "micro_credential_enrolment_set",
    "places_left",
    "waitlist_fill",
]


def _lock_micro_credential(micro_credential: MicroCredential) -> MicroCredential:
    return (
        MicroCredential.objects.select_for_update()
        .select_related("issuer__organisation")
        .get(pk=micro_credential.pk)
    )


def _organisation(micro_credential: MicroCredential) -> Any:
    return micro_credential.issuer.organisation


def places_left(micro_credential: MicroCredential) -> int | None:
    """Free places (None: no limit)."""
    if micro_credential.capacity is None:
        return None
    taken = Enrolment.objects.filter(
        micro_credential=micro_credential, state=Enrolment.State.ACTIVE
    ).count()
    return max(micro_credential.capacity - taken, 0)


def _check_window(micro_credential: MicroCredential, now: datetime) -> None:
    opens, closes = micro_credential.enrolment_opens, micro_credential.enrolment_closes
    if opens is not None and now < opens:
        raise refuse(
            _("Enrolment opens on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(opens), "DATETIME_FORMAT")},
            "not_open",
        )
    if closes is not None and now >= closes:
        raise refuse(_("Enrolment for this micro-credential has closed."), "closed")


def _published(micro_credential: MicroCredential) -> Version:
    version = micro_credential.versions.filter(state=Version.State.PUBLISHED).first()
    if version is None:
        raise refuse(_("This micro-credential is not open for enrolment."), "not_published")
    return version


def enrolment_enrol(
    *,
    actor: Any,
    micro_credential: MicroCredential,
    route: str = Enrolment.Route.STANDARD,
    now: datetime | None = None,
) -> Enrolment:
    """Enrol `actor` (or put them on the waiting list when there is no place). Enrolling
    again after withdrawing, or after not meeting the criteria, reopens the same enrolment
    with everything in it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise LearningRefused(_("Please sign in to enrol."), code="anonymous")
    if route not in Enrolment.Route.values:
        raise refuse(_("Please choose how you will earn this micro-credential."), "route")
    now = now or timezone.now()
    with transaction.atomic():
        micro_credential = _lock_micro_credential(micro_credential)
        version = _published(micro_credential)
        _check_window(micro_credential, now)
        existing = (
            Enrolment.objects.select_for_update()
            .filter(learner=actor, micro_credential=micro_credential)
            .first()
        )
        if existing is not None and existing.state not in Enrolment.REOPENABLE_STATES:
            messages: dict[str, str] = {
                Enrolment.State.ACTIVE: _("You are already enrolled."),
                Enrolment.State.WAITLISTED: _("You are already on the waiting list."),
                Enrolment.State.AWARDED: _("You have already earned this micro-credential."),
            }
            raise refuse(messages.get(existing.state, _("You are already enrolled.")), "enrolled")
        left = places_left(micro_credential)
        state = Enrolment.State.ACTIVE if left is None or left > 0 else Enrolment.State.WAITLISTED
        if existing is None:
            enrolment = Enrolment.objects.create(
                learner=actor,
                micro_credential=micro_credential,
                version=version,
                route=route,
                state=state,
                requested_at=now,
                enrolled_at=now if state == Enrolment.State.ACTIVE else None,
            )
        else:
            enrolment = existing
            reopened_from = enrolment.state
            enrolment.state = state
            enrolment.route = route
            enrolment.requested_at = now
            enrolment.enrolled_at = now if state == Enrolment.State.ACTIVE else None
            enrolment.withdrawn_at = None
            enrolment.closed_at = None
            # A learner coming back works to the version published now, unless they have work
            # under the old one (then they finish what they started).
            if enrolment.version_id != version.pk and not enrolment.demonstrations.exists():
                enrolment.version = version
            enrolment.save()
        record(
            actor=actor,
            action="learning.enrol" if state == Enrolment.State.ACTIVE else "learning.waitlist",
            target=enrolment,
            organisation=_organisation(micro_credential),
            route=route,
            **({"reopened_from": reopened_from} if existing is not None else {}),
        )
        notify(
            kind=notifications.ENROLMENT,
            target=enrolment,
            recipient=learner_email(actor),
            language=learner_language(actor),
        )
    return enrolment


def enrolment_withdraw(
    *, actor: Any, enrolment: Enrolment, now: datetime | None = None
) -> Enrolment:
    """The learner leaves (or leaves the waiting list). Their work stays; a submission
    waiting for assessment is withdrawn with them; the place goes to the next on the list."""
    now = now or timezone.now()
    with transaction.atomic():
        micro_credential = _lock_micro_credential(enrolment.micro_credential)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if actor is None or enrolment.learner_id != getattr(actor, "pk", None):
            raise PermissionDenied
        if enrolment.state not in (Enrolment.State.ACTIVE, Enrolment.State.WAITLISTED):
            raise refuse(_("You are not enrolled, so there is nothing to withdraw from."), "state")
        was = enrolment.state
        enrolment.state = Enrolment.State.WITHDRAWN
        enrolment.withdrawn_at = now
        enrolment.save(update_fields=["state", "withdrawn_at"])
        withdrawn = Submission.objects.filter(
            enrolment=enrolment, state__in=Submission.OPEN_STATES
        ).update(state=Submission.State.WITHDRAWN, decided_at=now)
        record(
            actor=actor,
            action="learning.withdraw",
            target=enrolment,
            organisation=_organisation(micro_credential),
            was=was,
            submissions_withdrawn=withdrawn,
        )
        if was == Enrolment.State.ACTIVE:
            waitlist_fill(micro_credential, now=now)
    return enrolment


def enrolment_finish(
    *, enrolment: Enrolment, state: str, award: Any | None = None, now: datetime | None = None
) -> Enrolment:
    """Close an enrolment as awarded or not met (called inside the assessment workflow's
    transaction, which audits it) and give the place to the next on the waiting list."""
    if state not in (Enrolment.State.AWARDED, Enrolment.State.NOT_MET):
        raise ValueError(state)
    now = now or timezone.now()
    micro_credential = _lock_micro_credential(enrolment.micro_credential)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    was = enrolment.state
    enrolment.state = state
    enrolment.closed_at = now
    if award is not None:
        enrolment.award = award
    enrolment.save(update_fields=["state", "closed_at", "award"])
    if was == Enrolment.State.ACTIVE:
        waitlist_fill(micro_credential, now=now)
    return enrolment


def waitlist_fill(
    micro_credential: MicroCredential, *, now: datetime | None = None
) -> list[Enrolment]:
    """Move learners from the waiting list into free places, longest waiting first, and tell
    them. Call with the micro-credential's row locked (the enrolment workflows do); also
    after the number of places grows."""
    now = now or timezone.now()
    left = places_left(micro_credential)
    waiting = (
        Enrolment.objects.select_for_update()
        .filter(micro_credential=micro_credential, state=Enrolment.State.WAITLISTED)
        .order_by("requested_at", "id")
        .select_related("learner")
    )
    if left is not None:
        waiting = waiting[:left]
    promoted = []
    for enrolment in waiting:
        enrolment.state = Enrolment.State.ACTIVE
        enrolment.enrolled_at = now
        enrolment.save(update_fields=["state", "enrolled_at"])
        record(
            actor=None,
            action="learning.waitlist_promote",
            target=enrolment,
            organisation=_organisation(micro_credential),
        )
        notify(
            kind=notifications.ENROLMENT,
            target=enrolment,
            recipient=learner_email(enrolment.learner),
            language=learner_language(enrolment.learner),
        )
        promoted.append(enrolment)
    return promoted


def micro_credential_enrolment_set(
    *,
    actor: Any,
    micro_credential: MicroCredential,
    capacity: int | None,
    opens: datetime | None,
    closes: datetime | None,
    now: datetime | None = None,
) -> MicroCredential:
    """Set the number of places (None: no limit) and the enrolment window (either end may be
    open). Nobody enrolled loses their place when places shrink; when they grow, the waiting
    list moves up into them."""
    with transaction.atomic():
        micro_credential = _lock_micro_credential(micro_credential)
        require(permissions.can_manage_enrolment(actor, micro_credential))
        if capacity is not None and capacity < 0:
            raise refuse(_("The number of places cannot be negative."), "capacity")
        if opens is not None and closes is not None and closes <= opens:
            raise refuse(_("Enrolment must close after it opens."), "window")
        was = micro_credential.capacity
        micro_credential.capacity = capacity
        micro_credential.enrolment_opens = opens
        micro_credential.enrolment_closes = closes
        micro_credential.save(update_fields=["capacity", "enrolment_opens", "enrolment_closes"])
        grew = was is not None and (capacity is None or capacity > was)
        promoted = waitlist_fill(micro_credential, now=now) if grew else []
        record(
            actor=actor,
            action="learning.enrolment_settings",
            target=micro_credential,
            organisation=_organisation(micro_credential),
            capacity=capacity,
            capacity_was=was,
            opens=opens.isoformat() if opens else None,
            closes=closes.isoformat() if closes else None,
            promoted=len(promoted),
        )
    return micro_credential
