"""itinfra.heterogeneous: equilibria with districts of different costs (Appendix B.2, any number of types).

problem: itinfra.heterogeneous | class: enumeration of (B.1) solves | solvers: exact, ipopt, scip

For every composition c = (j_1..j_K) with at least two members, the coordinator's problem (B.1) is solved
with the chosen solver (equal treatment: all members get S_in(c)); outsiders play their best response.
A composition is an equilibrium when no member type gains by leaving (a member of a two-member coalition
leaving gets its type's singleton surplus) and no outside type gains by joining; the singleton structure
is stable when no member of any two-member coalition (HH, LL, HL, ...) would gain from forming it. With two
types these are exactly the conditions of Appendix B.2. Unlike the homogeneous game, several equilibria
are common, so the answer is the set, each with its certificate (largest unilateral gain).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from coopt.data.itinfra.heterogeneous import ItInfraHetInstance
from coopt.formulations.base import Option, Problem
from coopt.formulations.itinfra import heterogeneous as het
from coopt.problems import pick_formulation
from coopt.solve import solve
from coopt.solve.result import Result, Status
from coopt.solve.status import Deadline, worst

Composition = tuple[int, ...]


def compositions(inst: ItInfraHetInstance) -> list[Composition]:
    """All coalitions by composition (at least two members)."""
    return [c for c in itertools.product(*(range(m + 1) for m in inst.counts)) if sum(c) >= 2]


def outsider_surplus(inst: ItInfraHetInstance, c: Composition, t: int, G: float) -> float:
    """An outside type-t district's surplus at its best response (1-kappa)/(2 p_t), coalition total G."""
    k, p = inst.kappa, inst.costs[t]
    g = (1 - k) / (2 * p)
    others = het.outside_total(inst, c) - g
    return (1 - k) * g + k * inst.beta * (G + others) - p * g**2


def single_surplus(inst: ItInfraHetInstance, t: int) -> float:
    """A type-t district's surplus when no coalition forms."""
    return outsider_surplus(inst, tuple(0 for _ in inst.costs), t, 0.0)


@contextlib.contextmanager
def _quiet_bounds() -> Iterator[None]:
    log = logging.getLogger("pyomo.core")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


class HetTables:
    """Stage-2 outcomes for every composition, solved once each with ``solver``."""

    def __init__(self, inst: ItInfraHetInstance, solver: str = "exact",
                 solver_options: Mapping[str, Any] | None = None) -> None:
        self.inst = inst
        self.status = Status.OPTIMAL
        self.messages: list[str] = []
        self.outcomes: dict[Composition, het.HetOutcome] = {}
        self.complete = True  # every composition solved (else equilibria cannot be judged)
        form = pick_formulation(het.PROBLEM, solver)  # the formulation the solver serves, or refused
        deadline = Deadline.from_options(solver_options)  # one time limit for the whole enumeration
        comps = compositions(inst)
        for n_done, c in enumerate(comps):
            if form.layer == "native":  # the exact 1-D reduction, called directly (no model per composition)
                self.outcomes[c] = het.exact(inst, c)
                continue
            if deadline.expired:
                self.status = worst([self.status, Status.TIME_LIMIT])
                self.complete = False
                self.messages.append(f"time limit reached after {n_done} of {len(comps)} compositions")
                break
            with _quiet_bounds():  # local solvers may return g = -1e-9 on a bound: Pyomo warns, the value is fine
                res = solve(form.build(inst, list(c)), solver, form.problem_class,
                            **deadline.options(solver_options))
            self.status = worst([self.status, res.status])  # the worst sub-solve is the table's status
            if not res.status.has_solution:
                self.complete = False
                self.messages.append(f"(B.1) at composition {c}: {res.status.value}")
                continue
            self.outcomes[c] = het.outcome(res, inst, c)

    def S_in(self, c: Composition) -> float:
        return self.outcomes[c].S_in

    def S_out(self, c: Composition, t: int) -> float:
        """Outside type-t surplus under composition c (c has >= 2 members), else the singleton surplus."""
        if sum(c) < 2:
            return single_surplus(self.inst, t)
        return outsider_surplus(self.inst, c, t, self.outcomes[c].G)


def deviation_gain(tb: HetTables, c: Composition) -> float:
    """Largest gain of a unilateral deviation at composition c (all zeros = singleton structure)."""
    inst = tb.inst
    K = len(c)
    gains = []
    if sum(c) == 0:
        for pair in compositions(inst):
            if sum(pair) == 2:
                gains += [tb.S_in(pair) - single_surplus(inst, t) for t in range(K) if pair[t]]
        return max(gains)
    for t in range(K):
        e = tuple(int(i == t) for i in range(K))
        if c[t] > 0:  # a type-t member leaves
            gains.append(tb.S_out(tuple(a - b for a, b in zip(c, e)), t) - tb.S_in(c))
        if c[t] < inst.counts[t]:  # a type-t outsider joins
            gains.append(tb.S_in(tuple(a + b for a, b in zip(c, e))) - tb.S_out(c, t))
    return max(gains)


def equilibria(tb: HetTables, tol: float = 1e-9) -> tuple[list[Composition], dict[Composition, float]]:
    """Every equilibrium composition (sorted) and the deviation gain of every composition."""
    zero = tuple(0 for _ in tb.inst.costs)
    gains = {c: deviation_gain(tb, c) for c in [zero, *compositions(tb.inst)] if c == zero or c in tb.outcomes}
    scale = max(1.0, max(abs(single_surplus(tb.inst, t)) for t in range(len(zero))))
    return sorted(c for c, g in gains.items() if g <= tol * scale), gains


