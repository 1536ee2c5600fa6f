"""Stage 2 on kept models (PersistentSolve) gives the table of fresh builds and of the exact method."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.games.itinfra.stage2_persistent import Stage2Solves
from coopt.games.itinfra.stage2_table import exact_table, solve_stage2


def test_kept_models_give_the_tables_of_fresh_builds_and_of_the_exact_method():
    base = coopt.load("itinfra/paper-figure1")
    sizes = Stage2Solves("highs")
    rng = np.random.default_rng(5)
    cases = [dict(alpha=float(rng.uniform(0.05, 0.95)), beta=float(rng.uniform(0.55, 1.0)),
                  kappa=float(rng.uniform(0.05, 0.45))) for _ in range(4)]
    cases += [dict(n=6, alpha=0.3), dict(n=6, alpha=0.7, p=2.0), dict(g_max=0.2, alpha=0.1)]  # other shapes
    for over in cases:
        inst = base.with_overrides(**over)
        kept = solve_stage2(inst, "highs", solve_size=sizes)
        fresh = solve_stage2(inst, "highs")
        exact = exact_table(inst.n, inst.kappa, inst.beta, inst.alpha, inst.p, inst.g_max)
        assert kept.status.value == "optimal" and kept.solves == fresh.solves == inst.n
        for name in ("S_in", "S_out", "G"):
            np.testing.assert_allclose(getattr(kept, name), getattr(fresh, name), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(getattr(kept, name), getattr(exact, name), rtol=1e-7, atol=1e-9)
        assert float(kept.S_single) == pytest.approx(float(exact.S_single), rel=1e-7)
    assert len(sizes.models) == 10 + 6 + 10  # one model per size j in {0, 2..n} for each (n, g_max) met
