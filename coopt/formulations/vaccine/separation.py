"""Separation problem of the vaccine game: the coalition that gains most by leaving an allocation x.

problem: vaccine.separation | class: MINLP (MILP bound) | layer: Pyomo, native | solvers: exact, scip, highs

Given an allocation x of v(N) (core condition, eq. (2) of Westerink-Duijzer, Schlicher & Musegaas,
"Fair allocations for cooperation problems in vaccination", 2019, Section 3.2), find
the proper, non-empty coalition S and the allocation f of its pooled resources that maximise the
excess v(S) - x(S) -- Problem (1) with membership variables z_i::

    max   sum_i M_i F_i(f_i) z_i - sum_i x_i z_i
    s.t.  sum_i M_i f_i <= sum_i r_i z_i                       (the pooled budget of S, Problem (1))
          0 <= f_i <= z_i f_max_i,   z_i in {0, 1},   1 <= sum_i z_i <= n - 1

(f_max_i = min(u_i, R(N) / M_i): nobody can use more than every dose). x is in the core iff the
optimum is <= 0; constraint generation for the core and least core of large games calls this.

Three honest formulations (``--set x=...``, default the pro-rata allocation x_i = v(N) M_i / sum M):

* ``exact-lagrangian`` (native, solver ``exact``): the Lagrangian branch and bound of
  :mod:`coopt.formulations.vaccine.lagrangian_bb` -- a price on the budget decomposes the problem
  by player, the convex-concave structure (at most one player on its convex branch) drives the
  branching; global optimum with a certified bound.
* ``minlp`` (Pyomo, MINLP, solver ``scip``): the model above, F_i written as in vaccine.allocation
  (the SIR final-size relation implicitly, without Lambert W); F_i(f_i) z_i is linearised with
  g_i <= F_i(f_i), g_i <= z_i max F_i (the objective pushes g_i up).
* ``pwl-milp`` (Pyomo, MILP, solver ``highs``): each F_i replaced by its piecewise-linear
  interpolant on ``pieces`` segments lifted by its largest error, so the MILP optimum is an *upper
  bound* on the separation problem; the MILP's (z, f) evaluated with the true F is feasible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.errors import InputError
from coopt.formulations.base import Formulation, Option, Problem
from coopt.formulations.native import NativeModel, NativeSolution
from coopt.formulations.vaccine.allocation import _add_final_size, _pwl, pwl_bound
from coopt.solve.result import Status, relative_gap

GINSBERG_FLOOR = 1e-9  # exp(a - b/f) is undefined at f = 0: f >= this floor, and f <= floor + z f_max


# ------------------------------------------------------------------------------------ data
def _pool(instance: Any) -> Any:
    """The branch and bound's price tables for ``instance`` (cached by digest)."""
    from coopt.formulations.vaccine import lagrangian_bb as bb

    key = instance.digest()
    got = _POOLS.get(key)
    if got is None:
        got = bb.prepare(np.asarray(instance.M, float), np.asarray(instance.r, float), list(instance.functions))
        if len(_POOLS) >= 4:
            _POOLS.pop(next(iter(_POOLS)))
        _POOLS[key] = got
    return got


_POOLS: dict[str, Any] = {}


def grand_value(instance: Any, rel_tol: float = 1e-10) -> tuple[float, float]:
    """(v(N), certified upper bound) by the exact branch and bound (any number of players)."""
    from coopt.formulations.vaccine import lagrangian_bb as bb

    P = _pool(instance)
    res = bb.solve(P, members=np.ones(P.n, bool), tol=rel_tol * P.scale)
    return float(res.value), float(res.upper)


