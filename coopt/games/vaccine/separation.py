"""Separation oracle of the vaccine game: given x, the coalitions S with the largest v(S) - x(S).

``VaccineSeparationOracle(instance)`` implements the ``SeparationOracle`` protocol of
``coopt.games.tu.oracle`` (constraint generation for the core and the least core without the 2^n
values): ``separate(x, k)`` returns the k most violated coalitions found, each with a certified
v(S) (a feasible allocation's value and an upper bound), and a certified *global* upper bound on
max_{S proper, non-empty} v(S) - x(S); ``value(mask)`` is v(S) with its bound. Both are solved by
the exact Lagrangian branch and bound of :mod:`coopt.formulations.vaccine.lagrangian_bb` (paper
Problem (1) with membership variables), with the per-player price tables built once per game.

The status is ``optimal`` only when the branch and bound closed its gap to the tolerance; a time
limit leaves ``time_limit`` (no certificate, whatever bound was reached).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from coopt.formulations.vaccine import lagrangian_bb as bb
from coopt.games.tu.oracle import Coalition, Separation, SeparationOracle
from coopt.solve.result import Status


def members_of(mask: int, n: int) -> np.ndarray:
    """Bool membership vector of a bit mask (bit i = player i)."""
    return np.array([(mask >> i) & 1 for i in range(n)], bool)


class VaccineSeparationOracle:
    """Exact separation and coalition values of a vaccine game with any number of players.

    ``rel_tol`` is the branch-and-bound tolerance relative to sum_i M_i (the value unit): a solve is
    ``optimal`` when its certified bound is within ``rel_tol * sum M`` of the value it returns."""

    def __init__(self, instance: Any, rel_tol: float = 1e-9, node_limit: int = 200000) -> None:
        self.instance = instance
        self.names: tuple[str, ...] = tuple(instance.names)
        self.n = len(self.names)
        self.pool = bb.prepare(np.asarray(instance.M, float), np.asarray(instance.r, float),
                               list(instance.functions))
        self.tol = rel_tol * self.pool.scale
        self.node_limit = node_limit
        self._values: dict[int, Coalition] = {}
        self.stats = {"separations": 0, "separation_nodes": 0, "values": 0, "value_nodes": 0,
                      "separation_time": 0.0, "value_time": 0.0}

    # -------------------------------------------------------------------------- v(S)
    def grand_value(self) -> Coalition:
        """v(N) with its certified bound."""
        return self.value((1 << self.n) - 1)

    def value(self, mask: int, time_limit: float | None = None) -> Coalition:
        """v(S) of the coalition ``mask`` (certified: value <= v(S) <= upper)."""
        mask = int(mask)
        if not 0 < mask < (1 << self.n):
            raise ValueError(f"coalition mask {mask} is not a non-empty subset of the {self.n} players")
        got = self._values.get(mask)
        if got is not None:
            return got
        t0 = time.perf_counter()
        res = bb.solve(self.pool, members=members_of(mask, self.n), tol=self.tol, time_limit=time_limit,
                       node_limit=self.node_limit)
        self.stats["values"] += 1
        self.stats["value_nodes"] += res.nodes
        self.stats["value_time"] += time.perf_counter() - t0
        out = Coalition(mask, float(res.value), float(res.upper))
        if res.status == "optimal":
            self._values[mask] = out
        return out

    def allocation(self, mask: int) -> dict[str, float]:
        """An optimal f of v(S) (player name -> fraction f_i) for the coalition ``mask``."""
        res = bb.solve(self.pool, members=members_of(mask, self.n), tol=self.tol, node_limit=self.node_limit)
        return {nm: float(res.f[i]) for i, nm in enumerate(self.names) if (mask >> i) & 1}

    # -------------------------------------------------------------------------- separation
    def separate(self, x: np.ndarray, k: int = 1, time_limit: float | None = None,
                 exclude: Callable[[np.ndarray], bool] | None = None) -> Separation:
        """The k coalitions with the largest v(S) - x(S) found, and a global bound on that maximum.

        ``exclude(members) -> bool`` (an extension of the protocol, used by the nucleolus) removes
        coalitions from the search; the bound then covers the others only."""
        x = np.asarray(x, float)
        if x.shape != (self.n,) or not np.all(np.isfinite(x)):
            raise ValueError(f"allocation x must be {self.n} finite numbers")
        t0 = time.perf_counter()
        res = bb.solve(self.pool, x=x, tol=self.tol, time_limit=time_limit, node_limit=self.node_limit, keep=k,
                       exclude=exclude)
        self.stats["separations"] += 1
        self.stats["separation_nodes"] += res.nodes
        msgs = list(res.messages)
        ranked = sorted(res.pool.items(), key=lambda kv: -kv[1][0])[: max(1, k)]
        coalitions = []
        for mask, _ in ranked:
            if mask == 0 or mask == (1 << self.n) - 1:
                continue
            remaining = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - t0))
            coalitions.append(self.value(mask, time_limit=remaining))
        # the excess bound may use the branch and bound's own bound; the coalitions' values are exact v(S)
        upper = float(res.upper)
        status = Status.OPTIMAL if res.status == "optimal" else Status.TIME_LIMIT
        if time_limit is not None and time.perf_counter() - t0 > time_limit and status == Status.OPTIMAL:
            msgs.append("coalition values finished after the time limit")
        xs = [float(x[members_of(c.mask, self.n)].sum()) for c in coalitions]
        order = np.argsort([-(c.value - s) for c, s in zip(coalitions, xs)], kind="stable")
        coalitions = [coalitions[i] for i in order]
        self.stats["separation_time"] += time.perf_counter() - t0
        return Separation(coalitions, upper, status, msgs)




def subgame(instance: Any, names: list[str] | tuple[str, ...]) -> Any:
    """The vaccine game of the named players only, each keeping its own resources r_i and function."""
    idx = instance.index_of(list(names), field="players")
    r = np.asarray(instance.r, float)
    players = []
    for i in idx:
        p = instance.players[i].model_dump()
        p["r"] = float(r[i])
        spec = dict(instance.return_function or {})
        spec.update(p.get("return_function") or {})
        p["return_function"] = spec
        players.append(p)
    return instance.with_overrides(players=players, resources=None, return_function=None,
                                   name=f"{instance.name}[{len(idx)}]")


__all__ = ["Coalition", "Separation", "SeparationOracle", "VaccineSeparationOracle", "members_of", "subgame"]
