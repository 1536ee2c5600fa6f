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


class SparseOracle:
    """Exact separation for a game that lists some coalitions and values every other one at 0.

    Listed coalitions: their excesses v(S) - x(S) at once (in chunks). Unlisted ones are worth 0, so the
    best of them minimises x(S): coopt enumerates coalitions in increasing order of x(S) -- over the
    symmetric differences T = S xor {i : x_i < 0}, whose sums sum_{i in T} |x_i| grow along a heap
    (each subset produced once) -- and stops at the first ``k`` that are unlisted, proper and non-empty.
    Exact (no bound is estimated); the work is at most (listed + 2 + k) heap steps.
    """

    def __init__(self, game: object) -> None:
        from coopt.data.tu.game import SparseTUGame

        if not isinstance(game, SparseTUGame):
            raise TypeError(f"SparseOracle needs a SparseTUGame, got {type(game).__name__}")
        self.game = game
        self.names = game.names
        full = game.grand
        proper = game.masks != full
        self._masks = game.masks[proper]
        self._vals = game.vals[proper]
        self._listed = set(game.masks.tolist())
        self.calls = 0

    def grand_value(self) -> Coalition:
        return self.value(self.game.grand)

    def value(self, mask: int) -> Coalition:
        v = float(self.game.values(np.array([int(mask)]))[0])
        return Coalition(int(mask), v, v)

    def cheapest_unlisted(self, x: np.ndarray, k: int) -> list[tuple[float, int]]:
        """Up to k (x(S), mask) with the smallest x(S) over unlisted proper non-empty coalitions."""
        import heapq

        n = len(x)
        full = (1 << n) - 1
        w = np.abs(x)
        order = np.argsort(w, kind="stable")
        ws = w[order].tolist()
        bit = [1 << int(i) for i in order]
        neg = sum(1 << i for i in range(n) if x[i] < 0)
        base = float(x[x < 0].sum())
        out: list[tuple[float, int]] = []

        def emit(total: float, T: int) -> None:
            S = T ^ neg
            if 0 < S < full and S not in self._listed:
                out.append((base + total, S))

        emit(0.0, 0)
        heap = [(ws[0], 0, bit[0])] if n else []
        while heap and len(out) < k:
            total, j, T = heapq.heappop(heap)
            emit(total, T)
            if j + 1 < n:
                heapq.heappush(heap, (total + ws[j + 1], j + 1, T | bit[j + 1]))
                heapq.heappush(heap, (total - ws[j] + ws[j + 1], j + 1, (T & ~bit[j]) | bit[j + 1]))
        return out

    def separate(self, x: np.ndarray, k: int = 1, time_limit: float | None = None) -> Separation:
        t0 = time.perf_counter()
        self.calls += 1
        x = np.asarray(x, dtype=np.float64)
        exc = self._vals - self.game.coalition_sums(x, self._masks)
        cands: list[tuple[float, int]] = []
        if exc.size:
            top = top_k(exc, min(int(k), exc.size))
            cands = [(float(exc[i]), int(self._masks[i])) for i in top]
        cands += [(-xs, m) for xs, m in self.cheapest_unlisted(x, max(1, int(k)))]
        if not cands:
            return Separation([], float("-inf"), Status.OPTIMAL, ["no proper coalition"])
        cands.sort(key=lambda c: (-c[0], c[1]))
        ub = cands[0][0]
        found = [self.value(m) for _, m in cands[: max(1, int(k))]]
        msg = [f"sparse oracle: {exc.size} listed coalitions and the cheapest unlisted in "
               f"{time.perf_counter() - t0:.3g} s"]
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


__all__ = ["Coalition", "Separation", "SeparationOracle", "SparseOracle", "TableOracle", "top_k"]
