"""Demonstrations of competencies, and the evidence in them.

- `demonstration_save` keeps the learner's draft of one competency (creating version 1 on the
  first save; after a submitted version, a new draft copied from it: `demonstration_revise`).
- `evidence_add` and `evidence_remove` change a draft's evidence: a file (checked by
  `mosaics.learning.uploads` and stored through Django's storage API under a random name), a
  link, or a badge the learner holds (one of ours in their mosaic, or an imported badge we
  verified: recognition of prior learning). `evidence_visibility_set` is the learner's privacy
  choice for an item, and may change on submitted versions too.
- `demonstration_submit` freezes a draft; `demonstration_revise` makes the next version from a
  frozen one and keeps the old (file items share the stored file, never copy its bytes);
  `demonstration_discard` throws away a revision's draft.

Every workflow locks the enrolment's row (so one learner's two tabs take turns) and then the
demonstration's. A stored file is deleted only after the deletion of its last item commits,
and a file stored by a workflow that then fails is deleted at once.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mosaics.audit.log import record
from mosaics.awards.models import Award
from mosaics.catalogue.models import Competency
from mosaics.learning.actions._common import (
    MAX_SHORT,
    MAX_TEXT,
    LearningRefused,
    refuse,
    require,
    text,
)
from mosaics.learning.models import (
    Demonstration,
    Enrolment,
    EvidenceItem,
    SettingKind,
    Submission,
)
from mosaics.learning.uploads import clean_evidence_file
from mosaics.organisations import permissions
from mosaics.portfolio.models import ExternalBadge

__all__ = [
    "MAX_URL",
    "demonstration_discard",
    "demonstration_revise",
    "demonstration_save",
    "demonstration_submit",
    "eligible_awards",
    "eligible_external_badges",
    "evidence_add",
    "evidence_remove",
    "evidence_visibility_set",
    "max_items",
]

MAX_URL = 500


def max_items() -> int:
    return int(settings.MOSAICS_MAX_EVIDENCE_ITEMS)


# --- what the learner may offer as a badge -----------------------------------------------


def eligible_awards(user: Any) -> Any:
    """Our awards the learner holds, has accepted into their mosaic, and that are active."""
    return Award.objects.filter(
        learner=user, claim=Award.Claim.ACCEPTED, status=Award.Status.ACTIVE
    ).select_related("version", "pathway", "issuer")


def eligible_external_badges(user: Any) -> Any:
    """Badges the learner imported that we verified and found valid."""
    return ExternalBadge.objects.filter(owner=user, verified=True, status="valid")


# --- shared checks -----------------------------------------------------------------------


def _organisation(enrolment: Enrolment) -> Any:
    return enrolment.micro_credential.issuer.organisation


def _lock_enrolment(enrolment_id: int) -> Enrolment:
    # Only the enrolment's own row (see `submission._lock_enrolment`): the enrolment
    # workflows lock the micro-credential first, then the enrolment.
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("micro_credential__issuer__organisation", "version")
        .get(pk=enrolment_id)
    )


def _lock_demonstration(demonstration_id: int) -> Demonstration:
    return (
        Demonstration.objects.select_for_update(of=("self",))
        .select_related("competency")
        .get(pk=demonstration_id)
    )


def _check_learner(actor: Any, enrolment: Enrolment) -> None:
    """Only the enrolled learner changes their work."""
    require(permissions.is_enrolled_learner(actor, enrolment))


def _check_working(enrolment: Enrolment) -> None:
    if enrolment.state != Enrolment.State.ACTIVE:
        raise refuse(
            _(
                "You are not enrolled in this micro-credential at the moment, so your "
                "demonstrations cannot be changed."
            ),
            "not_active",
        )


def _check_draft(demonstration: Demonstration) -> None:
    if demonstration.is_frozen:
        raise refuse(
            _(
                "This version has been submitted and cannot be changed. Revise it to make a "
                "new version."
            ),
            "frozen",
        )


def _begin(actor: Any, enrolment_id: int) -> Enrolment:
    enrolment = _lock_enrolment(enrolment_id)
    _check_learner(actor, enrolment)
    _check_working(enrolment)
    return enrolment


def _being_assessed(enrolment: Enrolment, competency_id: int) -> bool:
    """Whether a submission waiting for assessment holds a version of this competency."""
    return Submission.objects.filter(
        enrolment=enrolment,
        state__in=Submission.OPEN_STATES,
        demonstrations__competency_id=competency_id,
    ).exists()


def _delete_unreferenced_after_commit(storage: Storage, names: Iterable[str]) -> None:
    """After the commit, delete each stored file no evidence item refers to any longer (a
    revised version shares its files with the versions before it)."""
    names = sorted({name for name in names if name})
    if not names:
        return

    def delete() -> None:
        for name in names:
            if not EvidenceItem.objects.filter(file=name).exists():
                with contextlib.suppress(OSError):
                    storage.delete(name)

    transaction.on_commit(delete)


@contextlib.contextmanager
def _delete_stored_on_failure(storage: Storage) -> Iterator[list[str]]:
    """Files stored inside the block (their names appended to the list it gives) are deleted
    when the block fails: a rolled-back transaction calls no on_commit callback."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise


