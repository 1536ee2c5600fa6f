"""Walk-through: districts with different costs (Appendix B), from a table of districts.

Run:  .venv/bin/python examples/itinfra_heterogeneous.py
It writes a data file with a CSV of districts (three cost types), solves the coordinator's non-convex
problem (B.1) with Ipopt (local) and SCIP (global, with its bound) against the exact reduction, and lists
every equilibrium composition. It exits non-zero if the solvers disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import coopt
import coopt.data.itinfra.heterogeneous  # noqa: F401  (registers the itinfra-het family)

with tempfile.TemporaryDirectory() as tmp:
    Path(tmp, "districts.csv").write_text("name,p\nNorth,3.0\nEast,2.0\nWest,2.0\nSouth,1.0\nCentre,1.0\n")
    Path(tmp, "het.yaml").write_text(
        "family: itinfra-het\nname: five-districts\nkappa: 0.3\nbeta: 0.75\nalpha: 0.45\ndistricts: districts.csv\n")
    inst = coopt.load(Path(tmp, "het.yaml"))

print(f"cost types p = {inst.costs}, districts per type = {inst.counts}")
for comp in ("1,1,1", "0,2,2", "1,2,2"):
    ref = coopt.run("itinfra.het_coordinator", inst, solver="exact", composition=comp)
    for solver in ("ipopt", "scip"):
        r = coopt.run("itinfra.het_coordinator", inst, solver=solver, composition=comp)
        print(f"composition {comp:>6} {solver:>6}: {r.status.value:>15} CW = {r.objective:.8f} "
              f"(exact {ref.objective:.8f}) g by type {r.solution['g_in']}")
        assert abs(r.objective - ref.objective) < 1e-6 * abs(ref.objective)
eq = coopt.run("itinfra.heterogeneous", inst, solver="exact")
print("equilibrium compositions (members per type, highest cost first):", eq.solution["equilibria"])
assert eq.solution["equilibria"]
for m in eq.messages:
    print("   note:", m)
