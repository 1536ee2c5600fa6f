"""Large vaccine games: the least core by constraint generation against n, beside full enumeration.

Games: the first n players of ``vaccine/us-states`` (each state keeps its resources and its HHS
region's return function), n = 10, 15, 20, 30, 50. Per n, in one run:

* constraint generation: the exact separation oracle (Lagrangian branch and bound) inside the
  least-core master -- time, rounds, coalitions generated, the certified separation bound;
* full enumeration where it fits (n <= 16): all 2^n - 1 exact v(S) (KKT enumeration) and the dense
  least-core LP -- time, and the agreement of epsilon* with constraint generation;
* ratios: enumeration time / generation time.

Targets (exit 1 when one is missed, unless --no-fail): epsilon* agrees with enumeration to 1e-7
relative to v(N) wherever both run; the separation bound is within 1e-6 v(N) of epsilon*; n = 50
finishes in under 600 s.

Run: python benchmarks/bench_large_games.py [--sizes 10,15,20,30,50] [--no-fail]
"""

from __future__ import annotations

import argparse
import time

import coopt
from coopt.games.vaccine.large import least_core_large
from coopt.games.vaccine.separation import VaccineSeparationOracle, subgame
from coopt.solve.result import Status

ENUMERATION_MAX = 16
TARGET_50 = 600.0


def least_core(oracle: VaccineSeparationOracle, tol: float) -> dict:
    """epsilon* by the generic constraint-generation engine (coopt.games.tu.generation) with the oracle."""
    t0 = time.perf_counter()
    lc, _ = least_core_large(oracle, tol=tol)
    return {"engine": lc.engine, "status": lc.status, "epsilon": lc.epsilon, "rounds": lc.rounds,
            "generated": lc.generated, "bound": lc.separation_bound, "time": time.perf_counter() - t0}


def enumeration(inst) -> dict:
    from coopt.games.vaccine.core import exact_game, least_core_epsilon

    t0 = time.perf_counter()
    game, _ = exact_game(inst)
    e, _ = least_core_epsilon(game)
    return {"epsilon": e, "time": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,15,20,30,50")
    ap.add_argument("--tol", type=float, default=1e-7, help="generation stops at bound - e <= tol * v(N)")
    ap.add_argument("--no-fail", action="store_true", help="always exit 0")
    args = ap.parse_args(argv)
    us = coopt.load("vaccine/us-states")
    ok = True
    print(f"{'n':>3} {'engine':>17} {'status':>9} {'epsilon*':>14} {'rounds':>6} {'coal.':>6} {'bound-e':>10} "
          f"{'gen s':>8} {'enum s':>8} {'enum/gen':>8} {'|de|/v(N)':>10}")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        inst = subgame(us, list(us.names[:n]))
        t0 = time.perf_counter()
        oracle = VaccineSeparationOracle(inst)
        vN = oracle.grand_value().value
        prep = time.perf_counter() - t0
        cg = least_core(oracle, args.tol)
        cg["time"] += prep
        gap = (cg["bound"] - cg["epsilon"]) if cg["bound"] is not None and cg["epsilon"] is not None else float("nan")
        ok &= cg["status"] == Status.OPTIMAL and gap <= 1e-6 * vN
        en = enumeration(inst) if n <= ENUMERATION_MAX else None
        ratio = agree = float("nan")
        if en is not None:
            ratio = en["time"] / cg["time"]
            agree = abs(en["epsilon"] - cg["epsilon"]) / vN
            ok &= agree <= 1e-7
        if n >= 50:
            ok &= cg["time"] < TARGET_50
        print(f"{n:>3} {cg['engine']:>17} {cg['status'].value:>9} {cg['epsilon']:>14.6f} {cg['rounds']:>6} "
              f"{cg['generated']:>6} {gap:>10.3g} {cg['time']:>8.1f} "
              f"{(en['time'] if en else float('nan')):>8.1f} {ratio:>8.2f} {agree:>10.2g}", flush=True)
    print(f"targets: epsilon* agrees with enumeration to 1e-7 v(N); bound - e <= 1e-6 v(N); "
          f"n = 50 in < {TARGET_50:.0f} s -> {'met' if ok else 'MISSED'}")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    raise SystemExit(main())
