"""Experiment registry, `reproduce` and the atomic file writers.

(Named test_experiment_base.py, not test_base.py: tests/data/test_base.py exists and the test
directories are not packages, so two test_base modules would collide at collection.)
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import coopt.experiments as exp_pkg  # noqa: E402
from coopt.errors import InputError  # noqa: E402
from coopt.experiments import base  # noqa: E402
from coopt.experiments.base import (  # noqa: E402
    Experiment,
    ExperimentFailed,
    ExperimentOutput,
    atomic_path,
    reproduce,
    save_figure,
    select,
    write_csv,
    write_text,
)
from coopt.experiments.sweep import run_sweep  # noqa: E402


def _table_experiment(out_dir: Path, quick: bool) -> ExperimentOutput:
    """A toy figure: y = x^2 on a grid (5 points when quick, 11 otherwise), as CSV + PNG."""
    x = np.linspace(0, 1, 5 if quick else 11)
    frame = pd.DataFrame({"x": x, "y": x**2})
    fig, ax = plt.subplots()
    ax.plot(frame["x"], frame["y"])
    files = [write_csv(frame, out_dir / "toy.csv"), save_figure(fig, out_dir / "toy.png")]
    return ExperimentOutput(files=files, report=f"The toy has {len(frame)} points.",
                            checks={"agreement": 1.0, "points": len(frame)})


def _sweep_experiment(out_dir: Path, quick: bool) -> ExperimentOutput:
    frame = run_sweep(_square, {"i": np.arange(6)}, out_dir / "sweep", workers=0, progress=False)
    return ExperimentOutput(files=[write_csv(frame, out_dir / "sq.csv")], report="squares")


def _square(point: dict) -> dict:
    return {"sq": point["i"] ** 2}


def _broken(out_dir: Path, quick: bool) -> ExperimentOutput:
    raise ZeroDivisionError("a bug in an experiment")


TOY = Experiment(name="toy-figure", family="toy", title="Toy figure", run=_table_experiment)
SQ = Experiment(name="toy-squares", family="toy", title="Toy squares", run=_sweep_experiment)
BROKEN = Experiment(name="toy-broken", family="toy", title="Broken", run=_broken)
REGISTRY = {e.name: e for e in (SQ, TOY, BROKEN)}


def test_select_all_and_named_in_order_without_repeats():
    assert [e.name for e in select(["toy-figure", "toy-squares", "toy-figure"], REGISTRY)] == [
        "toy-figure", "toy-squares"]
    assert [e.name for e in select(["all"], REGISTRY)] == list(REGISTRY)


def test_unknown_experiment_lists_the_known_ones(tmp_path):
    with pytest.raises(InputError, match="unknown experiment 'figure9' .*known: toy-squares, toy-figure"):
        reproduce(["toy-figure", "figure9"], tmp_path, registry=REGISTRY, progress=False)
    assert not (tmp_path / "toy-figure").exists()  # refused before anything ran
    with pytest.raises(InputError, match="at least one"):
        select([], REGISTRY)


def test_reproduce_writes_each_experiment_and_a_combined_report(tmp_path):
    report = reproduce(["toy-figure", "toy-squares"], tmp_path, quick=True, progress=False, registry=REGISTRY)
    assert report == tmp_path / "REPORT.md"
    csv = pd.read_csv(tmp_path / "toy-figure" / "toy.csv")
    assert len(csv) == 5 and np.allclose(csv["y"], csv["x"] ** 2)  # quick mode reached the experiment
    assert (tmp_path / "toy-figure" / "toy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pd.read_csv(tmp_path / "toy-squares" / "sq.csv")["sq"].tolist() == [0, 1, 4, 9, 16, 25]
    text = report.read_text()
    assert "## Toy figure" in text and "## Toy squares" in text
    assert "![toy.png](toy-figure/toy.png)" in text and "[toy.csv](toy-figure/toy.csv)" in text
    assert "| agreement | 1 |" in text and "The toy has 5 points." in text
    assert "quick" in text
    assert not list(tmp_path.rglob(".*.tmp-*"))  # no temp files left


def test_report_links_are_relative_to_the_report_for_a_relative_out_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = reproduce(["toy-figure"], Path("out/rep"), quick=True, progress=False, registry=REGISTRY)
    text = report.read_text()
    assert "![toy.png](toy-figure/toy.png)" in text
    assert (report.parent / "toy-figure" / "toy.png").is_file()


def test_a_failing_experiment_is_reported_and_the_others_still_run(tmp_path):
    with pytest.raises(ExperimentFailed, match="toy-broken") as err:
        reproduce(["all"], tmp_path, progress=False, registry=REGISTRY)
    assert err.value.exit_code == 1
    text = (tmp_path / "REPORT.md").read_text()
    assert "**FAILED**: ZeroDivisionError: a bug in an experiment" in text
    assert len(pd.read_csv(tmp_path / "toy-figure" / "toy.csv")) == 11  # full mode, ran anyway


# ----------------------------------------------------------------------------- registry


FAMILY_MODULE = textwrap.dedent("""
    from coopt.experiments.base import Experiment, ExperimentOutput

    def run(out_dir, quick):
        return ExperimentOutput(report="discovered")

    EXPERIMENT = Experiment(name="zzfam-fig1", family="zzfam", title="Discovered", run=run)