# --- the draft ---------------------------------------------------------------------------


def _setting(
    *,
    narrative: Any,
    setting_organisation: Any,
    setting_role: Any,
    setting_kind: Any,
    setting_start: date | None,
    setting_end: date | None,
) -> dict[str, Any]:
    fields = {
        "narrative": text(narrative, what=_("The narrative"), limit=MAX_TEXT),
        "setting_organisation": text(
            setting_organisation, what=_("The organisation"), limit=MAX_SHORT
        ),
        "setting_role": text(setting_role, what=_("Your role"), limit=MAX_SHORT),
        "setting_kind": str(setting_kind or "").strip(),
        "setting_start": setting_start,
        "setting_end": setting_end,
    }
    if fields["setting_kind"] and fields["setting_kind"] not in SettingKind.values:
        raise refuse(_("Please choose one of the kinds of setting."), "setting_kind")
    for value in (setting_start, setting_end):
        if value is not None and not isinstance(value, date):
            raise refuse(_("Please give the dates as dates."), "date")
    if setting_start is not None and setting_end is not None and setting_end < setting_start:
        raise refuse(
            _("The date you finished is before the date you started."), "dates_out_of_order"
        )
    return fields


def _copy(source: Demonstration, *, number: int) -> Demonstration:
    """A new draft holding what `source` holds (file items share its stored files)."""
    draft = Demonstration.objects.create(
        enrolment=source.enrolment,
        competency=source.competency,
        number=number,
        state=Demonstration.State.DRAFT,
        narrative=source.narrative,
        setting_organisation=source.setting_organisation,
        setting_role=source.setting_role,
        setting_kind=source.setting_kind,
        setting_start=source.setting_start,
        setting_end=source.setting_end,
    )
    EvidenceItem.objects.bulk_create(
        EvidenceItem(
            demonstration=draft,
            position=item.position,
            kind=item.kind,
            title=item.title,
            description=item.description,
            # The same stored name: the bytes are never copied.
            file=item.file.name or "",
            file_name=item.file_name,
            content_type=item.content_type,
            size=item.size,
            url=item.url,
            award_id=item.award_id,
            external_badge_id=item.external_badge_id,
            visibility=item.visibility,
        )
        for item in source.items.all()
    )
    return draft


