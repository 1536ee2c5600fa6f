"""Closed forms of the privacy-coalition paper, re-derived in docs/derivations/dpshare.md.

Shorthand (not the paper's notation): w_i = (c_i^2/2)^(1/3), W_S = sum_{i in S} w_i,
p = (2 alpha + 1)/3, q = p + 1. Costs are sorted c_1 <= ... <= c_n; S_k = {1..k}.
All functions take numpy arrays and broadcast; indices are 0-based positions in the sorted order.

Centralized (Lemma 1, with the corrected power k^(1+alpha)) and decentralized (Lemma 2):

    eps_c = (4 / (k^(1+alpha) c))^(1/3)          eps_d = (4 / (k^(2+alpha) c))^(1/3) = k^(-1/3) eps_c
    Var_c = sigma2/k + k^((2a-4)/3) W_S  (2)     Var_d = sigma2/k + k^((2a-2)/3) W_S  (5)
    SC_c  = (n+1-k) sigma2 + 3 k^((2a-1)/3) W_S (3)   SC_d = (n+1-k) sigma2 + (k+2) k^((2a-2)/3) W_S  (6)

Stability (Claims 5, 6 in sigma^2-interval form): S is Nash iff T(S) <= sigma2 < E(S), robust iff
T(S) <= sigma2 < T(S + l0), with l0 the cheapest outsider.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ArrayLike = Any


def w(c: ArrayLike) -> np.ndarray:
    """w_i = (c_i^2 / 2)^(1/3), the paper's (c_j^2/2)^(1/3)."""
    return np.cbrt(np.asarray(c, dtype=float) ** 2 / 2.0)


def p_exp(alpha: float) -> float:
    """p = (2 alpha + 1) / 3."""
    return (2.0 * alpha + 1.0) / 3.0


def q_exp(alpha: float) -> float:
    """q = (2 alpha + 4) / 3 = p + 1."""
    return (2.0 * alpha + 4.0) / 3.0


