"""Residuals coopt recomputes after a solve, independent of the solver's own report.

For a Pyomo model with continuous variables: the primal residual (largest violation of a
constraint or bound) and a KKT residual. The KKT residual writes the model as
``min f(x) s.t. g_k(x) <= 0, h_k(x) = 0`` (bounds included), takes the constraints active at x
(|g_k| <= ``active_tol`` scaled), and finds multipliers by bounded least squares
(mu >= 0 for inequalities, free for equalities), so it never trusts a solver's dual signs:

    kkt_residual = || grad f + sum_k mu_k grad g_k ||_inf / max(1, || grad f ||_inf).

For a convex model a zero KKT residual at a feasible point proves global optimality; for a
non-convex one it proves local stationarity only.

For LP and QP models solved by a solver that returns duals (HiGHS), :func:`linear_certificate`
does the same work at the cost of the solve: the rows, bounds and objective are read once from
Pyomo's standard-form compiler (sparse), and the solver's duals are checked in vectorised numpy
(:func:`coopt.solve.lagrangian.box_certificate`): primal residual, dual residual and a Lagrangian
bound, from which the gap follows.
"""

from __future__ import annotations

import math
from typing import Any

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


def primal_scale(model: pyo.ConcreteModel) -> float:
    """max(1, |bound|) of the constraint or variable bound violated most, relative to its size: the
    primal residual divided by this is the largest row-relative violation."""
    worst, scale = 0.0, 1.0

    def see(viol: float, bnd: float) -> None:
        nonlocal worst, scale
        s = max(1.0, abs(bnd))
        if viol / s > worst:
            worst, scale = viol / s, s

    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(c.body, exception=False)
        if body is None or not math.isfinite(body):
            continue
        lb, ub = pyo.value(c.lower), pyo.value(c.upper)
        if lb is not None:
            see(lb - body, lb)
        if ub is not None:
            see(body - ub, ub)
    for v in _model_vars(model):
        if v.value is None:
            continue
        if v.lb is not None:
            see(v.lb - v.value, v.lb)
        if v.ub is not None:
            see(v.value - v.ub, v.ub)
    return scale


def _smooth_objective(model: pyo.ConcreteModel) -> tuple[list[Any], Any, float, np.ndarray] | None:
    """(variables, objective, sigma, gradient of sigma * objective) at the model's point, sigma = 1 for a
    minimisation and -1 for a maximisation; None if a variable is integer or unset, or there is not
    exactly one active objective (no first-order certificate then)."""
    xs = _model_vars(model)
    if not xs or any(v.value is None or v.is_integer() or v.is_binary() for v in xs):
        return None
    objs = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objs) != 1:
        return None
    obj = objs[0]
    sigma = 1.0 if obj.sense == pyo.minimize else -1.0
    return xs, obj, sigma, sigma * np.asarray(differentiate(obj.expr, wrt_list=xs, mode=Modes.reverse_numeric), float)


def kkt_residual(model: pyo.ConcreteModel, active_tol: float = 1e-6) -> float | None:
    """Stationarity residual with least-squares multipliers on the active set (None if integer)."""
    at = _smooth_objective(model)
    if at is None:
        return None
    xs, _, _, grad_f = at
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


