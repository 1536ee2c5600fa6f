"""Constraint generation for the least core and the core of any game given by a separation oracle.

    lc = least_core_cg(oracle, domain="preimputation")      # oracle: coopt.games.tu.oracle.SeparationOracle

Master LP (`coopt.formulations.tu.least_core`, an array LP solved by HiGHS through `coopt.solve`, kept
warm between rounds): min e s.t. x(N) = v(N), x(S) + e >= v(S) for the coalitions found so far --
at first the n singletons and the n coalitions N \\ {i}. Each round the oracle returns the most violated
coalitions (``batch`` of them) and a certified global upper bound U >= max_S v(S) - x(S); generation
stops when U - e <= tol (relative to the game's value scale).

What is proven at the end (``certificate``):

* ``upper``: max(e, U) -- x is in the least core's relaxation at that level, so e* <= upper;
* ``lower``: the master's weak-duality bound (a relaxation: fewer rows, lower values v(S) of the
  oracle), corrected for the uncertainty of v(N) -- so e* >= lower;
* ``separation_bound`` = U, ``rounds``, ``coalitions_generated``, ``worst_value_gap`` (largest
  upper - value of any v(S) used).

The status is ``optimal`` only when the master is certified optimal, the oracle proved its bound and
upper - lower <= tol; an oracle that stops at a time limit or fails ends generation with its status
and no certificate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.formulations.tu.least_core import DOMAINS, build, coalition_rows
from coopt.games.tu.oracle import Coalition, SeparationOracle
from coopt.solve import solve
from coopt.solve.result import Status

DEFAULT_TOL = 1e-9  # generation stops when U - e <= tol * scale
LP_TOL = 1e-9  # HiGHS feasibility tolerances inside the masters (values are scaled to max |v| ~ 1)


@dataclass
class LeastCore:
    """The least core of a game with its certificates (values unscaled, players in ``names`` order)."""

    names: tuple[str, ...]
    status: Status
    epsilon: float | None  # e* (None: undefined, n = 1)
    x: np.ndarray  # a least-core allocation
    domain: str = "preimputation"
    lower: float | None = None  # proven lower bound on e*
    upper: float | None = None  # proven upper bound on e* (max(e, separation bound))
    separation_bound: float | None = None  # oracle's certified max_S v(S) - x(S) at the end
    rounds: int = 0
    masks: list[int] = field(default_factory=list)  # the master's coalitions (rows 1..)
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # v(S) used for them (lower values)
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))  # y_S >= 0 of those rows
    efficiency_dual: float | None = None  # y_N (= -t)
    bound_dual: np.ndarray | None = None  # reduced costs of x_i (imputation bounds)
    worst_value_gap: float = 0.0
    grand: Coalition | None = None
    scale: float = 1.0
    primal_residual: float | None = None
    dual_residual: float | None = None
    generated: int = 0
    wall_time: float = 0.0
    messages: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.names)

    def balancing_weights(self, cut: float = 1e-12) -> dict[int, float]:
        """lambda_S = y_S / t from the LP dual (preimputation): a balanced collection, sum over S of
        lambda_S v(S) - v(N) = e* / t (the Bondareva-Shapley certificate when e* > 0)."""
        if self.efficiency_dual is None or not self.efficiency_dual < 0:
            return {}
        t = -self.efficiency_dual
        return {int(m): float(y / t) for m, y in zip(self.masks, self.row_dual) if y > cut * max(1.0, t)}

    def balance_residual(self, weights: dict[int, float] | None = None) -> float | None:
        """max_i |sum_{S contains i} lambda_S - 1| recomputed by coopt (None without weights)."""
        w = self.balancing_weights() if weights is None else weights
        if not w:
            return None
        cover = np.zeros(self.n)
        for m, lam in w.items():
            cover += lam * ((m >> np.arange(self.n)) & 1)
        return float(np.max(np.abs(cover - 1.0)))


def _scale(oracle: SeparationOracle, grand: Coalition, singles: list[Coalition]) -> float:
    vals = [abs(grand.value), abs(grand.upper), *(abs(c.value) for c in singles), *(abs(c.upper) for c in singles)]
    game = getattr(oracle, "game", None)
    if game is not None and hasattr(game, "scale"):
        return float(game.scale())
    return float(max(max(vals), 1e-12))


def least_core_cg(oracle: SeparationOracle, domain: str = "preimputation", tol: float = DEFAULT_TOL,
                  batch: int | None = None, max_rounds: int = 1000, time_limit: float | None = None,
                  initial: list[int] | None = None, solver_options: dict[str, Any] | None = None) -> LeastCore:
    """The least core of the game behind ``oracle`` by constraint generation (see module docstring)."""
    if domain not in DOMAINS:
        from coopt.errors import InputError

        raise InputError(f"domain = {domain!r}: must be one of {', '.join(DOMAINS)}")
    t0 = time.perf_counter()
    names = tuple(oracle.names)
    n = len(names)
    grand = oracle.grand_value()
    if n == 1:
        return _one_player(names, grand, domain, t0)
    full = (1 << n) - 1
    singles = [oracle.value(1 << i) for i in range(n)]
    scale = _scale(oracle, grand, singles)
    if domain == "imputation" and sum(c.value for c in singles) > grand.value + tol * scale:
        return LeastCore(names, Status.INFEASIBLE, None, np.full(n, np.nan), domain, grand=grand, scale=scale,
                         wall_time=time.perf_counter() - t0,
                         messages=[f"the imputation set is empty: sum of v({{i}}) = "
                                   f"{sum(c.value for c in singles):.10g} > v(N) = {grand.value:.10g}"])
    start = initial if initial is not None else [1 << i for i in range(n)] + [full ^ (1 << i) for i in range(n)]
    pool: dict[int, Coalition] = {c.mask: c for c in singles}
    for m in start:
        m = int(m)
        if 0 < m < full and m not in pool:
            pool[m] = oracle.value(m)
    masks = [m for m in dict.fromkeys(int(m) for m in start) if 0 < m < full] or [1 << i for i in range(n)]
    lp = build(n, grand.value / scale, masks, [pool[m].value / scale for m in masks], domain,
               [c.value / scale for c in singles], names)
    batch = batch or max(16, 8 * n)
    # the masters must be solved at least as accurately as generation stops (HiGHS takes 1e-10 at the finest)
    opts = {"tol": max(min(LP_TOL, tol), 1e-10), **dict(solver_options or {})}
    status = Status.OPTIMAL
    messages: list[str] = []
    sep_bound = None
    rounds = 0
    res = None
    generated = 0
    while True:
        rounds += 1
        if time_limit is not None:
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0:
                status = Status.TIME_LIMIT
                messages.append(f"time limit reached after {rounds - 1} rounds: no certificate")
                break
            opts["time_limit"] = left
        res = solve(lp, "highs", "LP", **opts)
        if res.status != Status.OPTIMAL:
            status = res.status
            messages.append(f"master LP, round {rounds}: {res.status.value}")
            messages.extend(res.messages)
            break
        x, e = res.x[:n], float(res.x[n])
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 1e-3)
        sep = oracle.separate(x * scale, k=batch, time_limit=left)
        if sep.status != Status.OPTIMAL:
            status = sep.status
            messages.append(f"separation oracle, round {rounds}: {sep.status.value} (no certificate)")
            messages.extend(sep.messages)
            sep_bound = None
            break
        sep_bound = float(sep.upper_bound)
        if sep_bound / scale - e <= tol:
            break
        xs = coalition_rows([c.mask for c in sep.coalitions], n, None).matvec(x) if sep.coalitions else []
        new = [c for c, xS in zip(sep.coalitions, xs)
               if 0 < c.mask < full and c.mask not in pool and c.value / scale - xS - e > tol]
        if not new:
            status = Status.FEASIBLE
            messages.append(f"round {rounds}: the oracle's bound {sep_bound:.6g} exceeds e = {e * scale:.6g} but it "
                            "returned no new violated coalition (uncertain v(S)); gap not closed")
            break
        if rounds >= max_rounds:
            status = Status.ITERATION_LIMIT
            messages.append(f"constraint generation stopped after {rounds} rounds")
            break
        for c in new:
            pool[c.mask] = c
        masks.extend(c.mask for c in new)
        generated += len(new)
        lp.add_rows(coalition_rows([c.mask for c in new], n), [c.value / scale for c in new], None)
    out = LeastCore(names, status, None, np.full(n, np.nan), domain, rounds=rounds, masks=list(masks),
                    values=np.array([pool[m].value for m in masks]), grand=grand, scale=scale, generated=generated,
                    messages=messages, separation_bound=sep_bound)
    if res is not None and res.x is not None:
        _fill(out, res, scale, sep_bound, tol)
    out.worst_value_gap = max([grand.gap, *(pool[m].gap for m in masks), *(c.gap for c in singles)])
    out.wall_time = time.perf_counter() - t0
    return out


def _fill(out: LeastCore, res: Any, scale: float, sep_bound: float | None, tol: float) -> None:
    n = out.n
    e = float(res.x[n])
    out.x = res.x[:n] * scale
    out.epsilon = e * scale
    out.primal_residual = res.primal_residual
    out.dual_residual = res.dual_residual
    y = res.row_dual
    out.efficiency_dual = float(y[0])
    out.row_dual = np.maximum(y[1:], 0.0)
    out.bound_dual = res.col_dual[:n] if out.domain == "imputation" else None
    if res.bound is None:
        return
    grand = out.grand
    # a relaxation of the true least core except for v(N): correct the dual bound by its uncertainty
    t = max(-float(y[0]), 0.0)
    out.lower = (float(res.bound) - t * (grand.upper - grand.value) / scale) * scale
    if sep_bound is not None:
        out.upper = max(out.epsilon, sep_bound)
    if out.status == Status.OPTIMAL and (out.upper is None or out.upper - out.lower > 10 * tol * scale
                                         + 1e-7 * abs(out.epsilon)):
        out.status = Status.FEASIBLE
        out.messages.append(f"least core not certified: e* in [{out.lower:.10g}, {out.upper}]")


def _one_player(names: tuple[str, ...], grand: Coalition, domain: str, t0: float) -> LeastCore:
    """n = 1: no proper coalition, so nothing constrains e and e* is undefined (the LP min e is unbounded);
    the least core, the core and the nucleolus are the single allocation x = v(N)."""
    return LeastCore(names, Status.OPTIMAL, None, np.array([grand.value]), domain, grand=grand,
                     worst_value_gap=grand.gap, wall_time=time.perf_counter() - t0,
                     messages=["one player: no proper coalition constrains e, so e* is undefined (the LP "
                               "'min e' is unbounded); the least core and the core are the single allocation "
                               "x = v(N)"])


def core_cg(oracle: SeparationOracle, rel_tol: float = 1e-9, **kwargs: Any) -> tuple[bool | None, LeastCore]:
    """Is the core empty? (answer, least core): the core is non-empty iff e* <= rel_tol * scale.

    None when the least core is not certified (the answer is then unknown)."""
    lc = least_core_cg(oracle, "preimputation", **kwargs)
    if lc.status != Status.OPTIMAL:
        return None, lc
    if lc.epsilon is None:
        return False, lc
    return bool(lc.epsilon > rel_tol * lc.scale), lc


__all__ = ["DEFAULT_TOL", "LeastCore", "core_cg", "least_core_cg"]
