"""The sweep engine: Dask execution, chunked Parquet output, resume after a kill, manifests, grids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopt.errors import CooptError, InputError
from coopt.experiments.sweep import (
    CHUNK_DIR,
    MANIFEST,
    RESULTS,
    PersistentPyomo,
    expand_grid,
    parse_grid,
    run_sweep,
    sweep_problem,
)

REPO = Path(__file__).resolve().parents[2]


def poly(point: dict) -> dict:
    """A cheap point function with an answer we know: y = a^2 + 3 b."""
    return {"y": point["a"] ** 2 + 3 * point["b"], "pid": os.getpid()}


def expected(frame: pd.DataFrame) -> np.ndarray:
    return frame["a"].to_numpy() ** 2 + 3 * frame["b"].to_numpy()


GRID = {"a": np.arange(6), "b": np.linspace(0.0, 1.0, 5)}


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / CHUNK_DIR).glob("chunk-*.parquet"))


# ----------------------------------------------------------------------------- grids


def test_expand_grid_is_the_cartesian_product_in_key_order():
    pts = expand_grid({"a": [1, 2], "b": np.array([0.5, 0.25, 0.0])})
    assert pts == [{"a": a, "b": b} for a in (1, 2) for b in (0.5, 0.25, 0.0)]
    assert all(type(p["b"]) is float and type(p["a"]) is int for p in pts)  # numpy scalars made plain
    assert expand_grid([{"x": 1}, {"x": 3}]) == [{"x": 1}, {"x": 3}]


@pytest.mark.parametrize("grid, match", [
    ({}, "empty"),
    ({"a": []}, "non-empty 1-D"),
    ({"a": np.zeros((2, 2))}, "non-empty 1-D"),
    ([], "empty"),
    ([{"x": 1}, {"y": 2}], "point 1 has keys"),
    ([{"point_id": 1}], "reserved"),
])
def test_expand_grid_errors(grid, match):
    with pytest.raises(InputError, match=match):
        expand_grid(grid)


def test_parse_grid_reads_name_lo_hi_n():
    assert parse_grid("alpha=0.01:0.99:200") == ("alpha", 0.01, 0.99, 200)
    assert parse_grid(" beta = 0.5 : 1 : 3 ") == ("beta", 0.5, 1.0, 3)
    assert parse_grid("j=2:2:1") == ("j", 2.0, 2.0, 1)


@pytest.mark.parametrize("spec, match", [
    ("alpha", "expected name=lo:hi:n"),
    ("=0:1:3", "not a parameter name"),
    ("alpha=0:1", "expected lo:hi:n"),
    ("alpha=0:1:2:3", "expected lo:hi:n"),
    ("alpha=a:1:3", "must be numbers"),
    ("alpha=0:inf:3", "finite"),
    ("alpha=0:1:x", "positive integer"),
    ("alpha=0:1:2.5", "positive integer"),
    ("alpha=0:1:0", "positive integer"),
    ("alpha=1:0:3", "must not exceed"),
    ("alpha=0:1:1", "n = 1 needs lo == hi"),
])
def test_parse_grid_errors_are_one_line_input_errors(spec, match):
    with pytest.raises(InputError, match=match) as err:
        parse_grid(spec)
    assert "\n" not in str(err.value) and spec.split("=")[0].strip() in str(err.value) or spec.startswith("=")


# ----------------------------------------------------------------------------- running


def test_sweep_serial_writes_chunks_manifest_and_results(tmp_path):
    out = tmp_path / "s"
    frame = run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    assert list(frame["point_id"]) == list(range(30))
    assert list(frame.columns[:3]) == ["point_id", "a", "b"]
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert len(chunk_files(out)) == 8  # ceil(30 / 4)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["n_points"] == 30 and manifest["parameters"] == ["a", "b"] and manifest["chunk_size"] == 4
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), frame)


def test_sweep_on_two_dask_worker_processes(tmp_path):
    """The default path: a LocalCluster with 2 worker processes (points leave this process)."""
    out = tmp_path / "s"
    frame = run_sweep(poly, GRID, out, workers=2, chunk_size=3, progress=False)
    assert len(frame) == 30 and frame["point_id"].is_unique
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert os.getpid() not in set(frame["pid"])  # computed on the workers
    assert len(chunk_files(out)) == 10


def test_sweep_on_threads_and_a_list_of_points(tmp_path):
    pts = [{"a": 2, "b": 0.5}, {"a": -1, "b": 2.0}, {"a": 0, "b": 0.0}]
    frame = run_sweep(poly, pts, tmp_path / "s", workers=2, processes=False, chunk_size=1, progress=False)
    assert list(frame["y"]) == [5.5, 7.0, 0.0]


class CountingFactory:
    """A factory whose setup() cost we count: the persistent-model pattern."""

    setups: list[int] = []

    def __init__(self, offset: float = 10.0) -> None:
        self.offset = offset

    def setup(self):
        CountingFactory.setups.append(1)
        state = {"calls": 0}  # stands for a model built once per worker

        def point(p: dict) -> dict:
            state["calls"] += 1
            return {"y": p["a"] + self.offset, "calls_on_this_model": state["calls"]}

        return point


def test_factory_setup_runs_once_per_worker_not_per_point_or_chunk(tmp_path):
    CountingFactory.setups.clear()
    frame = run_sweep(CountingFactory(), {"a": np.arange(40)}, tmp_path / "f", workers=2, processes=False,
                      chunk_size=4, progress=False)
    assert 1 <= len(CountingFactory.setups) <= 2  # two worker threads, ten chunks
    np.testing.assert_allclose(frame["y"], np.arange(40) + 10.0)
    assert frame["calls_on_this_model"].max() > 4  # the model outlived its chunk
    CountingFactory.setups.clear()
    run_sweep(CountingFactory, {"a": np.arange(9)}, tmp_path / "g", workers=0, chunk_size=2, progress=False)
    assert len(CountingFactory.setups) == 1  # a class is instantiated, then set up once


def _quadratic_model():
    """min a x^2 - c x  s.t.  x <= u (a row),  0 <= x <= ub (a bound): x* = min(c / (2a), u, ub)."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="toy")
    m.a = pyo.Param(initialize=1.0, mutable=True)
    m.c = pyo.Param(initialize=1.0, mutable=True)
    m.u = pyo.Param(initialize=10.0, mutable=True)
    m.ub = pyo.Param(initialize=10.0, mutable=True)
    m.x = pyo.Var(bounds=(0, m.ub))
    m.cap = pyo.Constraint(expr=m.x <= m.u)
    m.obj = pyo.Objective(expr=m.a * m.x**2 - m.c * m.x)
    return m


