"""Residuals coopt recomputes after a solve, independent of the solver's own report.

For a Pyomo model with continuous variables: the primal residual (largest violation of a
constraint or bound) and a KKT residual. The KKT residual writes the model as
``min f(x) s.t. g_k(x) <= 0, h_k(x) = 0`` (bounds included), takes the constraints active at x
(|g_k| <= ``active_tol`` scaled), and finds multipliers by bounded least squares
(mu >= 0 for inequalities, free for equalities), so it never trusts a solver's dual signs:

    kkt_residual = || grad f + sum_k mu_k grad g_k ||_inf / max(1, || grad f ||_inf).

For a convex model a zero KKT residual at a feasible point proves global optimality; for a
non-convex one it proves local stationarity only.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.calculus.derivatives import Modes, differentiate
from scipy.optimize import lsq_linear


def _model_vars(model: pyo.ConcreteModel) -> list:
    seen, out = set(), []
    for v in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        if id(v) not in seen and not v.fixed:
            seen.add(id(v))
            out.append(v)
    return out


def primal_residual(model: pyo.ConcreteModel) -> float:
    """Largest absolute violation of any active constraint, variable bound or integrality."""
    worst = 0.0
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(c.body, exception=False)
        if body is None or not math.isfinite(body):
            return math.inf
        lb, ub = pyo.value(c.lower), pyo.value(c.upper)
        if lb is not None:
            worst = max(worst, lb - body)
        if ub is not None:
            worst = max(worst, body - ub)
    for v in _model_vars(model):
        x = v.value
        if x is None:
            return math.inf
        if v.lb is not None:
            worst = max(worst, v.lb - x)
        if v.ub is not None:
            worst = max(worst, x - v.ub)
        if v.is_integer() or v.is_binary():
            worst = max(worst, abs(x - round(x)))
    return float(worst)


def kkt_residual(model: pyo.ConcreteModel, active_tol: float = 1e-6) -> float | None:
    """Stationarity residual with least-squares multipliers on the active set (None if integer)."""
    xs = _model_vars(model)
    if not xs or any(v.is_integer() or v.is_binary() for v in xs):
        return None
    if any(v.value is None for v in xs):
        return None
    objs = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objs) != 1:
        return None
    obj = objs[0]
    sign = 1.0 if obj.sense == pyo.minimize else -1.0
    grad_f = sign * np.asarray(differentiate(obj.expr, wrt_list=xs, mode=Modes.reverse_numeric), float)
    cols, lo, hi = [], [], []
    pos = {id(v): i for i, v in enumerate(xs)}

    def add(grad: np.ndarray, equality: bool) -> None:
        cols.append(grad)
        lo.append(-np.inf if equality else 0.0)
        hi.append(np.inf)

    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(c.body)
        lb, ub = pyo.value(c.lower), pyo.value(c.upper)
        g = np.asarray(differentiate(c.body, wrt_list=xs, mode=Modes.reverse_numeric), float)
        if c.equality:
            add(g, True)
            continue
        if ub is not None and abs(body - ub) <= active_tol * (1 + abs(ub)):
            add(g, False)
        if lb is not None and abs(body - lb) <= active_tol * (1 + abs(lb)):
            add(-g, False)
    for v in xs:
        e = np.zeros(len(xs))
        e[pos[id(v)]] = 1.0
        if v.ub is not None and abs(v.value - v.ub) <= active_tol * (1 + abs(v.ub)):
            add(e, False)
        if v.lb is not None and abs(v.value - v.lb) <= active_tol * (1 + abs(v.lb)):
            add(-e, False)
    scale = max(1.0, float(np.max(np.abs(grad_f))) if grad_f.size else 1.0)
    if not cols:
        return float(np.max(np.abs(grad_f))) / scale
    A = np.column_stack(cols)
    sol = lsq_linear(A, -grad_f, bounds=(np.array(lo), np.array(hi)), method="bvls")
    r = A @ sol.x + grad_f
    return float(np.max(np.abs(r))) / scale
