"""A task for the tests of the tasks setup (importable by the worker by its dotted path)."""

from __future__ import annotations

from django_tasks import task


@task()
def add(first: int, second: int) -> int:
    return first + second
