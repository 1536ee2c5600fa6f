"""dpshare.design: the exact Lemma-1 scan at n = 1,000,000 (< 2 s), a 10^6-agent instance validated in
< 1 s (issue 9 point 7: 6.9 s row by row through pydantic before), its digest computed once, and the
MILP agreement for n <= 200.

Baseline measured in the same run: the same scan written as a plain Python loop. Prints ratios.
Run: python benchmarks/bench_dpshare_design.py [--no-fail]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _target import add_no_fail, check, finish, target

import coopt
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


def _best_of(fn, k: int = 3) -> tuple[float, object]:
    """The best wall time of k calls (the machine is shared: the minimum is the least disturbed)."""
    best, out = math.inf, None
    for _ in range(k):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description="dpshare.design benchmark")
    add_no_fail(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = 1_000_000
    c = rng.uniform(1e-4, 1e-1, n)
    for alpha in (-0.5, 0.75):
        t0 = time.perf_counter()
        order = np.sort(c)
        res = solve_exact(order, 1.0, alpha)
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        kb, scb = python_scan(c.tolist(), 1.0, alpha)
        t_loop = time.perf_counter() - t0
        same = kb == res["k"] and math.isclose(scb, res["social_cost"], rel_tol=1e-9)
        print(f"design n={n:,} alpha={alpha:+.2f}: exact scan {t_fast:.3f} s, python loop "
              f"{t_loop:.3f} s, ratio {t_loop / t_fast:.1f}x, k*={res['k']}")
        target(f"design exact scan n=1e6 alpha={alpha:+.2f}", t_fast, 2.0, "s")
        check(f"design n=1e6 alpha={alpha:+.2f}: same k* and social cost as the Python loop", same)
    run("dpshare.design", from_costs([0.1, 0.2], sigma2=1.0, alpha=0.0), solver="exact")  # warm-up (imports)

    # issue 9 point 7: a 10^6-agent instance validated (columns, not 10^6 pydantic rows)
    t_load, big = _best_of(lambda: from_costs(c, sigma2=1.0, alpha=0.75))
    c0 = time.process_time()
    from_costs(c, sigma2=1.0, alpha=0.75)
    cpu_load = time.process_time() - c0
    names = [f"agent-{i}" for i in range(n)]
    t_named, _ = _best_of(lambda: from_costs(c, sigma2=1.0, alpha=0.75, names=names))
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "agents.csv"
        table.write_text("name,c\n" + "\n".join(f"{a},{x!r}" for a, x in zip(names, c.tolist())) + "\n")
        (Path(tmp) / "big.yaml").write_text("family: dpshare\nsigma2: 1.0\nalpha: 0.75\nplayers: agents.csv\n")
        t_csv, from_file = _best_of(lambda: coopt.load(Path(tmp) / "big.yaml"), 1)
    print(f"10^6 agents: from_costs {t_load:.3f} s (best of 3; {cpu_load:.3f} CPU-s), with given names "
          f"(checked unique, non-empty) {t_named:.3f} s, from a CSV file (pandas read + checks) {t_csv:.3f} s")
    target("10^6-agent dpshare instance validated (from_costs)", t_load, 1.0, "s")
    check("10^6-agent CSV instance equals the in-memory one", np.array_equal(from_file.c, big.c)
          and from_file.n == n)
    t0 = time.perf_counter()
    big.digest()
    t_digest = time.perf_counter() - t0
    t0 = time.perf_counter()
    big.digest()
    t_again = time.perf_counter() - t0
    print(f"instance digest: first call {t_digest:.2f} s, second call {t_again * 1e6:.0f} us (cached)")
    target("instance digest recomputed per call (second call)", t_again, 1e-3, "s")
    t0 = time.perf_counter()
    r = run("dpshare.design", big, solver="exact")
    t_run = time.perf_counter() - t0
    print(f"design n={n:,} through coopt.catalog.run: {t_run:.2f} s (digest already cached); k* = "
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
        print(f"design n={n}: exact {t_a * 1e3:.1f} ms, MILP (HiGHS) {t_b:.2f} s, ratio {t_b / t_a:.0f}x, "
              f"k* = {len(a.solution['coalition'])}, SC {a.objective:.6f} vs {b.objective:.6f}")
        check(f"design n={n}: exact and MILP agree", agree)
    return finish(args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
