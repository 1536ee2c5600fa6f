"""Re-solve one kept model after its mutable parameters change: the persistent path of coopt's solver layer.

    ps = PersistentSolve(model, solver="highs", problem_class="QP")   # model built once
    for a in alphas:
        model.alpha.set_value(a)                                        # a mutable Param, no rebuild
        r = ps.solve()                                                  # the usual Result, certified

The Result is the one :func:`coopt.solve.solve` returns (status, objective, bound, gap, values,
duals, primal and KKT residuals), with the same status table, option names (``time_limit``,
``gap``, ``tol``, ``max_iter``) and option translation as the Pyomo backend.

**HiGHS on a Pyomo model** is persistent: the first solve translates the model to HiGHS through
``pyomo.contrib.solver``'s ``highs`` interface; later solves pass only the coefficients that
depend on mutable Params. With ``fast=True`` (default) a re-solve skips Pyomo's per-solve wrapper
(option handling, output capture, result objects): it calls the interface's
``update_parameters()``, runs HiGHS and reads the answer from HiGHS's arrays. That path re-reads
mutable Params only (in objectives, constraints and variable bounds); after a structural edit
(a new constraint, a fixed variable) call :meth:`PersistentSolve.reset` or use ``fast=False``
(the interface's ``solve()``, which detects structural changes).

**Certificate** (``certify``), recomputed by coopt from HiGHS's model and its primal and dual
point, never taken from HiGHS's own report:

* ``"full"`` (default): the objective and the primal residual (largest violation of a row, a
  bound or integrality, with A x recomputed); for continuous models a Lagrangian certificate from
  HiGHS's row multipliers -- the reduced costs are recomputed, the part no finite bound can carry
  is the KKT residual, and the Lagrangian dual value at those multipliers (less a term for that
  residual) is the ``bound``, so ``gap`` measures the distance from the objective to a proven
  bound (the same construction as the Pyomo backend's, see the comment above the kernels below);
  MILPs take HiGHS's branch-and-bound bound. ``optimal`` stands only when the point is feasible
  (else ``numerical_error``), the KKT residual is within ``tol`` and the gap within ``gap``
  (both at least 1e-6; else ``feasible``), with a message saying which check failed.
* ``"primal"``: the objective and the primal residual only (no bound, so no gap); HiGHS's status.
* ``"none"``: HiGHS's status and objective as reported (no bound, no residuals).

``result.options["certify"]`` records which certificate was computed. The first solve of a model
is also checked against Pyomo's own evaluation of it (objective and primal residual): if the
translated model and the Pyomo model disagree, the fast path is not used.

**Other solvers and layers** (Ipopt, SCIP, CVXPY problems with ``Parameter`` values, native
models) re-solve the kept model through :func:`coopt.solve.solve` itself, with that backend's
certificate (CVXPY caches the compiled problem between solves of a parametrised model).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from coopt.errors import InputError
from coopt.solve.result import Result, Status

CERTIFY = ("full", "primal", "none")
CHECK_TOL = 1e-6  # default tolerance of the certificate checks (primal, KKT residual and gap)


class PersistentSolve:
    """A kept model and its solver: :meth:`solve` re-solves it after its mutable parameters change.

    ``problem_class`` is the class the model's formulation declares (LP, QP, MILP, ...; as for
    :func:`coopt.solve.solve`, a solver that cannot serve it is refused here); ``options`` are
    coopt's common solver options (``time_limit``, ``gap``, ``tol``, ``max_iter``); ``certify`` is
    ``"full"``, ``"primal"`` or ``"none"`` (see the module docstring); ``fast`` chooses the lean
    HiGHS re-solve path for Pyomo models.
    """

    def __init__(self, model: Any, solver: str, problem_class: str, *,
                 certify: str = "full", fast: bool = True, **options: Any) -> None:
        from coopt.solve import _check_options, check_request, layer_of

        if certify not in CERTIFY:
            raise InputError(f"certify = {certify!r}: expected one of {', '.join(CERTIFY)}")
        self.model = model
        self.solver = solver
        self.problem_class = problem_class
        self.certify = certify
        self.fast = fast
        self.layer = layer_of(model)
        self.spec = check_request(solver, problem_class, self.layer)
        self.options = _check_options(options)
        self._highs: _PersistentHighs | None = None
        if self.layer == "pyomo" and solver == "highs":
            self._highs = _PersistentHighs(model, self.spec, problem_class, self.options, certify, fast)

    @property
    def persistent(self) -> bool:
        """True when re-solves only pass changed coefficients (HiGHS on a Pyomo model)."""
        return self._highs is not None

    def reset(self) -> None:
        """Forget the translated model (after a structural edit): the next solve translates it again."""
        if self._highs is not None:
            self._highs = _PersistentHighs(self.model, self.spec, self.problem_class, self.options,
                                           self.certify, self.fast)

    def solve(self) -> Result:
        """Solve the model at its current parameter values; the usual certified :class:`Result`."""
        note = None
        if self._highs is not None:
            try:
                result = self._highs.solve()
            except _NotPersistent as why:  # this Pyomo's HiGHS interface cannot be read: the generic path
                self._highs, note = None, str(why)
            else:
                result.options = {"solver": self.solver, **self.options, "certify": self.certify}
                return result
        from coopt.solve import solve

        result = solve(self.model, self.solver, self.problem_class, **self.options)
        result.options["certify"] = "full"
        if note:
            result.messages.append(note)
        return result


class _NotPersistent(Exception):
    """The persistent HiGHS path cannot certify this model: use coopt.solve.solve on it."""


# ----------------------------------------------------------------------------- HiGHS, persistent


def _highs_contrib_status(h: Any) -> Status:
    """HiGHS's model status -> Pyomo's termination condition (as its ``highs`` interface maps it) ->
    coopt's status through the Pyomo backend's one table (:func:`pyomo_backend.contrib_status`)."""
    from coopt.solve.pyomo_backend import contrib_status

    to_tc, optimal, feasible, none = _highs_status_table()
    st = h.getModelStatus()
    if st in optimal:
        return contrib_status(to_tc[st], optimal[st])
    ss = feasible if h.getInfo().primal_solution_status == 2 else none
    return contrib_status(to_tc.get(st, _tc_error()), ss)


@functools.cache
def _highs_status_table() -> tuple[dict[Any, Any], dict[Any, Any], Any, Any]:
    import highspy
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    ms = highspy.HighsModelStatus
    to_tc = {
        ms.kOptimal: TC.convergenceCriteriaSatisfied, ms.kInfeasible: TC.provenInfeasible,
        ms.kUnboundedOrInfeasible: TC.infeasibleOrUnbounded, ms.kUnbounded: TC.unbounded,
        ms.kObjectiveBound: TC.objectiveLimit, ms.kObjectiveTarget: TC.objectiveLimit,
        ms.kTimeLimit: TC.maxTimeLimit, ms.kIterationLimit: TC.iterationLimit,
    }
    if hasattr(ms, "kSolutionLimit"):
        to_tc[ms.kSolutionLimit] = TC.iterationLimit
    return to_tc, {ms.kOptimal: SolutionStatus.optimal}, SolutionStatus.feasible, SolutionStatus.noSolution


def _tc_error() -> Any:
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    return TC.error


class _PersistentHighs:
    """One Pyomo model kept in a persistent ``pyomo.contrib.solver`` HiGHS interface."""

    def __init__(self, model: Any, spec: Any, problem_class: str, opts: dict[str, Any], certify: str,
                 fast: bool) -> None:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.common.factory import SolverFactory

        from coopt.solve.pyomo_backend import contrib_options

        self.model = model
        self.name = model.name  # (Pyomo builds it on every access)
        self.spec = spec
        self.problem_class = problem_class
        self.opts = opts
        self.certify = certify
        self.fast = fast
        self.opt = SolverFactory("highs")
        self.kwargs = contrib_options("highs", opts)
        self.objective = next(model.component_data_objects(pyo.Objective, active=True))
        self.version = ".".join(map(str, self.opt.version() or ()))
        self.arrays: _Arrays | None = None  # the fast path: set up by the first solve with a solution
        self.checked = False  # translation checked against Pyomo's evaluation (at the first solution)
        self.values = _ValueReader(model)

    # -- one solve

    def solve(self) -> Result:
        t0 = time.perf_counter()
        try:
            if self.arrays is not None:
                self.updates()
                self.arrays.h.run()
                arrays = self.arrays
            else:
                self.opt.solve(self.model, **self.kwargs)  # translates the model, or its changes
                arrays = self._read_arrays()
            status = _highs_contrib_status(arrays.h)
        except _NotPersistent:
            raise
        except Exception as err:  # a solver crash must not become a user's traceback
            self.arrays = None
            return Result(problem=self.name, status=Status.ERROR, solver=self.spec.name,
                          solver_version=self.version, wall_time=time.perf_counter() - t0,
                          messages=[f"highs failed: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
                                    if str(err) else f"highs failed: {type(err).__name__}"])
        if status == Status.OPTIMAL and self.problem_class not in self.spec.global_for:
            status = Status.LOCALLY_OPTIMAL
        result = Result(problem=self.name, status=status, solver=self.spec.name,
                        solver_version=self.version)
        if status in (Status.ERROR, Status.NUMERICAL_ERROR):
            h = arrays.h
            result.messages.append(f"HiGHS model status: {h.modelStatusToString(h.getModelStatus())}")
        if status.has_solution:
            cert = arrays.certificate(self.certify)
            arrays.load_values()
            _fill(result, cert, self.opts, self.certify)
            result.values = self.values()
            if cert.duals is not None:
                result.duals = arrays.named_duals(cert.duals)
        result.wall_time = time.perf_counter() - t0
        return result

    def _read_arrays(self) -> _Arrays:
        """HiGHS's arrays after a solve() of the interface; on the first solve, check the translation
        against Pyomo's own evaluation and set up the fast path."""
        try:
            arrays = _Arrays(self.opt)
        except (AttributeError, TypeError):  # a Pyomo without the attributes read here
            raise _NotPersistent("persistent HiGHS path unavailable with this Pyomo: model re-solved "
                                 "by coopt.solve") from None
        if not self.checked and _has_solution(arrays.h):
            if not arrays.matches_pyomo(self.model, self.objective):
                raise _NotPersistent("the model HiGHS received and Pyomo's evaluation of it differ: "
                                     "model re-solved by coopt.solve")
            self.checked = True
            if self.fast:
                arrays.h.setOptionValue("output_flag", False)
                self.arrays = arrays
                self.updates = _changed_params_updater(self.opt)
        return arrays


