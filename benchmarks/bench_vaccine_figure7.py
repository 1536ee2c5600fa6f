"""Figure 7 (or 8) of the vaccine paper at the full 11 x 61 grid with 2 workers: under 10 minutes.

Issue 14: ``coopt reproduce vaccine-figure7`` (full grid, 2 workers) under 10 minutes measured here,
with the same verdicts as before on every cell. The run is the experiment itself, in-process (its
sweep starts the usual 2 Dask worker processes), timed end to end (engine start, sweep, CSV, PNG).
Before it, the honest estimate of ``_figure7.estimate`` (the same engine on every tau and a
subsample of V) is printed, with its ratio to the measured time.

Baseline (measured on this machine before issue 14's changes, main at 4dc80aa): 16 min 35 s, 1381
CPU-s (issue 14); re-measured in the perf stream's report.

    python benchmarks/bench_vaccine_figure7.py [--figure 7|8] [--estimate-only] [--reference old.csv]
                                               [--out DIR] [--no-fail]

``--reference``: a figure7.csv from an earlier run; every cell's verdicts (empty, h_empty, market
and p1..p4 in core, ...) must be identical and every number within 1e-9 relative.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

from _figure7 import compare, estimate, run_full
from _target import add_no_fail, check, finish, target

LIMIT = 600.0  # seconds: 10 minutes


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime + me.ru_utime + me.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figure", type=int, choices=(7, 8), default=7)
    ap.add_argument("--estimate-only", action="store_true", help="only the estimate (no full run)")
    ap.add_argument("--sample", type=int, default=6, help="V values per tau in the estimate's calibration")
    ap.add_argument("--reference", type=Path, help="an earlier figure CSV to compare verdicts with")
    ap.add_argument("--out", type=Path, help="keep the full run's output here (default: a temporary directory)")
    add_no_fail(ap)
    args = ap.parse_args()
    fig = args.figure

    c0 = _children_cpu()
    est = estimate(fig, sample=args.sample)
    print(f"Figure {fig} estimate: {est.seconds:.0f} s ({est.seconds / 60:.1f} min) = engine overhead "
          f"{est.overhead:.1f} s + chunks {sum(est.chunks.values()):.0f} s on 2 workers + report {est.report:.1f} s; "
          f"calibration {est.calibration_cells} cells in {est.calibration_wall:.1f} s, "
          f"{est.cell_cpu:.3f} CPU-s per cell in the workers, {_children_cpu() - c0:.0f} CPU-s in all")
    for line in est.details:
        print(f"  note: {line}")
    if args.estimate_only:
        target(f"Figure {fig} full grid, 2 workers (estimated)", est.seconds, LIMIT, "s")
        return finish(args.no_fail)

    c0 = _children_cpu()
    wall, csv = run_full(fig, args.out)
    cpu = _children_cpu() - c0
    print(f"Figure {fig} full grid (671 cells, 2 workers): {wall:.0f} s ({wall / 60:.1f} min), {cpu:.0f} CPU-s "
          f"(this process + its reaped workers); estimate / measured = {est.seconds / wall:.2f}")
    import pandas as pd

    frame = pd.read_csv(csv)
    errors = frame["error"].notna() if "error" in frame.columns else pd.Series(False, index=frame.index)
    example = ""
    if errors.any():
        bad = frame[errors].iloc[0]
        example = f", e.g. tau={bad['tau']:g}, V={bad['V']:.3g}: {str(bad['error'])[:120]}"
    check(f"Figure {fig}: every cell computed (no error row)", not errors.any(),
          f"{int(errors.sum())} error rows{example}")
    target(f"coopt reproduce vaccine-figure{fig} full grid, 2 workers", wall, LIMIT, "s")
    if args.reference:
        res = compare(csv, args.reference)
        worst = max(res["worst_rel"].values(), default=0.0)
        check(f"Figure {fig}: same verdicts as {args.reference.name} on every cell", res["verdicts_identical"],
              f"{res['cells_new']} cells vs {res['cells_ref']}, unmatched {res['unmatched']}, "
              f"differing verdicts {sum(res['verdict_diffs'].values())}")
        check(f"Figure {fig}: numbers within 1e-9 relative of the reference", res["numbers_within"],
              f"worst relative difference {worst:.2e}")
    return finish(args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
