"""The nucleolus and the prenucleolus of a TU game by sequential LPs with constraint generation.

The (pre)nucleolus (Schmeidler 1969, "The nucleolus of a characteristic function game", SIAM J. Appl.
Math. 17(6), doi:10.1137/0117107) lexicographically minimises the non-increasingly ordered excesses
e(S, x) = v(S) - x(S) over the proper non-empty coalitions, on the preimputations (prenucleolus) or
the imputations x_i >= v({i}) (nucleolus). Sequential LPs (Maschler, Peleg & Shapley 1979):

    LP_k:  e_k = min e   s.t.  x(N) = v(N),
                               x(S) + e >= v(S)          for the free coalitions S,
                               x(T) = v(T) - e_j         for the coalitions T fixed at an earlier level j,
                               x_i >= v({i})             (nucleolus only).

After LP_k the rows with a positive dual multiplier are tight in *every* optimum (complementary
slackness): they are fixed at level e_k. A coalition whose indicator vector lies in the span of the
fixed ones (and of N) has a constant excess from then on and leaves the free set. Each LP adds at least
one independent vector, so at most n - 1 LPs are solved; the allocation is unique when the fixed
vectors span R^n.

Speed: the LP is an array LP kept warm in HiGHS between rounds and levels (rows are added, fixed by
changing their bounds and their coefficient on e); only the coalitions found so far are rows -- each
round the excesses of all free coalitions are computed at once over 2^n masks (one subset-sum pass)
and the most violated are added. The span test of all 2^n coalitions uses two random vectors z of the
orthogonal complement of the fixed span: S is in the span iff z(S) = 0 (checked for both).

Every answer is then checked by the Kohlberg criterion (`coopt.games.tu.kohlberg`), in floating point
always and in exact rational arithmetic for n <= 12; ``status`` is ``optimal`` only when verified.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.data.tu.game import TUGame, subset_sums
from coopt.formulations.base import Option, Problem
from coopt.formulations.tu.least_core import DOMAINS, build, coalition_rows
from coopt.games.tu.oracle import top_k
from coopt.games.tu.source import ACCEPTS, check_solver, game_of, game_report, require_table
from coopt.solve import solve
from coopt.solve.result import Status

EXACT_MAX = 12  # exact rational re-check up to this many players
LP_TOL = 1e-9
SPAN_TOL = 1e-9
DUAL_TOL = 1e-9


@dataclass
class Nucleolus:
    """A (pre)nucleolus with its excess levels and verification (values unscaled)."""

    names: tuple[str, ...]
    status: Status
    x: np.ndarray
    domain: str
    levels: list[float] = field(default_factory=list)  # e_1 > e_2 > ... (merged when equal)
    level_coalitions: list[list[int]] = field(default_factory=list)  # masks fixed at each level
    lp_solves: int = 0
    rows: int = 0
    verified: bool | None = None  # Kohlberg criterion, floating point
    verified_exact: bool | None = None  # Kohlberg criterion in exact rationals (n <= 12), else None
    kohlberg: dict[str, Any] = field(default_factory=dict)
    wall_time: float = 0.0
    messages: list[str] = field(default_factory=list)


class _Span:
    """Orthonormal basis of the span of the fixed coalition vectors (with N)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.Q = np.ones((1, n)) / np.sqrt(n)
        self._rng = np.random.default_rng(20210101)

    @property
    def rank(self) -> int:
        return self.Q.shape[0]

    def add(self, mask: int) -> bool:
        """Add the indicator of ``mask``; False if it is (numerically) in the span already."""
        e = ((mask >> np.arange(self.n)) & 1).astype(np.float64)
        r = e - self.Q.T @ (self.Q @ e)
        r -= self.Q.T @ (self.Q @ r)  # re-orthogonalise
        nr = float(np.linalg.norm(r))
        if nr <= 1e-8:
            return False
        self.Q = np.vstack([self.Q, r / nr])
        return True

    def in_span(self) -> np.ndarray:
        """Boolean over all 2^n masks: is the coalition's indicator in the span?"""
        _, _, vt = np.linalg.svd(self.Q, full_matrices=True)
        comp = vt[self.rank:]  # orthonormal basis of the complement
        out = np.ones(1 << self.n, dtype=bool)
        for _ in range(2):
            z = self._rng.normal(size=comp.shape[0]) @ comp
            z /= np.linalg.norm(z)
            out &= np.abs(subset_sums(z)) <= SPAN_TOL
        return out


