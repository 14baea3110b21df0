"""``mosaics vc`` / ``python -m mosaics.vc``: keygen → sign → verify, exit codes, --json."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mosaics.vc import dataintegrity, statuslist
from mosaics.vc.cli import main
from mosaics.vc.keys import Ed25519Multikey

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"]
OB30 = ROOT / "tests/conformance/1edtech-validator/inspector-vc/src/test/resources/ob30"


def unsigned(issuer: str, **extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:7f0e2a4c-3b1d-4c5e-8f9a-0b1c2d3e4f50",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example College"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Knots",
        "credentialSubject": {
            "id": "did:example:learner-2",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://college.example/achievements/knots",
                "type": ["Achievement"],
                "name": "Knots",
                "description": "Ties six knots.",
                "criteria": {"narrative": "Tie them."},
            },
        },
    }
    credential.update(extra)
    return credential


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "issuer.key.json"
    code, _out, err = run(["keygen", "-o", str(path)], capsys)
    assert code == 0, err
    return path


def write(path: Path, value: Any) -> Path:
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


# -- keygen -----------------------------------------------------------------------------------


def test_keygen_writes_a_private_multikey_file(key_file: Path) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    data = json.loads(key_file.read_text())
    assert {"publicKeyMultibase", "secretKeyMultibase", "id", "controller"} <= set(data)
    assert data["publicKeyMultibase"].startswith("z6Mk")
    assert data["secretKeyMultibase"].startswith("z3u2")
    assert data["controller"] == f"did:key:{data['publicKeyMultibase']}"
    assert data["id"] == f"{data['controller']}#{data['publicKeyMultibase']}"
    assert Ed25519Multikey.from_key_file(data).has_secret


def test_keygen_with_a_controller(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "k.json"
    code, _, _ = run(
        ["keygen", "--controller", "https://college.example/issuers/1", "-o", str(path)], capsys
    )
    assert code == 0
    data = json.loads(path.read_text())
    assert data["controller"] == "https://college.example/issuers/1"
    assert data["id"] == f"https://college.example/issuers/1#{data['publicKeyMultibase']}"


def test_keygen_did_key_flag_and_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["keygen", "--did-key"], capsys)
    assert code == 0
    assert json.loads(out)["controller"].startswith("did:key:z6Mk")


def test_keygen_refuses_to_overwrite(key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = key_file.read_text()
    code, _out, err = run(["keygen", "-o", str(key_file)], capsys)
    assert code == 2
    assert "already exists" in err
    assert err.count("\n") == 1
    assert key_file.read_text() == before  # nothing changed
    code, _, _ = run(["keygen", "-o", str(key_file), "--force"], capsys)
    assert code == 0
    assert key_file.read_text() != before
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_keygen_force_tightens_permissions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "loose.json"
    path.write_text("{}")
    path.chmod(0o644)
    assert run(["keygen", "-o", str(path), "--force"], capsys)[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keygen_options_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["keygen", "--did-key", "--controller", "https://x.example"], capsys)
    assert code == 2
    assert err.startswith("mosaics vc: error:")
    assert err.count("\n") == 1


# -- sign → verify ----------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip_in_process(
    suite: str, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = json.loads(key_file.read_text())["controller"]
    credential = write(tmp_path / "unsigned.json", unsigned(controller))
    code, out, err = run(
        ["sign", "--key", str(key_file), "--suite", suite, str(credential)], capsys
    )
    assert code == 0, err
    if suite == "jwt":
        assert out.strip().count(".") == 2
    else:
        proof = json.loads(out)["proof"]
        assert proof[0]["cryptosuite"] == suite
    signed = write(tmp_path / "signed.out", out)
    code, out, err = run(["verify", str(signed)], capsys)
    assert code == 0, out
    assert "VERIFIED" in out
    assert "Issued by Example College" in out

    # Tampering: change one character of the credential's name.
    text = signed.read_text()
    if suite == "jwt":
        header, payload, signature = text.strip().split(".")
        tampered = (
            f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
        )
    else:
        tampered = text.replace('"Knots"', '"Knits"', 1)
    bad = write(tmp_path / "tampered.out", tampered)
    code, out, _ = run(["verify", str(bad)], capsys)
    assert code == 1
    assert "NOT VERIFIED" in out


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip_in_a_subprocess(suite: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PYTHON), "-m", "mosaics.vc", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )

    made = cli("keygen", "--controller", "https://college.example/issuers/7", "-o", "k.json")
    assert made.returncode == 0, made.stderr
    write(tmp_path / "c.json", unsigned("https://college.example/issuers/7"))
    signed = cli("sign", "--key", "k.json", "--suite", suite, "c.json")
    assert signed.returncode == 0, signed.stderr
    write(tmp_path / "signed", signed.stdout)
    checked = cli("verify", "--json", "signed")
    assert checked.returncode == 0, checked.stdout
    result = json.loads(checked.stdout)
    assert result["file"] == "signed"
    assert result["verified"] is True
    assert result["status"] == "valid"
    missing = cli("verify", "nope.json")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr


def test_sign_prints_to_stdout_only(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = json.loads(key_file.read_text())["controller"]
    credential = write(tmp_path / "u.json", unsigned(controller))
    code, out, err = run(["sign", "--key", str(key_file), str(credential)], capsys)
    assert code == 0
    assert err == ""
    assert json.loads(out)["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_sign_with_an_explicit_verification_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519Multikey.generate(controller="https://college.example/issuers/3")
    key_path = write(tmp_path / "k.json", key.to_key_file())
    vm = f"https://college.example/issuers/3#{key.public_key_multibase}"
    credential = write(tmp_path / "u.json", unsigned("https://college.example/issuers/3"))
    code, out, _ = run(
        ["sign", "--key", str(key_path), "--verification-method", vm, str(credential)], capsys
    )
    assert code == 0
    assert json.loads(out)["proof"][0]["verificationMethod"] == vm


# -- verify: exit codes and --json ------------------------------------------------------------


def test_verify_json_shape_for_several_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(OB30 / "simple.json"), str(OB30 / "simple-err-proof-value.json")]
    code, out, _ = run(["verify", "--json", "--now", "2026-01-01T00:00:00Z", *files], capsys)
    assert code == 1  # one of them does not verify
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["file"] for line in lines] == files
    assert [line["verified"] for line in lines] == [True, False]
    assert [line["status"] for line in lines] == ["valid", "invalid"]
    for line in lines:
        assert {"file", "verified", "status", "checks", "warnings", "summary", "format"} <= set(
            line
        )
        assert all({"name", "ok", "code", "message"} <= set(c) for c in line["checks"])


def test_verify_expired_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["verify", str(OB30 / "simple-err-expired.json")], capsys)
    assert code == 1
    assert "NOT VERIFIED: expired" in out


def test_verify_status_list_option(capsys: pytest.CaptureFixture[str]) -> None:
    credential = OB30 / "bit-string-list/credential-status-revoked.json"
    url = json.loads(credential.read_text())["credentialStatus"]["statusListCredential"]
    listing = OB30 / "bit-string-list/testlist"
    code, out, _ = run(
        ["verify", "--json", f"--status-list={url}={listing}", str(credential)], capsys
    )
    assert code == 1
    assert json.loads(out)["status"] == "revoked"
    code, out, _ = run(["verify", "--json", str(credential)], capsys)
    assert code == 0  # without the list: a warning, not a failure
    warnings = {w["code"] for w in json.loads(out)["warnings"]}
    assert "status_not_checked" in warnings


def test_verify_status_list_keyed_by_its_own_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519Multikey.generate(controller="https://college.example/issuers/5")
    bits = statuslist.BitstringStatusList()
    bits.set(12)
    list_url = "https://college.example/status/5"
    listing = dataintegrity.sign(
        statuslist.status_list_credential(
            list_url=list_url,
            issuer=key.controller,
            status_list=bits,
            valid_from=datetime.now(UTC) - timedelta(days=1),
        ),
        key,
    )
    credential = unsigned(key.controller, credentialStatus=statuslist.status_entry(list_url, 12))
    signed = write(tmp_path / "c.json", dataintegrity.sign(credential, key))
    list_path = write(tmp_path / "list.json", listing)
    code, out, _ = run(["verify", "--status-list", str(list_path), str(signed)], capsys)
    assert code == 1
    assert "revoked" in out


def test_verify_document_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mosaics.vc.keys import controller_document

    did = "did:web:college.example"
    key = Ed25519Multikey.generate(controller=did, id=f"{did}#key-1")
    signed = write(tmp_path / "c.json", dataintegrity.sign(unsigned(did), key))
    document = write(tmp_path / "did.json", controller_document(did, [key]))
    assert run(["verify", str(signed)], capsys)[0] == 1
    assert run(["verify", "--document", str(document), str(signed)], capsys)[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "/nonexistent/credential.json"],
        ["verify"],
        ["sign", "--key", "/nonexistent/key.json", "x.json"],
        ["frobnicate"],
        [],
        ["verify", "--now", "yesterday", "x.json"],
        ["sign", "--suite", "rsa", "--key", "k", "x"],
        ["keygen", "--controller", "issuer-1"],
        ["keygen", "--controller", "https://x.example/issuers/1#key"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("mosaics vc: error:")
    assert err.count("\n") == 1
    assert "Traceback" not in err + out


def test_a_missing_file_among_several_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["verify", str(OB30 / "simple.json"), "/nonexistent.json"], capsys)
    assert code == 2
    assert out == ""  # nothing verified before the usage error was found
    assert "/nonexistent.json does not exist" in err


def test_unreadable_key_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    credential = write(tmp_path / "c.json", unsigned("https://x.example"))
    for content in (
        "not json",
        "[]",
        '{"publicKeyMultibase": "z6MkNope"}',
        json.dumps(Ed25519Multikey.generate().to_key_file(include_secret=False)),
    ):
        key = write(tmp_path / "bad.key", content)
        code, _, err = run(["sign", "--key", str(key), str(credential)], capsys)
        assert code == 2, content
        assert err.count("\n") == 1


def test_signing_a_credential_with_undefined_terms_is_a_clean_error(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    credential = unsigned("https://x.example")
    credential["favouriteColour"] = "blue"
    path = write(tmp_path / "c.json", credential)
    code, out, err = run(["sign", "--key", str(key_file), str(path)], capsys)
    assert code == 2
    assert out == ""
    assert "favouriteColour" in err


def test_verify_garbage_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(1000))
    code, out, err = run(["verify", str(garbage)], capsys)
    assert code == 1
    assert "NOT VERIFIED" in out
    assert err == ""


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"], capsys)[0] == 0
    assert run(["verify", "--help"], capsys)[0] == 0


def test_module_entry_point_exists() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mosaics.vc", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "keygen" in result.stdout


def test_signing_for_another_issuer_warns(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    credential = write(tmp_path / "c.json", unsigned("https://someone-else.example/issuers/1"))
    code, out, err = run(["sign", "--key", str(key_file), str(credential)], capsys)
    assert code == 0
    assert json.loads(out)["proof"]
    assert err.startswith("mosaics vc: warning:")
    assert "verifiers will reject" in err
    signed = write(tmp_path / "s.json", out)
    assert run(["verify", str(signed)], capsys)[0] == 1
