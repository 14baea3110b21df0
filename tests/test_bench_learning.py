"""bench/learning.py works end to end at tiny sizes: every page answers at both sizes with the
same number of queries, and the table is printed (nothing is asserted about speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.interop import REPO_ROOT

PAGES = (
    "assessor queue",
    "assessor queue, filtered",
    "assess one submission",
    "learner's pathway",
    "my learning",
)


def test_bench_learning_runs_at_tiny_sizes_with_the_same_queries_at_both(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "learning.py"),
            "--small",
            "8",
            "--large",
            "40",
            "--requests",
            "1",
            "--json",
            str(figures),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr

    report = json.loads(figures.read_text("utf-8"))
    small, large = report["small"], report["large"]
    assert small["rows"]["submissions"] < large["rows"]["submissions"]
    assert large["rows"]["submissions"] >= 40
    assert set(small["pages"]) == set(large["pages"]) == set(PAGES)
    for page in PAGES:
        assert small["pages"][page]["queries"] > 0
        assert small["pages"][page]["queries"] == large["pages"][page]["queries"], (
            page,
            large["pages"][page]["sql"],
        )
        assert report["comparison"][page]["same_queries"]

    table = completed.stdout
    assert "Mosaics learning pages bench" in table
    assert "large/small" in table
    for page in PAGES:
        assert page in table
    assert "the same at both sizes for every page" in table