def _changed_params_updater(opt: Any) -> Callable[[], None]:
    """``opt.update_parameters()`` restricted to the coefficients whose Params (or fixed variables) changed.

    Pyomo's HiGHS interface re-evaluates every Param-dependent coefficient, bound and objective
    term at each update (~30 expression evaluations, ~0.2 ms, on the itinfra coordinator); a sweep
    point usually changes one or two Params. This records, for each of the interface's update
    helpers, the Params its expressions read, and at each update runs only the helpers of Params
    whose value changed since the last one. Falls back to ``update_parameters()`` on a Pyomo whose
    interface keeps its helpers elsewhere.
    """
    try:
        return _ChangedParams(opt).update
    except (AttributeError, TypeError):
        return opt.update_parameters


class _ChangedParams:
    def __init__(self, opt: Any) -> None:
        from pyomo.core.expr.visitor import identify_mutable_parameters, identify_variables

        self.opt = opt
        obj = opt._mutable_objective
        jobs: list[tuple[list[Any], Callable[[], None]]] = []
        for helpers in opt._mutable_helpers.values():
            for hp in helpers:
                exprs = [hp.expr] if hasattr(hp, "expr") else [hp.lower_expr, hp.upper_expr]
                jobs.append((exprs, hp.update))
        for _var, hp in opt._mutable_bounds.values():
            jobs.append(([hp.lower_expr, hp.upper_expr], hp.update))
        jobs.append(([obj.constant.expr], obj.constant.update))
        jobs += [([hp.expr], hp.update) for hp in obj.linear_coefs]
        jobs += [([q.expr], functools.partial(self._quadratic, q)) for q in obj.quadratic_coefs]
        self.objective = obj
        self.sources: list[Any] = []  # the Params and fixed variables the coefficients read
        index: dict[int, int] = {}
        self.jobs: list[tuple[frozenset[int], Callable[[], None]]] = []
        for exprs, fn in jobs:
            deps = set()
            for e in exprs:
                srcs = list(identify_mutable_parameters(e))
                srcs += [v for v in identify_variables(e, include_fixed=True) if v.fixed]
                for src in srcs:
                    if id(src) not in index:
                        index[id(src)] = len(self.sources)
                        self.sources.append(src)
                    deps.add(index[id(src)])
            self.jobs.append((frozenset(deps), fn))
        self.last = [src.value for src in self.sources]
        self.hessian = False

    def _quadratic(self, q: Any) -> None:
        from pyomo.core.expr.numvalue import value

        key, val = (q.v1_id, q.v2_id), value(q.expr)
        if self.objective.previous_quad_coef_dict.get(key) != val:
            self.objective.quad_coef_dict[key] = val
            self.objective.previous_quad_coef_dict[key] = val
            self.hessian = True

    def update(self) -> None:
        now = [src.value for src in self.sources]
        changed = {i for i, (a, b) in enumerate(zip(now, self.last)) if a != b or a != a}
        if not changed:
            return
        self.last = now
        self.opt._sol = None
        for deps, fn in self.jobs:
            if not deps or deps & changed:
                fn()
        if self.hessian:
            self.objective._build_and_pass_hessian()
            self.hessian = False


