"""Your own model without forking: build a problem's model, edit it, solve it through coopt.

    model = coopt.build("itinfra.coordinator", inst, j=5)     # a Pyomo ConcreteModel (or a CVXPY Problem)
    model.cap = pyo.Constraint(expr=model.G <= 2.0)             # any Pyomo / CVXPY edit
    res = coopt.solve(model, solver="ipopt")                    # the usual Result: gap, KKT residual, ...
    res2 = coopt.solve(res.model, solver="highs")               # re-solve the kept model

``build`` stamps the model with what coopt needs to solve it (``Stamp``: the problem, the
formulation, its declared problem class, the instance and options, and a fingerprint of the model
as built). ``solve`` reads the class from the stamp (``problem_class=`` overrides it; an
unstamped model needs it) and **checks it against the model's structure**: a model that was
changed since it was built (or has no stamp) is classified from its objective and constraints
(linear, quadratic with a convexity test of the Hessian, general nonlinear, integer variables), and
if that is more than the declared class (a quadratic constraint added to a QP, an integer variable
added to an LP) the solve is refused with an ``coopt.errors.InputError`` (exit 2) that names
the class to pass. coopt never upgrades the class silently: whether a non-convex model should be
solved locally (Ipopt) or globally (SCIP) is the user's choice.

A changed model is not the model the paper's closed form describes: its result carries
``closed_form_error = None`` and the message "closed form not applicable: the model was changed
...", and the problem's ``solution()`` summary (written for the model as built) is not computed
(the variable values are in ``result.values``). An unchanged stamped model gets both, as from
``coopt.run``.

Warm start: ``Result.model`` is the solved model, its variables at the solution. Ipopt and SCIP start
from the variables' current values; a CVXPY problem keeps its compiled form between solves (its
``Parameter`` values may change); HiGHS re-solves from scratch through this path (use
``coopt.solve.persistent.PersistentSolve`` for HiGHS re-solves that keep the model in HiGHS).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coopt.errors import InputError
from coopt.formulations.base import PROBLEM_CLASSES, Formulation, Problem

if TYPE_CHECKING:
    from coopt.data.base import Instance
    from coopt.solve.result import Result

STAMP = "_coopt_stamp"


@dataclass
class Stamp:
    """What coopt needs to solve a model it built: the problem, the formulation, the declared class, the
    instance and options (for the problem's solution summary and closed form) and a fingerprint of
    the model as built (to tell whether it was changed since)."""

    problem_class: str
    problem: str = ""
    formulation: str = ""
    instance: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""


def stamp_of(model: Any) -> Stamp | None:
    """The stamp ``build`` (or ``coopt.run``) put on ``model``, or None."""
    st = getattr(model, STAMP, None)
    return st if isinstance(st, Stamp) else None


def put_stamp(model: Any, stamp: Stamp) -> Any:
    """Attach ``stamp`` to ``model`` (a plain attribute: it survives Pyomo's ``clone()``)."""
    setattr(model, STAMP, stamp)
    return model


# ----------------------------------------------------------------------------- fingerprint


def fingerprint(model: Any) -> str:
    """A hash of a model's structure and data (not of its variable values): its objective and
    constraints, variable bounds, domains and fixings, and every parameter's value. Two models with
    the same fingerprint are the same optimization problem; solving does not change it."""
    from coopt.solve import layer_of

    layer = layer_of(model)
    h = hashlib.sha256()
    if layer == "pyomo":
        _pyomo_fingerprint(model, h)
    elif layer == "cvxpy":
        h.update(str(model).encode())
        for p in model.parameters():
            h.update(f"{p.name()}={_array_text(p.value)}".encode())
    else:
        h.update(f"native:{model.name}:{id(model.run)}".encode())
    return h.hexdigest()


def _array_text(x: Any) -> str:
    import numpy as np

    return "None" if x is None else np.asarray(x, dtype=float).tobytes().hex()


def _pyomo_fingerprint(model: Any, h: Any) -> None:
    import pyomo.environ as pyo

    def put(*parts: Any) -> None:
        h.update(("|".join(map(str, parts)) + "\n").encode())

    for v in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        put("var", v.name, v.lb, v.ub, v.domain.name if hasattr(v.domain, "name") else v.domain,
            v.fixed, v.value if v.fixed else "")
    for p in model.component_objects(pyo.Param, descend_into=True):
        for key, val in p.items():  # immutable Params hold plain numbers, mutable ones ParamData
            put("param", p.name, key, pyo.value(val, exception=False))
    for e in model.component_data_objects(pyo.Expression, active=True, descend_into=True):
        put("expr", e.name, e.expr)
    for o in model.component_data_objects(pyo.Objective, active=True, descend_into=True):
        put("obj", o.name, o.sense, o.expr)
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        put("con", c.name, c.expr)


# ----------------------------------------------------------------------------- structure check

#: declared class -> the structural classes it contains (a declared class may be more general)
_CONTAINS = {
    "LP": {"LP"},
    "QP": {"LP", "QP"},
    "NLP": {"LP", "QP", "NLP"},
    "NCNLP": {"LP", "QP", "NLP", "NCNLP"},
    "SOCP": {"LP", "QP", "SOCP"},
    "CONE": {"LP", "QP", "SOCP", "CONE"},
    "MILP": {"LP", "MILP"},
    "MIQP": {"LP", "QP", "MILP", "MIQP"},
    "MINLP": {"LP", "QP", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"},
}
_MAX_HESSIAN = 3000  # convexity of a quadratic is tested up to this many variables (else taken on trust)


@dataclass(frozen=True)
class Structure:
    """The smallest problem class that describes a model, with the reason (the component that needs it)."""

    problem_class: str
    reason: str = ""


def structure(model: Any) -> Structure:
    """Classify a Pyomo or CVXPY model from its objective and constraints (see the module text)."""
    from coopt.solve import layer_of

    layer = layer_of(model)
    if layer == "pyomo":
        return _pyomo_structure(model)
    if layer == "cvxpy":
        return _cvxpy_structure(model)
    raise InputError("a native model's class cannot be read from it: pass problem_class=")


def _quadratic_sign(expr: Any) -> str:
    """'convex', 'concave', 'indefinite' or 'linear' for a quadratic Pyomo expression (numeric Hessian)."""
    import numpy as np
    from pyomo.repn.standard_repn import generate_standard_repn

    repn = generate_standard_repn(expr, quadratic=True, compute_values=True)
    if not repn.quadratic_vars:
        return "linear"
    pos: dict[int, int] = {}
    for a, b in repn.quadratic_vars:
        pos.setdefault(id(a), len(pos))
        pos.setdefault(id(b), len(pos))
    if len(pos) > _MAX_HESSIAN:
        return "unknown"
    Q = np.zeros((len(pos), len(pos)))
    for (a, b), c in zip(repn.quadratic_vars, repn.quadratic_coefs):
        i, j = pos[id(a)], pos[id(b)]
        if i == j:
            Q[i, i] += 2 * float(c)
        else:
            Q[i, j] += float(c)
            Q[j, i] += float(c)
    eig = np.linalg.eigvalsh(Q)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(eig))))
    if eig.min() >= -tol:
        return "convex"
    if eig.max() <= tol:
        return "concave"
    return "indefinite"


