"""The Wolfe dual (14) of the concave-envelope relaxation (13), from the proof of Theorem 4.

problem: vaccine.wolfe_dual (the model; the problem is `coopt.games.vaccine.wolfe`) |
class: MINLP (Pyomo model: bilinear, piecewise G by a binary) and an exact 1-D method |
layer: Pyomo + native | solvers: scip (global), exact

G_i is the upper concave envelope of F_i, eq. (12) (the paper says "convex"):
G_i(f) = F_i(0) + f D_{F_i}(f~_i) for f < f~_i and F_i(f) for f >= f~_i (concave and C^1).

    v_2(S) = max  sum_{i in S} M_i G_i(f_i)  s.t.  sum_{i in S} f_i M_i <= R(S),  f >= 0      (13)

    D(S)   = min  sum_i M_i G_i(f_i) + lambda [R(S) - sum_i f_i M_i] + sum_i mu_i f_i          (14)
             s.t. M_i G_i'(f_i) - lambda M_i + mu_i = 0,  mu_i >= 0,  lambda >= 0

Weak duality gives sum_S x_i >= D(S) >= v_2(S) >= v(S) for the market allocation whose price is
the multiplier lambda (Theorems 4-5, and its generalisation to individual F_i in docs/derivations/vaccine.md#wolfe
when the
relaxation is tight, v_2(N) = v(N)).

Two honest ways to solve (14):
* :func:`build` -- the Pyomo model as printed (variables f, lambda, mu; the two pieces of G by a
  binary), for logistic and Ginsberg functions; SCIP solves it to global optimality;
* :func:`solve_exact` -- substituting the constraint, D = lambda R(S) + sum_i M_i h_i(lambda)
  with h_i(lambda) = max_{0 <= f <= R(S)/M_i} G_i(f) - lambda f, convex in lambda: the minimiser
  lambda* solves sum_i M_i psi_i(lambda) = R(S), psi_i the demand (0 above D_{F_i}(f~_i), the
  concave-branch inverse of F_i' below); found by bisection, exact to round-off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from scipy.optimize import brentq

from coopt.errors import InputError

#: the problem class of what :func:`build` returns (the Wolfe dual (14), non-convex: SCIP), passed to ``solve``
PROBLEM_CLASS = "MINLP"


Fn = Callable[[float], float]


def logistic_expr(a: float, b: float) -> Callable[[object], object]:
    """F(f) = 1 / (1 + exp(-a f + b)) as a Pyomo expression builder."""
    return lambda f: 1 / (1 + pyo.exp(-a * f + b))


def ginsberg_expr(a: float, b: float) -> Callable[[object], object]:
    """F(f) = exp(a - b / f) as a Pyomo expression builder (used only for f >= f~ = b > 0)."""
    return lambda f: pyo.exp(a - b / f)


@dataclass(frozen=True)
class Envelope:
    """One player's data for (13)-(14): M_i, F_i, F_i', the tangent point f~_i."""

    M: float
    F: Fn
    dF: Fn
    f_tilde: float

    @property
    def slope(self) -> float:
        """D_{F_i}(f~_i) = G_i'(0): the envelope's slope on [0, f~_i] (F'(0) when f~ = 0)."""
        if self.f_tilde <= 0:
            return float(self.dF(0.0))
        return (float(self.F(self.f_tilde)) - float(self.F(0.0))) / self.f_tilde

    def G(self, f: float) -> float:
        """Concave envelope, eq. (12)."""
        return float(self.F(0.0)) + f * self.slope if f < self.f_tilde else float(self.F(f))

    def demand(self, lam: float, cap: float) -> float:
        """psi(lambda): the smallest maximiser of G(f) - lambda f on [0, cap]."""
        if lam >= self.slope:
            return 0.0
        lo = max(self.f_tilde, 0.0)
        if lo >= cap or float(self.dF(cap)) >= lam:
            return cap
        if float(self.dF(lo)) <= lam:  # lambda within round-off of the slope at f~
            return lo
        return brentq(lambda f: float(self.dF(f)) - lam, lo, cap, xtol=1e-15, rtol=1e-15, maxiter=200)


def build(players: Sequence[Envelope], R: float, exprs: Sequence[Callable[[object], object]]) -> pyo.ConcreteModel:
    """The Wolfe dual (14) as its own Pyomo model, for players whose F has a Pyomo expression.

    G_i is piecewise (eq. 12), so f_i is split exactly: f_i = u_i + w_i with u_i in [0, f~_i] on
    the linear piece and w_i >= 0 on the concave piece, a binary z_i choosing the piece
    (u_i >= f~_i z_i, w_i <= (cap_i - f~_i) z_i). Then G_i(f_i) = F_i(0) + D_i u_i + F_i(f~_i + w_i)
    - F_i(f~_i) and G_i'(f_i) = F_i'(f~_i + w_i) (equal to D_i at w_i = 0 by Corollary 1).
    Bilinear (lambda f, mu f) with binaries: class MINLP, solved globally by SCIP. Bounds that cut
    no optimum: f_i <= cap_i = R/M_i, 0 <= lambda <= max_i D_i, 0 <= mu_i <= M_i max_i D_i.
    """
    if len(exprs) != len(players):
        raise InputError("Wolfe dual: one Pyomo expression builder per player is needed")
    if R <= 0:
        raise InputError(f"Wolfe dual: R(S) = {R!r} must be > 0")
    from pyomo.core.expr.calculus.derivatives import Modes, differentiate

    m = pyo.ConcreteModel(name="vaccine.wolfe_dual")
    n = len(players)
    lam_max = max(p.slope for p in players)
    cap = {i: R / p.M for i, p in enumerate(players)}
    m.S = pyo.RangeSet(0, n - 1, doc="players i of coalition S")
    m.M = pyo.Param(m.S, initialize={i: p.M for i, p in enumerate(players)}, doc="size M_i")
    m.f_tilde = pyo.Param(m.S, initialize={i: p.f_tilde for i, p in enumerate(players)}, doc="tangent point f~_i")
    m.D = pyo.Param(m.S, initialize={i: p.slope for i, p in enumerate(players)}, doc="D_{F_i}(f~_i) = G_i'(0)")
    m.F0 = pyo.Param(m.S, initialize={i: float(p.F(0.0)) for i, p in enumerate(players)}, doc="F_i(0)")
    m.F_tilde = pyo.Param(m.S, initialize={i: float(p.F(p.f_tilde)) for i, p in enumerate(players)},
                          doc="F_i(f~_i)")
    m.R = pyo.Param(initialize=R, doc="R(S), resources of the coalition")
    m.u = pyo.Var(m.S, bounds=lambda m, i: (0, min(players[i].f_tilde, cap[i])), doc="f_i on the linear piece")
    m.w = pyo.Var(m.S, bounds=lambda m, i: (0, max(cap[i] - players[i].f_tilde, 0.0)),
                  doc="f_i - f~_i on the concave piece")
    m.z = pyo.Var(m.S, within=pyo.Binary, doc="1 if f_i >= f~_i (concave piece)")
    m.lam = pyo.Var(bounds=(0, lam_max), doc="lambda, multiplier of the resource constraint (market price)")
    m.mu = pyo.Var(m.S, bounds=lambda m, i: (0, players[i].M * lam_max), doc="mu_i, multiplier of f_i >= 0")
    m.fill = pyo.Constraint(m.S, rule=lambda m, i: m.u[i] >= min(m.f_tilde[i], cap[i]) * m.z[i],
                            doc="z_i = 1: the linear piece is full")
    m.open = pyo.Constraint(m.S, rule=lambda m, i: m.w[i] <= max(cap[i] - players[i].f_tilde, 0.0) * m.z[i],
                            doc="z_i = 0: nothing on the concave piece")

    def f(i: int) -> object:
        return m.u[i] + m.w[i]

    def G(i: int) -> object:  # eq. (12)
        return m.F0[i] + m.D[i] * m.u[i] + exprs[i](m.f_tilde[i] + m.w[i]) - m.F_tilde[i]

    def dG(i: int) -> object:  # G_i'(f_i) = F_i'(f~_i + w_i)
        return differentiate(exprs[i](m.f_tilde[i] + m.w[i]), wrt=m.w[i], mode=Modes.reverse_symbolic)

    m.objective = pyo.Objective(
        expr=sum(m.M[i] * G(i) for i in m.S) + m.lam * (m.R - sum(f(i) * m.M[i] for i in m.S))
        + sum(m.mu[i] * f(i) for i in m.S),
        sense=pyo.minimize, doc="Lagrangian of (13): objective of (14)")
    m.stationarity = pyo.Constraint(m.S, rule=lambda m, i: m.M[i] * dG(i) - m.lam * m.M[i] + m.mu[i] == 0,
                                    doc="M_i G_i'(f_i) - lambda M_i + mu_i = 0, (14)")
    return m


@dataclass
class WolfeSolution:
    """Exact solution of (13)-(14): lambda*, f(lambda*), D(S) = v_2(S)."""

    lam: float
    f: np.ndarray
    value: float  # D(S) = v_2(S)
    primal_value: float  # sum M_i G_i(f_i) at the recovered primal point
    budget_residual: float  # R - sum M_i f_i


def dual_function(players: Sequence[Envelope], R: float, lam: float) -> float:
    """D(lambda) = lambda R + sum_i M_i max_{0<=f<=R/M_i} [G_i(f) - lambda f] (the Wolfe dual's value)."""
    total = lam * R
    for p in players:
        f = p.demand(lam, R / p.M)
        total += p.M * max(p.G(f) - lam * f, float(p.F(0.0)))
    return total


def solve_exact(players: Sequence[Envelope], R: float) -> WolfeSolution:
    """lambda* = argmin D(lambda) by bisection on the demand sum_i M_i psi_i(lambda) = R."""
    if R <= 0:
        raise InputError(f"Wolfe dual: R(S) = {R!r} must be > 0")
    caps = [R / p.M for p in players]

    def excess(lam: float) -> float:  # demand minus supply, non-increasing in lambda
        return sum(p.M * p.demand(lam, c) for p, c in zip(players, caps)) - R

    hi = max(p.slope for p in players) * (1 + 1e-12) + 1e-300
    lo = 0.0
    if excess(lo) <= 0:  # even at price 0 nobody wants all of R: lambda* = 0 (caps bind)
        lam = 0.0
    else:
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if excess(mid) > 0:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-15 * max(1.0, hi):
                break
        lam = 0.5 * (lo + hi)
    # primal recovery: demands at lambda, the jump players (psi in {0, f~}) fill the rest
    f = np.array([p.demand(lam, c) for p, c in zip(players, caps)])
    rest = R - float(sum(p.M * fi for p, fi in zip(players, f)))
    for i, p in enumerate(players):
        if rest <= 0:
            break
        if f[i] == 0.0 and math.isclose(p.slope, lam, rel_tol=1e-9):
            add = min(rest / p.M, max(p.f_tilde, 0.0))
            f[i] += add
            rest -= add * p.M
    value = dual_function(players, R, lam)
    primal = float(sum(p.M * p.G(fi) for p, fi in zip(players, f)))
    return WolfeSolution(lam, f, value, primal, R - float(sum(p.M * fi for p, fi in zip(players, f))))


__all__ = ["Envelope", "WolfeSolution", "build", "dual_function", "ginsberg_expr", "logistic_expr", "solve_exact"]
