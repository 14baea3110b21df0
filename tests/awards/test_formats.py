"""Every form of an award verifies with `mosaics vc verify` and with the JavaScript reference
verifier, and both report it suspended, reinstated and revoked through the issuer's status
lists (re-signed on every change)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mosaics.awards import actions
from mosaics.awards.models import Award
from mosaics.issuance.actions import status_list_credentials
from mosaics.issuance.signing import issuer_did, trusted_documents
from mosaics.vc import baking
from mosaics.vc.cli import main as vc_main
from tests import factories as f
from tests.interop import Bridge
from tests.vc.conftest import js_bridge  # noqa: F401 - the session's Node bridge

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


def _files(award: Award, tmp_path: Path) -> dict[str, Path]:
    """Each form of the award written to a file, as a learner would download it."""
    forms: dict[str, bytes] = {}
    for form in actions.FORMS:
        signed = actions.award_credential_form(award, form)
        text = signed if isinstance(signed, str) else json.dumps(signed)
        forms[f"{form}.{'jwt' if form == 'jwt' else 'json'}"] = text.encode()
        forms[f"{form}.png"] = baking.bake(_png(), signed)
        forms[f"{form}.svg"] = baking.bake(SVG, signed)
    paths = {}
    for name, data in forms.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def _cli(award: Award, paths: dict[str, Path], tmp_path: Path, capsys: Any) -> dict[str, str]:
    """`mosaics vc verify --json` over every file, given the issuer's DID document and its
    current status lists (as a verifier would fetch them): file name → status."""
    did = issuer_did(award.issuer)
    (tmp_path / "did.json").write_text(json.dumps(trusted_documents([award.issuer])[did]))
    argv = ["verify", "--json", "--document", str(tmp_path / "did.json")]
    for n, (url, credential) in enumerate(status_list_credentials([award.issuer]).items()):
        path = tmp_path / f"list-{n}.json"
        path.write_text(json.dumps(credential))
        argv += ["--status-list", f"{url}={path}"]
    capsys.readouterr()
    code = vc_main([*argv, *map(str, paths.values())])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    statuses = {Path(line["file"]).name: line["status"] for line in lines}
    assert code == (0 if set(statuses.values()) == {"valid"} else 1)
    return statuses


def test_every_form_verifies_then_reads_suspended_reinstated_revoked(
    world: Any, tmp_path: Path, capsys: Any
) -> None:
    version = f.published_version(world.issuer)
    award = f.award(version)
    paths = _files(award, tmp_path)
    assert len(paths) == 9

    assert set(_cli(award, paths, tmp_path, capsys).values()) == {"valid"}

    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review")
    assert set(_cli(award, paths, tmp_path, capsys).values()) == {"suspended"}

    actions.award_reinstate(actor=world.tlc_admin, award=award)
    assert set(_cli(award, paths, tmp_path, capsys).values()) == {"valid"}

    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    assert set(_cli(award, paths, tmp_path, capsys).values()) == {"revoked"}


def test_without_the_issuers_document_the_cli_does_not_confirm_it(tmp_path: Path) -> None:
    award = f.award()
    path = tmp_path / "award.json"
    path.write_text(json.dumps(award.credential))
    assert vc_main(["verify", str(path)]) == 1


@pytest.mark.interop
def test_the_js_verifier_follows_the_award_through_its_status(
    world: Any,
    js_bridge: Bridge,  # noqa: F811 - the fixture imported above
    settings: Any,
) -> None:
    settings.SITE_URL = "https://mosaics.example"
    award = f.award(f.published_version(world.issuer))
    did = issuer_did(award.issuer)
    documents = {did: trusted_documents([award.issuer])[did]}
    forms = [actions.award_credential_form(award, form) for form in actions.FORMS[:2]]

    def verify_all() -> list[Any]:
        return [
            js_bridge.verify(
                credential,
                status_lists=status_list_credentials([award.issuer]),
                documents=documents,
            )
            for credential in forms
        ]

    for result in verify_all():
        assert result.verified, result.errors
        assert result.status is not None
        assert result.status["checked"], result.status
        assert not result.revoked
        assert not result.suspended

    actions.award_suspend(actor=world.tlc_admin, award=award, reason="Under review")
    for result in verify_all():
        assert result.suspended, result.status
        assert not result.revoked

    actions.award_reinstate(actor=world.tlc_admin, award=award)
    for result in verify_all():
        assert not result.suspended, result.status

    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    for result in verify_all():
        assert result.revoked, result.status

    # Tampering is caught by the JS stack too.
    tampered = json.loads(json.dumps(forms[0]))
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert not js_bridge.verify(tampered, mode="proof", documents=documents).verified