""")


@pytest.fixture
def fake_family(tmp_path, monkeypatch):
    """A family package `coopt.experiments.zzfam` living in a temporary directory."""
    root = tmp_path / "pkgroot"
    (root / "zzfam" / "sub").mkdir(parents=True)
    (root / "zzfam" / "__init__.py").write_text("")
    (root / "zzfam" / "sub" / "__init__.py").write_text("")
    (root / "zzfam" / "sub" / "fig1.py").write_text(FAMILY_MODULE)
    (root / "zzfam" / "helpers.py").write_text("X = 1\n")  # a module without EXPERIMENT
    monkeypatch.setattr(exp_pkg, "__path__", [*exp_pkg.__path__, str(root)])
    base.experiments.cache_clear()
    yield
    base.experiments.cache_clear()
    for name in [m for m in sys.modules if m.startswith("coopt.experiments.zzfam")]:
        del sys.modules[name]


def test_registry_discovers_experiments_in_family_packages(fake_family, tmp_path):
    found = base.experiments()
    assert "zzfam-fig1" in found and found["zzfam-fig1"].family == "zzfam"
    assert base.get_experiment("zzfam-fig1").title == "Discovered"
    with pytest.raises(InputError, match="zzfam-fig1"):
        base.get_experiment("nope")
    report = reproduce(["zzfam-fig1"], tmp_path / "out", progress=False)
    assert "discovered" in report.read_text()


def test_every_registered_experiment_is_well_formed():
    for name, exp in base.experiments().items():
        assert name == exp.name and exp.family and exp.title and callable(exp.run)


# ----------------------------------------------------------------------------- atomic writes


def test_writers_replace_whole_files_and_leave_no_temp(tmp_path):
    p = write_text("first", tmp_path / "deep" / "r.md")
    assert p.read_text() == "first"
    write_text("second", p)
    assert p.read_text() == "second"
    assert [f.name for f in p.parent.iterdir()] == ["r.md"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = write_text("old", tmp_path / "r.md")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half of the new conte")
            raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["r.md"]

    class Unprintable:
        def __str__(self):
            raise RuntimeError("cannot format")

    frame = pd.DataFrame({"a": [1, 2]})
    write_csv(frame, tmp_path / "t.csv")
    with pytest.raises(RuntimeError):
        write_csv(pd.DataFrame({"a": [Unprintable()]}), tmp_path / "t.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), frame)


def test_save_figure_infers_the_format_and_closes(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    n_before = len(plt.get_fignums())
    p = save_figure(fig, tmp_path / "f.svg")
    assert p.read_text().lstrip().startswith("<?xml") and len(plt.get_fignums()) == n_before - 1
