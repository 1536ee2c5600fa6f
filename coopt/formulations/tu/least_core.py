"""The least-core LP of a TU game as arrays (a :class:`coopt.solve.matrix.MatrixLP`), rows by bit mask.

problem: tu.least_core (the LP; the problem is `coopt.games.tu.least_core`) | class: LP | layer: matrix |
solvers: highs

With x_i the share of player i and v(S) the value of coalition S (Maschler, Peleg & Shapley 1979,
"Geometric properties of the kernel, nucleolus and related solution concepts", Math. Oper. Res. 4(4),
doi:10.1287/moor.4.4.303)::

    e* = min e   s.t.   x(N) = v(N)                                   (efficiency)
                        x(S) + e >= v(S)   for every proper S != {}     (stability, relaxed by e)
                        x_i >= v({i})      (domain = imputation only)

Columns: x_1 .. x_n, then e (index n). Row 0 is efficiency; every other row is one coalition, named by
its bit mask (bit i = player i). Only the coalitions passed are built (constraint generation adds the
rest on demand), so no 2^n x n member matrix ever exists. Values are in units of ``scale`` (the caller
divides v by it) so that HiGHS's absolute tolerances mean the same for v ~ 1 and v ~ 1e8.

The LP dual is the Bondareva-Shapley certificate: the stability rows' multipliers y_S >= 0 sum to 1 (the
column of e), and sum_{S contains i} y_S = t for every player (column x_i, preimputation), so
lambda_S = y_S / t is a balanced collection with e* = t (sum_S lambda_S v(S) - v(N)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coopt.formulations.matrix import CSR, MatrixLP

INF = float("inf")
DOMAINS = ("preimputation", "imputation")


def coalition_rows(masks: Sequence[int] | np.ndarray, n: int, e_coef: float | None = 1.0) -> CSR:
    """Rows [1_S | e_coef] for the coalitions ``masks`` (n + 1 columns; no e column if None), as CSR arrays
    made straight from the bit masks."""
    masks = np.asarray(masks, dtype=np.int64).reshape(-1)
    bits = ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)
    ncol = n
    if e_coef is not None:
        bits = np.hstack([bits, np.full((masks.size, 1), e_coef != 0.0)])
        ncol = n + 1
    r, c = np.nonzero(bits)
    indptr = np.zeros(masks.size + 1, dtype=np.int64)
    np.cumsum(bits.sum(axis=1), out=indptr[1:])
    data = np.where(c == n, float(e_coef or 0.0), 1.0) if e_coef is not None else np.ones(c.size)
    return CSR(indptr, c, data, ncol)


def build(n: int, v_grand: float, masks: Sequence[int] | np.ndarray, v_masks: Sequence[float] | np.ndarray,
          domain: str = "preimputation", singletons: Sequence[float] | None = None,
          names: Sequence[str] | None = None) -> MatrixLP:
    """The least-core LP over the coalitions ``masks`` with values ``v_masks`` (already scaled).

    ``singletons``: v({i}) (scaled), the column lower bounds when ``domain='imputation'``.
    """
    if domain not in DOMAINS:
        raise ValueError(f"domain {domain!r}")
    masks = np.asarray(masks, dtype=np.int64)
    A = CSR(np.array([0, n]), np.arange(n), np.ones(n), n + 1)  # efficiency: x(N), no e
    A.extend(coalition_rows(masks, n, 1.0))
    row_lo = np.concatenate([[v_grand], np.asarray(v_masks, dtype=np.float64)])
    row_hi = np.concatenate([[v_grand], np.full(masks.size, INF)])
    col_lo = np.full(n + 1, -INF)
    if domain == "imputation":
        col_lo[:n] = np.asarray(singletons, dtype=np.float64)
    c = np.zeros(n + 1)
    c[n] = 1.0
    cols = (*(names or [f"x{i}" for i in range(n)]), "e")
    return MatrixLP(c, A, row_lo, row_hi, col_lo, None, "min", cols, name="tu.least_core")


__all__ = ["DOMAINS", "build", "coalition_rows"]
