"""The LP certificate at the cost of the solve: least-core LP of a 12-player game (issue 14, point 2).

Times, on one least-core LP (2^12 - 2 stability rows, 13 free variables) solved by HiGHS through
Pyomo, the two ways coopt can certify it:

* before: Pyomo's symbolic differentiation of every constraint + a dense bounded least-squares
  solve on the active set (``certificate.kkt_residual``) and the primal residual loop;
* after: Pyomo's sparse standard form read once and HiGHS's duals checked in vectorised numpy
  (``certificate.linear_certificate``): primal residual, dual residual and a Lagrangian bound.

Prints the ratio (measured in one run); exits 1 if the new path is not faster than the old one
(``--no-fail`` to only print).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def least_core_model(n: int, seed: int = 0):
    from coopt.formulations.vaccine.core_lp import CoalitionValues, build_least_core

    rng = np.random.default_rng(seed)
    masks = np.arange(2**n)
    size = np.array([bin(m).count("1") for m in masks])
    v = size**1.3 * rng.uniform(0.8, 1.2, 2**n)
    v[0] = 0.0
    game = CoalitionValues(tuple(f"p{i}" for i in range(n)), v)
    return build_least_core(game)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--no-fail", action="store_true")
    args = ap.parse_args()
    from coopt.solve import pyomo_backend as pb
    from coopt.solve.certificate import kkt_residual, linear_certificate, primal_residual

    m = least_core_model(args.n)
    t0 = time.perf_counter()
    status, res, _ = pb._solve_new_api(m, "highs", {})
    t_solve = time.perf_counter() - t0
    duals = res.solution_loader.get_duals()
    t0 = time.perf_counter()
    old = (primal_residual(m), kkt_residual(m))
    t_old = time.perf_counter() - t0
    t0 = time.perf_counter()
    new = linear_certificate(m, duals)
    t_new = time.perf_counter() - t0
    print(f"least-core LP, n = {args.n}: {2**args.n - 2} rows; HiGHS solve {t_solve:.3f} s ({status.value})")
    print(f"  before (differentiate + dense BVLS): {t_old:.3f} s   primal {old[0]:.1e}  KKT {old[1]:.1e}")
    print(f"  after  (standard form + duals)     : {t_new:.3f} s   primal {new.primal_residual:.1e}  "
          f"dual {new.dual_residual:.1e}  bound {new.bound:.12g} (objective {m.least_core():.12g})")
    ratio = t_old / t_new
    print(f"  speed-up: {ratio:.1f}x   certificate / solve time: before {t_old / t_solve:.1f}, "
          f"after {t_new / t_solve:.2f}")
    if ratio < 1.0 and not args.no_fail:
        print("target missed: the certificate from the duals must be faster", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
