"""Dual bounds computed by coopt from a solver's primal and dual values (never from its report).

Two forms of convex problems are covered.

**Conic** (what CVXPY hands Clarabel, SCS and ECOS)

    min  c'x + 1/2 x'Px + d    s.t.   A x + s = b,   s in K

(K a product of zero, non-negative, second-order, exponential and 3-d power cones). For any y in
the dual cone K*, the Lagrangian L(x, y) = c'x + 1/2 x'Px + d + y'(Ax - b) is convex in x and
below the objective at every feasible x, so min_x L(x, y) is a lower bound on the optimum. coopt

1. moves the returned y into K* (projection for the orthant and second-order cones; a point of the
   boundary for the exponential and power cones) -- so y is a valid multiplier;
2. computes the dual residual r = P x + c + A'y (the gradient of L at the returned x);
3. bounds min_x L(x, y) >= L(x, y) - ||r||_2 (1 + ||x||_2): exact when r = 0 (then x minimises
   L), and otherwise valid as long as the optimum lies within 1 + ||x|| of the returned point --
   the residual is reported, and a status is only ``optimal`` when it is below the tolerance.

**Boxed rows and columns** (LP/QP as HiGHS and OSQP see them, and Pyomo LP/QP models)

    min  f(x)    s.t.   lo <= A x <= hi,   l <= x <= u        (f convex: linear or quadratic)

The solver's row multipliers y (sign convention: grad f = A'y + z) give the reduced costs
z = grad f(x) - A'y, computed here. A multiplier is valid only on the side of a finite bound
(y_i > 0 needs lo_i, y_i < 0 needs hi_i; the same for z and l, u); the invalid parts are the dual
residual r. The Lagrangian L(x') = f(x') - sum_i y_i (a_i x' - beta_i) - sum_j z_j (x'_j - gamma_j)
(beta, gamma the bound on each multiplier's side) is convex with gradient r at x, and the bound is
again L(x) - ||r||_2 (1 + ||x||_2): exact (a rigorous Lagrangian dual value) when every multiplier is
valid, which a simplex or active-set solution with all variables boxed always gives.

Nothing here trusts the solver's reported objective, gap or status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class ConicCertificate:
    """Lower bound on the (minimisation) optimum, dual residual ||r||_inf / max(1, ||grad||_inf), the
    primal residual (largest violation, absolute) and the scale max(1, |b|) it is judged against."""

    bound: float
    dual_residual: float
    primal_residual: float
    primal_scale: float = 1.0
    infeasibility_cost: float = 0.0  # 2 sum |y_i| violation_i: what the violations can buy (see gap)

    def gap(self, objective: float) -> float:
        """Relative gap that covers |objective - optimum|: max(|objective - bound|, infeasibility_cost)
        / max(1, |objective|) (minimisation form). The optimum lies in [bound, objective + c] where
        c = y*'v is what the violations v of a slightly infeasible point buy at the optimal
        multipliers y* (the value function is convex); coopt takes c = 2 |y|'v with the returned
        multipliers, the factor 2 a margin for their own inaccuracy."""
        return max(abs(objective - self.bound), self.infeasibility_cost) / max(1.0, abs(objective))


def _soc_project(v: np.ndarray) -> np.ndarray:
    t, x = v[0], v[1:]
    nx = float(np.linalg.norm(x))
    if nx <= t:
        return v.copy()
    if nx <= -t:
        return np.zeros_like(v)
    a = (t + nx) / 2
    return np.concatenate([[a], a * x / nx])


def _exp_dual(u: float, v: float, w: float) -> tuple[float, float, float]:
    """A point of K_exp* = cl{(u, v, w): u < 0, -u exp(v/u) <= e w} next to (u, v, w)."""
    if u < 0:
        with np.errstate(over="ignore"):
            return u, v, max(w, -u * math.exp(min(v / u - 1.0, 700.0)))
    return 0.0, max(v, 0.0), max(w, 0.0)


def _pow_dual(u: float, v: float, w: float, alpha: float) -> tuple[float, float, float]:
    """A point of the dual 3-d power cone {(u/a)^a (v/(1-a))^(1-a) >= |w|, u, v >= 0} next to it."""
    u, v = max(u, 0.0), max(v, 0.0)
    cap = (u / alpha) ** alpha * (v / (1 - alpha)) ** (1 - alpha)
    return u, v, math.copysign(min(abs(w), cap), w)


def _exp_primal_violation(x: float, y: float, z: float) -> float:
    """How far (x, y, z) is from K_exp = cl{y > 0, y exp(x/y) <= z} (a simple, not exact, measure)."""
    if y > 0:
        with np.errstate(over="ignore"):
            return max(0.0, y * math.exp(min(x / y, 700.0)) - z)
    return max(0.0, -y, x, -z)


def _pow_primal_violation(x: float, y: float, z: float, alpha: float) -> float:
    if x < 0 or y < 0:
        return max(-x, -y)
    return max(0.0, abs(z) - x**alpha * y ** (1 - alpha))


def _triples(v: np.ndarray, k: int, order: tuple[int, int, int]) -> tuple[float, float, float]:
    """The exponential-cone triple at k in CVXPY's (x, y, z) order (solvers may permute it)."""
    t = v[k:k + 3]
    inv = [order.index(i) for i in range(3)]
    return float(t[inv[0]]), float(t[inv[1]]), float(t[inv[2]])


