"""Command line: ``coopt list | show | solve | compare | sweep | reproduce``.

Exit codes: 0 success; 1 the solver did not reach proven optimality; 2 bad input or usage (a
one-line message on standard error).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from coopt.errors import CooptError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="coopt: optimization models for coalition formation and cooperative allocation.")
out = Console()

@app.callback()
def _global(problem_file: Annotated[list[Path] | None, typer.Option(
        "--problem-file", help="a Python file defining PROBLEM = Problem(...) (or PROBLEMS): your own problem, "
                               "listed, shown, solved, compared, swept and exported like the bundled ones "
                               "(repeatable; give it before the command)")] = None) -> None:
    """coopt: optimization models for coalition formation and cooperative allocation."""
    if problem_file:
        from coopt.problems import load_problem_file

        for path in problem_file:
            load_problem_file(path)


DataOpt = Annotated[str, typer.Option("--data", "-d",
                                      help="data file (YAML) or bundled name, e.g. itinfra/paper-figure1")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", "-s", help="field=value or option=value (repeatable)")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | json")]


def _parse_sets(pairs: list[str] | None) -> dict[str, str]:
    res: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InputError(f"--set '{pair}': expected key=value")
        k, v = pair.split("=", 1)
        res[k.strip()] = v.strip()
    return res


def _yaml_value(raw: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


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
    info.parse_options({k: v for k, v in options.items() if k not in COMMON_OPTIONS})  # unknown keys
    resolve(data)
    inst = load(data, overrides)
    return inst, options


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
        t.add_row(k, _fmt(v))
    out.print(t)
    if result.values:
        vt = Table(title="variables")
        for c in ("variable", "index", "value"):
            vt.add_column(c)
        frame = result.to_frame()
        for row in frame.head(50).itertuples(index=False):
            vt.add_row(str(row.variable), str(row.index), _fmt(row.value))
        if len(frame) > 50:
            vt.add_row("...", f"({len(frame) - 50} more rows: use --out or --format json)", "")
        out.print(vt)
    if result.solution:
        out.print("[bold]solution[/bold]")
        out.print_json(json.dumps(result.to_dict()["solution"]))
    for m in result.messages:
        out.print(f"[yellow]note:[/yellow] {m}")


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
            lines.append(f"- option `{name}` (default `{opt.default}`): {opt.doc}")
        lines += [f"- solvers: {', '.join(p.solvers)}", ""]
    lines += ["## Solvers", "", "| solver | layer | classes | global for |", "|---|---|---|---|"]
    lines += [f"| `{s.name}` | {s.layer} | {', '.join(s.classes)} | {', '.join(s.global_for) or '-'} |"
              for s in SOLVERS.values()]
    return "\n".join(lines)


def datasets() -> list[dict[str, str]]:
    """The bundled data sets: name (for --data), family, and the first line of the file's own comment."""
    import yaml

    root = Path(__file__).with_name("data")  # coopt.data.base.BUNDLED_DIR, without importing the data layer
    rows = []
    for name in sorted(str(f.relative_to(root).with_suffix("")) for f in root.glob("*/*.yaml")):
        text = (root / f"{name}.yaml").read_text()
        comment = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
        try:
            family = str((yaml.safe_load(text) or {}).get("family", ""))
        except yaml.YAMLError:
            family = ""
        rows.append({"name": name, "family": family, "description": comment})
    return rows


@app.command("list")
def list_(format: Annotated[str, typer.Option("--format", "-f", help="table | json | markdown")] = "table") -> None:
    """Problems (name, family, class, layer, equations), bundled data sets and solvers (installed, capabilities)."""
    from coopt.problems import index
    from coopt.solve import SOLVERS

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
            "datasets": datasets(),
        }
        print(json.dumps(payload, indent=2))
        return
    t = Table(title="problems")
    for c in ("name", "class", "layer", "equations", "summary"):
        t.add_column(c)
    for p in probs.values():
        t.add_row(p.name, ",".join(p.classes), ",".join(p.layers) or "composed", p.equations, p.summary)
    out.print(t)
    d = Table(title="bundled data sets (--data NAME)")
    for c in ("name", "family", "description"):
        d.add_column(c)
    for row in datasets():
        d.add_row(row["name"], row["family"], row["description"])
    out.print(d)
    s = Table(title="solvers")
    for c in ("name", "layer", "classes", "global for", "installed"):
        s.add_column(c)
    for sp in SOLVERS.values():
        s.add_row(sp.name, sp.layer, ",".join(sp.classes), ",".join(sp.global_for) or "-",
                  "yes" if sp.available else f"no: {sp.unavailable_reason}")
    out.print(s)


