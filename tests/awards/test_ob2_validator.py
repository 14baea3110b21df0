"""The OB 2.0 hosted assertion passes 1EdTech's (IMS) Open Badges 2.0 validator.

The validator (`openbadges` 1.1.2 from PyPI) lives in its own virtual environment
(scripts/ensure-ob2-validator, `make ob2validator`) and runs as a subprocess through
interop/ob2_validate.py, which serves it exactly the documents collected here from our own
views through the Django test client: the Assertion, its BadgeClass, the Issuer, the images,
and the OB 2.0 context (from tests/conformance). Anything else it asks for is refused, and the
tests check it asked for nothing else.

Our OB 2.0 documents are served only for an award its learner has accepted (a pending or
declined award's URLs answer 404), so every award here is accepted first.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from mosaics.awards import actions, ob2
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ENSURE = ROOT / "scripts" / "ensure-ob2-validator"
RUNNER = ROOT / "interop" / "ob2_validate.py"
VENV = ROOT / os.environ.get("MOSAICS_OB2_VALIDATOR_VENV", "var/ob2-validator/venv")
OB2_CONTEXT_FILE = ROOT / "tests/conformance/contexts/openbadges-v2.validator-core-fixture.json"
#: The keys of OB 2.0 documents whose values the validator dereferences.
FOLLOWED = ("badge", "issuer", "image", "revocationList")


@pytest.fixture(scope="session")
def validator_python() -> Path:
    """The validator's Python, set up on first use (a no-op once `make ob2validator` ran)."""
    result = subprocess.run([str(ENSURE)], capture_output=True, text=True, timeout=600, check=False)
    python = VENV / "bin" / "python"
    if result.returncode != 0 or not python.exists():
        reason = (result.stderr or result.stdout).strip().splitlines()
        pytest.skip(
            "the OB 2.0 validator's environment could not be created: "
            + (reason[-1] if reason else f"exit {result.returncode}")
        )
    return python


def _path(url: str) -> str:
    site = str(settings.SITE_URL).rstrip("/")
    assert url.startswith(site + "/"), url
    return url[len(site) :]


def _document(response: Any) -> dict[str, Any]:
    content_type = response["Content-Type"].split(";")[0].strip()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    document: dict[str, Any] = {"status": response.status_code, "content_type": content_type}
    if content_type.startswith("image/"):
        document["body_base64"] = base64.b64encode(body).decode("ascii")
    else:
        document["body"] = body.decode("utf-8")
    return document


def collect(url: str, *, client: Client | None = None) -> dict[str, dict[str, Any]]:
    """Every document the validator fetches, starting at `url`, from our own views."""
    client = client or Client()
    documents: dict[str, dict[str, Any]] = {
        ob2.OB2_CONTEXT: {
            "status": 200,
            "content_type": "application/ld+json",
            "body": OB2_CONTEXT_FILE.read_text(encoding="utf-8"),
        }
    }
    queue = [url]
    while queue:
        current = queue.pop(0)
        if current in documents:
            continue
        response = client.get(
            _path(current), HTTP_ACCEPT="application/ld+json, application/json, image/png"
        )
        document = _document(response)
        documents[current] = document
        if document["content_type"] in ("application/ld+json", "application/json"):
            data = json.loads(document["body"])
            for key in FOLLOWED:
                value = data.get(key)
                if isinstance(value, dict):
                    value = value.get("id")
                if isinstance(value, str) and value.startswith(str(settings.SITE_URL)):
                    queue.append(value)
    return documents


