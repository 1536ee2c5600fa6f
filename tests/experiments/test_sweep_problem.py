"""Sweeps of catalogue problems (`coopt sweep`) and of persistent Pyomo models, in-process."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import coopt
from coopt.errors import CooptError, InputError
from coopt.experiments.sweep import CHUNK_DIR, RESULTS, PersistentPyomo, parse_grid, run_sweep, sweep_problem
from coopt.formulations.itinfra import closed_form as cf

DATA = "itinfra/paper-figure1"


def coordinator_welfare(j, kappa, beta, alpha, p=1.0, n=10):
    """CW(j) at the paper's closed form, eqs. (3)-(4), (7): an independent reference."""
    G = cf.total_inside(j, kappa, alpha, p)
    return (1 + (j - 2) * kappa) * G - alpha * p * G**2 + kappa * beta * j * (n - j) * cf.g_out(kappa, p)


# ----------------------------------------------------------------------------- any Pyomo model


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
    from coopt.solve import persistent

    runs = []
    real = persistent._PersistentHighs.solve

    def counting(self):
        runs.append(self.arrays is not None)  # True: the fast path (HiGHS's arrays kept)
        return real(self)

    monkeypatch.setattr(persistent._PersistentHighs, "solve", counting)
    grid = {"a": [0.5, 1.0, 4.0], "c": [1.0, 3.0], "u": [0.2, 5.0], "ub": [0.1, 0.3, 9.0]}
    frame = run_sweep(PersistentPyomo(_quadratic_model, "QP", row=_x_row, fast=fast), grid, tmp_path / "p",
                      workers=0, progress=False)
    assert len(frame) == 36 and (frame["status"] == "optimal").all()
    x = np.minimum.reduce([frame["c"] / (2 * frame["a"]), frame["u"], frame["ub"]])
    np.testing.assert_allclose(frame["x"], x, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(frame["objective"], frame["a"] * x**2 - frame["c"] * x, rtol=1e-6, atol=1e-9)
    assert runs.count(True) == (35 if fast else 0)  # all but the first point skip Pyomo's solve()
    with pytest.raises(InputError, match="'x' is not a scalar mutable Param"):
        run_sweep(PersistentPyomo(_quadratic_model, "QP"), {"x": [1.0]}, tmp_path / "q", workers=0, progress=False)


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
    frame = run_sweep(PersistentPyomo(_max_model, "QP", fast=fast), grid, tmp_path / "m", workers=0, progress=False)
    np.testing.assert_allclose(frame["objective"], frame["c"] ** 2 / (4 * frame["a"]) + frame["d"], rtol=1e-7)
    assert (frame["status"] == "optimal").all()


def _infeasible_model():
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="toy2")
    m.lo = pyo.Param(initialize=0.0, mutable=True)
    m.x = pyo.Var(bounds=(0, 1))
    m.floor = pyo.Constraint(expr=m.x >= m.lo)
    m.obj = pyo.Objective(expr=m.x)
    return m


def test_persistent_pyomo_reports_infeasible_points_and_recovers(tmp_path):
    frame = run_sweep(PersistentPyomo(_infeasible_model, "LP"), {"lo": [0.5, 2.0, 0.25]}, tmp_path / "i",
                      workers=0, progress=False)
    assert frame["status"].tolist() == ["optimal", "infeasible", "optimal"]
    assert frame["objective"].iloc[0] == pytest.approx(0.5) and frame["objective"].iloc[2] == pytest.approx(0.25)
    assert frame["objective"].isna().iloc[1]


def test_persistent_pyomo_refuses_a_solver_that_cannot_serve_the_class():
    from coopt.errors import SolverUnavailable

    with pytest.raises(SolverUnavailable, match="cannot solve a NCNLP"):
        PersistentPyomo(_quadratic_model, "NCNLP").setup()


# ----------------------------------------------------------------------------- catalogue problems