class _ValueReader:
    """:func:`coopt.solve.pyomo_backend.read_values` with the model's variables listed once."""

    def __init__(self, model: Any) -> None:
        import pyomo.environ as pyo

        self.vars: list[tuple[str, Any, list[tuple[Any, Any]] | None]] = []
        for v in model.component_objects(pyo.Var, active=True, descend_into=True):
            self.vars.append((v.local_name, v, list(v.items()) if v.is_indexed() else None))

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, var, items in self.vars:
            if items is not None:
                out[name] = {k: (None if v.value is None else float(v.value)) for k, v in items}
            else:
                out[name] = None if var.value is None else float(var.value)
        return out


def _has_solution(h: Any) -> bool:
    return h.getInfo().primal_solution_status == 2


# ----------------------------------------------------------------------------- certificate on HiGHS's arrays


class _Certificate:
    """What coopt recomputed: objective, primal residual (absolute, and relative to max(1, |bound|) of
    the worst row or column), KKT residual, bound and the cost of the violations (all in the
    original sense of the objective except ``cost``, a non-negative amount)."""

    __slots__ = ("objective", "bound", "primal", "primal_rel", "kkt", "cost", "duals", "note")

    def __init__(self) -> None:
        self.objective: float | None = None
        self.bound: float | None = None
        self.primal: float | None = None
        self.primal_rel: float | None = None
        self.kkt: float | None = None
        self.cost = 0.0
        self.duals: np.ndarray | None = None
        self.note = ""

    def gap(self) -> float | None:
        """|objective - bound| (or what the violations can buy, if more) / max(1, |objective|)."""
        if self.objective is None or self.bound is None or not math.isfinite(self.bound):
            return None
        return max(abs(self.objective - self.bound), self.cost) / max(1.0, abs(self.objective))


