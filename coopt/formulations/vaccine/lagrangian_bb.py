"""Exact S-curve knapsack with optional members: Lagrangian branch and bound (vaccine paper, Problem (1)).

One algorithm answers both questions a large vaccine game asks:

* the **separation problem** for an allocation x (which coalition gains most by leaving?)::

      max_{z, f}  sum_i z_i (M_i F_i(f_i) - x_i)
      s.t.        sum_i M_i f_i <= sum_i r_i z_i,   0 <= f_i <= z_i f_max_i,   z_i in {0, 1},
                  1 <= sum_i z_i <= n - 1                         (S proper and non-empty)

* the coalition value v(S) of Problem (1): the same with z fixed to S and x = 0.

Why the bound is a bound (the certificate)
------------------------------------------
Write y_i = M_i f_i (doses) and h_i(y) = M_i F_i(y / M_i). For a price lambda >= 0 on the budget,
weak duality gives, for every feasible (z, y),

    sum_i z_i (h_i(y_i) - x_i) <= sum_i z_i (h_i(y_i) - x_i) - lambda (sum_i y_i - sum_i r_i z_i)
                               <= max_{z in Z} sum_i z_i [ max_{y in Y_i} (h_i(y) - lambda y) + lambda r_i - x_i ]
                               =: L(lambda),

where Z keeps the cardinality rows (the inner maximum over z in Z is still trivial: take every
player whose bracket is positive; if that is everybody, drop the one that loses least; if nobody,
add the one that loses least) and Y_i is player i's set of doses at the current branch-and-bound
node. L is a maximum of affine functions of lambda, hence convex; every lambda gives an upper bound,
and the node's bound is min_lambda L. The inner maximum over y decomposes by *pieces* of Y_i:

* ``idle`` (y = 0, member): h_i(0) + lambda r_i - x_i, exact;
* ``concave`` (y on the concave branch [M_i c_i, M_i d_i]): M_i Phi_i(lambda) + lambda r_i - x_i with
  Phi_i(lambda) = max_{f in [c_i, d_i]} F_i(f) - lambda f, attained at psi_i(lambda) = clip of the inverse
  of F_i' on the concave branch. Phi_i is convex in lambda (a maximum of affine functions), so between
  two points lambda_k < lambda_{k+1} of a tabulated grid its chord lies *above* it: coalition values
  read from the chords are upper bounds, at every lambda, with no rounding argument needed;
* ``convex`` (y in [M_i a, M_i b] inside the convex branch [0, c_i]): F_i - lambda f is convex in f
  there, so its maximum is at an endpoint: exact;
* ``out`` (z_i = 0): 0.

Structure used to branch (and why no optimum is lost)
----------------------------------------------------
At a KKT point of Problem (1) every active player has F_i'(f_i) = lambda and the second-order
condition leaves *at most one* player strictly inside its convex branch (0 < f_i < c_i); all
others are idle or on their concave branch. So a node's players choose among the pieces
{out, idle, concave, convex}; branching on a player partitions its pieces into children, and a
child that puts player j alone on its convex branch removes the convex piece from every other
player (the at-most-one rule: some optimum satisfies it). The convex piece is split in halves
(spatial branching) until its chord is within the tolerance. With every piece fixed, the node is a
concave knapsack, solved exactly by the price lambda.

The lower bound (the incumbent) is always a feasible (S, f) whose value sum M_i F_i(f_i) - x_i is
evaluated with the true F_i: the answer is the incumbent, the certificate the largest bound of
any node not yet fathomed (or fathomed within the tolerance).

References: Lagrangian relaxation of separable non-convex knapsacks (Falk & Soland, "An algorithm
for separable nonconvex programming problems", Management Science 15(9), 1969,
doi:10.1287/mnsc.15.9.550); S-curve knapsacks (Agrali & Geunes, EJOR 193(2), 2009,
doi:10.1016/j.ejor.2007.11.045).
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

OUT, IDLE, CONC = 1, 2, 4  # pieces of a player's domain (bit flags); the convex piece is an interval
_NEG = -np.inf


# ------------------------------------------------------------------------------------ tables
@dataclass
class PoolData:
    """Tables of the concave pieces on a common lambda grid (built once per game by :func:`prepare`).

    PHI[g, k], PSI[g, k] hold Phi and psi of the g-th distinct return function at lam[k] (chord
    interpolation of its own samples); a player reads its function's row, capped at d_i."""

    M: np.ndarray  # (n,) sizes
    r: np.ndarray  # (n,) resources
    funcs: list  # F_i
    c: np.ndarray  # (n,) inflection points
    d: np.ndarray  # (n,) top of the concave piece: min(u_i, R(N) / M_i)
    has_conc: np.ndarray  # (n,) d_i > c_i
    cv: np.ndarray  # (n,) top of the convex piece: min(c_i, d_i)
    F0: np.ndarray  # (n,) F_i(0)
    Fd: np.ndarray  # (n,) F_i(d_i)
    dFd: np.ndarray  # (n,) F_i'(d_i): below this price player i's concave piece sits at d_i
    gi: np.ndarray  # (n,) row of player i's function in PHI / PSI
    lam: np.ndarray  # (G,) grid of prices
    PHI: np.ndarray  # (ng, G)
    PSI: np.ndarray  # (ng, G)
    groups: list  # [(function, player indices)] (players sharing one F)
    scale: float  # sum_i M_i (a value unit)
    chord_error: float  # upper bound on the total chord-above-Phi gap at any price

    @property
    def n(self) -> int:
        return len(self.M)

    def cols(self, k: np.ndarray, t: np.ndarray, idx: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lambda (m,), A (n, m), N (n, m), psi (n, m))-style reads at positions k + t: A = M_i Phi_i + lambda r_i
        (-inf without a concave piece), N = M_i psi_i - r_i; returns (lam, A, N) and keeps psi in self._psi."""
        G = len(self.lam)
        k1 = np.minimum(k + 1, G - 1)
        lam = (1 - t) * self.lam[k] + t * self.lam[k1]
        if idx is None:
            idx = np.arange(self.n)
        gi = self.gi[idx]
        phi = ((1 - t) * self.PHI[:, k] + t * self.PHI[:, k1])[gi]
        psi = ((1 - t) * self.PSI[:, k] + t * self.PSI[:, k1])[gi]
        d = self.d[idx, None]
        psi = np.minimum(psi, d)
        if lam.min() <= self.dFd[idx].max():  # some player's concave piece sits at its cap d_i
            capped = lam[None, :] <= self.dFd[idx, None]
            phi = np.where(capped, self.Fd[idx, None] - lam[None, :] * d, phi)
            psi = np.where(capped, d, psi)
        Mi = self.M[idx, None]
        A = Mi * phi + lam[None, :] * self.r[idx, None]
        if not self.has_conc[idx].all():
            A = np.where(self.has_conc[idx, None], A, _NEG)
        N = Mi * psi - self.r[idx, None]
        self._psi = psi
        return lam, A, N


def prepare(M: np.ndarray, r: np.ndarray, funcs: list, rel_tol: float = 1e-10, start: int = 513,
            max_points: int | None = None) -> PoolData:
    """Tables of the concave pieces on a common lambda grid.

    Per distinct function F the concave branch is sampled in f (so lambda = F'(f) and psi = f are
    exact pairs, no inversion) and refined until each cell's chord gap dlam * dpsi / 4, times the
    mass of the players sharing F, is below rel_tol * sum M / (number of functions). The common
    grid is the union of these samples and of the caps' prices F_i'(d_i); a function's values at
    the other functions' points are read from its own chords, which lie above Phi (Phi is convex),
    so every value read from the tables is an upper bound."""
    M = np.asarray(M, float)
    r = np.asarray(r, float)
    ids: dict[int, int] = {}
    groups: list[tuple[Any, list[int]]] = []
    for i, fn in enumerate(funcs):
        if id(fn) not in ids:
            ids[id(fn)] = len(groups)
            groups.append((fn, []))
        groups[ids[id(fn)]][1].append(i)
    gi = np.array([ids[id(fn)] for fn in funcs], int)
    if max_points is None:  # samples per function; the common grid is their union (memory ~ 16 B x functions x grid)
        max_points = int(min(50000, max(4000, 150000 / len(groups))))
    c = np.array([fn.c for fn in funcs], float)
    u = np.array([fn.u for fn in funcs], float)
    R = float(r.sum())
    d = np.minimum(u, R / M)
    has_conc = d > c
    cv = np.minimum(c, d)
    F0 = np.array([fn.F0 for fn in funcs], float)
    Fd = np.array([float(fn.F(x)) for fn, x in zip(funcs, d)])
    dFd = np.array([float(fn.dF(x)) for fn, x in zip(funcs, d)])
    scale = float(M.sum())
    lam_top = max(float(fn.dF(fn.c)) for fn, _ in groups) * (1 + 1e-9) + 1e-300
    native = []  # per group: (lambda increasing, psi, Phi, chord error) on its own samples, or None
    for fn, idx in groups:
        live = [i for i in idx if has_conc[i]]
        if not live:
            native.append(None)
            continue
        top = float(d[live].max())
        native.append(_sample(fn, fn.c, top, float(M[live].sum()), rel_tol * scale / len(groups), start,
                              max_points, lam_top))
    pts = [np.array([0.0, lam_top])] + [t[0] for t in native if t is not None]
    pts.append(dFd[has_conc])
    lam = np.unique(np.clip(np.concatenate(pts), 0.0, lam_top))
    PHI = np.zeros((len(groups), len(lam)))
    PSI = np.zeros((len(groups), len(lam)))
    chord = 0.0
    for g, nat in enumerate(native):
        if nat is None:
            continue
        lg, pg, phig, err = nat
        chord += err
        PSI[g] = np.interp(lam, lg, pg)
        PHI[g] = np.interp(lam, lg, phig)
    return PoolData(M, r, list(funcs), c, d, has_conc, cv, F0, Fd, dFd, gi, lam, PHI, PSI, groups, scale, chord)


def _sample(fn: Any, c: float, top: float, mass: float, tol: float, start: int, max_points: int,
            lam_top: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(lambda, psi, Phi) samples of one function's concave branch [c, top], lambda increasing, with
    the flat ends (psi = top below F'(top), psi = c above F'(c)); and the largest chord gap x mass."""
    f = np.linspace(c, top, start)
    lam = np.asarray(fn.dF(f), float)
    for _ in range(40):
        lam_m = np.minimum.accumulate(np.maximum(lam, 0.0))  # F' non-increasing on the concave branch
        gap = np.abs(np.diff(lam_m)) * np.diff(f) * mass / 4
        bad = np.nonzero(gap > tol)[0]
        if len(bad) == 0 or len(f) + len(bad) > max_points:
            break
        mid = 0.5 * (f[bad] + f[bad + 1])
        f = np.concatenate([f, mid])
        lam = np.concatenate([lam, np.asarray(fn.dF(mid), float)])
        order = np.argsort(f, kind="stable")
        f, lam = f[order], lam[order]
    lam = np.minimum.accumulate(np.maximum(lam, 0.0))
    err = float((np.abs(np.diff(lam)) * np.diff(f) * mass / 4).max(initial=0.0))
    Ff = np.asarray(fn.F(f), float)
    # increasing lambda: reverse; ends: lambda = 0 (psi = top) and lam_top (psi = c)
    lam, f, Ff = lam[::-1], f[::-1], Ff[::-1]
    keep = np.concatenate([[True], np.diff(lam) > 0])  # one psi per lambda (the largest at a plateau)
    lam, f, Ff = lam[keep], f[keep], Ff[keep]
    if lam[0] > 0:
        lam, f, Ff = np.concatenate([[0.0], lam]), np.concatenate([[f[0]], f]), np.concatenate([[Ff[0]], Ff])
    if lam[-1] < lam_top:
        lam, f, Ff = (np.concatenate([lam, [lam_top]]), np.concatenate([f, [f[-1]]]),
                      np.concatenate([Ff, [Ff[-1]]]))
    return lam, f, Ff - lam * f, err


