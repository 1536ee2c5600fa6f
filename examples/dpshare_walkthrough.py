"""Walk-through: data-sharing coalitions with endogenous privacy levels on your own cost table.

Eight organisations with privacy-cost parameters c_i (examples/dpshare_costs.csv, columns name, c) pool
one data point each (variance sigma^2) and choose their Laplace-noise level eps_i. We ask coopt for

1. the planner's optimum (dpshare.design), by the exact Lemma-1 scan and by the declarative MILP;
2. the privacy levels members choose themselves in that coalition (dpshare.best_response, Clarabel);
3. every Nash-stable and robust coalition (dpshare.equilibria) with certificates;
4. the price of stability (dpshare.price_of_stability).

The same from a shell:  coopt solve dpshare.equilibria --data my.yaml --format json
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import coopt
from coopt.catalog import run

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "my-consortium.yaml"
        data.write_text(
            "family: dpshare\nname: my-consortium\n"
            "sigma2: 0.16        # variance of one organisation's data point\n"
            "alpha: 1.0          # privacy cost grows with the number of members who see the data\n"
            f"players: {HERE / 'dpshare_costs.csv'}\n")
        inst = coopt.load(data)
    print(f"{inst.n} agents, cheapest first: {', '.join(inst.names)}")

    exact = run("dpshare.design", inst, solver="exact")
    milp = run("dpshare.design", inst, solver="highs")
    print(f"planner: coalition {exact.solution['coalition']}, SC = {exact.objective:.5f} "
          f"(MILP: {milp.objective:.5f}), Var = {exact.solution['variance']:.5f}")
    assert abs(exact.objective - milp.objective) < 1e-8

    members = ",".join(exact.solution["coalition"])
    br = run("dpshare.best_response", inst, solver="clarabel", coalition=members)
    print("selfish eps in the planner's coalition: "
          + ", ".join(f"{k}={v:.3f}" for k, v in br.solution["epsilon"].items())
          + f"  (closed-form error {br.closed_form_error:.1e})")
    assert br.closed_form_error < 1e-3
    planner_eps = exact.solution["epsilon"]
    assert all(br.solution["epsilon"][a] < planner_eps[a] for a in planner_eps)   # selfish = more noise

    eq = run("dpshare.equilibria", inst, solver="exact")
    for kind in ("nash", "robust"):
        found = eq.solution[kind]
        print(f"{kind}: {len(found)} coalition(s)")
        for e in found[:5]:
            lo, hi = e["sigma2_window"]
            hi_txt = "inf" if hi is None else f"{hi:.4f}"
            print(f"   {e['coalition']}  SC={e['social_cost']:.5f}  stable for sigma2 in [{lo:.4f}, {hi_txt})"
                  f"  max deviation gain {e['max_deviation_gain']:.2e}")
            assert e["max_deviation_gain"] <= 1e-12 and lo <= inst.sigma2 < (hi or float("inf"))
    pos = run("dpshare.price_of_stability", inst, solver="exact")
    for kind in ("nash", "robust"):
        s = pos.solution[kind]
        print(f"PoS ({kind}): SC {s['pos_sc']:.4f}, Var {s['pos_var']:.4f}  (coalition {s['coalition']})")
        assert s["pos_sc"] >= 1.0
    print(pos.solution["method"])


if __name__ == "__main__":
    main()