class _Arrays:
    """HiGHS's model and solution as numpy arrays, and the Pyomo variables behind its columns."""

    def __init__(self, opt: Any) -> None:
        import highspy

        h = opt._solver_model
        if not isinstance(h, highspy.Highs):
            raise TypeError("not a highspy model")
        self.h = h
        self.opt = opt
        var_map = opt._pyomo_var_to_solver_var_map  # id(var) -> column
        pyomo_vars = opt._vars  # id(var) -> (var, ...)
        self.columns = [(pyomo_vars[v_id][0], col) for v_id, col in var_map.items()]
        self.con_map = opt._pyomo_con_to_solver_con_map  # constraint data -> row
        self.dual_slots: list[tuple[str, Any, int]] | None = None

    # -- reading HiGHS

    def _model(self) -> _QP:
        """HiGHS's current model (after parameter updates): objective, bounds, A and Q by columns."""
        import highspy

        hm = self.h.getModel()
        lp, hs = hm.lp_, hm.hessian_
        a = lp.a_matrix_
        start, index, value = _plain_list(a.start_), _plain_list(a.index_), _plain_list(a.value_)
        if a.format_ == highspy.MatrixFormat.kRowwise:  # row-wise storage: as triplets, then by column
            trip = sorted((index[k], r, value[k]) for r in range(lp.num_row_) for k in range(start[r], start[r + 1]))
            acol, arow, aval = (list(t) for t in zip(*trip)) if trip else ([], [], [])
        else:
            acol = [c for c in range(lp.num_col_) for _ in range(start[c], start[c + 1])]
            arow, aval = index, value
        if hs.dim_ > 0 and len(hs.value_):
            hst = _plain_list(hs.start_)
            hcol = [c for c in range(hs.dim_) for _ in range(hst[c], hst[c + 1])]
            hrow, hval = _plain_list(hs.index_), _plain_list(hs.value_)
        else:
            hcol, hrow, hval = [], [], []
        integrality = _plain_list(lp.integrality_)
        return _QP(s=-1.0 if lp.sense_ == highspy.ObjSense.kMaximize else 1.0, n=lp.num_col_, m=lp.num_row_,
                   c=_plain_list(lp.col_cost_), offset=float(lp.offset_), cl=_plain_list(lp.col_lower_),
                   cu=_plain_list(lp.col_upper_), rl=_plain_list(lp.row_lower_), ru=_plain_list(lp.row_upper_),
                   arow=arow, acol=acol, aval=aval, hrow=hrow, hcol=hcol, hval=hval,
                   integer=[j for j, t in enumerate(integrality) if int(t) != 0])

    def certificate(self, certify: str) -> _Certificate:
        """The objective and the certificate recomputed from HiGHS's model and its primal and dual point."""
        if certify == "none":
            cert = _Certificate()
            cert.objective = float(self.h.getInfo().objective_function_value)
            return cert
        sol = self.h.getSolution()
        qp = self._model()
        kernel = _certify_lists if qp.size <= SMALL else _certify_arrays
        cert = kernel(qp, _plain_list(sol.col_value), _plain_list(sol.row_dual) if sol.dual_valid else None, certify)
        if certify == "full" and qp.integer:  # a MIP: HiGHS's branch-and-bound bound, no duals
            b = float(self.h.getInfo().mip_dual_bound)
            cert.bound = b if math.isfinite(b) else None
            cert.note = "bound: HiGHS's MIP dual bound"
        elif certify == "full" and not sol.dual_valid:
            cert.note = "no dual values from HiGHS: no bound"
        return cert

    def load_values(self) -> None:
        """Set the Pyomo variables to HiGHS's primal values."""
        col = self.h.getSolution().col_value
        for var, j in self.columns:
            var.set_value(col[j], skip_validation=True)

    def named_duals(self, y: np.ndarray) -> dict[str, Any]:
        """HiGHS's row duals by constraint name (HiGHS's sign convention, as the Pyomo backend reports them)."""
        if self.dual_slots is None:
            self.dual_slots = []
            for con, row in self.con_map.items():
                parent = con.parent_component()
                self.dual_slots.append((parent.local_name, con.index() if parent.is_indexed() else None, row))
        out: dict[str, Any] = {}
        for name, index, row in self.dual_slots:
            if index is None:
                out[name] = float(y[row])
            else:
                out.setdefault(name, {})[index] = float(y[row])
        return out

    def matches_pyomo(self, model: Any, objective: Any) -> bool:
        """The arrays' objective and primal residual agree with Pyomo's evaluation at HiGHS's point."""
        import pyomo.environ as pyo

        from coopt.solve.certificate import primal_residual

        cert = self.certificate("primal")
        saved = [(v, v.value) for v, _ in self.columns]
        self.load_values()
        try:
            f = float(pyo.value(objective))
            p = primal_residual(model)
        finally:
            for v, val in saved:
                v.set_value(val, skip_validation=True)
        same_obj = abs(f - cert.objective) <= 1e-9 * max(1.0, abs(f))
        same_primal = abs(p - (cert.primal or 0.0)) <= 1e-9 * max(1.0, abs(p))
        return same_obj and same_primal


