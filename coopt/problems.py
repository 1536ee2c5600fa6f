"""The problem registry: which problems there are, their formulations, and which solvers fit.

Layers: ``data -> formulations -> solve -> problems -> games -> experiments -> cli``. The registry
sits below the games, so a game (or an experiment) asks it which formulation a solver can serve
(``pick_formulation``) instead of re-implementing that choice, and runs problems through
``run``, the one entry point the CLI, the sweeps and the examples use: it validates the
options, refuses a solver that does not fit before solving, picks the formulation the solver can
serve, builds, solves, and attaches the problem's solution, its closed-form reference and the
distance from it.

Lazy by design. Every problem module (``PROBLEM = Problem(...)`` under ``coopt.formulations`` and
``coopt.games``) imports Pyomo or CVXPY, so listing problems never imports them: ``coopt list``
and ``coopt show`` read ``problems_index.json``, generated from the modules' metadata and
committed beside this file; a problem's module is imported only when it is built or solved
(``get_problem``). ``tests/test_problems.py`` regenerates the index and fails when it is
stale; refresh it with ``make index`` (``python -m coopt.problems --write-index``).

Problems of the user's own are added with ``register`` (they are listed and solved like the
bundled ones, without being in the index), from a file with ``load_problem_file`` (the CLI's
``coopt --problem-file my_problem.py ...``), or by an installed package through the entry-point group
``coopt.problems`` (loaded on first use of the registry; see ``load_plugins``). A file or an
entry point gives a ``Problem``, a list of them, or a module defining ``PROBLEM`` (or ``PROBLEMS``).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import math
import pkgutil
import re
import sys
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopt.errors import CooptError, InputError, SolverUnavailable
from coopt.formulations.base import ClassesAndLayers, Formulation, NotApplicable, Option, Problem, named_options
from coopt.solve.registry import SOLVERS, capable, check_installed, get_solver

if TYPE_CHECKING:
    from coopt.data.base import Instance
    from coopt.solve.result import Result

INDEX_FILE = Path(__file__).with_name("problems_index.json")
PACKAGES = ("coopt.formulations", "coopt.games")
_NAME = re.compile(r"^[A-Za-z][\w-]*\.[A-Za-z][\w-]*$")
_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}
_REGISTERED: dict[str, Problem] = {}
ENTRY_POINT_GROUP = "coopt.problems"
_FILES: dict[str, tuple[str, ...]] = {}  # resolved path of a --problem-file -> names of its problems
_PLUGINS: list[str] = []  # entry points loaded (name = value), once per process
_PLUGINS_LOADED = False


# ------------------------------------------------------------------------------------ metadata
@dataclass(frozen=True)
class FormulationInfo:
    """A formulation as the index describes it (no builder)."""

    name: str
    layer: str
    problem_class: str
    doc: str = ""
    math: str = ""
    method: str = ""  # a native formulation's method (exact / heuristic)


@dataclass(frozen=True)
class ProblemInfo(ClassesAndLayers):
    """What ``coopt list`` and ``coopt show`` need about a problem, read without importing its module."""

    name: str
    family: str
    summary: str
    paper: str
    equations: str
    module: str
    options: Mapping[str, Option]
    formulations: tuple[FormulationInfo, ...]
    composed: bool
    run_doc: str
    default_solver: str
    problem_class: str
    solvers: tuple[str, ...]  # declared (composed) or able to serve a formulation; installed or not
    math: str = ""  # the model in LaTeX/Markdown (Problem.math)
    example: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def parse_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate option values against the index (before the problem's module is imported)."""
        return Problem(self.name, self.family, self.summary, self.paper, self.equations,
                       options=self.options).parse_options(raw)


def _option_json(opt: Option) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(opt):
        val = getattr(opt, f.name)
        if isinstance(val, type):
            val = val.__name__
        elif isinstance(val, tuple):
            val = list(val)
        try:
            json.dumps(val)
        except (TypeError, ValueError):
            continue  # not describable in the index: checked when the module is loaded
        out[f.name] = val
    return out


def _option_from_json(data: Mapping[str, Any]) -> Option:
    names = {f.name for f in dataclasses.fields(Option)}
    kw = {k: (tuple(v) if isinstance(v, list) and k != "default" else v) for k, v in data.items() if k in names}
    if isinstance(kw.get("type"), str):
        kw["type"] = _TYPES.get(kw["type"], kw["type"])
    return Option(**kw)


