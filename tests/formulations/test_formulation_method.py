"""A native formulation declares its method (exact / heuristic); which solver serves it follows the declaration."""

from __future__ import annotations

import pytest

from coopt.formulations.base import Formulation
from coopt.problems import formulation_solvers, problems


def _build(instance, **_):  # pragma: no cover - never called
    return None


@pytest.mark.parametrize("layer, method", [("native", ""), ("native", "global"), ("pyomo", "exact")])
def test_a_method_is_declared_by_native_formulations_only(layer, method):
    with pytest.raises(ValueError, match="method"):
        Formulation("f", layer, "LP", _build, method=method)


def test_native_solvers_follow_the_declared_method():
    seen = set()
    for prob in problems().values():
        for f in prob.formulations:
            if f.layer == "native":
                assert formulation_solvers(f) == [f.method], (prob.name, f.name)
                seen.add(f.method)
            else:
                assert not f.method and "exact" not in formulation_solvers(f)
    assert seen == {"exact", "heuristic"}
