"""``mosaics vc`` / ``python -m mosaics.vc``: keygen → sign → verify, exit codes, --json."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mosaics.vc import dataintegrity, statuslist
from mosaics.vc.cli import main
from mosaics.vc.keys import Ed25519Multikey, controller_document

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


def issuer_documents(tmp_path: Path) -> list[str]:
    """``--document`` options with the published documents of the 1EdTech fixtures' issuers
    (their keys are only named as ``<issuer>#<key>``, which alone is not confirmed)."""
    args = []
    for number, issuer in enumerate(
        ("https://example.com/issuers/876543", "https://1edtech.edu/issuers/565049")
    ):
        key = Ed25519Multikey.from_public_multibase(
            "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", controller=issuer
        )
        path = write(tmp_path / f"issuer-{number}.did.json", controller_document(issuer, [key]))
        args.append(f"--document={path}")
    return args


def key_document(tmp_path: Path, key_path: Path) -> str:
    """``--document=FILE`` with the controller document of a key file's controller."""
    key = Ed25519Multikey.from_key_file(key_path.read_text()).public_key()
    path = write(tmp_path / "controller.json", controller_document(key.controller, [key]))
    return f"--document={path}"


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
    unconfirmed = cli("verify", "signed")  # the key is only named under the issuer's id
    assert unconfirmed.returncode == 1
    assert "NOT VERIFIED: the issuer's key is unconfirmed" in unconfirmed.stdout
    checked = cli("verify", "--json", key_document(tmp_path, tmp_path / "k.json"), "signed")
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


def test_verify_json_shape_for_several_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(OB30 / "simple.json"), str(OB30 / "simple-err-proof-value.json")]
    documents = issuer_documents(tmp_path)
    code, out, _ = run(
        ["verify", "--json", "--now", "2026-01-01T00:00:00Z", *documents, *files], capsys
    )
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


def test_verify_expired_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    documents = issuer_documents(tmp_path)
    code, out, _ = run(["verify", *documents, str(OB30 / "simple-err-expired.json")], capsys)
    assert code == 1
    assert "NOT VERIFIED: expired" in out


def test_verify_status_list_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = Ed25519Multikey.generate(controller="https://college.example/issuers/6")
    bits = statuslist.BitstringStatusList()
    bits.set(3)
    url = "https://college.example/status/6"
    listing = write(
        tmp_path / "list.json",
        dataintegrity.sign(
            statuslist.status_list_credential(
                list_url=url,
                issuer=key.controller,
                status_list=bits,
                valid_from=datetime.now(UTC) - timedelta(days=1),
            ),
            key,
        ),
    )
    credential = write(
        tmp_path / "c.json",
        dataintegrity.sign(
            unsigned(key.controller, credentialStatus=statuslist.status_entry(url, 3)), key
        ),
    )
    document = write(tmp_path / "issuer.json", controller_document(key.controller, [key]))
    documents = [f"--document={document}"]
    code, out, _ = run(
        ["verify", "--json", *documents, f"--status-list={url}={listing}", str(credential)],
        capsys,
    )
    assert code == 1
    assert json.loads(out)["status"] == "revoked"
    code, out, _ = run(["verify", "--json", *documents, str(credential)], capsys)
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
    document = write(tmp_path / "issuer.json", controller_document(key.controller, [key]))
    code, out, _ = run(
        ["verify", "--document", str(document), "--status-list", str(list_path), str(signed)],
        capsys,
    )
    assert code == 1
    assert "NOT VERIFIED: revoked" in out


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


# -- hostile text: lone surrogates, terminal escapes ---------------------------------------------

CLEAN_ENV = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
LOCALES = {
    "utf-8": {"LC_ALL": "C.UTF-8"},
    # A plain ASCII stdout: no UTF-8 mode, no locale coercion.
    "ascii": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
}


def cli_bytes(
    *args: str, env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(PYTHON), "-m", "mosaics.vc", *args],
        capture_output=True,
        cwd=cwd,
        env={**CLEAN_ENV, **env},
        timeout=120,
        check=False,
    )


