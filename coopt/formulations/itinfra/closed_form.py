"""Closed forms of the itinfra paper, used as independent checks of the models (never instead).

Symbols (section 3): n districts; j coalition size (members 1..j); kappa spillover weight;
beta relative interoperability outside the coalition; alpha coalition economy of scale;
p unit resource cost. All functions are vectorised over numpy arrays.
Equation numbers refer to `itinfra-coalition-formation.md`; corrections to printed formulas are
documented in `../shared/notes/itinfra-formulations.md` and beside each function.
"""

from __future__ import annotations

import numpy as np

ArrayLike = float | np.ndarray


def g_in(j: ArrayLike, kappa: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Eq. (4): symmetric resource level of a member of a size-j coalition, (1+(j-2)kappa)/(2 alpha j p)."""
    return (1 + (j - 2) * kappa) / (2 * alpha * j * p)


def total_inside(j: ArrayLike, kappa: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Coalition's total resource G*(j) = (1+(j-2)kappa)/(2 alpha p): the only thing eq. (3) fixes."""
    return (1 + (j - 2) * kappa) / (2 * alpha * p)


def g_out(kappa: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Eq. (7): outside district's dominant-strategy level (1-kappa)/(2p), independent of j."""
    return (1 - kappa) / (2 * p)


def g_single(kappa: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Singleton structure: every district's level, the same as eq. (7)."""
    return g_out(kappa, p)


def B_in(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0):
    """Eq. (5): a member's benefit, (1+(j-2)kappa)^2/(2 alpha j p) + kappa beta (1-kappa)(n-j)/(2p)."""
    return (1 + (j - 2) * kappa) ** 2 / (2 * alpha * j * p) + kappa * beta * (1 - kappa) * (n - j) / (2 * p)


def S_in(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0):
    """A member's surplus B_in - TC/j = (1+(j-2)kappa)^2/(4 alpha j p) + kappa beta (1-kappa)(n-j)/(2p)."""
    return (1 + (j - 2) * kappa) ** 2 / (4 * alpha * j * p) + kappa * beta * (1 - kappa) * (n - j) / (2 * p)


def S_out(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0):
    """Eq. (8): an outside district's surplus when a size-j coalition forms (valid for 2 <= j <= n-1)."""
    return (
        2 * beta * kappa * (1 + (j - 2) * kappa)
        + alpha * (1 - kappa) * (1 - kappa + 2 * beta * kappa * (n - j - 1))
    ) / (4 * p * alpha)


def S_single(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Eq. (9): a district's surplus in the singleton structure, (1-kappa)(kappa(2 beta(n-1)-1)+1)/(4p)."""
    return (1 - kappa) * (kappa * (2 * beta * (n - 1) - 1) + 1) / (4 * p)


def CW(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0):
    """Section 6: coalition welfare CW(j) = j S_in(j), the optimum of eq. (3)."""
    return j * S_in(j, n, kappa, beta, alpha, p)


def SW(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0):
    """Section 6: social welfare CW(j) + (n-j) S_out(j) for 2 <= j <= n."""
    return CW(j, n, kappa, beta, alpha, p) + (n - j) * S_out(j, n, kappa, beta, alpha, p)


def SW_single(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Social welfare of the singleton structure, n S_single."""
    return n * S_single(n, kappa, beta, p)


def dg_in_dj(j: ArrayLike, kappa: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Prop. 1(a): d g_in / dj = -(1-2kappa)/(2 j^2 p alpha) < 0 for kappa < 1/2."""
    return -(1 - 2 * kappa) / (2 * j**2 * p * alpha)


def j_check(kappa: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Prop. 1(c): the size where g_in(j) = g_out, (1-2kappa)/(alpha - kappa(1+alpha)).

    Not flagged in the paper: for alpha <= kappa/(1-kappa) the denominator is <= 0 and
    g_in(j) > g_out for every j (returned as +inf).
    """
    den = alpha - kappa * (1 + alpha)
    with np.errstate(divide="ignore"):
        return np.where(den > 0, (1 - 2 * kappa) / np.where(den > 0, den, 1.0), np.inf)