def allocation_x(instance: Any, x: Any) -> np.ndarray:
    """The allocation x from the option: ``pro-rata`` (v(N) M_i / sum M), ``equal``, ``zero``, a comma
    list of n numbers in player order, or ``name:value`` pairs (players not named get 0)."""
    names = list(instance.names)
    n = len(names)
    vals = [str(v).strip() for v in (x if isinstance(x, list | tuple) else [x] if x is not None else ["pro-rata"])]
    vals = [v for v in vals if v]
    if len(vals) == 1 and vals[0] in ("pro-rata", "equal", "zero"):
        if vals[0] == "zero":
            return np.zeros(n)
        vN = grand_value(instance)[0]
        if vals[0] == "equal":
            return np.full(n, vN / n)
        M = np.asarray(instance.M, float)
        return vN * M / M.sum()
    out = np.zeros(n)
    if all(":" in v for v in vals):
        pos = {nm: i for i, nm in enumerate(names)}
        for v in vals:
            nm, num = v.rsplit(":", 1)
            if nm.strip() not in pos:
                raise InputError(f"option 'x': unknown player {nm.strip()!r}")
            out[pos[nm.strip()]] = _number(num)
        return out
    if len(vals) != n:
        raise InputError(f"option 'x': {len(vals)} values for {n} players (give n numbers, name:value pairs, "
                         "or pro-rata / equal / zero)")
    return np.array([_number(v) for v in vals])


def _number(v: str) -> float:
    try:
        f = float(v)
    except ValueError:
        raise InputError(f"option 'x': {v!r} is not a number") from None
    if not np.isfinite(f):
        raise InputError(f"option 'x': {v!r} is not a finite number")
    return f


def _check_players(instance: Any) -> None:
    if instance.n < 2:
        raise InputError(f"vaccine.separation needs at least 2 players (a proper coalition), got {instance.n}")


# ------------------------------------------------------------------------------------ exact
def build_exact(instance: Any, x: Any = None, **_: Any) -> NativeModel:
    """The exact Lagrangian branch and bound (global optimum with a certified bound)."""
    _check_players(instance)
    xa = allocation_x(instance, x)

    def run(time_limit: float | None = None, tol: float | None = None, **__: Any) -> NativeSolution:
        from coopt.formulations.vaccine import lagrangian_bb as bb

        P = _pool(instance)
        res = bb.solve(P, x=xa, tol=(tol if tol is not None else 1e-9) * P.scale, time_limit=time_limit)
        status = {"optimal": Status.OPTIMAL, "feasible": Status.FEASIBLE}.get(res.status, Status.TIME_LIMIT).value
        if not np.isfinite(res.value):
            status = Status.TIME_LIMIT.value if res.status != "optimal" else Status.ERROR.value
        values = {"z": {nm: int(b) for nm, b in zip(instance.names, res.members)},
                  "f": {nm: float(v) for nm, v in zip(instance.names, res.f)}}
        spend = float(np.asarray(instance.M) @ res.f)
        budget = float(np.asarray(instance.r)[res.members].sum())
        return NativeSolution(status=status, objective=float(res.value), bound=float(res.upper), values=values,
                              primal_residual=max(0.0, spend - budget), messages=res.messages)

    return NativeModel(name="vaccine.separation", run=run, method="exact", doc="Lagrangian branch and bound")


# ------------------------------------------------------------------------------------ MINLP
def _fmax(instance: Any) -> dict[str, float]:
    R = float(np.sum(instance.r))
    return {nm: float(min(fn.u, R / m)) for nm, fn, m in zip(instance.names, instance.functions, instance.M)}


