"""Slow: the papers' figures at full size and the benchmark scripts run to completion (make test-slow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted((REPO / "benchmarks").glob("bench_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("names", [["itinfra-figure1", "itinfra-figure2", "itinfra-figure3", "itinfra-figure4",
                                    "itinfra-figure5", "itinfra-figureB1", "itinfra-figureB2"],
                                   ["dpshare-lemma3", "dpshare-lemma5", "dpshare-figure1"],
                                   ["vaccine-examples", "vaccine-figure6"]], ids=["itinfra", "dpshare", "vaccine"])
def test_full_size_reproduction(names, tmp_path):
    from coopt.experiments.base import reproduce

    report = reproduce(names, tmp_path, quick=False, progress=False)
    text = report.read_text()
    assert "FAILED" not in text
    for name in names:
        assert list((tmp_path / name).glob("*.png")) and list((tmp_path / name).glob("*.csv")), name


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.stem for p in BENCHMARKS])
def test_benchmark_runs(script, tmp_path):
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
