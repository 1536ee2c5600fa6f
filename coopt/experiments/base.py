"""Named experiments: each paper figure or table as a run that writes PNG + CSV + a report.

An experiment module under ``coopt/experiments/<family>/`` defines at module level::

    EXPERIMENT = Experiment(name="itinfra-figure1", family="itinfra",
                            title="Figure 1: equilibrium regions", run=run)

    def run(out_dir: Path, quick: bool) -> ExperimentOutput:
        frame = run_sweep(...)                    # or any computation
        write_csv(frame, out_dir / "figure1.csv")
        save_figure(fig, out_dir / "figure1.png")
        return ExperimentOutput(files=[...], report="...markdown...", checks={"agreement": 1.0})

:func:`experiments` finds them (walking ``coopt.experiments.<family>.*``); :func:`reproduce`
runs some or all into ``out_dir/<name>/`` and writes ``out_dir/REPORT.md``. The helpers
:func:`write_csv`, :func:`save_figure`, :func:`write_text` write atomically (temp file + rename),
so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import pkgutil
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coopt.errors import CooptError, InputError

REPORT = "REPORT.md"
_NOT_FAMILIES = {"base", "sweep"}


@dataclass
class ExperimentOutput:
    """What an experiment produced: its files, a Markdown report fragment and named checks.

    ``checks`` holds numbers or short strings worth a line in the report (e.g. ``agreement``: the
    share of grid points where the model-based region and the closed form agree).
    """

    files: list[Path] = field(default_factory=list)
    report: str = ""
    checks: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """A paper figure or table: ``run(out_dir, quick) -> ExperimentOutput``.

    ``name`` is what users type (``coopt reproduce itinfra-figure1``); ``family`` the paper's family
    (itinfra, dpshare, vaccine); ``quick`` asks for coarser grids that finish in seconds to minutes.
    """

    name: str
    family: str
    title: str
    run: Callable[[Path, bool], ExperimentOutput]
    doc: str = ""


class ExperimentFailed(CooptError):
    """One or more experiments raised; the others finished and REPORT.md says which (exit 1)."""

    exit_code = 1


# ----------------------------------------------------------------------------- registry


@functools.cache
def experiments() -> dict[str, Experiment]:
    """Every ``EXPERIMENT`` under ``coopt.experiments.<family>.*``, by name (sorted)."""
    import coopt.experiments as pkg

    found: dict[str, Experiment] = {}
    for fam in pkgutil.iter_modules(pkg.__path__):
        if not fam.ispkg or fam.name in _NOT_FAMILIES:
            continue
        fam_pkg = importlib.import_module(f"{pkg.__name__}.{fam.name}")
        modules = [fam_pkg.__name__] + [
            m.name for m in pkgutil.walk_packages(fam_pkg.__path__, prefix=f"{fam_pkg.__name__}.")
        ]
        for name in modules:
            exp = getattr(importlib.import_module(name), "EXPERIMENT", None)
            if isinstance(exp, Experiment):
                if exp.name in found and found[exp.name] is not exp:
                    raise RuntimeError(f"experiment {exp.name} registered twice ({name})")
                found[exp.name] = exp
    return dict(sorted(found.items()))


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``; an unknown name lists the known ones."""
    known = experiments()
    if name not in known:
        raise InputError(f"unknown experiment '{name}' (known: {', '.join(known) or 'none'}, or 'all')")
    return known[name]


def select(names: list[str], registry: Mapping[str, Experiment] | None = None) -> list[Experiment]:
    """Experiments for ``names`` (``["all"]`` = every one), in the order given, without repeats."""
    registry = experiments() if registry is None else registry
    if not names:
        raise InputError("name at least one experiment, or 'all'")
    chosen: dict[str, Experiment] = {}
    for name in names:
        if name == "all":
            chosen.update(registry)
        elif name in registry:
            chosen[name] = registry[name]
        else:
            raise InputError(f"unknown experiment '{name}' (known: {', '.join(registry) or 'none'}, or 'all')")
    return list(chosen.values())


