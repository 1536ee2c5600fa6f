"""Solve a Pyomo model with HiGHS, Ipopt (cyipopt) or SCIP, and read back a uniform Result."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import pyomo.environ as pyo

from coopt.solve.certificate import kkt_residual, primal_residual
from coopt.solve.registry import SolverSpec
from coopt.solve.result import Result, Status, relative_gap


class _DropBoundWarnings(logging.Filter):
    """Ipopt stops up to its bound_relax_factor (1e-8) outside variable bounds; Pyomo then warns
    (W1002) once per variable when loading the point. coopt reports the primal residual instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "W1002" not in record.getMessage()


logging.getLogger("pyomo.core").addFilter(_DropBoundWarnings())


def contrib_status(tc: Any, ss: Any) -> Status:
    """coopt's :class:`Status` of a ``pyomo.contrib.solver`` termination condition and solution status.

    The one status table of the Pyomo backends (``coopt.solve.persistent`` maps HiGHS's own model
    status onto Pyomo's termination conditions and then through this function).
    """
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    if tc == TC.convergenceCriteriaSatisfied:
        return Status.OPTIMAL if ss == SolutionStatus.optimal else Status.FEASIBLE
    table = {
        TC.maxTimeLimit: Status.TIME_LIMIT,
        TC.iterationLimit: Status.ITERATION_LIMIT,
        TC.objectiveLimit: Status.FEASIBLE,
        TC.minStepLength: Status.NUMERICAL_ERROR,
        TC.unbounded: Status.UNBOUNDED,
        TC.provenInfeasible: Status.INFEASIBLE,
        TC.locallyInfeasible: Status.INFEASIBLE,
        TC.infeasibleOrUnbounded: Status.INFEASIBLE_OR_UNBOUNDED,
    }
    return table.get(tc, Status.ERROR)


def _solve_new_api(model: pyo.ConcreteModel, name: str, opts: dict[str, Any]) -> tuple[Status, Any, str]:
    from pyomo.contrib.solver.common.factory import SolverFactory as NewFactory

    solver = NewFactory("highs" if name == "highs" else "scip_direct")
    kw = contrib_options(name, opts)
    res = solver.solve(model, **kw)
    status = contrib_status(res.termination_condition, res.solution_status)
    if status.has_solution:
        res.solution_loader.load_vars()
    version = ".".join(map(str, solver.version() or ()))
    return status, res, version


