"""The exact S-curve knapsack of the vaccine paper, Problem (1), for every coalition at once.

The algorithm of ``vaccine.allocation --solver exact`` (formulation ``exact-kkt``) and of the
game's characteristic function (:mod:`coopt.games.vaccine.characteristic` composes v(S) for all
coalitions of an instance from it). It works on arrays, knows nothing of instances or games.

Public API (stable; other modules code against it)::

    solve_arrays(M, r, funcs, names, tol=1e-12) -> GameSolution
        M, r  : arrays (n,) of the players' sizes M_i and resources r_i
        funcs : the players' return-function objects F_i (coopt.data.vaccine.returns)
        names : the players' names, in the same order
        -> v(S), its certified upper bound and the optimal fractions f of every coalition S
           (index = bit mask over the players: bit i = names[i]), for n <= 16

Method (exact KKT enumeration, shared across coalitions)
-------------------------------------------------------
Problem (1): v(S) = max sum_{i in S} M_i F_i(f_i) s.t. sum_{i in S} M_i f_i <= R(S), f >= 0.
At an optimum some multiplier lambda >= 0 has F_i'(f_i) = lambda for every active player below its
cap, and the second-order necessary condition leaves *at most one* active player on its convex
branch (f_i < c_i). An optimum therefore has the form: an active set A, optionally one j in A on
the convex branch, every other member of A on its concave branch at psi_i(lambda) (the inverse of
F_i' there), everybody else at 0, with sum_A M_i f_i(lambda) = R(S) -- or A = {i} alone with
f_i = R(S)/M_i. The candidate curves lambda -> (B(lambda), V(lambda)) of a configuration (A, j)
depend on A and j only, not on the coalition: they are tabulated once on a common lambda grid and
every coalition S containing A reads them at its own budget R(S) (the shared sub-problems).

Along a curve dV = lambda dB, so between two grid points lambda_k < lambda_{k+1} where B is
monotone, V(R) lies between V_k + lambda_k (R - B_k) and V_k + lambda_{k+1} (R - B_k).
Concave-only configurations have B decreasing in lambda. With one convex player j the
second-order condition is 1/h_j'' + sum_{i != j} 1/h_i'' >= 0 (h_i(x) = M_i F_i(x/M_i)), i.e.
dB/dlambda >= 0: only those pieces of its curve are read. Per coalition, every configuration whose
bracket's top reaches the best bracket bottom is polished by Newton's method on its KKT system
(F_i'(f_i) = lambda, sum M_i f_i = R) to machine precision; v(S) is the best polished feasible
value and ``bound`` the largest of the polished values and the bracket tops of the pruned
configurations: a global certificate.

Everything that depends on the players' functions F_i and sizes M_i only -- the lambda grid, the
tables of psi_i, phi_i and the gains, and the monotone pieces of every configuration's curve -- is
built once per set of players and cached (keyed by the function objects and M; the resources do not
enter): a sweep over the stock V (Figures 7, 8) builds them once per tau. A call then locates all
its budgets R(S) on all pieces with one batched binary search. The numbers are those of the plain
enumeration loop (still the path for n > 11 or a curve that is not one monotone piece), bit for
bit.

What the certificate rests on: the inverses psi_i, phi_i are computed to machine precision and a
curve is read between grid points only where B is monotone. A one-convex-player curve whose B
turns (a fold) inside a single lambda cell (about 2,000 points, linear step 1/1500 of the largest slope) and
crosses R(S) only inside that cell is not seen; random tests (4,000+ coalitions of logistic,
Ginsberg and SIR games against a dense-grid DP) never met one.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coopt.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

GRID = 1500  # linear lambda points on (0, max_i F_i'(c_i)], plus GRID // 3 log-spaced ones below
SPAN = 1e-13  # smallest lambda relative to the largest slope max_i F_i'(c_i)


@dataclass
class GameSolution:
    """v(S), its certified bound and the optimal fractions f for every coalition (index = bit mask)."""

    names: tuple[str, ...]
    v: np.ndarray  # (2**n,)
    bound: np.ndarray  # (2**n,)
    f: np.ndarray  # (2**n, n): optimal fraction of each player (0 outside S)
    polished: int = 0  # configurations polished by Newton (work statistic)

    def members(self, mask: int) -> tuple[str, ...]:
        return tuple(nm for i, nm in enumerate(self.names) if mask >> i & 1)

    def frame(self) -> pd.DataFrame:
        """One row per non-empty coalition: members (tuple of names), v, bound (by size, then player order)."""
        import pandas as pd

        n = len(self.names)
        order = sorted(range(1, 2**n), key=lambda m: (bin(m).count("1"), [-(m >> i & 1) for i in range(n)]))
        return pd.DataFrame({"members": [self.members(m) for m in order],
                             "v": [float(self.v[m]) for m in order],
                             "bound": [float(self.bound[m]) for m in order]})


# ------------------------------------------------------------------------------------ players
@dataclass
class _Players:
    M: np.ndarray
    r: np.ndarray
    funcs: list
    c: np.ndarray
    u: np.ndarray
    h0: np.ndarray  # M_i F_i(0)


def _players(M: np.ndarray, r: np.ndarray, funcs: list) -> _Players:
    c = np.array([fn.c for fn in funcs], float)
    u = np.array([fn.u for fn in funcs], float)
    h0 = np.array([m * fn.F0 for m, fn in zip(M, funcs)], float)
    return _Players(np.asarray(M, float), np.asarray(r, float), funcs, c, u, h0)


def _grid(P: _Players) -> np.ndarray:
    top = max(float(fn.dF(fn.c)) for fn in P.funcs)
    lo = SPAN * top
    pts = [np.geomspace(lo, top, GRID // 3), np.linspace(0.0, top, GRID)[1:]]
    for fn in P.funcs:
        for x in (fn.dF(fn.c), fn.dF(0.0), fn.dF(min(fn.u, 1e300))):
            if lo < x <= top:
                pts.append(np.array([x]))
    return np.unique(np.concatenate(pts))


# The lambda grid and the tables depend on the players' functions F_i and sizes M_i only, not on
# their resources r_i: a sweep over the stock V (Figures 7, 8) reuses them for every V of a tau.
# Keyed by the identity of the function objects (immutable, shared by make_return_function's cache;
# the entry holds them, so an id cannot be reused while it lives) and the bytes of M.
_TABLE_CACHE: dict[tuple, tuple[list, np.ndarray, tuple[np.ndarray, ...]]] = {}
TABLE_CACHE_SIZE = 16


def clear_table_cache() -> None:
    """Forget the cached lambda grids, tables and pieces (benchmarks time a cold computation with it)."""
    _TABLE_CACHE.clear()
    _PIECE_CACHE.clear()


def _grid_and_tables(P: _Players) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """(lambda grid, tables) of the players, from the cache when the same F_i and M_i were seen."""
    key = (tuple(id(fn) for fn in P.funcs), P.M.tobytes())
    hit = _TABLE_CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], P.funcs)):
        return hit[1], hit[2]
    lam = _grid(P)
    tabs = _tables(P, lam)
    for a in (lam, *tabs):
        a.setflags(write=False)  # shared between calls: read only
    _remember(_TABLE_CACHE, TABLE_CACHE_SIZE, key, (list(P.funcs), lam, tabs))
    return lam, tabs


_LOCK = threading.Lock()


def _remember(cache: dict, size: int, key: tuple, value: tuple) -> None:
    """Store ``value``, dropping the oldest entries beyond ``size`` (thread-safe: sweeps may use threads)."""
    with _LOCK:
        while len(cache) >= size:
            cache.pop(next(iter(cache)))
        cache[key] = value


def _tables(P: _Players, lam: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per player: concave-branch doses/gains and convex-branch doses/gains on the lambda grid."""
    n, L = len(P.M), len(lam)
    xc = np.full((n, L), np.nan)
    gc = np.full((n, L), np.nan)
    xv = np.full((n, L), np.nan)
    gv = np.full((n, L), np.nan)
    for i, fn in enumerate(P.funcs):
        psi = fn.concave_inverse(lam)
        ok = np.isfinite(psi)
        xc[i, ok] = P.M[i] * psi[ok]
        gc[i, ok] = P.M[i] * fn.F(psi[ok]) - P.h0[i]
        if fn.c > 0:
            phi = fn.convex_inverse(lam)
            ok = np.isfinite(phi)
            xv[i, ok] = P.M[i] * phi[ok]
            gv[i, ok] = P.M[i] * fn.F(phi[ok]) - P.h0[i]
    return xc, gc, xv, gv