def build_minlp(instance: Any, x: Any = None, **_: Any) -> pyo.ConcreteModel:
    """Declarative MINLP: binary membership z, fractions f, linearised F_i(f_i) z_i (for SCIP)."""
    _check_players(instance)
    xa = allocation_x(instance, x)
    names = list(instance.names)
    funcs = dict(zip(names, instance.functions))
    M = dict(zip(names, map(float, instance.M)))
    r = dict(zip(names, map(float, instance.r)))
    fmax = _fmax(instance)
    scale = float(sum(M.values()))
    n = len(names)

    m = pyo.ConcreteModel(name="vaccine.separation")
    m.N = pyo.Set(initialize=names, ordered=True, doc="players (regions)")
    m.M = pyo.Param(m.N, initialize=M, doc="size M_i")
    m.r = pyo.Param(m.N, initialize=r, doc="resources r_i")
    m.x = pyo.Param(m.N, initialize=dict(zip(names, map(float, xa))), doc="allocation x_i")
    m.z = pyo.Var(m.N, within=pyo.Binary, doc="z_i = 1 if player i is in the coalition S")

    def fb(m: Any, i: str) -> tuple[float, float]:
        lo = GINSBERG_FLOOR if funcs[i].type == "ginsberg" else 0.0
        return lo, lo + fmax[i]

    m.f = pyo.Var(m.N, bounds=fb, initialize=lambda m, i: fb(m, i)[0], doc="fraction f_i of M_i receiving doses")
    sir = [i for i in names if funcs[i].type == "sir"]
    if sir:
        _add_final_size(m, sir, funcs, {i: 0.0 for i in names})
    top = {i: float(funcs[i].F(fmax[i])) for i in names}
    m.g = pyo.Var(m.N, bounds=lambda m, i: (0.0, top[i]), doc="g_i = F_i(f_i) z_i (escaping fraction if in S)")

    def F(m: Any, i: str) -> Any:
        fn = funcs[i]
        if fn.type == "logistic":
            return 1.0 / (1.0 + pyo.exp(-fn.a * m.f[i] + fn.b))
        if fn.type == "ginsberg":
            return pyo.exp(fn.a - fn.b / m.f[i])
        return m.s[i] + fn.slope * m.f[i]

    m.return_ = pyo.Constraint(m.N, rule=lambda m, i: m.g[i] <= F(m, i), doc="g_i <= F_i(f_i), Problem (1)")
    m.member = pyo.Constraint(m.N, rule=lambda m, i: m.g[i] <= top[i] * m.z[i], doc="g_i = 0 outside S")
    m.use = pyo.Constraint(m.N, rule=lambda m, i: m.f[i] <= fb(m, i)[0] + fmax[i] * m.z[i],
                           doc="f_i <= z_i f_max_i: only members receive doses")
    m.budget = pyo.Constraint(
        expr=sum(m.M[i] / scale * m.f[i] for i in m.N) <= sum(m.r[i] / scale * m.z[i] for i in m.N),
        doc="sum_i M_i f_i <= sum_i r_i z_i: the pooled budget of S, Problem (1)")
    m.proper = pyo.Constraint(expr=pyo.inequality(1, sum(m.z[i] for i in m.N), n - 1),
                              doc="S proper and non-empty")
    m.excess = pyo.Objective(expr=sum(m.M[i] * m.g[i] - m.x[i] * m.z[i] for i in m.N), sense=pyo.maximize,
                             doc="v(S) - x(S) for the coalition z")
    return m


# ------------------------------------------------------------------------------------ PWL MILP
def build_milp(instance: Any, x: Any = None, pieces: int = 16, **_: Any) -> pyo.ConcreteModel:
    """Piecewise-linear MILP whose optimum bounds the separation problem from above (HiGHS)."""
    _check_players(instance)
    if pieces < 1:
        raise InputError(f"option 'pieces' = {pieces}: must be >= 1")
    xa = allocation_x(instance, x)
    names = list(instance.names)
    funcs = dict(zip(names, instance.functions))
    M = dict(zip(names, map(float, instance.M)))
    r = dict(zip(names, map(float, instance.r)))
    fmax = _fmax(instance)
    tabs = {i: _pwl(funcs[i], fmax[i], pieces) for i in names}
    scale = float(sum(M.values()))
    n = len(names)

    m = pyo.ConcreteModel(name="vaccine.separation.pwl")
    m.N = pyo.Set(initialize=names, ordered=True, doc="players")
    m.K = pyo.Set(initialize=[(i, k) for i in names for k in range(len(tabs[i][0]) - 1)], dimen=2,
                  doc="segments k of player i's breakpoints")
    m.z = pyo.Var(m.N, within=pyo.Binary, doc="z_i = 1 if player i is in the coalition S")
    m.w = pyo.Var(m.K, bounds=(0, 1), doc="fill fraction of segment k (incremental form)")
    m.y = pyo.Var(m.K, within=pyo.Binary, doc="segment k is full (the next one may start)")
    m.f = pyo.Var(m.N, bounds=(0, None), doc="fraction f_i")
    width = {(i, k): float(tabs[i][0][k + 1] - tabs[i][0][k]) for (i, k) in m.K}
    rise = {(i, k): float(tabs[i][1][k + 1] - tabs[i][1][k]) for (i, k) in m.K}
    m.link = pyo.Constraint(m.N, rule=lambda m, i: m.f[i] == sum(width[i, k] * m.w[i, k]
                                                                   for (j, k) in m.K if j == i),
                            doc="f_i = sum_k width_k w_ik")

    def order(m: Any, i: str, k: int) -> Any:
        if (i, k + 1) not in width:
            return pyo.Constraint.Skip
        return m.w[i, k + 1] <= m.y[i, k]

    m.order = pyo.Constraint(m.K, rule=order, doc="segment k+1 starts only after segment k is full")
    m.full = pyo.Constraint(m.K, rule=lambda m, i, k: m.y[i, k] <= m.w[i, k], doc="y_ik = 1 only if segment k is full")
    m.first = pyo.Constraint(m.N, rule=lambda m, i: m.w[i, 0] <= m.z[i], doc="no doses outside S")
    lift = {i: float(tabs[i][1][0] + tabs[i][2]) for i in names}
    m.x = pyo.Param(m.N, initialize=dict(zip(names, map(float, xa))), doc="allocation x_i")
    m.excess = pyo.Objective(
        expr=sum(M[i] * (lift[i] * m.z[i] + sum(rise[i, k] * m.w[i, k] for (j, k) in m.K if j == i)) - m.x[i] * m.z[i]
                 for i in names),
        sense=pyo.maximize, doc="sum_i M_i (PWL_i(f_i) + delta_i) z_i - x_i z_i >= v(S) - x(S)")
    m.budget = pyo.Constraint(
        expr=sum(M[i] / scale * m.f[i] for i in names) <= sum(r[i] / scale * m.z[i] for i in names),
        doc="sum_i M_i f_i <= sum_i r_i z_i")
    m.proper = pyo.Constraint(expr=pyo.inequality(1, sum(m.z[i] for i in m.N), n - 1), doc="S proper and non-empty")
    m._coopt_delta = {i: tabs[i][2] for i in names}
    return m


