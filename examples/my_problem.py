"""Template: a problem of your own, registered with coopt without forking it.

This file defines ``PROBLEM``: the itinfra coordinator's welfare (Guo, Liu & Nault 2024, eq. (3))
with a spending budget on the coalition, p G <= B. The model is coopt's own coordinator, built by
its builder, plus one Pyomo constraint; the closed form is the unconstrained optimum clipped at the
budget. Use it as a starting point for yours:

* from the command line, name the file before the command::

      coopt --problem-file examples/my_problem.py list
      coopt --problem-file examples/my_problem.py solve mine.budget_coordinator \\
            --data itinfra/paper-figure1 --set j=5 --set budget=1.5
      coopt --problem-file examples/my_problem.py compare mine.budget_coordinator \\
            --data itinfra/paper-figure1 --set j=5 --set budget=1.5

* from Python, ``coopt.problems.register(PROBLEM)`` (or ``coopt.problems.load_problem_file(path)``);
* from an installed package, an entry point in its ``pyproject.toml``::

      [project.entry-points."coopt.problems"]
      budget_coordinator = "my_package.my_problem:PROBLEM"

Conventions (DEVELOPERS.md): every function takes ``**options`` so that a new option never breaks
it; a builder honours the options it names; the closed form covers the options it names (coopt
reports "closed form not applicable" for any other option set, and for a model edited after it was
built); ``math`` is the model in LaTeX that ``coopt show`` prints.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.formulations.itinfra.coordinator import build as build_coordinator


def build(inst: Any, j: int, budget: float | None = None, **_: Any) -> pyo.ConcreteModel:
    """coopt's coordinator QP for a size-j coalition, plus the budget row p G <= B."""
    m = build_coordinator(inst, j=j)
    m.name = "mine.budget_coordinator"
    if budget is not None:
        m.B = pyo.Param(initialize=budget, mutable=True, doc="the coalition's budget B")
        m.budget = pyo.Constraint(expr=m.p * m.G <= m.B, doc="spending p G at most the budget B")
    return m


def closed_form(inst: Any, j: int, budget: float | None = None, **_: Any) -> dict[str, float]:
    """CW(G) = (1+(j-2)kappa) G - alpha p G^2 + kappa beta j (n-j) g_out is concave in G: its maximiser
    G* = (1+(j-2)kappa)/(2 alpha p) (eq. 4), clipped at the budget B/p."""
    k, b, a, p, n = inst.kappa, inst.beta, inst.alpha, inst.p, inst.n
    lin = 1 + (j - 2) * k
    G = lin / (2 * a * p)
    if budget is not None:
        G = min(G, budget / p)
    if inst.g_max is not None and G / j > inst.g_max:
        raise NotApplicable(f"the bound g_max = {inst.g_max} binds")
    welfare = lin * G - a * p * G**2 + k * b * j * (n - j) * (1 - k) / (2 * p)
    return {"objective": welfare, "G": G}


def solution(result: Any, model: pyo.ConcreteModel, inst: Any, j: int, budget: float | None = None,
             **_: Any) -> dict[str, Any]:
    spend = float(pyo.value(model.p * model.G))
    return {"j": j, "spending": spend, "budget_binds": budget is not None and spend >= budget - 1e-7}


MATH = r"""
The coordinator's welfare of [`itinfra.coordinator`](itinfra.coordinator.md) with a budget $B$ on the
coalition's spending (option `budget`; none by default):

$$
\begin{aligned}
\max_{g,\,G}\quad & CW(j)=\big(1+(j-2)\kappa\big)G-\alpha p\,G^2+\kappa\beta j(n-j)\,g_{out}\\
\text{s.t.}\quad & G=\textstyle\sum_{i\le j} g_i,\qquad g_i=g_1,\qquad p\,G\le B .
\end{aligned}
$$

Closed form: $G^*=\min\big(\frac{1+(j-2)\kappa}{2\alpha p},\ B/p\big)$.
"""

PROBLEM = Problem(
    name="mine.budget_coordinator",
    family="itinfra",
    summary="The itinfra coordinator with a spending budget on the coalition (a user-defined problem)",
    paper="Guo, Liu & Nault (2024), section 4.1, plus a budget",
    equations="(3) and p G <= B",
    options={
        "j": Option(int, None, "coalition size j, 2 <= j <= n", required=True),
        "budget": Option(float, None, "the coalition's budget B on p G (default: none)"),
    },
    formulations=(Formulation("qp", "pyomo", "QP", build, "coopt's coordinator QP plus the budget row"),),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
    math=MATH,
    example={"data": "itinfra/paper-figure1", "solver": "highs", "options": {"j": 5, "budget": 1.5}},
)


if __name__ == "__main__":
    import coopt
    from coopt.problems import register

    register(PROBLEM)
    inst = coopt.load("itinfra/paper-figure1")
    free = coopt.run("mine.budget_coordinator", inst, j=5)
    tight = coopt.run("mine.budget_coordinator", inst, j=5, budget=1.5)
    for res in (free, tight):
        print(f"{res.problem} budget={res.options['budget']}: {res.status.value}, CW = {res.objective:.6f}, "
              f"closed-form error {res.closed_form_error:.1e}, {res.solution}")
        assert res.ok and res.closed_form_error < 1e-9
    assert tight.solution["budget_binds"] and tight.objective < free.objective
    other = coopt.run("mine.budget_coordinator", inst, solver="ipopt", j=5, budget=1.5)
    assert math.isclose(other.objective, tight.objective, rel_tol=1e-8)  # a second solver agrees