def _pyomo_structure(model: Any) -> Structure:
    import pyomo.environ as pyo

    integer = next((v.name for v in model.component_data_objects(pyo.Var, active=True, descend_into=True)
                    if not v.fixed and (v.is_integer() or v.is_binary())), None)
    nonlinear = quadratic_con = nonconvex = ""
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        deg = c.body.polynomial_degree() if hasattr(c.body, "polynomial_degree") else 0
        if deg is None:
            nonlinear = nonlinear or f"constraint {c.name} is nonlinear"
        elif deg == 2:
            quadratic_con = quadratic_con or f"constraint {c.name} is quadratic"
            sign = _quadratic_sign(c.body)
            lb, ub = c.lower, c.upper
            ok = ((ub is None or sign in ("convex", "linear")) and (lb is None or sign in ("concave", "linear"))
                  and not (lb is not None and ub is not None and sign != "linear"))
            if not ok and sign != "unknown":
                nonconvex = nonconvex or f"constraint {c.name} is a non-convex quadratic ({sign} body)"
        elif deg > 2:
            nonlinear = nonlinear or f"constraint {c.name} is a polynomial of degree {deg}"
    objs = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    quad_obj = ""
    for o in objs:
        deg = o.expr.polynomial_degree() if hasattr(o.expr, "polynomial_degree") else 0
        if deg is None or deg > 2:
            nonlinear = nonlinear or f"objective {o.name} is nonlinear"
        elif deg == 2:
            sign = _quadratic_sign(o.expr)
            want = "convex" if o.sense == pyo.minimize else "concave"
            if sign not in (want, "linear", "unknown"):
                nonconvex = nonconvex or f"objective {o.name} is a non-{want} quadratic"
            quad_obj = f"objective {o.name} is quadratic"
    if integer:
        if nonlinear or quadratic_con or nonconvex:
            return Structure("MINLP", f"{nonlinear or quadratic_con or nonconvex} and {integer} is integer")
        return Structure("MIQP" if quad_obj else "MILP", f"variable {integer} is integer")
    if nonconvex:
        return Structure("NCNLP", nonconvex)
    if nonlinear:
        return Structure("NLP", nonlinear)
    if quadratic_con:
        return Structure("NLP", f"{quadratic_con} (convex)")
    if quad_obj:
        return Structure("QP", quad_obj)
    return Structure("LP", "every constraint and the objective are linear")