# ------------------------------------------------------------------------------------ brackets
def _brackets(B: np.ndarray, V: np.ndarray, lam: np.ndarray, R: np.ndarray, increasing: bool = False
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brackets [lo, hi] of V at the budgets R on a monotone piece of a curve: (which R, k, lo, hi).

    B is NaN outside the piece; on it B is non-increasing in lambda (concave configurations) or
    ``increasing`` (one convex player). Between grid points k, k+1 dV = lambda dB with lambda in
    [lambda_k, lambda_{k+1}], so V(R) lies between V_k + lambda_k (R - B_k) and V_k + lambda_{k+1}
    (R - B_k). k = -1 marks R above B at the smallest lambda (all concave players at the grid's end:
    spend B_0 and dispose of the rest; lambda < lambda_0 beyond)."""
    e = np.zeros(0, int)
    ok = np.isfinite(B)
    if not np.any(ok):
        return e, e, np.zeros(0), np.zeros(0)
    kk = np.nonzero(ok)[0]
    kmin, kmax = int(kk[0]), int(kk[-1])
    Bs, Vs, ls = B[kmin:kmax + 1], V[kmin:kmax + 1], lam[kmin:kmax + 1]
    key = Bs if increasing else -Bs
    rk = R if increasing else -R
    pos = np.searchsorted(key, rk, side="right") - 1  # last k with key[k] <= rk
    idx, ks, los, his = [], [], [], []
    w = np.nonzero((pos >= 0) & (pos < len(Bs) - 1))[0]
    if len(w):
        k = pos[w]
        d = R[w] - Bs[k]
        a, b = ls[k] * d, ls[k + 1] * d
        idx.append(w), ks.append(k + kmin), los.append(Vs[k] + np.minimum(a, b)), his.append(Vs[k] + np.maximum(a, b))
    w = np.nonzero((pos == len(Bs) - 1) & (np.abs(Bs[-1] - R) <= 1e-12 * np.maximum(1.0, np.abs(R))))[0]
    if len(w):
        idx.append(w), ks.append(np.full(len(w), max(kmax - 1, kmin)))
        los.append(np.full(len(w), Vs[-1])), his.append(np.full(len(w), Vs[-1]))
    if not increasing:
        w = np.nonzero(pos < 0)[0]
        if len(w) and kmin == 0:
            idx.append(w), ks.append(np.full(len(w), -1))
            los.append(np.full(len(w), Vs[0])), his.append(Vs[0] + ls[0] * (R[w] - Bs[0]))
    if not idx:
        return e, e, np.zeros(0), np.zeros(0)
    return np.concatenate(idx), np.concatenate(ks), np.concatenate(los), np.concatenate(his)


# ------------------------------------------------------------------------------------ pieces
# The monotone pieces of every configuration's curve lambda -> B(lambda) depend on the tables only:
# they are built once per set of players (cached like the tables) and every call only locates its
# budgets R(S) on them -- one batched binary search over all (piece, superset) pairs instead of a
# Python loop over the 2^n active sets. Same brackets, same order as that loop (in solve_arrays: the
# reference, and the path for large n or irregular curves).
PIECES_MAX_PLAYERS = 12  # above: the loop (the pieces of 2^n active sets would not fit in memory)
PIECES_MAX_POINTS = 8_000_000  # total curve points kept per set of players (64 MB of float64)


@dataclass
class _Pieces:
    """Monotone curve pieces of the configurations (A, j), in the loop's order (A, then j = -1
    (all concave) before the convex players j ascending, then runs in lambda order)."""

    A: np.ndarray  # (p,) active set (bit mask)
    j: np.ndarray  # (p,) the player on its convex branch, -1 for none
    kmin: np.ndarray  # (p,) first lambda index of the piece
    off: np.ndarray  # (p,) offset of the piece in B
    length: np.ndarray  # (p,) number of lambda points of the piece
    B: np.ndarray  # flat: B(lambda) = sum_A M_i f_i(lambda) on every piece
    pair_p: np.ndarray  # every (piece, superset S of A): piece index ...
    pair_S: np.ndarray  # ... and S (ascending within a piece)
    gc0: np.ndarray  # concave-branch gains (NaN -> 0)
    gv0: np.ndarray  # convex-branch gains (NaN -> 0)
    members: np.ndarray  # (p, n) bool: players summed on the concave branch (A, or A minus j)

    def brackets(self, R: np.ndarray, H0: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, ...]:
        """(S, A, j, k, lo, hi) of every bracket, in the order of solve_arrays' loop (see _brackets)."""
        p, S = self.pair_p, self.pair_S
        off, L, kmin = self.off[p], self.length[p], self.kmin[p]
        concave = self.j[p] < 0
        RS = R[S]
        pos = _count_prefix(self.B, off, L, RS, concave) - 1
        last = self.B[off + L - 1]
        c1 = (pos >= 0) & (pos < L - 1)
        c2 = (pos == L - 1) & (np.abs(last - RS) <= 1e-12 * np.maximum(1.0, np.abs(RS)))
        c3 = concave & (pos < 0) & (kmin == 0)
        case = np.where(c1, 0, np.where(c2, 1, 2))
        keep = np.nonzero(c1 | c2 | c3)[0]
        # the loop's order: piece, then case, then S (S < 2^20: n <= PIECES_MAX_PLAYERS <= 20)
        keep = keep[np.argsort(((p[keep] * 3 + case[keep]) << 20) + S[keep], kind="stable")]
        p, S, RS, case = p[keep], S[keep], RS[keep], case[keep]
        off, L, kmin = off[keep], L[keep], kmin[keep]
        k = np.where(case == 0, pos[keep], np.where(case == 1, L - 1, 0))  # index in the piece
        kg = np.where(case == 0, kmin + k, np.where(case == 1, kmin + np.maximum(L - 2, 0), -1))
        Vk = self._values(p, kmin + k)
        Bk = self.B[off + k]
        d = RS - Bk
        k1 = np.minimum(kmin + k + 1, len(lam) - 1)
        a, b = lam[kmin + k] * d, lam[k1] * d
        lo = np.where(case == 0, Vk + np.minimum(a, b), Vk)
        hi = np.where(case == 0, Vk + np.maximum(a, b), np.where(case == 1, Vk, Vk + a))
        return S, self.A[p], self.j[p], kg, lo + H0[S], hi + H0[S]

    def _values(self, p: np.ndarray, k: np.ndarray) -> np.ndarray:
        """V at lambda index k of piece p: the members' concave gains summed in player order (as
        numpy's sum over rows), plus the convex player's gain."""
        out = np.zeros(len(p))
        started = np.zeros(len(p), bool)
        memb = self.members[p]
        for i in range(self.members.shape[1]):
            m = memb[:, i]
            if not m.any():
                continue
            g = self.gc0[i, k]
            out = np.where(m, np.where(started, out + g, g), out)
            started |= m
        j = self.j[p]
        has = j >= 0
        out[has] = out[has] + self.gv0[j[has], k[has]]
        return out


