"""Walk-through: is there a fair way to share vaccines? Examples 2 and 3 of the vaccine paper.

Run: python examples/vaccine_core.py   (asserts its own results; about ten seconds)

1. Exact coalition values v(S) of Example 3 (three identical logistic players, r = (0.1, 1, 0.65)).
2. The least core: e* < 0, so the core is non-empty; coopt returns a core allocation.
3. The market question: no single price puts a market allocation in the core (LP (18)-(23) > 0),
   although the core is not empty -- the paper's point of Example 3.
4. Example 2 (r = 1/3 each): the core is empty, and coopt proves it with balancing weights
   (1/2 on each pair: the pairs together claim 1.5 * 0.9933 > v(N) = 1).
5. Any allocation can be checked: the most violated coalition of the equal split of Example 2.
"""

from __future__ import annotations

import coopt
from coopt.catalog import run
from coopt.games.vaccine.core import most_violated


def main() -> None:
    ex3 = coopt.load("vaccine/example-3")
    core = run("vaccine.core", ex3)
    sol = core.solution
    print(f"Example 3: e* = {sol['least_core_epsilon']:.6f}, core empty: {sol['empty']}")
    print(f"  a core allocation: { {k: round(v, 4) for k, v in sol['allocation'].items()} }")
    assert not sol["empty"] and abs(sol["least_core_epsilon"] - (-0.115321)) < 1e-5

    market = run("vaccine.market", ex3).solution
    print(f"  market LP (18)-(23): p_max - p_min = {market['lp_objective']:.4f}; "
          f"market allocation in core: {market['market_allocation_in_core']}")
    assert not market["market_allocation_in_core"] and abs(market["lp_objective"] - 1.7980) < 1e-3
    for key, p in market["prices"].items():
        print(f"  {key} = {p['price']:.4f}: in core {p['in_core']}, most violated {p['most_violated']}")

    ex2 = coopt.load("vaccine/example-2")
    sol2 = run("vaccine.core", ex2).solution
    print(f"Example 2: e* = {sol2['least_core_epsilon']:.6f}, core empty: {sol2['empty']}")
    for w in sol2["balancing_weights"]:
        print(f"  balancing weight {w['weight']:.3f} on {w['members']}")
    assert sol2["empty"] and abs(sol2["least_core_epsilon"] - 0.326640) < 1e-5
    assert sol2["balanced_excess"] > 0  # sum_S lambda_S v(S) > v(N): no allocation can satisfy all

    names = [str(p.name) for p in ex2.players]
    v_N = 1.0
    mv = most_violated(ex2, {nm: v_N / 3 for nm in names})
    print(f"  equal split: most violated coalition {mv['members']} by {mv['excess']:.4f}")
    assert not mv["in_core"] and len(mv["members"]) == 2


if __name__ == "__main__":
    main()
