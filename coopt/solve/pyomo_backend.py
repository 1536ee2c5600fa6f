"""Solve a Pyomo model with HiGHS, Ipopt (cyipopt) or SCIP, and read back a uniform Result.

After every solve coopt re-evaluates the objective at the returned point and recomputes its own
certificate, and the status follows it (:func:`coopt.solve.status.certify`):

* LP/QP with HiGHS: primal residual, dual residual and a Lagrangian bound from HiGHS's duals, read
  from Pyomo's sparse standard form (:func:`coopt.solve.certificate.linear_certificate`);
* convex NLP with Ipopt: the same Lagrangian bound at Ipopt's multipliers, with gradients by Pyomo's
  differentiation (:func:`coopt.solve.certificate.nonlinear_certificate`); non-convex (local) solves:
  the least-squares KKT residual on the active set;
* SCIP: its bound, the gap recomputed from the re-evaluated objective, the primal residual of the
  (Ipopt-refined) point; at a time limit the incumbent and the bound are kept.

Solver output never reaches stdout (:mod:`coopt.solve.output`).
"""

from __future__ import annotations

import math
import time
from typing import Any

import pyomo.environ as pyo

from coopt.solve.certificate import (
    kkt_residual,
    linear_certificate,
    nonlinear_certificate,
    primal_residual,
    primal_scale,
)
from coopt.solve.output import quiet_solver, route_pyomo_logs
from coopt.solve.registry import SolverSpec
from coopt.solve.result import Result, Status, relative_gap
from coopt.solve.status import Tolerances, certify

route_pyomo_logs()

CONVEX = ("LP", "QP", "NLP", "SOCP", "CONE")


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
    with quiet_solver():
        res = solver.solve(model, **kw)
    status = contrib_status(res.termination_condition, res.solution_status)
    if status.has_solution or _has_incumbent(res):  # at a limit: the incumbent, with the bound
        res.solution_loader.load_vars()
    version = ".".join(map(str, solver.version() or ()))
    return status, res, version


def contrib_options(name: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of a ``pyomo.contrib.solver`` solve() for coopt's common options ``opts``
    (time_limit, gap, tol, max_iter) and coopt's defaults for HiGHS (``name="highs"``) or SCIP (``"scip"``)."""
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
    else:  # SCIP: a tight gap, and feasibility 1e-7 unless asked (below ~1e-8 it floods its log with
        # "cannot set feasibility tolerance without GMP"). At SCIP's default 1e-6 its incumbent may
        # violate a constraint by 1e-6 and its bound overshoot the optimum by as much (relative
        # 3e-6 on itinfra.het_coordinator): too loose for a 1e-6 gap. Continuous incumbents are refined.
        # rel_gap 1e-7 (10x below coopt's certified 1e-6): spatial branch and bound on non-convex
        # models closes 1e-9 only slowly (vaccine games stopped at time limits 1e-8 from optimal)
        kw["rel_gap"] = opts.get("gap") if opts.get("gap") is not None else 1e-7
        solver_options["display/verblevel"] = 0
        solver_options["numerics/feastol"] = max(float(opts["tol"]), 1e-8) if opts.get("tol") is not None else 1e-7
    kw["solver_options"] = solver_options
    return kw


def _has_incumbent(res: Any) -> bool:
    """A feasible point exists although the solve stopped early (a time or iteration limit)."""
    from pyomo.contrib.solver.common.results import SolutionStatus

    return res.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal)


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


