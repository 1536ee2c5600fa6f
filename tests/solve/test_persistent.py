"""PersistentSolve: a kept model re-solved after its Params change, certified like coopt.solve.

References: a fresh build solved by coopt.solve, the paper's closed forms, Ipopt (a second solver),
brute force for the MILP.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyomo.environ as pyo
import pytest

import coopt
from coopt.errors import InputError, SolverUnavailable
from coopt.formulations.itinfra import closed_form as cf
from coopt.formulations.itinfra import coordinator, stage2
from coopt.solve import persistent, solve
from coopt.solve.persistent import PersistentSolve
from coopt.solve.pyomo_backend import read_values
from coopt.solve.result import Status

DATA = "itinfra/paper-figure1"


@pytest.fixture(scope="module")
def inst():
    return coopt.load(DATA)


def test_re_solves_agree_with_fresh_builds_and_the_closed_form(inst):
    rng = np.random.default_rng(7)
    solve(coordinator.build(inst, j=5), "highs", "QP")  # a regular HiGHS solve first, in this process
    model = coordinator.build(inst, j=5)
    ps = PersistentSolve(model, "highs", "QP")
    assert ps.persistent
    for _ in range(12):
        new = inst.with_overrides(alpha=float(rng.uniform(0.02, 0.98)), beta=float(rng.uniform(0.5, 1.0)),
                                  kappa=float(rng.uniform(0.0, 0.5)), p=float(rng.uniform(0.5, 2.0)))
        for name, val in coordinator.params(new, j=5).items():
            getattr(model, name).set_value(val)
        r = ps.solve()
        fresh = solve(coordinator.build(new, j=5), "highs", "QP")
        assert r.status == Status.OPTIMAL and fresh.status == Status.OPTIMAL
        G = cf.total_inside(5, new.kappa, new.alpha, new.p)
        spill = new.kappa * new.beta * 5 * 5 * cf.g_out(new.kappa, new.p)  # kappa beta j (n - j) g_out
        cw = (1 + 3 * new.kappa) * G - new.alpha * new.p * G**2 + spill
        assert r.objective == pytest.approx(cw, rel=1e-9) and r.objective == pytest.approx(fresh.objective, rel=1e-9)
        assert r.values["G"] == pytest.approx(G, rel=1e-7)
        # a maximisation: the bound is above the objective, within the gap, and above the true optimum
        assert r.bound >= r.objective - 1e-12 and r.bound >= cw - 1e-9 * abs(cw)
        assert r.gap <= 1e-8 and r.primal_residual <= 1e-9 and r.kkt_residual <= 1e-8
        assert r.values == read_values(model)
        assert set(r.duals) == set(fresh.duals) and r.duals["total"] == pytest.approx(fresh.duals["total"], abs=1e-7)
        assert r.options == {"solver": "highs", "certify": "full"} and r.problem == fresh.problem


@pytest.mark.parametrize("j", [0, 2, 5, 10])
def test_stage2_re_solves_every_size(inst, j):
    """Stage 2 for a singleton structure (j = 0: G fixed), minimal, partial and grand coalitions."""
    model = stage2.build(inst, j)
    ps = PersistentSolve(model, "highs", "QP")
    for alpha, kappa in [(0.1, 0.2), (0.9, 0.45), (0.5, 0.0)]:
        model.alpha.set_value(alpha)
        model.kappa.set_value(kappa)
        r = ps.solve()
        G, g = stage2.exact_levels(j, kappa, alpha, inst.p)
        assert r.status == Status.OPTIMAL
        if j:
            assert r.values["G"] == pytest.approx(float(G), rel=1e-7)
        for v in (r.values.get("g") or {}).values():
            assert v == pytest.approx(float(g), rel=1e-7)
        ref = stage2.build_exact(inst.with_overrides(alpha=alpha, kappa=kappa), j).run()
        assert r.objective == pytest.approx(ref.objective, rel=1e-9)
        assert r.bound >= ref.objective - 1e-9 * max(1.0, abs(ref.objective))


# ----------------------------------------------------------------------------- random LPs and QPs


def random_model(seed: int, quadratic: bool, maximize: bool) -> pyo.ConcreteModel:
    """A random feasible convex LP/QP with mutable data: boxed, half-bounded and free variables;
    equality, <= and >= rows (all feasible at a known point x0)."""
    rng = np.random.default_rng(seed)
    n, m = 6, 5
    x0 = rng.uniform(-1.0, 1.0, n)
    A = np.where(rng.random((m, n)) < 0.6, rng.normal(size=(m, n)), 0.0)
    kinds = ["eq", "le", "ge", "le", "ge"]
    M = rng.normal(size=(n, n))
    Q = M @ M.T / n if quadratic else np.zeros((n, n))
    s = -1.0 if maximize else 1.0
    model = pyo.ConcreteModel(name=f"random-{seed}")
    model.I, model.R = pyo.RangeSet(0, n - 1), pyo.RangeSet(0, m - 1)
    model.c = pyo.Param(model.I, initialize=dict(enumerate(rng.normal(size=n))), mutable=True)
    model.b = pyo.Param(model.R, initialize=dict(enumerate(A @ x0 + np.where(np.array(kinds) == "le", 0.5, -0.5)
                                                       * (np.array(kinds) != "eq"))), mutable=True)
    model.shift = pyo.Param(initialize=0.0, mutable=True)
    bounds = {0: (-2, 2), 1: (-2, None), 2: (None, 2), 3: (-3, 3), 4: (-2, 2), 5: (-2, 2)}
    if not quadratic:
        bounds = {i: (-2, 2) for i in range(n)}  # an LP needs bounded variables to stay bounded
    model.x = pyo.Var(model.I, bounds=lambda _m, i: bounds[i], initialize=0.0)

    def row(mm, r):
        body = sum(float(A[r, i]) * mm.x[i] for i in mm.I if A[r, i] != 0.0)
        if isinstance(body, int):
            return pyo.Constraint.Skip
        return {"eq": body == mm.b[r], "le": body <= mm.b[r], "ge": body >= mm.b[r]}[kinds[r]]

    model.rows = pyo.Constraint(model.R, rule=row)
    quad = sum(0.5 * float(Q[i, k]) * model.x[i] * model.x[k] for i in range(n) for k in range(n) if Q[i, k])
    model.obj = pyo.Objective(expr=s * (sum(model.c[i] * model.x[i] for i in model.I) + quad + model.shift),
                              sense=pyo.maximize if maximize else pyo.minimize)
    return model


@pytest.mark.parametrize("seed, quadratic, maximize", [(s, q, mx) for s in range(3) for q in (False, True)
                                                       for mx in (False, True)])
def test_both_certificate_kernels_agree_and_the_bound_bounds(monkeypatch, seed, quadratic, maximize):
    cls = "QP" if quadratic else "LP"
    certs = {}
    for name, small in [("lists", 10**9), ("arrays", 0)]:
        monkeypatch.setattr(persistent, "SMALL", small)
        model = random_model(seed, quadratic, maximize)
        ps = PersistentSolve(model, "highs", cls)
        rng = np.random.default_rng(100 + seed)
        results = []
        for _ in range(4):
            for i in model.I:
                model.c[i].set_value(float(rng.normal()))
            model.shift.set_value(float(rng.normal()))
            results.append(ps.solve())
        certs[name] = results
        # the optimum by a second solver (Ipopt on the same data) lies between objective and bound
        last = results[-1]
        ref = solve(model, "ipopt", cls)
        assert ref.status == Status.OPTIMAL and last.status == Status.OPTIMAL, last.messages
        sign = -1.0 if maximize else 1.0
        assert sign * (last.bound - ref.objective) <= 1e-7 * max(1.0, abs(ref.objective))  # a bound bounds
        assert abs(last.objective - ref.objective) <= 1e-6 * max(1.0, abs(ref.objective))
    for a, b in zip(certs["lists"], certs["arrays"]):
        assert a.status == b.status
        for field in ("objective", "bound", "gap", "primal_residual", "kkt_residual"):
            x, y = getattr(a, field), getattr(b, field)
            assert x == pytest.approx(y, rel=1e-9, abs=1e-12), field


def test_the_changed_params_update_equals_pyomos_full_update(inst):
    """Only the coefficients of changed Params are re-sent: HiGHS must end up with the same model
    as after Pyomo's update_parameters() of every coefficient."""
    rng = np.random.default_rng(3)
    models = [coordinator.build(inst.with_overrides(g_max=5.0), j=6) for _ in range(2)]
    solvers = [PersistentSolve(m, "highs", "QP") for m in models]
    for s in solvers:
        s.solve()
    ours = solvers[0]._highs
    assert ours.updates != ours.opt.update_parameters  # the selective updater is in use
    names = ["alpha", "beta", "kappa", "p", "g_out", "g_max", "n"]
    for _ in range(15):
        changed = rng.choice(names, size=int(rng.integers(1, 4)), replace=False)
        for name in changed:
            special = {"n": float(rng.integers(6, 12)), "g_max": float(rng.uniform(0.5, 5.0))}
            val = special.get(name, float(rng.uniform(0.05, 0.5)))
            for m in models:
                getattr(m, name).set_value(val)
        ours.updates()
        solvers[1]._highs.opt.update_parameters()
        a, b = (s._highs.arrays.h.getModel() for s in solvers)
        for part in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
            np.testing.assert_array_equal(getattr(a.lp_, part), getattr(b.lp_, part), err_msg=part)
        assert a.lp_.offset_ == b.lp_.offset_
        np.testing.assert_array_equal(a.lp_.a_matrix_.value_, b.lp_.a_matrix_.value_)
        np.testing.assert_array_equal(a.hessian_.value_, b.hessian_.value_)
        r0, r1 = solvers[0].solve(), solvers[1].solve()
        assert r0.objective == pytest.approx(r1.objective, rel=1e-12)


