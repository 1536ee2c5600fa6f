"""Benchmark: coopt's TU engine against coopgame-py 0.3.0, in the same run, on seeded random games.

Least core (preimputation), nucleolus (imputation; coopt's time includes its floating-point Kohlberg
verification; for n <= 12 the exact rational re-check -- on by default in ``coopt solve tu.nucleolus`` --
is run once more and its time printed beside), Shapley value, at n = 10, 14, 16, 18, for two kinds of
random game (``uniform``: v(S) ~ U(0, |S|), singletons 0, v(N) = n -- generic, unique LP optima;
``integer``: v(S) = |S| * U{0, 1, 2}, v(N) = 2n -- many ties, degenerate LPs). Each time is the best
of ``--repeat`` runs, coopt and coopgame-py interleaved; the games are built before timing. Every
coopt answer is checked against coopgame-py's (e*, nucleolus allocation, Shapley value).

Targets (printed; the script exits 1 when one is missed, ``--no-fail`` to explore):
* issue 11: least core at n = 16 no slower than coopgame-py (ratio <= 1), nucleolus correct on every
  game and <= 2x coopgame-py's time, nucleolus at n = 20 under 60 s;
* issue 14: least core at n = 16 within 2x of coopgame-py.

coopgame-py is an optional extra (``pip install -e .[bench]``); without it the comparison rows are
skipped with a note and only coopt's own times (and the n = 20 target) are reported.

    python benchmarks/bench_tu.py [--sizes 10,14,16,18] [--repeat 3] [--no-fail]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np


def random_values(n: int, kind: str, seed: int) -> np.ndarray:
    """The 2^n - 1 non-empty coalition values in bitmask order (coopgame-py's ``order="binary"``)."""
    rng = np.random.default_rng([seed, n, {"uniform": 0, "integer": 1}[kind]])
    size = np.array([bin(m).count("1") for m in range(1, 2**n)])
    if kind == "uniform":
        v = rng.random(2**n - 1) * size
        v[-1] = n
    else:
        v = rng.integers(0, 3, size=2**n - 1) * size.astype(float)
        v[-1] = 2 * n
    v[size == 1] = 0.0
    return v


MIN_TIME = 0.3  # seconds: fast cases are repeated (up to 50 times) until they have run this long


def best_of(fn: Callable[[], Any], repeat: int, other: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Best wall time of at least ``repeat`` calls of ``fn`` (more for fast calls, so that a busy machine's
    preemptions do not decide the minimum); ``other`` runs between them, spreading the load over both sides."""
    best, out, spent, k = float("inf"), None, 0.0, 0
    while k < repeat or (spent < MIN_TIME and k < 50):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best, spent, k = min(best, dt), spent + dt, k + 1
        if other is not None:
            other()
    return best, out


def check(what: str, game: Any, mine: Any, ref: Any) -> tuple[bool, str]:
    """Is coopt's answer right (and verified)? Compared with coopgame-py's when it ran."""
    scale = game.scale()
    if what == "least core":
        note = f"e* {mine.epsilon:.6g} ({mine.rounds} rounds, {len(mine.masks)} rows)"
        ok = mine.status.value == "optimal"
        if ref is not None:
            ok = ok and abs(mine.epsilon - ref["epsilon"]) <= 1e-7 * scale
        return ok, note
    if what == "nucleolus":
        ok = bool(mine.verified)
        note = f"{mine.lp_solves} LPs, {mine.rows} rows, Kohlberg-verified {mine.verified}"
        if ref is not None:
            dev = float(np.max(np.abs(mine.x - np.asarray(ref["allocation"]))))
            ok = ok and dev <= 1e-6 * scale
            note += f", |x - coopgame| {dev:.1e}"
        return ok, note
    if ref is None:
        return True, ""
    dev = float(np.max(np.abs(mine - np.asarray(ref))))
    return dev <= 1e-9 * scale, f"|phi - coopgame| {dev:.1e}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,14,16,18")
    ap.add_argument("--kinds", default="uniform,integer")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--big", type=int, default=20, help="players of the nucleolus-under-60-s target (0: skip)")
    ap.add_argument("--no-fail", action="store_true", help="report missed targets without a non-zero exit")
    args = ap.parse_args()

    from coopt.data.tu import TUGame
    from coopt.games.tu.least_core import least_core
    from coopt.games.tu.nucleolus import EXACT_MAX, nucleolus
    from coopt.games.tu.values import shapley

    try:
        import coopgame
    except ImportError:
        coopgame = None
        print("note: coopgame-py is not installed (pip install -e .[bench]): comparison rows skipped")

    sizes = [int(s) for s in args.sizes.split(",") if s]
    kinds = [k for k in args.kinds.split(",") if k]
    missed: list[str] = []
    rows = []
    for kind in kinds:
        for n in sizes:
            v = random_values(n, kind, args.seed)
            game = TUGame.from_array(v)
            G = coopgame.Game(v.tolist()) if coopgame else None
            least_core(game)  # warm-up (imports, HiGHS)
            cases = {
                "least core": (partial(least_core, game),
                               partial(coopgame.least_core, G, domain="preimputation") if G else None),
                "nucleolus": (partial(nucleolus, game, exact=False), partial(coopgame.nucleolus, G) if G else None),
                "Shapley": (partial(shapley, game), partial(coopgame.shapley, G) if G else None),
            }
            for what, (ours, theirs) in cases.items():
                t_c, mine = best_of(ours, args.repeat, theirs)
                t_g, ref = best_of(theirs, args.repeat) if theirs else (None, None)
                ok, note = check(what, game, mine, ref)
                if what == "nucleolus" and n <= EXACT_MAX:
                    t_x, nx = best_of(partial(nucleolus, game, exact=True), 1)
                    ok = ok and bool(nx.verified_exact)
                    note += f"; with the exact re-check {t_x:.3f} s (exact {nx.verified_exact})"
                ratio = t_c / t_g if t_g else None
                rows.append((kind, n, what, t_c, t_g, ratio, ok, note))
                if not ok:
                    missed.append(f"{what} n={n} ({kind}): answer disagrees or not verified")
                if ratio is not None and what == "nucleolus" and ratio > 2.0:
                    missed.append(f"nucleolus n={n} ({kind}): {ratio:.2f}x coopgame-py (target <= 2x)")
                if ratio is not None and what == "least core" and n == 16:
                    if ratio > 2.0:
                        missed.append(f"least core n=16 ({kind}): {ratio:.2f}x coopgame-py (issue 14: <= 2x)")
                    elif ratio > 1.0:
                        missed.append(f"least core n=16 ({kind}): {ratio:.2f}x coopgame-py (issue 11: <= 1x)")

    print(f"\n{'game':8} {'n':>3} {'what':11} {'coopt s':>9} {'coopgame s':>10} {'ratio':>7}  ok  note")
    for kind, n, what, t_c, t_g, ratio, ok, note in rows:
        tg = f"{t_g:10.4f}" if t_g is not None else f"{'-':>10}"
        rt = f"{ratio:7.2f}" if ratio is not None else f"{'-':>7}"
        print(f"{kind:8} {n:3d} {what:11} {t_c:9.4f} {tg} {rt}  {'yes' if ok else 'NO '} {note}")

    why = {  # measured causes, per method (the rows below say where)
        "least core": "constraint generation solves 2-3 small LPs, each with its dual certificate, and runs a "
                      "separation pass over all 2^n coalitions after each (profiled at n = 10: HiGHS 35%, "
                      "separation 20%, certificates 15% of 2.7 ms), where one LP over all 2^n rows is already cheap",
        "nucleolus": "each level's LP and the Kohlberg verification have fixed costs that a small game does not "
                     "amortise",
        "Shapley": "the vectorised formula allocates 2^n-sized arrays; at this size both take microseconds",
    }
    slower = [(kind, n, what, ratio) for kind, n, what, _, _, ratio, _, _ in rows if ratio is not None and ratio > 1]
    if slower:
        print("\nwhere coopt is slower than coopgame-py, and why:")
        for what in why:
            where = [f"n={n} {kind} ({ratio:.2f}x)" for kind, n, w, ratio in slower if w == what]
            if where:
                print(f"  {what}: {', '.join(where)}: {why[what]}")

    if args.big:
        n = args.big
        v = random_values(n, "uniform", args.seed)
        game = TUGame.from_array(v)
        t0 = time.perf_counter()
        nu = nucleolus(game)
        t_big = time.perf_counter() - t0
        met = t_big < 60 and nu.verified
        print(f"\nnucleolus at n = {n} (uniform): {t_big:.2f} s, {nu.lp_solves} LPs, verified {nu.verified} "
              f"(target < 60 s: {'met' if met else 'NOT met'})")
        if not met:
            missed.append(f"nucleolus at n = {n}: {t_big:.1f} s, verified {nu.verified} (target < 60 s)")

    print("\ntargets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
