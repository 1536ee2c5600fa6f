"""Command line: ``coopt list | show | solve | compare | sweep | reproduce``.

Exit codes (one contract for every command):

* 0 -- success (``solve``: a proven optimum; ``compare``: at least one solver proved optimality);
* 1 -- a solve that did not prove optimality (time limit, local optimum, numerical trouble, or an
  unexpected failure inside a solver), with one line on standard error saying why;
* 2 -- anything the user can fix: bad data file, ``--set``, option, format, solver name, or ``--out``
  path (checked before solving), with one line on standard error naming what and the value.
  ``coopt`` with no arguments prints the help on standard error and exits 2.

Never a traceback: :func:`main` turns any exception into one of these with one line.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from coopt.errors import CooptError, InputError, SolverUnavailable, describe_exception, one_line, short_repr

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="coopt: optimization models for coalition formation and cooperative allocation.")
out = Console()

DataOpt = Annotated[str, typer.Option("--data", "-d",
                                      help="data file (YAML) or bundled name, e.g. itinfra/paper-figure1")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", "-s", help="field=value or option=value (repeatable)")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | json")]


def _parse_sets(pairs: list[str] | None) -> dict[str, str]:
    """``--set key=value`` pairs; a pair without ``=``, an empty key or a key given twice is an error."""
    res: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InputError(f"--set {short_repr(pair)}: expected key=value")
        k, v = pair.split("=", 1)
        k = k.strip()
        if not k:
            raise InputError(f"--set {short_repr(pair)}: empty name before '='")
        if k in res:
            raise InputError(f"--set {short_repr(k)} given twice (values {short_repr(res[k])} and {short_repr(v)})")
        res[k] = v.strip()
    return res


def _yaml_value(raw: str) -> Any:
    from coopt.data.base import parse_value

    return parse_value(raw)


def load_with_sets(problem_name: str, data: str, sets: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    """Load ``data``; split ``--set`` pairs into instance fields and problem/solver options.

    Argument errors come first and cheap: an unknown problem and a bad option value are refused from
    the registry's index, before the data layer loads and before any problem module (Pyomo, CVXPY)
    is imported; an unknown key once the instance's fields are known."""
    from coopt.problems import problem_info
    from coopt.solve import COMMON_OPTIONS

    info = problem_info(problem_name)
    info.parse_options({k: v for k, v in sets.items() if k in info.options})
    from coopt.data import families, load
    from coopt.data.base import resolve

    schema = families().get(info.family)
    fields = set(schema.model_fields) if schema else set()
    overrides = {k: _yaml_value(v) for k, v in sets.items() if k in fields}
    options = {k: v for k, v in sets.items() if k not in fields}
    _check_solver_options(options)
    info.parse_options({k: v for k, v in options.items() if k not in COMMON_OPTIONS})  # unknown keys
    resolve(data)
    inst = load(data, overrides)
    return inst, options


def _check_solver_options(options: dict[str, Any]) -> None:
    """Parse the common solver options among ``options`` (time_limit, gap, tol, max_iter) in place."""
    from coopt.formulations.base import SOLVER_OPTIONS

    for k, spec in SOLVER_OPTIONS.items():
        if k in options:
            options[k] = spec.parse(k, options[k])


@contextlib.contextmanager
def _machine_stdout(active: bool) -> Iterator[None]:
    """While solving for ``--format json/csv``, anything a library prints goes to standard error, so that
    standard output holds only the machine-readable result."""
    if not active:
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


SOLVER_OPTION_NAMES = ("time_limit", "gap", "tol", "max_iter")

FORMATS = {"solve": ("table", "json"), "compare": ("table", "json", "csv"), "list": ("table", "json", "markdown")}


def _check_format(command: str, fmt: str) -> None:
    if fmt not in FORMATS[command]:
        raise InputError(f"--format {short_repr(fmt)}: coopt {command} writes {', '.join(FORMATS[command])}")