def _cvxpy_structure(problem: Any) -> Structure:
    if not problem.is_dcp():
        raise InputError("the CVXPY problem does not follow CVXPY's DCP rules: it cannot be solved as built")
    if problem.is_mixed_integer():
        if problem.is_lp():
            return Structure("MILP", "integer variables")
        return Structure("MIQP" if problem.is_qp() else "MINLP", "integer variables")
    if problem.is_lp():
        return Structure("LP", "affine objective and constraints")
    if problem.is_qp():
        return Structure("QP", "quadratic objective, affine constraints")
    return Structure("SOCP", "conic constraints or atoms beyond a QP")


def fits(structural: str, declared: str) -> bool:
    """A model of structural class ``structural`` may be solved as ``declared``."""
    return structural in _CONTAINS.get(declared, set())


def check_class(model: Any, declared: str) -> Structure | None:
    """Refuse a model whose structure exceeds ``declared`` (InputError naming the class to pass)."""
    from coopt.solve import layer_of

    if layer_of(model) == "native":
        return None
    st = structure(model)
    if not fits(st.problem_class, declared):
        from coopt.solve.registry import capable

        need = st.problem_class
        alt = ", ".join(capable(need, (_layer(model),), installed=False)) or "none"
        raise InputError(f"the model is not a {declared}: {st.reason}; solve it with problem_class="
                         f"'{need}' (solvers: {alt})" + (" or a larger class" if need != "MINLP" else ""))
    return st


def _layer(model: Any) -> str:
    from coopt.solve import layer_of

    return layer_of(model)


# ----------------------------------------------------------------------------- build and solve


def _problem(problem: str | Problem) -> Problem:
    from coopt.problems import get_problem

    return get_problem(problem) if isinstance(problem, str) else problem


def build(problem: str | Problem, instance: Instance, formulation: str | None = None, *,
          solver: str | None = None, **options: Any) -> Any:
    """The model of ``problem`` on ``instance``, ready to edit: a Pyomo ``ConcreteModel``, a CVXPY
    ``Problem`` (or a native model), stamped for ``solve``.

    ``formulation`` names one of the problem's formulations; without it, the one ``solver`` serves,
    or else the first declarative one (Pyomo or CVXPY) in the problem's order. ``options`` are the
    problem's own options (``j=5``); solver options (``time_limit``, ...) belong to ``solve``.
    """
    from coopt.problems import check_family, pick_formulation, split_options

    prob = _problem(problem)
    if prob.run is not None:
        raise InputError(f"{prob.name} is composed of many solves: it has no single model to build "
                         f"(use coopt.run)")
    check_family(prob, instance)
    solver_opts, raw = split_options(options)
    if solver_opts:
        raise InputError(f"{', '.join(solver_opts)}: solver options belong to coopt.solve(model, ...), not build")
    opts = prob.parse_options(raw)
    if solver is not None:
        form = pick_formulation(prob, solver, formulation, opts)
    else:
        form = _default_formulation(prob, formulation, opts)
    model = form.build(instance, **opts)
    return put_stamp(model, Stamp(form.problem_class, prob.name, form.name, instance, opts, fingerprint(model)))


def _default_formulation(prob: Problem, name: str | None, opts: Mapping[str, Any]) -> Formulation:
    from coopt.problems import formulation_refusal

    if name is not None:
        cands = [f for f in prob.formulations if f.name == name]
        if not cands:
            known = ", ".join(f.name for f in prob.formulations)
            raise InputError(f"{prob.name}: unknown formulation '{name}' (known: {known})")
    else:
        cands = sorted(prob.formulations, key=lambda f: f.layer == "native")
    why = ""
    for f in cands:
        why = formulation_refusal(prob, f, opts)
        if not why:
            return f
    raise InputError(why)


