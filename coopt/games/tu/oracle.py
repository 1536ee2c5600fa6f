"""Separation oracles: the interface between a game too large to enumerate and constraint generation.

A constraint-generation master LP (least core, core) holds only the coalitions found so far. Given
an allocation x, a *separation oracle* finds coalitions S maximising the excess v(S) - x(S) and
proves a global upper bound on that maximum over every proper non-empty S; generation stops when
the bound minus the master's epsilon is below the tolerance (`coopt.games.tu.generation`).

Contract (shared with the vaccine oracle of `coopt.games.vaccine.separation`):

* a coalition is a Python ``int`` bit mask over the game's ``names`` (bit i = ``names[i]``), any n;
* :class:`Coalition` carries a certified *lower* value of v(S) (the value of a feasible allocation
  inside S) and a certified *upper* bound (equal when v(S) is exact);
* :meth:`SeparationOracle.separate` returns at most ``k`` proper non-empty coalitions, the most
  violated first, and ``upper_bound`` >= max_S v(S) - x(S) over *all* proper non-empty S. Its status
  is ``optimal`` only when that bound is proven; a time limit or a failure returns ``time_limit`` /
  ``error`` and the engine then reports no certificate (exit 1).

:class:`TableOracle` is the brute-force oracle over a full table of v(S) (vectorised over all 2^n
masks); it is the reference the generic engine is tested against.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from coopt.solve.result import Status


@dataclass(frozen=True)
class Coalition:
    """One coalition found by an oracle: its mask, certified lower value and upper bound of v(S)."""

    mask: int  # Python int bit mask over the game's players (bit i = names[i]); any n
    value: float  # certified lower value of v(S) (the value of a feasible allocation inside S)
    upper: float  # certified upper bound on v(S) (== value when exact)

    @property
    def gap(self) -> float:
        """upper - value: how far v(S) may be from the value the master uses."""
        return self.upper - self.value


@dataclass
class Separation:
    """The answer of one separation call."""

    coalitions: list[Coalition]  # most violated coalitions found (the best first), at most k, proper, non-empty
    upper_bound: float  # certified GLOBAL upper bound on max_{S proper, non-empty} v(S) - x(S)
    status: Status  # OPTIMAL only when upper_bound is proven; TIME_LIMIT / ERROR otherwise (no certificate)
    messages: list[str] = field(default_factory=list)


@runtime_checkable
class SeparationOracle(Protocol):
    """What constraint generation needs from a game: v(N), v(S) on demand, and separation."""

    names: tuple[str, ...]

    def grand_value(self) -> Coalition:
        """v(N) with its bound (mask = 2^n - 1)."""
        ...

    def value(self, mask: int) -> Coalition:
        """v(S) of the coalition ``mask``, certified (lower value and upper bound)."""
        ...

    def separate(self, x: np.ndarray, k: int = 1, time_limit: float | None = None) -> Separation:
        """Up to ``k`` proper non-empty coalitions with the largest v(S) - x(S), and a global bound."""
        ...


class TableOracle:
    """Brute-force separation over a full table of v(S) (a :class:`coopt.data.tu.game.TUGame`).

    Exact: ``upper_bound`` is the maximum excess over all 2^n - 2 proper coalitions, computed by one
    vectorised pass (plus the largest gap bound(S) - v(S) when the table carries bounds).
    """

    def __init__(self, game: object) -> None:
        from coopt.data.tu.game import TUGame

        if not isinstance(game, TUGame):
            raise TypeError(f"TableOracle needs a TUGame, got {type(game).__name__}")
        self.game = game
        self.names = game.names
        self._upper = game.v if game.bound is None else game.bound
        size = max(game.grand - 1, 1)
        self._sample = np.random.default_rng(0).integers(0, size, min(size, 4096))
        self.calls = 0

    def grand_value(self) -> Coalition:
        return self.value(self.game.grand)

    def value(self, mask: int) -> Coalition:
        mask = int(mask)
        return Coalition(mask, float(self.game.v[mask]), float(self._upper[mask]))

    def separate(self, x: np.ndarray, k: int = 1, time_limit: float | None = None) -> Separation:
        from coopt.data.tu.game import subset_sums

        t0 = time.perf_counter()
        self.calls += 1
        g = self.game
        sums = subset_sums(np.asarray(x, dtype=np.float64))
        exc_up = self._upper[1:-1] - sums[1:-1]  # upper bound of v(S) - x(S), proper S = masks 1..2^n - 2
        exc = exc_up if g.bound is None else g.v[1:-1] - sums[1:-1]
        if exc.size == 0:
            return Separation([], float("-inf"), Status.OPTIMAL, ["no proper coalition (one player)"])
        ub = float(exc_up.max())
        top = top_k(exc, max(1, min(int(k), exc.size)), self._sample)
        found = [self.value(int(i) + 1) for i in top]
        msg = [f"table oracle: {exc.size} coalitions in {time.perf_counter() - t0:.3g} s"]
        return Separation(found, ub, Status.OPTIMAL, msg)


def top_k(values: np.ndarray, k: int, sample: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k largest entries of ``values``, largest first (ties by index).

    With ``sample`` (random indices), the entries above a threshold estimated from the sample are
    filtered first, so that only a few thousand are partitioned instead of all 2^n."""
    size = values.size
    if k >= size:
        idx = np.arange(size)
    else:
        idx = None
        if sample is not None and size > 8 * len(sample) and k * 16 < size:
            q = 1.0 - min(1.0, 4.0 * k / size)
            thr = np.quantile(values[sample], q)
            cand = np.flatnonzero(values >= thr)
            if k <= cand.size <= 64 * k + 1024:
                idx = cand[np.argpartition(-values[cand], k - 1)[:k]]
        if idx is None:
            idx = np.argpartition(-values, k - 1)[:k]
    return idx[np.lexsort((idx, -values[idx]))]


__all__ = ["Coalition", "Separation", "SeparationOracle", "TableOracle", "top_k"]