def _next_number(enrolment: Enrolment, competency_id: int) -> int:
    latest = Demonstration.objects.filter(
        enrolment=enrolment, competency_id=competency_id
    ).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def _revise(enrolment: Enrolment, source: Demonstration) -> Demonstration:
    """The next version, copied from the frozen `source` (locks held by the caller)."""
    if not source.is_frozen:
        raise refuse(_("This version is still a draft: change it instead of revising it."), "draft")
    if Demonstration.objects.filter(
        enrolment=enrolment, competency_id=source.competency_id, state=Demonstration.State.DRAFT
    ).exists():
        raise refuse(
            _("You already have a draft of this demonstration: carry on with that one."),
            "draft_exists",
        )
    if _being_assessed(enrolment, source.competency_id):
        raise refuse(
            _(
                "This demonstration is being assessed. You can revise it once the assessment "
                "is finished."
            ),
            "being_assessed",
        )
    return _copy(source, number=_next_number(enrolment, source.competency_id))


def demonstration_save(
    *,
    actor: Any,
    enrolment: Enrolment,
    competency: Competency,
    narrative: str = "",
    setting_organisation: str = "",
    setting_role: str = "",
    setting_kind: str = "",
    setting_start: date | None = None,
    setting_end: date | None = None,
) -> Demonstration:
    """Save the learner's draft of `competency`: version 1 on the first save; when the latest
    version is submitted, a new version copied from it (its evidence too) with these fields."""
    with transaction.atomic():
        enrolment = _begin(actor, enrolment.pk)
        if competency.version_id != enrolment.version_id:
            raise refuse(
                _("This competency is not part of the micro-credential you are working to."),
                "competency",
            )
        fields = _setting(
            narrative=narrative,
            setting_organisation=setting_organisation,
            setting_role=setting_role,
            setting_kind=setting_kind,
            setting_start=setting_start,
            setting_end=setting_end,
        )
        versions = Demonstration.objects.select_for_update().filter(
            enrolment=enrolment, competency=competency
        )
        draft = versions.filter(state=Demonstration.State.DRAFT).first()
        created_from = None
        if draft is None:
            latest = versions.order_by("-number").first()
            if latest is None:
                draft = Demonstration(enrolment=enrolment, competency=competency, number=1)
            else:
                draft = _revise(enrolment, latest)
                created_from = latest.number
        created = draft.pk is None
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.save()
        record(
            actor=actor,
            action="learning.demonstration_save",
            target=draft,
            organisation=_organisation(enrolment),
            competency=competency.pk,
            number=draft.number,
            **({"created": True} if created else {}),
            **({"revised_from": created_from} if created_from is not None else {}),
        )
    return draft


def demonstration_revise(*, actor: Any, demonstration: Demonstration) -> Demonstration:
    """A new draft (the next version) copied from the submitted `demonstration`: its
    narrative, setting and evidence. The submitted version stays as it is."""
    with transaction.atomic():
        enrolment = _begin(actor, demonstration.enrolment_id)
        source = _lock_demonstration(demonstration.pk)
        draft = _revise(enrolment, source)
        record(
            actor=actor,
            action="learning.demonstration_revise",
            target=draft,
            organisation=_organisation(enrolment),
            competency=source.competency_id,
            number=draft.number,
            revised_from=source.number,
        )
    return draft


def demonstration_submit(*, actor: Any, demonstration: Demonstration) -> Demonstration:
    """Freeze a draft. It needs a narrative and evidence and, on the standard route, the
    setting it was produced in; every missing part is named at once."""
    with transaction.atomic():
        enrolment = _begin(actor, demonstration.enrolment_id)
        demonstration = _lock_demonstration(demonstration.pk)
        _check_draft(demonstration)
        missing = []
        if not demonstration.narrative.strip():
            missing.append(
                refuse(_("Write your narrative: what you did, and what it shows."), "narrative")
            )
        if not demonstration.items.exists():
            missing.append(refuse(_("Add at least one piece of evidence."), "evidence"))
        if enrolment.route == Enrolment.Route.STANDARD and not (
            demonstration.setting_organisation and demonstration.setting_kind
        ):
            missing.append(
                refuse(
                    _("Say where you did this work: the organisation and the kind of setting."),
                    "setting",
                )
            )
        if missing:
            raise LearningRefused(missing)
        demonstration.state = Demonstration.State.SUBMITTED
        demonstration.submitted_at = timezone.now()
        demonstration.save(update_fields=["state", "submitted_at", "updated"])
        record(
            actor=actor,
            action="learning.demonstration_submit",
            target=demonstration,
            organisation=_organisation(enrolment),
            competency=demonstration.competency_id,
            number=demonstration.number,
        )
    return demonstration


