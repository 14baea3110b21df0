"""Bulk awarding end to end: `awards_issue_bulk` of N signed awards against the JavaScript
reference signing the same N credentials, same run.

    .venv/bin/python bench/awards.py            # 10,000 awards (a few minutes with JS)
    .venv/bin/python bench/awards.py --quick    # 1,000 awards
    .venv/bin/python bench/awards.py --json     # the same figures as JSON
    .venv/bin/python bench/awards.py --count 20 --no-js

On a throwaway SQLite database in a temporary directory (migrated here), with an institution,
a school, a keyed issuer and a published micro-credential version with two competencies and one
partner endorsement (which rides inside every credential), this measures:

* **Python, end to end**: one call of `mosaics.awards.bulk.awards_issue_bulk` for N new
  recipients — database rows (awards, status entries, audit entries), status-list allocation,
  eddsa-rdfc-2022 signatures, the self-checks (the first credential fully, every proof).
  Tasks run on the dummy backend: the claim e-mails and pathway checks are queued, not sent.
* **JavaScript, signatures only**: the same N unsigned credentials signed with
  eddsa-rdfc-2022 by the JavaScript reference stack (`@digitalbazaar/vc` through the Node
  bridge `interop/bridge.mjs`, after a warm-up of 50), with the same issuer key.

The table gives seconds, awards (or signatures) per second and the ratio JS seconds / Python
seconds (above 1: Mosaics' whole bulk award is faster than the reference's signatures alone).
Nothing here asserts anything about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/awards.py` from anywhere, without installing
    sys.path.insert(0, str(REPO))

FULL_COUNT = 10_000
QUICK_COUNT = 1_000
JS_WARMUP = 50


def _setup_django(directory: Path) -> None:
    os.environ["MOSAICS_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mosaics.settings"
    os.environ["TASKS_BACKEND"] = "dummy"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _scene() -> tuple[Any, Any]:
    """(assessor, published version with two competencies and one endorsement)."""
    from mosaics.endorsements import actions as endorsements
    from mosaics.issuance.actions import key_generate
    from tests import factories as f

    institution = f.InstitutionFactory(name="Bench College", slug="bench")
    school = f.SchoolFactory(parent=institution, name="School of Benchmarks", slug="benchmarks")
    issuer = f.IssuerFactory(organisation=school, name="Bench College Issuer", slug="bench-issuer")
    partner = f.PartnerFactory(name="Bench Partner", slug="bench-partner")
    endorser_profile = f.EndorserProfileFactory(organisation=partner, slug="bench-partner")
    key_generate(issuer=endorser_profile, actor=None)
    designer = f.UserFactory(username="designer")
    f.MembershipFactory(user=designer, organisation=school, role="designer")
    endorser = f.UserFactory(username="endorser")
    f.MembershipFactory(user=endorser, organisation=partner, role="endorser")
    assessor = f.UserFactory(username="assessor")
    f.MembershipFactory(user=assessor, organisation=school, role="assessor")
    version = f.published_version(issuer, competencies=2)
    request = endorsements.endorsement_request_send(
        actor=designer, version=version, partner=partner, message="Please endorse."
    )
    endorsements.endorsement_sign(
        actor=endorser, request=request, statement="Graduates can do this on day one."
    )
    return assessor, version


def measure_python(count: int) -> tuple[dict[str, Any], list[Any], Any]:
    from mosaics.awards.bulk import awards_issue_bulk

    assessor, version = _scene()
    recipients = [(f"learner{i}@example.org", f"Learner {i}") for i in range(count)]
    start = time.perf_counter()
    result = awards_issue_bulk(actor=assessor, version=version, recipients=recipients)
    seconds = time.perf_counter() - start
    made = len(result.made)
    figures = {
        "count": count,
        "made": made,
        "refused": len(result.refused),
        "seconds": seconds,
        "rate": made / seconds if seconds else None,
    }
    return figures, result.made, version


def measure_js(awards: list[Any], version: Any) -> dict[str, Any]:
    from mosaics.awards import documents
    from mosaics.issuance import signing
    from tests.interop import start_bridge

    key = signing.active_key(version.micro_credential.issuer)
    bridge_key = {
        "publicKeyMultibase": key.public_key_multibase,
        "secretKeyMultibase": key.secret_key_multibase(),
        "id": key.id,
        "controller": key.controller,
    }
    unsigned = [documents.credential_document(award, signed=False) for award in awards]
    created = awards[0].credential["proof"][0]["created"]
    bridge = start_bridge()
    try:
        bridge.sign_many(
            unsigned[:JS_WARMUP], key=bridge_key, cryptosuite="eddsa-rdfc-2022", created=created
        )
        start = time.perf_counter()
        signed = bridge.sign_many(
            unsigned, key=bridge_key, cryptosuite="eddsa-rdfc-2022", created=created
        )
        seconds = time.perf_counter() - start
        node = str(bridge.ping().get("node", ""))
    finally:
        bridge.close()
        bridge.stderr_path.unlink(missing_ok=True)
    # Same input, same key, deterministic Ed25519: the reference's proofs must be ours.
    same = (
        sum(
            1
            for ours, theirs in zip(awards, signed, strict=True)
            if theirs["proof"]["proofValue"] == ours.credential["proof"][0]["proofValue"]
        )
        if signed and isinstance(signed[0].get("proof"), dict)
        else None
    )
    return {
        "count": len(unsigned),
        "seconds": seconds,
        "rate": len(unsigned) / seconds if seconds else None,
        "identical_proofs": same,
        "node": node,
    }


def table(report: dict[str, Any]) -> str:
    python, js = report["python"], report["js"]
    lines = [
        f"Mosaics bulk award bench: {python['count']:,} awards of one micro-credential "
        f"(two competencies, one endorsement); Python {report['python_version']}, "
        f"{report['cpus']} CPUs; {report['mode']}",
        f"{'':<44}{'seconds':>10}{'per second':>12}",
        f"{'Mosaics awards_issue_bulk (end to end)':<44}{python['seconds']:>10.2f}"
        f"{python['rate']:>12,.1f}",
    ]
    if js is None:
        lines.append(f"JavaScript not measured: {report['js_note']}")
    else:
        lines.append(
            f"{'JS reference, eddsa-rdfc-2022 signatures':<44}{js['seconds']:>10.2f}"
            f"{js['rate']:>12,.1f}"
        )
        lines.append(
            f"Ratio JS signatures / Mosaics end to end: {report['ratio_js_over_python']:.2f}x "
            "(above 1: Mosaics is faster)"
        )
        if js.get("identical_proofs") is not None:
            lines.append(f"Identical proofs: {js['identical_proofs']:,} of {js['count']:,}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT:,} awards")
    parser.add_argument("--count", type=int, help="number of awards (overrides --quick)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-js", action="store_true", help="measure Mosaics only")
    args = parser.parse_args(argv)
    count = args.count or (QUICK_COUNT if args.quick else FULL_COUNT)
    if not 1 <= count <= 10_000:
        parser.error("--count must be between 1 and 10000")
    with tempfile.TemporaryDirectory(prefix="mosaics-bench-awards-") as directory:
        _setup_django(Path(directory))
        python, awards, version = measure_python(count)
        js: dict[str, Any] | None = None
        note = None
        if args.no_js:
            note = "--no-js"
        else:
            from tests.interop import unavailable_reason

            note = unavailable_reason()
            if note is None:
                js = measure_js(awards, version)
        report = {
            "mode": "quick" if args.quick else "full",
            "python_version": platform.python_version(),
            "cpus": os.cpu_count(),
            "python": python,
            "js": js,
            "js_note": note,
            "ratio_js_over_python": (
                js["seconds"] / python["seconds"] if js and python["seconds"] else None
            ),
        }
        from django.db import connections

        connections.close_all()
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