def _x_row(m):
    return {"x": m.x.value, "objective": m.obj()}


@pytest.mark.parametrize("fast", [True, False])
def test_persistent_pyomo_updates_mutable_params_and_matches_closed_form(tmp_path, monkeypatch, fast):
    from coopt.experiments import sweep

    fast_solves = []
    real = sweep._fast_highs

    def counting(opt):
        resolve = real(opt)
        assert resolve is not None, "the fast HiGHS path is unavailable with this Pyomo"
        return lambda: fast_solves.append(1) or resolve()

    monkeypatch.setattr(sweep, "_fast_highs", counting)
    grid = {"a": [0.5, 1.0, 4.0], "c": [1.0, 3.0], "u": [0.2, 5.0], "ub": [0.1, 0.3, 9.0]}
    frame = run_sweep(PersistentPyomo(_quadratic_model, row=_x_row, fast=fast), grid, tmp_path / "p", workers=0,
                      progress=False)
    assert len(frame) == 36 and (frame["status"] == "optimal").all()
    x = np.minimum.reduce([frame["c"] / (2 * frame["a"]), frame["u"], frame["ub"]])
    np.testing.assert_allclose(frame["x"], x, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(frame["objective"], frame["a"] * x**2 - frame["c"] * x, rtol=1e-6, atol=1e-9)
    assert len(fast_solves) == (35 if fast else 0)  # all but the first point skip Pyomo's solve()
    with pytest.raises(InputError, match="'x' is not a scalar mutable Param"):
        run_sweep(PersistentPyomo(_quadratic_model), {"x": [1.0]}, tmp_path / "q", workers=0, progress=False)


def _max_model():
    """max -a x^2 + c x + d (x >= 0): optimum c^2 / (4a) + d, with a constant term that depends on d."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="toy-max")
    m.a = pyo.Param(initialize=1.0, mutable=True)
    m.c = pyo.Param(initialize=1.0, mutable=True)
    m.d = pyo.Param(initialize=0.0, mutable=True)
    m.x = pyo.Var(bounds=(0, None))
    m.obj = pyo.Objective(expr=-m.a * m.x**2 + m.c * m.x + m.d, sense=pyo.maximize)
    return m


@pytest.mark.parametrize("fast", [True, False])
def test_persistent_pyomo_objective_keeps_sense_and_constant(tmp_path, fast):
    grid = {"a": [0.5, 2.0], "c": [1.0, 3.0], "d": [-1.0, 0.0, 7.5]}
    frame = run_sweep(PersistentPyomo(_max_model, fast=fast), grid, tmp_path / "m", workers=0, progress=False)
    np.testing.assert_allclose(frame["objective"], frame["c"] ** 2 / (4 * frame["a"]) + frame["d"], rtol=1e-7)


def _infeasible_model():
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="toy2")
    m.lo = pyo.Param(initialize=0.0, mutable=True)
    m.x = pyo.Var(bounds=(0, 1))
    m.floor = pyo.Constraint(expr=m.x >= m.lo)
    m.obj = pyo.Objective(expr=m.x)
    return m


def test_persistent_pyomo_reports_infeasible_points_and_recovers(tmp_path):
    frame = run_sweep(PersistentPyomo(_infeasible_model), {"lo": [0.5, 2.0, 0.25]}, tmp_path / "i", workers=0,
                      progress=False)
    assert frame["status"].tolist() == ["optimal", "infeasible", "optimal"]
    assert frame["objective"].iloc[0] == pytest.approx(0.5) and frame["objective"].iloc[2] == pytest.approx(0.25)
    assert frame["objective"].isna().iloc[1]


# ----------------------------------------------------------------------------- resume


def test_rerun_reads_finished_chunks_and_recomputes_nothing(tmp_path):
    out = tmp_path / "s"
    first = run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    stamps = {f.name: f.stat().st_mtime_ns for f in chunk_files(out)}

    def boom(point):
        raise AssertionError("a finished point was recomputed")

    again = run_sweep(boom, GRID, out, workers=0, progress=False)  # chunk size taken from the manifest
    pd.testing.assert_frame_equal(first, again)
    assert {f.name: f.stat().st_mtime_ns for f in chunk_files(out)} == stamps


def test_partial_and_corrupt_files_are_discarded_and_recomputed(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    files = chunk_files(out)
    files[2].write_bytes(files[2].read_bytes()[:40])  # a damaged chunk (not something we write)
    files[5].unlink()  # a chunk never written
    (out / CHUNK_DIR / ".chunk-000005.parquet.tmp-1-abcd").write_bytes(b"PAR1 half")  # a killed writer's temp
    seen = []

    def tracked(point):
        seen.append(point["a"] * 10 + point["b"])
        return poly(point)

    frame = run_sweep(tracked, GRID, out, workers=0, progress=False)
    assert len(seen) == 8  # only chunks 2 and 5 (4 points each) ran again
    assert list(frame["point_id"]) == list(range(30))
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert not [f for f in (out / CHUNK_DIR).iterdir() if f.name.startswith(".")]


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time, uuid
    from pathlib import Path
    import numpy as np
    from coopt.experiments.sweep import run_sweep

    calls = Path(sys.argv[2])

    def slow(point):
        (calls / f"{point['i']}-{uuid.uuid4().hex}").touch()  # one file per evaluation
        time.sleep(float(sys.argv[3]))
        return {"square": point["i"] ** 2}

    if __name__ == "__main__":
        frame = run_sweep(slow, {"i": np.arange(48)}, Path(sys.argv[1]), workers=2, processes=False,
                          chunk_size=4, progress=False)
        print(len(frame))
""")