def nucleolus(game: TUGame, domain: str = "imputation", tol: float = 1e-9, batch: int | None = None,
              verify: bool = True, exact: bool | None = None, time_limit: float | None = None) -> Nucleolus:
    """The nucleolus (``domain='imputation'``) or prenucleolus (``'preimputation'``) of ``game``."""
    if domain not in DOMAINS:
        from coopt.errors import InputError

        raise InputError(f"domain = {domain!r}: must be one of {', '.join(DOMAINS)}")
    t0 = time.perf_counter()
    n = game.n
    names = game.names
    if n == 1:
        out = Nucleolus(names, Status.OPTIMAL, np.array([game.v_grand]), domain, verified=True,
                        verified_exact=True, messages=["one player: the (pre)nucleolus is x = v(N)"])
        out.wall_time = time.perf_counter() - t0
        return out
    scale = game.scale()
    vs = game.v / scale
    full = game.grand
    singles = np.array([vs[1 << i] for i in range(n)])
    if domain == "imputation" and singles.sum() > vs[full] + tol:
        return Nucleolus(names, Status.INFEASIBLE, np.full(n, np.nan), domain, wall_time=time.perf_counter() - t0,
                         messages=[f"the imputation set is empty: sum of v({{i}}) = {singles.sum() * scale:.10g} "
                                   f"> v(N) = {game.v_grand:.10g}"])
    free_v = vs.copy()
    free_v[0] = free_v[full] = -np.inf
    span = _Span(n)
    start = list(dict.fromkeys([1 << i for i in range(n)] + [full ^ (1 << i) for i in range(n)]))
    lp = build(n, vs[full], start, vs[start], domain, singles, names)
    row_of: dict[int, int] = {m: k + 1 for k, m in enumerate(start)}  # mask -> LP row
    kind = {m: 0 for m in start}  # 0 free, 1 fixed, 2 settled (disabled)
    batch = batch or max(16, 4 * n)
    opts: dict[str, Any] = {"tol": LP_TOL}
    out = Nucleolus(names, Status.OPTIMAL, np.full(n, np.nan), domain)
    res = None
    while span.rank < n:
        # ---- LP_k by constraint generation over the free coalitions
        while True:
            if time_limit is not None:
                left = time_limit - (time.perf_counter() - t0)
                if left <= 0:
                    out.status = Status.TIME_LIMIT
                    out.messages.append(f"time limit after {len(out.levels)} levels: no certificate")
                    break
                opts["time_limit"] = left
            res = solve(lp, "highs", "LP", **opts)
            out.lp_solves += 1
            if res.status != Status.OPTIMAL:
                out.status = res.status
                out.messages.append(f"level {len(out.levels) + 1} LP: {res.status.value}")
                out.messages.extend(res.messages)
                break
            x, e = res.x[:n], float(res.x[n])
            exc = free_v - subset_sums(x)
            viol = exc - e
            if viol.max() <= tol:
                break
            top = top_k(viol, min(batch, viol.size))
            new = [int(m) for m in top if viol[m] > tol and m not in row_of]
            if not new:
                out.status = Status.NUMERICAL_ERROR
                out.messages.append("a violated coalition is already a row of the LP (numerical trouble)")
                break
            base = lp.num_row
            lp.add_rows(coalition_rows(new, n), vs[new], None)
            for k, m in enumerate(new):
                row_of[m] = base + k
                kind[m] = 0
        if out.status != Status.OPTIMAL:
            break
        # ---- fix the rows with a positive dual at level e
        y = res.row_dual
        fixed = [m for m, r in row_of.items() if kind[m] == 0 and y[r] > DUAL_TOL]
        added = [m for m in fixed if span.add(m)]
        if not added:
            out.status = Status.NUMERICAL_ERROR
            out.messages.append(f"level {len(out.levels) + 1}: no new independent tight coalition (degenerate duals)")
            break
        rows = [row_of[m] for m in fixed]
        lp.set_row_bounds(rows, vs[fixed] - e, vs[fixed] - e)
        lp.set_coeffs(rows, [n] * len(rows), 0.0)
        for m in fixed:
            kind[m] = 1
        _record_level(out, e * scale, fixed, tol * scale)
        if span.rank >= n:
            break
        settled = span.in_span()
        free_v[settled] = -np.inf
        drop = [m for m, k in kind.items() if k == 0 and settled[m]]
        if drop:
            lp.set_row_bounds([row_of[m] for m in drop], -np.inf, np.inf)
            for m in drop:
                kind[m] = 2
    out.rows = lp.num_row - 1
    if res is not None and res.x is not None and out.status == Status.OPTIMAL:
        out.x = res.x[:n] * scale
    out.wall_time = time.perf_counter() - t0
    if out.status == Status.OPTIMAL and verify:
        from coopt.games.tu.kohlberg import verify_nucleolus

        verify_nucleolus(game, out, exact=(n <= EXACT_MAX) if exact is None else exact)
        out.wall_time = time.perf_counter() - t0
    return out


def _record_level(out: Nucleolus, level: float, masks: list[int], tol: float) -> None:
    if out.levels and abs(out.levels[-1] - level) <= tol:
        out.level_coalitions[-1].extend(masks)
    else:
        out.levels.append(level)
        out.level_coalitions.append(list(masks))