# ------------------------------------------------------------------------------------ solution
def solution(result: Any, model: Any, instance: Any, x: Any = None, **_: Any) -> dict[str, Any]:
    """JSON solution: coalition (members), excess v(S) - x(S) of the returned (S, f) evaluated with the
    true F_i (a certified lower value), bound (a certified upper bound on the maximum excess), f."""
    names = list(instance.names)
    xa = allocation_x(instance, x)
    zv = result.values.get("z", {})
    z = np.array([float(zv.get(nm, 0.0) or 0.0) > 0.5 for nm in names])
    fv = result.values.get("f", {})
    f = np.array([max(0.0, float(fv.get(nm, 0.0) or 0.0)) for nm in names]) * z
    funcs = instance.functions
    M = np.asarray(instance.M, float)
    R = float(np.asarray(instance.r)[z].sum())
    spend = float(M @ f)
    if spend > R and spend > 0:  # solver tolerance: scale back into the budget
        f = f * (R / spend)
    value = float(sum(M[i] * funcs[i].F(f[i]) for i in range(len(names)) if z[i]) - xa[z].sum())
    method = result.solver
    if isinstance(model, pyo.ConcreteModel) and hasattr(model, "_coopt_delta"):
        method = "pwl-milp"
        bound = pwl_bound(result, value)
        if bound is not None:
            result.messages.append(f"PWL MILP optimum {bound:.10g} bounds the largest excess from above; its "
                                   f"(S, f) has true excess {value:.10g}")
    elif isinstance(model, pyo.ConcreteModel):
        method = f"minlp-{result.solver}"
        bound = result.bound
        result.objective = value
        result.gap = relative_gap(value, bound) if bound is not None else None
    else:
        bound = result.bound
    members = [nm for nm, b in zip(names, z) if b]
    return {"coalition": members, "size": len(members), "excess": value, "bound": bound,
            "in_core": (bound is not None and bound <= 0), "f": {nm: float(f[i]) for i, nm in enumerate(names) if z[i]},
            "x": dict(zip(names, map(float, xa))), "method": method}