# ----------------------------------------------------------------------------- statuses, options, certify levels


def lp_model() -> pyo.ConcreteModel:
    """min x + y  s.t.  x + y >= lo,  0 <= x <= cap,  0 <= y <= 1: optimum lo if lo <= cap + 1."""
    m = pyo.ConcreteModel(name="lp")
    m.lo = pyo.Param(initialize=1.0, mutable=True)
    m.cap = pyo.Param(initialize=1.0, mutable=True)
    m.x = pyo.Var(bounds=(0, m.cap))
    m.y = pyo.Var(bounds=(0, 1))
    m.floor = pyo.Constraint(expr=m.x + m.y >= m.lo)
    m.obj = pyo.Objective(expr=m.x + m.y)
    return m


def test_infeasible_points_then_recovery_and_the_fast_path():
    m = lp_model()
    ps = PersistentSolve(m, "highs", "LP")
    seen = []
    for lo, cap in [(0.5, 1.0), (3.0, 1.0), (1.5, 1.0), (2.5, 2.0), (5.0, 2.0)]:
        m.lo.set_value(lo)
        m.cap.set_value(cap)
        r = ps.solve()
        seen.append(r.status)
        if r.status.has_solution:
            assert r.objective == pytest.approx(lo) and r.bound == pytest.approx(lo) and r.gap <= 1e-9
        else:
            assert r.objective is None and r.bound is None and r.values == {}
    assert seen == [Status.OPTIMAL, Status.INFEASIBLE, Status.OPTIMAL, Status.OPTIMAL, Status.INFEASIBLE]
    assert ps._highs.arrays is not None  # fast path after the first solution