@app.command()
def show(problem: str, data: DataOpt = "", set_: SetOpt = None,
         formulation: Annotated[str, typer.Option(help="formulation name")] = "",
         math: Annotated[str, typer.Option(help="the algebra as plain text, its LaTeX source, or none")] = "plain",
         ) -> None:
    """The problem as a reader wants it: its paper, its algebra, its formulations with the solvers that fit,
    its options; with --data, the model built on the data (sets, parameters, variables, constraints)."""
    from rich.markup import escape

    from coopt.formulations.describe import math_text
    from coopt.formulations.papers import paper_of
    from coopt.problems import formulation_solvers, problem_info
    from coopt.solve import SOLVERS

    if math not in ("plain", "latex", "none"):
        raise InputError(f"--math {math!r}: must be plain, latex or none")
    info = problem_info(problem)
    paper = paper_of(info.family)
    lines = [f"[bold]{escape(info.name)}[/bold]: {escape(info.summary)}",
             escape(f"paper: {info.paper}; equations {info.equations}")]
    if paper is not None:
        lines.append(escape(f"  {paper.citation}"))
    for name, opt in info.options.items():
        lines.append(escape(f"  option {name} ({getattr(opt.type, '__name__', opt.type)}, default {opt.default}): "
                            f"{opt.doc}"))
    out.print("\n".join(lines))
    if info.math and math != "none":
        out.print("\n[bold]model[/bold]" + (" (LaTeX)" if math == "latex" else ""))
        out.print(escape(info.math if math == "latex" else math_text(info.math)), soft_wrap=True)
        for f in info.formulations:
            if f.math:
                out.print(escape(f"formulation {f.name}: " + (f.math if math == "latex" else math_text(f.math))),
                          soft_wrap=True)
    if info.formulations:
        out.print("\n[bold]formulations and the solvers that fit[/bold] (* not installed)")
        for f in info.formulations:
            fit = ", ".join(s + ("" if SOLVERS[s].available else "*") for s in formulation_solvers(f))
            out.print(escape(f"  {f.name}: {f.layer} {f.problem_class} — {f.doc}; solvers: {fit or 'none'}"))
    if info.composed:
        fit = ", ".join(s + ("" if SOLVERS[s].available else "*") for s in info.solvers)
        out.print(escape(f"\ncomposed of many solves ({info.problem_class}): {info.run_doc}\n  solvers: {fit}"))
    if not data:
        if info.formulations:
            out.print("  (pass --data to see the model built on an instance)")
        return
    if info.composed:
        return
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    forms = [f for f in info.formulations if not formulation or f.name == formulation]
    if not forms:
        raise InputError(f"{problem}: unknown formulation '{formulation}'")
    from coopt.formulations.describe import describe
    from coopt.problems import formulation_refusal, get_problem

    prob = get_problem(problem)
    opts = prob.parse_options(dict(options))
    for f in prob.formulations:
        if f.name in {g.name for g in forms}:
            why = formulation_refusal(prob, f, opts)
            out.print("\n" + escape(describe(f, f.build(inst, **opts)) if not why else f"formulation {f.name}: {why}"))


def _solver_opts(time_limit: float | None, gap: float | None, tol: float | None) -> dict[str, float]:
    return {k: v for k, v in {"time_limit": time_limit, "gap": gap, "tol": tol}.items() if v is not None}


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

    if solver:
        check_solver(problem_info(problem), solver)  # a solver that does not fit: refused before loading
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    result = run(problem, inst, solver=solver or None, formulation=formulation or None,
                 **options, **_solver_opts(time_limit, gap, tol))
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


