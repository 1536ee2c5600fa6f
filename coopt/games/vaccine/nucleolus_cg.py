"""The nucleolus of a large game from a separation oracle: sequential LPs with constraint generation.

The nucleolus (Schmeidler 1969, doi:10.1137/0117107) lexicographically minimises the excesses
e(S, x) = v(S) - x(S), largest first, over the imputations x (x(N) = v(N), x_i >= v({i})). The
sequential LPs of Maschler, Peleg & Shapley (1979, doi:10.1287/moor.4.4.303) fix it level by level:

    LP_k:  e_k = min e   s.t.  x(N) = v(N),  x_i >= v({i}),
                               x(T) = v(T) - e_j      for the coalitions T fixed at an earlier level j,
                               x(S) + e >= v(S)       for every other coalition S outside span(fixed, N).

With 2^n coalitions out of reach, each LP_k is solved by constraint generation as Nguyen & Thomas
do for games with a hundred players ("Finding the nucleoli of large cooperative games", EJOR 248(3),
2016, doi:10.1016/j.ejor.2015.08.022): the master holds the coalitions found so far; the separation
oracle returns the most violated coalitions *outside the span of the fixed ones* (their excess is
constant from then on) and a certified bound on the largest such excess; a level is done when that
bound is within ``tol`` of e_k. The rows with a positive dual multiplier are tight in every optimum
(complementary slackness) and are fixed at e_k; an imputation bound with a positive multiplier fixes
x_i = v({i}). At most n - 1 levels; the nucleolus is found when the fixed rows span R^n.

A time limit ends the computation honestly: the levels fixed so far are reported, status
``time_limit``, and x is the last master's solution (not the nucleolus).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.solve.result import Status

DUAL_TOL = 1e-9  # relative to the largest dual of the level
SPAN_TOL = 1e-9


@dataclass
class NucleolusCG:
    """The nucleolus (or the levels fixed so far) with the work done."""

    names: tuple[str, ...]
    status: Status
    x: np.ndarray
    levels: list[float] = field(default_factory=list)  # e_1 >= e_2 >= ...
    level_coalitions: list[list[int]] = field(default_factory=list)  # masks fixed at each level
    fixed_players: list[int] = field(default_factory=list)  # imputation bounds fixed (x_i = v({i}))
    rank: int = 1  # dimension of span(fixed rows, N)
    rounds: list[int] = field(default_factory=list)  # generation rounds per level
    stopped_by_levels: bool = False  # max_levels reached (e.g. the least core alone): not the nucleolus
    separation_bounds: list[float] = field(default_factory=list)  # oracle bound at the end of each level
    coalitions_generated: int = 0
    wall_time: float = 0.0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "levels_fixed": len(self.levels), "rank": self.rank,
                "n": len(self.names), "levels": self.levels,
                "level_coalitions": [[_members(m, self.names) for m in lv] for lv in self.level_coalitions],
                "fixed_players": [self.names[i] for i in self.fixed_players], "rounds": self.rounds,
                "separation_bounds": self.separation_bounds, "coalitions_generated": self.coalitions_generated,
                "allocation": dict(zip(self.names, map(float, self.x))), "wall_time": self.wall_time,
                "messages": self.messages}


def _members(mask: int, names: tuple[str, ...]) -> list[str]:
    return [nm for i, nm in enumerate(names) if (mask >> i) & 1]


def _bits(mask: int, n: int) -> np.ndarray:
    return np.array([(mask >> i) & 1 for i in range(n)], float)


class _Span:
    """span(fixed rows, N) with an orthonormal basis; membership test of 0/1 vectors."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.Q = np.ones((n, 1)) / np.sqrt(n)

    @property
    def rank(self) -> int:
        return self.Q.shape[1]

    def residual(self, v: np.ndarray) -> np.ndarray:
        return v - self.Q @ (self.Q.T @ v)

    def contains(self, v: np.ndarray) -> bool:
        return bool(np.linalg.norm(self.residual(v)) <= SPAN_TOL * max(1.0, np.linalg.norm(v)))

    def add(self, v: np.ndarray) -> bool:
        w = self.residual(v)
        w = self.residual(w)  # re-orthogonalise
        nrm = np.linalg.norm(w)
        if nrm <= SPAN_TOL * max(1.0, np.linalg.norm(v)):
            return False
        self.Q = np.hstack([self.Q, (w / nrm)[:, None]])
        return True