def test_unbounded():
    m = pyo.ConcreteModel(name="unbounded")
    m.c = pyo.Param(initialize=1.0, mutable=True)
    m.x = pyo.Var(bounds=(0, None))
    m.obj = pyo.Objective(expr=m.c * m.x, sense=pyo.maximize)
    ps = PersistentSolve(m, "highs", "LP")
    assert ps.solve().status in (Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED)
    m.c.set_value(-1.0)
    r = ps.solve()
    assert r.status == Status.OPTIMAL and r.objective == pytest.approx(0.0)


def test_certify_levels_say_what_was_computed(inst):
    levels = {}
    for level in ("full", "primal", "none"):
        model = coordinator.build(inst, j=4)
        ps = PersistentSolve(model, "highs", "QP", certify=level)
        ps.solve()
        model.alpha.set_value(0.7)
        levels[level] = ps.solve()
    full, primal, none = levels["full"], levels["primal"], levels["none"]
    assert [r.options["certify"] for r in (full, primal, none)] == ["full", "primal", "none"]
    assert all(r.status == Status.OPTIMAL for r in (full, primal, none))
    assert full.objective == pytest.approx(primal.objective, rel=1e-12) == pytest.approx(none.objective, rel=1e-9)
    assert full.bound is not None and full.gap is not None and full.kkt_residual is not None
    assert primal.bound is None and primal.gap is None and primal.kkt_residual is None
    assert primal.primal_residual is not None and none.primal_residual is None
    with pytest.raises(InputError, match="certify = 'some'"):
        PersistentSolve(model, "highs", "QP", certify="some")


def test_options_are_checked_and_translated(inst):
    model = coordinator.build(inst, j=5)
    with pytest.raises(InputError, match="unknown solver option 'iters'"):
        PersistentSolve(model, "highs", "QP", iters=3)
    with pytest.raises(SolverUnavailable, match="cannot solve a NCNLP"):
        PersistentSolve(model, "highs", "NCNLP")
    ps = PersistentSolve(model, "highs", "QP", max_iter=1)
    for alpha in (0.3, 0.6):
        model.alpha.set_value(alpha)
        r = ps.solve()
        assert r.status == Status.ITERATION_LIMIT and r.options["max_iter"] == 1.0


