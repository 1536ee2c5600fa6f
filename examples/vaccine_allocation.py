"""Walk-through: how should a coalition of regions share its vaccines? Problem (1) of the vaccine paper.

Run: python examples/vaccine_allocation.py   (asserts its own results; about ten seconds)

1. Example 3 (three identical logistic players, r = (0.1, 1, 0.65)) with every formulation of
   vaccine.allocation: the exact KKT enumeration (global, with a certificate), SCIP on the
   declarative model, Ipopt from two starts (local: the start matters), the PWL MILP (an upper
   bound), and the paper's heuristic B.1 (it falls short: 2.0000 instead of 2.3319).
2. The ten US regions (Table 1, SIR return functions of Appendix C): v(N), the coalition of the
   North-East, and the sweet-spot total sum_i f~_i M_i per vaccination day tau -- the threshold of
   Section 7 (paper: 3.6e7 at tau = 0, 0 for tau >= 40; coopt: 4.40e7 and 0 only from tau = 45).
"""

from __future__ import annotations

import logging

import coopt
from coopt.catalog import run
from coopt.games.vaccine.characteristic import coalition_value


def main() -> None:
    logging.getLogger("pyomo").setLevel(logging.ERROR)
    ex3 = coopt.load("vaccine/example-3")
    rows = []
    for solver, opts in [("exact", {}), ("scip", {}), ("ipopt", {"start": "pro-rata"}),
                         ("ipopt", {"start": "heuristic"}), ("highs", {"pieces": 32}), ("heuristic", {})]:
        res = run("vaccine.allocation", ex3, solver=solver, **opts)
        sol = res.solution
        rows.append((solver, opts.get("start", ""), res.status.value, sol["value"], sol["bound"]))
        print(f"{solver:9s} {opts.get('start', ''):9s} {res.status.value:16s} v = {sol['value']:.6f}  "
              f"bound = {sol['bound'] if sol['bound'] is None else round(sol['bound'], 6)}  "
              f"f = { {k: round(x, 4) for k, x in sol['f'].items()} }")
    exact = rows[0][3]
    assert abs(exact - 2.331900) < 1e-6 and rows[0][4] - exact < 1e-9  # certified global optimum
    assert abs(rows[1][3] - exact) < 1e-5  # SCIP (global) agrees
    assert abs(rows[2][3] - exact) < 1e-6 and rows[3][3] < exact - 0.1  # Ipopt: local, start-dependent
    assert rows[4][4] >= exact and rows[4][3] <= exact + 1e-9  # MILP: upper bound, feasible point below
    assert rows[5][3] < exact - 0.3  # heuristic B.1 (+ repair): 2.0000, far below

    us = coopt.load("vaccine/us-hhs-2009")
    v, bound, f = coalition_value(us, None)
    print(f"\nten US regions, tau = 10, V = 3e7 pro rata: v(N) = {v:,.0f} people escape infection "
          f"(certified bound {bound:,.0f})")
    ne = ["New England", "New York Area", "Mid-Atlantic"]
    v_ne, _, f_ne = coalition_value(us, ne)
    print(f"  coalition {ne}: v = {v_ne:,.0f}; f = { {k: round(x, 4) for k, x in f_ne.items()} }")
    assert bound - v <= 1e-9 * v and v_ne < v
    heur = run("vaccine.allocation", us, solver="heuristic").solution["value"]
    print(f"  heuristic B.1: {heur:,.0f} ({v - heur:,.0f} people short of the optimum)")
    assert heur <= v

    print("\nsum_i f~_i M_i per vaccination day tau (Section 7 threshold):")
    total = {}
    for tau in range(0, 51, 5):
        inst = coopt.load(us, overrides={"return_function": {**us.return_function, "tau": tau}})
        total[tau] = sum(fn.f_tilde * m for fn, m in zip(inst.functions, inst.M))
        print(f"  tau = {tau:2d}: {total[tau]:.3e}")
    assert abs(total[0] - 4.40e7) < 0.01e7 and total[40] > 0 and total[45] == 0.0


if __name__ == "__main__":
    main()