# ----------------------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``, else delete it.

    The temp name keeps the suffix (``.x.png.tmp-….png``) so writers that infer the format from it work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text(text: str, path: Path | str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_csv(frame: pd.DataFrame, path: Path | str, index: bool = False, **kwargs: Any) -> Path:
    """Write ``frame`` to CSV atomically (no index column by default); return the path."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=index, **kwargs)
    return Path(path)


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend: figures go to files, no screen needed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: Path | str, dpi: int = 150, close: bool = True, **kwargs: Any) -> Path:
    """Save a matplotlib figure atomically (format from the suffix, tight bbox); close it by default."""
    path = Path(path)
    kwargs.setdefault("bbox_inches", "tight")
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png", **kwargs)
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return path


# ----------------------------------------------------------------------------- reproduce


@dataclass
class _Outcome:
    experiment: Experiment
    output: ExperimentOutput | None
    seconds: float
    error: str | None = None


def _run_one(exp: Experiment, out_dir: Path, quick: bool) -> _Outcome:
    target = out_dir / exp.name
    target.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    try:
        output = exp.run(target, quick)
        if not isinstance(output, ExperimentOutput):
            raise TypeError(f"experiment {exp.name} returned {type(output).__name__}, not ExperimentOutput")
    except CooptError as err:
        return _Outcome(exp, None, time.perf_counter() - t0, f"{type(err).__name__}: {err}")
    except Exception as err:  # an experiment's bug: record it, finish the others
        tb = traceback.extract_tb(err.__traceback__)[-1]
        where = f" ({Path(tb.filename).name}:{tb.lineno})"
        return _Outcome(exp, None, time.perf_counter() - t0, f"{type(err).__name__}: {err}{where}")
    return _Outcome(exp, output, time.perf_counter() - t0)


def _fmt_check(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _section(o: _Outcome, out_dir: Path) -> str:
    exp = o.experiment
    lines = [f"## {exp.title}", "", f"`coopt reproduce {exp.name}` ({exp.family}), {o.seconds:.1f} s", ""]
    if o.error is not None:
        lines += [f"**FAILED**: {o.error}", ""]
        return "\n".join(lines)
    out = o.output
    assert out is not None
    for f in out.files:
        p = Path(f)
        try:  # links relative to REPORT.md, whether out_dir was given relative or absolute
            rel = p.resolve().relative_to(out_dir.resolve())
        except ValueError:
            rel = p
        if p.suffix.lower() in (".png", ".svg", ".jpg"):
            lines.append(f"![{p.name}]({rel.as_posix()})")
        else:
            lines.append(f"- [{p.name}]({rel.as_posix()})")
    if out.files:
        lines.append("")
    if out.checks:
        lines += ["| check | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt_check(v)} |" for k, v in out.checks.items()]
        lines.append("")
    if out.report.strip():
        lines += [out.report.strip(), ""]
    return "\n".join(lines)


def render_report(outcomes: list[_Outcome], out_dir: Path, quick: bool) -> str:
    """The combined Markdown report: a summary table, then one section per experiment."""
    mode = "quick (coarse grids)" if quick else "full"
    lines = ["# coopt reproduce", "", f"Mode: {mode}. Generated {time.strftime('%Y-%m-%d %H:%M:%S %Z')}.", "",
             "| experiment | status | time (s) |", "|---|---|---|"]
    for o in outcomes:
        lines.append(f"| {o.experiment.name} | {'FAILED' if o.error else 'ok'} | {o.seconds:.1f} |")
    lines.append("")
    return "\n".join(lines + [_section(o, out_dir) for o in outcomes])


def reproduce(names: list[str], out_dir: Path | str, quick: bool = False, progress: bool = True,
              registry: Mapping[str, Experiment] | None = None) -> Path:
    """Run the named experiments (or ``["all"]``) into ``out_dir/<name>/``; write ``out_dir/REPORT.md``.

    Unknown names raise :class:`InputError` listing the known ones, before anything runs. An
    experiment that raises is recorded as FAILED in the report, the others still run, and
    :class:`ExperimentFailed` (exit 1) is raised after the report is written. Sweeps inside share
    one local Dask cluster. Returns the report's path.
    """
    from coopt.experiments.sweep import cluster_session

    chosen = select(list(names), registry)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    console = None
    if progress:
        from rich.console import Console

        console = Console(stderr=True)
    outcomes: list[_Outcome] = []
    with cluster_session():
        for i, exp in enumerate(chosen, 1):
            if console is not None:
                console.print(f"[bold][{i}/{len(chosen)}][/bold] {exp.name}: {exp.title}")
            o = _run_one(exp, out_dir, quick)
            outcomes.append(o)
            if console is not None:
                state = f"[red]FAILED[/red] {o.error}" if o.error else "[green]done[/green]"
                console.print(f"      {state} in {o.seconds:.1f} s")
    report = write_text(render_report(outcomes, out_dir, quick), out_dir / REPORT)
    failed = [o.experiment.name for o in outcomes if o.error]
    if failed:
        raise ExperimentFailed(f"{len(failed)} experiment(s) failed: {', '.join(failed)} (see {report})")
    return report


__all__ = [
    "Experiment", "ExperimentFailed", "ExperimentOutput", "atomic_path", "experiments", "get_experiment",
    "reproduce", "save_figure", "select", "write_csv", "write_text",
]