def test_kill_midway_then_rerun_finishes_without_recomputing(tmp_path):
    """Kill -9 a sweep after some chunks are on disk; the rerun computes only the missing points."""
    script = tmp_path / "sweep_script.py"
    script.write_text(KILL_SCRIPT)
    out, calls = tmp_path / "out", tmp_path / "calls"
    calls.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(out), str(calls), "0.1"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(chunk_files(out)) < 3 and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    finished = chunk_files(out)
    assert 3 <= len(finished) < 12, "the sweep must be killed midway"
    done_ids = set(pd.concat(pd.read_parquet(f) for f in finished)["point_id"])

    rerun = subprocess.run([sys.executable, str(script), str(out), str(calls), "0"], cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]

    counts: dict[int, int] = {}
    for f in calls.iterdir():
        i = int(f.name.split("-")[0])
        counts[i] = counts.get(i, 0) + 1
    assert all(counts[i] == 1 for i in done_ids)  # finished points were not recomputed
    assert set(counts) == set(range(48))
    frame = pd.read_parquet(out / RESULTS)
    assert list(frame["point_id"]) == list(range(48))  # no duplicate, no missing row
    assert (frame["square"] == frame["i"] ** 2).all()
    assert len(chunk_files(out)) == 12
    assert not [f for f in (out / CHUNK_DIR).iterdir() if f.name.startswith(".")]  # no partial file


