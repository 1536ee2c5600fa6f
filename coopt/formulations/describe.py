"""Print a built model as a reader wants it: sets, parameters with values, variables, objective,
constraints, each with its docstring (which cites the paper's equation)."""

from __future__ import annotations

from typing import Any

from coopt.formulations.base import Formulation


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_pyomo(model: Any) -> str:
    import pyomo.environ as pyo

    lines: list[str] = []
    for s in model.component_objects(pyo.Set, descend_into=True):
        if s.parent_component() is s and not s.local_name.endswith("_index") and s.doc:
            lines.append(f"  set {s.local_name} = {list(s.data())[:10]}{' ...' if len(s) > 10 else ''}: {s.doc}")
    for p in model.component_objects(pyo.Param, descend_into=True):
        val = {k: pyo.value(v) for k, v in p.items()} if p.is_indexed() else pyo.value(p)
        mutable = " (mutable)" if p.mutable else ""
        lines.append(f"  param {p.local_name} = {_short(str(val), 120)}{mutable}: {p.doc or ''}")
    for v in model.component_objects(pyo.Var, descend_into=True):
        idx = f"[{v.index_set().local_name}]" if v.is_indexed() else ""
        first = next(iter(v.values()), None)
        if first is None:
            lines.append(f"  var {v.local_name}{idx} (empty): {v.doc or ''}")
            continue
        dom = first.domain.local_name if hasattr(first.domain, "local_name") else str(first.domain)
        lines.append(f"  var {v.local_name}{idx} in {dom}, bounds {first.bounds}: {v.doc or ''}")
    for o in model.component_objects(pyo.Objective, descend_into=True):
        sense = "maximize" if o.sense == pyo.maximize else "minimize"
        lines.append(f"  {sense} {o.local_name}: {o.doc or ''}\n      {_short(str(o.expr))}")
    for c in model.component_objects(pyo.Constraint, descend_into=True):
        items = list(c.items())
        lines.append(f"  constraint {c.local_name} ({len(items)} rows): {c.doc or ''}")
        for k, cd in items[:3]:
            lines.append(f"      [{k}] {_short(str(cd.expr), 200)}")
        if len(items) > 3:
            lines.append(f"      ... {len(items) - 3} more")
    return "\n".join(lines)


def describe(form: Formulation, model: Any) -> str:
    """Text description of ``model`` built by ``form``."""
    head = f"formulation {form.name} ({form.layer}, {form.problem_class}): {form.doc}"
    if form.layer == "pyomo":
        return head + "\n" + describe_pyomo(model)
    if form.layer == "cvxpy":
        params = ", ".join(f"{p.name()}={p.value}" for p in model.parameters())
        return head + f"\n  parameters: {params}\n  {_short(str(model), 2000)}"
    return head + f"\n  native algorithm: {_short(getattr(model, 'doc', '') or model.name)}"