def contrib_options(name: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of a ``pyomo.contrib.solver`` solve() for coopt's common options ``opts``
    (time_limit, gap, tol) and coopt's defaults for HiGHS (``name="highs"``) or SCIP (``"scip"``)."""
    kw: dict[str, Any] = {"load_solutions": False, "raise_exception_on_nonoptimal_result": False}
    solver_options: dict[str, Any] = {}
    if opts.get("time_limit") is not None:
        kw["time_limit"] = float(opts["time_limit"])
    if name == "highs":
        kw["rel_gap"] = opts.get("gap") if opts.get("gap") is not None else 1e-9
        tol = opts.get("tol") or 1e-9
        # HiGHS regularises QP Hessians by 1e-7 by default: that shifts the optimum of flat
        # (rank-deficient) objectives by ~1e-6 relative, so keep it far below the tolerance.
        solver_options.update(primal_feasibility_tolerance=tol, dual_feasibility_tolerance=tol,
                              qp_regularization_value=1e-12)
        if opts.get("max_iter") is not None:  # HiGHS counts simplex (LP) and active-set (QP) iterations
            solver_options.update(simplex_iteration_limit=int(opts["max_iter"]),
                                  qp_iteration_limit=int(opts["max_iter"]))
    else:  # SCIP: a tight gap; feasibility at SCIP's default unless asked (below ~1e-8 it floods its log
        # with "cannot set feasibility tolerance without GMP"); continuous incumbents are refined below
        kw["rel_gap"] = opts.get("gap") if opts.get("gap") is not None else 1e-9
        solver_options["display/verblevel"] = 0
        if opts.get("tol") is not None:
            solver_options["numerics/feastol"] = max(float(opts["tol"]), 1e-8)
    kw["solver_options"] = solver_options
    return kw


def _legacy_ipopt_status(tc: Any) -> Status:
    from pyomo.opt import TerminationCondition as TC

    table = {
        TC.optimal: Status.OPTIMAL,
        TC.feasible: Status.NUMERICAL_ERROR,  # "solved to acceptable level": not a proven optimum
        TC.maxIterations: Status.ITERATION_LIMIT,
        TC.maxTimeLimit: Status.TIME_LIMIT,
        TC.infeasible: Status.INFEASIBLE,
        TC.unbounded: Status.UNBOUNDED,
        TC.minStepLength: Status.NUMERICAL_ERROR,
        TC.noSolution: Status.NUMERICAL_ERROR,
    }
    return table.get(tc, Status.ERROR)


def _solve_ipopt(model: pyo.ConcreteModel, opts: dict[str, Any]) -> tuple[Status, Any, str]:
    import cyipopt

    solver = pyo.SolverFactory("cyipopt")
    ip_opts: dict[str, Any] = {"tol": opts.get("tol") or 1e-10, "print_level": 0, "sb": "yes"}
    if opts.get("time_limit") is not None:
        ip_opts["max_wall_time"] = float(opts["time_limit"])
    if opts.get("max_iter") is not None:
        ip_opts["max_iter"] = int(opts["max_iter"])
    if model.component("dual") is None:
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    res = solver.solve(model, tee=False, options=ip_opts)
    status = _legacy_ipopt_status(res.solver.termination_condition)
    version = ".".join(map(str, cyipopt.IPOPT_VERSION))
    return status, res, version


def solve_pyomo(
    model: pyo.ConcreteModel, spec: SolverSpec, problem_class: str, opts: dict[str, Any]
) -> Result:
    """Solve ``model`` with the Pyomo solver ``spec``; fill objective, bound, gap and residuals."""
    t0 = time.perf_counter()
    bound = None
    try:
        if spec.name == "ipopt":
            status, res, version = _solve_ipopt(model, opts)
        else:
            status, res, version = _solve_new_api(model, spec.name, opts)
            ob = getattr(res, "objective_bound", None)
            bound = float(ob) if ob is not None and math.isfinite(float(ob)) else None
    except Exception as err:  # a solver crash must not become a user's traceback
        return Result(
            problem=model.name, status=Status.ERROR, solver=spec.name, wall_time=time.perf_counter() - t0,
            messages=[f"{spec.name} failed: {type(err).__name__}: {str(err).splitlines()[0][:200]}"],
        )
    messages: list[str] = []
    if spec.name == "scip" and status.has_solution and not _has_integers(model):
        messages += _polish_with_ipopt(model, opts)
    wall = time.perf_counter() - t0
    if status == Status.OPTIMAL and problem_class not in spec.global_for:
        status = Status.LOCALLY_OPTIMAL
    result = Result(problem=model.name, status=status, solver=spec.name, solver_version=version, wall_time=wall,
                    messages=messages)
    if status.has_solution:
        obj = next(model.component_data_objects(pyo.Objective, active=True))
        result.objective = float(pyo.value(obj))
        result.values = read_values(model)
        result.duals = _read_duals(model, res, spec.name)
        result.primal_residual = primal_residual(model)
        try:
            result.kkt_residual = kkt_residual(model)
        except Exception as err:  # e.g. a non-differentiable Expr_if: no KKT certificate, say why
            result.messages.append(f"KKT residual not computed: {type(err).__name__}")
        if bound is None and status == Status.OPTIMAL and problem_class in ("LP", "QP", "NLP", "SOCP", "CONE"):
            # convex: a KKT point is globally optimal; the bound is the certified objective itself
            bound = result.objective if (result.kkt_residual or 0.0) <= 1e-6 else None
        result.bound = bound
        result.gap = relative_gap(result.objective, bound)
    return result


def _has_integers(model: pyo.ConcreteModel) -> bool:
    return any(v.is_integer() or v.is_binary() for v in model.component_data_objects(pyo.Var, active=True))


def _polish_with_ipopt(model: pyo.ConcreteModel, opts: dict[str, Any]) -> list[str]:
    """Refine SCIP's incumbent of a continuous model by a local Ipopt solve started from it.

    SCIP proves the global bound, but its incumbent is only accurate to its feasibility tolerance
    (about 1e-6 in the variables for flat objectives). The refined point is kept only if it is
    feasible and its objective is at least as good; the bound stays SCIP's.
    """
    from coopt.solve.registry import SOLVERS

    if not SOLVERS["ipopt"].available:
        return []
    obj = next(model.component_data_objects(pyo.Objective, active=True))
    xs = [v for v in model.component_data_objects(pyo.Var, active=True) if not v.fixed]
    before = [v.value for v in xs]
    f0 = pyo.value(obj)
    scip_feasible = primal_residual(model) <= 1e-9
    maximize = obj.sense == pyo.maximize
    try:
        status, _, _ = _solve_ipopt(model, {"tol": 1e-10})
        f1 = pyo.value(obj)
        slack = 1e-12 * (1 + abs(f0))
        not_worse = f1 >= f0 - slack if maximize else f1 <= f0 + slack
        # SCIP's point may violate constraints by its tolerance and so look slightly better than
        # the optimum: then accept the feasible refined point if it has the same value to 1e-6
        same = abs(f1 - f0) <= 1e-6 * (1 + abs(f0))
        # Ipopt relaxes bounds by 1e-8 (bound_relax_factor); SCIP's own feasibility tolerance is 1e-6
        feasible = primal_residual(model) <= 1e-7
        if status == Status.OPTIMAL and feasible and (not_worse or (same and not scip_feasible)):
            return ["SCIP's incumbent refined by a local Ipopt solve started from it (bound: SCIP's)"]
    except Exception:  # keep SCIP's point whatever goes wrong in the refinement
        pass
    for v, x in zip(xs, before):
        v.set_value(x, skip_validation=True)
    return []


def _read_duals(model: pyo.ConcreteModel, res: Any, solver: str) -> dict[str, Any]:
    """Constraint duals as the solver reports them (each solver's own sign convention)."""
    raw: dict[Any, float] = {}
    try:
        if solver == "ipopt":
            suffix = model.component("dual")
            raw = dict(suffix.items()) if suffix is not None else {}
        elif solver == "highs":
            raw = res.solution_loader.get_duals()
    except Exception:  # MILPs and some solvers give no duals
        return {}
    out: dict[str, Any] = {}
    for con, val in raw.items():
        parent = con.parent_component()
        if parent.is_indexed():
            out.setdefault(parent.local_name, {})[con.index()] = float(val)
        else:
            out[parent.local_name] = float(val)
    return out


def read_values(model: pyo.ConcreteModel) -> dict[str, Any]:
    """Variable values by name: scalars as floats, indexed variables as {index: value}."""
    out: dict[str, Any] = {}
    for var in model.component_objects(pyo.Var, active=True, descend_into=True):
        name = var.local_name
        if var.is_indexed():
            out[name] = {k: (None if v.value is None else float(v.value)) for k, v in var.items()}
        else:
            out[name] = None if var.value is None else float(var.value)
    return out