def demonstration_discard(*, actor: Any, demonstration: Demonstration) -> None:
    """Throw away the draft of a revision: the submitted versions before it stay."""
    with transaction.atomic():
        enrolment = _begin(actor, demonstration.enrolment_id)
        demonstration = _lock_demonstration(demonstration.pk)
        _check_draft(demonstration)
        if not Demonstration.objects.filter(
            enrolment=enrolment,
            competency_id=demonstration.competency_id,
            state=Demonstration.State.SUBMITTED,
            number__lt=demonstration.number,
        ).exists():
            raise refuse(
                _(
                    "This is the only version of this demonstration, so it cannot be "
                    "discarded: change it instead."
                ),
                "only_version",
            )
        files = [item.file.name or "" for item in demonstration.items.all() if item.file]
        record(
            actor=actor,
            action="learning.demonstration_discard",
            target=demonstration,
            organisation=_organisation(enrolment),
            competency=demonstration.competency_id,
            number=demonstration.number,
        )
        demonstration.delete()
        _delete_unreferenced_after_commit(EvidenceItem._meta.get_field("file").storage, files)


# --- evidence ----------------------------------------------------------------------------


def _clean_url(value: Any) -> str:
    url = text(value, what=_("The address"), limit=MAX_URL, required=True)
    problem = refuse(_("Please give a web address that starts with https:// or http://."), "url")
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range (`:99999`)
    except (ValidationError, ValueError):
        raise problem from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise problem
    if _is_local(parts.hostname):
        # The assessor who follows it would land on their own computer or their network.
        raise refuse(
            _(
                "Please give an address on the internet that the assessors can open, not one "
                "on your own computer or a private network."
            ),
            "url_local",
        )
    return url


def _is_local(hostname: str) -> bool:
    """`localhost`, or an IP address that is not a public one (loopback, private, link-local)."""
    name = hostname.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return not (mapped or address).is_global


def _badge(actor: Any, award: Award | None, external_badge: ExternalBadge | None) -> Any:
    """The badge to map, if the learner may: an award of ours they hold, accepted and
    active, or an imported badge of theirs we verified as valid."""
    if (award is None) == (external_badge is None):
        raise refuse(_("Please choose one of your badges."), "badge")
    not_yours = refuse(
        _(
            "Only a badge in your mosaic that is still valid (or an imported badge that was "
            "verified) can be used as evidence."
        ),
        "badge_not_eligible",
    )
    if award is not None:
        if not eligible_awards(actor).filter(pk=award.pk).exists():
            raise not_yours
        return award
    if not eligible_external_badges(actor).filter(pk=external_badge.pk).exists():  # type: ignore[union-attr]
        raise not_yours
    return external_badge


