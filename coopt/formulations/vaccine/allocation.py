"""Resource allocation of a coalition: the S-curve knapsack, Problem (1) of the vaccine paper.

problem: vaccine.allocation | class: NCNLP (MILP bound) | layer: native, Pyomo | solvers: exact, heuristic,
ipopt, scip, highs

    v(S) = max  sum_{i in S} M_i F_i(f_i)                                    (1)
           s.t. sum_{i in S} f_i M_i <= sum_{i in S} r_i = R(S),   f_i >= 0

Five honest formulations under one name (``--set coalition=a,b,c``, default the grand coalition):

* ``exact-kkt`` (native, solver ``exact``): KKT / Lagrangian enumeration exploiting the
  convex-concave structure (at most one player on its convex branch), global optimum with a
  certified bound -- ``coopt.formulations.vaccine.knapsack``.
* ``heuristic-b1`` (native, solver ``heuristic``): Appendix B.1 (Duijzer et al. 2018) with its
  superadditivity repair over the sub-coalitions of S; no optimality claim.
* ``nlp`` (Pyomo, NCNLP, solvers ``ipopt`` local from ``--set start=pro-rata|heuristic|zero`` and
  ``scip`` global): the declarative model; for ``sir`` the final-size relation is written
  implicitly, s e^{-sigma s} <= (1 - i0)(1 - f/s_tau) e^{-sigma(1-f)} with s in [0, 1/sigma] (the
  principal branch of W; tight at the optimum since M_i s_i is maximised), instead of Lambert W.
* ``pwl-milp`` (Pyomo, MILP, solver ``highs``): each F_i replaced by its piecewise-linear
  interpolant on ``pieces`` segments (incremental form with binaries: HiGHS has no SOS2), lifted
  by delta_i = max (F_i - interpolant) so that the MILP optimum is an *upper bound* on v(S); the
  MILP's f evaluated with the true F is a feasible value; the gap between them is stated.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from coopt.data.vaccine import check_enumerable
from coopt.errors import InputError, TimeLimitReached
from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.formulations.native import NativeModel, NativeSolution
from coopt.solve.result import Deadline, Status, relative_gap

# ------------------------------------------------------------------------------------ helpers


def _coalition(instance: Any, coalition: Any) -> list[int]:
    names = list(instance.names)
    if coalition is None or (isinstance(coalition, list | tuple) and len(coalition) == 0):
        return list(range(len(names)))
    return instance.index_of(coalition)


def _coalition_data(instance: Any, coalition: Any) -> tuple[list[int], list[str], dict, dict, float, float]:
    """What the Pyomo models of a coalition S read: positions, names, F_i and M_i by name, the resources
    R(S) = sum_{i in S} r_i, and the value unit sum_{i in S} M_i that scales the budget row."""
    idx = _coalition(instance, coalition)
    names = [instance.names[i] for i in idx]
    funcs = {nm: instance.functions[i] for nm, i in zip(names, idx)}
    M = dict(zip(names, instance.M[idx]))
    return idx, names, funcs, M, float(instance.r[idx].sum()), float(sum(M.values()))


def _value(funcs: list, M: np.ndarray, f: np.ndarray) -> float:
    return float(sum(m * fn.F(x) for fn, m, x in zip(funcs, M, f)))


# ------------------------------------------------------------------------------------ heuristic B.1


def heuristic_allocation(M: np.ndarray, R: float, funcs: list) -> np.ndarray:
    """g* of Appendix B.1 for one coalition with budget R (no repair).

    Sort by D_{F_i}(f~_i) decreasing (stable: ties keep the given order -- the paper leaves ties
    arbitrary). Case (a) R < sum M_i f~_i: fill f~_i in that order, the k-th player gets the
    remainder, the rest 0. Case (b): everybody gets f~_i plus the surplus pro rata
    (R - sum M_j f~_j) / sum M_j."""
    ft = np.array([fn.f_tilde for fn in funcs])
    Dt = np.array([fn.D_tilde for fn in funcs])
    return _allocation(np.asarray(M, float), R, ft, np.argsort(-Dt, kind="stable"))


def _allocation(M: np.ndarray, R: float, ft: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Appendix B.1's g* from the tangent points f~_i and the fill order (see heuristic_allocation)."""
    need = M * ft
    g = np.zeros(len(M))
    if R < need.sum():
        cum = 0.0
        for i in order:
            if cum + need[i] >= R:
                g[i] = (R - cum) / M[i]
                break
            g[i] = ft[i]
            cum += need[i]
    else:
        g = ft + (R - need.sum()) / M.sum()
    return g