def validate(
    python: Path,
    badge_input: Any,
    documents: dict[str, dict[str, Any]],
    tmp_path: Path,
    *,
    recipient: dict[str, Any] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {"input": badge_input, "documents": documents}
    if recipient is not None:
        request["recipient"] = recipient
    return run(python, request, tmp_path)


def run(python: Path, request: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "ob2-request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    result = subprocess.run(
        [str(python), str(RUNNER), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def errors(output: dict[str, Any]) -> list[str]:
    return [
        m.get("result", "")
        for m in output["report"]["messages"]
        if m.get("messageLevel") == "ERROR"
    ]


def accepted(award: Any) -> Any:
    """`award`, attached to a learner with its address, who has accepted it (only then are
    its OB 2.0 documents served)."""
    learner = f.UserFactory()
    actions.awards_attach(user=learner, email=award.recipient_email)
    award.refresh_from_db()
    assert award.learner == learner
    return actions.award_accept(actor=learner, award=award)


def rich_award() -> Any:
    """An award with everything: validity, narrative, public and private evidence, and a
    design picture (served by the catalogue, so the BadgeClass image is that one)."""
    version = f.published_version(validity_months=12)
    picture = io.BytesIO()
    Image.new("RGB", (32, 32), (30, 80, 120)).save(picture, format="PNG")
    version.image.save("badge.png", ContentFile(picture.getvalue()))
    award = f.award(
        version,
        email="Dana.Learner@Example.org",
        narrative="Dana analysed the *city's* open data set and presented to the council.",
        evidence=[
            {
                "name": "Council presentation",
                "url": "https://example.org/dana/presentation",
                "description": "Slides and recording.",
                "genre": "Presentation",
            },
            {"name": "Private reflection journal", "narrative": "Not for anyone.", "private": True},
        ],
    )
    return accepted(award)


def test_the_hosted_assertion_is_valid(validator_python, tmp_path):
    award = rich_award()
    url = ob2.assertion_url(award)
    documents = collect(url)
    output = validate(
        validator_python,
        url,
        documents,
        tmp_path,
        recipient={"email": "dana.learner@example.org"},
    )
    report = output["report"]
    assert report["valid"] is True, errors(output)
    assert report["errorCount"] == 0, errors(output)
    assert output["refused"] == []
    # It read the Assertion, the BadgeClass and the Issuer, and checked the recipient.
    types = {node.get("type") for node in output["graph"]}
    assert {"Assertion", "BadgeClass", "Issuer"} <= types
    badgeclass = next(n for n in output["graph"] if n.get("type") == "BadgeClass")
    assert badgeclass["image"] in output["fetched"]
    assert documents[badgeclass["image"]]["content_type"] == "image/png"
    assert report["recipientProfile"] == {"email": "dana.learner@example.org"}
    assert report["openBadgesVersion"] == "2.0"
    assertion = next(n for n in output["graph"] if n.get("type") == "Assertion")
    assert assertion["id"] == url
    assert "Private reflection journal" not in json.dumps(output["graph"])


def test_the_baked_png_is_valid(validator_python, tmp_path):
    """The validator unbakes the PNG itself and verifies the Assertion it points at."""
    award = rich_award()
    url = ob2.assertion_url(award)
    documents = collect(url)
    png = documents[ob2.baked_url(award, "png")]
    assert png["content_type"] == "image/png"
    badge_input = {"baked": png["body_base64"], "name": "badge.png"}
    output = validate(validator_python, badge_input, documents, tmp_path)
    assert output["report"]["valid"] is True, errors(output)
    assert output["report"]["validationSubject"] == url
    assert output["refused"] == []


def test_the_baked_svg_unbakes_to_a_valid_assertion(validator_python, tmp_path):
    """openbadges 1.1.2 cannot take a baked SVG as input on Python 3: its unbaker returns the
    `verify` attribute as bytes, which input detection then refuses ("only URL, JSON, or JWS
    input implemented so far") whatever the image holds. So its own unbaker is asked what our
    SVG holds, and the validator is run on that."""
    award = rich_award()
    url = ob2.assertion_url(award)
    documents = collect(url)
    svg = collect(ob2.baked_url(award, "svg"))[ob2.baked_url(award, "svg")]
    assert svg["content_type"] == "image/svg+xml"
    assert run(validator_python, {"unbake": svg["body_base64"]}, tmp_path) == {"unbaked": url}
    png = documents[ob2.baked_url(award, "png")]
    assert run(validator_python, {"unbake": png["body_base64"]}, tmp_path) == {"unbaked": url}
    output = validate(validator_python, url, documents, tmp_path)
    assert output["report"]["valid"] is True, errors(output)


def test_a_pathway_award_is_valid(validator_python, tmp_path):
    issuer = f.with_key(f.IssuerFactory())
    first, second = (f.published_version(issuer) for _ in range(2))
    pathway = f.published_pathway(
        issuer, [first.micro_credential, second.micro_credential], summary="Both badges."
    )
    award = accepted(
        actions.award_issue(
            actor=None, recipient_email="pat@example.org", pathway=pathway, source="api"
        )
    )
    url = ob2.assertion_url(award)
    documents = collect(url)
    assert ob2.pathway_badgeclass_url(pathway) in documents
    output = validate(validator_python, url, documents, tmp_path)
    assert output["report"]["valid"] is True, errors(output)
    assert output["refused"] == []


def test_a_revoked_award_is_reported(validator_python, tmp_path, world):
    """openbadges 1.1.2 has no special case for a revoked hosted Assertion (410 with
    `revoked: true`): it reads the node, keeps `revoked` and the reason in its graph, and fails
    it for the properties a revoked Assertion no longer carries. Invalid, with the reason."""
    award = accepted(f.award(f.published_version(world.issuer)))
    url = ob2.assertion_url(award)
    assert validate(validator_python, url, collect(url), tmp_path)["report"]["valid"] is True
    actions.award_revoke(actor=world.tlc_admin, award=award, reason="Issued in error")
    documents = collect(url)
    assert documents[url]["status"] == 410
    output = validate(validator_python, url, documents, tmp_path)
    assert output["report"]["valid"] is False
    assert output["refused"] == []
    node = next(n for n in output["graph"] if n.get("id") == url)
    assert node["revoked"] is True
    assert node["revocationReason"] == "Issued in error"
    assert any("Required property badge not present" in e for e in errors(output))


def test_tampered_assertions_fail(validator_python, tmp_path):
    award = accepted(f.award(email="sam@example.org"))
    url = ob2.assertion_url(award)
    documents = collect(url)
    assertion = json.loads(documents[url]["body"])

    # The recipient: someone else's address does not match the hash.
    output = validate(
        validator_python, url, documents, tmp_path, recipient={"email": "mallory@example.org"}
    )
    assert output["report"]["valid"] is False
    assert any("did not match" in e for e in errors(output)), errors(output)

    # The badge: pointed at a BadgeClass that is not there.
    other = dict(assertion, badge=assertion["badge"].replace("badgeclass.json", "missing.json"))
    tampered = dict(documents, **{url: dict(documents[url], body=json.dumps(other))})
    output = validate(validator_python, url, tampered, tmp_path)
    assert output["report"]["valid"] is False

    # The hash itself, changed by one digit, no longer matches the real recipient.
    wrong = dict(assertion)
    identity = wrong["recipient"]["identity"]
    digit = "0" if identity[-1] != "0" else "1"
    wrong["recipient"] = dict(wrong["recipient"], identity=identity[:-1] + digit)
    tampered = dict(documents, **{url: dict(documents[url], body=json.dumps(wrong))})
    output = validate(
        validator_python, url, tampered, tmp_path, recipient={"email": "sam@example.org"}
    )
    assert output["report"]["valid"] is False


def test_an_expired_award_is_reported(validator_python, tmp_path):
    version = f.published_version(validity_months=1)
    past = timezone.now() - timedelta(days=90)
    award = accepted(f.award(version, now=past))
    assert award.valid_until is not None
    assert award.valid_until < timezone.now()
    url = ob2.assertion_url(award)
    output = validate(validator_python, url, collect(url), tmp_path)
    assert output["report"]["valid"] is False
    assert any("expired" in e for e in errors(output)), errors(output)


def test_a_pending_or_declined_award_is_not_found(validator_python, tmp_path):
    """Before its learner accepts it (or after they decline it) the award has no OB 2.0
    documents: the validator finds nothing at the Assertion URL."""
    version = f.published_version()
    award = f.award(version, email="lee@example.org", narrative="Lee's private narrative.")
    url = ob2.assertion_url(award)
    documents = collect(url)
    assert documents[url]["status"] == 404
    assert "private narrative" not in documents[url]["body"]
    output = validate(validator_python, url, documents, tmp_path)
    assert output["report"]["valid"] is False
    assert "private narrative" not in json.dumps(output["graph"])
    award = accepted(award)
    assert validate(validator_python, url, collect(url), tmp_path)["report"]["valid"] is True
    actions.award_decline(actor=award.learner, award=award)
    documents = collect(url)
    assert documents[url]["status"] == 404
    assert validate(validator_python, url, documents, tmp_path)["report"]["valid"] is False