def _run_doc(prob: Problem) -> str:
    return " ".join((prob.run.__doc__ or "").split()) if prob.run is not None else ""


def info_of(prob: Problem, module: str = "") -> ProblemInfo:
    """The index entry of a loaded problem."""
    return ProblemInfo(
        name=prob.name, family=prob.family, summary=prob.summary, paper=prob.paper, equations=prob.equations,
        module=module, options=dict(prob.options),
        formulations=tuple(FormulationInfo(f.name, f.layer, f.problem_class, f.doc, f.math, f.method)
                           for f in prob.formulations),
        composed=prob.run is not None, run_doc=_run_doc(prob), default_solver=prob.default_solver,
        problem_class=prob.problem_class, solvers=tuple(solvers_for(prob, installed=False)),
        math=prob.math.strip(), example=dict(prob.example),
    )


def _info_json(info: ProblemInfo) -> dict[str, Any]:
    return {
        "name": info.name, "family": info.family, "module": info.module, "summary": info.summary,
        "paper": info.paper, "equations": info.equations, "classes": list(info.classes),
        "layers": list(info.layers), "composed": info.composed, "problem_class": info.problem_class,
        "default_solver": info.default_solver, "solvers": list(info.solvers), "run_doc": info.run_doc,
        "formulations": [dataclasses.asdict(f) for f in info.formulations],
        "options": {k: _option_json(o) for k, o in info.options.items()},
        "example": dict(info.example), "math": info.math,
    }


def _info_from_json(d: Mapping[str, Any]) -> ProblemInfo:
    return ProblemInfo(
        name=d["name"], family=d["family"], summary=d["summary"], paper=d["paper"], equations=d["equations"],
        module=d["module"], options={k: _option_from_json(o) for k, o in d["options"].items()},
        formulations=tuple(FormulationInfo(**f) for f in d["formulations"]), composed=d["composed"],
        run_doc=d["run_doc"], default_solver=d["default_solver"], problem_class=d["problem_class"],
        solvers=tuple(d["solvers"]), math=d.get("math", ""), example=d.get("example", {}),
    )


# ------------------------------------------------------------------------------------ the index
def _check(prob: Problem, where: str) -> None:
    """A problem must be listable and solvable: checked when the index is built and on register()."""
    from coopt.solve import COMMON_OPTIONS

    if not _NAME.match(prob.name):
        raise ValueError(f"{where}: problem name {prob.name!r} must be '<family>.<name>'")
    clash = set(prob.options) & set(COMMON_OPTIONS)
    if clash:  # --set tol=... must mean one thing
        raise ValueError(f"{prob.name}: option(s) {sorted(clash)} clash with the common solver options")
    if (prob.run is None) == (not prob.formulations):
        raise ValueError(f"{prob.name}: give either formulations or a run function")
    if prob.run is not None:
        unknown = [s for s in prob.solvers if s not in SOLVERS]
        if not prob.solvers or unknown or prob.default_solver not in prob.solvers:
            raise ValueError(f"{prob.name}: a composed problem declares the solvers its run() uses "
                             f"(solvers={prob.solvers!r}, default {prob.default_solver!r}, unknown {unknown})")


def discover() -> dict[str, tuple[str, Problem]]:
    """Import every module under coopt.formulations and coopt.games: {name: (module, PROBLEM)}."""
    found: dict[str, tuple[str, Problem]] = {}
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for mod in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            prob = getattr(importlib.import_module(mod.name), "PROBLEM", None)
            if isinstance(prob, Problem):
                _check(prob, mod.name)
                if prob.name in found:
                    raise ValueError(f"problem {prob.name} registered twice ({found[prob.name][0]}, {mod.name})")
                found[prob.name] = (mod.name, prob)
    return dict(sorted(found.items()))


def build_index() -> dict[str, Any]:
    """The index as written to ``problems_index.json`` (imports every problem module)."""
    return {
        "generated_by": "python -m coopt.problems --write-index",
        "problems": [_info_json(info_of(prob, module)) for module, prob in discover().values()],
    }


def write_index(path: Path = INDEX_FILE) -> Path:
    """Regenerate ``problems_index.json`` from the problem modules."""
    path.write_text(json.dumps(build_index(), indent=1, ensure_ascii=False) + "\n")
    _bundled.cache_clear()
    return path


