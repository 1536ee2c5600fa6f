"""Sweep speed: re-solving one persistent model with mutable parameters vs rebuilding it per point.

The model is the itinfra coordinator's QP, eq. (3) (``coopt.formulations.itinfra.coordinator``),
for a size-j coalition, swept over (alpha, beta). Every method solves the same points with HiGHS
and must return the same CW(j) (checked to 1e-6 relative). Methods:

  rebuild     per point: a new instance, ``coordinator.build``, a new pyomo.contrib.solver HiGHS
              (the baseline)
  catalog     per point: ``coopt.catalog.run`` (rebuild + solve + certificates: what
              ``coopt sweep`` does for any catalogue problem)
  persistent  ``coopt.experiments.sweep.PersistentPyomo(fast=False)``: the Pyomo model built once,
              its mutable Params alpha, beta set per point, re-solved by
              ``coopt.solve.persistent.PersistentSolve`` through the persistent pyomo.contrib.solver
              HiGHS interface's solve() (only changed coefficients go to HiGHS), full certificate
  fast        ``PersistentPyomo()`` (fast=True, the default): the same, but per point only the
              coefficients of the changed Params are passed and HiGHS is run directly, skipping
              Pyomo's per-solve wrapper (options, output capture, results objects); full certificate
  fast-nocert the same with ``certify="none"``: no certificate, the status is HiGHS's own (what the fast
              path was before certificates were shared; for a like-for-like ratio against older runs)
  highspy     the same QP passed once to ``highspy.Highs``; per point only the Hessian
              (2 alpha p 1 1^T) and the objective offset change (a hand-written twin of eq. (3))

Then the end-to-end engine: ``run_sweep`` on a 2-worker local Dask cluster, catalogue path vs
persistent path. Prints solves per second and ratios against the rebuild baseline of this run.

    python benchmarks/bench_sweep.py [--points N] [--j J]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory

import coopt
from coopt.experiments.sweep import PersistentPyomo, cluster_session, run_sweep, sweep_problem
from coopt.formulations.itinfra import closed_form as cf
from coopt.formulations.itinfra import coordinator

J = 5
DATA = "itinfra/paper-figure1"


def grid(n_points: int) -> list[dict]:
    side = max(2, int(round(np.sqrt(n_points))))
    return [{"alpha": float(a), "beta": float(b)}
            for a in np.linspace(0.05, 0.95, side) for b in np.linspace(0.55, 1.0, side)]


def rebuild(points: list[dict]) -> list[float]:
    inst = coopt.load(DATA)
    out = []
    for pt in points:
        m = coordinator.build(inst.with_overrides(**pt), j=J)
        SolverFactory("highs").solve(m)
        out.append(pyo.value(m.welfare))
    return out


def catalog(points: list[dict]) -> list[float]:
    inst = coopt.load(DATA)
    return [coopt.run("itinfra.coordinator", inst.with_overrides(**pt), j=J).objective for pt in points]


def build_coordinator() -> pyo.ConcreteModel:
    return coordinator.build(coopt.load(DATA), j=J)


def persistent(points: list[dict]) -> list[float]:
    fn = PersistentPyomo(build_coordinator, "QP", fast=False).setup()
    return [fn(pt)["objective"] for pt in points]


def fast(points: list[dict]) -> list[float]:
    fn = PersistentPyomo(build_coordinator, "QP").setup()
    return [fn(pt)["objective"] for pt in points]


def fast_uncertified(points: list[dict]) -> list[float]:
    fn = PersistentPyomo(build_coordinator, "QP", certify="none").setup()
    return [fn(pt)["objective"] for pt in points]


class HighspyCoordinator:
    """Eq. (3) for members 1..J as a HiGHS QP: min -CW = -c 1'g + alpha p (1'g)^2 - kappa beta J (n-J) g_out.

    c = 1 + (J-2) kappa (a member's marginal benefit of G), equal treatment g_i = g_1 as J-1 rows.
    """

    def __init__(self, j: int | None = None) -> None:
        self.inst = coopt.load(DATA)
        self.j = J if j is None else j

    def setup(self):
        inst, j = self.inst, self.j
        k, p, n = inst.kappa, inst.p, inst.n
        go = cf.g_out(k, p)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = j, j - 1
        lp.col_cost_ = np.full(j, -(1 + (j - 2) * k))
        lp.col_lower_, lp.col_upper_ = np.zeros(j), np.full(j, highspy.kHighsInf)
        lp.row_lower_, lp.row_upper_ = np.zeros(j - 1), np.zeros(j - 1)
        # column-wise A: row r reads g_{r+1} - g_0 = 0
        start, index, value = [0], [], []
        for c in range(j):
            rows = list(range(j - 1)) if c == 0 else [c - 1]
            index += rows
            value += [-1.0] * len(rows) if c == 0 else [1.0]
            start.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        h.passModel(lp)
        hs, hi = [0], []
        for c in range(j):  # lower triangle of 1 1'
            hi += list(range(c, j))
            hs.append(len(hi))

        def point(pt: dict) -> dict:
            hess = highspy.HighsHessian()
            hess.dim_, hess.format_ = j, highspy.HessianFormat.kTriangular
            hess.start_, hess.index_, hess.value_ = hs, hi, [2 * pt["alpha"] * p] * len(hi)
            h.passHessian(hess)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return {"status": str(h.getModelStatus()), "objective": None}
            spill = k * pt["beta"] * j * (n - j) * go
            return {"status": "optimal", "objective": -h.getInfo().objective_function_value + spill}

        return point


def highspy_direct(points: list[dict]) -> list[float]:
    fn = HighspyCoordinator().setup()
    return [fn(pt)["objective"] for pt in points]


def timed(fn, points: list[dict], repeats: int = 2) -> tuple[float, list[float]]:
    best, vals = float("inf"), []
    for _ in range(repeats):
        t0 = time.perf_counter()
        vals = fn(points)
        best = min(best, time.perf_counter() - t0)
    return len(points) / best, vals


def catalog_point(pt: dict) -> dict:
    return {"objective": coopt.run("itinfra.coordinator", coopt.load(DATA).with_overrides(**pt), j=J).objective}


def main() -> None:
    global J
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=400, help="grid points per method (a square grid)")
    ap.add_argument("--j", type=int, default=J, help="coalition size j (the QP has j variables)")
    args = ap.parse_args()
    J = args.j
    points = grid(args.points)
    print(f"itinfra coordinator QP (3), j = {J}, {len(points)} (alpha, beta) points, HiGHS {highspy.__name__}")
    rates: dict[str, float] = {}
    ref = None
    for name, fn in [("rebuild", rebuild), ("catalog", catalog), ("persistent", persistent), ("fast", fast),
                     ("fast-nocert", fast_uncertified), ("highspy", highspy_direct)]:
        rate, vals = timed(fn, points)
        vals = np.asarray(vals, dtype=float)
        ref = vals if ref is None else ref
        err = float(np.max(np.abs(vals - ref) / np.maximum(1.0, np.abs(ref))))
        assert err < 1e-6, f"{name} disagrees with rebuild by {err:.2e}"
        rates[name] = rate
        print(f"  {name:<12} {rate:9.0f} solves/s   x{rate / rates['rebuild']:6.2f} vs rebuild"
              f"   (max rel. diff from rebuild {err:.1e})")
    for name, what in [("catalog", "coopt.run per point (build, solve, certificate)"),
                       ("persistent", "PersistentSolve(fast=False): the interface's solve(), certificate"),
                       ("fast", "PersistentSolve: changed Params + HiGHS run, certificate"),
                       ("fast-nocert", "PersistentSolve, certify='none' (as the fast path before certificates)"),
                       ("highspy", "hand-written persistent highspy model, no certificate")]:
        print(f"{what:<70} {rates[name] / rates['rebuild']:5.1f}x vs rebuild, {rates[name] / rates['catalog']:5.1f}x "
              "vs coopt.run")
    print("(rebuild: a new model and a bare pyomo.contrib.solver solve, no certificate; the acceptance ratio, "
          "against rebuild + coopt.solve, is printed by bench_itinfra_figures.py)")

    big = grid(4 * len(points))
    print(f"\nrun_sweep end to end, {len(big)} points, LocalCluster with 2 worker processes (started before):")
    with tempfile.TemporaryDirectory() as tmp, cluster_session():
        run_sweep(catalog_point, grid(4), Path(tmp) / "warm-up", workers=2, progress=False)  # starts the cluster
        engine: dict[str, float] = {}
        for name, fn in [("catalog", catalog_point),
                         ("persistent", PersistentPyomo(build_coordinator, "QP", fast=False)),
                         ("fast", PersistentPyomo(build_coordinator, "QP")), ("highspy", HighspyCoordinator())]:
            t0 = time.perf_counter()
            frame = run_sweep(fn, big, Path(tmp) / name, workers=2, progress=False)
            engine[name] = len(big) / (time.perf_counter() - t0)
            if name != "catalog":
                other = run_sweep(catalog_point, big, Path(tmp) / "catalog", workers=0, progress=False)  # resumed
                err = np.max(np.abs(frame["objective"] - other["objective"]))
                assert err < 1e-6 * max(1.0, float(np.max(np.abs(other["objective"])))), err
            print(f"  {name:<11} {engine[name]:9.0f} points/s   "
                  f"x{engine[name] / engine['catalog']:5.1f} vs catalog")
        bench_sweep_problem(int(round(np.sqrt(len(big)))))


def bench_sweep_problem(n_side: int) -> None:
    prob = "itinfra.coordinator"  # its Pyomo formulation declares `params`: the persistent path applies
    grids = {"alpha": (0.05, 0.95, n_side), "beta": (0.55, 1.0, n_side)}
    print(f"\nsweep_problem (coopt sweep) {n_side}x{n_side} points, j = {J}, same 2 worker processes:")
    with tempfile.TemporaryDirectory() as tmp:
        res, rates = {}, {}
        for name, persistent in [("generic", False), ("persistent", True)]:
            t0 = time.perf_counter()
            res[name] = sweep_problem(prob, DATA, grids, options={"j": str(J)}, workers=2, progress=False,
                                      out_dir=Path(tmp) / name, persistent=persistent)
            rates[name] = len(res[name]) / (time.perf_counter() - t0)
            print(f"  {name:<11} {rates[name]:9.0f} points/s   x{rates[name] / rates['generic']:5.1f} vs generic")
        err = np.max(np.abs(res["generic"]["objective"] - res["persistent"]["objective"]))
        assert err < 1e-6, err


if __name__ == "__main__":
    main()
