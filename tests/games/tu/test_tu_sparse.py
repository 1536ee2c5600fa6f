"""Games of 26..30 players listed sparsely (missing: zero): exact separation, least core by generation."""

from __future__ import annotations

import json

import numpy as np
import pytest

import coopt.data.tu.game as game_mod
from coopt.data.tu.game import SparseTUGame, TUGame, subset_sums
from coopt.games.tu.generation import least_core_cg
from coopt.games.tu.oracle import SparseOracle, TableOracle
from coopt.solve.result import Status


def small_sparse(monkeypatch, names, masks, vals):
    """A SparseTUGame below 26 players (the class's limit lowered for the test) to compare with a table."""
    monkeypatch.setattr(game_mod, "DENSE_MAX", 2)
    g = SparseTUGame(names, masks, vals)
    monkeypatch.undo()
    return g


def test_sparse_oracle_equals_the_table_oracle(monkeypatch):
    rng = np.random.default_rng(0)
    for trial in range(60):
        n = int(rng.integers(3, 9))
        L = rng.choice(np.arange(1, 2**n), size=int(rng.integers(1, 2**n - 1)), replace=False)
        vals = 3 * rng.normal(size=L.size)
        names = tuple(f"p{i}" for i in range(n))
        dense = np.zeros(2**n)
        dense[L] = vals
        dg, sg = TUGame(names, dense), small_sparse(monkeypatch, names, L, vals)
        x = rng.normal(size=n) if trial % 3 else np.round(rng.normal(size=n))
        k = int(rng.integers(1, 6))
        a, b = SparseOracle(sg).separate(x, k), TableOracle(dg).separate(x, k)
        assert a.status == Status.OPTIMAL and a.upper_bound == pytest.approx(b.upper_bound, abs=1e-12)
        ex = dg.v - subset_sums(x)
        assert sorted(ex[c.mask] for c in a.coalitions) == pytest.approx(sorted(ex[c.mask] for c in b.coalitions))
        lc_s, lc_d = least_core_cg(SparseOracle(sg)), least_core_cg(TableOracle(dg))
        assert lc_s.epsilon == pytest.approx(lc_d.epsilon, abs=1e-9 * dg.scale())


@pytest.fixture
def game28(tmp_path):
    """28 players; v(N) = 28, v(T) = 20 for T = the first ten, every other coalition 0 (missing: zero).
    Least core: x(T) = 20 - e and the other 18 players at -e each give e* = -8/19 (closed form)."""
    names = [f"q{i:02d}" for i in range(28)]
    f = tmp_path / "g28.yaml"
    f.write_text("family: tu\nname: g28\nmissing: zero\nplayers: [" + ", ".join(names) + "]\nvalues:\n"
                 f"  {'+'.join(names)}: 28\n  {'+'.join(names[:10])}: 20\n")
    return f


def test_28_players_least_core_core_and_sampled_shapley(game28, main_cli):
    code, out, err = main_cli("solve", "tu.least_core", "--data", str(game28), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["solution"]["epsilon"] == pytest.approx(-8 / 19, abs=1e-9)
    assert d["certificate"]["max_excess_bound"] == pytest.approx(-8 / 19, abs=1e-9)
    assert abs(d["certificate"]["separation_bound"]) <= 1e-9
    assert d["solution"]["game"]["values_used"] == 2
    code, out, err = main_cli("solve", "tu.core", "--data", str(game28), "--format", "json")
    assert code == 0 and json.loads(out)["solution"]["core_empty"] is False
    code, out, err = main_cli("solve", "tu.shapley", "--data", str(game28), "--set", "samples=200", "--format", "json")
    assert code == 1  # an estimate is not a proven value
    sol = json.loads(out)["solution"]
    assert sum(sol["allocation"].values()) == pytest.approx(28.0)
    for problem in ("tu.nucleolus", "tu.banzhaf", "tu.shapley"):
        code, out, err = main_cli("solve", problem, "--data", str(game28))
        assert code == 2 and "2^n" in err and len(err.strip().splitlines()) == 1