@functools.cache
def _bundled() -> dict[str, ProblemInfo]:
    try:
        data = json.loads(INDEX_FILE.read_text())
    except FileNotFoundError:  # a source tree without its index: build it in memory (slow, still right)
        data = build_index()
    return {d["name"]: _info_from_json(d) for d in data["problems"]}


def index() -> dict[str, ProblemInfo]:
    """Every problem's metadata by name (the bundled index plus registered problems), sorted by name."""
    load_plugins()
    out = dict(_bundled())
    out.update({name: info_of(p, "<registered>") for name, p in _REGISTERED.items()})
    return dict(sorted(out.items()))


def problem_info(name: str) -> ProblemInfo:
    """The metadata of ``name``, without importing its module; unknown names list the known ones."""
    infos = index()
    if name not in infos:
        raise InputError(f"unknown problem '{name}' (known: {', '.join(infos)})")
    return infos[name]


def register(problem: Problem) -> Problem:
    """Add a problem of the user's own to the registry (listed, shown and solved like the bundled ones)."""
    if problem.name in _bundled() or problem.name in _REGISTERED:
        raise InputError(f"problem '{problem.name}' is already registered")
    try:
        _check(problem, "register()")
    except ValueError as err:
        raise InputError(str(err)) from None
    _REGISTERED[problem.name] = problem
    return problem


def get_problem(name: str) -> Problem:
    """The problem called ``name`` (its module is imported now); unknown names list the known ones."""
    load_plugins()
    if name in _REGISTERED:
        return _REGISTERED[name]
    info = problem_info(name)
    prob = getattr(importlib.import_module(info.module), "PROBLEM", None)
    if not isinstance(prob, Problem) or prob.name != name:
        raise RuntimeError(f"{info.module} does not define problem {name}: the index is stale ({_HINT})")
    return prob


def problems() -> dict[str, Problem]:
    """Every problem by name, loaded (imports every problem module: use ``index`` to list them)."""
    load_plugins()
    out = {name: prob for name, (_, prob) in discover().items()}
    out.update(_REGISTERED)
    return dict(sorted(out.items()))


_HINT = "run `make index` or `python -m coopt.problems --write-index`"


# ------------------------------------------------------------------------------------ user problems
def _problems_in(obj: Any, where: str) -> list[Problem]:
    """The problems an entry point or a file gives: a Problem, a list of them, a module with PROBLEM or
    PROBLEMS, or a function returning one of these."""
    import types

    if isinstance(obj, types.ModuleType):
        found = getattr(obj, "PROBLEMS", None) or getattr(obj, "PROBLEM", None)
        if found is None:
            raise InputError(f"{where}: defines no PROBLEM (a coopt.formulations.base.Problem) nor PROBLEMS")
        obj = found
    if callable(obj) and not isinstance(obj, Problem):
        obj = obj()
    items = list(obj) if isinstance(obj, list | tuple) else [obj]
    bad = [type(x).__name__ for x in items if not isinstance(x, Problem)]
    if bad or not items:
        raise InputError(f"{where}: expected a Problem (or a list of them), got {', '.join(bad) or 'nothing'}")
    return items