# ----------------------------------------------------------------------------- manifest


def test_a_different_grid_in_the_same_directory_is_refused(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    with pytest.raises(InputError, match="different sweep .*6 points there, 30 now|30 points there, 6 now"):
        run_sweep(poly, {"a": np.arange(6), "b": [0.0]}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="different grid values"):
        run_sweep(poly, {"a": np.arange(6), "b": np.linspace(0.0, 2.0, 5)}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="parameters"):
        run_sweep(poly, {"a": np.arange(6), "c": np.linspace(0.0, 1.0, 5)}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="solver = None there, 'scip' now"):
        run_sweep(poly, GRID, out, workers=0, progress=False, meta={"solver": "scip"})
    with pytest.raises(InputError, match="chunk_size = 4, not 5"):
        run_sweep(poly, GRID, out, workers=0, chunk_size=5, progress=False)
    assert len(chunk_files(out)) == 8  # the refused runs touched nothing


def test_chunks_without_manifest_are_refused(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    (out / MANIFEST).unlink()
    with pytest.raises(InputError, match="no manifest.json"):
        run_sweep(poly, GRID, out, workers=0, progress=False)


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="workers = -1"):
        run_sweep(poly, GRID, tmp_path / "a", workers=-1, progress=False)
    with pytest.raises(InputError, match="chunk_size = 0"):
        run_sweep(poly, GRID, tmp_path / "b", workers=0, chunk_size=0, progress=False)


# ----------------------------------------------------------------------------- catalogue problems


def test_sweep_problem_matches_the_closed_form_coordinator_welfare(tmp_path):
    from coopt.formulations.itinfra import closed_form as cf

    frame = sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", {"alpha": (0.2, 0.8, 3), "j": (2, 4, 3)},
                          workers=0, out_dir=tmp_path / "c", progress=False)
    assert len(frame) == 9 and (frame["status"] == "optimal").all()
    assert frame["j"].tolist() == [2, 3, 4] * 3
    k, b, p, n = 0.35, 0.75, 1.0, 10
    for row in frame.itertuples():
        G = cf.total_inside(row.j, k, row.alpha, p)
        cw = (1 + (row.j - 2) * k) * G - row.alpha * p * G**2 + k * b * row.j * (n - row.j) * cf.g_out(k, p)
        assert row.objective == pytest.approx(cw, rel=1e-6)
        assert row.total_inside == pytest.approx(G, rel=1e-6)
    # a rerun with the same arguments resumes (nothing left to do) and returns the same frame
    again = sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", {"alpha": (0.2, 0.8, 3), "j": (2, 4, 3)},
                          workers=0, out_dir=tmp_path / "c", progress=False)
    pd.testing.assert_frame_equal(frame.drop(columns="wall_time"), again.drop(columns="wall_time"))


def test_sweep_problem_set_overrides_are_part_of_the_sweep(tmp_path):
    frame = sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", {"beta": (0.6, 1.0, 2)},
                          options={"j": "3", "kappa": "0.2"}, workers=0, out_dir=tmp_path / "o", progress=False)
    assert (frame["status"] == "optimal").all() and len(frame) == 2
    with pytest.raises(InputError, match="kappa"):  # same grid, other data: a different sweep
        sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", {"beta": (0.6, 1.0, 2)},
                      options={"j": "3", "kappa": "0.3"}, workers=0, out_dir=tmp_path / "o", progress=False)


