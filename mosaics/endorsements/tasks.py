"""Background work for endorsements, run after commit through Django's tasks API.

Tasks take ids and do nothing when what they were about has gone or moved on, so running one
twice or late is harmless."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from mosaics.endorsements import emails
from mosaics.endorsements.models import Endorsement, EndorsementComment, EndorsementRequest
from mosaics.organisations import permissions

_REQUEST_RELATED = ("partner", "requested_by", "version__micro_credential__issuer__organisation")


@task()
def notify_request_sent(request_id: int, language: str = "") -> int:
    """Tell the partner's endorsers that they are invited to endorse a design."""
    request = (
        EndorsementRequest.objects.select_related(*_REQUEST_RELATED).filter(pk=request_id).first()
    )
    if request is None or request.state != EndorsementRequest.State.OPEN:
        return 0
    with translation.override(language or None):
        return emails.send(
            "request_sent", recipients=emails.partner_recipients(request), request=request
        )


@task()
def notify_comment(comment_id: int, language: str = "") -> int:
    """Tell the other side of the conversation about a new comment."""
    comment = (
        EndorsementComment.objects.select_related(
            "author", *(f"request__{r}" for r in _REQUEST_RELATED)
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    request = comment.request
    from_partner = comment.author is not None and permissions.can_endorse_for(
        comment.author, request.partner
    )
    recipients = (
        emails.institution_recipients(request)
        if from_partner
        else emails.partner_recipients(request)
    )
    with translation.override(language or None):
        return emails.send(
            "comment",
            recipients=recipients,
            request=request,
            exclude=comment.author,
            comment=comment,
            from_partner=from_partner,
        )


@task()
def notify_decision(request_id: int, language: str = "") -> int:
    """Tell the institution that the partner endorsed or declined."""
    request = (
        EndorsementRequest.objects.select_related(*_REQUEST_RELATED).filter(pk=request_id).first()
    )
    if request is None or request.state not in (
        EndorsementRequest.State.ENDORSED,
        EndorsementRequest.State.DECLINED,
    ):
        return 0
    endorsement = request.endorsements.order_by("-created", "-pk").first()
    with translation.override(language or None):
        return emails.send(
            "decision",
            recipients=emails.institution_recipients(request),
            request=request,
            endorsement=endorsement,
        )


@task()
def notify_withdrawn(endorsement_id: int, language: str = "") -> int:
    """Tell the institution that the partner withdrew its endorsement."""
    endorsement = (
        Endorsement.objects.select_related(*(f"request__{r}" for r in _REQUEST_RELATED))
        .filter(pk=endorsement_id)
        .first()
    )
    if endorsement is None or endorsement.withdrawn_at is None:
        return 0
    with translation.override(language or None):
        return emails.send(
            "withdrawn",
            recipients=emails.institution_recipients(endorsement.request),
            request=endorsement.request,
            endorsement=endorsement,
        )