def load_problem_file(path: str | Path) -> list[str]:
    """Register the problems a Python file defines (``PROBLEM = Problem(...)`` or ``PROBLEMS = [...]``):
    ``coopt --problem-file my_problem.py``. Loading the same file again is a no-op; errors are one-line
    InputErrors naming the file."""
    import importlib.util

    p = Path(path).expanduser()
    key = str(p.resolve()) if p.exists() else str(p)
    if key in _FILES:
        return list(_FILES[key])
    if not p.is_file():
        raise InputError(f"--problem-file {path}: no such file")
    if p.suffix != ".py":
        raise InputError(f"--problem-file {path}: expected a Python file (.py)")
    mod_name = "coopt_user_" + re.sub(r"\W", "_", p.stem) + f"_{zlib.crc32(key.encode()):08x}"
    spec = importlib.util.spec_from_file_location(mod_name, p)
    if spec is None or spec.loader is None:
        raise InputError(f"--problem-file {path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module  # dataclasses and pickling look functions up by module name
    try:
        spec.loader.exec_module(module)
    except CooptError:
        sys.modules.pop(mod_name, None)
        raise
    except Exception as err:  # the user's code: one line, never a traceback
        sys.modules.pop(mod_name, None)
        line = ""
        tb = err.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(p):
                line = f" (line {tb.tb_lineno})"
            tb = tb.tb_next
        if isinstance(err, SyntaxError):
            line = f" (line {err.lineno})"
        raise InputError(f"--problem-file {path}{line}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
                         if str(err) else f"--problem-file {path}{line}: {type(err).__name__}") from None
    names = []
    for prob in _problems_in(module, f"--problem-file {path}"):
        register(prob)
        names.append(prob.name)
    _FILES[key] = tuple(names)
    return names


def problem_files(names: Sequence[str] | None = None) -> list[str]:
    """The files loaded by ``load_problem_file`` (those defining one of ``names``, if given): a
    sweep's worker processes load them again."""
    return [f for f, defined in _FILES.items() if names is None or set(defined) & set(names)]


def load_plugins() -> None:
    """Register the problems of installed packages (entry-point group ``coopt.problems``), once per
    process. A plugin that fails to load is reported on standard error and skipped, never fatal."""
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            for prob in _problems_in(ep.load(), f"entry point {ep.name} = {ep.value}"):
                if _REGISTERED.get(prob.name) is not prob:
                    register(prob)
            _PLUGINS.append(f"{ep.name} = {ep.value}")
        except Exception as err:  # a broken plugin must not break coopt
            msg = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
            print(f"coopt: warning: problem plugin {ep.name} = {ep.value} not loaded: {msg}", file=sys.stderr)


# ------------------------------------------------------------------------------------ solvers
def _composed(problem: Problem | ProblemInfo) -> bool:
    return problem.composed if isinstance(problem, ProblemInfo) else problem.run is not None


def _native_method(f: Formulation | FormulationInfo) -> str:
    """The solver method a native formulation declares (``exact`` or ``heuristic``)."""
    return f.method


def solvers_for(problem: Problem | ProblemInfo, installed: bool = True) -> list[str]:
    """Solvers that can serve ``problem`` (one of its formulations, or its declared ones if composed)."""
    if isinstance(problem, ProblemInfo):
        return [s for s in problem.solvers if not installed or SOLVERS[s].available]
    if problem.run is not None:
        return [s for s in problem.solvers if not installed or SOLVERS[s].available]
    out: list[str] = []
    for f in problem.formulations:
        for s in capable(f.problem_class, (f.layer,), installed=installed):
            if f.layer == "native" and _native_method(f) != get_solver(s).method:
                continue
            if s not in out:
                out.append(s)
    return out


def formulation_refusal(problem: Problem, form: Formulation, options: Mapping[str, Any] | None) -> str:
    """Why ``form`` cannot take ``options`` ('' if it can): an option set to a value other than its
    default that the formulation's builder does not name (a builder honours the options its signature
    names; the ``**options`` catch-all only keeps a new option from breaking it)."""
    if not options:
        return ""
    named = named_options(form.build)
    if named is None:
        return ""
    bad = [k for k, v in options.items() if k in problem.options and k not in named
           and v != problem.options[k].default]
    if not bad:
        return ""
    takers = [f.name for f in problem.formulations
              if (nm := named_options(f.build)) is None or all(k in nm for k in bad)]
    solvers = sorted({s for f in problem.formulations if f.name in takers
                      for s in capable(f.problem_class, (f.layer,), installed=False)
                      if f.layer != "native" or _native_method(f) == get_solver(s).method})
    opts = ", ".join(f"'{k}' = {options[k]!r}" for k in bad)
    return (f"{problem.name}: formulation {form.name} does not take option {opts}; formulations that do: "
            f"{', '.join(takers) or 'none'}" + (f" (solvers: {', '.join(solvers)})" if solvers else ""))


def formulation_solvers(form: Formulation | FormulationInfo, installed: bool = False) -> list[str]:
    """Solvers that can serve one formulation (its layer and class; a native one: its method)."""
    return [s for s in capable(form.problem_class, (form.layer,), installed=installed)
            if form.layer != "native" or _native_method(form) == get_solver(s).method]


def pick_formulation(problem: Problem, solver: str, name: str | None = None,
                     options: Mapping[str, Any] | None = None) -> Formulation:
    """The formulation ``solver`` can serve (or the one called ``name``), refused before solving; with
    ``options``, one that takes them (see ``formulation_refusal``)."""
    spec = get_solver(solver)
    cands = [f for f in problem.formulations if name is None or f.name == name]
    if name is not None and not cands:
        known = ", ".join(f.name for f in problem.formulations)
        raise InputError(f"{problem.name}: unknown formulation '{name}' (known: {known})")
    refusal = ""
    for f in cands:
        if f.layer == spec.layer and f.problem_class in spec.classes:
            if f.layer == "native" and _native_method(f) != spec.method:
                continue
            refusal = formulation_refusal(problem, f, options)
            if refusal:
                continue
            return f
    if refusal:
        raise InputError(refusal)
    alt = solvers_for(problem)
    what = ", ".join(f"{f.name} ({f.layer} {f.problem_class})" for f in cands)
    raise SolverUnavailable(
        f"solver '{solver}' ({spec.layer}: {', '.join(spec.classes)}) cannot solve {problem.name} "
        f"[{what}]; try {', '.join(alt) or 'none installed'}"
    )


def check_solver(problem: Problem | ProblemInfo, solver: str) -> None:
    """Refuse, before solving, a solver that a composed problem does not declare (its run() would not
    use it), naming those that fit, and a declared one that is not installed. Declarative problems
    are checked by ``pick_formulation``."""
    get_solver(solver)
    if _composed(problem):
        if solver not in problem.solvers:
            fit = solvers_for(problem, installed=False)
            raise SolverUnavailable(
                f"solver '{solver}' cannot solve {problem.name}; solvers that fit: {', '.join(fit)}")
        check_installed(solver)


# ------------------------------------------------------------------------------------ run
def split_options(opts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(solver options: the common ones and ``solver_options``, the problem's own options)."""
    from coopt.solve import COMMON_OPTIONS

    solver_keys = (*COMMON_OPTIONS, "solver_options")  # solver_options: the solver's own, checked by its API
    solver_opts = {k: v for k, v in opts.items() if k in solver_keys and v is not None}
    return solver_opts, {k: v for k, v in opts.items() if k not in solver_keys}


def check_family(prob: Problem, instance: Instance) -> None:
    """Refuse an instance of another family than the problem's."""
    if instance.family != prob.family and instance.family not in prob.accepts:
        raise InputError(f"{prob.name} needs a '{prob.family}' instance, got family '{instance.family}'")


def call_with_options(fn: Callable[..., Any], args: tuple[Any, ...], options: Mapping[str, Any]) -> Any:
    """``fn(*args, **options)``; a function without ``**options`` gets only the options it names."""
    if named_options(fn, len(args)) is not None and not _takes_kwargs(fn):
        options = {k: v for k, v in options.items() if k in named_options(fn, len(args))}
    return fn(*args, **options)


def _takes_kwargs(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        return any(p.kind == p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True


def run(problem: str | Problem, instance: Instance, solver: str | None = None,
        formulation: str | None = None, modify: Callable[[Any], Any] | None = None, **options: Any) -> Result:
    """Solve ``problem`` on ``instance``. ``options``: the problem's own options plus the common
    solver options (time_limit, gap, tol, max_iter). ``modify(model)`` edits the built model before
    the solve (a changed model is checked against its class, and its closed form is not applicable);
    ``result.model`` keeps the solved model for ``coopt.solve``."""
    from coopt.models import Stamp, check_class, fingerprint, modified, put_stamp
    from coopt.solve import solve

    prob = get_problem(problem) if isinstance(problem, str) else problem
    check_family(prob, instance)
    solver = solver or prob.default_solver
    solver_opts, raw = split_options(options)
    opts = prob.parse_options(raw)
    t0 = time.perf_counter()
    changed = ""
    if prob.run is not None:
        if formulation is not None:
            raise InputError(f"{prob.name} is a composed problem: it has no formulation '{formulation}'")
        if modify is not None:
            raise InputError(f"{prob.name} is composed of many solves: it has no single model to modify")
        check_solver(prob, solver)
        result = prob.run(instance, solver, solver_opts, **opts)
    else:
        form = pick_formulation(prob, solver, formulation, opts)
        model = form.build(instance, **opts)
        put_stamp(model, Stamp(form.problem_class, prob.name, form.name, instance, opts, fingerprint(model)))
        model, changed = modified(model, modify)
        if changed:
            check_class(model, form.problem_class)
        result = solve(model, solver, form.problem_class, **solver_opts)
        result.formulation = form.name
        result.model = model
        if changed:
            if result.status.has_solution and prob.solution is not None:
                result.messages.append(f"solution summary not computed: {changed} (the problem's summary "
                                       "describes the model as built; the variables are in result.values)")
        elif result.status.has_solution and prob.solution is not None:
            result.solution = call_with_options(prob.solution, (result, model, instance), opts)
    result.problem = prob.name
    result.instance_hash = instance.digest()
    result.options = {**result.options, **opts}
    if prob.run is not None:  # a composed problem is timed here, whole (its run() does not time itself)
        result.wall_time = time.perf_counter() - t0
    attach_reference(result, prob, instance, opts, changed=changed)
    return result


def attach_reference(result: Result, prob: Problem, instance: Instance, options: Mapping[str, Any],
                     changed: str = "") -> None:
    """The problem's closed form at (instance, options) and the result's distance from it, or, where the
    closed form does not describe this solve, ``closed_form_error = None`` and a message "closed form
    not applicable: <why>": the model was changed (``changed``), an option is set that the closed
    form does not name (it covers the options its signature names), or the closed form raises
    ``coopt.formulations.base.NotApplicable`` (or returns nothing) for this instance."""
    if prob.closed_form is None or not result.status.has_solution:
        return
    result.closed_form, result.closed_form_error = {}, None
    why = changed
    if not why:
        named = named_options(prob.closed_form)
        bad = [f"{k} = {v!r}" for k, v in options.items()
               if named is not None and k not in named and k in prob.options and v != prob.options[k].default]
        if bad:
            why = f"option {', '.join(bad)} is not one the closed form covers"
    if not why:
        try:
            ref = dict(call_with_options(prob.closed_form, (instance,), options))
        except NotApplicable as reason:
            why = str(reason) or "its assumptions do not hold for this instance"
        else:
            if not ref:
                why = "it gives no reference value for this instance"
    if not why:
        result.closed_form = ref
        result.closed_form_error = closed_form_error(result, ref)
        if result.closed_form_error is None:
            why = f"none of its values ({', '.join(ref)}) is in the result"
        else:
            from coopt.solve.result import Tolerances
            from coopt.solve.status import check_closed_form

            check_closed_form(result, Tolerances.from_options(result.options), _lookup)  # the status follows it
    if why:
        result.messages.append(f"closed form not applicable: {why}")


def _lookup(result: Result, key: str) -> float | None:
    if key == "objective":
        return result.objective
    if key in result.solution and isinstance(result.solution[key], int | float):
        return float(result.solution[key])
    if key in result.values and isinstance(result.values[key], int | float):
        return float(result.values[key])
    if key.endswith("]") and "[" in key:
        name, idx = key[:-1].split("[", 1)
        table = result.values.get(name)
        if isinstance(table, dict):
            for k, v in table.items():
                if str(k) == idx or (isinstance(k, tuple) and ",".join(map(str, k)) == idx):
                    return v
    return None


def closed_form_error(result: Result, ref: Mapping[str, float]) -> float | None:
    """Largest relative distance |x - x_ref| / max(1, |x_ref|) over the reference keys present."""
    errs = []
    for key, want in ref.items():
        got = _lookup(result, key)
        if got is None or want is None:
            continue
        errs.append(abs(got - want) / max(1.0, abs(want)))
    if not errs:
        return None
    e = max(errs)
    return e if math.isfinite(e) else None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coopt.problems --write-index``: regenerate the index; ``--check``: exit 1 if stale."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--write-index"]:
        print(f"wrote {write_index()}")
        return 0
    if args == ["--check"]:
        current = json.loads(INDEX_FILE.read_text()) if INDEX_FILE.is_file() else None
        if current != build_index():
            print(f"{INDEX_FILE.name} is stale: {_HINT}", file=sys.stderr)
            return 1
        return 0
    print("usage: python -m coopt.problems --write-index | --check", file=sys.stderr)
    return 2


__all__ = ["FormulationInfo", "ProblemInfo", "attach_reference", "check_solver", "closed_form_error",
           "formulation_refusal", "get_problem", "index", "load_plugins", "load_problem_file", "pick_formulation",
           "problem_files", "problem_info", "problems", "register", "run", "solvers_for", "write_index"]

if __name__ == "__main__":
    sys.exit(main())
