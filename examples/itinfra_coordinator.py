"""Walk-through: the coalition coordinator's problem (eq. 3) on your own data, every solver, and the paper.

Run:  .venv/bin/python examples/itinfra_coordinator.py
It writes a small data file, solves the coordinator's QP for every coalition size with several solvers,
and checks each optimum against Proposition 1's closed form (it exits non-zero if one disagrees).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import coopt
from coopt.formulations.itinfra import closed_form as cf

DATA = """family: itinfra
name: five-districts
n: 5
kappa: 0.3
beta: 0.8
alpha: 0.6
p: 2.0
"""

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "five.yaml"
    path.write_text(DATA)
    inst = coopt.load(path)

print(f"{'j':>2} {'solver':>12} {'status':>8} {'CW(j)':>12} {'g_in':>10} {'gap':>9} {'KKT':>9} {'vs paper':>9}")
for j in range(2, inst.n + 1):
    for solver in ("highs", "ipopt", "scip", "clarabel"):
        res = coopt.run("itinfra.coordinator", inst, solver=solver, j=j)
        print(f"{j:>2} {solver:>12} {res.status.value:>8} {res.objective:12.8f} {res.solution['g_in']:10.6f} "
              f"{res.gap or 0:9.1e} {res.kkt_residual or 0:9.1e} {res.closed_form_error:9.1e}")
        assert res.ok
        assert abs(res.objective - cf.CW(j, inst.n, inst.kappa, inst.beta, inst.alpha, inst.p)) < 1e-6 * res.objective
        assert abs(res.solution["g_in"] - cf.g_in(j, inst.kappa, inst.alpha, inst.p)) < 1e-6

# Prop. 1(a): members invest less as the coalition grows; (c) below j_check they out-invest outsiders.
levels = [coopt.run("itinfra.coordinator", inst, j=j).solution["g_in"] for j in range(2, inst.n + 1)]
assert all(a > b for a, b in zip(levels, levels[1:]))
jc = cf.j_check(inst.kappa, inst.alpha)
for j, g in zip(range(2, inst.n + 1), levels):
    assert (g >= cf.g_out(inst.kappa, inst.p)) == (j <= jc)
print(f"g_in falls with j (Prop. 1a); g_in >= g_out exactly for j <= j_check = {jc:.3f} (Prop. 1c)")