def check_out_dir(path: Path | None, option: str = "--out") -> None:
    """Refuse (exit 2), before any work, an output directory that names a file or cannot be written.

    Nothing is created: the directory itself, or else its nearest existing parent, is probed with a
    temporary file."""
    if path is None:
        return
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{option} {short_repr(str(p))}: is an existing file, not a directory")
    probe = p
    for parent in [p, *p.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{option} {short_repr(str(p))}: {short_repr(str(parent))} is a file, not a directory")
            probe = parent
            break
    try:
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".coopt-probe-"):
            pass
    except OSError as err:
        raise InputError(f"{option} {short_repr(str(p))}: cannot write there ({err.strerror or err})") from None


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.10g}"
    return str(x)


def _write_outputs(result: Any, out_dir: Path) -> None:
    """result.json, values.csv, duals.csv written atomically (all or nothing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".coopt-", dir=out_dir))
    try:
        (tmp / "result.json").write_text(result.to_json())
        result.to_frame().to_csv(tmp / "values.csv", index=False)
        result.duals_frame().to_csv(tmp / "duals.csv", index=False)
        for f in tmp.iterdir():
            os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _print_result(result: Any) -> None:
    t = Table(title=f"{result.problem}  [{result.formulation or 'composed'}]", show_header=False)
    cert = result.to_dict()["certificate"]
    for k, v in [("status", result.status.value), ("solver", f"{result.solver} {result.solver_version}"),
                 ("objective", result.objective), ("bound", result.bound), ("gap", result.gap),
                 ("primal residual", cert["primal_residual"]), ("KKT residual", cert["kkt_residual"]),
                 ("closed-form error", cert["closed_form_error"]), ("wall time (s)", result.wall_time)]:
        t.add_row(k, Text(_fmt(v)))
    out.print(t)
    if result.values:
        vt = Table(title="variables")
        for c in ("variable", "index", "value"):
            vt.add_column(c)
        frame = result.to_frame()
        for row in frame.head(50).itertuples(index=False):
            vt.add_row(Text(str(row.variable)), Text(str(row.index)), Text(_fmt(row.value)))
        if len(frame) > 50:
            vt.add_row("...", f"({len(frame) - 50} more rows: use --out or --format json)", "")
        out.print(vt)
    if result.solution:
        out.print("[bold]solution[/bold]")
        out.print_json(json.dumps(result.to_dict()["solution"]))
    for m in result.messages:
        out.print(f"[yellow]note:[/yellow] {escape(m)}")


def catalogue_markdown() -> str:
    """The catalogue as Markdown, generated from the problems' metadata (docs/catalogue.md)."""
    from coopt.problems import index
    from coopt.solve import SOLVERS

    lines = ["# coopt catalogue", "", "Generated by `coopt list --format markdown` from each problem's metadata.", ""]
    for p in index().values():
        lines += [f"## `{p.name}`", "", p.summary, "", f"- paper: {p.paper}; equations {p.equations}"]
        for f in p.formulations:
            lines.append(f"- formulation `{f.name}`: {f.layer}, {f.problem_class} — {f.doc}")
        if p.composed:
            lines.append(f"- composed from many solves: {p.run_doc}")
        for name, opt in p.options.items():
            lines.append(f"- option `{name}` (default `{opt.default}`; {opt.allowed_for(name)}): {opt.doc}")
        lines += [f"- solvers: {', '.join(p.solvers)}", ""]
    lines += ["## Solvers", "", "| solver | layer | classes | global for |", "|---|---|---|---|"]
    lines += [f"| `{s.name}` | {s.layer} | {', '.join(s.classes)} | {', '.join(s.global_for) or '-'} |"
              for s in SOLVERS.values()]
    return "\n".join(lines)