def project_dual(y: np.ndarray, dims: object, exp_order: tuple[int, int, int] = (0, 1, 2)) -> np.ndarray | None:
    """y moved into K* cone by cone (None if K has a cone coopt does not handle, e.g. PSD)."""
    if getattr(dims, "psd", None) or getattr(dims, "pnd", None):
        return None
    y = np.array(y, dtype=float, copy=True)
    k = int(dims.zero)
    nn = int(dims.nonneg)
    y[k:k + nn] = np.maximum(y[k:k + nn], 0.0)
    k += nn
    for q in dims.soc:
        y[k:k + q] = _soc_project(y[k:k + q])
        k += q
    for _ in range(int(dims.exp)):
        u, v, w = _exp_dual(*_triples(y, k, exp_order))
        y[k:k + 3] = [(u, v, w)[exp_order[i]] for i in range(3)]
        k += 3
    for a in dims.p3d:
        y[k:k + 3] = _pow_dual(*map(float, y[k:k + 3]), float(a))
        k += 3
    return y


def cone_violation(s: np.ndarray, dims: object, exp_order: tuple[int, int, int] = (0, 1, 2)) -> float:
    """Largest violation of s in K (zero cone: |s|; others: distance-like measures)."""
    worst = 0.0
    k = int(dims.zero)
    if k:
        worst = float(np.max(np.abs(s[:k])))
    nn = int(dims.nonneg)
    if nn:
        worst = max(worst, float(np.max(np.maximum(-s[k:k + nn], 0.0))))
    k += nn
    for q in dims.soc:
        v = s[k:k + q]
        worst = max(worst, float(np.linalg.norm(v[1:]) - v[0]))
        k += q
    for _ in range(int(dims.exp)):
        worst = max(worst, _exp_primal_violation(*_triples(s, k, exp_order)))
        k += 3
    for a in dims.p3d:
        worst = max(worst, _pow_primal_violation(*map(float, s[k:k + 3]), float(a)))
        k += 3
    return worst


