"""Django's tasks API: immediate by default; queued in the database for `mosaics db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends

from tests.web.tasks import add


def test_the_default_backend_runs_tasks_at_once() -> None:
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_tasks_for_the_worker() -> None:
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    ):
        result = add.enqueue(40, 2)
        assert result.status == TaskResultStatus.READY  # queued, not run
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == 42
