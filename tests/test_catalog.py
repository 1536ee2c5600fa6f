"""coopt.run: what it sets on every Result, declarative or composed."""

from __future__ import annotations

import pytest

import coopt
from coopt.catalog import get_problem


@pytest.mark.parametrize("problem, data, options", [("itinfra.equilibrium", "itinfra/paper-figure1", {}),
                                                    ("dpshare.best_stable", "dpshare/lemma3-example", {}),
                                                    ("itinfra.coordinator", "itinfra/paper-figure1", {"j": 5})])
def test_run_stamps_problem_hash_and_wall_time(problem: str, data: str, options: dict) -> None:
    inst = coopt.load(data)
    res = coopt.run(problem, inst, solver="exact" if get_problem(problem).run else "highs", **options)
    assert res.problem == problem
    assert res.instance_hash == inst.digest()
    assert res.wall_time > 0.0
