"""itinfra.incentives: subsidies or taxes that make the social optimum the equilibrium (section 7).

problem: itinfra.incentives | class: Stage-2 QPs + LP | solvers: highs, ipopt, scip, exact (LP: highs)

Two mechanisms, both checked against the equilibrium conditions (23)-(28) evaluated on Stage-2 solves:

* ``paper``: the schedule of section 7 / Appendix A, announced without knowing alpha: phi_2 in closed
  form and phi_j = F1 phi_{j-1} + F2 (F2 with the missing '+' restored). coopt verifies it at the
  instance's alpha (with the chosen solver) and on a grid of alphas (exact Stage 2), and names the alpha
  range where the equilibrium is not (uniquely) the welfare optimum under that schedule: the paper claims
  it always is; the notes show it fails for beta >= 0.6 at n = 10, kappa = 0.35.
* ``least_cost``: an alpha-aware LP (``coopt.formulations.itinfra.incentives_lp``) over phi_2..phi_n that
  maximises SW(j*) - (1+gamma) j* phi_{j*} subject to strict IC conditions making j* = argmax SW the unique
  equilibrium.

``budget`` = j* phi_{j*}: the planner's transfer at the targeted equilibrium (negative = tax revenue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.data.itinfra import ItInfraInstance
from coopt.errors import InputError
from coopt.formulations.base import Option, Problem
from coopt.formulations.itinfra import closed_form as cf
from coopt.formulations.itinfra import incentives_lp
from coopt.games.itinfra.equilibrium import bound_binds, equilibria
from coopt.games.itinfra.social_optimum import incomplete, not_computed, optimum
from coopt.games.itinfra.stage2_table import (
    STAGE2_SOLVERS,
    Stage2Table,
    exact_table,
    is_equilibrium,
    solve_stage2,
    welfare,
)
from coopt.solve import get_solver, solve
from coopt.solve.result import Result, Status


def join_gains(t: Stage2Table) -> dict[int, float]:
    """D0(j) without incentive: D0(2) = S_in(2) - S_single, D0(j) = S_in(j) - S_out(j-1)."""
    d = {2: float(t.S_in[2] - t.S_single)}
    d.update({j: float(t.S_in[j] - t.S_out[j - 1]) for j in range(3, t.n + 1)})
    return d


def verify_schedule(inst: ItInfraInstance, phi: Mapping[int, float], alphas: np.ndarray,
                    tol: float = 1e-9) -> dict[str, Any]:
    """Where, on a grid of alphas, is the welfare optimum under ``phi`` the unique equilibrium under ``phi``?

    Exact Stage 2 (vectorised) at every alpha; equilibria by (23)-(28); optimum of SW(j) - gamma j phi_j.
    """
    t = exact_table(inst.n, inst.kappa, inst.beta, alphas, inst.p, inst.g_max)
    eq = is_equilibrium(t, phi, tol)
    sw = welfare(t, phi, inst.gamma)
    target = np.argmax(np.where(np.isfinite(sw), sw, -np.inf), axis=0)
    unique = eq.sum(axis=0) == 1
    aligned = unique & eq[target, np.arange(len(alphas))]
    bad = alphas[~aligned]
    return {"aligned": bool(aligned.all()), "aligned_share": float(aligned.mean()),
            "failing_alpha_min": float(bad.min()) if bad.size else None,
            "failing_alpha_max": float(bad.max()) if bad.size else None,
            "failing_alphas": bad.tolist(), "aligned_mask": aligned}


def least_cost(t: Stage2Table, target: int, gamma: float, margin: float, solver: str = "highs") -> tuple[dict, Any]:
    """Solve the incentive LP for ``target`` given the Stage-2 table; returns ({j: phi_j}, Result)."""
    m = incentives_lp.build(t.n, target, join_gains(t), gamma, margin)
    res = solve(m, solver, incentives_lp.PROBLEM_CLASS)
    if not res.status.has_solution:
        return {}, res
    return {j: float(res.values["phi"][j]) for j in range(2, t.n + 1)}, res


def schedule_from_model(inst: ItInfraInstance, solver: str = "exact", alphas: tuple[float, float] = (0.3, 0.6),
                        solver_options: Mapping[str, Any] | None = None) -> dict[int, float]:
    """The paper's threshold-matching schedule re-derived from Stage-2 solves instead of closed forms.

    Every payoff is affine in 1/alpha while no bound binds (g_max unset), so two Stage-2 tables (at the two
    ``alphas``) give D_j = a_j/alpha + b_j and SW(j) - SW(j-1) = c_j/alpha + d_j; then, with phi_1 = 0,
    phi_j = (a_j (d_j + gamma (j-1) phi_{j-1}) - c_j b_j) / (c_j + gamma j a_j)  (section 7, Appendix A).
    """
    if inst.g_max is not None:
        raise InputError("schedule_from_model needs g_max unset (payoffs affine in 1/alpha)")
    tabs = [solve_stage2(inst.with_overrides(alpha=a), solver, solver_options) for a in alphas]
    x = [1 / a for a in alphas]

    def affine(vals: list[float]) -> tuple[float, float]:
        slope = (vals[1] - vals[0]) / (x[1] - x[0])
        return slope, vals[0] - slope * x[0]

    gains = [join_gains(t) for t in tabs]
    sws = [welfare(t) for t in tabs]
    phi: dict[int, float] = {}
    prev, g = 0.0, inst.gamma
    for j in range(2, inst.n + 1):
        a, b = affine([d[j] for d in gains])
        lower = 0 if j == 2 else j - 1
        c, d = affine([float(sw[j] - sw[lower]) for sw in sws])
        prev = (a * (d + g * (j - 1) * prev) - c * b) / (c + g * j * a)
        phi[j] = prev
    return phi


def run(inst: ItInfraInstance, solver: str, solver_options: Mapping[str, Any], margin: float = 1e-6,
        alphas: int = 99, lp_solver: str = "highs", tie_tol: float = 1e-9) -> Result:
    n, k, b, g = inst.n, inst.kappa, inst.beta, inst.gamma
    get_solver(lp_solver)
    t = solve_stage2(inst, solver, solver_options)
    if incomplete(t):
        return not_computed(t, "itinfra.incentives", solver, "the incentive schedule")
    target, _ = optimum(t)
    msgs = list(t.messages)

    with np.errstate(all="ignore"):
        try:
            paper = cf.phi_schedule_paper(n, k, b, g, inst.p)
        except ZeroDivisionError:
            paper = {}
    if not paper or not all(np.isfinite(v) for v in paper.values()):
        paper = {}
        msgs.append(f"the paper's schedule is undefined here (kappa = {k}, beta = {b}: a division by zero)")
    eq_paper, _ = equilibria(t, paper or None, tie_tol)
    target_paper, _ = optimum(t, paper or None, g)
    grid = np.linspace(0.01, 0.99, alphas)
    check = verify_schedule(inst, paper, grid, tie_tol) if paper else {
        "aligned": False, "aligned_share": 0.0, "failing_alphas": []}
    here_ok = bool(paper) and eq_paper == [target_paper]
    if paper and bound_binds(inst):
        msgs.append(f"g_max = {inst.g_max} binds: the paper's schedule assumes it does not")
    if paper and not here_ok:
        msgs.append(f"the paper's schedule does not deliver the optimum here: equilibria {eq_paper}, "
                    f"welfare optimum under it {target_paper}")
    if paper and not check["aligned"]:
        msgs.append(f"the paper's schedule (announced without alpha) fails to make the optimum the unique "
                    f"equilibrium at {len(check['failing_alphas'])} of {alphas} alphas in "
                    f"[{check['failing_alpha_min']:.3f}, {check['failing_alpha_max']:.3f}] "
                    f"(n={n}, kappa={k}, beta={b}, gamma={g}); the paper claims it always does (notes, error 9)")

    lc, lp = least_cost(t, target, g, margin, lp_solver)
    status = t.status
    if not lc:
        status = lp.status
        msgs.append(f"incentive LP: {lp.status.value}")
    else:
        eq_lc, _ = equilibria(t, lc, tie_tol)
        if eq_lc != [target]:
            msgs.append(f"least-cost schedule check failed: equilibria {eq_lc}, target {target}")
            status = Status.NUMERICAL_ERROR

    def budget(phi: Mapping[int, float], j: int) -> float | None:
        if j < 2:
            return 0.0
        return j * phi[j] if phi else None

    res = Result(problem="itinfra.incentives", status=status, solver=solver, formulation="stage2+lp",
                 messages=msgs, objective=float(welfare(t)[target]) - (1 + g) * budget(lc, target) if lc else None)
    res.solution = {"target_size": target, "phi": {"paper": {str(j): v for j, v in paper.items()},
                                                   "least_cost": {str(j): v for j, v in lc.items()}}}
    res.values = {
        "budget": {"paper": budget(paper, target_paper), "least_cost": budget(lc, target)},
        "paper_equilibria": eq_paper, "paper_target": target_paper, "paper_aligned_here": here_ok,
        "paper_aligned_all_alphas": check["aligned"], "paper_aligned_share": check["aligned_share"],
        "paper_failing_alphas": check["failing_alphas"],
    }
    if "2" in res.solution["phi"]["paper"]:
        res.closed_form = {"phi_2": float(cf.phi_2(n, k, b, g, inst.p))}
    return res


PROBLEM = Problem(
    name="itinfra.incentives",
    family="itinfra",
    summary="Incentives aligning equilibrium and optimum: the paper's schedule (verified) and a least-cost LP",
    paper="itinfra-coalition-formation.md, section 7, Appendix A (Proposition 6)",
    equations="(23)-(28); phi_2, F1, F2 of Appendix A",
    options={
        "margin": Option(float, 1e-6, "strictness margin of the LP's IC conditions (payoff units)", low=0,
                         high=1e6),
        "alphas": Option(int, 99, "number of alphas in (0.01, 0.99) on which the paper's schedule is verified",
                         low=1, high=10_000),
        "lp_solver": Option(str, "highs", "LP solver for the least-cost schedule", choices=("highs", "scip")),
        "tie_tol": Option(float, 1e-9, "round-off allowance on deviation gains (relative)", low=0, high=1e-6),
    },
    run=run,
    default_solver="highs",
    solvers=STAGE2_SOLVERS,
    problem_class="QP",
)
