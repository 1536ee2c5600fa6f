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

from coopt.comparison import COLUMNS as COMPARE_COLUMNS  # cheap: no solver, no pandas
from coopt.comparison import COMPARE_TIME_LIMIT
from coopt.errors import CooptError, InputError, describe_exception, one_line, short_repr

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
    from coopt.formulations.describe import math_text
    from coopt.formulations.papers import paper_of
    from coopt.problems import formulation_solvers, problem_info
    from coopt.solve import SOLVERS

    if math not in ("plain", "latex", "none"):
        raise InputError(f"--math {math!r}: must be plain, latex or none")
    info = problem_info(problem)
    if data:  # bad data or --set values are refused (exit 2) even where the model is not shown
        inst, options = load_with_sets(problem, data, _parse_sets(set_))
        options = {k: v for k, v in options.items() if k not in SOLVER_OPTION_NAMES}
        info.parse_options(options)
    elif set_:
        raise InputError("--set needs --data (the instance it changes)")
    paper = paper_of(info.family)
    lines = [f"[bold]{escape(info.name)}[/bold]: {escape(info.summary)}",
             escape(f"paper: {info.paper}; equations {info.equations}")]
    if paper is not None:
        lines.append(escape(f"  {paper.citation}"))
    for name, opt in info.options.items():
        lines.append(escape(f"  option {name} ({opt.allowed_for(name)}; default {opt.default}): {opt.doc}"))
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
    if not data or info.composed:
        if not data and info.formulations:
            out.print("  (pass --data to see the model built on an instance)")
        return
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
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="also write the table to this file: .csv or .json (written whole, or not at all)")] = None,
    plot_file: Annotated[Path | None, typer.Option(
        "--plot", help="draw wall time and gap per solver as bar charts into this .png (or .pdf, .svg)")] = None,
    solver_option: Annotated[list[str] | None, typer.Option(
        "--solver-option", help="a solver's own option, SOLVER.NAME=VALUE, e.g. scs.max_iters=5000 (repeatable; "
                                "checked by the solver, refused if it does not know it)")] = None,
) -> None:
    """Solve one problem with several solvers: status, objective, gap, residuals, closed-form error, time.

    A solver that is refused or fails is a row of its own; the table goes on. Exit 1 when no solver
    proved optimality."""
    from coopt.comparison import compare_rows, parse_solver_options, solver_names
    from coopt.problems import problem_info, solvers_for

    _check_format("compare", format)
    if time_limit is not None:
        time_limit = _solver_opts(time_limit, None, None)["time_limit"]
    checks = ((out_file, (".csv", ".json"), "--out"), (plot_file, (".png", ".pdf", ".svg"), "--plot"))
    for path, kinds, option in checks:
        if path is not None:  # before the data is loaded and anything solved
            if path.suffix.lower() not in kinds:
                raise InputError(f"{option} {short_repr(str(path))}: the file name must end in {' or '.join(kinds)}")
            check_out_file(path, option)
    info = problem_info(problem)
    names = solver_names(solvers)
    inst, options = load_with_sets(problem, data, _parse_sets(set_))
    names = names or solvers_for(info)
    specific = parse_solver_options(solver_option or [], names)
    if time_limit is not None and "time_limit" in options:
        raise InputError("time_limit given twice: as --time-limit and as --set time_limit")
    if "time_limit" in options:
        time_limit = options.pop("time_limit")
    with _machine_stdout(format != "table"):
        rows = compare_rows(problem, inst, names, time_limit=time_limit, solver_options=specific, **options)
    if out_file is not None:
        _write_table(rows, out_file)
    if plot_file is not None:
        _plot_compare(rows, plot_file, f"{problem} on {inst.name}")
    if format == "json":
        print(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2, allow_nan=False))
    elif format == "csv":
        print(_csv_text(rows), end="")
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


