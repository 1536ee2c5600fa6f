"""Analytic market prices p1-p4 and proportional benchmark allocations (Sections 6.2-6.3).

problem: vaccine.market (closed forms; evaluated, not optimised) | class: none | layer: numpy

With g the grand coalition's distribution (the paper: the heuristic's g*; coopt by default the
exact optimum f*), a market allocation with price p is (eq. 3 with p_i = p)

    x_i = M_i F_i(g_i) + p (r_i - g_i M_i).

Indices: k in argmin {D_{F_j}(g_j) : g_j > 0} (exists when R(N) > 0) and
l in argmin {D_{F_j}(g_j) : g_j >= f~_j} (may not exist), with D_F(f) = (F(f) - F(0)) / f (eq. 4).

    p1 = (sum_i M_i F_i(g_i) - sum_i M_i F_i(0)) / R(N)            (= A(N), eqs. 5-6)
    p2 = D_{F_k}(g_k)
    p3 = D_{F_l}(g_l) if l exists else p2
    p4 = F_l'(g_l)     if l exists else F_k'(g_k)

Conventions coopt adds (the paper is silent): D_F(0) := F'(0) (the limit) when g_l = f~_l = 0
(concave F, late vaccination); "g_j >= f~_j" is tested with a relative tolerance ``rel_tol`` because
an optimum sitting exactly at f~ (Theorem 4) comes out of a solver a few ulps below it.

Proportional benchmarks (Section 6.3): x_i = v(N) z_i / sum_j z_j with z_i = M_i (pro rata),
z_i = r_i (initial resources), z_i = M_i F_i(r_i / M_i) (initial return).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from coopt.errors import InputError

Fn = Callable[[float], float]


def average_gain(F: Fn, dF: Fn, f: float) -> float:
    """D_F(f) = (F(f) - F(0)) / f, eq. (4); F'(0) at f = 0 (its limit)."""
    return float(dF(0.0)) if f <= 0 else (float(F(f)) - float(F(0.0))) / f


def _arrays(M: Sequence[float], r: Sequence[float], g: Sequence[float]) -> tuple[np.ndarray, ...]:
    M, r, g = (np.asarray(a, dtype=float) for a in (M, r, g))
    if not (M.shape == r.shape == g.shape) or M.ndim != 1:
        raise InputError(f"prices: M, r and g need one entry per player, got {M.shape}, {r.shape}, {g.shape}")
    return M, r, g


def price_indices(g: Sequence[float], F: Sequence[Fn], dF: Sequence[Fn], f_tilde: Sequence[float],
                  rel_tol: float = 1e-7) -> tuple[int | None, int | None]:
    """(k, l) of Section 6.2: k minimises D_{F_j}(g_j) over g_j > 0; l over g_j >= f~_j (or None)."""
    g = np.asarray(g, float)
    D = np.array([average_gain(F[j], dF[j], g[j]) for j in range(len(g))])
    pos = g > 0
    k = int(np.flatnonzero(pos)[np.argmin(D[pos])]) if pos.any() else None
    ft = np.asarray(f_tilde, float)
    reach = g >= ft * (1 - rel_tol) - 1e-12
    l_idx = int(np.flatnonzero(reach)[np.argmin(D[reach])]) if reach.any() else None
    return k, l_idx


def analytic_prices(M: Sequence[float], r: Sequence[float], g: Sequence[float], F: Sequence[Fn],
                    dF: Sequence[Fn], f_tilde: Sequence[float], rel_tol: float = 1e-7) -> dict[str, float]:
    """The four candidate market prices p1..p4 of Section 6.2 for the distribution ``g``."""
    M, r, g = _arrays(M, r, g)
    R = float(r.sum())
    if R <= 0:
        raise InputError("prices: R(N) = sum r_i must be > 0 (the prices divide by it; d = 0 is excluded)")
    k, l_idx = price_indices(g, F, dF, f_tilde, rel_tol)
    if k is None:
        raise InputError("prices: nobody receives resources in g (all g_i = 0); k does not exist")
    gain = sum(M[i] * (float(F[i](g[i])) - float(F[i](0.0))) for i in range(len(M)))
    p1 = gain / R
    p2 = average_gain(F[k], dF[k], g[k])
    if l_idx is not None:
        p3 = average_gain(F[l_idx], dF[l_idx], g[l_idx])
        p4 = float(dF[l_idx](g[l_idx]))
    else:
        p3, p4 = p2, float(dF[k](g[k]))
    return {"p1": float(p1), "p2": float(p2), "p3": float(p3), "p4": float(p4)}


def market_allocation(M: Sequence[float], r: Sequence[float], g: Sequence[float], F: Sequence[Fn],
                      p: float) -> np.ndarray:
    """x_i = M_i F_i(g_i) + p (r_i - g_i M_i), eq. (3) with one price p."""
    M, r, g = _arrays(M, r, g)
    return np.array([M[i] * float(F[i](g[i])) + p * (r[i] - g[i] * M[i]) for i in range(len(M))])


def proportional_allocations(v_N: float, M: Sequence[float], r: Sequence[float],
                             F: Sequence[Fn]) -> dict[str, np.ndarray | None]:
    """The three benchmarks of Section 6.3: v(N) z_i / sum z (None if sum z = 0)."""
    M, r, _ = _arrays(M, r, r)
    z = {
        "pro_rata": M,
        "resources": r,
        "initial_return": np.array([M[i] * float(F[i](r[i] / M[i])) for i in range(len(M))]),
    }
    return {k: (v_N * zi / zi.sum() if zi.sum() > 0 else None) for k, zi in z.items()}


__all__ = ["analytic_prices", "average_gain", "market_allocation", "price_indices", "proportional_allocations"]