class _IpoptStopped(Exception):
    """Ipopt ended in a way Pyomo's cyipopt interface cannot read (it raises instead)."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status


def _solve_ipopt(model: pyo.ConcreteModel, opts: dict[str, Any]) -> tuple[Status, Any, str]:
    import cyipopt

    solver = pyo.SolverFactory("cyipopt")
    ip_opts: dict[str, Any] = {"tol": opts.get("tol") or 1e-10, "print_level": 0, "sb": "yes"}
    if opts.get("time_limit") is not None:
        ip_opts["max_wall_time"] = float(opts["time_limit"])
    if opts.get("max_iter") is not None:
        ip_opts["max_iter"] = int(opts["max_iter"])
    ip_opts.update(opts.get("ipopt_options") or {})
    if model.component("dual") is None:
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    t0 = time.perf_counter()
    try:
        with quiet_solver():
            res = solver.solve(model, tee=False, options=ip_opts)
    except KeyError as err:
        # cyipopt names Ipopt's Maximum_WallTime_Exceeded (Ipopt >= 3.14) "Unknown status", which
        # Pyomo cannot map: the solve stopped at its time limit, and the point is lost
        limit = opts.get("time_limit")
        if "Unknown status" in str(err) and limit is not None and time.perf_counter() - t0 >= 0.5 * float(limit):
            raise _IpoptStopped(Status.TIME_LIMIT,
                                f"ipopt stopped at its time limit ({float(limit):g} s); no point returned") from None
        raise _IpoptStopped(Status.ERROR, f"ipopt ended with a status Pyomo cannot read: {err}") from None
    status = _legacy_ipopt_status(res.solver.termination_condition)
    version = ".".join(map(str, cyipopt.IPOPT_VERSION))
    return status, res, version


def solve_pyomo(
    model: pyo.ConcreteModel, spec: SolverSpec, problem_class: str, opts: dict[str, Any]
) -> Result:
    """Solve ``model`` with the Pyomo solver ``spec``; objective, bound, gap, residuals and the status
    they certify."""
    t0 = time.perf_counter()
    bound = None
    messages: list[str] = []
    try:
        if spec.name == "ipopt":
            status, res, version = _solve_ipopt(model, opts)
            if status != Status.OPTIMAL:
                messages.append(f"ipopt: {_ipopt_message(res)}")
        else:
            status, res, version = _solve_new_api(model, spec.name, opts)
            ob = getattr(res, "objective_bound", None)
            bound = float(ob) if ob is not None and math.isfinite(float(ob)) else None
    except _IpoptStopped as stop:
        return Result(problem=model.name, status=stop.status, solver=spec.name,
                      wall_time=time.perf_counter() - t0, messages=[str(stop)])
    except Exception as err:  # a solver crash must not become a user's traceback
        return Result(
            problem=model.name, status=Status.ERROR, solver=spec.name, wall_time=time.perf_counter() - t0,
            messages=[f"{spec.name} failed: {type(err).__name__}: {_first_line(err)}"],
        )
    loaded = status.has_solution or (spec.name != "ipopt" and _has_incumbent(res))
    if spec.name == "scip" and loaded and not _has_integers(model):
        messages += _polish_with_ipopt(model, opts, bound)
    wall = time.perf_counter() - t0
    if status == Status.OPTIMAL and problem_class not in spec.global_for:
        status = Status.LOCALLY_OPTIMAL
    result = Result(problem=model.name, status=status, solver=spec.name, solver_version=version, wall_time=wall,
                    messages=messages)
    if not loaded:
        return result
    if status == Status.TIME_LIMIT:
        result.messages.append(f"{spec.name} stopped at its time limit: incumbent and bound as found")
    obj = next(model.component_data_objects(pyo.Objective, active=True))
    result.sense = "min" if obj.sense == pyo.minimize else "max"
    result.objective = float(pyo.value(obj))  # re-evaluated at the (refined) point
    result.values = read_values(model)
    result.duals = _read_duals(model, res, spec.name)
    cert = None
    if spec.name in ("highs", "ipopt") and problem_class in CONVEX and not _has_integers(model):
        cert = _certificate(model, res, spec.name, result)
        bound = None  # HiGHS's own "bound" of a continuous model is its claim: only a computed one counts
    sigma = 1.0 if obj.sense == pyo.minimize else -1.0
    if cert is not None:  # convex with the solver's duals: the Lagrangian certificate
        bound = sigma * cert.bound
        result.primal_residual = cert.primal_residual
        result.kkt_residual = cert.dual_residual
        scale = cert.primal_scale
    else:
        result.primal_residual = primal_residual(model)
        scale = primal_scale(model)
        try:
            result.kkt_residual = kkt_residual(model)
        except Exception as err:  # e.g. a non-differentiable Expr_if: no KKT certificate, say why
            result.messages.append(f"KKT residual not computed: {type(err).__name__}")
    result.bound = bound
    result.gap = cert.gap(sigma * result.objective) if cert is not None else relative_gap(result.objective, bound)
    if result.status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL):
        # a global solver's claim rests on its bound and a feasible point; a local one on the KKT residual
        certify(result, Tolerances.from_options(opts), primal_scale=scale,
                need_bound=result.status == Status.OPTIMAL, check_kkt=spec.name != "scip")
    return result


def _certificate(model: pyo.ConcreteModel, res: Any, solver: str, result: Result) -> Any:
    """Lagrangian certificate of a convex model from the solver's duals (None if it cannot be made)."""
    try:
        duals = _raw_duals(model, res, solver)
        if duals is None:
            return None
        if solver == "ipopt":  # Ipopt's multipliers of min sigma f: d objective / d rhs = -sigma lambda
            obj = next(model.component_data_objects(pyo.Objective, active=True))
            sigma = 1.0 if obj.sense == pyo.minimize else -1.0
            duals = {c: -sigma * float(v) for c, v in duals.items()}
        cert = linear_certificate(model, duals)
        if cert is None and solver == "ipopt":
            cert = nonlinear_certificate(model, duals)
        return cert
    except Exception as err:  # no bound rather than a made-up one
        result.messages.append(f"dual bound not computed: {type(err).__name__}: {_first_line(err)}")
        return None


