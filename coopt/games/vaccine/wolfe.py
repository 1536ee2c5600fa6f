"""vaccine.wolfe_dual: the Wolfe dual (14) of the concave relaxation (13), solved as its own model.

problem: vaccine.wolfe_dual | class: MINLP (Pyomo, SCIP global) + exact 1-D method |
layer: Pyomo + native | solvers: scip, exact
Paper: vaccine-fair-allocation.md, Appendix A, proofs of Theorems 4 and 5 (eqs. 12-16).

For a coalition S (default N): the multiplier lambda of the Wolfe dual, computed twice (SCIP on
the Pyomo model of (14) when every F_i has a Pyomo expression -- logistic, Ginsberg --, and the
exact bisection always), compared with

* D_{F_i}(f~_i) per player (Theorem 4: lambda = D_F(f~) for identical F and R(N) = f~ M(K));
* the market-price interval of the core (the notes' generalisation: when the relaxation is tight,
  v_2(N) = v(N), lambda lies in it, i.e. the market allocation at price lambda is in the core);
* the LP (18)-(23) prices, when S = N.

Solution keys: ``lambda`` (exact), ``lambda_model`` (SCIP, or null), ``D`` {name: D_F(f~)},
``v2`` (= D(S)), ``v`` (exact v(S)), ``relaxation_tight``, ``core_price_interval``,
``lambda_in_core_interval``, ``market_allocation_at_lambda_in_core``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from coopt.formulations.base import Option, Problem
from coopt.formulations.vaccine import market_lp
from coopt.formulations.vaccine.core_lp import CoalitionValues
from coopt.formulations.vaccine.prices import market_allocation
from coopt.formulations.vaccine.wolfe_dual import PROBLEM_CLASS, Envelope, build, solve_exact
from coopt.games.vaccine.core import most_violated
from coopt.solve import solve
from coopt.solve.result import Result, Status
from coopt.solve.status import check_bound, worst


def wolfe_analysis(names: Sequence[str], envelopes: Sequence[Envelope], R: float,
                   exprs: Sequence[Callable[[object], object]] | None = None,
                   game: CoalitionValues | None = None, r: np.ndarray | None = None,
                   g: np.ndarray | None = None, rel_tol: float = 1e-7,
                   solver_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Solve (14) both ways and compare its multiplier with D_F(f~) and the market prices.

    ``game``, ``r`` and ``g`` (the players' resources and the exact optimum of (1) for the
    grand coalition) enable the core comparison; they describe the grand coalition.
    """
    exact = solve_exact(envelopes, R)
    out: dict[str, Any] = {
        "lambda": exact.lam,
        "v2": exact.value,
        "f_relaxation": dict(zip(names, map(float, exact.f))),
        "D": {nm: e.slope for nm, e in zip(names, envelopes)},
        "lambda_model": None,
        "model_status": None,
    }
    out["lambda_equals_D"] = [nm for nm, e in zip(names, envelopes)
                              if abs(e.slope - exact.lam) <= rel_tol * max(1.0, e.slope)]
    if exprs is not None:
        opts = {"tol": 1e-8, "gap": 1e-7, "time_limit": 60.0, **dict(solver_options or {})}
        m = build(envelopes, R, exprs)
        res = solve(m, "scip", PROBLEM_CLASS, **opts)
        # the exact lambda* is a feasible point of (14) with value v_2(S): SCIP's lower bound must not pass it
        check_bound(res, exact.value, maximize=False, source="the exact dual value D(S) (feasible in (14))")
        out["model_status"] = res.status.value
        out["model_messages"] = list(res.messages)
        if res.status.has_solution:
            out["lambda_model"] = float(res.values["lam"])
            out["D_model"] = float(res.objective)
            out["D_model_bound"] = res.bound
    if game is not None and r is not None and g is not None:
        M = np.array([e.M for e in envelopes])
        F = [e.F for e in envelopes]
        own = np.array([M[i] * float(F[i](g[i])) for i in range(len(M))])
        trade = r - g * M
        out["v"] = game.v_grand
        out["relaxation_tight"] = bool(exact.value - game.v_grand <= rel_tol * max(1.0, abs(game.v_grand)))
        interval = market_lp.market_price_interval(game, own, trade, epsilon=0.0, rel_tol=rel_tol)
        out["core_price_interval"] = list(interval) if interval else None
        slack = rel_tol * max(1.0, abs(exact.lam))
        out["lambda_in_core_interval"] = bool(interval is not None
                                              and interval[0] - slack <= exact.lam <= interval[1] + slack)
        x = market_allocation(M, r, g, F, exact.lam)
        mv = most_violated(game, x)  # coopt's one core test (coopt.games.tu.core.in_core)
        out["market_allocation_at_lambda_in_core"] = bool(mv["in_core"])
        out["most_violated_at_lambda"] = mv["members"]
    return out


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], coalition: list[str] | None = None,
        rel_tol: float = 1e-7) -> Result:
    """vaccine.wolfe_dual on a vaccine instance (coalition default: the grand coalition)."""
    from coopt.games.vaccine.characteristic import coalition_value
    from coopt.games.vaccine.core import exact_game
    from coopt.games.vaccine.market import player_arrays, pyomo_exprs

    names = list(instance.names)
    idx = instance.index_of(coalition) if coalition else list(range(len(names)))
    members = [names[i] for i in idx]
    M, r, F, dF, ft = player_arrays(instance, names)
    env = [Envelope(float(M[i]), F[i], dF[i], float(ft[i])) for i in idx]
    R = float(sum(r[i] for i in idx))
    exprs_all = pyomo_exprs(instance, names) if solver == "scip" else None
    exprs = [exprs_all[i] for i in idx] if exprs_all is not None and all(exprs_all[i] for i in idx) else None
    if len(idx) == len(names):  # S = N: the core and the LP (18)-(23) need every v(S)
        game, f_grand = exact_game(instance)
        sol = wolfe_analysis(members, env, R, exprs, game, r, f_grand, rel_tol, solver_options)
    else:  # a proper coalition needs only its own v(S)
        sol = wolfe_analysis(members, env, R, exprs, None, None, None, rel_tol, solver_options)
        sol["v"] = coalition_value(instance, members)[0]
        sol["relaxation_tight"] = bool(sol["v2"] - sol["v"] <= rel_tol * max(1.0, abs(sol["v"])))
    # the composed answer carries the worst status of its sub-solves (SCIP on (14) when it ran)
    status = worst([Status.OPTIMAL] + ([Status(sol["model_status"])] if sol.get("model_status") else []))
    res = Result(problem="vaccine.wolfe_dual", status=status, solver="exact" if exprs is None else "scip",
                 objective=sol["v2"], bound=sol["v2"], solution=sol, formulation="Wolfe dual (14)")
    res.values = {"lam": sol["lambda"]}
    if exprs is None:
        res.messages.append("Pyomo model of (14) not solved (needs logistic/ginsberg functions and solver scip)")
    elif status != Status.OPTIMAL:
        res.messages.append(f"SCIP on the Pyomo model of (14): {sol['model_status']}"
                            + (f" ({sol['model_messages'][0]})" if sol.get("model_messages") else "")
                            + "; the exact 1-D method's multiplier is reported")
    return res


PROBLEM = Problem(
    name="vaccine.wolfe_dual",
    family="vaccine",
    summary="Wolfe dual (14) of the concave-envelope relaxation (13): multiplier vs D_F(f~) and market prices",
    paper="vaccine-fair-allocation.md, Appendix A (proofs of Theorems 4-5)",
    equations="(12)-(16)",
    options={
        "coalition": Option("list[str]", None, "coalition members (comma list); default: all players"),
        "rel_tol": Option(float, 1e-7, "relative tolerance of the comparisons", low=0, high=1e-3),
    },
    run=run,
    default_solver="scip",
    solvers=("scip", "exact"),
    problem_class="MINLP",
)