def prenucleolus(game: TUGame, **kwargs: Any) -> Nucleolus:
    """The prenucleolus: :func:`nucleolus` on the preimputations."""
    return nucleolus(game, "preimputation", **kwargs)


def solve_problem(problem: str, instance: Any, solver: str, solver_options: Mapping[str, Any], domain: str,
                  exact: str = "auto") -> Any:
    """tu.nucleolus / tu.prenucleolus: the allocation, its excess levels and the Kohlberg verification."""
    from coopt.games.tu.core import in_core
    from coopt.games.tu.result import TUResult

    if exact not in ("auto", "on", "off"):
        from coopt.errors import InputError

        raise InputError(f"option 'exact' = {exact!r}: must be auto, on or off")
    check_solver(problem, solver, ("highs",))
    game = game_of(instance)
    require_table(problem, game)
    ex = {"auto": None, "on": True, "off": False}[exact]
    if ex and game.n > EXACT_MAX:
        from coopt.errors import InputError

        raise InputError(f"option 'exact' = on: the exact re-check supports n <= {EXACT_MAX} (game has {game.n})")
    nu = nucleolus(game, domain, time_limit=solver_options.get("time_limit"), exact=ex)
    res = TUResult(problem=problem, status=nu.status, solver="highs", formulation="sequential LPs (matrix, generation)",
                   messages=list(nu.messages))
    res.certificate_extra = {"verified": nu.verified, "verified_exact": nu.verified_exact,
                             "kohlberg_levels_checked": nu.kohlberg.get("levels_checked"),
                             "kohlberg_coalitions_checked": nu.kohlberg.get("coalitions_checked"),
                             "exact_distance": nu.kohlberg.get("exact_distance"),
                             "lp_solves": nu.lp_solves, "rows_generated": nu.rows,
                             "worst_value_gap": game.value_gap()}
    sol: dict[str, Any] = {"domain": domain}
    if nu.status == Status.OPTIMAL or np.all(np.isfinite(nu.x)):
        sol["allocation"] = dict(zip(game.names, map(float, nu.x)))
        sol["levels"] = [float(t) for t in nu.levels]
        sol["level_coalitions"] = [[game.key(m) for m in ms] for ms in nu.level_coalitions]
        sol["in_core"] = in_core(game, nu.x)
        res.values = {"x": sol["allocation"]}
        res.objective = nu.levels[0] if nu.levels else None
    sol["game"] = game_report(game)
    res.solution = sol
    return res


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], exact: str = "auto", **_: Any) -> Any:
    """tu.nucleolus: sequential LPs on the imputations, verified by the Kohlberg criterion."""
    return solve_problem("tu.nucleolus", instance, solver, solver_options, "imputation", exact)


#: The model in LaTeX as coded (the docs page and `coopt show tu.nucleolus` print it).
MATH = r"""
The **nucleolus** (Schmeidler 1969) lexicographically minimises the non-increasingly ordered excesses
$e(S,x)=v(S)-x(S)$ over the proper non-empty coalitions, among the imputations $x(N)=v(N)$, $x_i\ge v(\{i\})$.
Sequential LPs (Maschler, Peleg & Shapley 1979), level $k=1,2,\dots$:

$$
e_k=\min_{x,\,e}\ e\quad\text{s.t.}\quad x(N)=v(N),\quad x(S)+e\ge v(S)\ \ (S\ \text{free}),\quad
x(T)=v(T)-e_j\ \ (T\ \text{fixed at level}\ j<k),\quad x_i\ge v(\{i\}).
$$

Rows with a positive dual multiplier are fixed at level $e_k$; a coalition whose indicator lies in the span of
the fixed ones leaves the free set; at most $n-1$ LPs. Verified by the **Kohlberg criterion**: for every level
$k$, the coalitions with the $k$ largest excess values form a balanced collection (with $N$ and, for the
nucleolus, the singletons at their lower bound), checked by an LP in floating point and in exact rational
arithmetic for $n\le12$ (`certificate.verified`).
"""


PROBLEM = Problem(
    name="tu.nucleolus",
    family="tu",
    summary="Nucleolus of a TU game by sequential LPs (constraint generation), verified by the Kohlberg criterion",
    paper="Schmeidler 1969, SIAM J. Appl. Math. 17(6), doi:10.1137/0117107; Kohlberg 1971, doi:10.1137/0120009",
    equations="lexicographic min of the ordered excesses over x(N) = v(N), x_i >= v({i})",
    options={"exact": Option(str, "auto", f"exact rational re-check: auto (n <= {EXACT_MAX}), on, off",
                             choices=("auto", "on", "off"))},
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "highs"},
)

__all__ = ["EXACT_MAX", "PROBLEM", "Nucleolus", "nucleolus", "prenucleolus", "run", "solve_problem"]