@app.command("list")
def list_(format: Annotated[str, typer.Option("--format", "-f", help="table | json | markdown")] = "table") -> None:
    """Problems (name, family, class, layer, equations) and solvers (installed, capabilities)."""
    from coopt.problems import index
    from coopt.solve import SOLVERS

    _check_format("list", format)
    probs = index()
    if format == "markdown":
        print(catalogue_markdown())
        return
    if format == "json":
        payload = {
            "problems": [{"name": p.name, "family": p.family, "classes": list(p.classes),
                          "layers": list(p.layers) or ["composed"], "equations": p.equations,
                          "summary": p.summary, "solvers": list(p.solvers)}
                         for p in probs.values()],
            "solvers": [{"name": s.name, "layer": s.layer, "classes": list(s.classes),
                         "global_for": list(s.global_for), "installed": s.available,
                         "reason": s.unavailable_reason, "doc": s.doc} for s in SOLVERS.values()],
        }
        print(json.dumps(payload, indent=2))
        return
    t = Table(title="problems")
    for c in ("name", "class", "layer", "equations", "summary"):
        t.add_column(c)
    for p in probs.values():
        t.add_row(p.name, ",".join(p.classes), ",".join(p.layers) or "composed", p.equations, p.summary)
    out.print(t)
    s = Table(title="solvers")
    for c in ("name", "layer", "classes", "global for", "installed"):
        s.add_column(c)
    for sp in SOLVERS.values():
        s.add_row(sp.name, sp.layer, ",".join(sp.classes), ",".join(sp.global_for) or "-",
                  "yes" if sp.available else f"no: {sp.unavailable_reason}")
    out.print(s)


@app.command()
def show(problem: str, data: DataOpt = "", set_: SetOpt = None,
         formulation: Annotated[str, typer.Option(help="formulation name")] = "") -> None:
    """The formulation as a reader wants it: sets, parameters, variables, objective, constraints."""
    from coopt.problems import problem_info

    info = problem_info(problem)
    if data:  # bad data or --set values are refused (exit 2) even where the model is not shown
        inst, options = load_with_sets(problem, data, _parse_sets(set_))
        options = {k: v for k, v in options.items() if k not in SOLVER_OPTION_NAMES}
        info.parse_options(options)
    elif set_:
        raise InputError("--set needs --data (the instance it changes)")
    out.print(f"[bold]{escape(info.name)}[/bold]: {escape(info.summary)}\npaper: {escape(info.paper)}; "
              f"equations {escape(info.equations)}")
    for name, opt in info.options.items():
        out.print(escape(f"  option {name} ({opt.allowed_for(name)}; default {opt.default}): {opt.doc}"))
    if info.composed or not data:
        for f in info.formulations:
            out.print(escape(f"  formulation {f.name}: {f.layer} {f.problem_class} — {f.doc}"))
        if info.composed:
            out.print(escape(f"  composed problem: {info.run_doc}"))
        if not data and info.formulations:
            out.print("  (pass --data to see the model with its parameter values)")
        return
    forms = [f for f in info.formulations if not formulation or f.name == formulation]
    if not forms:
        raise InputError(f"{problem}: unknown formulation '{formulation}'")
    from coopt.formulations.describe import describe
    from coopt.problems import get_problem

    prob = get_problem(problem)
    opts = prob.parse_options(dict(options))
    for f in prob.formulations:
        if f.name in {g.name for g in forms}:
            out.print(describe(f, f.build(inst, **opts)))


def _solver_opts(time_limit: float | None, gap: float | None, tol: float | None,
                 sets: dict[str, Any] | None = None) -> dict[str, float]:
    """``--time-limit``, ``--gap``, ``--tol`` checked against their ranges (finite, positive); one given
    both as an option and as ``--set`` (``sets``) is an error."""
    opts = {k: v for k, v in {"time_limit": time_limit, "gap": gap, "tol": tol}.items() if v is not None}
    for k in opts:
        if sets and k in sets:
            raise InputError(f"{k} given twice: as --{k.replace('_', '-')} and as --set {k}")
    _check_solver_options(opts)
    return opts


