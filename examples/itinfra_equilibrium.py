"""Walk-through: which coalitions form, which is best for society, and what subsidy aligns the two.

Run:  .venv/bin/python examples/itinfra_equilibrium.py
For the paper's setting (n = 10, kappa = 0.35) at a few (alpha, beta) points it solves Stage 2 for every
coalition size with HiGHS, finds every equilibrium size and the welfare-optimal size, compares them with
Propositions 2 and 4, and computes the paper's incentive schedule and coopt's least-cost one. It exits
non-zero if a model-based answer disagrees with the corrected closed forms.
"""

from __future__ import annotations

import coopt
from coopt.formulations.itinfra import closed_form as cf

base = coopt.load("itinfra/paper-figure1")
print(f"{'beta':>5} {'alpha':>5} {'equilibria':>11} {'Prop.2':>6} {'printed':>7} {'optimum':>8} {'Prop.4':>6}")
for beta, alpha in [(0.55, 0.45), (0.7, 0.25), (0.7, 0.5), (0.9, 0.9), (0.52, 0.1)]:
    inst = base.with_overrides(beta=beta, alpha=alpha)
    eq = coopt.run("itinfra.equilibrium", inst, solver="highs")
    opt = coopt.run("itinfra.social_optimum", inst, solver="highs")
    fixed = int(cf.j_star_eqm(inst.n, inst.kappa, beta, alpha))
    printed = int(cf.j_star_eqm_printed(inst.n, inst.kappa, beta, alpha))
    rule = int(cf.j_star_sw(inst.n, inst.kappa, beta, alpha))
    print(f"{beta:5.2f} {alpha:5.2f} {str(eq.solution['equilibria']):>11} {fixed:6d} {printed:7d} "
          f"{opt.solution['size']:5d} ({opt.solution['structure'][:4]}) {rule:3d}")
    assert eq.solution["equilibria"] == [fixed]  # unique, and the corrected Prop. 2
    assert opt.solution["size"] == rule
    for m in eq.messages:
        print("   note:", m)

# Incentives at the notes' worked case: the paper's schedule works at beta = 0.55 ...
inst = coopt.load("itinfra/worked-case")
r = coopt.run("itinfra.incentives", inst, solver="exact")
print(f"\nworked case: target size {r.solution['target_size']}, budgets {r.values['budget']}")
assert r.values["paper_aligned_all_alphas"]
assert r.values["budget"]["least_cost"] <= r.values["budget"]["paper"]
# ... but not at beta = 0.8, where coopt says so and the LP still delivers the optimum
r = coopt.run("itinfra.incentives", inst.with_overrides(beta=0.8, alpha=0.3), solver="exact")
target = r.solution["target_size"]
print(f"beta = 0.8, alpha = 0.3: target {target}, paper's schedule gives equilibria "
      f"{r.values['paper_equilibria']}; least-cost phi_j* = {r.solution['phi']['least_cost'][str(target)]:.5f}")
assert not r.values["paper_aligned_all_alphas"] and r.ok
for m in r.messages:
    print("   note:", m)