@pytest.mark.parametrize("grids, sets, match", [
    ({"gamma2": (0.0, 1.0, 3)}, {"j": "3"}, "not a field of 'itinfra' instances nor an option"),
    ({"alpha": (0.0, 0.5, 3)}, {"j": "3"}, "alpha"),  # alpha = 0 is outside 0 < alpha < 1
    ({"j": (2, 3, 2)}, {"j": "3"}, "both given"),
    ({"alpha": (0.2, 0.3, 2)}, {"j": "3", "alpha": "0.5"}, "both given"),
    ({}, {"j": "3"}, "at least one --grid"),
])
def test_sweep_problem_bad_input_fails_before_any_work(tmp_path, grids, sets, match):
    with pytest.raises(InputError, match=match):
        sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", grids, options=sets, workers=0,
                      out_dir=tmp_path / "x", progress=False)
    assert not (tmp_path / "x" / CHUNK_DIR).exists()


def test_sweep_problem_unknown_solver_is_refused_up_front(tmp_path):
    with pytest.raises(CooptError, match="nosuchsolver"):
        sweep_problem("itinfra.coordinator", "itinfra/paper-figure1", {"alpha": (0.2, 0.8, 3)}, solver="nosuchsolver",
                      options={"j": "3"}, workers=2, out_dir=tmp_path / "x", progress=False)


def test_a_failing_point_keeps_the_finished_chunks_for_the_rerun(tmp_path):
    out = tmp_path / "s"

    def fails_at_17(point):
        if point["i"] == 17:
            raise ValueError("bad point 17")
        return {"sq": point["i"] ** 2}

    with pytest.raises(ValueError, match="bad point 17"):
        run_sweep(fails_at_17, {"i": np.arange(30)}, out, workers=0, chunk_size=5, progress=False)
    assert len(chunk_files(out)) == 3  # points 0..14 are safe on disk
    seen = []

    def fixed(point):
        seen.append(point["i"])
        return {"sq": point["i"] ** 2}

    frame = run_sweep(fixed, {"i": np.arange(30)}, out, workers=0, progress=False)
    assert sorted(seen) == list(range(15, 30)) and (frame["sq"] == frame["i"] ** 2).all()