def evidence_add(
    *,
    actor: Any,
    demonstration: Demonstration,
    kind: str,
    title: str = "",
    description: str = "",
    upload: Any = None,
    url: str = "",
    award: Award | None = None,
    external_badge: ExternalBadge | None = None,
    visibility: str = EvidenceItem.Visibility.PRIVATE,
) -> EvidenceItem:
    """Add a file, a link or a badge to a draft."""
    if kind not in EvidenceItem.Kind.values:
        raise refuse(_("Please choose a file, a link or a badge."), "kind")
    if visibility not in EvidenceItem.Visibility.values:
        raise refuse(_("Please choose who may see this evidence."), "visibility")
    cleaned = None
    if kind == EvidenceItem.Kind.FILE:
        if upload is None:
            raise refuse(_("Please choose a file to upload."), "file_missing")
        # Checked before the locks are taken (reading and re-encoding take a moment), but
        # only for the learner themselves.
        _check_learner(actor, demonstration.enrolment)
        try:
            cleaned = clean_evidence_file(upload)
        except ValidationError as problem:
            raise LearningRefused(problem.messages[0], code=problem.code) from None
    storage = EvidenceItem._meta.get_field("file").storage
    with _delete_stored_on_failure(storage) as stored, transaction.atomic():
        enrolment = _begin(actor, demonstration.enrolment_id)
        demonstration = _lock_demonstration(demonstration.pk)
        _check_draft(demonstration)
        count = demonstration.items.count()
        if count >= max_items():
            raise refuse(
                _("A demonstration can hold at most %(count)d pieces of evidence.")
                % {"count": max_items()},
                "too_many_items",
            )
        item = EvidenceItem(
            demonstration=demonstration,
            position=(demonstration.items.aggregate(last=Max("position"))["last"] or 0)
            + (1 if count else 0),
            kind=kind,
            description=text(description, what=_("The description"), limit=MAX_TEXT),
            visibility=visibility,
        )
        title = text(title, what=_("The title"), limit=MAX_SHORT)
        if kind == EvidenceItem.Kind.LINK:
            item.url = _clean_url(url)
            if not title:
                raise refuse(_("Please give the link a title."), "title")
        elif kind == EvidenceItem.Kind.BADGE:
            badge = _badge(actor, award, external_badge)
            if isinstance(badge, Award):
                item.award = badge
                title = title or badge.title[:MAX_SHORT]
            else:
                item.external_badge = badge
                title = title or (badge.title or _("Imported badge"))[:MAX_SHORT]
        else:
            assert cleaned is not None
            content, item.content_type, item.file_name, item.size = cleaned
            title = title or item.file_name
            item.file.save(content.name or "", content, save=False)
            stored.append(item.file.name or "")
        item.title = title
        item.save()
        record(
            actor=actor,
            action="learning.evidence_add",
            target=item,
            organisation=_organisation(enrolment),
            demonstration=demonstration.pk,
            kind=kind,
            visibility=visibility,
            **({"size": item.size, "content_type": item.content_type} if cleaned else {}),
        )
    return item


def _lock_item(item: EvidenceItem) -> EvidenceItem:
    return EvidenceItem.objects.select_for_update(of=("self",)).get(pk=item.pk)


def evidence_remove(*, actor: Any, item: EvidenceItem) -> None:
    """Take an item out of a draft. Its stored file goes after the commit, unless another
    version still holds it."""
    with transaction.atomic():
        enrolment = _begin(actor, item.demonstration.enrolment_id)
        demonstration = _lock_demonstration(item.demonstration_id)
        _check_draft(demonstration)
        item = _lock_item(item)
        name = (item.file.name or "") if item.file else ""
        record(
            actor=actor,
            action="learning.evidence_remove",
            target=item,
            organisation=_organisation(enrolment),
            demonstration=demonstration.pk,
            kind=item.kind,
        )
        item.delete()
        _delete_unreferenced_after_commit(item.file.storage, [name])


def evidence_visibility_set(*, actor: Any, item: EvidenceItem, visibility: str) -> EvidenceItem:
    """Who may see an item: a privacy choice, not part of what was assessed, so it may change
    on a submitted version too, and after the enrolment has ended (an awarded learner keeps
    control over what their public page shows)."""
    if visibility not in EvidenceItem.Visibility.values:
        raise refuse(_("Please choose who may see this evidence."), "visibility")
    with transaction.atomic():
        enrolment = _lock_enrolment(item.demonstration.enrolment_id)
        _check_learner(actor, enrolment)
        item = _lock_item(item)
        was = item.visibility
        if was != visibility:
            item.visibility = visibility
            item.save(update_fields=["visibility"])
        record(
            actor=actor,
            action="learning.evidence_visibility",
            target=item,
            organisation=_organisation(enrolment),
            was=was,
            visibility=visibility,
        )
    return item
