"""The catalogue's old name: a thin face over :mod:`coopt.problems`, where the registry lives.

Kept so that ``from coopt.catalog import run`` (examples, user scripts) goes on working; nothing
inside coopt below the command line imports it (``tests/test_layers.py``).
"""

from __future__ import annotations

from coopt.problems import (
    closed_form_error,
    get_problem,
    index,
    pick_formulation,
    problem_info,
    problems,
    register,
    run,
    solvers_for,
)

__all__ = ["closed_form_error", "get_problem", "index", "pick_formulation", "problem_info", "problems",
           "register", "run", "solvers_for"]
