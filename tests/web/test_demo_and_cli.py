from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from mosaics.cli import main
from mosaics.core.demo import DEMO_PASSWORD
from mosaics.vc.keys import Ed25519Multikey, controller_document

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


def test_mosaics_vc_signs_and_verifies_without_a_database(tmp_path: Path) -> None:
    """`mosaics vc ...` reaches the offline credential tools; no settings, no database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # would fail if it were touched
    key = tmp_path / "key.json"
    credential = ROOT / "tests/conformance/ob3-ldp-vector/obv3p0/unsigned.json"

    def mosaics(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mosaics", "vc", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert mosaics("keygen", "--did-key", "-o", str(key)).returncode == 0
    signed = mosaics("sign", "--key", str(key), str(credential))
    assert signed.returncode == 0, signed.stderr
    (tmp_path / "signed.json").write_text(signed.stdout)
    verified = mosaics("verify", "--json", str(tmp_path / "signed.json"))
    # The vector's issuer is an https URL, not our did:key: the proof is intact but the key is not
    # the issuer's, so verification must fail (exit 1) with a readable report, not a crash.
    assert verified.returncode == 1
    assert '"verified": false' in verified.stdout
    assert "Traceback" not in verified.stderr

    issuer_key = tmp_path / "issuer-key.json"
    issuer = "https://example.edu/issuers/565049"  # the vector's issuer id
    assert mosaics("keygen", "--controller", issuer, "-o", str(issuer_key)).returncode == 0
    signed = mosaics("sign", "--key", str(issuer_key), str(credential))
    assert signed.returncode == 0, signed.stderr
    (tmp_path / "issuer-signed.json").write_text(signed.stdout)
    # The key is named `<issuer>#<key>`: the signature is intact, but only the issuer's
    # published controller document confirms the key is the issuer's. Without it: unconfirmed.
    unconfirmed = mosaics("verify", "--json", str(tmp_path / "issuer-signed.json"))
    assert unconfirmed.returncode == 1, unconfirmed.stdout + unconfirmed.stderr
    report = json.loads(unconfirmed.stdout)
    assert (report["verified"], report["status"]) == (False, "unconfirmed")
    assert "Traceback" not in unconfirmed.stderr
    # With the issuer's controller document (as the issuer would publish it): verified.
    document = tmp_path / "issuer-document.json"
    key = Ed25519Multikey.from_key_file(json.loads(issuer_key.read_text()))
    document.write_text(json.dumps(controller_document(issuer, [key])))
    verified = mosaics("verify", "--document", str(document), str(tmp_path / "issuer-signed.json"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
