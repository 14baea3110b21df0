"""Background work for awards, run after commit through Django's tasks API.

Tasks take ids and do nothing when what they were about has gone or moved on, so running one
twice or late is harmless. The awards' e-mails go through the notification outbox
(`mosaics.awards.notifications`); `notify_award` and `notify_status` remain for tasks queued
before it."""

from __future__ import annotations

from django_tasks import task

from mosaics.awards.models import Award


@task()
def check_pathways(award_id: int) -> int:
    """Award the pathways the award's learner now completes. Returns how many were made."""
    from mosaics.awards.actions import pathway_awards_check

    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return 0
    return len(pathway_awards_check(award))


@task()
def notify_award(award_id: int) -> int:
    """E-mail the learner their claim link. Returns the number of messages sent."""
    from mosaics.awards import emails

    award = Award.objects.select_related("issuer", "version", "pathway").filter(pk=award_id).first()
    if award is None or award.claim != Award.Claim.PENDING:
        return 0
    return emails.send_award(award)


@task()
def notify_status(award_id: int) -> int:
    """Tell the learner their badge was revoked, suspended or reinstated."""
    from mosaics.awards import emails

    award = Award.objects.select_related("issuer", "version", "pathway").filter(pk=award_id).first()
    if award is None:
        return 0
    return emails.send_status(award)
