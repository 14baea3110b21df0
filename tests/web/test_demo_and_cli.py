from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from mosaics.cli import main
from mosaics.core.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_demo_is_idempotent_and_prints_the_sign_ins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    first = capsys.readouterr().out
    users_after_first = list(get_user_model().objects.values_list("username", "password"))
    call_command("demo")
    second = capsys.readouterr().out
    assert list(get_user_model().objects.values_list("username", "password")) == users_after_first
    assert f"admin / {DEMO_PASSWORD}" in first
    assert "already there" in second


@pytest.mark.django_db
def test_demo_never_resets_a_changed_password() -> None:
    call_command("demo")
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-much-better-secret")
    admin.save()
    call_command("demo")
    admin.refresh_from_db()
    assert admin.check_password("a-much-better-secret")


def test_mosaics_without_arguments_prints_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "vc"):
        assert command in out


def test_python_dash_m_mosaics_runs_django_commands() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mosaics.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "mosaics", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_unknown_command_is_a_clear_error_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mosaics", "no-such-command"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown command" in result.stderr
    assert "Traceback" not in result.stderr