MATH = r"""
The separation problem of the vaccine game: given an allocation $x$ of $v(N)$ (option `x`: `pro-rata`
— $x_i=v(N)M_i/\sum_jM_j$, the default —, `equal`, `zero`, $n$ numbers, or `name:value` pairs), the proper,
non-empty coalition $S$ that gains most by leaving, with the doses of $S$ pooled as in Problem (1).
Membership $z_i\in\{0,1\}$, fractions $f_i$, caps $f^{\max}_i=\min(u_i,R(N)/M_i)$:

$$
\begin{aligned}
\max_{z,f}\quad & \sum_{i\in N}\big(M_i\,F_i(f_i)-x_i\big)\,z_i\\
\text{s.t.}\quad & \sum_{i\in N}M_i f_i\ \le\ \sum_{i\in N}r_i z_i,\qquad 0\le f_i\le z_i f^{\max}_i,\qquad
1\le\sum_{i\in N}z_i\le n-1 .
\end{aligned}
$$

Its optimum is $\max_{\emptyset\ne S\subsetneq N}v(S)-x(S)$: $x$ is in the core iff it is $\le 0$ (eq. (2)).
Constraint generation for the core, the least core and the nucleolus of games too large for $2^n$ values
calls it as a separation oracle.

**`exact-lagrangian`** (native, solver `exact`): Lagrangian branch and bound. A price $\lambda\ge0$ on the
budget gives, for every feasible $(z,f)$ (weak duality, $y_i=M_if_i$, $h_i(y)=M_iF_i(y/M_i)$),

$$
\sum_i z_i\big(h_i(y_i)-x_i\big)\ \le\ L(\lambda)=
\max_{z\in Z}\ \sum_i z_i\Big[\max_{y\in Y_i}\big(h_i(y)-\lambda y\big)+\lambda r_i-x_i\Big],
$$

$Z$ the memberships with $1\le\sum z\le n-1$ (the inner maximum stays trivial: take the positive brackets,
drop or add the cheapest player if that gives $N$ or $\emptyset$), $Y_i$ player $i$'s doses at the node.
$L$ is convex; $\min_\lambda L$ is the node's bound. $Y_i$ is a union of pieces: idle ($y=0$), the concave
branch $[M_ic_i,M_if^{\max}_i]$ (maximum at the inverse of $F_i'$; $\Phi_i(\lambda)=\max F_i(f)-\lambda f$ is
read from tables by chords, which lie above the convex $\Phi_i$, so every table value is an upper bound) and
an interval of the convex branch (maximum at an end). Since at most one player of an optimum is strictly
inside its convex branch, branching partitions a player's pieces, gives one player the convex branch alone
and splits its interval. Feasible $(S,f)$ are evaluated with the true $F_i$; the status is optimal when the
largest open bound is within the tolerance.

**`minlp`** (Pyomo, `scip`): the model above with $g_i\le F_i(f_i)$, $g_i\le z_i\max F_i$ and objective
$\sum_iM_ig_i-x_iz_i$ (SIR players through the final-size relation of `vaccine.allocation`).

**`pwl-milp`** (Pyomo, `highs`): each $F_i$ replaced by its interpolant lifted by its largest error
$\delta_i$ (incremental form with binaries, the first segment only when $z_i=1$): the MILP optimum bounds
the separation problem from above; its $(z,f)$ evaluated with the true $F$ is feasible.

The solution reports the coalition, its excess $v(S)-x(S)$ (true $F$), `bound`, `in_core` and $f$.
"""


PROBLEM = Problem(
    name="vaccine.separation",
    family="vaccine",
    summary="Most violated coalition of an allocation x: max v(S) - x(S) with pooled resources (exact, SCIP, PWL)",
    paper="Westerink-Duijzer, Schlicher & Musegaas (2019), Section 3.2 (core, eq. 2) with Problem (1) inside each "
          "coalition",
    equations="(1), (2)",
    options={
        "x": Option("list[str]", None, "allocation: pro-rata (default), equal, zero, n numbers, or name:value pairs",
                    unique=False),
        "pieces": Option(int, 16, "PWL MILP: segments per player", low=1, high=1000),
    },
    formulations=(
        Formulation("exact-lagrangian", "native", "MINLP", build_exact,
                    "Lagrangian branch and bound, global with certificate", method="exact"),
        Formulation("minlp", "pyomo", "MINLP", build_minlp, "declarative MINLP (SCIP global)"),
        Formulation("pwl-milp", "pyomo", "MILP", build_milp, "piecewise-linear MILP upper bound (HiGHS)"),
    ),
    solution=solution,
    default_solver="exact",
    math=MATH,
    example={"data": "vaccine/example-3", "solver": "exact", "options": {"x": "0.1319,1.1,1.1"}},
)


__all__ = ["PROBLEM", "allocation_x", "build_exact", "build_milp", "build_minlp", "grand_value", "solution"]