def _plain_list(v: Any) -> list[Any]:
    """A highspy vector (list or numpy array) as a list of Python numbers (fast scalar arithmetic)."""
    return v.tolist() if isinstance(v, np.ndarray) else list(v)


SMALL = 2000  # models with n + m + nonzeros up to this are certified in plain Python (numpy's per-call cost)


@dataclass
class _QP:
    """min s (c'x + x'Qx/2 + offset) s.t. rl <= A x <= ru, cl <= x <= cu, x_j integer for j in ``integer``:
    HiGHS's model with A and the lower triangle of Q as coordinate lists; ``s`` = -1 for a maximisation."""

    s: float
    n: int
    m: int
    c: list[float]
    offset: float
    cl: list[float]
    cu: list[float]
    rl: list[float]
    ru: list[float]
    arow: list[int]
    acol: list[int]
    aval: list[float]
    hrow: list[int]
    hcol: list[int]
    hval: list[float]
    integer: list[int]

    @property
    def size(self) -> int:
        return self.n + self.m + len(self.aval) + len(self.hval)


# The certificate, twice: the same formulas over Python lists (small models, where numpy's per-call
# overhead would dominate the re-solve) and over numpy arrays. tests/solve/test_persistent.py checks
# that both agree on random LPs and QPs, and that the bound bounds.
#
# In the minimisation form (f = s (c'x + x'Qx/2 + offset), its gradient g = s (c + Q x), row
# multipliers y = s * HiGHS's row duals) HiGHS's duals satisfy g = A'y + z. A multiplier is valid
# only on the side of a finite bound (y_i > 0 needs a finite lower row bound, y_i < 0 an upper one;
# likewise z_j and the column bounds): invalid row multipliers are dropped, z = g - A'y is
# recomputed, and the part r of z that no finite bound can carry is the dual residual (the KKT
# residual is ||r||_inf / max(1, ||g||_inf)). With beta, gamma the bound on each multiplier's side,
#
#     L = f(x) - y'(A x - beta) - z'(x - gamma)      (z without r)
#
# is the Lagrangian dual value at (y, z), a lower bound on the minimum when r = 0; coopt reports
# L - ||r||_2 (1 + ||x||_2) (as coopt.solve.lagrangian does for the Pyomo backend). The gap also
# covers what a slightly infeasible x can gain: 2 (|y|'v_rows + |z|'v_cols) for the violations v.


