"""dpshare.equilibria: all Nash and robust coalitions by enumeration at n = 20 (< 30 s), and the largest
robust coalition at n = 1,000,000 (< 2 s).

Baselines measured in the same run: the same O(1) tests in a plain Python loop over the 2^20 subsets,
and the largest-robust scan written as a Python loop. Prints ratios.
Run: python benchmarks/bench_dpshare_equilibria.py [--no-fail]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _target import add_no_fail, check, finish, target

from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare.stability import enumerate_stable, python_loop_stable


def python_largest_robust(c: list[float], sigma2: float, alpha: float) -> int:
    c = sorted(c)
    p = (2 * alpha + 1) / 3
    W, K = 0.0, 0
    for k, ci in enumerate(c, start=1):
        wi = (ci * ci / 2) ** (1 / 3)
        W += wi
        if k >= 2 and (W + 2 * wi) * k**p / (k - 1) <= sigma2:
            K = k
    return K


def main() -> int:
    ap = argparse.ArgumentParser(description="dpshare.equilibria benchmark")
    add_no_fail(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    n = 20
    # an instance with many equilibria: clustered costs, sigma2 inside the exit windows
    c = np.sort(rng.uniform(1e-3, 3e-3, n))
    alpha = 0.5
    s2 = float(cf.prefix_T(c, alpha)[8] * 1.02)
    # second case: sigma2 so large that every subset passes the exit test (no pruning anywhere)
    s2_all = float(10 * cf.T(cf.w(c[-2:]).sum(), cf.w(c[-1]), 2, alpha))
    for label, sig in (("many equilibria", s2), ("no pruning", s2_all)):
        t_vec = float("inf")
        for _ in range(3):  # best of 3: the first call pays for allocating the 2^20-row arrays
            t0 = time.perf_counter()
            e = enumerate_stable(c, sig, alpha)
            t_vec = min(t_vec, time.perf_counter() - t0)
        t0 = time.perf_counter()
        nash, robust = python_loop_stable(c, sig, alpha)
        t_loop = time.perf_counter() - t0
        same = sorted(nash) == sorted(map(int, e.nash)) and sorted(robust) == sorted(map(int, e.robust))
        print(f"enumeration n={n} (2^{n} subsets, {label}): vectorised {t_vec:.2f} s (best of 3), plain Python "
              f"loop {t_loop:.2f} s, ratio {t_loop / t_vec:.1f}x; {e.nash.size} Nash, {e.robust.size} robust")
        target(f"enumeration n={n} ({label})", t_vec, 30.0, "s")
        check(f"enumeration n={n} ({label}): same Nash and robust sets as the Python loop", same)
    inst = from_costs(c, s2, alpha)
    t0 = time.perf_counter()
    r = run("dpshare.equilibria", inst, solver="exact", limit=50)
    t_full = time.perf_counter() - t0
    print(f"dpshare.equilibria n={n} (enumeration + 50 definition-based certificates per kind): {t_full:.2f} s; "
          f"worst certificate {max(x['max_deviation_gain'] for x in r.solution['robust']):.2e}")
    target(f"dpshare.equilibria n={n} with certificates", t_full, 30.0, "s")

    n = 1_000_000
    c = rng.uniform(1e-5, 1e-2, n)
    for alpha, s2 in ((-0.8, 0.05), (0.5, 3.0)):
        t0 = time.perf_counter()
        K = int(cf.largest_robust(np.sort(c), s2, alpha))
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        Kb = python_largest_robust(c.tolist(), s2, alpha)
        t_loop = time.perf_counter() - t0
        print(f"largest robust n={n:,} alpha={alpha:+.1f}: {t_fast:.3f} s (incl. sort), Python loop "
              f"{t_loop:.3f} s, ratio {t_loop / t_fast:.1f}x, K = {K:,}")
        target(f"largest robust coalition n=1e6 alpha={alpha:+.1f}", t_fast, 2.0, "s")
        check(f"largest robust n=1e6 alpha={alpha:+.1f}: same K as the Python loop", K == Kb)
    return finish(args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