@app.command()
def solve(
    problem: str, data: DataOpt, solver: Annotated[str, typer.Option(help="solver name (see coopt list)")] = "",
    set_: SetOpt = None, format: FormatOpt = "table",
    out_dir: Annotated[Path | None, typer.Option("--out", help="write result.json and CSV tables here")] = None,
    formulation: Annotated[str, typer.Option(help="formulation name")] = "",
    time_limit: Annotated[float | None, typer.Option(help="seconds")] = None,
    gap: Annotated[float | None, typer.Option(help="relative optimality gap")] = None,
    tol: Annotated[float | None, typer.Option(help="feasibility/optimality tolerance")] = None,
) -> None:
    """Solve one problem on one instance; exit 1 unless the optimum is proven."""
    from coopt.problems import check_solver, problem_info, run

    _check_format("solve", format)
    if solver:
        check_solver(problem_info(problem), solver)  # a solver that does not fit: refused before loading
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    check_out_dir(out_dir)  # before solving: a result is never lost to an unwritable path
    solver_opts = _solver_opts(time_limit, gap, tol, options)
    with _machine_stdout(format != "table"):
        result = run(problem, inst, solver=solver or None, formulation=formulation or None, **options, **solver_opts)
    if out_dir is not None:
        _write_outputs(result, out_dir)
    if format == "json":
        print(result.to_json())
    else:
        _print_result(result)
    if not result.ok:
        print(f"coopt: {problem}: status {result.status.value} (not a proven optimum)"
              + (f": {result.messages[0]}" if result.messages else ""), file=sys.stderr)
        raise typer.Exit(1)


#: time limit (seconds) ``coopt compare`` gives each solver that may search long (global MILP/MINLP
#: solvers) when ``--time-limit`` is not given: one slow solver must not hold the whole table
COMPARE_TIME_LIMIT = 60.0
_SEARCH_CLASSES = ("MILP", "MIQP", "MINLP", "NCNLP")
COMPARE_COLUMNS = ("solver", "formulation", "status", "objective", "bound", "gap", "primal_residual",
                   "kkt_residual", "closed_form_error", "wall_time", "note")


def _compare_names(solvers: str, default: list[str]) -> list[str]:
    """Solver names of ``--solvers`` (default: every installed capable one); unknown or repeated -> exit 2."""
    from coopt.solve import SOLVERS

    if not solvers.strip():
        return default
    names = [s.strip() for s in solvers.split(",")]
    if any(not s for s in names):
        raise InputError(f"--solvers {short_repr(solvers)}: an empty name in the comma list")
    for s in names:
        if s not in SOLVERS:
            raise SolverUnavailable(f"--solvers: unknown solver {short_repr(s)} (known: {', '.join(SOLVERS)})")
        if names.count(s) > 1:
            raise InputError(f"--solvers: {short_repr(s)} is given twice")
    return names


def _compare_limit(name: str, time_limit: float | None) -> float | None:
    from coopt.solve import SOLVERS

    if time_limit is not None:
        return time_limit
    spec = SOLVERS[name]
    if spec.layer != "native" and any(c in spec.global_for for c in _SEARCH_CLASSES):
        return COMPARE_TIME_LIMIT
    return None


def _compare_run(problem: str, inst: Any, name: str, options: dict[str, Any], limit: float | None) -> Any:
    """One solver's result, or its refusal / error row (never raises: one solver failing must not abort
    the table)."""
    from coopt.problems import run

    row: dict[str, Any] = dict.fromkeys(COMPARE_COLUMNS)
    row["solver"] = name
    try:
        return run(problem, inst, solver=name, **{**options, **_solver_opts(limit, None, None)})
    except CooptError as e:
        row.update(status="refused" if e.exit_code == 2 else "error", note=str(e))
    except Exception as e:
        row.update(status="error", note=describe_exception(e))
    return row


def _compare_row(name: str, r: Any, limit: float | None, default_limit: bool) -> dict[str, Any]:
    """One row of the comparison from a solver's result (an error row passes through)."""
    if isinstance(r, dict):
        return r
    row: dict[str, Any] = dict.fromkeys(COMPARE_COLUMNS)
    row["solver"] = name
    cert = r.to_dict()["certificate"]
    notes = list(r.messages)
    if default_limit and limit is not None and r.status.value != "optimal":
        notes.insert(0, f"time limit {limit:g} s (coopt compare's default; pass --time-limit to change)")
    row.update(formulation=r.formulation, status=r.status.value, objective=r.objective, bound=r.bound, gap=r.gap,
               primal_residual=cert.get("primal_residual"), kkt_residual=cert.get("kkt_residual"),
               closed_form_error=cert.get("closed_form_error"), wall_time=r.wall_time,
               note=one_line("; ".join(notes), 300))
    return row


