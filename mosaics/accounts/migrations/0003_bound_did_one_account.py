# A DID is bound to one account at most (security review: one DID shared by several accounts
# let people lend each other their badges).

from typing import Any

from django.db import migrations, models
from django.db.models import Count


def forget_shared_dids(apps: Any, schema_editor: Any) -> None:
    """Before the constraint: a DID bound to several accounts is unbound from all of them.

    Nothing tells which of them is the DID's rightful holder, so none keeps it; whoever holds
    the key can bind it again (to one account). Awards already made keep the DID they name
    (they are signed). Each removal is audited, like an unbinding."""
    BoundDid = apps.get_model("accounts", "BoundDid")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    shared = (
        BoundDid.objects.values("did")
        .annotate(accounts=Count("user", distinct=True))
        .filter(accounts__gt=1)
        .values_list("did", flat=True)
    )
    for bound in BoundDid.objects.filter(did__in=list(shared)).order_by("pk"):
        AuditEntry.objects.create(
            actor=None,
            action="accounts.did_unbind",
            target=f"accounts.bounddid:{bound.pk}",
            data={"did": bound.did, "user": bound.user_id, "reason": "bound to several accounts"},
        )
        bound.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_bounddid"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_shared_dids, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="bounddid",
            name="unique_bound_did",
        ),
        migrations.AddConstraint(
            model_name="bounddid",
            constraint=models.UniqueConstraint(fields=("did",), name="bound_did_one_account"),
        ),
    ]