def _ipopt_message(res: Any) -> str:
    msg = getattr(res.solver, "message", None) or str(res.solver.termination_condition)
    if isinstance(msg, bytes):
        msg = msg.decode(errors="replace")
    return str(msg).strip() or "no message"


def _first_line(err: BaseException) -> str:
    lines = str(err).splitlines()
    return (lines[0] if lines else "")[:200]


def _has_integers(model: pyo.ConcreteModel) -> bool:
    return any(v.is_integer() or v.is_binary() for v in model.component_data_objects(pyo.Var, active=True))


def _polish_with_ipopt(model: pyo.ConcreteModel, opts: dict[str, Any], bound: float | None) -> list[str]:
    """Refine SCIP's incumbent of a continuous model by a local Ipopt solve started from it.

    SCIP proves the global bound, but its incumbent is only accurate to its feasibility tolerance
    (1e-6 relative): an incumbent that violates a constraint by that much can look better than the
    optimum. The refined point (Ipopt from SCIP's point, bounds honoured exactly) replaces it when it
    is feasible and either at least as good, or -- if SCIP's point is infeasible -- within the
    tolerance of SCIP's bound. The bound stays SCIP's; the gap is recomputed from the objective.
    """
    from coopt.solve.registry import SOLVERS

    if not SOLVERS["ipopt"].available:
        return []
    obj = next(model.component_data_objects(pyo.Objective, active=True))
    xs = [v for v in model.component_data_objects(pyo.Var, active=True) if not v.fixed]
    before = [v.value for v in xs]
    if any(x is None for x in before):
        return []
    f0 = pyo.value(obj)
    scip_feasible = primal_residual(model) <= 1e-9
    maximize = obj.sense == pyo.maximize
    tol = Tolerances.from_options(opts)
    try:
        status, _, _ = _solve_ipopt(model, {"tol": 1e-10, "ipopt_options": {"bound_relax_factor": 0.0}})
        f1 = pyo.value(obj)
        slack = 1e-12 * (1 + abs(f0))
        not_worse = f1 >= f0 - slack if maximize else f1 <= f0 + slack
        feasible = primal_residual(model) <= 1e-9 * max(1.0, primal_scale(model))
        near_bound = bound is not None and (relative_gap(f1, bound) or 0.0) <= tol.gap and \
            (f1 <= bound + slack if maximize else f1 >= bound - slack)
        if status == Status.OPTIMAL and feasible and (not_worse or (not scip_feasible and near_bound)):
            return ["SCIP's incumbent refined by a local Ipopt solve started from it (bound: SCIP's)"]
    except Exception:  # keep SCIP's point whatever goes wrong in the refinement
        pass
    for v, x in zip(xs, before):
        v.set_value(x, skip_validation=True)
    return []


def _raw_duals(model: pyo.ConcreteModel, res: Any, solver: str) -> Any:
    """The solver's constraint duals keyed by constraint (Pyomo's sign convention), or None."""
    try:
        if solver == "ipopt":
            suffix = model.component("dual")
            return dict(suffix.items()) if suffix is not None else None
        if solver == "highs":
            return res.solution_loader.get_duals()
    except Exception:  # MILPs and some solvers give no duals
        return None
    return None


def _read_duals(model: pyo.ConcreteModel, res: Any, solver: str) -> dict[str, Any]:
    """Constraint duals as the solver reports them (each solver's own sign convention)."""
    raw = _raw_duals(model, res, solver) or {}
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
