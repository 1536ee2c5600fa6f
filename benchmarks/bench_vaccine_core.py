"""Benchmark: core and least core of a 16-player vaccine game (65,535 coalitions, exact v(S)),
and an estimate of Figure 7 at the 11 x 61 grid on 2 workers.

Targets (issue 4): core + least core with exact v(S) for 16 players under 5 minutes; Figure 7 at the
paper's grid under 10 minutes with 2 workers. Ratios are against baselines measured in the same run:
the least-core LP with all 2**n - 2 rows at once (Pyomo + HiGHS) versus constraint generation.

The Figure 7 estimate runs the real engine (per-tau chunks on 2 Dask worker processes) on every tau
and ``--sample`` values of V, and adds the engine's measured overhead (see ``_figure7.estimate``);
issue 14 found the earlier one-cell extrapolation (8.0 min) about 2x too optimistic. The estimate is
checked against a full run of a reduced grid in tests/experiments/vaccine/test_figure7_estimate.py
(slow); ``bench_vaccine_figure7.py`` measures the whole figure.

    python benchmarks/bench_vaccine_core.py [--players 16] [--sample 6 (0: no Figure 7 estimate)] [--no-fail]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _target import add_no_fail, check, finish, target


def random_instance(n: int, seed: int = 16, d: float = 1.0):
    """n players of Section 6.1's type (ii) (individual logistic functions), resources r ~ U[0, d f~ M]."""
    from coopt.experiments.vaccine.common import make_instance
    from coopt.games.vaccine.market import player_arrays

    rng = np.random.default_rng(seed)
    players = []
    for i in range(n):
        a = float(rng.uniform(25, 100))
        players.append({"name": f"R{i + 1:02d}", "M": float(rng.uniform(10, 100)), "r": 0.0,
                        "return_function": {"type": "logistic", "a": a, "b": float(rng.uniform(0.1, 0.9) * a)}})
    probe = make_instance({"name": "bench-probe", "players": players})
    _, _, _, _, ft = player_arrays(probe, [p["name"] for p in players])
    for p, f in zip(players, ft):
        p["r"] = float(rng.uniform(0, d * f * p["M"]))
    return make_instance({"name": f"bench-{n}", "players": players})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=16)
    ap.add_argument("--sample", type=int, default=6, help="V values per tau in the Figure 7 estimate (0: skip)")
    add_no_fail(ap)
    args = ap.parse_args()

    from coopt.formulations.vaccine.core_lp import CoalitionValues
    from coopt.games.vaccine.characteristic import game_values
    from coopt.games.vaccine.core import core_solution, least_core

    n = args.players
    inst = random_instance(n)
    t0 = time.perf_counter()
    frame = game_values(inst)
    t_values = time.perf_counter() - t0
    game = CoalitionValues.from_frame(frame, names=[str(p.name) for p in inst.players])
    t0 = time.perf_counter()
    lc = least_core(game, generation=True)
    t_gen = time.perf_counter() - t0
    sol = core_solution(lc, 1e-5)
    print(f"{n} players, {2**n - 1} coalitions")
    print(f"  exact v(S) for all coalitions:          {t_values:8.2f} s")
    print(f"  least core by constraint generation:    {t_gen:8.2f} s  ({lc.iterations} rounds, "
          f"{lc.rows_used} of {2**n - 2} rows; e* = {lc.epsilon_star:.6g}, recomputed max excess "
          f"{lc.max_excess_check:.6g}, dual {lc.dual_objective:.6g}; core {'empty' if sol['empty'] else 'non-empty'})")
    t0 = time.perf_counter()
    full = least_core(game, generation=False, with_dual=False)
    t_full = time.perf_counter() - t0
    print(f"  baseline: all rows in one Pyomo LP:     {t_full:8.2f} s  (e* = {full.epsilon_star:.6g})")
    print(f"  ratio all-rows / generation:            {t_full / t_gen:8.1f}x")
    total = t_values + t_gen
    print(f"  core + least core incl. exact v(S):     {total:8.2f} s")
    target(f"core + least core with exact v(S), {n} players", total, 300.0, "s")
    check("least core: generation and all rows give the same e*",
          abs(full.epsilon_star - lc.epsilon_star) <= 1e-7 * max(1.0, float(np.max(np.abs(game.v)))))

    if args.sample:
        from _figure7 import estimate

        est = estimate(7, sample=args.sample)
        print(f"  Figure 7 full grid (671 cells, 2 workers), estimated on the engine: {est.seconds / 60:.1f} min "
              f"(overhead {est.overhead:.1f} s, report {est.report:.1f} s, {est.calibration_cells} calibration cells "
              f"in {est.calibration_wall:.1f} s, {est.cell_cpu:.3f} CPU-s per cell)")
        target("Figure 7 full grid, 2 workers (estimated)", est.seconds, 600.0, "s")
    return finish(args.no_fail)


if __name__ == "__main__":
    raise SystemExit(main())
