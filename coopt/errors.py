"""Errors a user can act on.

Every error that reaches a user is a :class:`CooptError` with a one-line message naming the
file, field, value or solver at fault; the CLI prints it to standard error and exits with
``exit_code`` (2 = bad input or usage).
"""

from __future__ import annotations


class CooptError(Exception):
    """Base class of coopt's user-facing errors (one-line message)."""

    exit_code: int = 2


class InputError(CooptError, ValueError):
    """Bad data file, parameter value, option or request (exit code 2)."""


class SolverUnavailable(CooptError):
    """Unknown solver, solver not installed, or a solver that cannot handle the problem class."""
