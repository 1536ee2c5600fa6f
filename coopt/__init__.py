"""coopt: optimization models for coalition formation and cooperative allocation.

Three papers' decision problems as declarative Pyomo / CVXPY models, solved by pluggable
open-source solvers, with certificates (duality gap, KKT residual, global bound) and the
distance from the papers' closed forms.

    >>> import coopt
    >>> inst = coopt.load("itinfra/paper-figure1")
    >>> res = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    >>> res.status.value
    'optimal'
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

# PyNumero's ASL library (needed by Pyomo's cyipopt interface) is built by `make setup` into the
# virtual environment; Pyomo looks for it under PYOMO_CONFIG_DIR, read when pyomo is imported.
_pyomo_dir = Path(sys.prefix) / "share" / "coopt-pyomo"
if "PYOMO_CONFIG_DIR" not in os.environ and (_pyomo_dir / "lib").is_dir():
    os.environ["PYOMO_CONFIG_DIR"] = str(_pyomo_dir)
    if "pyomo.common.envvar" in sys.modules:  # pyomo was imported first: point it there too
        sys.modules["pyomo.common.envvar"].PYOMO_CONFIG_DIR = str(_pyomo_dir)

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any  # noqa: E402

from coopt.errors import CooptError, InputError, SolverUnavailable  # noqa: E402

if TYPE_CHECKING:
    from coopt.data.base import Instance
    from coopt.solve.result import Result


# `import coopt` stays cheap (the CLI's --help and `coopt list` pay for nothing they do not use):
# the data layer (pydantic, pandas) and the problem registry load on first use.
def load(ref: Any, overrides: Any = None, family: str | None = None) -> Instance:
    """Load an instance: a bundled name (``itinfra/paper-figure1``), a YAML path, or a pandas DataFrame of
    players with ``family=`` and the other fields in ``overrides`` (see ``coopt.data.load``)."""
    from coopt.data.base import load as _load

    return _load(ref, overrides, family)


def run(problem: str, instance: Instance, solver: str | None = None, **options: Any) -> Result:
    """Solve problem ``problem`` on ``instance`` (see [coopt.problems.run][]).

    ``formulation=NAME`` picks a formulation, ``modify=fn`` edits the built model before the solve
    (``fn(model)``), the other keywords are the problem's options and the common solver options.
    ``result.model`` is the solved model. Raises only ``CooptError``s: ``InputError`` /
    ``SolverUnavailable`` for what the caller can fix, ``coopt.errors.SolveError`` for an unexpected
    failure inside a solve."""
    from coopt.errors import boundary
    from coopt.problems import run as _run

    with boundary(f"run {problem}"):
        return _run(problem, instance, solver=solver, **options)


def build(problem: str, instance: Instance, formulation: str | None = None, **options: Any) -> Any:
    """The model of ``problem`` on ``instance`` to edit and solve with `coopt.solve(model, ...)`
    (see [coopt.models.build][])."""
    from coopt.errors import boundary
    from coopt.models import build as _build

    with boundary(f"build {problem}"):
        return _build(problem, instance, formulation, **options)


def compare(problem: str, instance: Instance, solvers: Any = None, **options: Any) -> Any:
    """Solve ``problem`` on ``instance`` with several solvers; the table as a pandas DataFrame
    (see [coopt.comparison.compare][])."""
    from coopt.comparison import compare as _compare
    from coopt.errors import boundary

    with boundary(f"compare {problem}"):
        return _compare(problem, instance, solvers, **options)


class _SolveModule(types.ModuleType):
    """``coopt.solve`` is the solver package and, called, ``coopt.models.solve``:
    ``coopt.solve(model, solver="highs")`` solves a model that ``coopt.build`` made (and you edited)."""

    def __call__(self, model: Any, solver: str | None = None, **options: Any) -> Result:
        from coopt.errors import boundary
        from coopt.models import solve as _solve

        with boundary("solve"):
            return _solve(model, solver, **options)


import coopt.solve as _solve_package  # noqa: E402  (cheap: the solver registry only)

_solve_package.__class__ = _SolveModule
solve = _solve_package

__all__ = ["build", "compare", "load", "run", "solve", "CooptError", "InputError", "SolverUnavailable", "__version__"]
