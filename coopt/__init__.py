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
def load(ref: Any, overrides: Any = None) -> Instance:
    """Load an instance: a bundled name (``itinfra/paper-figure1``) or a YAML path (see :func:`coopt.data.load`)."""
    from coopt.data.base import load as _load

    return _load(ref, overrides)


def run(problem: str, instance: Instance, solver: str | None = None, **options: Any) -> Result:
    """Solve problem ``problem`` on ``instance`` (see :func:`coopt.problems.run`).

    Raises only :class:`CooptError` s: :class:`InputError` / :class:`SolverUnavailable` for what the
    caller can fix, :class:`coopt.errors.SolveError` for an unexpected failure inside a solve."""
    from coopt.errors import boundary
    from coopt.problems import run as _run

    with boundary(f"run {problem}"):
        return _run(problem, instance, solver=solver, **options)


__all__ = ["load", "run", "CooptError", "InputError", "SolverUnavailable", "__version__"]