def test_sweep_problem_matches_the_closed_form_coordinator_welfare(tmp_path):
    frame = sweep_problem("itinfra.coordinator", DATA, {"alpha": (0.2, 0.8, 3), "j": (2, 4, 3)},
                          workers=0, out_dir=tmp_path / "c", progress=False)
    assert len(frame) == 9 and (frame["status"] == "optimal").all()
    assert frame["j"].tolist() == [2, 3, 4] * 3
    for row in frame.itertuples():
        assert row.objective == pytest.approx(coordinator_welfare(row.j, 0.35, 0.75, row.alpha), rel=1e-6)
        assert row.total_inside == pytest.approx(cf.total_inside(row.j, 0.35, row.alpha, 1.0), rel=1e-6)
    # a rerun with the same arguments resumes (nothing left to do) and returns the same frame
    again = sweep_problem("itinfra.coordinator", DATA, {"alpha": (0.2, 0.8, 3), "j": (2, 4, 3)},
                          workers=0, out_dir=tmp_path / "c", progress=False)
    pd.testing.assert_frame_equal(frame.drop(columns="wall_time"), again.drop(columns="wall_time"))


def test_sweep_problem_takes_log_and_listed_axes(tmp_path):
    grids = {"alpha": parse_grid("alpha=log:0.05:0.8:3"), "beta": [0.6, 0.9], "j": "3,5"}
    frame = sweep_problem("itinfra.coordinator", DATA, grids, workers=0, out_dir=tmp_path / "l", progress=False)
    assert len(frame) == 12 and (frame["status"] == "optimal").all()
    np.testing.assert_allclose(sorted(set(frame["alpha"])), [0.05, 0.2, 0.8], rtol=1e-12)
    assert frame["j"].tolist()[:4] == [3, 5, 3, 5] and frame["beta"].tolist()[:4] == [0.6, 0.6, 0.9, 0.9]
    ref = [coordinator_welfare(r.j, 0.35, r.beta, r.alpha) for r in frame.itertuples()]
    np.testing.assert_allclose(frame["objective"], ref, rtol=1e-6)


def test_a_bool_option_takes_a_list_of_values(tmp_path):
    frame = sweep_problem("itinfra.coordinator", DATA, {"equal_treatment": "true,false", "alpha": [0.3]},
                          options={"j": "4"}, workers=0, out_dir=tmp_path / "b", progress=False)
    assert frame["equal_treatment"].tolist() == [True, False] and (frame["status"] == "optimal").all()
    assert frame["objective"].tolist() == pytest.approx([coordinator_welfare(4, 0.35, 0.75, 0.3)] * 2, rel=1e-7)
    with pytest.raises(InputError, match="option 'equal_treatment' = 'maybe'"):
        sweep_problem("itinfra.coordinator", DATA, {"equal_treatment": "true,maybe"}, options={"j": "4"},
                      workers=0, out_dir=tmp_path / "c", progress=False)


def test_sweep_problem_instance_fields_are_part_of_the_sweep(tmp_path):
    inst = coopt.load(DATA, {"kappa": 0.2})
    frame = sweep_problem("itinfra.coordinator", inst, {"beta": (0.6, 1.0, 2)}, options={"j": "3"}, workers=0,
                          out_dir=tmp_path / "o", progress=False)
    assert (frame["status"] == "optimal").all() and len(frame) == 2
    assert frame["objective"].tolist() == pytest.approx([coordinator_welfare(3, 0.2, b, 0.4) for b in (0.6, 1.0)])
    with pytest.raises(InputError, match="kappa"):  # same grid, other data: a different sweep
        sweep_problem("itinfra.coordinator", coopt.load(DATA, {"kappa": 0.3}), {"beta": (0.6, 1.0, 2)},
                      options={"j": "3"}, workers=0, out_dir=tmp_path / "o", progress=False)