@app.command()
def compare(
    problem: str, data: DataOpt,
    solvers: Annotated[str, typer.Option(help="comma-separated solvers; default: every installed capable one")] = "",
    set_: SetOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | json | csv")] = "table",
    time_limit: Annotated[float | None, typer.Option(help="seconds")] = None,
) -> None:
    """Solve one problem with several solvers: status, objective, gap, residuals, closed-form error, time."""
    from coopt.problems import problem_info, run, solvers_for

    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    names = [s.strip() for s in solvers.split(",") if s.strip()] or solvers_for(problem_info(problem))
    from coopt.solve.status import cross_check

    runs: list[tuple[str, Any]] = []
    for name in names:
        try:
            runs.append((name, run(problem, inst, solver=name, **options, **_solver_opts(time_limit, None, None))))
        except CooptError as e:
            runs.append((name, e))
    cross_check([r for _, r in runs if not isinstance(r, CooptError)])  # a bound below another's feasible value fails
    rows = []
    for name, r in runs:
        if isinstance(r, CooptError):
            rows.append({"solver": name, "formulation": "", "status": "refused", "objective": None, "bound": None,
                         "gap": None, "primal_residual": None, "kkt_residual": None, "closed_form_error": None,
                         "wall_time": None, "note": str(r)})
            continue
        d = r.to_dict()
        rows.append({"solver": name, "formulation": r.formulation, "status": r.status.value,
                     "objective": r.objective, "bound": r.bound, "gap": r.gap,
                     **d["certificate"], "wall_time": r.wall_time, "note": "; ".join(r.messages)[:120]})
    import pandas as pd

    frame = pd.DataFrame(rows)
    if format == "json":
        print(frame.to_json(orient="records", indent=2))
    elif format == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        t = Table(title=f"{problem} on {inst.name}")
        for c in frame.columns:
            t.add_column(c)
        for row in rows:
            t.add_row(*[_fmt(row[c]) for c in frame.columns])
        out.print(t)
    if not any(r["status"] == "optimal" for r in rows):
        raise typer.Exit(1)


def check_out_file(path: Path) -> Path:
    """Refuse, before anything is built, an output file that cannot be written: a directory, or a
    missing or read-only folder."""
    if path.is_dir():
        raise InputError(f"--out {path}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"--out {path}: folder {parent} is not writable")
    return path


@app.command()
def export(
    problem: str, data: DataOpt, set_: SetOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="lp | mps (linear/quadratic) | nl | gms")] = "mps",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write (required)")] = None,
    formulation: Annotated[str, typer.Option(help="formulation name (a CVXPY one: its Pyomo twin)")] = "",
) -> None:
    """Write the instantiated model as an LP, MPS, NL or GAMS file (Pyomo's writers) for any solver."""
    from coopt.models import FORMATS, export_model, write_model

    if format not in FORMATS:
        raise InputError(f"--format {format!r}: must be one of {', '.join(FORMATS)}")
    if out_file is None:
        raise InputError("--out FILE is required (the file to write)")
    check_out_file(out_file)  # before the data is loaded and the model built
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    model, cls, form, notes = export_model(problem, inst, formulation or None, **options)
    info = write_model(model, out_file, format, cls)
    from rich.markup import escape

    out.print(escape(f"wrote {info['path']} ({format}, {problem} [{form}], {cls}: {info['variables']} variables, "
                     f"{info['constraints']} constraints)"))
    for note in notes:
        out.print(f"[yellow]note:[/yellow] {escape(note)}")


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

    report = run_reproduce(list(names), out_dir, quick=quick, progress=True)
    out.print(f"report: {report}")


def main() -> None:
    """Console entry point with coopt's exit codes."""
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except CooptError as e:
        print(f"coopt: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:  # click/typer usage errors (typer may vendor its own click)
        if hasattr(e, "format_message") and type(e).__name__.endswith(("UsageError", "BadParameter",
                                                                       "NoSuchOption", "MissingParameter",
                                                                       "BadOptionUsage", "BadArgumentUsage")):
            print(f"coopt: usage: {e.format_message()}", file=sys.stderr)
            sys.exit(2)
        if type(e).__name__ == "Abort":
            sys.exit(2)
        raise

if __name__ == "__main__":
    main()