def heuristic_values(M: np.ndarray, r: np.ndarray, funcs: list, deadline: Deadline | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """v^H(S) for every coalition (bit mask) with the superadditivity repair of Appendix B.1.

    ``deadline``: :class:`coopt.errors.TimeLimitReached` once it has passed (None: no limit).

    Returns (v_raw, v_repaired, g) with g[S] the allocation carried along by the repair (the
    concatenation of the sub-coalitions' allocations when a split is better). Coalitions are
    visited in increasing bit-mask order, so every K and S \\ K is repaired before S.

    f~_i and D_F(f~_i) are computed once per player, and each F_i is evaluated once on the array
    of its fractions over all coalitions (the same numbers as coalition by coalition)."""
    n = len(M)
    check_enumerable(n, "heuristic", "vaccine heuristic")
    deadline = deadline or Deadline(None)
    full = 2**n
    M = np.asarray(M, float)
    r = np.asarray(r, float)
    ft = np.array([fn.f_tilde for fn in funcs], float)
    Dt = np.array([fn.D_tilde for fn in funcs], float)
    g = np.zeros((full, n))
    bits = (np.arange(full)[:, None] >> np.arange(n)[None, :]) & 1
    for S in range(1, full):
        if S & 63 == 0:
            deadline.check()
        idx = np.nonzero(bits[S])[0]
        sub_D = Dt[idx]
        g[S, idx] = _allocation(M[idx], float(np.sum(r[idx])), ft[idx], np.argsort(-sub_D, kind="stable"))
    v_raw = np.zeros(full)
    for i, fn in enumerate(funcs):  # sum over the members in player order, as sum() per coalition
        has = bits[:, i] == 1
        v_raw[has] += M[i] * np.asarray(fn.F(g[has, i]), float)
    v, g = _superadditive_repair(v_raw, g, n, deadline)
    return v_raw, v, g


def _superadditive_repair(v_raw: np.ndarray, g: np.ndarray, n: int, deadline: Deadline | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """v(S) = max(v_raw(S), max over splits {K, S \\ K} of v(K) + v(S \\ K)), carrying g along.

    Splits are visited per S with K descending from (S - 1) & S, each unordered split once (K < S \\ K);
    g(S) is replaced only by a strictly better split (the first one in that order). Vectorised by
    coalition size for n <= REPAIR_TABLE_MAX (every split of S has smaller parts, repaired earlier)."""
    deadline = deadline or Deadline(None)
    v = v_raw.copy()
    g = g.copy()
    if n > REPAIR_TABLE_MAX:
        full = 2**n
        for S in range(1, full):
            if S & 63 == 0:
                deadline.check()
            K = (S - 1) & S
            while K:
                rest = S ^ K
                if K < rest:  # each split once
                    cand = v[K] + v[rest]
                    if cand > v[S]:
                        v[S] = cand
                        g[S] = g[K] + g[rest]
                K = (K - 1) & S
        return v, g
    for S_, K_, starts in _split_table(n):
        deadline.check()
        if len(S_) == 0:
            continue
        cand = v[K_] + v[S_ ^ K_]
        best = np.maximum.reduceat(cand, starts)
        heads = S_[starts]
        better = best > v[heads]
        # first split (in enumeration order) attaining the best value of each S (every S has one)
        group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(S_))))
        pos = np.nonzero(cand == best[group])[0]
        first = pos[np.unique(group[pos], return_index=True)[1]]
        upd = np.nonzero(better)[0]
        Ks = K_[first[upd]]
        Ss = heads[upd]
        v[Ss] = best[upd]
        g[Ss] = g[Ks] + g[Ss ^ Ks]
    return v, g


REPAIR_TABLE_MAX = 12  # players: above this the repair runs as a loop (3^n / 2 splits)