def _csv_text(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COMPARE_COLUMNS), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: "" if v is None else (repr(float(v)) if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def _write_atomic(path: Path, write: Any) -> None:
    """``write(tmp_path)`` into a temporary file beside ``path``, renamed to ``path`` once complete."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """The comparison table as CSV or JSON (by the file's suffix), atomically."""
    if path.suffix.lower() == ".json":
        text = json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2, allow_nan=False) + "\n"
    else:
        text = _csv_text(rows)
    _write_atomic(path, lambda tmp: tmp.write_text(text))


def _plot_compare(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """Bar charts of wall time and relative gap per solver (log scales). A solver without a gap (no proven
    bound) or without a time (refused) is a hatched stub labelled with why; blue: a proven optimum."""
    from coopt.experiments.base import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    labels = [r["solver"] for r in rows]
    panels = ((axes[0], "wall_time", "wall time (s)", 1e-4), (axes[1], "gap", "relative gap", 1e-16))
    for ax, col, name, floor in panels:
        vals = [r[col] if isinstance(r[col], int | float) and math.isfinite(r[col]) else None for r in rows]
        heights = [max(v, floor) if v is not None else floor for v in vals]
        colours = ["#4c72b0" if r["status"] == "optimal" else "#dd8452" for r in rows]
        bars = ax.bar(range(len(rows)), heights, color=colours)
        for i, (v, bar, r) in enumerate(zip(vals, bars, rows)):
            if v is None:
                bar.set_hatch("//")
                bar.set_facecolor("white")
                why = r["status"] if r["status"] in ("refused", "error") else "no bound"
                ax.annotate(why, (i, floor), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8,
                            rotation=90)
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), labels, rotation=30, ha="right")
        ax.set_title(name)
    fig.suptitle(f"{title} (blue: proven optimum; orange: not)", fontsize=10)
    fig.tight_layout()
    _write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format=path.suffix.lstrip(".").lower()))
    plt.close(fig)


def check_out_file(path: Path, option: str = "--out") -> Path:
    """Refuse, before anything is built, an output file that cannot be written: a directory, or a
    missing or read-only folder."""
    if path.is_dir():
        raise InputError(f"{option} {short_repr(str(path))}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{option} {short_repr(str(path))}: folder {short_repr(str(parent))} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option} {short_repr(str(path))}: folder {short_repr(str(parent))} is not writable")
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
    check_out_dir(out_dir)
    frame = sweep_problem(problem, inst, grids, solver or None, options, workers, scheduler or None, out_dir)
    out.print(f"{len(frame)} grid points in {out_dir}")


@app.command()
def schema(
    family: Annotated[str, typer.Argument(help="data family (itinfra, vaccine, dpshare, ...); none: list them")] = "",
    format: Annotated[str, typer.Option("--format", "-f", help="table | json | markdown")] = "table",
) -> None:
    """The fields of a data family's instances: name, type, default, meaning and allowed range."""
    from coopt.data import families
    from coopt.data.fields import field_rows

    if format not in ("table", "json", "markdown"):
        raise InputError(f"--format {short_repr(format)}: coopt schema writes table, json, markdown")
    fams = families()
    if not family:
        for name, cls in sorted(fams.items()):
            out.print(escape(f"{name}: {' '.join((cls.__doc__ or '').split())}"))
        out.print("coopt schema FAMILY lists a family's fields")
        return
    if family not in fams:
        raise InputError(f"unknown family {short_repr(family)} (families: {', '.join(sorted(fams))})")
    cls = fams[family]
    rows = field_rows(cls)
    tables = list(getattr(cls, "table_fields", ()))
    note = (f"{', '.join(tables)}: an inline list, or a CSV or Excel (.xlsx) file named in the YAML "
            f"({tables[0]}: file.csv or {tables[0]}_csv: file.csv), one column per {tables[0]}[] field; "
            f"in Python, coopt.load(dataframe, {{...other fields}}, family='{family}')") if tables else ""
    if family == "vaccine":  # the return functions' parameters (a shared one, or per player / CSV columns)
        from coopt.data.vaccine.returns import PARAMETERS

        kinds = "; ".join(f"{k}: {', '.join(need)}" + (f" (optional: {', '.join(opt)})" if opt else "")
                          for k, (need, opt) in PARAMETERS.items())
        note += f". return_function types and parameters: {kinds}; variant: paper, A or B"
    if format == "json":
        print(json.dumps({"family": family, "doc": " ".join((cls.__doc__ or "").split()), "fields": rows,
                          "tables": note}, indent=2))
        return
    if format == "markdown":
        print("| field | type | default | meaning and range |\n|---|---|---|---|")
        for r in rows:
            print(f"| `{r['field']}` | {r['type']} | {r['default']} | {r['meaning'].replace('|', '/')} |")
        if note:
            print(f"\n{note}")
        return
    t = Table(title=escape(f"family {family}: {' '.join((cls.__doc__ or '').split())}"))
    for c in ("field", "type", "default", "meaning and range"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*map(Text, (r["field"], r["type"], r["default"], r["meaning"])))
    out.print(t)
    if note:
        out.print(escape(note))


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