def test_sweep_on_an_existing_cluster_by_address(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from coopt.experiments import sweep

    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", "1s")

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        frame = run_sweep(poly, GRID, tmp_path / "s", scheduler=cluster.scheduler_address, chunk_size=7,
                          progress=False)
    np.testing.assert_allclose(frame["y"], expected(frame))
    with pytest.raises(InputError, match="cannot connect"):
        run_sweep(poly, GRID, tmp_path / "t", scheduler="tcp://127.0.0.1:9", progress=False)


def test_rows_with_mixed_kinds_in_a_column_are_stored(tmp_path):
    def mixed(point):
        return {"note": point["i"] if point["i"] % 2 else f"even {point['i']}", "maybe": None}

    frame = run_sweep(mixed, {"i": np.arange(4)}, tmp_path / "m", workers=0, chunk_size=4, progress=False)
    assert frame["note"].tolist() == ["even 0", "1", "even 2", "3"]
    with pytest.raises(ValueError, match="'point_id' column"):
        run_sweep(lambda p: {"point_id": 1}, {"i": [1]}, tmp_path / "r", workers=0, progress=False)


def test_cluster_session_shares_one_local_cluster(tmp_path, monkeypatch):
    import distributed

    from coopt.experiments.sweep import cluster_session

    started = []
    real = distributed.LocalCluster

    def counting(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", counting)
    with cluster_session():
        a = run_sweep(poly, GRID, tmp_path / "a", workers=2, processes=False, progress=False)
        b = run_sweep(poly, {"a": [1, 2], "b": [0.5]}, tmp_path / "b", workers=2, processes=False, progress=False)
    assert len(started) == 1
    assert len(a) == 30 and b["y"].tolist() == [2.5, 5.5]
    run_sweep(poly, {"a": [3], "b": [0.0]}, tmp_path / "c", workers=2, processes=False, progress=False)
    assert len(started) == 2  # outside a session each sweep has its own cluster


# ----------------------------------------------------------------------------- persistent catalogue path


def _coordinator_params(inst, j, equal_treatment=True, g_out=None):
    """The coordinator model's mutable Params for an instance (what a formulation's `params` declares)."""
    from coopt.formulations.itinfra import closed_form as cf

    return {"n": inst.n, "kappa": inst.kappa, "beta": inst.beta, "alpha": inst.alpha, "p": inst.p,
            "g_out": cf.g_out(inst.kappa, inst.p) if g_out is None else g_out}


BUILDS: list[int] = []


def _counting_build(inst, **opts):
    from coopt.formulations.itinfra import coordinator

    BUILDS.append(1)
    return coordinator.build(inst, **opts)


def _coordinator_with_params():
    """itinfra.coordinator whose Pyomo formulation declares `params` (a Formulation with one more field)."""
    import dataclasses
    from typing import Any

    from coopt.catalog import get_problem
    from coopt.formulations.base import Formulation

    @dataclasses.dataclass(frozen=True)
    class ParamFormulation(Formulation):
        params: Any = None

    prob = get_problem("itinfra.coordinator")
    form = next(f for f in prob.formulations if f.layer == "pyomo")
    pf = ParamFormulation(form.name, form.layer, form.problem_class, _counting_build, form.doc,
                          params=_coordinator_params)
    return dataclasses.replace(prob, formulations=(pf,))


def test_persistent_catalogue_path_matches_the_generic_one(tmp_path):
    prob = _coordinator_with_params()
    grids = {"alpha": (0.1, 0.9, 5), "kappa": (0.1, 0.45, 3), "j": (2, 6, 3)}
    BUILDS.clear()
    fast = sweep_problem(prob, "itinfra/paper-figure1", grids, workers=0, out_dir=tmp_path / "p", progress=False)
    builds_fast = len(BUILDS)
    BUILDS.clear()
    slow = sweep_problem(prob, "itinfra/paper-figure1", grids, workers=0, out_dir=tmp_path / "g", progress=False,
                         persistent=False)
    assert builds_fast == 1 + 3  # the up-front check point, then one model per j (45 points)
    assert len(BUILDS) == 1 + 45  # generic: a model per point
    assert (fast["status"] == "optimal").all() and (slow["status"] == "optimal").all()
    assert list(fast.columns) == list(slow.columns)
    for col in ("objective", "total_inside", "g_in", "S_in", "S_out"):
        np.testing.assert_allclose(fast[col].astype(float), slow[col].astype(float), rtol=1e-7, atol=1e-9)
    assert fast["closed_form_error"].max() < 1e-7  # checked against the paper's closed form at every point


def test_persistent_catalogue_path_is_skipped_with_solver_options(tmp_path):
    prob = _coordinator_with_params()
    BUILDS.clear()
    frame = sweep_problem(prob, "itinfra/paper-figure1", {"alpha": (0.2, 0.8, 4)}, options={"j": "3", "tol": "1e-8"},
                          workers=0, out_dir=tmp_path / "o", progress=False)
    assert len(BUILDS) == 1 + 4 and (frame["status"] == "optimal").all()


def test_coopt_sweep_command_resumes_and_refuses_another_grid(tmp_path):
    out = tmp_path / "cli"
    args = [sys.executable, "-m", "coopt.cli", "sweep", "itinfra.coordinator", "--data", "itinfra/paper-figure1",
            "--set", "j=3", "--workers", "0", "--out", str(out)]
    first = subprocess.run([*args, "--grid", "alpha=0.2:0.8:3", "--grid", "beta=0.6:1:2"], capture_output=True,
                           text=True, cwd=REPO, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    frame = pd.read_parquet(out / RESULTS)
    assert len(frame) == 6 and (frame["status"] == "optimal").all()
    other = subprocess.run([*args, "--grid", "alpha=0.2:0.8:4"], capture_output=True, text=True, cwd=REPO,
                           timeout=120)
    assert other.returncode == 2
    assert "holds a different sweep" in other.stderr and len(other.stderr.strip().splitlines()) == 1