def _certify_lists(qp: _QP, x: list[float], y_raw: list[float] | None, certify: str) -> _Certificate:
    n, m, s = qp.n, qp.m, qp.s
    fin = math.isfinite
    ax = [0.0] * m
    for r, c, v in zip(qp.arow, qp.acol, qp.aval):
        ax[r] += v * x[c]
    qx = [0.0] * n
    for r, c, v in zip(qp.hrow, qp.hcol, qp.hval):
        qx[r] += v * x[c]
        if r != c:
            qx[c] += v * x[r]
    cert = _Certificate()
    value = sum(ci * xi for ci, xi in zip(qp.c, x)) + 0.5 * sum(a * b for a, b in zip(x, qx)) + qp.offset
    cert.objective = value
    worst = rel = 0.0
    v_rows, v_cols = [0.0] * m, [0.0] * n
    for viols, los, vals, his in ((v_rows, qp.rl, ax, qp.ru), (v_cols, qp.cl, x, qp.cu)):
        for k, (lo, a, hi) in enumerate(zip(los, vals, his)):
            if lo - a > 0.0:  # never true for lo = -inf
                viols[k] = lo - a
                worst, rel = max(worst, lo - a), max(rel, (lo - a) / max(1.0, abs(lo)))
            elif a - hi > 0.0:
                viols[k] = a - hi
                worst, rel = max(worst, a - hi), max(rel, (a - hi) / max(1.0, abs(hi)))
    for j in qp.integer:
        d = abs(x[j] - round(x[j]))
        worst, rel = max(worst, d), max(rel, d)
    cert.primal, cert.primal_rel = worst, rel
    if certify == "primal" or qp.integer or y_raw is None:
        return cert
    y = []
    lagr = s * value
    for yi, lo, hi, a, viol in zip(y_raw, qp.rl, qp.ru, ax, v_rows):
        yi *= s
        if yi > 0 and fin(lo):
            lagr -= yi * (a - lo)
        elif yi < 0 and fin(hi):
            lagr -= yi * (a - hi)
        else:
            yi = 0.0
        cert.cost += 2.0 * abs(yi) * viol
        y.append(yi)
    grad = [s * (ci + qi) for ci, qi in zip(qp.c, qx)]
    z = list(grad)
    for r, c, v in zip(qp.arow, qp.acol, qp.aval):
        z[c] -= v * y[r]
    r_inf = r_sq = 0.0
    for zj, lo, hi, xj, viol in zip(z, qp.cl, qp.cu, x, v_cols):
        if zj > 0 and fin(lo):
            lagr -= zj * (xj - lo)
        elif zj < 0 and fin(hi):
            lagr -= zj * (xj - hi)
        elif zj != 0.0:  # no finite bound can carry it: dual residual
            r_inf, r_sq = max(r_inf, abs(zj)), r_sq + zj * zj
            continue
        cert.cost += 2.0 * abs(zj) * viol
    cert.kkt = r_inf / max([1.0] + [abs(g) for g in grad])
    bound = lagr - math.sqrt(r_sq) * (1.0 + math.sqrt(sum(xi * xi for xi in x)))
    cert.bound = s * bound if fin(bound) else None
    cert.duals = np.asarray(y_raw, dtype=float)
    return cert


