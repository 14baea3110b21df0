"""bench/awards.py works end to end (a tiny count; nothing is asserted about speed)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.interop import REPO_ROOT, unavailable_reason


def test_bench_awards_runs_quick_with_a_tiny_count() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "awards.py"),
            "--quick",
            "--count",
            "20",
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
    assert set(report) >= {"mode", "python", "js", "js_note", "ratio_js_over_python"}
    assert report["python"]["count"] == 20
    assert report["python"]["made"] == 20
    assert report["python"]["refused"] == 0
    assert report["python"]["seconds"] > 0
    if unavailable_reason() is None:
        assert report["js"]["count"] == 20
        assert report["js"]["seconds"] > 0
        assert report["js"]["identical_proofs"] == 20
        assert report["ratio_js_over_python"] is not None
    else:
        assert report["js"] is None
