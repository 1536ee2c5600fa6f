"""dpshare.design: the exact Lemma-1 scan at n = 1,000,000 (< 2 s) and the MILP agreement for n <= 200.

Baseline measured in the same run: the same scan written as a plain Python loop. Prints ratios.
Run: python benchmarks/bench_dpshare_design.py
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare.design import solve_exact


def python_scan(c: list[float], sigma2: float, alpha: float) -> tuple[int, float]:
    """Eq. (3)-(4) with sorted() and a Python loop (baseline)."""
    c = sorted(c)
    n = len(c)
    best_k, best = 0, n * sigma2
    W = (c[0] ** 2 / 2) ** (1 / 3)
    for k in range(2, n + 1):
        W += (c[k - 1] ** 2 / 2) ** (1 / 3)
        sc = (n + 1 - k) * sigma2 + 3 * k ** ((2 * alpha - 1) / 3) * W
        if sc <= best:
            best_k, best = k, sc
    return best_k, best


def _digest_time(inst) -> float:
    t0 = time.perf_counter()
    inst.digest()
    return time.perf_counter() - t0


def main() -> int:
    rng = np.random.default_rng(0)
    n = 1_000_000
    c = rng.uniform(1e-4, 1e-1, n)
    ok = True
    for alpha in (-0.5, 0.75):
        t0 = time.perf_counter()
        order = np.sort(c)
        res = solve_exact(order, 1.0, alpha)
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        kb, scb = python_scan(c.tolist(), 1.0, alpha)
        t_loop = time.perf_counter() - t0
        same = kb == res["k"] and math.isclose(scb, res["social_cost"], rel_tol=1e-9)
        ok &= same and t_fast < 2.0
        print(f"design n={n:,} alpha={alpha:+.2f}: exact scan {t_fast:.3f} s (target < 2 s), python loop "
              f"{t_loop:.3f} s, ratio {t_loop / t_fast:.1f}x, k*={res['k']}, same answer: {same}")
    run("dpshare.design", from_costs([0.1, 0.2], sigma2=1.0, alpha=0.0), solver="exact")  # warm-up (imports)
    t0 = time.perf_counter()
    big = from_costs(c, sigma2=1.0, alpha=0.75)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = run("dpshare.design", big, solver="exact")
    t_run = time.perf_counter() - t0
    print(f"design n={n:,} through coopt.catalog.run: {t_run:.2f} s (of which the core's instance digest "
          f"~{_digest_time(big):.2f} s); validating the 1e6-row instance: {t_load:.2f} s; k* = "
          f"{len(r.solution['coalition']):,}")
    for n in (10, 50, 100, 200):
        inst = from_costs(rng.uniform(1e-3, 5e-2, n), sigma2=0.3, alpha=1.0)
        t0 = time.perf_counter()
        a = run("dpshare.design", inst, solver="exact")
        t_a = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = run("dpshare.design", inst, solver="highs")
        t_b = time.perf_counter() - t0
        agree = math.isclose(a.objective, b.objective, rel_tol=1e-7) and a.solution["coalition"] == sorted(
            b.solution["coalition"], key=inst.names.index)
        ok &= agree
        print(f"design n={n}: exact {t_a * 1e3:.1f} ms, MILP (HiGHS) {t_b:.2f} s, ratio {t_b / t_a:.0f}x, "
              f"k* = {len(a.solution['coalition'])}, SC {a.objective:.6f} vs {b.objective:.6f}, agree: {agree}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