def default_solver(model: Any, problem_class: str, stamp: Stamp | None) -> str:
    """The problem's default solver if it serves this model, else the first installed capable one."""
    from coopt.solve import capable, layer_of

    layer = layer_of(model)
    if stamp is not None and stamp.problem:
        from coopt.problems import get_problem
        from coopt.solve.registry import get_solver

        spec = get_solver(get_problem(stamp.problem).default_solver)
        if spec.layer == layer and problem_class in spec.classes and spec.available:
            return spec.name
    if layer == "native":
        return getattr(model, "method", "exact")
    names = capable(problem_class, (layer,))
    if not names:
        raise InputError(f"no installed solver serves a {layer} {problem_class} model")
    return names[0]


def solve(model: Any, solver: str | None = None, *, problem_class: str | None = None,
          **solver_options: Any) -> Result:
    """Solve a (possibly edited) model through coopt's solver layer: the usual ``Result`` with
    its bound, gap, primal and KKT residuals, and ``result.model`` = ``model``.

    The class is the one the stamp records (``problem_class=`` overrides it, and is needed for a
    model coopt did not build); a model changed since it was built is checked against it (see the
    module text). ``solver`` defaults to the problem's default solver when it serves the model, else
    the first installed capable one; ``solver_options``: ``time_limit``, ``gap``, ``tol``, ``max_iter``.
    """
    from coopt.solve import solve as solve_layer

    stamp = stamp_of(model)
    declared = problem_class or (stamp.problem_class if stamp is not None else "")
    if not declared:
        raise InputError("this model was not built by coopt.build: pass problem_class= (one of "
                         f"{', '.join(PROBLEM_CLASSES)})")
    if declared not in PROBLEM_CLASSES:
        raise InputError(f"problem_class = {declared!r}: must be one of {', '.join(PROBLEM_CLASSES)}")
    changed = _changed(model, stamp)
    if changed or problem_class is not None:
        check_class(model, declared)
    solver = solver or default_solver(model, declared, stamp)
    result = solve_layer(model, solver, declared, **solver_options)
    result.model = model
    if stamp is not None and stamp.problem:
        finish(result, model, stamp, changed)
    return result


def _changed(model: Any, stamp: Stamp | None) -> str:
    """Why the model is not the one coopt built ('' if it is)."""
    if stamp is None:
        return "the model was not built by coopt.build"
    if not stamp.fingerprint or fingerprint(model) != stamp.fingerprint:
        return "the model was changed after it was built"
    return ""


def finish(result: Result, model: Any, stamp: Stamp, changed: str) -> None:
    """Name the result after the stamped problem; add its solution summary and closed form (or say why not)."""
    from coopt.problems import attach_reference, call_with_options, get_problem

    prob = get_problem(stamp.problem)
    result.problem, result.formulation = prob.name, stamp.formulation
    if stamp.instance is not None:
        result.instance_hash = stamp.instance.digest()
    result.options = {**result.options, **stamp.options}
    if changed:
        if prob.solution is not None and result.status.has_solution:
            result.messages.append(f"solution summary not computed: {changed} (the problem's summary describes the "
                                   "model as built; the variables are in result.values)")
    elif result.status.has_solution and prob.solution is not None:
        result.solution = call_with_options(prob.solution, (result, model, stamp.instance), stamp.options)
    attach_reference(result, prob, stamp.instance, stamp.options, changed=changed)


def modified(model: Any, modify: Callable[[Any], Any] | None) -> tuple[Any, str]:
    """Apply ``modify`` (``fn(model)``, returning None or a model) and say whether it changed the model."""
    if modify is None:
        return model, ""
    stamp = stamp_of(model)
    before = stamp.fingerprint if stamp is not None and stamp.fingerprint else fingerprint(model)
    out = modify(model)
    if out is not None and out is not model:
        if stamp is not None:
            put_stamp(out, stamp)
        model = out
    if fingerprint(model) != before:
        return model, "the model was changed by modify="
    return model, ""


__all__ = ["Stamp", "Structure", "build", "check_class", "fingerprint", "fits", "solve", "stamp_of", "structure"]


# ----------------------------------------------------------------------------- export

#: ``coopt export --format`` -> (Pyomo's writer, the classes the format holds; None: any smooth model)
FORMATS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "lp": ("cpxlp", ("LP", "QP", "MILP", "MIQP")),
    "mps": ("mps", ("LP", "QP", "MILP", "MIQP")),
    "nl": ("nl", None),
    "gms": ("gams", None),
}


