"""Demo data for `mosaics demo` (and `make run`). Idempotent: running it again changes nothing.

Later parts of the platform add their own demo content here (institution, designs, learners).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_PASSWORD = "mosaics-demo"  # noqa: S105 - published demo sign-in, printed by the command


@dataclass(frozen=True)
class DemoPerson:
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_PEOPLE = (
    DemoPerson(
        "admin",
        "admin@mosaics.test",
        "Ada",
        "Admin",
        "platform admin",
        is_staff=True,
        is_superuser=True,
    ),
)


@transaction.atomic
def load_demo() -> list[tuple[DemoPerson, bool]]:
    """Create the demo people that do not exist yet; return each with whether it was created.

    An existing account is left as it is (its password is never reset), so a demo install
    whose admin changed the password stays safe.
    """
    user_model = get_user_model()
    results = []
    for person in DEMO_PEOPLE:
        user, created = user_model.objects.get_or_create(
            username=person.username,
            defaults={
                "email": person.email,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "is_staff": person.is_staff,
                "is_superuser": person.is_superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        results.append((person, created))
    return results
