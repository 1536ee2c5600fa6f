"""Nucleolus and Shapley value of the vaccine games beside the paper's market prices, and which are in the core.

For Examples 1-3 and the US case study (the bundled ``vaccine/us-hhs-2009``: tau = 10, V = 3e7, exact
v(S) of its 1023 coalitions), the allocations a reader compares: the nucleolus (`coopt.games.tu.nucleolus`,
verified by the Kohlberg criterion), the Shapley value (`coopt.games.tu.values`) and the market allocations
at the paper's prices p1..p4 (`coopt.games.vaccine.market`), each judged by coopt's one core test
(`coopt.games.tu.core.in_core`, the paper's epsilon plus 1e-9 max|v|).
"""

from __future__ import annotations

from typing import Any

import coopt
from coopt.games.tu.core import core_verdict, in_core
from coopt.games.tu.least_core import least_core
from coopt.games.tu.nucleolus import nucleolus
from coopt.games.tu.values import shapley
from coopt.games.vaccine.core import exact_game
from coopt.games.vaccine.market import analyze_market, market_data

INSTANCES = ("example-1", "example-2", "example-3", "us-hhs-2009")


def concepts_row(name: str) -> dict[str, Any]:
    """One instance: nucleolus, Shapley value, market prices and their core verdicts."""
    inst = coopt.load(f"vaccine/{name}")
    game, f = exact_game(inst)
    eps = float(getattr(inst, "epsilon", 1e-5))
    nu = nucleolus(game)
    phi = shapley(game)
    market = analyze_market(game, market_data(inst, game.names, f), eps, with_lp=False)
    prices = {k: p["in_core"] for k, p in market["prices"].items()}
    return {
        "instance": name, "players": game.n, "core_empty": core_verdict(game, least_core(game), eps),
        "nucleolus": dict(zip(game.names, map(float, nu.x))), "nucleolus_verified": bool(nu.verified),
        "nucleolus_in_core": in_core(game, nu.x, eps), "shapley": dict(zip(game.names, map(float, phi))),
        "shapley_in_core": in_core(game, phi, eps), "prices_in_core": prices,
        "core_price_interval": market["core_price_interval"],
    }


def _fmt(x: dict[str, float], limit: int = 4) -> str:
    items = list(x.items())
    s = ", ".join(f"{k}: {v:.4g}" for k, v in items[:limit])
    return s + (f", ... ({len(items)} players)" if len(items) > limit else "")


def report_lines(rows: list[dict[str, Any]]) -> list[str]:
    """A Markdown table and one sentence on which allocations lie in the core."""
    lines = ["| instance | core empty | nucleolus (verified) | in core | Shapley value | in core | "
             "prices p1-p4 in core |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        pr = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in r["prices_in_core"].items()) or "-"
        yes = {True: "yes", False: "no"}
        lines.append(f"| {r['instance']} | {yes[r['core_empty']]} | {_fmt(r['nucleolus'])} "
                     f"({'verified' if r['nucleolus_verified'] else 'NOT verified'}) | {yes[r['nucleolus_in_core']]} | "
                     f"{_fmt(r['shapley'])} | {yes[r['shapley_in_core']]} | {pr} |")
    nu_in = [r["instance"] for r in rows if r["nucleolus_in_core"]]
    sh_in = [r["instance"] for r in rows if r["shapley_in_core"]]
    lines += ["", f"In the core (epsilon-core of (17)): the nucleolus in {', '.join(nu_in) or 'none'} "
                  "(it is in the core whenever the core is non-empty); the Shapley value in "
                  f"{', '.join(sh_in) or 'none'}; the market allocations at p1-p4 as marked in the table."]
    return lines


__all__ = ["INSTANCES", "concepts_row", "report_lines"]
