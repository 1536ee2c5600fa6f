"""The case study with the 50 US states and D.C. as players, beside the ten HHS regions (issue: large games).

The paper's Section 7 asks whether regions sharing a vaccine stockpile can split the gain so that
no group is better off alone, for the ten HHS regions (Table 1). Here the same question for the 51
states (``vaccine/us-states``: each state with its region's return function, the same doses per
inhabitant, tau = 10, V pro rata), answered without the 2^51 values: v(N) and f* by the exact
branch and bound, epsilon* of the least core by constraint generation with the exact separation
oracle, and every allocation judged by one certified separation. Reported beside the 10-region
game (exact enumeration of its 1023 values): epsilon*, whether the core is empty, the tight
coalitions (the least core's positive-dual rows -- a balanced collection when the core is empty),
the market allocations at p1..p4 (Section 6.2, with the exact f*) and the nucleolus levels fixed
within a time budget. ``--quick``: the first 15 states and no nucleolus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import coopt
from coopt.experiments.base import Experiment, ExperimentOutput, pyplot
from coopt.formulations.vaccine.prices import analytic_prices, market_allocation
from coopt.games.vaccine.large import grand_optimum, judge_allocation, least_core_large
from coopt.games.vaccine.separation import VaccineSeparationOracle, members_of, subgame

plt = pyplot()

REGIONS_FILE = Path(coopt.__file__).parent / "data" / "vaccine" / "us-states-hhs.csv"
NUCLEOLUS_BUDGET = 900.0  # seconds for the 51-state nucleolus levels (full run only)


def analyse(inst: Any, tol: float = 1e-7, nucleolus_budget: float | None = None) -> dict[str, Any]:
    """Everything the report says about one game (any n)."""
    oracle = VaccineSeparationOracle(inst)
    vN, vN_up, f, lam = grand_optimum(oracle)
    lc, _ = least_core_large(oracle, tol=tol)
    names = list(inst.names)
    M, r = np.asarray(inst.M, float), np.asarray(inst.r, float)
    funcs = inst.functions
    F = [fn.F for fn in funcs]
    dF = [fn.dF for fn in funcs]
    ft = np.array([fn.f_tilde for fn in funcs])
    prices = analytic_prices(M, r, f, F, dF, ft) if r.sum() > 0 and np.any(f > 0) else {}
    if lam is not None:
        prices["lambda*"] = lam
    market = {}
    for key, p in prices.items():
        x = market_allocation(M, r, f, F, p)
        market[key] = {"price": p, **judge_allocation(oracle, x)}
    decide = inst.epsilon + 1e-9 * vN  # the decision follows the proven interval [lower, upper] of e*
    empty = (True if lc.lower is not None and lc.lower > decide else
             False if lc.upper is not None and lc.upper <= decide else None)
    tight = sorted(lc.tight, key=lambda m: -bin(m).count("1"))
    count = np.zeros(len(names), int)
    for m in tight:
        count += members_of(m, len(names))
    out = {"n": len(names), "v_N": vN, "v_N_bound": vN_up, "lambda_star": lam, "epsilon": lc.epsilon,
           "epsilon_lower": lc.lower, "epsilon_upper": lc.upper,
           "status": lc.status.value, "empty": empty, "separation_bound": lc.separation_bound,
           "bound_minus_epsilon": (lc.separation_bound - lc.epsilon) if lc.epsilon is not None and
           lc.separation_bound is not None else None, "rounds": lc.rounds, "generated": lc.generated,
           "engine": lc.engine, "wall_time": lc.wall_time,
           "tight": [[names[i] for i in range(len(names)) if (m >> i) & 1] for m in tight],
           "in_tight": dict(zip(names, map(int, count))), "market": market,
           "allocation": dict(zip(names, map(float, lc.x))), "f_star": dict(zip(names, map(float, f))),
           "oracle": dict(oracle.stats)}
    if nucleolus_budget:
        from coopt.games.vaccine.nucleolus_cg import nucleolus_cg

        nu = nucleolus_cg(oracle, tol=tol, time_limit=nucleolus_budget)
        out["nucleolus"] = {k: v for k, v in nu.to_dict().items() if k != "level_coalitions"}
    return out


def _fmt(x: Any, digits: int = 6) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def _section(title: str, a: dict[str, Any]) -> list[str]:
    lines = [f"### {title}", "",
             f"- players: {a['n']}; v(N) = {a['v_N']:.10g} persons escaping infection (bound {a['v_N_bound']:.10g}); "
             f"price of doses in f*: lambda* = {_fmt(a['lambda_star'])}",
             f"- least core: epsilon* = {_fmt(a['epsilon'], 8)} persons ({a['status']}; {a['engine']}, "
             f"{a['rounds']} rounds, {a['generated']} coalitions generated, {a['wall_time']:.0f} s); certified "
             f"max_S v(S) - x(S) = {_fmt(a['separation_bound'], 8)} (bound - epsilon* = "
             f"{_fmt(a['bound_minus_epsilon'], 3)}, {(a['bound_minus_epsilon'] or 0) / a['v_N']:.1e} v(N))",
             f"- core: **{ {True: 'empty', False: 'non-empty', None: 'undetermined'}[a['empty']] }** (e* proven in "
             f"[{_fmt(a['epsilon_lower'], 8)}, {_fmt(a['epsilon_upper'], 8)}])",
             f"- tight coalitions (positive duals): {len(a['tight'])}"]
    for members in a["tight"][:8]:
        shown = ", ".join(members) if len(members) <= 12 else f"{len(members)} players (all but " + \
            ", ".join(sorted(set(a['allocation']) - set(members))) + ")"
        lines.append(f"  - {{{shown}}}")
    if len(a["tight"]) > 8:
        lines.append(f"  - ... and {len(a['tight']) - 8} more (CSV)")
    never = [nm for nm, c in a["in_tight"].items() if c == 0]
    lines.append(f"- players in no tight coalition: {', '.join(never) if never else 'none'}")
    lines.append("- market allocations x_i = M_i F_i(f*_i) + p (r_i - f*_i M_i) (Section 6.2, exact f*):")
    for key, m in a["market"].items():
        verdict = "in the core" if m["in_core"] else "not in the core"
        lines.append(f"  - {key} = {m['price']:.6g}: {verdict}; largest excess {_fmt(m['max_excess'], 6)} "
                     f"(certified <= {_fmt(m['bound'], 6)}) by a coalition of {len(m['coalition'])}")
    if "nucleolus" in a:
        nu = a["nucleolus"]
        lines.append(f"- nucleolus (sequential LPs with the oracle): {nu['status']}, {nu['levels_fixed']} levels "
                     f"fixed, rank {nu['rank']} of {nu['n']} in {nu['wall_time']:.0f} s; levels "
                     + ", ".join(f"{e:.6g}" for e in nu["levels"][:10]))
    return lines


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    us = coopt.load("vaccine/us-states")
    states = subgame(us, list(us.names[:15])) if quick else us
    hhs = coopt.load("vaccine/us-hhs-2009")
    regions = pd.read_csv(REGIONS_FILE)
    a_states = analyse(states, nucleolus_budget=None if quick else NUCLEOLUS_BUDGET)
    a_regions = analyse(hhs)
    from coopt.games.vaccine.core import exact_game, least_core_epsilon

    a_regions["epsilon_enumeration"] = least_core_epsilon(exact_game(hhs)[0])[0]  # all 1023 values, one LP
    table = regions[regions["name"].isin(list(states.names))].copy()
    table["r"] = [float(x) for x in states.r]
    table["f_star"] = table["name"].map(a_states["f_star"])
    table["least_core_x"] = table["name"].map(a_states["allocation"])
    table["x_per_capita"] = table["least_core_x"] / table["M"]
    table["in_tight_coalitions"] = table["name"].map(a_states["in_tight"])
    csv = out_dir / "us_states.csv"
    table.to_csv(csv, index=False)
    js = out_dir / "us_states.json"
    js.write_text(json.dumps({"states": a_states, "regions": a_regions}, indent=1, default=str))
    fig, ax = plt.subplots(figsize=(12, 4.5))
    order = table.sort_values(["hhs_region", "name"])
    colors = plt.get_cmap("tab10")(order["hhs_region"].to_numpy() - 1)
    ax.bar(order["abbreviation"], order["x_per_capita"], color=colors)
    ax.set_ylabel("least-core payoff per inhabitant")
    ax.set_title(f"{states.name}: a least-core allocation (epsilon* = {_fmt(a_states['epsilon'], 6)}), "
                 "coloured by HHS region")
    ax.tick_params(axis="x", labelsize=7, rotation=90)
    ax.set_ylim(min(0.0, float(order["x_per_capita"].min()) * 1.05), float(order["x_per_capita"].max()) * 1.05)
    png = out_dir / "us_states.png"
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    plt.close(fig)
    lines = [f"## The {a_states['n']}-state game beside the 10-region game (tau = 10, "
             f"{float(hhs.resources.total) / float(np.sum(hhs.M)):.4g} doses per inhabitant)", "",
             *_section(f"{a_states['n']} states ({states.name})", a_states), "",
             *_section("10 HHS regions (vaccine/us-hhs-2009)", a_regions),
             f"- the same epsilon* from all 1023 exact values in one LP: {a_regions['epsilon_enumeration']:.8g}", "",
             f"Files: {csv.name}, {js.name}, {png.name}."]
    checks = {"states_epsilon": a_states["epsilon"], "states_empty": a_states["empty"],
              "regions_epsilon": a_regions["epsilon"], "regions_empty": a_regions["empty"],
              "regions_epsilon_enumeration": a_regions["epsilon_enumeration"],
              "states_bound_gap_rel": (a_states["bound_minus_epsilon"] or 0) / a_states["v_N"]}
    return ExperimentOutput(files=[csv, js, png], report="\n".join(lines), checks=checks)


EXPERIMENT = Experiment(name="vaccine-us-states", family="vaccine",
                        title="The 50 US states and D.C.: least core, tight coalitions, market verdict (large games)",
                        run=run, doc=__doc__ or "")
