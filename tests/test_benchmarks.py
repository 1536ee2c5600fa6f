"""Benchmarks fail the run when a printed target is missed (benchmarks/_target.py), --no-fail aside."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"

SCRIPT = """
import argparse, sys
sys.path.insert(0, {bench!r})
from _target import add_no_fail, check, finish, target
ap = argparse.ArgumentParser(); add_no_fail(ap); args = ap.parse_args()
target("fast enough", float("{measured}"), 1.0, "s")
target("speed-up", 12.0, 10.0, "x", higher=True)
check("same answer", True)
sys.exit(finish(args.no_fail))
"""


@pytest.mark.parametrize("measured, flag, code", [(0.5, [], 0), (2.0, [], 1), (2.0, ["--no-fail"], 0),
                                                  (float("nan"), [], 1)])
def test_missed_target_fails_the_run(tmp_path, measured, flag, code):
    script = tmp_path / "bench_x.py"
    script.write_text(SCRIPT.format(bench=str(BENCH), measured=measured))
    r = subprocess.run([sys.executable, str(script), *flag], capture_output=True, text=True, timeout=60)
    assert r.returncode == code, r.stdout + r.stderr
    assert ("MISSED" in r.stdout) == (not measured < 1.0)


def test_every_benchmark_that_prints_a_target_checks_it():
    """A benchmark that prints a target takes --no-fail and can exit 1 (by _target.finish or its own code).

    A static check: that every printed target feeds the exit code is for the benchmark's own review."""
    for path in sorted(BENCH.glob("bench_*.py")):
        text = path.read_text()
        if not re.search(r"target", text, re.IGNORECASE):
            continue
        no_fail = "add_no_fail(" in text or '"--no-fail"' in text
        fails = "finish(" in text or re.search(r"\b(return|else) 1\b", text) is not None
        assert no_fail and fails, f"{path.name} prints a target but does not fail on it (use benchmarks/_target.py)"


def test_make_bench_fails_when_a_benchmark_fails():
    text = (REPO / "Makefile").read_text()
    rule = text[text.index("\nbench:"):].split("\n\n")[0]
    assert "exit 1" in rule and "bench_*.py" in rule