def conic_certificate(c: np.ndarray, A: object, b: np.ndarray, dims: object, x: np.ndarray, y: np.ndarray,
                      P: object = None, offset: float = 0.0, exp_order: tuple[int, int, int] = (0, 1, 2)
                      ) -> ConicCertificate | None:
    """The certificate of the module docstring for data (c, A, b, K, P, d) and the solver's (x, y)."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    c = np.asarray(c, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return None
    yk = project_dual(y, dims, exp_order)
    if yk is None:
        return None
    Px = P @ x if P is not None else np.zeros_like(x)
    Ax = A @ x
    r = Px + c + A.T @ yk
    value = float(c @ x + 0.5 * x @ Px) + offset
    lagrangian = value + float(yk @ (Ax - b))
    bound = lagrangian - float(np.linalg.norm(r)) * (1.0 + float(np.linalg.norm(x)))
    dual_res = float(np.max(np.abs(r), initial=0.0)) / max(1.0, float(np.max(np.abs(c), initial=0.0)))
    primal = cone_violation(b - Ax, dims, exp_order)
    cost = 2.0 * float(np.linalg.norm(yk)) * max(primal, 0.0) if primal > 0 else 0.0
    return ConicCertificate(bound=bound, dual_residual=dual_res, primal_residual=max(primal, 0.0),
                            primal_scale=max(1.0, float(np.max(np.abs(b), initial=0.0))), infeasibility_cost=cost)


def box_certificate(value: float, grad: np.ndarray, A: object, row_lo: np.ndarray, row_hi: np.ndarray,
                    col_lo: np.ndarray, col_hi: np.ndarray, x: np.ndarray, y: np.ndarray,
                    row_values: np.ndarray | None = None) -> ConicCertificate:
    """Lower bound, dual residual and primal residual of a minimisation with boxed rows and columns
    (see the module docstring); ``value`` = f(x), ``grad`` = grad f(x), ``y`` the row multipliers.

    For nonlinear rows lo <= g(x) <= hi, ``A`` is the Jacobian of g at x and ``row_values`` = g(x);
    the bound is then a Lagrangian dual value when the problem is convex (g_i convex on the side of
    a finite upper bound, concave on the side of a finite lower bound, affine if both)."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1).copy()
    g = np.asarray(grad, dtype=float).reshape(-1)
    row_lo, row_hi = np.asarray(row_lo, float), np.asarray(row_hi, float)
    col_lo, col_hi = np.asarray(col_lo, float), np.asarray(col_hi, float)
    if row_values is not None:
        Ax = np.asarray(row_values, dtype=float).reshape(-1)
    else:
        Ax = A @ x if A is not None and A.shape[0] else np.zeros(0)
    # rows: keep each multiplier on the side of a finite bound
    y = np.where(((y > 0) & ~np.isfinite(row_lo)) | ((y < 0) & ~np.isfinite(row_hi)), 0.0, y)
    beta = np.where(y > 0, row_lo, row_hi)
    beta = np.where(y == 0, 0.0, beta)
    z = g - (A.T @ y if A is not None and A.shape[0] else 0.0)
    bad = ((z > 0) & ~np.isfinite(col_lo)) | ((z < 0) & ~np.isfinite(col_hi))
    r = np.where(bad, z, 0.0)
    zv = np.where(bad, 0.0, z)
    gamma = np.where(zv > 0, col_lo, col_hi)
    gamma = np.where(zv == 0, 0.0, gamma)
    lagrangian = value - float(y @ (Ax - beta)) - float(zv @ (x - gamma))
    bound = lagrangian - float(np.linalg.norm(r)) * (1.0 + float(np.linalg.norm(x)))
    dual_res = float(np.max(np.abs(r), initial=0.0)) / max(1.0, float(np.max(np.abs(g), initial=0.0)))
    viol = np.concatenate([np.maximum(row_lo - Ax, 0.0), np.maximum(Ax - row_hi, 0.0),
                           np.maximum(col_lo - x, 0.0), np.maximum(x - col_hi, 0.0)])
    size = np.concatenate([np.abs(row_lo), np.abs(row_hi), np.abs(col_lo), np.abs(col_hi)])
    viol = np.nan_to_num(viol, nan=0.0, posinf=0.0)
    m, n = len(row_lo), len(col_lo)
    ay, az = np.abs(y), np.abs(zv)
    cost = 2.0 * float(ay @ (viol[:m] + viol[m:2 * m]) + az @ (viol[2 * m:2 * m + n] + viol[2 * m + n:]))
    return ConicCertificate(bound=bound, dual_residual=dual_res, infeasibility_cost=cost, **_primal(viol, size))


def _primal(viol: np.ndarray, size: np.ndarray) -> dict[str, float]:
    """Largest absolute violation, and the scale that makes it the largest row-relative one
    (violation / max(1, |bound|) of the worst row)."""
    if viol.size == 0 or not np.any(viol > 0):
        return {"primal_residual": 0.0, "primal_scale": 1.0}
    scale = np.maximum(1.0, np.where(np.isfinite(size), size, 1.0))
    rel = viol / scale
    k = int(np.argmax(rel))
    worst = float(np.max(viol))
    return {"primal_residual": worst, "primal_scale": worst / float(rel[k]) if rel[k] > 0 else 1.0}


__all__ = ["ConicCertificate", "box_certificate", "conic_certificate", "cone_violation", "project_dual"]