def nucleolus_cg(oracle: Any, tol: float = 1e-7, batch: int = 32, time_limit: float | None = None,
                 max_rounds: int = 2000, max_levels: int | None = None, domain: str = "imputation") -> NucleolusCG:
    """The nucleolus of the game behind ``oracle`` (see module doc). ``tol`` is relative to |v(N)|.

    ``max_levels=1`` stops after LP_1: e_1 is then the least core's epsilon* on ``domain``
    (``imputation``: x_i >= v({i}); ``preimputation``: no bounds, the least core of LP (17)).

    ``oracle.separate(x, k, time_limit, exclude=...)`` must accept ``exclude`` (a predicate on the
    membership vector) -- :class:`coopt.games.vaccine.separation.VaccineSeparationOracle` does."""
    if not 0 <= tol < 1e-2:
        raise ValueError(f"nucleolus_cg: tol = {tol!r} is relative to v(N) and must be in [0, 1e-2)")
    t0 = time.perf_counter()
    names = tuple(oracle.names)
    n = len(names)
    grand = oracle.grand_value()
    vN = grand.value
    scale = max(abs(vN), 1e-12)
    atol = tol * scale
    single = np.array([oracle.value(1 << i).value for i in range(n)])
    full = (1 << n) - 1
    pool: dict[int, float] = {}
    for i in range(n):
        pool[1 << i] = float(single[i])
        pool[full ^ (1 << i)] = oracle.value(full ^ (1 << i)).value
    span = _Span(n)
    fixed: list[tuple[int, float, float]] = []  # (mask, v(S), level e)
    fixed_players: list[int] = []
    out = NucleolusCG(names, Status.OPTIMAL, np.full(n, vN / n))
    generated = 0

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - t0)

    imputation = domain == "imputation"
    while span.rank < n and (max_levels is None or len(out.levels) < max_levels):
        rounds = 0
        while True:
            rounds += 1
            free = [m for m in pool if not span.contains(_bits(m, n))]
            sol = _master(n, vN, single, fixed, fixed_players, free, pool, scale, imputation)
            if sol is None:
                out.status = Status.NUMERICAL_ERROR
                out.messages.append(f"level {len(out.levels) + 1}: the master LP failed")
                return _finish(out, t0, span, generated)
            x, e, duals, bound_duals = sol
            out.x = x
            rem = left()
            if rem is not None and rem <= 0:
                out.status = Status.TIME_LIMIT
                out.messages.append(f"time limit during level {len(out.levels) + 1} (round {rounds})")
                return _finish(out, t0, span, generated)
            sep = oracle.separate(x, k=batch, time_limit=rem, exclude=lambda z: span.contains(z.astype(float)))
            if sep.status != Status.OPTIMAL:
                out.status = sep.status
                out.messages.append(f"level {len(out.levels) + 1}, round {rounds}: separation {sep.status.value}")
                return _finish(out, t0, span, generated)
            if sep.upper_bound - e <= atol:
                break
            new = [c for c in sep.coalitions if c.mask not in pool and not span.contains(_bits(c.mask, n))
                   and c.value - x @ _bits(c.mask, n) - e > atol]
            if not new:
                out.status = Status.FEASIBLE
                out.messages.append(f"level {len(out.levels) + 1}: bound {sep.upper_bound:.6g} > e = {e:.6g} but no "
                                    "new violated coalition (uncertain values): stopped")
                return _finish(out, t0, span, generated)
            if rounds >= max_rounds:
                out.status = Status.ITERATION_LIMIT
                return _finish(out, t0, span, generated)
            for c in new:
                pool[c.mask] = c.value
            generated += len(new)
        # fix the rows tight in every optimum (positive duals) at level e
        top = max([*duals.values(), *bound_duals.values(), 0.0])
        cut = DUAL_TOL * max(top, 1.0)
        level_masks = []
        for m, y in sorted(duals.items(), key=lambda kv: -kv[1]):
            if y > cut and span.add(_bits(m, n)):
                fixed.append((m, pool[m], e))
                level_masks.append(m)
        new_players = [i for i, y in bound_duals.items() if y > cut and span.add(_bits(1 << i, n))]
        fixed_players.extend(new_players)
        if not level_masks and not new_players:
            out.status = Status.NUMERICAL_ERROR
            out.messages.append(f"level {len(out.levels) + 1}: no row with a positive dual to fix")
            return _finish(out, t0, span, generated)
        out.levels.append(float(e))
        out.level_coalitions.append(level_masks)
        out.rounds.append(rounds)
        out.separation_bounds.append(float(sep.upper_bound))
    out.fixed_players = fixed_players
    out.stopped_by_levels = span.rank < n
    return _finish(out, t0, span, generated)


def _finish(out: NucleolusCG, t0: float, span: _Span, generated: int) -> NucleolusCG:
    out.rank = span.rank
    out.coalitions_generated = generated
    out.wall_time = time.perf_counter() - t0
    if out.status == Status.OPTIMAL and span.rank < len(out.names) and not out.stopped_by_levels:
        out.status = Status.FEASIBLE
    return out


def _master(n: int, vN: float, single: np.ndarray, fixed: list[tuple[int, float, float]], fixed_players: list[int],
            free: list[int], pool: dict[int, float], scale: float, imputation: bool = True
            ) -> tuple[np.ndarray, float, dict[int, float], dict[int, float]] | None:
    """LP_k over the rows known (values scaled by |v(N)|), an array LP solved by HiGHS through
    coopt.solve: (x, e, duals of the free rows, duals of the imputation bounds)."""
    from coopt.formulations.matrix import MatrixLP
    from coopt.solve import solve

    s = scale
    rows, lo, hi = [np.r_[np.ones(n), 0.0]], [vN / s], [vN / s]
    for m, v, lev in fixed:
        rows.append(np.r_[_bits(m, n), 0.0])
        lo.append((v - lev) / s)
        hi.append((v - lev) / s)
    for i in fixed_players:
        row = np.zeros(n + 1)
        row[i] = 1.0
        rows.append(row)
        lo.append(single[i] / s)
        hi.append(single[i] / s)
    first_free = len(rows)
    for m in free:  # x(S) + e >= v(S)
        rows.append(np.r_[_bits(m, n), 1.0])
        lo.append(pool[m] / s)
        hi.append(np.inf)
    col_lo = np.r_[single / s if imputation else np.full(n, -np.inf), -np.inf]
    lp = MatrixLP(np.r_[np.zeros(n), 1.0], np.array(rows), np.array(lo), np.array(hi), col_lo, None)
    res = solve(lp, "highs", "LP", tol=1e-9)
    if res.status != Status.OPTIMAL or res.x is None:
        return None
    y = np.asarray(res.row_dual, float)
    duals = {m: float(y[first_free + j]) for j, m in enumerate(free)}
    cd = np.asarray(res.col_dual, float)
    bound_duals = {i: float(cd[i]) for i in range(n) if imputation and i not in fixed_players}
    return np.asarray(res.x[:n], float) * s, float(res.x[n]) * s, duals, bound_duals


__all__ = ["NucleolusCG", "nucleolus_cg"]