def _certify_arrays(qp: _QP, x_list: list[float], y_raw: list[float] | None, certify: str) -> _Certificate:
    n, m, s = qp.n, qp.m, qp.s
    x = np.asarray(x_list, dtype=float)
    arow, acol, aval = (np.asarray(qp.arow, dtype=np.intp), np.asarray(qp.acol, dtype=np.intp),
                        np.asarray(qp.aval, dtype=float))
    hrow, hcol, hval = (np.asarray(qp.hrow, dtype=np.intp), np.asarray(qp.hcol, dtype=np.intp),
                        np.asarray(qp.hval, dtype=float))
    rl, ru, cl, cu = (np.asarray(b, dtype=float) for b in (qp.rl, qp.ru, qp.cl, qp.cu))
    c = np.asarray(qp.c, dtype=float)
    ax = np.bincount(arow, weights=aval * x[acol], minlength=m)
    off = hrow != hcol
    qx = (np.bincount(hrow, weights=hval * x[hcol], minlength=n)
          + np.bincount(hcol[off], weights=hval[off] * x[hrow[off]], minlength=n))
    cert = _Certificate()
    value = float(c @ x + 0.5 * (x @ qx) + qp.offset)
    cert.objective = value
    lo, val, hi = np.r_[rl, cl], np.r_[ax, x], np.r_[ru, cu]
    below, above = np.maximum(lo - val, 0.0), np.maximum(val - hi, 0.0)  # -inf and inf bounds give 0
    viol = np.maximum(below, above)
    v_rows, v_cols = viol[:m], viol[m:]
    rel = np.maximum(below / np.maximum(1.0, np.where(below > 0, np.abs(lo), 1.0)),
                     above / np.maximum(1.0, np.where(above > 0, np.abs(hi), 1.0)))
    worst, rel = float(np.max(viol, initial=0.0)), float(np.max(rel, initial=0.0))
    if qp.integer:
        d = float(np.max(np.abs(x[qp.integer] - np.round(x[qp.integer]))))
        worst, rel = max(worst, d), max(rel, d)
    cert.primal, cert.primal_rel = worst, rel
    if certify == "primal" or qp.integer or y_raw is None:
        return cert
    y = s * np.asarray(y_raw, dtype=float)
    y = np.where(((y > 0) & np.isfinite(rl)) | ((y < 0) & np.isfinite(ru)), y, 0.0)
    beta = np.where(y > 0, rl, np.where(y < 0, ru, 0.0))
    grad = s * (c + qx)
    z = grad - np.bincount(acol, weights=aval * y[arow], minlength=n)
    ok = ((z > 0) & np.isfinite(cl)) | ((z < 0) & np.isfinite(cu))
    r = np.where(ok, 0.0, z)
    zv = np.where(ok, z, 0.0)
    gamma = np.where(zv > 0, cl, np.where(zv < 0, cu, 0.0))
    lagr = s * value - float(y @ (ax - beta)) - float(zv @ (x - gamma))
    cert.cost = 2.0 * float(np.abs(y) @ v_rows + np.abs(zv) @ v_cols)
    cert.kkt = float(np.max(np.abs(r), initial=0.0)) / max(1.0, float(np.max(np.abs(grad), initial=0.0)))
    bound = lagr - float(np.linalg.norm(r)) * (1.0 + float(np.linalg.norm(x)))
    cert.bound = s * bound if math.isfinite(bound) else None
    cert.duals = np.asarray(y_raw, dtype=float)
    return cert


