"""Verifying a (pre)nucleolus by the Kohlberg criterion, in floating point and in exact rationals.

Kohlberg (1971, "On the nucleolus of a characteristic function game", SIAM J. Appl. Math. 20(1),
doi:10.1137/0120009): a preimputation x is the prenucleolus iff for every level t the collection
C(t) = {S proper, non-empty : e(S, x) >= t} is *balanced*: there are weights y_S > 0 with
sum_{S in C(t)} y_S 1_S = 1_N. For the nucleolus (x an imputation) the singletons {i} with
x_i = v({i}) may join with weights >= 0 (Peleg & Sudhoelter, "Introduction to the Theory of Cooperative
Games", 2nd ed., Springer 2007, Thm. 5.1.6). Levels are checked from the largest excess down until
the collection spans R^n, after which every larger collection is balanced too.

Balancedness of C (relative to the singletons X0) is the LP

    max t  s.t.  sum_{S in C} y_S 1_S + sum_{i in X0} mu_i 1_{i} - lam 1_N = 0,  sum_S y_S = 1,
                 y_S >= t,  mu >= 0                                   -- balanced iff t* > 0,

solved in floating point by HiGHS (`coopt.solve`), and, for n <= 12, as a Phase-I simplex in exact
rational arithmetic (``fractions``) after the allocation itself is rebuilt exactly from the levels'
tight coalitions (an exact linear system), so that the verdict does not rest on rounding.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np
import scipy.sparse as sp

from coopt.data.tu.game import TUGame, rows_of, subset_sums
from coopt.formulations.matrix import MatrixLP
from coopt.solve import solve
from coopt.solve.result import Status

LEVEL_TOL = 1e-9  # excesses within LEVEL_TOL * scale are one level
ALL_ROWS_UP_TO = 256  # collections up to this size enter the direction LP whole; larger ones by generation
BALANCE_TOL = 1e-9  # t* (the smallest of weights averaging 1) must exceed this


# ------------------------------------------------------------------------------------ floating point
def _balance_lp(masks: np.ndarray, n: int, X0: list[int]) -> MatrixLP:
    """max t s.t. sum_S (t + s_S) 1_S + sum_{X0} mu_i 1_{i} - lam 1_N = 0, sum_S (t + s_S) = |C|, s, mu >= 0.

    (y_S = t + s_S: weights averaging 1; the collection is balanced iff t* > 0.) n + 1 rows only."""
    k, m0 = len(masks), len(X0)
    B = rows_of(masks, n).T  # n x k
    count = B.sum(axis=1, keepdims=True)
    E = np.zeros((n, m0))
    E[X0, np.arange(m0)] = 1.0
    top = np.hstack([count, B, E, -np.ones((n, 1))])
    norm = np.concatenate([[k], np.ones(k), np.zeros(m0 + 1)])[None, :]
    A = sp.csr_matrix(np.vstack([top, norm]))
    rhs = np.concatenate([np.zeros(n), [float(k)]])
    col_lo = np.concatenate([[-np.inf], np.zeros(k + m0), [-np.inf]])
    col_hi = np.concatenate([[1.0], np.full(k + m0 + 1, np.inf)])
    c = np.zeros(k + m0 + 2)
    c[0] = 1.0
    return MatrixLP(c, A, rhs, rhs, col_lo, col_hi, "max", name="kohlberg balancedness")


def balanced(masks: np.ndarray, n: int, X0: list[int]) -> tuple[bool, float, np.ndarray | None]:
    """(is the collection balanced relative to X0, t* = the smallest weight, the LP's columns) by the
    LP of the module docstring; weights average 1 so t* is 0 for an unbalanced collection."""
    lp = _balance_lp(np.asarray(masks, dtype=np.int64), n, X0)
    res = solve(lp, "highs", "LP", tol=1e-9)
    if res.status != Status.OPTIMAL or res.x is None:
        return False, float("nan"), None
    t = float(res.x[0])
    return t > BALANCE_TOL, t, res.x


def uniform_cover(counts: np.ndarray, X0: list[int]) -> bool:
    """Balanced with all weights 1: every player outside X0 is in the same number c of the coalitions
    and no player of X0 in more than c (X0's singletons fill the difference). Exact (integer counts)."""
    top = counts.max()
    rest = np.ones(counts.size, dtype=bool)
    rest[X0] = False
    return bool(np.all(counts[rest] == top) and np.all(counts[~rest] <= top))


def improving_direction(masks: np.ndarray, n: int, X0: list[int], counts: np.ndarray,
                        max_rounds: int = 100) -> tuple[bool | None, float]:
    """Is there d with d(N) = 0, d_i >= 0 (i in X0), d(S) >= 0 for every S in the collection and
    d(S) > 0 for some? (None: undecided.) The LP max sum_S d(S) / |C| over -1 <= d <= 1 by constraint
    generation on its rows d(S) >= 0: n columns, rows added while some d(S) < 0. A relaxed optimum of 0
    proves there is none (the collection is balanced); a positive optimum feasible for every row is
    an improving direction (not balanced)."""
    masks = np.asarray(masks, dtype=np.int64)
    c = counts / max(len(masks), 1)
    col_lo = -np.ones(n)
    col_lo[X0] = 0.0
    lp = MatrixLP(c, sp.csr_matrix(np.ones((1, n))), [0.0], [0.0], col_lo, np.ones(n), "max",
                  name="kohlberg improving direction")
    in_lp = np.zeros(0, dtype=np.int64)
    if masks.size <= ALL_ROWS_UP_TO:  # a small collection: every row at once (one solve)
        lp.add_rows(rows_of(masks, n), np.zeros(masks.size), None)
        in_lp = masks
    for _ in range(max_rounds):
        res = solve(lp, "highs", "LP", tol=1e-10)
        if res.status != Status.OPTIMAL or res.x is None:
            return None, float("nan")
        d = res.x
        if res.objective <= BALANCE_TOL:
            return False, float(res.objective)
        sd = subset_sums(d)
        bad = np.setdiff1d(masks[sd[masks] < -1e-10], in_lp)
        if bad.size == 0:
            return True, float(res.objective)
        bad = bad[np.argsort(sd[bad], kind="stable")[: 4 * n]]
        lp.add_rows(rows_of(bad, n), np.zeros(bad.size), None)
        in_lp = np.concatenate([in_lp, bad])
    return None, float("nan")


def kohlberg(game: TUGame, x: np.ndarray, domain: str) -> dict[str, Any]:
    """Floating-point Kohlberg check of ``x``; returns {verified, levels_checked, failed_level, reason}."""
    n = game.n
    scale = game.scale()
    tol = LEVEL_TOL * scale
    sums = subset_sums(np.asarray(x, dtype=np.float64))
    out: dict[str, Any] = {"verified": False, "levels_checked": 0, "coalitions_checked": 0, "failed_level": None,
                           "reason": None}
    if abs(sums[-1] - game.v_grand) > tol:
        out["reason"] = f"not efficient: x(N) - v(N) = {sums[-1] - game.v_grand:.3e}"
        return out
    X0: list[int] = []
    if domain == "imputation":
        slack = np.array([x[i] - game.v[1 << i] for i in range(n)])
        if slack.min() < -tol:
            out["reason"] = f"not an imputation: x_i - v(i) = {slack.min():.3e}"
            return out
        X0 = [i for i in range(n) if slack[i] <= tol]
    exc = game.v - sums
    exc[0] = exc[-1] = -np.inf
    chosen = np.zeros(0, dtype=np.int64)
    counts = np.zeros(n)
    gram = np.zeros((n, n))
    while True:
        t = float(exc.max())
        if not np.isfinite(t):
            break
        level = np.flatnonzero(exc >= t - tol)
        exc[level] = -np.inf
        chosen = np.sort(np.concatenate([chosen, level]))
        R = rows_of(level, n)
        counts += R.sum(axis=0)
        gram += np.einsum("ki,kj->ij", R, R)  # no BLAS call: its threads stall on a busy machine
        out["levels_checked"] += 1
        out["coalitions_checked"] = int(chosen.size)
        if not uniform_cover(counts, X0):
            improves, _ = improving_direction(chosen, n, X0, counts)
            if improves is None:
                out.update(failed_level=t, reason=f"balancedness LP failed at the level {t:.10g}")
                return out
            if improves:
                out.update(failed_level=t, reason=f"the coalitions with excess >= {t:.10g} are not balanced")
                return out
        if np.linalg.matrix_rank(gram) >= n:
            break
    out["verified"] = True
    return out


# ------------------------------------------------------------------------------------ exact
def _solve_exact(rows: list[list[Fraction]], rhs: list[Fraction], nvar: int) -> list[Fraction] | None:
    """Unique solution of a consistent linear system (Gauss-Jordan in rationals), else None."""
    M = [list(r) + [b] for r, b in zip(rows, rhs)]
    piv_cols = []
    r = 0
    for c in range(nvar):
        p = next((i for i in range(r, len(M)) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        pv = M[r][c]
        M[r] = [a / pv for a in M[r]]
        for i in range(len(M)):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        piv_cols.append(c)
        r += 1
    if any(all(a == 0 for a in row[:-1]) and row[-1] != 0 for row in M):
        return None  # inconsistent
    if len(piv_cols) < nvar:
        return None  # not unique
    sol = [Fraction(0)] * nvar
    for i, c in enumerate(piv_cols):
        sol[c] = M[i][-1]
    return sol


def _rank_exact(vectors: list[list[int]]) -> int:
    M = [[Fraction(a) for a in v] for v in vectors]
    rank = 0
    ncol = len(M[0]) if M else 0
    for c in range(ncol):
        p = next((i for i in range(rank, len(M)) if M[i][c] != 0), None)
        if p is None:
            continue
        M[rank], M[p] = M[p], M[rank]
        for i in range(rank + 1, len(M)):
            if M[i][c] != 0:
                f = M[i][c] / M[rank][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[rank])]
        rank += 1
    return rank


def phase_one_feasible(A: list[list[Fraction]], b: list[Fraction]) -> bool:
    """Is {z >= 0 : A z = b} non-empty? Exact Phase-I simplex with Bland's rule (no cycling)."""
    m = len(A)
    ncol = len(A[0]) if m else 0
    T = []
    for i in range(m):
        row = list(A[i])
        bi = b[i]
        if bi < 0:
            row = [-a for a in row]
            bi = -bi
        art = [Fraction(0)] * m
        art[i] = Fraction(1)
        T.append(row + art + [bi])
    basis = [ncol + i for i in range(m)]
    width = ncol + m
    # objective: minimise sum of artificials -> reduced costs of the Phase-I problem
    while True:
        # Phase-I reduced costs: c_j - sum of the rows whose basic variable is artificial (cost 1)
        cost = [Fraction(int(j >= ncol)) for j in range(width)] + [Fraction(0)]
        for i in range(m):
            if basis[i] >= ncol:
                Ti = T[i]
                for j in range(width + 1):
                    if Ti[j]:
                        cost[j] -= Ti[j]
        in_basis = set(basis)
        enter = next((j for j in range(width) if cost[j] < 0 and j not in in_basis), None)
        if enter is None:
            return cost[width] == 0  # -(sum of the artificials) at the optimum
        best, leave = None, None
        for i in range(m):
            a = T[i][enter]
            if a > 0:
                ratio = T[i][width] / a
                if best is None or ratio < best or (ratio == best and basis[i] < basis[leave]):
                    best, leave = ratio, i
        if leave is None:  # cannot happen in Phase I (objective bounded below by 0)
            return False
        pv = T[leave][enter]
        T[leave] = [a / pv for a in T[leave]]
        for i in range(m):
            if i != leave and T[i][enter] != 0:
                f = T[i][enter]
                T[i] = [a - f * bb for a, bb in zip(T[i], T[leave])]
        basis[leave] = enter


def balanced_exact(masks: list[int], n: int, X0: list[int]) -> bool:
    """Exact balancedness of a collection relative to X0.

    First the floating-point LP's basis is re-solved exactly (its basic columns, the others at 0) and
    checked: t > 0, s >= 0, mu >= 0 -- a rational certificate. If that fails (degenerate basis),
    an exact Phase-I simplex decides y_S >= 1, mu >= 0, lam free, sum y_S 1_S + sum mu_i 1_{i} = lam 1_N."""
    one, zero = Fraction(1), Fraction(0)
    if uniform_cover(rows_of(np.asarray(masks, dtype=np.int64), n).sum(axis=0), X0):
        return True  # all weights 1 (integer counts: exact)
    ok, _, xf = balanced(np.asarray(masks, dtype=np.int64), n, X0)
    k, m0 = len(masks), len(X0)
    if ok and xf is not None:
        cols: list[list[Fraction]] = []
        counts = rows_of(np.asarray(masks, dtype=np.int64), n).astype(np.int64).sum(axis=0)
        cols.append([Fraction(int(c)) for c in counts] + [Fraction(k)])
        cols += [[one if m >> i & 1 else zero for i in range(n)] + [one] for m in masks]
        cols += [[one if i == j else zero for i in range(n)] + [zero] for j in X0]
        cols.append([-one] * n + [zero])
        basic = [0] + [1 + j for j in range(k + m0) if xf[1 + j] > 1e-12] + [k + m0 + 1]
        rows = [[cols[j][i] for j in basic] for i in range(n + 1)]
        sol = _solve_exact(rows, [zero] * n + [Fraction(k)], len(basic))
        if sol is not None and sol[0] > 0 and all(z >= 0 for z in sol[1:-1]):
            return True
    cols = [[one if m >> i & 1 else zero for i in range(n)] for m in masks]
    cols += [[one if i == j else zero for i in range(n)] for j in X0]
    cols += [[-one] * n, [one] * n]  # lam+ and lam-
    A = [[col[i] for col in cols] for i in range(n)]
    counts = rows_of(np.asarray(masks, dtype=np.int64), n).astype(np.int64).sum(axis=0)
    b = [Fraction(-int(c)) for c in counts]  # y = 1 + w
    return phase_one_feasible(A, b)


def kohlberg_exact(game: TUGame, x: list[Fraction], domain: str) -> tuple[bool, str]:
    """Exact Kohlberg check of the rational allocation ``x`` on the game's values read exactly."""
    n = game.n
    # integers on a common denominator: v(S) = V(S) / Q (binary floats: Q a power of 2), x_i = X_i / D;
    # the excess times Q D is V(S) D - X(S) Q, compared exactly as Python ints
    ratios = [float(a).as_integer_ratio() for a in game.v]
    Q = max(q for _, q in ratios)
    V = [p * (Q // q) for p, q in ratios]
    D = 1
    for f in x:
        D = D * f.denominator // gcd(D, f.denominator)
    X = [f.numerator * (D // f.denominator) for f in x]
    if sum(X) * Q != V[-1] * D:
        return False, "not efficient (exact)"
    X0: list[int] = []
    if domain == "imputation":
        if any(X[i] * Q < V[1 << i] * D for i in range(n)):
            return False, "not an imputation (exact)"
        X0 = [i for i in range(n) if X[i] * Q == V[1 << i] * D]
    sums = [0] * (1 << n)
    for i in range(n):
        h = 1 << i
        xi = X[i]
        sums[h:2 * h] = [a + xi for a in sums[:h]]
    exc: dict[int, list[int]] = {}
    for m in range(1, (1 << n) - 1):
        exc.setdefault(V[m] * D - sums[m] * Q, []).append(m)
    chosen: list[int] = []
    for level in sorted(exc, reverse=True):
        chosen.extend(exc[level])
        if not balanced_exact(chosen, n, X0):
            return False, f"coalitions with excess >= {level / (Q * D):.10g} not balanced (exact)"
        R = rows_of(np.asarray(chosen, dtype=np.int64), n).astype(np.int64)
        if _rank_exact(np.einsum("ki,kj->ij", R, R).tolist()) >= n:  # rank of the integer Gram matrix, exactly
            break
    return True, "verified in exact rational arithmetic"


def exact_allocation(game: TUGame, level_coalitions: list[list[int]], x_float: np.ndarray,
                     domain: str) -> list[Fraction] | None:
    """The allocation rebuilt exactly from the levels' tight coalitions: x(N) = v(N) and
    x(S) + e_k = v(S) for S fixed at level k (x_i = v({i}) added where needed on the imputations)."""
    n = game.n
    K = len(level_coalitions)

    def v(m: int) -> Fraction:
        return Fraction(float(game.v[m]))

    rows, rhs = [], []
    rows.append([Fraction(1)] * n + [Fraction(0)] * K)
    rhs.append(v(game.grand))
    for k, masks in enumerate(level_coalitions):
        for m in masks:
            rows.append([Fraction(m >> i & 1) for i in range(n)] + [Fraction(int(j == k)) for j in range(K)])
            rhs.append(v(m))
    sol = _solve_exact(rows, rhs, n + K)
    if sol is None and domain == "imputation":
        tol = LEVEL_TOL * game.scale()
        for i in range(n):
            if x_float[i] - game.v[1 << i] <= tol:
                rows.append([Fraction(int(j == i)) for j in range(n)] + [Fraction(0)] * K)
                rhs.append(v(1 << i))
        sol = _solve_exact(rows, rhs, n + K)
    return None if sol is None else sol[:n]


def verify_nucleolus(game: TUGame, result: Any, exact: bool = False) -> None:
    """Set ``verified`` (and ``verified_exact``) on a :class:`Nucleolus`; downgrade its status if not."""
    rep = kohlberg(game, result.x, result.domain)
    result.kohlberg = rep
    result.verified = bool(rep["verified"])
    if not result.verified:
        result.status = Status.NUMERICAL_ERROR
        result.messages.append(f"Kohlberg criterion failed: {rep['reason']}")
    if exact:
        xq = exact_allocation(game, result.level_coalitions, result.x, result.domain)
        if xq is None:
            result.verified_exact = False
            result.messages.append("exact re-check: the levels' tight coalitions do not determine x exactly")
        else:
            ok, why = kohlberg_exact(game, xq, result.domain)
            result.verified_exact = ok
            result.messages.append(f"exact re-check: {why}")
            if ok:
                dev = max(abs(float(a) - b) for a, b in zip(xq, result.x))
                result.kohlberg["exact_distance"] = dev
        if not result.verified_exact and result.status == Status.OPTIMAL:
            result.status = Status.NUMERICAL_ERROR


__all__ = ["balanced", "balanced_exact", "exact_allocation", "kohlberg", "kohlberg_exact", "phase_one_feasible",
           "verify_nucleolus"]