def _count_prefix(B: np.ndarray, off: np.ndarray, L: np.ndarray, R: np.ndarray, ge: np.ndarray) -> np.ndarray:
    """Per pair: the number of points of its piece B[off:off+L] with B >= R (``ge``, B non-increasing)
    or B <= R (B non-decreasing) -- a true prefix, found by a batched binary search; on a sorted
    piece it equals numpy's searchsorted of _brackets."""
    lo = np.zeros(len(R), np.int64)
    hi = L.astype(np.int64).copy()
    while True:
        act = lo < hi
        if not act.any():
            return lo
        mid = (lo + hi) >> 1
        v = B[off + np.minimum(mid, L - 1)]
        pred = np.where(ge, v >= R, v <= R)
        lo = np.where(act & pred, mid + 1, lo)
        hi = np.where(act & ~pred, mid, hi)


def _build_pieces(P: _Players, lam: np.ndarray, tables: tuple[np.ndarray, ...]) -> _Pieces | None:
    """The pieces of every configuration, or None (use the loop) for large n, too many points, or a
    curve that is not one monotone interval (then the loop's searchsorted semantics apply)."""
    n = len(P.M)
    if n > PIECES_MAX_PLAYERS or (2**n - n - 1) * len(lam) > PIECES_MAX_POINTS:  # the concave pieces alone
        return None
    xc, gc, xv, gv = tables
    xc0, xv0 = np.nan_to_num(xc), np.nan_to_num(xv)
    valid_c, valid_v = np.isfinite(xc), np.isfinite(xv)
    has_convex = valid_v.any(axis=1)
    full = 2**n
    masks = np.arange(full)
    bits = _bits(n)
    A_, j_, kmin_, len_, segs, memb_ = [], [], [], [], [], []
    total = 0
    for A in range(1, full):
        memb = np.nonzero(bits[A])[0]
        if len(memb) < 2:
            continue
        ok = np.all(valid_c[memb], axis=0)
        if ok.any():
            kk = np.nonzero(ok)[0]
            a, b = int(kk[0]), int(kk[-1])
            Bs = xc0[memb].sum(axis=0)[a:b + 1]
            if not ok[a:b + 1].all() or np.any(Bs[1:] > Bs[:-1]):
                return None  # a hole or not non-increasing: the loop's semantics
            A_.append(A), j_.append(-1), kmin_.append(a), len_.append(b - a + 1), segs.append(Bs)
            memb_.append(bits[A].astype(bool))
            total += b - a + 1
        for j in memb:
            if not has_convex[j]:
                continue
            rest = memb[memb != j]
            okj = np.all(valid_c[rest], axis=0) & valid_v[j]
            if not okj.any():
                continue
            Bj = np.where(okj, xc0[rest].sum(axis=0) + xv0[j], np.nan)
            m = bits[A].astype(bool)
            m[j] = False
            for a, b in _increasing_runs(Bj):
                A_.append(A), j_.append(int(j)), kmin_.append(a), len_.append(b - a + 1)
                segs.append(Bj[a:b + 1]), memb_.append(m)
                total += b - a + 1
        if total > PIECES_MAX_POINTS:
            return None
    A_a = np.array(A_, np.int64)
    length = np.array(len_, np.int64)
    off = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64) if len(length) else length
    pair_p, pair_S = [], []
    sup_of: dict[int, np.ndarray] = {}
    for q, A in enumerate(A_):
        sup = sup_of.get(A)
        if sup is None:
            sup = sup_of[A] = masks[(masks & A) == A]
        pair_p.append(np.full(len(sup), q, np.int64)), pair_S.append(sup)
    e = np.zeros(0, np.int64)
    return _Pieces(A=A_a, j=np.array(j_, np.int64), kmin=np.array(kmin_, np.int64), off=off, length=length,
                   B=np.concatenate(segs) if segs else np.zeros(0),
                   pair_p=np.concatenate(pair_p) if pair_p else e, pair_S=np.concatenate(pair_S) if pair_S else e,
                   gc0=np.nan_to_num(gc), gv0=np.nan_to_num(gv),
                   members=np.array(memb_, bool).reshape(len(memb_), n))