@pytest.mark.parametrize("grids, sets, match", [
    ({"gamma2": (0.0, 1.0, 3)}, {"j": "3"}, "not a field of 'itinfra' instances nor an option"),
    ({"alpha": (0.0, 0.5, 3)}, {"j": "3"}, "alpha"),  # alpha = 0 is outside 0 < alpha < 1
    ({"alpha": [0.3, 1.5]}, {"j": "3"}, "alpha"),  # a listed value outside the range
    ({"j": (2, 3, 2)}, {"j": "3"}, "both given"),
    ({"alpha": (0.2, 0.3, 2)}, {"j": "3", "kappa": "0.5"}, "'kappa' is a field"),
    ({"j": "2,3.5"}, {}, "whole numbers"),
    ({"alpha": (0.2, 0.3, 2000), "beta": (0.6, 1.0, 1000)}, {"j": "3"}, "2,000,000 points"),
    ({}, {"j": "3"}, "at least one --grid"),
])
def test_sweep_problem_bad_input_fails_before_any_work(tmp_path, grids, sets, match):
    with pytest.raises(InputError, match=match):
        sweep_problem("itinfra.coordinator", DATA, grids, options=sets, workers=0, out_dir=tmp_path / "x",
                      progress=False)
    assert not (tmp_path / "x" / CHUNK_DIR).exists()


def test_sweep_problem_unknown_solver_and_bad_scheduler_are_refused_up_front(tmp_path):
    with pytest.raises(CooptError, match="nosuchsolver"):
        sweep_problem("itinfra.coordinator", DATA, {"alpha": (0.2, 0.8, 3)}, solver="nosuchsolver",
                      options={"j": "3"}, workers=2, out_dir=tmp_path / "x", progress=False)
    with pytest.raises(InputError, match="--scheduler"):
        sweep_problem("itinfra.coordinator", DATA, {"alpha": (0.2, 0.8, 3)}, options={"j": "3"},
                      scheduler="nonsense://", out_dir=tmp_path / "x", progress=False)


# ----------------------------------------------------------------------------- persistent catalogue path


BUILDS: list[int] = []


def _counting_build(inst, **opts):
    from coopt.formulations.itinfra import coordinator

    BUILDS.append(1)
    return coordinator.build(inst, **opts)


def _coordinator_counting_builds():
    """itinfra.coordinator whose Pyomo formulation (declaring `params`) counts its builds."""
    import dataclasses

    from coopt.catalog import get_problem

    prob = get_problem("itinfra.coordinator")
    form = next(f for f in prob.formulations if f.layer == "pyomo")
    assert form.params is not None
    return dataclasses.replace(prob, formulations=(dataclasses.replace(form, build=_counting_build),))


def test_persistent_catalogue_path_matches_the_generic_one(tmp_path):
    prob = _coordinator_counting_builds()
    grids = {"alpha": (0.1, 0.9, 5), "kappa": (0.1, 0.45, 3), "j": (2, 6, 3)}
    BUILDS.clear()
    fast = sweep_problem(prob, DATA, grids, workers=0, out_dir=tmp_path / "p", progress=False)
    builds_fast = len(BUILDS)
    BUILDS.clear()
    slow = sweep_problem(prob, DATA, grids, workers=0, out_dir=tmp_path / "g", progress=False, persistent=False)
    assert builds_fast == 1 + 3  # the up-front check point, then one model per j (45 points)
    assert len(BUILDS) == 1 + 45  # generic: a model per point
    assert (fast["status"] == "optimal").all() and (slow["status"] == "optimal").all()
    assert list(fast.columns) == list(slow.columns)
    for col in ("objective", "total_inside", "g_in", "S_in", "S_out"):
        np.testing.assert_allclose(fast[col].astype(float), slow[col].astype(float), rtol=1e-7, atol=1e-9)
    ref = [coordinator_welfare(r.j, r.kappa, 0.75, r.alpha) for r in fast.itertuples()]
    np.testing.assert_allclose(fast["objective"], ref, rtol=1e-7)
    assert fast["closed_form_error"].max() < 1e-7  # checked against the paper's closed form at every point


def test_persistent_catalogue_path_honours_solver_options(tmp_path):
    """Solver options go through the persistent path too (one model per option set), translated as
    coopt.solve translates them: max_iter=1 stops HiGHS's QP solver before the optimum."""
    prob = _coordinator_counting_builds()
    BUILDS.clear()
    frame = sweep_problem(prob, DATA, {"alpha": (0.2, 0.8, 4), "tol": [1e-8, 1e-7]}, options={"j": "3"},
                          workers=0, out_dir=tmp_path / "o", progress=False)
    assert len(BUILDS) == 1 + 2 and (frame["status"] == "optimal").all()
    limited = sweep_problem(prob, DATA, {"alpha": (0.2, 0.8, 2)}, options={"j": "5", "max_iter": "1"},
                            workers=0, out_dir=tmp_path / "m", progress=False, persistent=True)
    generic = sweep_problem(prob, DATA, {"alpha": (0.2, 0.8, 2)}, options={"j": "5", "max_iter": "1"},
                            workers=0, out_dir=tmp_path / "n", progress=False, persistent=False)
    assert limited["status"].tolist() == generic["status"].tolist() == ["iteration_limit"] * 2