def export_model(problem: str | Problem, instance: Instance, formulation: str | None = None,
                 **options: Any) -> tuple[Any, str, str, list[str]]:
    """The Pyomo model ``coopt export`` writes: (model, problem class, formulation name, notes).

    A declarative problem exports its Pyomo formulation (``formulation`` names one; a CVXPY
    formulation is exported through the problem's Pyomo twin); a composed problem exports the model
    it declares (``Problem.export``). Anything else is an InputError naming what can be exported."""
    from coopt.problems import check_family, formulation_refusal, index, split_options

    prob = _problem(problem)
    check_family(prob, instance)
    solver_opts, raw = split_options(options)
    if solver_opts:
        raise InputError(f"{', '.join(solver_opts)}: solver options do not change an exported model")
    opts = prob.parse_options(raw)
    pyomo_forms = [f for f in prob.formulations if f.layer == "pyomo"]
    if prob.run is not None:
        if prob.export is None:
            able = [n for n, i in index().items() if "pyomo" in i.layers]
            raise InputError(f"{prob.name} is composed of many solves and declares no model to export; "
                             f"problems with a Pyomo model: {', '.join(able)}")
        model, cls, notes = prob.export(instance, **opts)
        return model, cls, "export", list(notes)
    notes: list[str] = []
    if formulation is not None:
        named = [f for f in prob.formulations if f.name == formulation]
        if not named:
            raise InputError(f"{prob.name}: unknown formulation '{formulation}' "
                             f"(known: {', '.join(f.name for f in prob.formulations)})")
        if named[0].layer != "pyomo":
            if not pyomo_forms or named[0].layer == "native":
                raise _not_exportable(prob, named[0].name)
            notes.append(f"formulation {formulation} ({named[0].layer}) exported through its Pyomo twin "
                         f"{pyomo_forms[0].name}")
            cands = pyomo_forms
        else:
            cands = named
    else:
        cands = pyomo_forms
    if not cands:
        raise _not_exportable(prob, None)
    why = ""
    for f in cands:
        why = formulation_refusal(prob, f, opts)
        if not why:
            return f.build(instance, **opts), f.problem_class, f.name, notes
    raise InputError(why)


def _not_exportable(prob: Problem, name: str | None) -> InputError:
    from coopt.problems import index

    what = f"formulation {name} of {prob.name}" if name else prob.name
    forms = [f"{f.name} ({f.layer})" for f in prob.formulations]
    able = [n for n, i in index().items() if "pyomo" in i.layers]
    return InputError(f"{what} has no Pyomo model to export (formulations: {', '.join(forms) or 'none'}); "
                      f"problems with one: {', '.join(able)}")


def write_model(model: Any, path: Any, fmt: str, problem_class: str) -> dict[str, Any]:
    """Write a Pyomo ``model`` to ``path`` in ``fmt`` (lp, mps, nl, gms) through Pyomo's writers,
    atomically (a temporary file in the same folder, renamed when complete); what was written."""
    import os
    import tempfile
    from pathlib import Path

    from coopt.solve import layer_of

    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: must be one of {', '.join(FORMATS)}")
    writer, classes = FORMATS[fmt]
    if layer_of(model) != "pyomo":
        raise InputError("only Pyomo models can be written (a CVXPY problem has no LP/MPS/NL writer here)")
    if classes is not None and problem_class not in classes:
        raise InputError(f"--format {fmt} holds linear and quadratic models only; this model is {problem_class}: "
                         "use --format nl or gms")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or f".{fmt}", dir=path.parent)
    os.close(fd)
    try:
        model.write(tmp, format=writer, io_options={"symbolic_solver_labels": True})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private; the written model is an ordinary file
        os.replace(tmp, path)
    except Exception as err:
        raise InputError(f"Pyomo's {fmt} writer refused the model: {str(err).splitlines()[0][:200]}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        for extra in (".row", ".col"):  # the nl writer's symbol files, if it left any beside the temporary
            if os.path.exists(tmp[: -len(path.suffix or '.' + fmt)] + extra):
                os.replace(tmp[: -len(path.suffix or '.' + fmt)] + extra, path.with_suffix(extra))
    import pyomo.environ as pyo

    nvar = sum(1 for _ in model.component_data_objects(pyo.Var, active=True, descend_into=True))
    ncon = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    return {"path": str(path), "format": fmt, "variables": nvar, "constraints": ncon, "bytes": path.stat().st_size}
