"""bench/run.py works end to end (tiny counts; nothing is asserted about speed)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.interop import REPO_ROOT, unavailable_reason


def test_bench_runs_quick_with_tiny_counts() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "run.py"),
            "--quick",
            "--iterations",
            "2",
            "--workers",
            "2",
            "--json",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    operations = report["results"]
    assert set(operations) == {
        "eddsa-rdfc-2022 sign",
        "eddsa-rdfc-2022 verify",
        "eddsa-jcs-2022 sign",
        "eddsa-jcs-2022 verify",
        "Ed25519 sign",
    }
    js_expected = unavailable_reason() is None
    for figures in operations.values():
        assert figures["python"]["single"]["ops"] == 2
        assert figures["python"]["all"]["ops"] == 4
        if js_expected:
            assert figures["js"]["single"]["ops"] == 2
            assert figures["js"]["all"]["ops"] == 4
            assert figures["ratio_python_over_js"]["single"] is not None