# ----------------------------------------------------------------------------- the command line, in-process


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from coopt import cli as cli_module

    monkeypatch.setattr(sys, "argv", ["coopt", *args])
    with pytest.raises(SystemExit) as done:
        cli_module.main()
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_coopt_sweep_command_resumes_and_refuses_another_grid(tmp_path, monkeypatch, capsys):
    out = tmp_path / "cli"
    args = ["sweep", "itinfra.coordinator", "--data", DATA, "--set", "j=3", "--workers", "0", "--out", str(out)]
    code, _, err = cli(monkeypatch, capsys, *args, "--grid", "alpha=0.2:0.8:3", "--grid", "beta=0.6,1")
    assert code == 0, err
    frame = pd.read_parquet(out / RESULTS)
    assert len(frame) == 6 and (frame["status"] == "optimal").all()
    code, _, err = cli(monkeypatch, capsys, *args, "--grid", "alpha=0.2:0.8:4")
    assert code == 2
    assert "holds a different sweep" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("extra, match", [
    (["--grid", "alpha=0.2:0.8:3", "--grid", "alpha=0.1,0.5"], "'alpha' given twice"),
    (["--grid", "alpha=0.01:0.99:10000", "--grid", "beta=0.51:1:10000"], "100,000,000 points"),
    (["--grid", "alpha=0.2:0.8:3", "--scheduler", "tcp://nohost:notaport"], "--scheduler"),
    (["--grid", "alpha=0.2:0.8:3", "--scheduler", "foo://127.0.0.1:1"], "--scheduler"),
    (["--grid", "alpha=0.2:0.8:3", "--set", "alpha=0.5"], "both given"),
    (["--grid", "alpha=log:0:1:3"], "0 < lo"),
])
def test_coopt_sweep_command_bad_input_is_one_line_exit_2(tmp_path, monkeypatch, capsys, extra, match):
    out = tmp_path / "bad"
    code, stdout, err = cli(monkeypatch, capsys, "sweep", "itinfra.coordinator", "--data", DATA, "--set", "j=3",
                            "--workers", "0", "--out", str(out), *extra)
    assert code == 2 and match in err and len(err.strip().splitlines()) == 1, err
    assert not (out / CHUNK_DIR).exists()


def test_coopt_sweep_command_unreachable_scheduler_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    from coopt.experiments.sweep import engine

    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    code, stdout, err = cli(monkeypatch, capsys, "sweep", "itinfra.coordinator", "--data", DATA, "--set", "j=3",
                            "--grid", "alpha=0.2:0.8:3", "--scheduler", "127.0.0.1:9", "--out", str(tmp_path / "u"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot connect" in err and "tcp://127.0.0.1:9" in err
    assert not stdout.strip() and not (tmp_path / "u").exists()


def test_coopt_sweep_help_documents_the_grid_syntax(monkeypatch, capsys):
    code, stdout, _ = cli(monkeypatch, capsys, "sweep", "--help")
    text = " ".join(stdout.split())
    assert code == 0 and "name=lo:hi:n" in text and "name=log:lo:hi:n" in text and "name=v1,v2" in text


def test_a_field_grid_value_is_read_as_safely_as_a_set_value():
    """Grid values of instance fields go through the CLI's safe reader: an alias bomb stays its short text."""
    from coopt.experiments.sweep.problem import _yaml_value

    levels = [f"l0: &l0 [{','.join(['lol'] * 9)}]"]
    levels += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = "\n".join(levels)  # 9^9 leaves when expanded
    assert _yaml_value(bomb) == bomb
    assert _yaml_value("[0.1, 0.2]") == [0.1, 0.2] and _yaml_value("0.3") == 0.3 and _yaml_value(0.5) == 0.5
