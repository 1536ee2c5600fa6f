"""Targets of the benchmark scripts: print each one, and fail the run when one is missed.

Every benchmark that prints a target checks it with this helper, so ``make bench`` fails when a
target is missed; ``--no-fail`` keeps the exit code 0 for exploratory runs (the lines still say
MISSED). Usage::

    from _target import add_no_fail, check, finish, target

    ap = argparse.ArgumentParser()
    add_no_fail(ap)
    args = ap.parse_args()
    target("design scan n=1e6", seconds, 2.0, "s")                 # met when measured < limit
    target("persistent re-solve speed-up", ratio, 10.0, "x", higher=True)  # met when measured >= limit
    check("same answer as the Python loop", same)                  # a yes/no condition
    return finish(args.no_fail)                                    # 1 if anything was missed

(``benchmarks/`` is the script's directory, so ``import _target`` works when a script runs as
``python benchmarks/bench_x.py``.)
"""

from __future__ import annotations

import argparse
import math

_RESULTS: list[tuple[str, bool]] = []


def add_no_fail(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-fail``: report missed targets but exit 0."""
    parser.add_argument("--no-fail", action="store_true",
                        help="exploratory run: print missed targets but exit 0")


def target(name: str, measured: float, limit: float, unit: str = "s", higher: bool = False) -> bool:
    """Record and print one target: met when ``measured < limit`` (``higher``: ``measured >= limit``).

    A measurement that is not a finite number misses its target."""
    ok = math.isfinite(measured) and (measured >= limit if higher else measured < limit)
    rel = ">=" if higher else "<"
    print(f"TARGET {name}: {measured:.4g} {unit} (target {rel} {limit:g} {unit}): {'met' if ok else 'MISSED'}",
          flush=True)
    _RESULTS.append((name, ok))
    return ok


def check(name: str, ok: bool, detail: str = "") -> bool:
    """Record and print a yes/no condition (e.g. the fast and the reference answers agree)."""
    ok = bool(ok)
    print(f"CHECK {name}: {'ok' if ok else 'FAILED'}{f' ({detail})' if detail else ''}", flush=True)
    _RESULTS.append((name, ok))
    return ok


def missed() -> list[str]:
    """Names of the targets and checks missed so far."""
    return [name for name, ok in _RESULTS if not ok]


def finish(no_fail: bool = False) -> int:
    """Print the summary line; the exit code: 1 when a target or check was missed (0 with ``no_fail``)."""
    bad = missed()
    if not _RESULTS:
        print("no targets checked")
    elif bad:
        print(f"MISSED {len(bad)} of {len(_RESULTS)}: {'; '.join(bad)}" + (" (--no-fail: exit 0)" if no_fail else ""))
    else:
        print(f"all {len(_RESULTS)} targets met")
    return 0 if (no_fail or not bad) else 1