def _fill(result: Result, cert: _Certificate, opts: dict[str, Any], certify: str) -> None:
    """Objective, bound, gap and residuals into ``result``, and the status they certify.

    The rules of coopt's other backends: an ``optimal`` claim stands only if the point is feasible
    (primal residual relative to max(1, |bound|) within the tolerance; else ``numerical_error``), the
    KKT residual is within it, and a bound closes the gap (else ``feasible``); the tolerance is the
    requested ``tol`` (``gap`` for the gap), never below 1e-6.
    """
    result.objective = cert.objective
    result.primal_residual = cert.primal
    result.kkt_residual = cert.kkt
    result.bound = cert.bound
    result.gap = cert.gap()
    if cert.note:
        result.messages.append(cert.note)
    if certify != "full" or result.status not in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL):
        return
    tol = max(CHECK_TOL, float(opts.get("tol") or 0.0))
    gap_tol = max(tol, float(opts.get("gap") or 0.0))
    why, feasible = None, True
    if cert.primal_rel is not None and cert.primal_rel > tol:
        why, feasible = f"primal residual {cert.primal:.2e} (relative {cert.primal_rel:.2e}) > tolerance {tol:.1e}: " \
                        "the point is infeasible", False
    elif cert.kkt is not None and cert.kkt > tol:
        why = f"KKT residual {cert.kkt:.2e} > tolerance {tol:.1e}"
    elif result.gap is None:
        why = "no bound on the optimum (gap unknown)"
    elif result.gap > gap_tol:
        why = f"gap {result.gap:.2e} > tolerance {gap_tol:.1e}"
    if why:
        result.status = Status.FEASIBLE if feasible else Status.NUMERICAL_ERROR
        result.messages.append(f"not certified: {why}")


__all__ = ["CERTIFY", "PersistentSolve"]
