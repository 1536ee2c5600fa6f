"""Largest Nash and robust coalition size as exact step functions of sigma (Figure 1, Lemmas 5 and 6).

Every coalition is stable on one half-open sigma^2 interval ([T, E) Nash, [T, R) robust;
docs/derivations/dpshare.md#stability),
so the largest stable size changes only at window end points. Enumerating the windows of all subsets
(n <= 20) gives the step functions exactly: a list of [sigma_lo, sigma_hi) pieces with their sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare.stability import features


def windows(c_sorted: np.ndarray, alpha: float) -> pd.DataFrame:
    """sigma^2 windows of every subset with k >= 2: columns mask, k, T, E (Nash end), R (robust end)."""
    masks, k, W, wmax, wl0 = features(cf.w(c_sorted))
    with np.errstate(invalid="ignore", over="ignore"):
        T = cf.T(W, wmax, k, alpha)
        E = np.where(np.isinf(wl0), np.inf, cf.E(W, np.where(np.isinf(wl0), 0.0, wl0), k, alpha))
        R = cf.R(W, wmax, wl0, k, alpha)
    return pd.DataFrame({"mask": masks, "k": k, "T": T, "E": E, "R": R})


def step_functions(c_sorted: np.ndarray, alpha: float) -> pd.DataFrame:
    """Pieces [sigma_lo, sigma_hi) with the largest Nash size and largest robust size (0 = none).

    Adjacent pieces with equal sizes are merged; sigma = sqrt(sigma^2).
    """
    win = windows(c_sorted, alpha)
    pts = np.unique(np.concatenate([[0.0], win["T"].values, win["E"].values, win["R"].values]))
    pts = pts[np.isfinite(pts)]
    lo = pts
    hi = np.append(pts[1:], np.inf)
    mid = np.where(np.isfinite(hi), 0.5 * (lo + hi), lo + 1.0)
    T, E, R, k = (win[x].values for x in ("T", "E", "R", "k"))
    nash = np.zeros(mid.size, dtype=int)
    rob = np.zeros(mid.size, dtype=int)
    order = np.argsort(T)
    for j, s in enumerate(mid):  # pieces are few (<= 3 * 2^n); each test is vectorised over subsets
        sel = order[: np.searchsorted(T[order], s, side="right")]
        nk = k[sel][s < E[sel]]
        rk = k[sel][s < R[sel]]
        nash[j] = nk.max() if nk.size else 0
        rob[j] = rk.max() if rk.size else 0
    rows = []
    for a, b, nn, rr in zip(lo, hi, nash, rob):
        if rows and rows[-1][2] == nn and rows[-1][3] == rr:
            rows[-1][1] = b
        else:
            rows.append([a, b, int(nn), int(rr)])
    frame = pd.DataFrame(rows, columns=["sigma2_lo", "sigma2_hi", "max_nash", "max_robust"])
    frame.insert(0, "sigma_hi", np.sqrt(frame["sigma2_hi"]))
    frame.insert(0, "sigma_lo", np.sqrt(frame["sigma2_lo"]))
    return frame