# ----------------------------------------------------------------------------- fixed coalition
def eps_central(c: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Lemma 1 (corrected: k^(1+alpha), not k(1+alpha)): the designer's eps_i = (4/(k^(1+a) c_i))^(1/3)."""
    return np.cbrt(4.0 / (np.asarray(k, dtype=float) ** (1.0 + alpha) * np.asarray(c, dtype=float)))


def eps_central_printed(c: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Lemma 1 as printed in the main text, (4/(k (1+alpha) c_i))^(1/3): a product, which is wrong."""
    return np.cbrt(4.0 / (np.asarray(k, dtype=float) * (1.0 + alpha) * np.asarray(c, dtype=float)))


def eps_selfish(c: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Lemma 2: a member's best response eps_i* = (4/(k^(2+alpha) c_i))^(1/3) (independent of the others)."""
    return np.cbrt(4.0 / (np.asarray(k, dtype=float) ** (2.0 + alpha) * np.asarray(c, dtype=float)))


def var_central(W: ArrayLike, k: ArrayLike, sigma2: float, alpha: float) -> np.ndarray:
    """Eq. (2) at any S: Var_c = sigma2/k + k^((2 alpha - 4)/3) W_S."""
    k = np.asarray(k, dtype=float)
    return sigma2 / k + k ** ((2 * alpha - 4) / 3) * np.asarray(W, dtype=float)


def var_selfish(W: ArrayLike, k: ArrayLike, sigma2: float, alpha: float) -> np.ndarray:
    """Eq. (5) at any S: Var_d = sigma2/k + k^((2 alpha - 2)/3) W_S."""
    k = np.asarray(k, dtype=float)
    return sigma2 / k + k ** ((2 * alpha - 2) / 3) * np.asarray(W, dtype=float)


def sc_central(W: ArrayLike, k: ArrayLike, n: int, sigma2: float, alpha: float) -> np.ndarray:
    """Eq. (3) at any S: SC_c = (n+1-k) sigma2 + 3 k^((2 alpha - 1)/3) W_S."""
    k = np.asarray(k, dtype=float)
    return (n + 1 - k) * sigma2 + 3.0 * k ** ((2 * alpha - 1) / 3) * np.asarray(W, dtype=float)


def sc_selfish(W: ArrayLike, k: ArrayLike, n: int, sigma2: float, alpha: float) -> np.ndarray:
    """Eq. (6) at any S: SC_d = (n+1-k) sigma2 + (k+2) k^((2 alpha - 2)/3) W_S."""
    k = np.asarray(k, dtype=float)
    return (n + 1 - k) * sigma2 + (k + 2) * k ** ((2 * alpha - 2) / 3) * np.asarray(W, dtype=float)


def burden_selfish(w_i: ArrayLike, W: ArrayLike, k: ArrayLike, sigma2: float, alpha: float) -> np.ndarray:
    """A member's burden at eps*(S) (Def. 5 with Lemma 2): sigma2/k + k^((2a-2)/3) (W_S + 2 w_i)."""
    k = np.asarray(k, dtype=float)
    return sigma2 / k + k ** ((2 * alpha - 2) / 3) * (np.asarray(W, dtype=float) + 2 * np.asarray(w_i, dtype=float))


def burden_entrant(w_l: ArrayLike, W: ArrayLike, k: ArrayLike, sigma2: float, alpha: float) -> np.ndarray:
    """Nash entry test: outsider l's best burden joining S (|S| = k) with insiders frozen at eps*(S).

    sigma2/(k+1) + k^q W_S/(k+1)^2 + 3 (k+1)^((2a-2)/3) w_l.
    """
    k = np.asarray(k, dtype=float)
    q = q_exp(alpha)
    return (sigma2 / (k + 1) + k**q * np.asarray(W, dtype=float) / (k + 1) ** 2
            + 3 * (k + 1) ** ((2 * alpha - 2) / 3) * np.asarray(w_l, dtype=float))


# ----------------------------------------------------------------------------- sigma^2 windows
def T(W: ArrayLike, wmax: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Exit threshold (Claim 5, first condition): no member leaves iff sigma2 >= T(S) = (W+2 wmax) k^p/(k-1)."""
    k = np.asarray(k, dtype=float)
    return (np.asarray(W, dtype=float) + 2 * np.asarray(wmax, dtype=float)) * k ** p_exp(alpha) / (k - 1)


def E(W: ArrayLike, w_l0: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Nash entry threshold (Claim 5, second condition): nobody joins iff sigma2 < E(S).

    E(S) = (3 w_l0 (k+1)^q + W_S k^q) / (k (k+1)); +inf for the grand coalition (pass w_l0 = inf).
    """
    k = np.asarray(k, dtype=float)
    q = q_exp(alpha)
    with np.errstate(invalid="ignore"):
        return (3 * np.asarray(w_l0, dtype=float) * (k + 1) ** q + np.asarray(W, dtype=float) * k**q) / (k * (k + 1))


def R(W: ArrayLike, wmax: ArrayLike, w_l0: ArrayLike, k: ArrayLike, alpha: float) -> np.ndarray:
    """Robust entry threshold (Claim 6): no valid entry iff sigma2 < R(S) = T(S + l0) (+inf if S = [n])."""
    k = np.asarray(k, dtype=float)
    wl = np.asarray(w_l0, dtype=float)
    with np.errstate(invalid="ignore"):
        out = T(np.asarray(W, dtype=float) + wl, np.maximum(wmax, wl), k + 1, alpha)
    return np.where(np.isinf(wl), np.inf, out)


def claim5(W: float, wmax: float, w_l0: float, k: int, sigma2: float, alpha: float) -> bool:
    """Claim 5 exactly as printed (both inequalities, divided through by sigma^2)."""
    exit_ok = (k - 1) / k ** p_exp(alpha) >= (W + 2 * wmax) / sigma2
    if not np.isfinite(w_l0):
        return bool(exit_ok)
    q = q_exp(alpha)
    entry_ok = k * (k + 1) < (3 * w_l0 / sigma2) * (k + 1) ** q + (W / sigma2) * k**q
    return bool(exit_ok and entry_ok)


def claim6(W: float, wmax: float, w_out: ArrayLike, k: int, sigma2: float, alpha: float) -> bool:
    """Claim 6 exactly as printed: exit as in Claim 5, and k/(k+1)^p < min_l [W+w_l+2 max(wmax, w_l)]/sigma2."""
    exit_ok = (k - 1) / k ** p_exp(alpha) >= (W + 2 * wmax) / sigma2
    w_out = np.asarray(w_out, dtype=float)
    if w_out.size == 0:
        return bool(exit_ok)
    bracket = np.min(W + w_out + 2 * np.maximum(wmax, w_out)) / sigma2
    return bool(exit_ok and k / (k + 1) ** p_exp(alpha) < bracket)


# ----------------------------------------------------------------------------- prefix-sum scans
def prefix_T(c_sorted: ArrayLike, alpha: float) -> np.ndarray:
    """T(S_k) for k = 2..n (index k; entries 0 and 1 are +inf). O(n) with prefix sums."""
    ws = w(c_sorted)
    n = ws.size
    out = np.full(n + 1, np.inf)
    if n >= 2:
        k = np.arange(2, n + 1)
        W = np.cumsum(ws)[1:]
        out[2:] = T(W, ws[1:], k, alpha)
    return out


def largest_robust(c_sorted: ArrayLike, sigma2: ArrayLike, alpha: float) -> np.ndarray:
    """Largest robust size K(sigma2) = max{k >= 2 : T(S_k) <= sigma2} (0 if none); S_K is robust.

    docs/derivations/dpshare.md#robust-structure (sharper Claim 8): robust equilibria are the add-maximal
    exit-feasible sets.
    Vectorised over ``sigma2``. O(n + m log n) via the running minimum of T(S_k) from the top.
    """
    Tk = prefix_T(c_sorted, alpha)
    # K = largest k with T_k <= s: suffix-min of T over k' >= k is monotone, search on it
    sufmin = np.minimum.accumulate(Tk[::-1])[::-1]  # sufmin[k] = min_{k' >= k} T_k'
    s = np.atleast_1d(np.asarray(sigma2, dtype=float))
    # largest k with sufmin[k] <= s; sufmin is non-decreasing in k
    idx = np.searchsorted(sufmin, s, side="right") - 1
    idx = np.where(idx >= 2, idx, 0)
    return idx if np.ndim(sigma2) else idx[0]


def design_scan(c_sorted: ArrayLike, sigma2: float, alpha: float) -> tuple[int, np.ndarray]:
    """Eq. (4) after Lemma 1: SC_c(k) for k = 2..n and the optimal size k* (0 = no sharing).

    Ties: the paper shares when min_k SC_c(k) = n sigma2; among equal k the lower variance (larger k).
    Returns (k*, sc) with sc[k] = SC_c(S_k) (sc[0] = n sigma2, sc[1] = +inf).
    """
    ws = w(c_sorted)
    n = ws.size
    sc = np.full(n + 1, np.inf)
    sc[0] = n * sigma2
    k = np.arange(2, n + 1)
    sc[2:] = sc_central(np.cumsum(ws)[1:], k, n, sigma2, alpha)
    best = float(np.min(sc[2:]))
    if best > n * sigma2:
        return 0, sc
    cand = np.flatnonzero(sc[2:] <= best * (1 + 1e-15) + 1e-300) + 2
    return int(cand[-1]), sc


def nash_scan_downward(c_sorted: ArrayLike, sigma2: float, alpha: float) -> list[int]:
    """Sizes k with S_k Nash-stable (O(n)); all Nash coalitions if costs are well separated (Claim 7)."""
    ws = w(c_sorted)
    n = ws.size
    k = np.arange(2, n + 1)
    W = np.cumsum(ws)[1:]
    wl0 = np.append(ws[2:], np.inf)
    ok = (T(W, ws[1:], k, alpha) <= sigma2) & (sigma2 < E(W, wl0, k, alpha))
    return [int(x) for x in k[ok]]


def well_separated(c_sorted: ArrayLike) -> bool:
    """Claim 7's condition c_i >= 2 c_{i-1} for all i >= 2."""
    c = np.asarray(c_sorted, dtype=float)
    return bool(np.all(c[1:] >= 2 * c[:-1]))


# ----------------------------------------------------------------------------- Claims 2 and 4
def claim2_bound(c_max: float, sigma2: float, alpha: float, ceiling: bool = False) -> float:
    """Claim 2's sufficient bound on n for the grand coalition (alpha != -1/2).

    alpha > -1/2: n <= (sigma2 / (4 w_n))^(3/(2a+1)); alpha < -1/2: n >= (4 w_n/sigma2)^(-3/(2a+1)).
    ``ceiling=True`` applies the paper's printed ceiling to the inner ratio (false for alpha > -1/2).
    """
    wn = float(w(c_max))
    e = 3.0 / (2 * alpha + 1)
    if alpha > -0.5:
        base = sigma2 / (4 * wn)
        return (np.ceil(base) if ceiling else base) ** e
    base = 4 * wn / sigma2
    return (np.ceil(base) if ceiling else base) ** (-e)


def claim2_holds(n: int, c_max: float, sigma2: float, alpha: float, ceiling: bool = False) -> bool:
    """Whether Claim 2's sufficient condition holds (printed with ``ceiling``, corrected without)."""
    if alpha == -0.5:
        raise ValueError("Claim 2 does not cover alpha = -1/2")
    b = claim2_bound(c_max, sigma2, alpha, ceiling)
    return bool(2 <= n <= b) if alpha > -0.5 else bool(n >= max(2.0, b))


def claim4_L(k: ArrayLike, alpha: float) -> np.ndarray:
    """Identical costs: L_k = (k+2)/(k-1) k^p; size k is robust iff L_k <= sigma2/w < L_{k+1}."""
    k = np.asarray(k, dtype=float)
    return (k + 2) / (k - 1) * k ** p_exp(alpha)
