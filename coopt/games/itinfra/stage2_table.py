"""Stage-2 payoffs for every coalition size, from solves, and the Stage-1 conditions on them.

One Stage-2 solve per size j in {0 (singleton), 2..n} through :func:`coopt.solve.solve` (cached within
one run), read into arrays ``S_in[j]``, ``S_out[j]``, ``S_single``. The incentive-compatibility
conditions (10)-(15) (and (23)-(28) with incentives phi_j) and the welfare (16) are then evaluated on
those arrays by vectorised functions that the sweeps (figures) use too: a grid point and a single
``coopt solve`` share one code path for Stage 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.data.itinfra import ItInfraInstance
from coopt.formulations.itinfra import stage2
from coopt.problems import pick_formulation, solvers_for
from coopt.solve import solve
from coopt.solve.result import Status
from coopt.solve.status import worst

#: the solvers that can serve a formulation of itinfra.stage2 (installed or not), from the registry
STAGE2_SOLVERS = tuple(solvers_for(stage2.PROBLEM, installed=False))


@dataclass
class Stage2Table:
    """Payoffs by size: ``S_in[j]`` member surplus, ``S_out[j]`` outsider surplus (NaN where undefined)."""

    n: int
    S_in: np.ndarray  # shape (n+1, ...): index j, NaN for j < 2
    S_out: np.ndarray  # shape (n+1, ...): NaN for j < 2 and j = n
    S_single: np.ndarray  # shape (...)
    G: np.ndarray | None = None
    status: Status = Status.OPTIMAL
    messages: list[str] = field(default_factory=list)
    solves: int = 0


def solve_stage2(inst: ItInfraInstance, solver: str = "exact", solver_options: Mapping[str, Any] | None = None,
                 cache: dict | None = None, solve_size: Callable[[ItInfraInstance, int], Any] | None = None
                 ) -> Stage2Table:
    """Solve Stage 2 for every size with ``solver`` (one solve per size, cached in ``cache``).

    ``solve_size(inst, j) -> Result`` replaces the build-and-solve of each size, e.g. a
    :class:`coopt.games.itinfra.stage2_persistent.Stage2Solves` that re-solves kept models."""
    form = pick_formulation(stage2.PROBLEM, solver)  # the formulation the solver serves, or refused
    cache = {} if cache is None else cache
    n = inst.n
    S_in = np.full(n + 1, np.nan)
    S_out = np.full(n + 1, np.nan)
    G = np.full(n + 1, np.nan)
    S_single = np.nan
    status, messages, solves = Status.OPTIMAL, [], 0
    for j in [0, *range(2, n + 1)]:
        key = (inst.digest(), solver, j)
        if key not in cache:
            if solve_size is not None:
                res = solve_size(inst, j)
            else:
                res = solve(form.build(inst, j=j), solver, form.problem_class, **dict(solver_options or {}))
            solves += 1
            if not res.status.has_solution:
                cache[key] = (res.status, None)
            else:
                cache[key] = (res.status, stage2.outcome(res, inst, j))
        st, out = cache[key]
        status = worst([status, st])  # the table carries the worst status of its solves
        if out is None:
            messages.append(f"Stage 2 at size {j}: {st.value}")
            continue
        pay = stage2.payoffs(inst, out)
        if j == 0:
            S_single = pay["S_single"]
        else:
            S_in[j] = pay["S_in"]
            G[j] = out.G
            if pay["S_out"] is not None:
                S_out[j] = pay["S_out"]
    return Stage2Table(n, S_in, S_out, np.asarray(S_single), G, status, messages, solves)


def exact_table(n: int, kappa: Any, beta: Any, alpha: Any, p: Any = 1.0, g_max: float | None = None) -> Stage2Table:
    """The same table by the exact Stage-2 method, vectorised over arrays of (kappa, beta, alpha, p).

    Levels: the exact maximisers of the 1-D concave quadratics (see ``stage2.exact_levels``); payoffs:
    the definitions (1), (2), (6). This is what ``--solver exact`` computes, one grid at a time.
    """
    kappa, beta, alpha, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (kappa, beta, alpha, p)))
    shape = kappa.shape
    S_in = np.full((n + 1, *shape), np.nan)
    S_out = np.full((n + 1, *shape), np.nan)
    Gs = np.full((n + 1, *shape), np.nan)
    _, g = stage2.exact_levels(2, kappa, alpha, p, g_max)
    S_single = stage2.single_surplus(n, kappa, beta, p, g)
    for j in range(2, n + 1):
        G, g = stage2.exact_levels(j, kappa, alpha, p, g_max)
        Gs[j] = G
        S_in[j] = stage2.member_surplus(j, n, kappa, beta, alpha, p, G, g)
        if j < n:
            S_out[j] = stage2.outsider_surplus(j, n, kappa, beta, p, G, g)
    return Stage2Table(n, S_in, S_out, S_single, Gs)


def _phi_array(n: int, phi: Mapping[int, float] | np.ndarray | None, ndim: int) -> np.ndarray:
    out = np.zeros(n + 1)
    if phi is not None:
        if isinstance(phi, Mapping):
            for j, v in phi.items():
                out[int(j)] = float(v)
        else:
            out[: len(phi)] = phi
    return out.reshape((n + 1,) + (1,) * ndim)


def deviation_gains(t: Stage2Table, phi: Mapping[int, float] | np.ndarray | None = None) -> np.ndarray:
    """Largest gain of a unilateral deviation at each size (index 0 = singleton; NaN at index 1).

    Conditions (10)-(15) (with phi: (23)-(28)): members must not gain by leaving (a member of a minimal
    coalition leaving gets S_single), outsiders must not gain by joining; the singleton is unstable if a
    pair gains from forming a minimal coalition (15). Size j is an equilibrium iff its gain is <= 0.
    """
    n = t.n
    ph = _phi_array(n, phi, np.ndim(t.S_single))
    s_in = t.S_in + ph  # member surplus with the incentive, S_in + phi_j
    gains = np.full(t.S_in.shape, np.nan)
    gains[0] = s_in[2] - t.S_single  # (15) / (28)
    for j in range(2, n + 1):
        leave = (t.S_single if j == 2 else t.S_out[j - 1]) - s_in[j]  # (13) / (11) / (10)
        if j < n:
            join = s_in[j + 1] - t.S_out[j]  # (14) / (12)
            gains[j] = np.maximum(leave, join)
        else:
            gains[j] = leave
    return gains


def scale(t: Stage2Table) -> np.ndarray:
    """Payoff scale for tie tolerances: max(1, |S_single|)."""
    return np.maximum(1.0, np.abs(t.S_single))


def is_equilibrium(t: Stage2Table, phi: Any = None, tol: float = 1e-9) -> np.ndarray:
    """Boolean array (n+1, ...): size j (0 = singleton) satisfies its IC conditions within tol (relative)."""
    g = deviation_gains(t, phi)
    out = g <= tol * scale(t)
    out[1] = False
    return out


def welfare(t: Stage2Table, phi: Any = None, gamma: float = 0.0) -> np.ndarray:
    """SW by size (16): SW[0] = n S_single, SW[j] = CW(j) + (n-j) S_out(j) - (1+gamma) j phi_j.

    CW(j) counts the transfer j phi_j received by members, so the net effect of an incentive is -gamma j phi_j.
    """
    n = t.n
    ph = _phi_array(n, phi, np.ndim(t.S_single))
    sw = np.full(t.S_in.shape, -np.inf)
    sw[0] = n * t.S_single
    for j in range(2, n + 1):
        out = (n - j) * t.S_out[j] if j < n else 0.0
        sw[j] = j * (t.S_in[j] + ph[j]) + out - (1 + gamma) * j * ph[j]
    return sw


def structure(j: int, n: int) -> str:
    """The paper's names: singleton (0), minimal (2), partial (3..n-1), grand (n)."""
    if j == 0:
        return "singleton"
    if j == n:
        return "grand"
    return "minimal" if j == 2 else "partial"


def equilibrium_label(eq: np.ndarray) -> np.ndarray:
    """Per grid point: the equilibrium size if unique, -1 if none, -2 if several (for region maps)."""
    count = eq.sum(axis=0)
    first = np.argmax(eq, axis=0)
    return np.where(count == 1, first, np.where(count == 0, -1, -2))
