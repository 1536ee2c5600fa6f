"""Shapley and Banzhaf values: exact and vectorised over the 2^n table, or sampled with a confidence interval.

Shapley (1953, "A value for n-person games", Contributions to the Theory of Games II, Ann. Math.
Studies 28, doi:10.1515/9781400881970-018), with w(s) = s! (n - s - 1)! / n!::

    phi_i = sum_{S not containing i} w(|S|) (v(S + i) - v(S))
          = sum_{S containing i} (w(|S| - 1) + w(|S|)) v(S) - sum_S w(|S|) v(S)      (w(n) = 0)

so phi is one weighted pass over the table plus, per player, the sum over the masks with bit i set
(strided views of the table; the table is processed in blocks of 2^20 masks, so memory stays flat).
Banzhaf (1965; Penrose 1946): beta_i = 2^-(n-1) sum_{S not containing i} (v(S + i) - v(S))
= 2^-(n-1) (2 sum_{S containing i} v(S) - sum_S v(S)) (raw, not normalised).

Sampled Shapley (Castro, Gomez & Tejada 2009, "Polynomial calculation of the Shapley value based on
sampling", Comput. Oper. Res. 36(5), doi:10.1016/j.cor.2008.04.004): the marginal contributions along
random orders; each order's contributions sum to v(N), so the estimate is efficient; the interval is
the normal 95% interval of the mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from coopt.data.tu.game import TUGame, popcounts

EXACT_MAX = 25
BLOCK = 20  # masks processed in blocks of 2^BLOCK


def _member_sums(values: Callable[[int, int], np.ndarray], n: int) -> tuple[np.ndarray, float]:
    """(sum over S containing i of a(S) for every i, sum over all S of a(S)) with a given blockwise."""
    b = min(n, BLOCK)
    size = 1 << b
    per = np.zeros(n)
    total = 0.0
    for start in range(0, 1 << n, size):
        a = values(start, start + size)
        s = float(a.sum())
        total += s
        for i in range(b):
            per[i] += float(a.reshape(-1, 2, 1 << i)[:, 1, :].sum())
        for i in range(b, n):
            if start >> i & 1:
                per[i] += s
    return per, total


def shapley_weights(n: int) -> np.ndarray:
    """w(s) = s! (n - s - 1)! / n! for s = 0..n-1, and w(n) = 0."""
    w = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)] + [0.0])
    return w


def shapley(game: TUGame) -> np.ndarray:
    """The exact Shapley value (n <= 25), vectorised over the table."""
    n = game.n
    w = shapley_weights(n)
    coef_in = np.concatenate([[0.0], w[:-1]]) + w  # w(|S|-1) + w(|S|), indexed by |S|
    pc = popcounts(n)
    v = game.v

    def a(lo: int, hi: int) -> np.ndarray:
        return v[lo:hi] * coef_in[pc[lo:hi]]

    per, _ = _member_sums(a, n)
    base = 0.0
    b = min(n, BLOCK)
    for start in range(0, 1 << n, 1 << b):
        # an elementwise product and a sum, not a BLAS dot (whose threads stall on a busy machine)
        base += float(np.multiply(v[start:start + (1 << b)], w[pc[start:start + (1 << b)]]).sum())
    return per - base


def banzhaf(game: TUGame) -> np.ndarray:
    """The raw Banzhaf value (not normalised), exact."""
    n = game.n
    v = game.v
    per, total = _member_sums(lambda lo, hi: v[lo:hi], n)
    return (2.0 * per - total) / 2.0 ** (n - 1)


def shapley_sampled(value_of: Callable[[np.ndarray], np.ndarray], n: int, samples: int, seed: int = 0,
                    v_grand: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(estimate, half-width of the 95% interval) from ``samples`` random orders.

    ``value_of(masks)`` returns v for an int64 array of masks (vectorised)."""
    rng = np.random.default_rng(seed)
    total = np.zeros(n)
    total2 = np.zeros(n)
    done = 0
    chunk = max(1, min(samples, 1 << 16 // max(n, 1)))
    while done < samples:
        m = min(chunk, samples - done)
        perm = np.argsort(rng.random((m, n)), axis=1)
        bits = np.left_shift(np.int64(1), perm.astype(np.int64))
        prefix = np.cumsum(bits, axis=1)  # masks after each arrival (bits distinct: sum == or)
        vals = value_of(prefix.ravel()).reshape(m, n)
        prev = np.concatenate([np.zeros((m, 1)), vals[:, :-1]], axis=1)
        marg = vals - prev  # marginal contribution of perm[:, k]
        contrib = np.zeros((m, n))
        np.put_along_axis(contrib, perm, marg, axis=1)
        total += contrib.sum(axis=0)
        total2 += (contrib ** 2).sum(axis=0)
        done += m
    mean = total / samples
    var = np.maximum(total2 / samples - mean ** 2, 0.0) * samples / max(samples - 1, 1)
    half = 1.959963984540054 * np.sqrt(var / samples)
    return mean, half


__all__ = ["EXACT_MAX", "banzhaf", "shapley", "shapley_sampled", "shapley_weights"]