@functools.lru_cache(maxsize=4)
def _split_table(n: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per coalition size k = 2..n: (S, K, group starts) of every split K < S ^ K of every S of size k,
    S ascending and K descending within S (the order of the loop in _superadditive_repair)."""
    full = 2**n
    pop = np.array([bin(m).count("1") for m in range(full)])
    by_size: dict[int, tuple[list[int], list[int], list[int]]] = {k: ([], [], []) for k in range(2, n + 1)}
    for S in range(1, full):
        k = int(pop[S])
        if k < 2:
            continue
        Ss, Ks, starts = by_size[k]
        first = True
        K = (S - 1) & S
        while K:
            if K < S ^ K:
                if first:
                    starts.append(len(Ss))
                    first = False
                Ss.append(S)
                Ks.append(K)
            K = (K - 1) & S
    out = []
    for k in range(2, n + 1):
        Ss, Ks, starts = by_size[k]
        arrs = (np.array(Ss, dtype=np.int64), np.array(Ks, dtype=np.int64), np.array(starts, dtype=np.int64))
        for a in arrs:
            a.setflags(write=False)
        out.append(arrs)
    return out


def heuristic_game_values(instance: Any) -> tuple[pd.DataFrame, dict[str, float]]:
    """The paper's v-bar without fmincon: repaired B.1 values of every coalition, and g* of N.

    Frame columns: members (tuple of names), v (repaired), v_raw (before the repair), bound (NaN:
    a heuristic proves nothing)."""
    names = tuple(instance.names)
    n = len(names)
    raw, v, g = heuristic_values(instance.M, instance.r, instance.functions)
    order = sorted(range(1, 2**n), key=lambda m: (bin(m).count("1"), [-(m >> i & 1) for i in range(n)]))
    frame = pd.DataFrame({"members": [tuple(nm for i, nm in enumerate(names) if m >> i & 1) for m in order],
                          "v": [float(v[m]) for m in order], "v_raw": [float(raw[m]) for m in order],
                          "bound": [float("nan")] * len(order)})
    return frame, dict(zip(names, map(float, g[2**n - 1])))


# ------------------------------------------------------------------------------------ native builders


def build_exact(instance: Any, coalition: Any = None, **_: Any) -> NativeModel:
    """Exact KKT enumeration (global optimum and certified bound) for the coalition."""
    idx = _coalition(instance, coalition)
    check_enumerable(len(idx), "exact", "vaccine.allocation")

    def run(**opts: Any) -> NativeSolution:
        from coopt.formulations.vaccine.knapsack import solve_arrays
        from coopt.solve.result import TimeLimitReached, Tolerances

        names = tuple(instance.names[i] for i in idx)
        try:
            sol = solve_arrays(instance.M[idx], instance.r[idx], [instance.functions[i] for i in idx], names,
                               time_limit=opts.get("time_limit"))
        except TimeLimitReached as stop:
            return NativeSolution(status="time_limit", objective=None, values={}, messages=[f"exact: {stop}"])
        top = 2 ** len(idx) - 1
        f = {nm: float(x) for nm, x in zip(names, sol.f[top])}
        resid = max(0.0, float(instance.M[idx] @ sol.f[top]) - float(instance.r[idx].sum()))
        value, bound = float(sol.v[top]), float(sol.bound[top])
        gap = relative_gap(value, bound)
        msgs = [f"exact KKT enumeration: {sol.polished} configurations polished"]
        status = "optimal"
        tol = Tolerances.from_options(opts)
        if gap is None or gap > tol.gap:  # the enumeration's own certificate did not close
            status = "feasible"
            msgs.append(f"exact method's bound not closed: gap {gap} > {tol.gap:.1e}")
        return NativeSolution(status=status, objective=value, bound=bound, values={"f": f}, primal_residual=resid,
                              messages=msgs)

    return NativeModel(name="vaccine.allocation", run=run, method="exact", doc="KKT enumeration")


def build_heuristic(instance: Any, coalition: Any = None, **_: Any) -> NativeModel:
    """Appendix B.1 heuristic plus the superadditivity repair over the subsets of S."""
    idx = _coalition(instance, coalition)
    check_enumerable(len(idx), "heuristic", "vaccine.allocation")

    def run(time_limit: float | None = None, **__: Any) -> NativeSolution:
        names = tuple(instance.names[i] for i in idx)
        try:
            raw, v, g = heuristic_values(instance.M[idx], instance.r[idx], [instance.functions[i] for i in idx],
                                         deadline=Deadline(time_limit))
        except TimeLimitReached:
            return NativeSolution(status="time_limit", objective=None, bound=None, values={}, messages=[
                f"heuristic B.1 with its repair over the 2^{len(idx)} subsets stopped at the time limit "
                f"({time_limit:g} s)"])
        top = 2 ** len(idx) - 1
        msg = [f"heuristic B.1: raw v^H = {raw[top]:.10g}, after the superadditivity repair {v[top]:.10g}"]
        return NativeSolution(status="feasible", objective=float(v[top]), bound=None,
                              values={"f": {nm: float(x) for nm, x in zip(names, g[top])}}, messages=msg)

    return NativeModel(name="vaccine.allocation", run=run, method="heuristic", doc="Appendix B.1")


# ------------------------------------------------------------------------------------ Pyomo NLP


def _start(instance: Any, idx: list[int], start: str) -> np.ndarray:
    M, R = instance.M[idx], float(instance.r[idx].sum())
    funcs = [instance.functions[i] for i in idx]
    if start == "pro-rata":
        f = np.full(len(idx), R / M.sum())
    elif start == "heuristic":
        f = heuristic_allocation(M, R, funcs)
    elif start == "zero":
        f = np.zeros(len(idx))
    else:
        raise InputError(f"option 'start' = {start!r}: must be pro-rata, heuristic or zero")
    return np.minimum(f, [fn.u for fn in funcs])


def _add_final_size(m: pyo.ConcreteModel, sir: list[str], funcs: dict, f0: dict) -> None:
    """SIR players: final susceptible fraction s_i and the implicit final-size relation."""
    m.SIR = pyo.Set(initialize=sir, ordered=True, doc="players with the SIR return function (eq. 24)")
    m.s = pyo.Var(m.SIR, bounds=lambda m, i: (0.0, 1.0 / funcs[i].sigma),
                  initialize=lambda m, i: float(funcs[i].F(f0[i]) - funcs[i].slope * f0[i]),
                  doc="final susceptible fraction s_inf (principal branch: sigma s <= 1)")

    def final_size(m: Any, i: str) -> Any:
        fn = funcs[i]
        if fn.variant == "B":
            rhs = (1 - fn.i0) * (1 - m.f[i]) * pyo.exp(-fn.sigma * (1 - m.f[i] * fn.s_tau))
        else:
            rhs = (1 - fn.i0) * (1 - m.f[i] / fn.s_tau) * pyo.exp(-fn.sigma * (1 - m.f[i]))
        return m.s[i] * pyo.exp(-fn.sigma * m.s[i]) <= rhs

    m.final_size = pyo.Constraint(
        m.SIR, rule=final_size,
        doc="final-size relation of the SIR model (eq. 24 without Lambert W); s e^{-sigma s} increases on "
        "[0, 1/sigma] and the objective increases in s, so '<=' is tight at every optimum")


def _add_cap(m: pyo.ConcreteModel, names: list[str], M: dict, R: float, scale: float, cap: float | None) -> None:
    """Option ``cap``: no player receives more than the share ``cap`` of the coalition's resources,
    M_i f_i <= cap R(S) (a per-region cap; not in the paper's Problem (1))."""
    if cap is None:
        return
    if not 0 < cap <= 1:
        raise InputError(f"option 'cap' = {cap}: must satisfy 0 < cap <= 1 (a share of R(S))")
    m.cap = pyo.Constraint(names, rule=lambda m, i: M[i] / scale * m.f[i] <= cap * R / scale,
                           doc=f"per-player cap: M_i f_i <= {cap:g} R(S) (option cap)")


def build_nlp(instance: Any, coalition: Any = None, start: str = "pro-rata", cap: float | None = None,
              **_: Any) -> pyo.ConcreteModel:
    """Declarative Problem (1): exp() for logistic/Ginsberg, an implicit final-size equation for sir."""
    idx, names, funcs, M, R, scale = _coalition_data(instance, coalition)
    f0 = dict(zip(names, _start(instance, idx, start)))

    m = pyo.ConcreteModel(name="vaccine.allocation")
    m.S = pyo.Set(initialize=names, ordered=True, doc="players of the coalition S")
    m.M = pyo.Param(m.S, initialize=M, doc="size M_i")
    m.R = pyo.Param(initialize=R, doc="resources R(S) = sum_{i in S} r_i (fixed: the bounds on f are computed from it)")

    def fbounds(m: Any, i: str) -> tuple[float, float]:
        fn = funcs[i]
        lo = 1e-9 if fn.type == "ginsberg" else 0.0  # exp(a - b/f) is undefined at f = 0
        # logistic: F == 1.0 in double precision beyond its saturation point (free disposal)
        top = min(fn.u, fn.saturation) if fn.type == "logistic" else fn.u
        return lo, min(top, max(R / M[i], lo))

    m.f = pyo.Var(m.S, bounds=fbounds, initialize=lambda m, i: max(min(f0[i], fbounds(m, i)[1]), fbounds(m, i)[0]),
                  doc="fraction f_i of player i's size that receives resources")
    sir = [i for i in names if funcs[i].type == "sir"]
    if sir:  # only when present (an empty indexed component confuses model descriptions)
        _add_final_size(m, sir, funcs, f0)

    def F(m: Any, i: str) -> Any:
        fn = funcs[i]
        if fn.type == "logistic":  # 1 - 1/(1 + e^t), t = a f - b: no exp(b) overflow (returns.py)
            return fn.model_expression(m.f[i], pyo.exp)
        if fn.type == "ginsberg":
            return pyo.exp(fn.a - fn.b / m.f[i])
        return m.s[i] + fn.slope * m.f[i]

    m.value = pyo.Objective(expr=sum(m.M[i] * F(m, i) for i in m.S), sense=pyo.maximize,
                            doc="sum_{i in S} M_i F_i(f_i), Problem (1)")
    m.budget = pyo.Constraint(expr=sum(m.M[i] / scale * m.f[i] for i in m.S) <= m.R / scale,
                              doc="sum_{i in S} f_i M_i <= R(S), Problem (1) (scaled by sum M)")
    _add_cap(m, names, M, R, scale, cap)
    return m


# ------------------------------------------------------------------------------------ PWL MILP


def pwl_bound(result: Any, value: float) -> float | None:
    """After a PWL MILP solve: its optimum (lifted by delta) bounds the true optimum from above, so it becomes
    ``result.bound``, the objective becomes ``value`` (the MILP's point re-evaluated with the true F), the gap is
    recomputed, and an "optimal" whose gap exceeds 1e-9 is downgraded to feasible. Returns the bound."""
    bound = result.objective
    result.objective, result.bound = value, bound
    result.gap = relative_gap(value, bound) if bound is not None else None
    if result.status == Status.OPTIMAL and (result.gap or 0) > 1e-9:
        result.status = Status.FEASIBLE
    return bound


def _pwl(fn: Any, top: float, pieces: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Breakpoints, F values and the lift delta = max(F - interpolant) on [0, top]."""
    pts = np.linspace(0.0, top, pieces + 1)
    extra = [x for x in (fn.c, fn.f_tilde) if 0 < x < top]
    pts = np.unique(np.concatenate([pts, extra]))
    vals = fn.F(pts)
    sub = np.linspace(0.0, 1.0, 257)
    delta = 0.0
    for a, b, fa, fb in zip(pts[:-1], pts[1:], vals[:-1], vals[1:]):
        x = a + (b - a) * sub
        delta = max(delta, float(np.max(fn.F(x) - (fa + (fb - fa) * sub))))
    return pts, vals, delta * 1.01 + 1e-12 * max(1.0, float(np.max(np.abs(vals))))


def build_milp(instance: Any, coalition: Any = None, pieces: int = 32, cap: float | None = None,
               **_: Any) -> pyo.ConcreteModel:
    """Piecewise-linear MILP (incremental form with binaries) whose optimum bounds v(S) from above."""
    if pieces < 1:
        raise InputError(f"option 'pieces' = {pieces}: must be >= 1")
    idx, names, funcs, M, R, scale = _coalition_data(instance, coalition)
    tabs = {i: _pwl(funcs[i], min(funcs[i].u, R / M[i]) if R > 0 else 0.0, pieces) for i in names}

    m = pyo.ConcreteModel(name="vaccine.allocation.pwl")
    m.S = pyo.Set(initialize=names, ordered=True, doc="players of the coalition S")
    m.K = pyo.Set(initialize=[(i, k) for i in names for k in range(len(tabs[i][0]) - 1)], dimen=2,
                  doc="segments k of player i's breakpoints")
    m.x = pyo.Var(m.K, bounds=(0, 1), doc="fill fraction of segment k (incremental form)")
    m.z = pyo.Var(m.K, within=pyo.Binary, doc="segment k is full (the next one may start)")
    m.f = pyo.Var(m.S, bounds=(0, None), doc="fraction f_i")
    width = {(i, k): float(tabs[i][0][k + 1] - tabs[i][0][k]) for (i, k) in m.K}
    rise = {(i, k): float(tabs[i][1][k + 1] - tabs[i][1][k]) for (i, k) in m.K}
    m.link = pyo.Constraint(m.S, rule=lambda m, i: m.f[i] == sum(width[i, k] * m.x[i, k] for (j, k) in m.K if j == i),
                            doc="f_i = sum_k width_k x_ik")

    def order(m: Any, i: str, k: int) -> Any:
        if (i, k + 1) not in width:
            return pyo.Constraint.Skip
        return m.x[i, k + 1] <= m.z[i, k]

    def full(m: Any, i: str, k: int) -> Any:
        return m.z[i, k] <= m.x[i, k]

    m.order = pyo.Constraint(m.K, rule=order, doc="segment k+1 starts only after segment k is full")
    m.full = pyo.Constraint(m.K, rule=full, doc="z_ik = 1 only if segment k is full")
    lift = {i: tabs[i][1][0] + tabs[i][2] for i in names}
    m.value = pyo.Objective(
        expr=sum(M[i] * (lift[i] + sum(rise[i, k] * m.x[i, k] for (j, k) in m.K if j == i)) for i in names),
        sense=pyo.maximize, doc="sum_i M_i (PWL_i(f_i) + delta_i) >= sum_i M_i F_i(f_i)")
    m.budget = pyo.Constraint(expr=sum(M[i] / scale * m.f[i] for i in names) <= R / scale,
                              doc="sum_{i in S} f_i M_i <= R(S), Problem (1)")
    _add_cap(m, names, M, R, scale, cap)
    m._coopt_delta = {i: tabs[i][2] for i in names}
    return m


# ------------------------------------------------------------------------------------ solution


def solution(result: Any, model: Any, instance: Any, coalition: Any = None, cap: float | None = None,
             **_: Any) -> dict[str, Any]:
    """JSON solution: f {name: fraction}, value (true objective of f), bound, method."""
    idx = _coalition(instance, coalition)
    names = [instance.names[i] for i in idx]
    fv = result.values.get("f", {})
    f = {nm: max(0.0, float(fv.get(nm, 0.0) or 0.0)) for nm in names}  # solver round-off below 0
    funcs = [instance.functions[i] for i in idx]
    fa = np.array([f[nm] for nm in names])
    M = instance.M[idx]
    R = float(instance.r[idx].sum())
    if cap is not None:  # solver tolerance: back under the per-player cap (a steep F rewards a violation)
        fa = np.minimum(fa, cap * R / M)
        f = dict(zip(names, map(float, fa)))
    spend = float(M @ fa)
    if spend > R and spend > 0:  # solver tolerance: scale back into the budget
        fa = fa * (R / spend)
        f = dict(zip(names, map(float, fa)))
    value = _value(funcs, M, fa)
    method = {"exact": "exact", "heuristic": "heuristic"}.get(result.solver, result.solver)
    if isinstance(model, pyo.ConcreteModel) and hasattr(model, "_coopt_delta"):
        method = "pwl-milp"
        bound = pwl_bound(result, value)
        if bound is not None:
            result.messages.append(f"PWL MILP optimum {bound:.10g} is an upper bound on v(S); its f has true value "
                                   f"{value:.10g} (gap {result.gap:.2e})")
    elif isinstance(model, pyo.ConcreteModel):
        method = f"nlp-{result.solver}"
        bound = result.bound
        result.objective = value  # the point re-evaluated with the true F (and moved into the budget)
        result.gap = relative_gap(value, bound) if bound is not None else None
        _check_nlp_claim(result, M, R, funcs, cap)
        bound = result.bound
        if result.solver == "ipopt":
            result.messages.append("Ipopt: a local optimum from the chosen start, no global claim")
    else:
        bound = result.bound
    return {"f": f, "value": value, "bound": bound, "method": method}


EXACT_CHECK_MAX = 10  # players up to which the exact method's value checks a solver's bound (2^10 subsets)


def _check_nlp_claim(result: Any, M: np.ndarray, R: float, funcs: list, cap: float | None = None) -> None:
    """A global solver's claim on (1), checked against what coopt knows: the gap from the re-evaluated
    objective, and the bound against feasible values -- the heuristic B.1 allocation, and for small
    coalitions the exact method's optimum (its f is feasible; a few milliseconds at 5 players). With the
    option ``cap`` both points are first clipped to the cap (still feasible: they spend less)."""
    from coopt.solve.result import TimeLimitReached, Tolerances, check_bound, downgrade

    def clip(f: np.ndarray) -> np.ndarray:
        return f if cap is None else np.minimum(f, cap * R / np.asarray(M, float))

    heuristic = _value(funcs, M, clip(heuristic_allocation(M, R, funcs)))
    check_bound(result, heuristic, maximize=True, source="the heuristic B.1 value (feasible)", rel_tol=1e-9)
    if result.bound is not None and len(funcs) <= EXACT_CHECK_MAX:
        from coopt.formulations.vaccine.knapsack import solve_arrays

        try:
            sol = solve_arrays(M, np.zeros(len(M)) + R / len(M), funcs, tuple(map(str, range(len(M)))),
                               time_limit=5.0)
            exact = float(sol.v[-1]) if cap is None else _value(funcs, M, clip(np.asarray(sol.f[-1], float)))
            check_bound(result, exact, maximize=True, source="the exact method's feasible value", rel_tol=1e-9)
        except TimeLimitReached:
            pass
    if result.status == Status.OPTIMAL:
        tol = Tolerances.from_options(result.options)
        if result.gap is None:
            downgrade(result, "not certified: no bound on v(S)")
        elif result.gap > tol.gap:
            downgrade(result, f"not certified: gap {result.gap:.2e} of the re-evaluated objective > {tol.gap:.1e}")


def closed_form(instance: Any, coalition: Any = None, start: Any = None, pieces: Any = None,
                **_: Any) -> dict[str, float]:
    """Theorem 2 (identical return functions F in S): (a) R(S) < f~ min_S M_i: everything to the smallest
    player, f_k = R(S)/M_k; (c) R(S) >= f~ sum_S M_i: pro rata, f_i = R(S)/sum_S M_i. Nothing is claimed
    in between (nor for different F_i). ``start`` and ``pieces`` do not change Problem (1): covered."""
    idx = _coalition(instance, coalition)
    names = [instance.names[i] for i in idx]
    funcs = [instance.functions[i] for i in idx]
    M = np.asarray(instance.M[idx], float)
    R = float(np.sum(instance.r[idx]))
    F = funcs[0]
    grid = np.linspace(0.0, min(1.0, F.u), 65)
    base = np.asarray(F.F(grid), float)
    for fn in funcs[1:]:
        if not (np.allclose(fn.F(grid), base, rtol=1e-12, atol=1e-15) and fn.u == F.u):
            raise NotApplicable("Theorem 2 is for identical return functions; the players of S have different F_i")
    ft = float(F.f_tilde)
    if R < ft * M.min():  # (a): the smallest player gets everything (ties: any smallest one, same value)
        k = int(np.argmin(M))
        value = float(M[k] * F.F(R / M[k]) + (M.sum() - M[k]) * F.F(0.0))
        return {"objective": value}
    if R >= ft * M.sum():  # (c): pro rata (F is constant beyond its cap u)
        share = R / M.sum()
        ref = {"objective": float(M.sum() * F.F(min(share, F.u)))}
        if share <= F.u:
            ref.update({f"f[{nm}]": float(share) for nm in names})
        return ref
    raise NotApplicable(f"R(S) = {R:.6g} lies strictly between Theorem 2's cases (a) R < f~ min M = "
                        f"{ft * M.min():.6g} and (c) R >= f~ sum M = {ft * M.sum():.6g}")


#: The model in LaTeX as coded (the docs page and `coopt show vaccine.allocation` print it).
MATH = r"""
The resource allocation of a coalition $S$ (option `coalition`, default the grand coalition $N$): players
$i\in S$ of size $M_i$ (inhabitants) with resources $r_i$ (doses), $R(S)=\sum_{i\in S}r_i$, and S-shaped
return functions $F_i$ (fraction of the population that escapes infection, per unit of $f_i$ = doses as a
fraction of $M_i$). Problem (1), the S-curve knapsack:

$$
v(S)=\max_{f}\ \sum_{i\in S}M_i\,F_i(f_i)\qquad\text{s.t.}\quad \sum_{i\in S}f_i\,M_i\ \le\ R(S),\qquad f_i\ge0 .
\tag{1}
$$

Return functions (`return_function.type`): logistic $F(f)=\frac{1}{1+e^{-af+b}}$; Ginsberg $F(f)=e^{\,a-b/f}$
($F(0)=0$); SIR, eq. (24), with Lambert's $W$ (principal branch) and $s_\tau=S(\tau)/M$ from the ODE,

$$
F(f)=-\frac{1}{\sigma}\,W\!\Big[-\sigma(1-i_0)\Big(1-\frac{f}{s_\tau}\Big)e^{-\sigma(1-f)}\Big]+\ell\,f,\qquad
\ell=\begin{cases}s_\tau & \text{\texttt{variant: paper}, eq. (24) as printed}\\ 1 & \text{\texttt{variant:
A}}\end{cases}
\tag{24}
$$

(variant `B` uses $-\frac1\sigma W[-\sigma(1-i_0)(1-f)e^{-\sigma(1-fs_\tau)}]+f s_\tau$), capped at $u$ where
$F$ stops increasing (free disposal; see [the errata](../papers/vaccine.md#erratum-eq24)).

Four formulations under one name:

**`exact-kkt`** (native, solver `exact`): KKT enumeration — at an optimum $F_i'(f_i)=\lambda$ for every
active player below its cap and at most one active player is on its convex branch; every such configuration
is tabulated over $\lambda$, the best is polished by Newton's method, and `bound` is a certified upper bound
on $v(S)$ ([derivation](../derivations/vaccine.md#exact-kkt)).

**`heuristic-b1`** (native, solver `heuristic`): Appendix B.1 — sort by $D_{F_i}(\tilde f_i)$, fill
$\tilde f_i$ in that order (or everyone $\tilde f_i$ plus the surplus pro rata), then the superadditivity
repair $v^H(S)\leftarrow\max\{v^H(S),\,v^H(K)+v^H(S\setminus K)\}$; status `feasible`, no bound.

**`nlp`** (Pyomo; `ipopt` local from `start`, `scip` global): (1) as written, with bounds
$\underline f_i\le f_i\le\min\big(u_i,\max(R(S)/M_i,\underline f_i)\big)$ ($\underline f_i=10^{-9}$ for Ginsberg,
where $F$ is undefined at $0$; else $0$) and the
budget row scaled by $\sum_{i\in S}M_i$ (`budget`). For SIR players the Lambert $W$ is replaced by a variable
$s_i\in[0,1/\sigma_i]$ (`s`) and the final-size relation (`final_size`)

$$
s_i\,e^{-\sigma_i s_i}\ \le\ (1-i_0)\Big(1-\frac{f_i}{s_{\tau,i}}\Big)e^{-\sigma_i(1-f_i)}
\qquad\big(\text{B: }(1-i_0)(1-f_i)\,e^{-\sigma_i(1-f_i s_{\tau,i})}\big),
$$

with $F_i=s_i+\ell_i f_i$ in the objective ($\ell_i$ the linear coefficient above; $s_\tau$ for variant B); the row
is tight at every optimum since the objective increases
in $s_i$ and $s\,e^{-\sigma s}$ increases on $[0,1/\sigma]$.

**`pwl-milp`** (Pyomo, `highs`): each $F_i$ replaced by its interpolant on `pieces` segments (plus the
points $c_i$, $\tilde f_i$), breakpoints $0=\xi_{i,0}<\dots<\xi_{i,K_i}$, incremental form with fill fractions
$x_{ik}\in[0,1]$ (`x`) and binaries $z_{ik}$ (`z`):

$$
\begin{aligned}
\max\quad & \sum_{i\in S}M_i\Big(F_i(0)+\delta_i+\sum_k \big(F_i(\xi_{i,k+1})-F_i(\xi_{i,k})\big)\,x_{ik}\Big)\\
\text{s.t.}\quad & f_i=\sum_k (\xi_{i,k+1}-\xi_{i,k})\,x_{ik},\qquad x_{i,k+1}\le z_{ik}\le x_{ik},\qquad
\sum_{i\in S}\frac{M_i}{\sum_{S}M}\,f_i\le\frac{R(S)}{\sum_S M},
\end{aligned}
$$

lifted by $\delta_i\ge\max(F_i-\text{interpolant})$, so the MILP optimum is an **upper bound** on $v(S)$;
the MILP's $f$ evaluated with the true $F$ is a feasible value, and the gap between them is reported
(status `feasible` unless it closes).

The solution reports $f$ by name, `value` $=\sum_i M_iF_i(f_i)$ recomputed with the true $F_i$, `bound` and
`method`. [Derivation](../derivations/vaccine.md#knapsack).

**Option `cap`** (not in the paper; formulations `nlp` and `pwl-milp`, refused by the others): no player
receives more than the share `cap` of the coalition's resources,

$$
M_i\,f_i\le \text{cap}\cdot R(S),\qquad i\in S\qquad\text{(constraint `cap`)}.
$$

**Closed form** (Theorem 2, identical $F$ in $S$, $\tilde f$ its sweet spot): (a) $R(S)<\tilde f\min_S M_i$: all
to the smallest player, $f_k=R(S)/M_k$; (c) $R(S)\ge\tilde f\sum_S M_i$: pro rata, $f_i=R(S)/\sum_S M_i$.
Between the two, for different $F_i$, or with `cap`, the result says "closed form not applicable".
"""


PROBLEM = Problem(
    name="vaccine.allocation",
    family="vaccine",
    summary="S-curve knapsack of a coalition, Problem (1): exact KKT, PWL MILP bound, NLP, heuristic B.1",
    paper="Westerink-Duijzer, Schlicher & Musegaas (2019), Section 3.1, Problem (1); App. B.1; App. C.1 eq. (24)",
    equations="(1), (4), (24)",
    options={
        "coalition": Option("list[str]", None, "members of S (comma list of names); default the grand coalition"),
        "start": Option(str, "pro-rata", "NLP start: pro-rata, heuristic or zero",
                        choices=("pro-rata", "heuristic", "zero")),
        "pieces": Option(int, 32, "PWL MILP: segments per player", low=1, high=1000),
        "cap": Option(float, None, "largest share of R(S) one player may receive, M_i f_i <= cap R(S) "
                      "(default: none; formulations nlp and pwl-milp)", low=0, high=1, low_inclusive=False),
    },
    formulations=(
        Formulation("exact-kkt", "native", "NCNLP", build_exact, "KKT enumeration, global with certificate",
                    method="exact"),
        Formulation("heuristic-b1", "native", "NCNLP", build_heuristic, "Appendix B.1 heuristic + repair",
                    method="heuristic"),
        Formulation("nlp", "pyomo", "NCNLP", build_nlp, "declarative Problem (1) (Ipopt local, SCIP global)"),
        Formulation("pwl-milp", "pyomo", "MILP", build_milp, "piecewise-linear MILP upper bound (HiGHS)"),
    ),
    solution=solution,
    closed_form=closed_form,
    default_solver="exact",
    math=MATH,
    example={"data": "vaccine/example-3", "solver": "exact"},
)


__all__ = ["PROBLEM", "build_exact", "build_heuristic", "build_milp", "build_nlp", "heuristic_allocation",
           "heuristic_game_values", "heuristic_values", "solution"]
