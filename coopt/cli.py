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
    """Load ``data``; split ``--set`` pairs into instance fields and problem/solver options."""
    from coopt.catalog import get_problem
    from coopt.data import families, load
    from coopt.data.base import resolve

    prob = get_problem(problem_name)
    schema = families().get(prob.family)
    fields = set(schema.model_fields) if schema else set()
    overrides = {k: _yaml_value(v) for k, v in sets.items() if k in fields}
    options = {k: v for k, v in sets.items() if k not in fields}
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


@app.command("list")
def list_(format: FormatOpt = "table") -> None:
    """Problems (name, family, class, layer, equations) and solvers (installed, capabilities)."""
    from coopt.catalog import problems, solvers_for
    from coopt.solve import SOLVERS

    probs = problems()
    if format == "json":
        payload = {
            "problems": [{"name": p.name, "family": p.family, "classes": list(p.classes),
                          "layers": list(p.layers) or ["composed"], "equations": p.equations,
                          "summary": p.summary, "solvers": solvers_for(p, installed=False)}
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
    from coopt.catalog import get_problem
    from coopt.formulations.describe import describe

    prob = get_problem(problem)
    out.print(f"[bold]{prob.name}[/bold]: {prob.summary}\npaper: {prob.paper}; equations {prob.equations}")
    for name, opt in prob.options.items():
        out.print(f"  option {name} ({getattr(opt.type, '__name__', opt.type)}, default {opt.default}): {opt.doc}")
    if prob.run is not None or not data:
        for f in prob.formulations:
            out.print(f"  formulation {f.name}: {f.layer} {f.problem_class} — {f.doc}")
        if prob.run is not None:
            out.print(f"  composed problem: {(prob.run.__doc__ or '').strip()}")
        if not data and prob.formulations:
            out.print("  (pass --data to see the model with its parameter values)")
        return
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    opts = prob.parse_options({k: v for k, v in options.items()})
    forms = [f for f in prob.formulations if not formulation or f.name == formulation]
    if not forms:
        raise InputError(f"{problem}: unknown formulation '{formulation}'")
    for f in forms:
        out.print(describe(f, f.build(inst, **opts)))


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
    from coopt.catalog import run

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
    from coopt.catalog import get_problem, run, solvers_for

    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    prob = get_problem(problem)
    names = [s.strip() for s in solvers.split(",") if s.strip()] or solvers_for(prob)
    rows = []
    for name in names:
        try:
            r = run(problem, inst, solver=name, **options, **_solver_opts(time_limit, None, None))
            d = r.to_dict()
            rows.append({"solver": name, "formulation": r.formulation, "status": r.status.value,
                         "objective": r.objective, "bound": r.bound, "gap": r.gap,
                         **d["certificate"], "wall_time": r.wall_time, "note": "; ".join(r.messages)[:120]})
        except CooptError as e:
            rows.append({"solver": name, "formulation": "", "status": "refused", "objective": None, "bound": None,
                         "gap": None, "primal_residual": None, "kkt_residual": None, "closed_form_error": None,
                         "wall_time": None, "note": str(e)})
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


@app.command()
def sweep(
    problem: str, data: DataOpt,
    grid: Annotated[list[str], typer.Option(help="name=lo:hi:n (repeatable)")],
    solver: Annotated[str, typer.Option(help="solver name")] = "",
    set_: SetOpt = None,
    workers: Annotated[int, typer.Option(help="local Dask worker processes")] = 2,
    scheduler: Annotated[str, typer.Option(help="address of an existing Dask scheduler")] = "",
    out_dir: Annotated[Path, typer.Option("--out", help="output directory (Parquet chunks)")] = Path("out/sweep"),
) -> None:
    """Run a problem over a parameter grid on Dask; resumable, chunked Parquet output."""
    from coopt.experiments.sweep import parse_grid, sweep_problem

    grids = {spec[0]: spec[1:] for spec in map(parse_grid, grid)}
    frame = sweep_problem(problem, data, grids, solver or None, _parse_sets(set_), workers,
                          scheduler or None, out_dir)
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