# ------------------------------------------------------------------------------------ nodes
@dataclass(order=True)
class _Node:
    key: float  # -bound (heap order: best bound first)
    seq: int
    bits: np.ndarray = field(compare=False)  # (n,) OUT | IDLE | CONC allowed
    ca: np.ndarray = field(compare=False)  # (n,) convex piece [ca, cb] (fractions), NaN = none
    cb: np.ndarray = field(compare=False)
    designated: int = field(compare=False, default=-1)  # the player alone on its convex branch
    bound: float = field(compare=False, default=math.inf)


@dataclass
class BBResult:
    """Outcome of :func:`solve`: best coalition (mask over the players), its f, value and the bound."""

    value: float  # best feasible objective found (-inf if none)
    upper: float  # certified upper bound on the optimum
    members: np.ndarray  # (n,) bool, the best coalition
    f: np.ndarray  # (n,) its fractions
    status: str  # "optimal" (gap closed to tol + the tables' chord error), "feasible", or "time_limit"
    nodes: int
    pool: dict[int, tuple[float, np.ndarray]]  # mask -> (best value found for that coalition, its f)
    messages: list[str] = field(default_factory=list)


class _Relax:
    """Evaluate the node bound L(lambda) on grid columns or at a fractional position p = k + t."""

    def __init__(self, P: PoolData, x: np.ndarray, proper: bool, nonempty: bool, tol: float = 0.0) -> None:
        self.P, self.x, self.proper, self.nonempty, self.tol = P, x, proper, nonempty, tol
        self.idle0 = P.M * P.F0 - x  # idle value at lambda = 0; plus lambda r_i

    def options(self, node: _Node, k: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, nets) of shape (5, n, m): pieces out, idle, concave, convex-a, convex-b at m prices."""
        P = self.P
        lam, A, Ncc = P.cols(k, t)
        n, m = P.n, len(k)
        V = np.full((5, n, m), _NEG)
        Nt = np.zeros((5, n, m))
        bits = node.bits[:, None]
        V[0] = np.where(bits & OUT, 0.0, _NEG)
        lr = P.r[:, None] * lam[None, :]
        V[1] = np.where(bits & IDLE, self.idle0[:, None] + lr, _NEG)
        Nt[1] = -P.r[:, None]
        V[2] = np.where((bits & CONC) > 0, A - self.x[:, None], _NEG)
        Nt[2] = Ncc
        conv = np.isfinite(node.ca)
        # a convex piece [0, c] beside both the idle and the concave piece never beats their maximum
        # (F convex on [0, c]: its best point is an end, 0 = idle or c <= the concave piece's best)
        dominated = (node.bits & IDLE > 0) & (node.bits & CONC > 0) & (node.ca <= 0) & (node.cb <= P.c)
        conv &= ~dominated
        if conv.any():
            if getattr(node, "Fab", None) is None:
                node.Fab = (_F_at(P, conv, node.ca), _F_at(P, conv, node.cb))  # type: ignore[attr-defined]
            for s, e, Fe in ((3, node.ca, node.Fab[0]), (4, node.cb, node.Fab[1])):  # type: ignore[attr-defined]
                val = P.M * Fe - self.x
                V[s] = np.where(conv[:, None], val[:, None] + lr - (P.M * np.where(conv, e, 0))[:, None] * lam[None, :],
                                _NEG)
                Nt[s] = np.where(conv, P.M * np.where(conv, e, 0) - P.r, 0.0)[:, None]
        return V, Nt

    def evaluate(self, node: _Node, k: np.ndarray, t: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """L at m prices, the chosen piece (n, m) and the chosen nets (n, m) (cardinality repaired)."""
        V, Nt = self.options(node, k, t)
        m = V.shape[2]
        inV = V[1:].max(axis=0)
        inC = V[1:].argmax(axis=0) + 1
        outV = V[0]
        take_in = inV > outV
        choice = np.where(take_in, inC, 0)
        val = np.where(take_in, inV, outV)
        total = val.sum(axis=0)
        cols = np.arange(m)
        if self.proper:
            alln = take_in.all(axis=0)
            if alln.any():
                loss = np.where(np.isfinite(outV), inV - outV, np.inf)
                j = loss.argmin(axis=0)
                lj = loss[j, cols]
                fix = alln & np.isfinite(lj)
                total = np.where(alln, np.where(np.isfinite(lj), total - lj, _NEG), total)
                choice[j[fix], cols[fix]] = 0
        if self.nonempty:
            none = ~take_in.any(axis=0)
            if none.any():
                gain = inV - outV
                j = gain.argmax(axis=0)
                gj = gain[j, cols]
                fix = none & np.isfinite(gj)
                total = np.where(none, np.where(np.isfinite(gj), total + gj, _NEG), total)
                choice[j[fix], cols[fix]] = inC[j[fix], cols[fix]]
        nets = np.take_along_axis(Nt, choice[None, :, :], axis=0)[0]
        return total, choice, nets


def _F_at(P: PoolData, mask: np.ndarray, f: np.ndarray) -> np.ndarray:
    """F_i(f_i) for the players in mask (0 elsewhere), grouped by function."""
    out = np.zeros(P.n)
    for fn, idx in P.groups:
        ii = [i for i in idx if mask[i]]
        if ii:
            out[ii] = fn.F(np.asarray(f)[ii])
    return out


# ------------------------------------------------------------------------------------ solver
def solve(P: PoolData, x: np.ndarray | None = None, members: np.ndarray | None = None,
          allowed: np.ndarray | None = None, proper: bool = True, nonempty: bool = True,
          tol: float = 1e-9, time_limit: float | None = None, node_limit: int = 200000,
          keep: int = 1, exclude: Callable[[np.ndarray], bool] | None = None) -> BBResult:
    """Maximise sum_{i in S} (M_i F_i(f_i) - x_i) over coalitions S and feasible f (see module doc).

    ``members`` (bool, n) fixes z = members (then the answer is v(S) - x(S)); ``allowed`` (bool, n)
    restricts S to a subset of the players; ``exclude(members) -> bool`` removes coalitions from the
    feasible set (the nucleolus's coalitions in the span of the fixed ones): they are never returned,
    and a node whose relaxation settles on one is split by the membership of its free players
    (Lawler-Murty), so that the bound covers only the coalitions kept. ``tol`` is absolute: nodes
    whose bound is within tol of the incumbent are fathomed, so ``upper - value <= tol`` on "optimal"."""
    t0 = time.perf_counter()
    n = P.n
    x = np.zeros(n) if x is None else np.asarray(x, float)
    bits = np.full(n, OUT | IDLE | CONC, np.uint8)
    bits[~P.has_conc] &= ~np.uint8(CONC)
    if members is not None:
        members = np.asarray(members, bool)
        bits = np.where(members, bits & ~np.uint8(OUT), np.uint8(OUT)).astype(np.uint8)
        proper = nonempty = False
    if allowed is not None:
        bits = np.where(np.asarray(allowed, bool), bits, np.uint8(OUT)).astype(np.uint8)
    ca = np.where(bits & IDLE, 0.0, np.nan)
    cb = np.where(bits & IDLE, P.cv, np.nan)
    ca[P.cv <= 0] = np.nan
    cb[P.cv <= 0] = np.nan
    relax = _Relax(P, x, proper, nonempty, 1e-3 * tol)
    root = _Node(0.0, 0, bits, ca, cb)
    best = _Best(n, keep, exclude)
    heap: list[_Node] = []
    seq = 1
    nodes = 0
    fathomed_top = _NEG  # largest bound of a node fathomed within tol (it still counts in the certificate)
    status = "optimal"
    flat = 1e-3 * tol
    _bound(relax, root, flat=flat)
    if math.isfinite(root.bound):
        root.key = -root.bound
        heap.append(root)
    while heap:
        node = heapq.heappop(heap)
        if node.bound <= best.value + tol:
            fathomed_top = max(fathomed_top, node.bound)
            continue
        if nodes >= node_limit or (time_limit is not None and time.perf_counter() - t0 > time_limit):
            heapq.heappush(heap, node)
            status = "time_limit"
            break
        nodes += 1
        children = _process(relax, node, best)
        if children is None:  # the node holds nothing but an excluded coalition
            continue
        if node.bound <= best.value + tol:
            fathomed_top = max(fathomed_top, node.bound)
            continue
        if not children:  # nothing left to branch on: the node's bound stays in the certificate
            fathomed_top = max(fathomed_top, node.bound)
            continue
        for ch in children:
            _bound(relax, ch, around=getattr(node, "p", None), flat=flat)
            if not math.isfinite(ch.bound):
                continue
            if ch.bound <= best.value + tol:
                fathomed_top = max(fathomed_top, ch.bound)
                continue
            ch.key, ch.seq = -ch.bound, seq
            seq += 1
            heapq.heappush(heap, ch)
    open_top = max((nd.bound for nd in heap), default=_NEG)
    upper = max(best.value, fathomed_top, open_top)
    if status == "optimal" and not upper - best.value <= tol + P.chord_error:
        status = "feasible"  # a node with nothing left to branch on kept a bound beyond the tolerance
    msg = [f"Lagrangian branch and bound: {nodes} nodes, grid {len(P.lam)} prices, chord error <= "
           f"{P.chord_error:.3g}"]
    return BBResult(best.value, upper, best.members, best.f, status, nodes, best.pool, msg)


class _Best:
    def __init__(self, n: int, keep: int, exclude: Callable[[np.ndarray], bool] | None = None) -> None:
        self.exclude = exclude
        self.value = _NEG
        self.members = np.zeros(n, bool)
        self.f = np.zeros(n)
        self.keep = max(1, keep)
        self.pool: dict[int, tuple[float, np.ndarray]] = {}

    def offer(self, members: np.ndarray, f: np.ndarray, value: float) -> None:
        if self.exclude is not None and self.exclude(members):
            return
        mask = _mask(members)
        old = self.pool.get(mask)
        if old is None or value > old[0]:
            self.pool[mask] = (value, f.copy())
            if len(self.pool) > 4 * self.keep + 16:
                for m, _ in sorted(self.pool.items(), key=lambda kv: kv[1][0])[: len(self.pool) - 2 * self.keep - 8]:
                    del self.pool[m]
        if value > self.value:
            self.value, self.members, self.f = value, members.copy(), f.copy()


def _mask(members: np.ndarray) -> int:
    return sum(1 << int(i) for i in np.nonzero(members)[0])


def _bound(relax: _Relax, node: _Node, around: float | None = None, flat: float = 0.0) -> None:
    """node.bound = min over lambda of the relaxation, by k-ary search over the grid position p.

    L is convex in lambda and p -> lambda is increasing, so L(p) is unimodal: keep the two cells
    around the smallest of 65 evaluations and repeat, starting from a window around the parent's
    price (widened while the minimum sits on its edge). Every evaluation is a valid bound; the search
    stops when the bracket is flat to ``flat``."""
    G = len(relax.P.lam)
    top = float(G - 1)
    if around is None:
        lo, hi = 0.0, top
    else:
        w = max(32.0, G / 512)
        lo, hi = max(0.0, around - w), min(top, around + w)
    best_v, best_p = math.inf, 0.0
    bracket = (lo, hi)
    for _ in range(60):
        ps = np.linspace(lo, hi, 65)
        vals = _many(relax, node, ps)
        j = int(np.argmin(vals))
        if vals[j] < best_v:
            best_v, best_p = float(vals[j]), float(ps[j])
        if not math.isfinite(best_v):
            node.bound = _NEG
            return
        width = hi - lo
        if j == 0 and lo > 0:  # the minimum may lie left of the window
            lo, hi = max(0.0, lo - 4 * width), ps[1]
            continue
        if j == 64 and hi < top:
            lo, hi = ps[63], min(top, hi + 4 * width)
            continue
        lo, hi = ps[max(j - 1, 0)], ps[min(j + 1, 64)]
        bracket = (lo, hi)
        spread = max(vals[max(j - 1, 0)], vals[min(j + 1, 64)]) - vals[j]
        if hi - lo < 1e-9 or spread <= flat:
            break
    node.bound = best_v
    node.p = best_p  # type: ignore[attr-defined]
    # the prices on either side of the minimum: the kink (players changing piece) lies between them
    node.bracket = (min(bracket[0], best_p - 1e-7), max(bracket[1], best_p + 1e-7))  # type: ignore[attr-defined]


def _many(relax: _Relax, node: _Node, ps: np.ndarray) -> np.ndarray:
    G = len(relax.P.lam)
    k = np.minimum(np.floor(ps).astype(int), max(G - 2, 0))
    return relax.evaluate(node, k, ps - k)[0]


def _at(relax: _Relax, node: _Node, p: float) -> tuple[float, np.ndarray, np.ndarray]:
    G = len(relax.P.lam)
    k = min(int(math.floor(p)), G - 2) if G > 1 else 0
    t = p - k
    tot, ch, nets = relax.evaluate(node, np.array([k]), np.array([t]))
    return float(tot[0]), ch[:, 0], nets[:, 0]


# ------------------------------------------------------------------------------------ a node's work
def _process(relax: _Relax, node: _Node, best: _Best) -> list[_Node] | None:
    """Primal heuristics at the node's price; then the children (empty: nothing to branch on; None:
    the node holds only an excluded coalition)."""
    P = relax.P
    p = getattr(node, "p", 0.0)
    G = len(P.lam)
    lo, hi = getattr(node, "bracket", (p - 1e-7, p + 1e-7))
    ps = np.array([max(lo, 0.0), min(hi, G - 1.0)])  # lower price: more demand (over budget)
    k = np.minimum(np.floor(ps).astype(int), max(G - 2, 0))
    _, ch, nets = relax.evaluate(node, k, ps - k)
    ch_lo, ch_hi, nets_lo, nets_hi = ch[:, 0], ch[:, 1], nets[:, 0], nets[:, 1]
    switching = np.nonzero((ch_lo != ch_hi) | (np.abs(nets_lo - nets_hi) > 1e-9 * (P.M + P.r)))[0]
    # primal: start from the under-budget side, move switching players to their other piece to fill it
    slack = -float(nets_hi.sum())
    cand = [int(i) for i in switching if ch_lo[i] != ch_hi[i]]
    delta = {i: float(nets_lo[i] - nets_hi[i]) for i in cand}
    tried: set[bytes] = set()
    for pick in [*_subset_fill(cand, delta, slack), cand]:
        trial = ch_hi.copy()
        trial[pick] = ch_lo[pick]
        key = trial.tobytes()
        if key not in tried:
            tried.add(key)
            _complete(relax, node, trial, p, best)
    if node.bound <= best.value:
        return []
    if best.exclude is not None and np.array_equal(ch_lo > 0, ch_hi > 0) and best.exclude(ch_hi > 0):
        return _exclude_split(node, ch_hi > 0)  # the relaxation settles on an excluded coalition
    return _branch(relax, node, ch_lo, ch_hi, nets_lo, nets_hi, switching)


def _exclude_split(node: _Node, S: np.ndarray) -> list[_Node] | None:
    """Children covering the node's coalitions except S (Lawler-Murty): with the free players
    j_1, j_2, ... (OUT and a member's piece both allowed), child t copies S on j_1..j_{t-1} and takes
    the other side on j_t. None when no player is free (the node is S alone)."""
    free = [int(i) for i in np.nonzero((node.bits & OUT > 0) & ((node.bits & ~np.uint8(OUT) > 0)
                                                               | np.isfinite(node.ca)))[0]]
    if not free:
        return None
    kids = []
    for t, j in enumerate(free):
        ch = _child(node)
        for i in free[:t]:
            _set_member(ch, i, bool(S[i]))
        _set_member(ch, j, not S[j])
        kids.append(ch)
    return kids


def _set_member(node: _Node, i: int, inside: bool) -> None:
    if inside:
        node.bits[i] &= ~np.uint8(OUT)
    else:
        node.bits[i] = OUT
        node.ca[i] = node.cb[i] = np.nan
        if node.designated == i:
            node.designated = -1


def _subset_fill(cand: list[int], delta: dict[int, float], slack: float) -> list[list[int]]:
    """A few subsets of the switching players whose extra use of doses fills ``slack`` closely."""
    if not cand:
        return [[]]
    out: list[list[int]] = [[]]
    pos = sorted((i for i in cand if delta[i] > 0), key=lambda i: -delta[i])
    pick, acc = [], 0.0
    for i in pos:  # greedy, largest first, never over
        if acc + delta[i] <= slack:
            pick.append(i)
            acc += delta[i]
    out.append(list(pick))
    # improve by single swaps (one in, one out) towards the slack
    rest = [i for i in pos if i not in pick]
    best_gap, best_pick = slack - acc, list(pick)
    for a in rest:
        for b in [None, *pick]:
            s = acc + delta[a] - (delta[b] if b is not None else 0.0)
            gap = abs(slack - s)
            if gap < abs(best_gap):
                best_gap = slack - s
                best_pick = [i for i in pick if i != b] + [a]
    out.append(best_pick)
    # the next one over the slack (the polish can pull back on the concave players)
    for i in rest:
        out.append(list(pick) + [i])
        break
    return out


def _complete(relax: _Relax, node: _Node, choice: np.ndarray, p: float, best: _Best) -> None:
    """Fix every player's piece to ``choice`` (0 out, 1 idle, 2 concave, 3/4 convex end) and find the
    price that exhausts the budget on the concave pieces; offer the feasible (S, f) evaluated exactly."""
    P = relax.P
    n = P.n
    members = choice > 0
    cnt = int(members.sum())
    if cnt == 0 or (relax.proper and cnt == n):
        return
    R = float(P.r[members].sum())
    f = np.zeros(n)
    conv = (choice == 3) | (choice == 4)
    if conv.any():
        f[choice == 3] = node.ca[choice == 3]
        f[choice == 4] = node.cb[choice == 4]
    conc = choice == 2
    used = float(P.M[conv] @ f[conv])
    budget = R - used
    if conc.any():
        f[conc] = _fill(P, conc, budget, p)
    spend = float(P.M @ f)
    if spend > R:
        if spend <= 0:
            return
        f *= R / spend * (1 - 1e-15)
    val = float((P.M * _F_at(P, members, f))[members].sum() - relax.x[members].sum())
    best.offer(members, f, val)
    # the convex player: a few interior points of its interval against the concave players' price
    j = node.designated
    if j >= 0 and members[j] and conc.any() and (choice[j] in (3, 4)):
        a, b = node.ca[j], node.cb[j]
        for s in np.linspace(a, b, 7)[1:-1]:
            g = f.copy()
            g[j] = s
            bud = R - float(P.M[conv & (np.arange(n) != j)] @ f[conv & (np.arange(n) != j)]) - P.M[j] * s
            if bud < 0:
                continue
            g[conc] = _fill(P, conc, bud, p)
            if float(P.M @ g) > R * (1 + 1e-15):
                continue
            v = float((P.M * _F_at(P, members, g))[members].sum() - relax.x[members].sum())
            best.offer(members, g, v)


def _fill(P: PoolData, conc: np.ndarray, budget: float, hint: float | None = None) -> np.ndarray:
    """f on the concave pieces at the price where sum_i M_i psi_i(lambda) = budget (interpolated tables,
    k-ary search over the grid, first in a window around the grid position ``hint``); everybody at its
    top when even lambda = 0 leaves doses over, scaled down from c_i when short."""
    idx = np.nonzero(conc)[0]
    Mi = P.M[idx]
    G = len(P.lam)

    def psi(ks: np.ndarray) -> np.ndarray:
        P.cols(ks, np.zeros(len(ks)), idx)
        return P._psi

    lo, hi = 0, G - 1  # D(lo) > budget >= D(hi); D is non-increasing in k
    if hint is not None:
        a, b = max(int(hint) - 64, 0), min(int(hint) + 64, G - 1)
        ends = psi(np.array([a, b]))
        Da, Db = Mi @ ends
        if Da > budget >= Db:
            lo, hi = a, b
    if (lo, hi) == (0, G - 1):
        ends = psi(np.array([0, G - 1]))
        D0, D1 = Mi @ ends
        if budget >= D0:
            return ends[:, 0].copy()
        if budget <= D1:
            return ends[:, 1] * max(budget, 0.0) / D1 if D1 > 0 else ends[:, 1] * 0
    while hi - lo > 1:
        ks = np.unique(np.linspace(lo, hi, 65).astype(int))
        D = Mi @ psi(ks)
        above = np.nonzero(D > budget)[0]
        j = int(above[-1]) if len(above) else 0
        lo, hi = int(ks[j]), int(ks[min(j + 1, len(ks) - 1)])
    p = psi(np.array([lo, hi]))
    d0, d1 = Mi @ p
    t = 0.0 if d0 <= d1 else min(max((d0 - budget) / (d0 - d1), 0.0), 1.0)
    return (1 - t) * p[:, 0] + t * p[:, 1]


def _branch(relax: _Relax, node: _Node, ch_lo: np.ndarray, ch_hi: np.ndarray, nets_lo: np.ndarray,
            nets_hi: np.ndarray, switching: np.ndarray) -> list[_Node]:
    """Children of a node: partition the pieces of the switching player that moves the most doses, or
    split the convex interval of the designated player when it switches between the interval's ends."""
    P = relax.P
    cand = [int(i) for i in switching if ch_lo[i] != ch_hi[i]]
    if not cand:
        return []
    i = max(cand, key=lambda k: abs(nets_lo[k] - nets_hi[k]))
    if {int(ch_lo[i]), int(ch_hi[i])} == {3, 4}:  # between the ends of its convex interval
        a, b = node.ca[i], node.cb[i]
        fn = P.funcs[i]
        chord_gap = P.M[i] * (b - a) * max(float(fn.dF(b)) - float(fn.dF(a)), 0.0) / 4  # chord - F on [a, b]
        if not (b - a > 1e-12 * max(1.0, b) and chord_gap > relax.tol):
            return []
        mid = 0.5 * (a + b)
        kids = []
        for lo, hi in ((a, mid), (mid, b)):
            ch = _child(node)
            ch.ca[i], ch.cb[i] = lo, hi
            kids.append(ch)
        if node.designated != i:  # a convex piece shared with other pieces: make i the convex player
            for ch in kids:
                ch.bits[i] = 0
                _designate(ch, i)
            rest = _child(node)
            rest.ca[i] = rest.cb[i] = np.nan
            kids.append(rest)
        return kids
    pieces = [bit for bit in (OUT, IDLE, CONC) if node.bits[i] & bit]
    has_conv = bool(np.isfinite(node.ca[i]))
    if len(pieces) + has_conv <= 1:
        return []
    kids = []
    for bit in pieces:
        ch = _child(node)
        ch.bits[i] = bit
        ch.ca[i] = ch.cb[i] = np.nan
        if node.designated == i:
            ch.designated = -1
        kids.append(ch)
    if has_conv:
        ch = _child(node)
        ch.bits[i] = 0
        _designate(ch, i)
        kids.append(ch)
    return kids


def _designate(node: _Node, i: int) -> None:
    """Player i alone on its convex branch: nobody else may be (the at-most-one rule)."""
    keep_a, keep_b = node.ca[i], node.cb[i]
    node.ca[:] = np.nan
    node.cb[:] = np.nan
    node.ca[i], node.cb[i] = keep_a, keep_b
    node.designated = i


def _child(node: _Node) -> _Node:
    return _Node(0.0, 0, node.bits.copy(), node.ca.copy(), node.cb.copy(), node.designated)


__all__ = ["BBResult", "PoolData", "prepare", "solve"]