def _number_cell(x: Any) -> str:
    """A table cell: numbers in full to 6 significant digits with their exponent (3.7e-16, not 3.73...)."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | float):
        return f"{x:.6g}"
    return str(x)


def _plain(x: Any) -> Any:
    """A JSON value: non-finite floats as null (strict JSON), numpy scalars as Python numbers."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if hasattr(x, "item") and not isinstance(x, str):
        return _plain(x.item())
    return x


@app.command()
def compare(
    problem: str, data: DataOpt,
    solvers: Annotated[str, typer.Option(help="comma-separated solvers; default: every installed capable one")] = "",
    set_: SetOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | json | csv")] = "table",
    time_limit: Annotated[float | None, typer.Option(
        help=f"seconds per solver (default: {COMPARE_TIME_LIMIT:g} s for global MILP/MINLP solvers, none for others)"
    )] = None,
) -> None:
    """Solve one problem with several solvers: status, objective, gap, residuals, closed-form error, time.

    A solver that is refused or fails is a row of its own; the table goes on. Exit 1 when no solver
    proved optimality."""
    from coopt.problems import problem_info, solvers_for

    _check_format("compare", format)
    if time_limit is not None:
        time_limit = _solver_opts(time_limit, None, None)["time_limit"]
    info = problem_info(problem)
    names = _compare_names(solvers, [])
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    names = names or solvers_for(info)
    if time_limit is not None and "time_limit" in options:
        raise InputError("time_limit given twice: as --time-limit and as --set time_limit")
    if "time_limit" in options:
        time_limit = options.pop("time_limit")
    from coopt.solve.status import cross_check

    with _machine_stdout(format != "table"):
        limits = {name: _compare_limit(name, time_limit) for name in names}
        runs = {name: _compare_run(problem, inst, name, options, limits[name]) for name in names}
    # a bound below another solver's feasible value is a failed certificate, not an optimum
    cross_check([r for r in runs.values() if not isinstance(r, dict)])
    rows = [_compare_row(name, runs[name], limits[name], time_limit is None) for name in names]
    if format == "json":
        print(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2, allow_nan=False))
    elif format == "csv":
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(COMPARE_COLUMNS), lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: "" if v is None else (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
    else:
        # every cell in full (numbers to 6 digits with their exponent); the table is as wide as it needs
        cells = [[_number_cell(row[c]) for c in COMPARE_COLUMNS] for row in rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(COMPARE_COLUMNS)]
        widths[-1] = min(widths[-1], 60)  # the note column folds
        t = Table(title=escape(f"{problem} on {inst.name}"))
        for c, w in zip(COMPARE_COLUMNS, widths):
            t.add_column(c, min_width=w, no_wrap=c != "note", overflow="fold")
        for r in cells:
            t.add_row(*map(Text, r))  # Text: a note like "[qp (pyomo QP)]" is not Rich markup
        Console(width=max(out.width, sum(widths) + 3 * len(widths) + 1)).print(t)
    if not any(r["status"] == "optimal" for r in rows):
        print(f"coopt: {problem}: no solver proved optimality", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def sweep(
    problem: str, data: DataOpt,
    grid: Annotated[list[str], typer.Option(
        help="one axis per parameter (repeatable): name=lo:hi:n (n evenly spaced values, lo and hi included), "
             "name=log:lo:hi:n (n log-spaced values, 0 < lo <= hi) or name=v1,v2,... (the listed values); "
             "the grid is their cartesian product, at most 1,000,000 points")],
    solver: Annotated[str, typer.Option(help="solver name")] = "",
    set_: SetOpt = None,
    workers: Annotated[int, typer.Option(help="local Dask worker processes (0: in this process)")] = 2,
    scheduler: Annotated[str, typer.Option(help="address of an existing Dask scheduler, e.g. tcp://host:8786")] = "",
    out_dir: Annotated[Path, typer.Option("--out", help="output directory (Parquet chunks; one sweep at a time)")]
    = Path("out/sweep"),
) -> None:
    """Run a problem over a parameter grid on Dask; resumable, chunked Parquet output."""
    from coopt.experiments.sweep import check_scheduler_address, parse_grids, sweep_problem

    grids = parse_grids(grid)  # syntax, sizes and repeated names refused before anything loads
    if scheduler:
        check_scheduler_address(scheduler)
    sets = _parse_sets(set_)
    both = sorted(set(grids) & set(sets))
    if both:
        raise InputError(f"--grid '{both[0]}' and --set '{both[0]}' both given: choose one")
    inst, options = load_with_sets(problem, data, sets)  # the --set parsing of solve, show and compare
    check_out_dir(out_dir)
    frame = sweep_problem(problem, inst, grids, solver or None, options, workers, scheduler or None, out_dir)
    out.print(f"{len(frame)} grid points in {out_dir}")


@app.command()
def reproduce(
    names: Annotated[list[str], typer.Argument(help="experiment names, or 'all'")],
    quick: Annotated[bool, typer.Option(help="coarser grids, fewer samples (minutes)")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="output directory")] = Path("out/reproduce"),
) -> None:
    """Reproduce paper figures and tables (PNG + CSV + a Markdown report)."""
    from coopt.experiments.base import reproduce as run_reproduce

    check_out_dir(out_dir)

    report = run_reproduce(list(names), out_dir, quick=quick, progress=True)
    out.print(f"report: {report}")


def _click_kind(err: BaseException) -> str:
    """'exit', 'usage' or 'abort' for the (possibly vendored) click exceptions typer raises, else ''."""
    names = {c.__name__ for c in type(err).__mro__}
    if "Exit" in names and hasattr(err, "exit_code"):
        return "exit"
    if "ClickException" in names:
        return "usage"
    if "Abort" in names:
        return "abort"
    return ""


def _say(message: str) -> None:
    """One line on standard error (made safe: control characters escaped, newlines collapsed)."""
    try:
        print(one_line(message), file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing left to tell
        pass


def run_cli(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``) and return coopt's exit code.

    Never raises (except SystemExit from deep inside a library): every error becomes one line on
    standard error and exit code 2 (the user can fix it) or 1 (a solve that proved nothing)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        with contextlib.redirect_stdout(sys.stderr):
            try:
                app(args=["--help"], prog_name="coopt", standalone_mode=False)
            except Exception:
                pass
        _say("coopt: usage: a command is required (coopt --help)")
        return 2
    try:
        rc = app(args=args, prog_name="coopt", standalone_mode=False)
        if rc == 130:  # typer returns KeyboardInterrupt as exit code 130
            _say("coopt: interrupted")
        return rc if isinstance(rc, int) else 0
    except CooptError as e:
        _say(f"coopt: error: {e}")
        return e.exit_code
    except typer.Exit as e:
        if e.exit_code == 130:  # typer's translation of KeyboardInterrupt
            _say("coopt: interrupted")
        return e.exit_code
    except KeyboardInterrupt:
        _say("coopt: interrupted")
        return 130
    except BrokenPipeError:  # `coopt list | head`: the reader left
        return 1
    except (MemoryError, RecursionError) as e:
        _say(f"coopt: error: input too large or too deep to process ({type(e).__name__})")
        return 2
    except Exception as e:
        kind = _click_kind(e)
        if kind == "exit":
            return int(getattr(e, "exit_code", 0) or 0)
        if kind == "usage":
            msg = e.format_message() if hasattr(e, "format_message") else str(e)
            _say(f"coopt: usage: {msg}")
            return 2
        if kind == "abort":
            _say("coopt: aborted")
            return 2
        _say(f"coopt: error: unexpected failure ({describe_exception(e)}); no result")
        return 1


def main(argv: list[str] | None = None) -> None:
    """Console entry point with coopt's exit codes (see the module docstring)."""
    sys.exit(run_cli(argv))


if __name__ == "__main__":
    main()