_PIECE_CACHE: dict[tuple, tuple[list, _Pieces | None]] = {}
PIECE_CACHE_SIZE = 2  # a sweep visits one set of functions at a time (one tau); pieces are large
USE_PIECES = True  # False: always the loop (tests compare the two)


def _structure(P: _Players) -> tuple[np.ndarray, tuple[np.ndarray, ...], _Pieces | None]:
    """(lambda grid, tables, pieces or None for the loop) of the players, cached by their F_i and M_i."""
    lam, tables = _grid_and_tables(P)
    if not USE_PIECES:
        return lam, tables, None
    key = (tuple(id(fn) for fn in P.funcs), P.M.tobytes())
    hit = _PIECE_CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], P.funcs)):
        return lam, tables, hit[1]
    pieces = _build_pieces(P, lam, tables)
    _remember(_PIECE_CACHE, PIECE_CACHE_SIZE, key, (list(P.funcs), pieces))
    return lam, tables, pieces


@functools.lru_cache(maxsize=4)
def _bits(n: int) -> np.ndarray:
    """(2^n, n) membership matrix: bits[S, i] = 1 when player i is in S (read only)."""
    masks = np.arange(2**n)
    bits = (masks[:, None] >> np.arange(n)[None, :]) & 1
    bits.setflags(write=False)
    return bits