@pytest.mark.parametrize("cert, status, why", [
    (dict(primal=1e-3, primal_rel=1e-3, kkt=0.0, bound=1.0), Status.NUMERICAL_ERROR, "primal residual"),
    (dict(primal=0.0, primal_rel=0.0, kkt=1e-3, bound=1.0), Status.FEASIBLE, "KKT residual"),
    (dict(primal=0.0, primal_rel=0.0, kkt=0.0, bound=None), Status.FEASIBLE, "no bound"),
    (dict(primal=0.0, primal_rel=0.0, kkt=0.0, bound=1.01), Status.FEASIBLE, "gap 1.00e-02"),
    (dict(primal=0.0, primal_rel=0.0, kkt=0.0, bound=1.0 + 1e-9), Status.OPTIMAL, None),
])
def test_the_status_follows_the_certificate(cert, status, why):
    from coopt.solve.result import Result

    c = persistent._Certificate()
    c.objective = 1.0
    for k, v in cert.items():
        setattr(c, k, v)
    r = Result(problem="p", status=Status.OPTIMAL, solver="highs")
    persistent._fill(r, c, {}, "full")
    assert r.status == status
    assert (why is None and not r.messages) or why in r.messages[-1]
    loose = Result(problem="p", status=Status.OPTIMAL, solver="highs")
    persistent._fill(loose, c, {"tol": 0.1, "gap": 0.1}, "full")  # a requested tolerance loosens the checks
    assert loose.status == (Status.FEASIBLE if cert["bound"] is None else Status.OPTIMAL)


def test_a_milp_takes_highs_bound_and_matches_brute_force():
    w, v = [3, 4, 5, 6, 2], [4, 5, 7, 8, 2]
    m = pyo.ConcreteModel(name="knapsack")
    m.cap = pyo.Param(initialize=5.0, mutable=True)
    m.x = pyo.Var(range(5), domain=pyo.Binary)
    m.w = pyo.Constraint(expr=sum(w[i] * m.x[i] for i in range(5)) <= m.cap)
    m.obj = pyo.Objective(expr=sum(v[i] * m.x[i] for i in range(5)), sense=pyo.maximize)
    ps = PersistentSolve(m, "highs", "MILP")
    for cap in (5, 9, 12, 20):
        m.cap.set_value(cap)
        r = ps.solve()
        best = max(sum(v[i] for i in s) for k in range(6) for s in itertools.combinations(range(5), k)
                   if sum(w[i] for i in s) <= cap)
        assert r.status == Status.OPTIMAL and r.objective == pytest.approx(best)
        assert r.bound >= best - 1e-6 and r.kkt_residual is None and r.primal_residual <= 1e-9


def test_other_solvers_re_solve_the_kept_model_through_coopt_solve(inst):
    model = coordinator.build(inst, j=3)
    ps = PersistentSolve(model, "ipopt", "QP")
    assert not ps.persistent
    model.alpha.set_value(0.25)
    r = ps.solve()
    fresh = solve(coordinator.build(inst.with_overrides(alpha=0.25), j=3), "ipopt", "QP")
    assert r.status == fresh.status == Status.OPTIMAL
    assert r.objective == pytest.approx(fresh.objective, rel=1e-9) and r.options["certify"] == "full"


def test_structural_edits_need_reset_or_the_full_path(inst):
    for fast in (True, False):
        model = coordinator.build(inst, j=4)
        ps = PersistentSolve(model, "highs", "QP", fast=fast)
        free = ps.solve().values["G"]
        model.cap = pyo.Constraint(expr=model.G <= free / 2)  # a new constraint: a structural edit
        if fast:
            ps.reset()
        r = ps.solve()
        assert r.status == Status.OPTIMAL and r.values["G"] == pytest.approx(free / 2, rel=1e-9)


def test_a_translation_that_disagrees_with_pyomo_falls_back_to_coopt_solve(inst, monkeypatch):
    monkeypatch.setattr(persistent._Arrays, "matches_pyomo", lambda self, model, objective: False)
    model = coordinator.build(inst, j=4)
    ps = PersistentSolve(model, "highs", "QP")
    r = ps.solve()
    assert not ps.persistent and r.status == Status.OPTIMAL and "differ" in r.messages[-1]
    model.alpha.set_value(0.8)
    assert ps.solve().objective == pytest.approx(solve(coordinator.build(inst.with_overrides(alpha=0.8), j=4),
                                                       "highs", "QP").objective, rel=1e-9)