def linear_certificate(model: pyo.ConcreteModel, duals: dict[Any, float]) -> Any:
    """Certificate of an LP/QP model from the solver's row duals (Pyomo's sign convention:
    d objective / d right-hand side). Returns a :class:`coopt.solve.lagrangian.ConicCertificate`
    for the *minimisation* form, or None when the model is not an LP/QP with one objective."""
    from pyomo.repn import generate_standard_repn
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    from coopt.solve.lagrangian import box_certificate

    objs = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objs) != 1:
        return None
    obj = objs[0]
    sigma = 1.0 if obj.sense == pyo.minimize else -1.0
    repn = generate_standard_repn(obj.expr, quadratic=True, compute_values=True)
    if repn.nonlinear_expr is not None:
        return None
    obj.deactivate()
    try:
        info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    finally:
        obj.activate()
    cols = list(info.columns)
    pos = {id(v): k for k, v in enumerate(cols)}
    for v in list(repn.linear_vars) + [u for pair in repn.quadratic_vars for u in pair]:
        if id(v) not in pos and not v.fixed:
            pos[id(v)] = len(cols)
            cols.append(v)
    n = len(cols)
    x = np.array([np.nan if v.value is None else float(v.value) for v in cols])
    if not np.all(np.isfinite(x)):
        return None
    # objective f(x) = c'x + sum q_k x_a x_b + const, in minimisation form
    grad = np.zeros(n)
    for v, a in zip(repn.linear_vars, repn.linear_coefs):
        grad[pos[id(v)]] += float(a)
    value = float(repn.constant) + float(grad @ x)
    for (u, w), q in zip(repn.quadratic_vars, repn.quadratic_coefs):
        i, j = pos[id(u)], pos[id(w)]
        q = float(q)
        value += q * x[i] * x[j]
        grad[i] += q * x[j]
        grad[j] += q * x[i]
    # rows: one per constraint, [lo, hi] (a ranged constraint comes as two rows of the compiler)
    A = info.A.tocsr()
    keep, lo, hi, y = [], [], [], []
    first: dict[int, int] = {}
    for r, (row, rhs) in enumerate(zip(info.rows, info.rhs)):
        con, kind = row.constraint, row.bound_type
        k = first.get(id(con))
        if k is None:
            first[id(con)] = k = len(keep)
            keep.append(r)
            lo.append(-np.inf)
            hi.append(np.inf)
            y.append(sigma * float(duals.get(con, 0.0) or 0.0))
        if kind in (0, -1):
            lo[k] = float(rhs)
        if kind in (0, 1):
            hi[k] = float(rhs)
    A = A[keep, :] if keep else A[:0, :]
    if A.shape[1] < n:
        import scipy.sparse as sp

        A = sp.hstack([A, sp.csr_matrix((A.shape[0], n - A.shape[1]))]).tocsr()
    col_lo = np.array([-np.inf if v.lb is None else float(v.lb) for v in cols])
    col_hi = np.array([np.inf if v.ub is None else float(v.ub) for v in cols])
    return box_certificate(sigma * value, sigma * grad, A, np.array(lo), np.array(hi), col_lo, col_hi, x,
                           np.array(y))


def nonlinear_certificate(model: pyo.ConcreteModel, duals: dict[Any, float]) -> Any:
    """The Lagrangian certificate of a convex NLP at the solver's multipliers (Pyomo's sign
    convention), gradients by Pyomo's differentiation: see
    :func:`coopt.solve.lagrangian.box_certificate` (``row_values`` form)."""
    from coopt.solve.lagrangian import box_certificate

    at = _smooth_objective(model)
    if at is None:
        return None
    xs, obj, sigma, grad = at
    x = np.array([float(v.value) for v in xs])
    value = sigma * float(pyo.value(obj.expr))
    rows, g, lo, hi, y = [], [], [], [], []
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        rows.append(np.asarray(differentiate(c.body, wrt_list=xs, mode=Modes.reverse_numeric), float))
        g.append(float(pyo.value(c.body)))
        lb, ub = pyo.value(c.lower), pyo.value(c.upper)
        lo.append(-np.inf if lb is None else float(lb))
        hi.append(np.inf if ub is None else float(ub))
        y.append(sigma * float(duals.get(c, 0.0) or 0.0))
    J = np.vstack(rows) if rows else np.zeros((0, len(xs)))
    col_lo = np.array([-np.inf if v.lb is None else float(v.lb) for v in xs])
    col_hi = np.array([np.inf if v.ub is None else float(v.ub) for v in xs])
    if not (math.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(J))):
        return None
    return box_certificate(value, grad, J, np.array(lo), np.array(hi), col_lo, col_hi, x, np.array(y),
                           row_values=np.array(g))