# ------------------------------------------------------------------------------------ main
BATCH = 1 << 20  # bracket records pruned and polished together (bounds the memory of n = 16 games)


class _Batch:
    """Bracket records (S, A, j, k, lo, hi) collected until a flush."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.size = 0

    def add(self, S: np.ndarray, A: int, j: int, k: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        self.parts.append((S, np.full(len(S), A), np.full(len(S), j), k, lo, hi))
        self.size += len(S)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate(col) for col in zip(*self.parts))

    def clear(self) -> None:
        self.parts, self.size = [], 0


def solve_arrays(M: np.ndarray, r: np.ndarray, funcs: list, names: tuple[str, ...], tol: float = 1e-12,
                 time_limit: float | None = None) -> GameSolution:
    """v(S), certified bound and optimal f for every coalition of the players (see module doc).

    ``M``, ``r``: the players' sizes and resources; ``funcs``: their return-function objects;
    ``names``: their names (bit i of a coalition mask is ``names[i]``); ``time_limit`` (s): raise
    :class:`coopt.solve.result.TimeLimitReached` once it has passed (checked every 256 configurations)."""
    from coopt.solve.result import Deadline

    deadline = Deadline(time_limit)
    P = _players(M, r, funcs)
    n = len(M)
    if n > 16:
        raise InputError(f"vaccine game: {n} players; exact v(S) for all 2^n coalitions supports n <= 16")
    full = 2**n
    masks = np.arange(full)
    bits = _bits(n)  # (2^n, n)
    R = bits @ r
    H0 = bits @ P.h0
    lam, (xc, gc, xv, gv), pieces = _structure(P)  # cached per set of players (F_i, M_i)
    deadline.check(f"exact v(S) of {n} players, after the lookup tables")

    # exact candidates: nobody active; exactly one active player with the whole budget
    best_v = H0.copy()
    best_f = np.zeros((full, n))
    for i, fn in enumerate(funcs):
        has = bits[:, i] == 1
        fi = np.minimum(R[has] / M[i], fn.u)
        val = H0[has] - P.h0[i] + M[i] * fn.F(fi)
        better = val > best_v[has]
        rows = np.nonzero(has)[0][better]
        best_v[rows] = val[better]
        best_f[rows] = 0.0
        best_f[rows, i] = fi[better]

    # configurations (A, j) with |A| >= 2: brackets for every superset S of A, processed in batches of
    # at most BATCH records (memory stays flat in n): each batch is pruned against the running lower
    # bound lb (a lower lb only keeps more candidates) and its candidates are polished at once
    bound = best_v.copy()
    lb = best_v.copy()
    batch = _Batch()
    polished = 0

    def flush() -> None:
        nonlocal polished
        if not batch.size:
            return
        S_, A_, j_, k_, lo_, hi_ = batch.arrays()
        np.maximum.at(lb, S_, lo_)
        slack = tol * np.maximum(1.0, np.abs(lb))
        cand = hi_ >= lb[S_] - slack[S_]
        # pruned configurations only contribute their bracket tops to the bound
        np.maximum.at(bound, S_[~cand], hi_[~cand])
        ci = np.nonzero(cand)[0]
        polished += len(ci)
        deadline.check(f"exact v(S) of {n} players, before polishing {len(ci)} candidates")
        if len(ci):
            vals, fs, caps = _polish(P, lam, xc, xv, bits, S_[ci], A_[ci], j_[ci], k_[ci], R)
            s_ci = S_[ci]
            val = vals + H0[s_ci]
            np.maximum.at(bound, s_ci, np.maximum(val, caps + H0[s_ci]))
            order = np.argsort(val, kind="stable")  # the best polished value of each coalition wins
            s_o, v_o = s_ci[order], val[order]
            sel = np.zeros(len(s_o), bool)
            _, first_rev = np.unique(s_o[::-1], return_index=True)  # last (largest) value of each coalition
            sel[len(s_o) - 1 - first_rev] = True
            better = sel & (v_o > best_v[s_o])
            rows = s_o[better]
            best_v[rows] = v_o[better]
            best_f[rows] = fs[order][better]
            np.maximum(lb, best_v, out=lb)
        batch.clear()

    if pieces is not None:
        # every bracket at once (in the loop's order), flushed where the loop would flush: after the
        # first active set at which the batch holds BATCH records or more
        S_, A_, j_, k_, lo_, hi_ = pieces.brackets(R, H0, lam)
        deadline.check(f"exact v(S) of {n} players, {len(S_)} brackets located")
        ends = np.cumsum(np.unique(A_, return_counts=True)[1])  # records come grouped by active set
        start = 0
        while start < len(S_):
            stop = int(ends[min(int(np.searchsorted(ends, start + BATCH)), len(ends) - 1)])
            batch.parts.append(tuple(x[start:stop] for x in (S_, A_, j_, k_, lo_, hi_)))
            batch.size = stop - start
            flush()
            start = stop
    active_sets = range(1, full) if pieces is None else range(0)
    xc0, gc0 = np.nan_to_num(xc), np.nan_to_num(gc)
    xv0, gv0 = np.nan_to_num(xv), np.nan_to_num(gv)
    valid_c = np.isfinite(xc)
    valid_v = np.isfinite(xv)
    has_convex = valid_v.any(axis=1)
    for A in active_sets:
        if A & 255 == 0:
            deadline.check(f"exact v(S) of {n} players, configuration {A} of {full - 1}")
        memb = np.nonzero(bits[A])[0]
        if len(memb) < 2:
            continue
        sup = masks[(masks & A) == A]
        RS = R[sup]
        ok = np.all(valid_c[memb], axis=0)
        B = np.where(ok, xc0[memb].sum(axis=0), np.nan)
        V = np.where(ok, gc0[memb].sum(axis=0), np.nan)
        w, k, lo, hi = _brackets(B, V, lam, RS)
        if len(w):
            batch.add(sup[w], A, -1, k, lo + H0[sup[w]], hi + H0[sup[w]])
        for j in memb:
            if not has_convex[j]:
                continue
            rest = memb[memb != j]
            okj = np.all(valid_c[rest], axis=0) & valid_v[j]
            if not okj.any():
                continue
            Bj = np.where(okj, xc0[rest].sum(axis=0) + xv0[j], np.nan)
            Vj = np.where(okj, gc0[rest].sum(axis=0) + gv0[j], np.nan)
            for a, b in _increasing_runs(Bj):
                Bs = np.full(len(lam), np.nan)
                Bs[a:b + 1] = Bj[a:b + 1]
                w, k, lo, hi = _brackets(Bs, Vj, lam, RS, increasing=True)
                if len(w):
                    batch.add(sup[w], A, j, k, lo + H0[sup[w]], hi + H0[sup[w]])
        if batch.size >= BATCH:
            flush()
    flush()
    # no budget (R(S) = 0, every M_i > 0): f = 0 is the only feasible point, so v(S) = sum_i M_i F_i(0) exactly
    none = R <= 0
    best_v[none], best_f[none], bound[none] = H0[none], 0.0, H0[none]
    bound = np.maximum(bound, best_v)
    bound[0] = best_v[0] = 0.0
    return GameSolution(names, best_v, bound, best_f, polished)


def _increasing_runs(B: np.ndarray) -> list[tuple[int, int]]:
    """Maximal index runs [a, b] on which the finite array B is non-decreasing (second-order
    condition with one convex player: dB/dlambda = sum_i M_i / F_i''(f_i) >= 0)."""
    ok = np.isfinite(B)
    up = np.zeros(len(B) + 1, bool)
    up[1:-1] = ok[:-1] & ok[1:] & (B[1:] >= B[:-1])
    edges = np.diff(up.astype(np.int8))
    starts = np.nonzero(edges == 1)[0]
    stops = np.nonzero(edges == -1)[0]
    return list(zip(starts.tolist(), stops.tolist()))


def _polish(P: _Players, lam: np.ndarray, xc: np.ndarray, xv: np.ndarray, bits: np.ndarray, S: np.ndarray,
            A: np.ndarray, j: np.ndarray, k: np.ndarray, R: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton on the KKT system of each candidate (vectorised); returns (gain, f, gain bound)."""
    n = len(P.M)
    T = len(S)
    act = bits[A].astype(bool)  # (T, n)
    conv = np.zeros((T, n), bool)
    hasj = j >= 0
    conv[np.nonzero(hasj)[0], j[hasj]] = True
    budget = R[S]
    # start: interpolate the tables inside the bracket [k, k+1]
    beyond = k < 0
    k0 = np.where(beyond, 0, k)
    k1 = np.where(beyond, 0, np.minimum(k + 1, len(lam) - 1))
    X0 = np.where(conv, xv[:, k0].T, xc[:, k0].T)
    X1 = np.where(conv, xv[:, k1].T, xc[:, k1].T)
    B0 = np.where(act, X0, 0).sum(1)
    B1 = np.where(act, X1, 0).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(B0 != B1, (B0 - budget) / (B0 - B1), 0.0), 0.0, 1.0)
    X = np.where(act, X0 + t[:, None] * (X1 - X0), 0.0)
    f = np.nan_to_num(X / P.M[None, :])
    lam_lo = lam[k0]
    lam_hi = lam[k1]
    c = P.c[None, :]
    u = P.u[None, :]
    lo_box = np.where(conv, 0.0, c)
    hi_box = np.where(conv, c, u)
    newton = ~beyond
    for _ in range(12):
        d1 = np.zeros((T, n))
        d2 = np.zeros((T, n))
        for i, fn in enumerate(P.funcs):
            col = act[:, i]
            if col.any():
                d1[col, i] = fn.dF(f[col, i])
                d2[col, i] = fn.d2F(f[col, i])
        free = act & (np.abs(d2) > 0) & ~((f >= u * (1 - 1e-15)) & ~conv)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(free, P.M[None, :] / np.where(free, d2, 1.0), 0.0)
            num = budget - (P.M[None, :] * f * act).sum(1) + (inv * d1).sum(1)
            den = inv.sum(1)
            lam_new = np.where(den != 0, num / den, 0.0)
            step = np.where(free, (lam_new[:, None] - d1) / np.where(free, d2, 1.0), 0.0)
        step = np.where(newton[:, None], np.nan_to_num(step), 0.0)
        f = np.clip(f + step, lo_box, hi_box)
        f = np.where(act, f, 0.0)
        if np.max(np.abs(step), initial=0.0) < 1e-15:
            break
    # feasibility: never spend more than the budget
    spend = (P.M[None, :] * f).sum(1)
    over = spend > budget
    f[over] *= (budget[over] / spend[over])[:, None]
    gain = np.zeros(T)
    for i, fn in enumerate(P.funcs):
        col = act[:, i]
        if col.any():
            gain[col] += P.M[i] * fn.F(f[col, i]) - P.h0[i]
    # a Newton point outside its lambda bracket is not trusted as the configuration's value:
    # its bound stays the bracket top
    d1 = np.zeros((T, n))
    for i, fn in enumerate(P.funcs):
        col = act[:, i]
        if col.any():
            d1[col, i] = fn.dF(f[col, i])
    inner = act & (f > 0) & (f < u * (1 - 1e-12))
    lam_est = np.where(inner, d1, np.nan)
    with np.errstate(all="ignore"):
        lmin = np.nanmin(np.where(inner.any(1)[:, None], lam_est, 0.0), axis=1)
        lmax = np.nanmax(np.where(inner.any(1)[:, None], lam_est, 0.0), axis=1)
    spread = np.abs(lmax - lmin)
    inside = (lmin >= lam_lo * (1 - 1e-9)) & (lmax <= lam_hi * (1 + 1e-9))
    converged = newton & inside & (spread <= 1e-9 * np.maximum(lmax, 1e-300))
    resid = np.abs(budget - (P.M[None, :] * f).sum(1)) * np.maximum(lam_hi, 0)
    gap = np.where(converged, resid + 1e-13 * np.abs(gain), np.inf)
    # unconverged: the bracket top bounds the configuration (dV = lambda dB)
    top = np.where(beyond, gain + lam_lo * np.maximum(budget - spend, 0.0), np.inf)
    cap = np.minimum(gain + gap, top)
    cap = np.where(np.isfinite(cap), cap, gain + lam_hi * np.abs(B0 - B1))
    return gain, f, cap


__all__ = ["GRID", "SPAN", "GameSolution", "clear_table_cache", "solve_arrays"]