def surrogate_credential(tmp_path: Path) -> Path:
    credential = unsigned("https://college.example/issuers/1")
    credential["issuer"]["name"] = "X\udfff"
    credential["name"] = "Bread \ud800 baking \udc9b"  # \udc9b: a raw C1 byte with surrogateescape
    path = tmp_path / "surrogates.json"
    path.write_text(json.dumps(credential))  # ensure_ascii: the JSON escapes "\udfff" etc.
    assert "\\udfff" in path.read_text()
    return path


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_lone_surrogates_in_a_subprocess(tmp_path: Path, locale: str, as_json: bool) -> None:
    path = surrogate_credential(tmp_path)
    result = cli_bytes("verify", *(["--json"] if as_json else []), str(path), env=LOCALES[locale])
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.stderr == b""
    assert result.returncode == 1
    result.stdout.decode("ascii" if locale == "ascii" or as_json else "utf-8")  # no raw bytes
    shown = result.stdout.decode("utf-8")
    assert not any(0x80 <= ord(char) <= 0x9F or 0xD800 <= ord(char) <= 0xDFFF for char in shown)
    # An unpaired surrogate is not text (I-JSON, RFC 7493 §2.1): refused when read, in words.
    if as_json:
        line = json.loads(result.stdout)
        assert line["verified"] is False
        assert any("unpaired UTF-16 surrogate" in c["message"] for c in line["checks"])
    else:
        assert b"unpaired UTF-16 surrogate" in result.stdout
        assert b": NOT VERIFIED" in result.stdout.splitlines()[0]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_lone_surrogates_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    path = surrogate_credential(tmp_path)
    code, out, err = run(["verify", *(["--json"] if as_json else []), str(path)], capsys)
    assert code == 1
    assert err == ""
    out.encode("ascii" if as_json else "utf-8")  # would raise on a lone surrogate
    if as_json:
        checks = json.loads(out)["checks"]
        assert any("unpaired UTF-16 surrogate" in c["message"] for c in checks)
    else:
        assert "unpaired UTF-16 surrogate" in out


ESCAPES = "Example College\x1b[1A\x1b[2K\x1b[1G{path}: VERIFIED\x1b[8m"
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_credential(tmp_path: Path, name: str = ESCAPES) -> Path:
    """The reviewer's esc.json: signed by a stranger's did:key, issuer name with ESC sequences."""
    path = tmp_path / "esc.json"
    credential = unsigned("https://badges.example.edu/issuers/1")
    credential["issuer"]["name"] = name.format(path=path)
    write(path, dataintegrity.sign(credential, Ed25519Multikey.generate()))
    return path


@pytest.mark.parametrize(
    "name",
    [
        ESCAPES,
        "Example College\n{path}: VERIFIED",  # a forged line
        "Example College\r{path}: VERIFIED          ",  # carriage return: overwrite the line
        "Example College\x9b2K\x9b1G{path}: VERIFIED",  # C1 CSI
        "Example College\u202e\u2066DEIFIREV TON\u2069\u200f",  # bidi controls
    ],
)
def test_terminal_escapes_are_shown_not_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = escape_credential(tmp_path, name)
    code, out, err = run(["verify", str(path)], capsys)
    assert code == 1
    assert not CONTROLS.search(out + err), repr(out)
    lines = out.splitlines()
    assert lines[0] == f"{path}: NOT VERIFIED: invalid"
    assert not any(line.startswith(f"{path}: VERIFIED") for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])  # nothing forged a line of its own
    if "\x1b" in name:
        assert "College\\x1b[1A\\x1b[2K" in out  # visible, not obeyed
    # --json escapes them too (JSON \u escapes, ASCII only).
    code, out, _ = run(["verify", "--json", str(path)], capsys)
    out.encode("ascii")
    assert not CONTROLS.search(out)
    assert json.loads(out)["credential"]["issuer"]["name"] == name.format(path=path)


def test_terminal_escapes_in_a_subprocess(tmp_path: Path) -> None:
    path = escape_credential(tmp_path)
    result = cli_bytes("verify", str(path), env=LOCALES["utf-8"])
    assert result.returncode == 1
    assert b"\x1b" not in result.stdout
    assert result.stdout.splitlines()[0] == f"{path}: NOT VERIFIED: invalid".encode()


