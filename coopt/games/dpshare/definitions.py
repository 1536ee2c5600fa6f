"""Stability recomputed straight from the paper's definitions, with numerically optimised epsilon.

Nothing here uses a closed form: every epsilon is the minimiser of a burden of Definition 5, found
by a vectorised golden-section search on log(epsilon); Definitions 7 (Nash) and 8 (robust) are then
checked literally. This is the certificate of every equilibrium coopt reports, and the reference of
the brute-force tests.

    B_i(S, eps) = sigma2/|S| + 2/|S|^2 sum_{j in S} eps_j^-2 + c_i |S|^alpha eps_i   (i in S)   Def. 5
    B_i = sigma2                                                                         (i not in S)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_GOLD = (np.sqrt(5.0) - 1.0) / 2.0


def golden_min(fun: Callable[[np.ndarray], np.ndarray], lo: float, hi: float, shape: tuple[int, ...],
               iters: int = 120) -> np.ndarray:
    """Vectorised golden-section search: argmin over x in [lo, hi] of ``fun(x)`` (elementwise, unimodal)."""
    a = np.full(shape, lo, dtype=float)
    b = np.full(shape, hi, dtype=float)
    for _ in range(iters):
        x1 = b - _GOLD * (b - a)
        x2 = a + _GOLD * (b - a)
        left = fun(x1) <= fun(x2)
        b = np.where(left, x2, b)
        a = np.where(left, a, x1)
    return 0.5 * (a + b)


def burden(sigma2: float, alpha: float, k: int, inv_eps2_sum: float, c_i: np.ndarray,
           eps_i: np.ndarray) -> np.ndarray:
    """Definition 5 for members of a size-k coalition: Var (eq. 1) + c_i k^alpha eps_i."""
    return sigma2 / k + 2.0 / k**2 * inv_eps2_sum + c_i * k**alpha * eps_i


def best_eps(c: np.ndarray, k: int, sigma2: float, alpha: float, others_inv_eps2: np.ndarray | float = 0.0
             ) -> np.ndarray:
    """Each member's eps minimising its own burden (Def. 5) in a size-k coalition, others' eps fixed.

    ``others_inv_eps2`` is sum_{j != i} eps_j^-2 (it shifts B_i by a constant: the argmin does not
    depend on it, which is why one round of best responses is the sub-game's Nash equilibrium).
    """
    c = np.asarray(c, dtype=float)
    oth = np.broadcast_to(np.asarray(others_inv_eps2, dtype=float), c.shape)

    def f(x: np.ndarray) -> np.ndarray:
        e = np.exp(x)
        return burden(sigma2, alpha, k, oth + e**-2, c, e)

    return np.exp(golden_min(f, -40.0, 40.0, c.shape))


def subgame_eps(c: np.ndarray, k: int, sigma2: float, alpha: float, rounds: int = 2) -> np.ndarray:
    """eps*(S): iterated best responses (two rounds; the second must not move, checked by the caller)."""
    eps = np.ones_like(np.asarray(c, dtype=float))
    for _ in range(rounds):
        inv = eps**-2.0
        eps = best_eps(c, k, sigma2, alpha, inv.sum() - inv)
    return eps


@dataclass
class Check:
    """Definition-based test of one coalition: burdens, deviation gains, verdicts."""

    eps: np.ndarray            # eps*(S), members in the order given
    variance: float            # eq. (1) at eps*(S)
    burdens: np.ndarray        # members' burdens (Def. 5)
    exit_gain: float           # max_j B_j - sigma2 (> 0: someone leaves)
    nash_entry_gain: float     # max_l sigma2 - min_eps B_l(S + l), insiders frozen (>= 0: someone joins)
    robust_entry_gain: float   # max over valid entries of sigma2 - B_l(S + l) (-inf if none is valid)
    nash: bool
    robust: bool


def check(c_sorted: np.ndarray, members: list[int] | np.ndarray, sigma2: float, alpha: float) -> Check:
    """Definitions 7 and 8 for coalition ``members`` (0-based positions in sorted costs), numerically."""
    c = np.asarray(c_sorted, dtype=float)
    S = np.asarray(sorted(members), dtype=int)
    k = S.size
    out = np.setdiff1d(np.arange(c.size), S)
    eps = subgame_eps(c[S], k, sigma2, alpha)
    inv = float(np.sum(eps**-2.0))
    B = burden(sigma2, alpha, k, inv, c[S], eps)
    var = sigma2 / k + 2.0 / k**2 * inv
    exit_gain = float(np.max(B) - sigma2)
    nash_gain, robust_gain = -np.inf, -np.inf
    if out.size:
        # Def. 7: unilateral entry, insiders frozen at eps*(S); entrant optimises its own eps
        el = best_eps(c[out], k + 1, sigma2, alpha, inv)
        Bl = burden(sigma2, alpha, k + 1, inv + el**-2.0, c[out], el)
        nash_gain = float(np.max(sigma2 - Bl))
        # Def. 8: valid entry, everybody re-optimises at S + l. A member's best response at size k+1 does not
        # depend on who the entrant is (B_i is separable in the eps's), so one search serves every l.
        em = subgame_eps(c[S], k + 1, sigma2, alpha)
        el2 = best_eps(c[out], k + 1, sigma2, alpha, float(np.sum(em**-2.0)))
        inv2 = float(np.sum(em**-2.0)) + el2**-2.0                       # sum over S + l, one per entrant l
        B_members = burden(sigma2, alpha, k + 1, inv2[:, None], c[S][None, :], em[None, :]).max(axis=1)
        B_entrant = burden(sigma2, alpha, k + 1, inv2, c[out], el2)
        valid = (B_members <= sigma2) & (B_entrant <= sigma2)
        if valid.any():
            robust_gain = float(np.max(sigma2 - B_entrant[valid]))
    nash = exit_gain <= 0 and nash_gain < 0
    robust = exit_gain <= 0 and robust_gain == -np.inf
    return Check(eps, float(var), B, exit_gain, nash_gain, robust_gain, bool(nash), bool(robust))


def eps_table(c_sorted: np.ndarray, sigma2: float, alpha: float) -> np.ndarray:
    """eps_table[k, i]: player i's burden-minimising eps in any size-k coalition (k = 0..n+1), numeric.

    By Def. 5 the argmin depends on S only through k (separability), so one vectorised search
    serves every coalition of the brute force.
    """
    c = np.asarray(c_sorted, dtype=float)
    n = c.size
    K = np.arange(n + 2, dtype=float)[:, None] * np.ones((1, n))
    K[0] = K[1] = 1.0
    C = np.ones((n + 2, 1)) * c[None, :]

    def f(x: np.ndarray) -> np.ndarray:
        e = np.exp(x)
        return 2.0 / K**2 * e**-2 + C * K**alpha * e

    return np.exp(golden_min(f, -40.0, 40.0, K.shape))


def brute_force(c_sorted: np.ndarray, sigma2: float, alpha: float) -> tuple[set[frozenset], set[frozenset]]:
    """All Nash and all robust coalitions by looping over every subset (Defs. 7, 8; n <= ~12)."""
    c = np.asarray(c_sorted, dtype=float)
    n = c.size
    E = eps_table(c, sigma2, alpha)
    nash, robust = set(), set()

    def exit_ok(S: list[int]) -> bool:
        k = len(S)
        e = E[k, S]
        inv = np.sum(e**-2.0)
        return bool(np.all(burden(sigma2, alpha, k, inv, c[S], e) <= sigma2))

    feasible = {}
    for mask in range(1, 1 << n):
        S = [i for i in range(n) if mask >> i & 1]
        if len(S) >= 2:
            feasible[mask] = exit_ok(S)
    for mask, ok in feasible.items():
        if not ok:
            continue
        S = [i for i in range(n) if mask >> i & 1]
        k = len(S)
        e = E[k, S]
        inv = float(np.sum(e**-2.0))
        outs = [i for i in range(n) if not mask >> i & 1]
        joins = any(
            burden(sigma2, alpha, k + 1, inv + E[k + 1, l] ** -2.0, c[l], E[k + 1, l]) <= sigma2 for l in outs)
        valid = any(feasible[mask | 1 << l] for l in outs)
        if not joins:
            nash.add(frozenset(S))
        if not valid:
            robust.add(frozenset(S))
    return nash, robust