def run(inst: ItInfraHetInstance, solver: str, solver_options: Mapping[str, Any], tie_tol: float = 1e-9) -> Result:
    inst.check_compositions("itinfra.heterogeneous")
    tb = HetTables(inst, solver, solver_options)
    if not tb.complete:  # a deviation gain needs every neighbouring composition: no equilibrium claim
        res = Result(problem="itinfra.heterogeneous", status=tb.status, solver=solver,
                     formulation="B.1-enumeration", messages=list(tb.messages))
        res.solution = {"types": list(inst.costs), "counts": list(inst.counts), "equilibria": None,
                        "solved": {",".join(map(str, c)): {"S_in": o.S_in, "G": o.G} for c, o in tb.outcomes.items()}}
        res.messages.append("not every composition was solved: equilibria not determined")
        return res
    found, gains = equilibria(tb, tie_tol)
    key = ",".join
    res = Result(problem="itinfra.heterogeneous", status=tb.status, solver=solver, formulation="B.1-enumeration",
                 messages=list(tb.messages))
    res.solution = {
        "types": list(inst.costs), "counts": list(inst.counts),
        "equilibria": [list(c) for c in found],
        "details": {key(map(str, c)): {"S_in": tb.S_in(c) if sum(c) else None, "max_deviation_gain": g}
                    for c, g in gains.items()},
    }
    zero = tuple(0 for _ in inst.costs)
    sw = {c: het_welfare(tb, c) for c in [zero, *tb.outcomes]}
    best = max(sw, key=lambda c: (sw[c], -sum(c)))
    res.solution["social_optimum"] = list(best)
    res.values = {"G": {key(map(str, c)): o.G for c, o in tb.outcomes.items()},
                  "SW": {key(map(str, c)): v for c, v in sw.items()},
                  "equal_treatment_residual": max((o.spread for o in tb.outcomes.values()), default=0.0)}
    if len(found) > 1:
        res.messages.append(f"{len(found)} equilibria: heterogeneous districts need not have a unique equilibrium")
    return res


def incentive_gap(tb: HetTables, c: Composition, t: int) -> float:
    """S_out,t(c - e_t) - S_in(c): how much a type-t member would gain by leaving (Prop. B.1 compares these)."""
    e = tuple(int(i == t) for i in range(len(c)))
    return tb.S_out(tuple(a - b for a, b in zip(c, e)), t) - tb.S_in(c)


PROBLEM = Problem(
    name="itinfra.heterogeneous",
    family="itinfra-het",
    summary="Equilibrium compositions with heterogeneous district costs (Appendix B.2, any number of types)",
    paper="itinfra-coalition-formation.md, Appendix B",
    equations="(B.1), the conditions of B.2",
    options={"tie_tol": Option(float, 1e-9, "round-off allowance on deviation gains (relative)", low=0, high=1e-6)},
    run=run,
    default_solver="exact",
    solvers=("exact", "ipopt", "scip"),
    problem_class="NCNLP",
)


def het_welfare(tb: HetTables, c: Composition) -> float:
    """SW(c) = J S_in(c) + sum_t (n_t - c_t) S_out,t(c); SW of the singleton structure for c = 0."""
    inst = tb.inst
    if sum(c) < 2:
        return float(sum(m * single_surplus(inst, t) for t, m in enumerate(inst.counts)))
    return sum(c) * tb.S_in(c) + sum((m - j) * tb.S_out(c, t) for t, (m, j) in enumerate(zip(inst.counts, c)))


def _interior(inst: ItInfraHetInstance, c: Composition) -> bool:
    if sum(c) < 2:
        return True
    J, P = sum(c), sum(j * p for j, p in zip(c, inst.costs))
    return abs(het.exact(inst, c).G - J * (1 + inst.kappa * (J - 2)) / (2 * inst.alpha * P)) <= 1e-12 * max(1, J)


def type_incentives(inst: ItInfraHetInstance, target: Composition | None = None,
                    alphas: tuple[float, float] = (0.3, 0.6)) -> dict[int, float]:
    """Appendix B.3 reconstructed (gamma = 0): per cost type t, the incentive phi_t matching the alpha at which a
    type-t member is indifferent to leaving the target (default: grand) coalition with the alpha at which
    SW(target) = SW(target - e_t). Join gains and welfare increments are affine in 1/alpha while g >= 0 does not
    bind, so two exact Stage-2 tables identify them; returns NaN for a type where a bound binds.

    The paper does not state its procedure (notes, section 6): this is the natural reading of "a similar
    procedure as in Section 7"; the printed beta threshold of Fig. B1 is compared with it in the experiment.
    """
    c = tuple(inst.counts) if target is None else tuple(target)
    x = [1 / a for a in alphas]
    out: dict[int, float] = {}
    for t in range(len(c)):
        if not c[t]:
            continue
        lower = tuple(v - (i == t) for i, v in enumerate(c))
        D, S = [], []
        ok = True
        for a in alphas:
            ia = inst.with_overrides(alpha=a)
            ok &= _interior(ia, c) and _interior(ia, lower)
            tb = HetTables(ia)
            D.append(tb.S_in(c) - tb.S_out(lower, t))
            S.append(het_welfare(tb, c) - het_welfare(tb, lower))
        if not ok:
            out[t] = float("nan")
            continue
        a_t = (D[1] - D[0]) / (x[1] - x[0])
        b_t = D[0] - a_t * x[0]
        c_t = (S[1] - S[0]) / (x[1] - x[0])
        d_t = S[0] - c_t * x[0]
        out[t] = a_t * d_t / c_t - b_t
    return out