def test_escapes_in_file_names_and_error_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path
) -> None:
    code, out, err = run(["verify", str(tmp_path / "no\x1b[2Jsuch\u202e.json")], capsys)
    assert code == 2
    assert not CONTROLS.search(err)
    assert "no\\x1b[2Jsuch\\u202e.json" in err
    # The sign warning quotes the credential's issuer.
    credential = write(tmp_path / "c.json", unsigned("https://x.example/\x1b[31m"))
    code, out, err = run(["sign", "--key", str(key_file), str(credential)], capsys)
    assert code == 0
    assert err.startswith("mosaics vc: warning:")
    assert not CONTROLS.search(err)
    assert json.loads(out)["issuer"]["id"] == "https://x.example/\x1b[31m"


def test_signed_output_escapes_what_a_terminal_would_obey(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = json.loads(key_file.read_text())["controller"]
    credential = unsigned(controller)
    credential["name"] = "Caf\u00e9 \x9b31m \u202eknots\u202c \u2066"
    path = write(tmp_path / "c.json", credential)
    code, out, err = run(["sign", "--key", str(key_file), str(path)], capsys)
    assert code == 0, err
    assert not CONTROLS.search(out)
    assert "Caf\u00e9" in out  # ordinary letters stay readable
    assert "\\u009b31m \\u202eknots\\u202c \\u2066" in out
    assert json.loads(out)["name"] == credential["name"]  # the same data


# -- secrets and key files --------------------------------------------------------------------


def test_a_corrupted_secret_is_never_echoed(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(key_file.read_text())
    secret = data["secretKeyMultibase"]
    pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
    credential = write(tmp_path / "c.json", unsigned(data["controller"]))
    for bad in (secret[:-1] + "0", secret[1:], secret[:-1], secret[:-1] + "l" + secret[-1]):
        path = write(tmp_path / "bad.key.json", {**data, "secretKeyMultibase": bad})
        code, out, err = run(["sign", "--key", str(path), str(credential)], capsys)
        assert code == 2
        assert out == ""
        assert err.startswith("mosaics vc: error:")
        assert "secretKeyMultibase" in err
        assert err.count("\n") == 1
        assert not [piece for piece in pieces if piece in err], err
        bad_pieces = {bad[i : i + 8] for i in range(len(bad) - 7)}
        assert not [piece for piece in bad_pieces if piece in err], err


def test_a_corrupted_secret_is_never_echoed_in_a_subprocess(tmp_path: Path) -> None:
    key = Ed25519Multikey.generate()
    data = key.to_key_file()
    secret = data["secretKeyMultibase"]
    write(tmp_path / "k.json", {**data, "secretKeyMultibase": secret[:-1] + "0"})
    write(tmp_path / "c.json", unsigned(key.controller))
    result = cli_bytes("sign", "--key", "k.json", "c.json", env=LOCALES["utf-8"], cwd=tmp_path)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert not [i for i in range(len(secret) - 7) if secret[i : i + 8].encode() in result.stderr]


def test_a_key_file_readable_by_others_warns(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = json.loads(key_file.read_text())["controller"]
    credential = write(tmp_path / "c.json", unsigned(controller))
    for mode, who in ((0o644, "everyone"), (0o640, "its group")):
        key_file.chmod(mode)
        code, out, err = run(["sign", "--key", str(key_file), str(credential)], capsys)
        assert code == 0  # a warning, not an error
        assert json.loads(out)["proof"]
        assert err.count("\n") == 1
        assert err.startswith("mosaics vc: warning:")
        assert f"readable by {who} (mode {mode:04o})" in err
        assert "chmod 600" in err
    key_file.chmod(0o600)
    assert run(["sign", "--key", str(key_file), str(credential)], capsys)[2] == ""


def test_keygen_refuses_an_existing_world_readable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "k.json"
    path.write_text("{}")
    path.chmod(0o644)
    code, _, err = run(["keygen", "-o", str(path)], capsys)
    assert code == 2
    assert "already exists" in err
    assert path.read_text() == "{}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("force", [False, True])
def test_keygen_never_follows_a_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    target = tmp_path / "target.txt"
    target.write_text("not yours")
    target.chmod(0o644)
    link = tmp_path / "k.json"
    link.symlink_to(target)
    code, out, err = run(["keygen", "-o", str(link), *(["--force"] if force else [])], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert target.read_text() == "not yours"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_signing_a_lone_surrogate_is_a_clean_error(
    key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = surrogate_credential(tmp_path)
    code, out, err = run(["sign", "--key", str(key_file), str(path)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("mosaics vc: error: credential ")
    assert "unpaired UTF-16 surrogate" in err
    assert err.count("\n") == 1
