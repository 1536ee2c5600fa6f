"""Every Nash-stable and robust coalition (P4-P6): vectorised enumeration, O(n) scans, per-size MILP.

Exact tests (docs/derivations/dpshare.md#stability, equivalent to Claims 5 and 6): with W_S = sum_S w_i,
wmax = max_S w_i and l0 the cheapest outsider,

    Nash   <=>  T(S) <= sigma2 < E(S)          robust  <=>  T(S) <= sigma2 < R(S) = T(S + l0)

Each test is O(1) given (k, W_S, wmax, w_l0); :func:`enumerate_stable` evaluates it for all 2^n
subsets at once (bit masks, chunked), which is the reference for n <= 20. Ties follow the paper: an
indifferent insider stays (weak exit), an indifferent outsider does not join (strict entry).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coopt.formulations.dpshare import closed_form as cf

MAX_ENUM_N = 22


@dataclass
class Enumeration:
    """Bit masks (bit i = i-th cheapest agent) of all Nash and all robust coalitions."""

    nash: np.ndarray
    robust: np.ndarray
    n: int

    @staticmethod
    def members(mask: int, n: int) -> list[int]:
        return [i for i in range(n) if int(mask) >> i & 1]


def features(ws: np.ndarray) -> tuple[np.ndarray, ...]:
    """(mask, k, W_S, wmax, w_l0) of every subset mask of n agents with k >= 2 members (the subsets that
    share), in O(2^n) by doubling; n <= MAX_ENUM_N.

    Subsets whose highest member is i are the masks in [2^i, 2^(i+1)): each is a subset of the first i
    agents plus agent i, so W, k and the most expensive member follow from the lower half. The cheapest
    outsider is the lowest zero bit, (~mask) & (mask + 1); w_l0 = +inf for the grand coalition.
    """
    n = ws.size
    if n > MAX_ENUM_N:
        raise ValueError(f"enumeration of the 2^n subsets is for n <= {MAX_ENUM_N}, got n = {n}")
    N = 1 << n
    W = np.zeros(N)
    k = np.zeros(N, dtype=np.int64)
    top = np.zeros(N, dtype=np.int64)
    for i in range(n):
        lo, hi = 1 << i, 1 << (i + 1)
        W[lo:hi] = W[:lo] + ws[i]
        k[lo:hi] = k[:lo] + 1
        top[lo:hi] = i
    masks = np.arange(N, dtype=np.int64)
    l0 = np.log2(((~masks) & (masks + 1)).astype(float)).astype(np.int64)   # exact: powers of two
    wl0 = np.append(ws, np.inf)[l0]
    keep = k >= 2
    return masks[keep], k[keep], W[keep], ws[top][keep], wl0[keep]


def enumerate_stable(c_sorted: np.ndarray, sigma2: float, alpha: float) -> Enumeration:
    """All Nash and robust coalitions by vectorised enumeration of the 2^n subsets (O(1) test each)."""
    ws = cf.w(c_sorted)
    n = ws.size
    masks, k, W, wmax, wl0 = features(ws)
    exit_ok = cf.T(W, wmax, k, alpha) <= sigma2
    masks, k, W, wmax, wl0 = masks[exit_ok], k[exit_ok], W[exit_ok], wmax[exit_ok], wl0[exit_ok]
    grand = np.isinf(wl0)
    with np.errstate(invalid="ignore", over="ignore"):
        Ev = np.where(grand, np.inf, cf.E(W, np.where(grand, 0.0, wl0), k, alpha))
        Rv = cf.R(W, wmax, wl0, k, alpha)
    return Enumeration(masks[sigma2 < Ev], masks[sigma2 < Rv], n)


def python_loop_stable(c_sorted: np.ndarray, sigma2: float, alpha: float) -> tuple[list[int], list[int]]:
    """The same O(1) tests in a plain Python loop over subsets (benchmark baseline only)."""
    ws = [float(x) for x in cf.w(c_sorted)]
    n = len(ws)
    p, q = cf.p_exp(alpha), cf.q_exp(alpha)
    nash, robust = [], []
    for mask in range(1 << n):
        S = [i for i in range(n) if mask >> i & 1]
        k = len(S)
        if k < 2:
            continue
        W = sum(ws[i] for i in S)
        wmax = ws[S[-1]]
        if (W + 2 * wmax) * k**p / (k - 1) > sigma2:
            continue
        outs = [i for i in range(n) if not mask >> i & 1]
        if not outs:
            nash.append(mask)
            robust.append(mask)
            continue
        wl = ws[outs[0]]
        if sigma2 < (3 * wl * (k + 1) ** q + W * k**q) / (k * (k + 1)):
            nash.append(mask)
        if sigma2 < (W + wl + 2 * max(wmax, wl)) * (k + 1) ** p / k:
            robust.append(mask)
    return nash, robust


def sigma2_window(c_sorted: np.ndarray, members: list[int], alpha: float, kind: str) -> tuple[float, float]:
    """[T(S), E(S)) for Nash or [T(S), R(S)) for robust: the sigma^2 interval where S is stable."""
    ws = cf.w(c_sorted)
    S = sorted(members)
    k = len(S)
    W = float(ws[S].sum())
    wmax = float(ws[S[-1]])
    outs = np.setdiff1d(np.arange(ws.size), S)
    wl0 = float(ws[outs[0]]) if outs.size else np.inf
    lo = float(cf.T(W, wmax, k, alpha))
    if not np.isfinite(wl0):
        return lo, np.inf
    hi = float(cf.E(W, wl0, k, alpha)) if kind == "nash" else float(cf.R(W, wmax, wl0, k, alpha))
    return lo, hi


def robust_scan(c_sorted: np.ndarray, sigma2: float, alpha: float) -> list[int]:
    """Downward-closed robust coalitions, O(n): sizes k with T(S_k) <= sigma2 < T(S_{k+1}); the largest
    robust size is max{k : T(S_k) <= sigma2} (docs/derivations/dpshare.md#robust-structure, sharper Claim 8)."""
    Tk = cf.prefix_T(c_sorted, alpha)
    n = Tk.size - 1
    nxt = np.append(Tk[3:], np.inf)
    k = np.arange(2, n + 1)
    ok = (Tk[2:] <= sigma2) & (sigma2 < nxt)
    return [int(x) for x in k[ok]]
