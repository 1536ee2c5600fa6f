"""Shared helpers of the dpshare problems: coalitions by name, evaluation of a coalition."""

from __future__ import annotations

from typing import Any

import numpy as np

from coopt.data.dpshare import DpShareInstance
from coopt.errors import InputError
from coopt.formulations.dpshare import closed_form as cf


def coalition(inst: DpShareInstance, names: list[str] | None, field: str = "coalition") -> list[int]:
    """Sorted positions of a coalition given by agent names (None = all agents); needs >= 2 members."""
    if names is None:
        return list(range(inst.n))
    pos = inst.index_of(list(names), field)
    if len(pos) < 2:
        raise InputError(f"option '{field}' = {','.join(names)}: a coalition needs at least 2 agents")
    return pos


def names_of(inst: DpShareInstance, positions: list[int] | np.ndarray) -> list[str]:
    """Agent names of sorted positions, cheapest first."""
    return [inst.names[int(i)] for i in sorted(positions)]


def selfish_outcome(inst: DpShareInstance, S: list[int], sigma2: float | None = None) -> dict[str, Any]:
    """Lemma 2 at coalition S: epsilon by name, Var_d (5), SC_d (6), member burdens (closed forms)."""
    s2 = inst.sigma2 if sigma2 is None else sigma2
    S = sorted(S)
    k = len(S)
    ws = cf.w(inst.c)
    W = float(ws[S].sum())
    eps = cf.eps_selfish(inst.c[S], k, inst.alpha)
    B = cf.burden_selfish(ws[S], W, k, s2, inst.alpha)
    return {
        "coalition": names_of(inst, S),
        "epsilon": {inst.names[i]: float(e) for i, e in zip(S, eps)},
        "social_cost": float(cf.sc_selfish(W, k, inst.n, s2, inst.alpha)),
        "variance": float(cf.var_selfish(W, k, s2, inst.alpha)),
        "burdens": {inst.names[i]: float(b) for i, b in zip(S, B)},
    }


def central_outcome(inst: DpShareInstance, S: list[int]) -> dict[str, Any]:
    """Lemma 1 at coalition S: epsilon by name, Var_c (2), SC_c (3)."""
    S = sorted(S)
    k = len(S)
    if k == 0:
        return {"coalition": [], "epsilon": {}, "social_cost": inst.n * inst.sigma2, "variance": inst.sigma2}
    W = float(cf.w(inst.c)[S].sum())
    eps = cf.eps_central(inst.c[S], k, inst.alpha)
    return {
        "coalition": names_of(inst, S),
        "epsilon": {inst.names[i]: float(e) for i, e in zip(S, eps)},
        "social_cost": float(cf.sc_central(W, k, inst.n, inst.sigma2, inst.alpha)),
        "variance": float(cf.var_central(W, k, inst.sigma2, inst.alpha)),
    }
