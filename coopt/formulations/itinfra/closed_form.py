"""Closed forms of the itinfra paper, used as independent checks of the models (never instead).

Symbols (section 3): n districts; j coalition size (members 1..j); kappa spillover weight;
beta relative interoperability outside the coalition; alpha coalition economy of scale;
p unit resource cost. All functions are vectorised over numpy arrays.
Equation numbers are those of Guo, Liu & Nault (2024) (docs/papers/itinfra.md); the derivations are in
docs/derivations/itinfra.md#model and the corrections to printed formulas in docs/papers/itinfra.md#errata
and beside each function.
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


# ---------------------------------------------------------------------------------------------
# Thresholds, continuous sizes, incentives and appendices (added for the game layer's checks).
# Printed-versus-corrected pairs are named ``<name>_printed`` / ``<name>``; the errata
# (docs/papers/itinfra.md#errata) explain each correction.
# ---------------------------------------------------------------------------------------------


def welfare_den(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """The common denominator (1-kappa)(1+(2(n-1)beta-1)kappa) of the welfare thresholds."""
    return (1 - kappa) * (1 + (2 * (n - 1) * beta - 1) * kappa)


def N_j(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Numerator of the per-size equilibrium threshold, (1+(j-2)kappa)^2 - 2 j beta kappa (1+(j-3)kappa)."""
    return (1 + (j - 2) * kappa) ** 2 - 2 * j * beta * kappa * (1 + (j - 3) * kappa)


def join_gain(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """D(j): a district's gain from joining a size-(j-1) structure to make a size-j coalition.

    D(2) = S_in(2) - S_single; D(j) = S_in(j) - S_out(j-1) for j >= 3 (independent of n):
    4 alpha p j D(j) = kappa^2 (1-2beta) j^2 + [2kappa(1-2kappa) - 2kappa beta(1-3kappa) - alpha(1-kappa)^2] j
    + (1-2kappa)^2. A size j* is an equilibrium iff D(j*) >= 0 >= D(j*+1) (docs/derivations/itinfra.md#stage1).
    """
    j = np.asarray(j, dtype=float)
    general = (kappa**2 * (1 - 2 * beta) * j**2
               + (2 * kappa * (1 - 2 * kappa) - 2 * kappa * beta * (1 - 3 * kappa) - alpha * (1 - kappa) ** 2) * j
               + (1 - 2 * kappa) ** 2) / (4 * alpha * p * j)
    two = 1 / (8 * alpha * p) - (1 - kappa) * (1 - kappa + 2 * beta * kappa) / (4 * p)
    return np.where(j == 2, two, general)


def alpha_eqm1(kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Singleton/minimal boundary, (15) as an equality: 1/(2 - 4kappa + 4beta kappa + 2kappa^2 - 4beta kappa^2)."""
    return 1 / (2 - 4 * kappa + 4 * beta * kappa + 2 * kappa**2 - 4 * beta * kappa**2)


def alpha_eqm2(kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Minimal/partial boundary, (14) as an equality: (1+kappa(2-6beta+kappa))/(3(1-kappa)^2)."""
    return (1 + kappa * (2 - 6 * beta + kappa)) / (3 * (1 - kappa) ** 2)


def alpha_eqm3(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Partial/grand boundary, (10) as an equality (the paper says (11)): N_n / (n (1-kappa)^2)."""
    return N_j(n, kappa, beta) / (n * (1 - kappa) ** 2)


def alpha_eq(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Per-size equilibrium threshold D(j) = 0, j >= 3: N_j/(j(1-kappa)^2) (alpha_eq(3) = alpha_eqm2)."""
    return N_j(j, kappa, beta) / (j * (1 - kappa) ** 2)


def alpha_sw1(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Singleton/minimal welfare boundary, (22) as an equality."""
    return (1 + 2 * (n - 2) * beta * kappa) / (2 * welfare_den(n, kappa, beta))


def alpha_sw2(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Minimal/partial welfare boundary, (20) as an equality."""
    return kappa * (2 + kappa + 2 * beta * ((n - 3) * kappa - 1)) / welfare_den(n, kappa, beta)


def alpha_sw3(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Partial/grand welfare boundary, (17) as an equality."""
    return kappa * ((2 * n - 5) * kappa - 2 * beta * (1 + (n - 3) * kappa) + 2) / welfare_den(n, kappa, beta)


def alpha_sw(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Per-size welfare threshold SW(j) = SW(j-1), j >= 3 (derived).

    alpha_sw(3) = alpha_sw2 and alpha_sw(n) = alpha_sw3.
    """
    return kappa * (2 * (1 - beta) + kappa * (2 * beta * (n + 3) - 2 * (2 * beta - 1) * j - 5)) / welfare_den(
        n, kappa, beta)


def alpha_sw_printed(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Section 7.1 as printed ('alpha_sw{j-1}', with 2beta(n+5) and -7): equals alpha_sw(j-1), not alpha_sw(j)."""
    return kappa * (2 * (1 - beta) + kappa * (2 * beta * (n + 5) - 2 * (2 * beta - 1) * j - 7)) / welfare_den(
        n, kappa, beta)


def alpha_sw4(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Appendix C: SW_single = SW(n), (kappa(n-2)+1)^2 / ((1-kappa) n (kappa(2beta(n-1)-1)+1))."""
    return (kappa * (n - 2) + 1) ** 2 / (n * welfare_den(n, kappa, beta))


def alpha_sw5(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Appendix C: SW(n) = SW(2), kappa(-2beta+kappa(n-2)+2) / ((1-kappa)(kappa(2beta(n-1)-1)+1))."""
    return kappa * (-2 * beta + kappa * (n - 2) + 2) / welfare_den(n, kappa, beta)


def beta_triple_appendix_c(n: ArrayLike, kappa: ArrayLike) -> ArrayLike:
    """Appendix C: beta where alpha_sw1 = alpha_sw4 = alpha_sw5, (2kappa(kappa(n-2)+2)-1)/(2 kappa n)."""
    return (2 * kappa * (kappa * (n - 2) + 2) - 1) / (2 * kappa * n)


def _quad_den(kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    return 2 * (2 * beta - 1) * kappa**2


def j_bar(kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Proof of Prop. 2: upper bound from (11), the root of D(j) = 0 (square root over the discriminant only)."""
    q = alpha * (1 - kappa) ** 2 - 2 * kappa * (3 * beta * kappa - beta - 2 * kappa + 1)
    return (np.sqrt(q**2 + 4 * (2 * beta - 1) * kappa**2 * (1 - 2 * kappa) ** 2) - q) / _quad_den(kappa, beta)


def j_under(kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Proof of Prop. 2: lower bound from (12), with the paper's own radicand (equals j_bar - 1)."""
    rad = (alpha**2 * (1 - kappa) ** 4
           - 4 * alpha * kappa * (1 - kappa) ** 2 * (3 * beta * kappa - beta - 2 * kappa + 1)
           + 4 * beta * kappa**2 * ((9 * beta - 4) * kappa**2 - 6 * beta * kappa + beta + 2 * kappa))
    return (np.sqrt(rad) - alpha * (1 - kappa) ** 2 + 2 * (1 - beta) * kappa * (1 - kappa)) / _quad_den(kappa, beta)


def j_eqm(kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Continuous equilibrium size (j_bar + j_under)/2 = j_bar - 1/2 (proof of Prop. 2)."""
    return j_bar(kappa, beta, alpha) - 0.5


def _eqm_regions(n, kappa, beta, alpha, partial):  # noqa: ANN001, ANN202
    a1, a2, a3 = alpha_eqm1(kappa, beta), alpha_eqm2(kappa, beta), alpha_eqm3(n, kappa, beta)
    return np.where(alpha > a1, 0, np.where(alpha > a2, 2, np.where(alpha < a3, n, partial)))


def j_star_eqm_printed(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Prop. 2 as printed: 0 / 2 / floor(j_eqm) / n by the regions of alpha_eqm1..3 (0 = singleton).

    Wrong in the partial region: floor(j_eqm) can be 2 there (e.g. n=10, kappa=.35, beta=.7, alpha=.25).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.floor(j_eqm(kappa, beta, alpha))
    return _eqm_regions(n, kappa, beta, alpha, part).astype(int)


def j_star_eqm(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Prop. 2 corrected (beta > 1/2): the partial size is min(n, floor(j_bar)) = floor(j_eqm + 1/2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.minimum(n, np.floor(j_bar(kappa, beta, alpha)))
    return _eqm_regions(n, kappa, beta, alpha, part).astype(int)


def j_sw(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike) -> ArrayLike:
    """Proof of Prop. 4: the FOC dSW/dj = 0, the continuous welfare-optimal size."""
    return (2 * kappa * (1 - 2 * kappa + beta * (kappa * (n + 2) - 1))
            - alpha * welfare_den(n, kappa, beta)) / _quad_den(kappa, beta)


def j_star_sw(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Prop. 4 (beta > 1/2): 0 / 2 / the better of floor, ceil of j_sw / n by the regions of alpha_sw1..3.

    For beta <= 1/2 (Appendix C) the rule is grand / minimal / singleton by alpha_sw1, alpha_sw4, alpha_sw5.
    """
    n_, k, b, a = (np.asarray(x, dtype=float) for x in (n, kappa, beta, alpha))
    with np.errstate(invalid="ignore", divide="ignore"):
        js = np.clip(j_sw(n_, k, b, a), 3, np.maximum(n_ - 1, 3))
        lo, hi = np.floor(js), np.ceil(js)
        part = np.where(SW(hi, n_, k, b, a, p) > SW(lo, n_, k, b, a, p), hi, lo)
    s1, s2, s3 = alpha_sw1(n_, k, b), alpha_sw2(n_, k, b), alpha_sw3(n_, k, b)
    high = np.where(a > s1, 0, np.where(a > s2, 2, np.where(a < s3, n_, part)))
    s4, s5 = alpha_sw4(n_, k, b), alpha_sw5(n_, k, b)
    low = np.where(a < np.minimum(s4, s5), n_, np.where((a > s5) & (a < s1), 2, 0))
    return np.where(b > 0.5, high, low).astype(int)


def d2SW_dj2(kappa: ArrayLike, beta: ArrayLike, alpha: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """Proof of Lemma 2: d^2 SW / dj^2 = -(2beta-1) kappa^2 / (2 alpha p) (concave iff beta > 1/2)."""
    return -(2 * beta - 1) * kappa**2 / (2 * alpha * p)


# --- Section 7: incentives -----------------------------------------------------------------------


def alpha_im1(kappa: ArrayLike, beta: ArrayLike, phi2: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """(28) as an equality with the subsidy phi_2: 1/(2kappa[2beta(1-kappa)+kappa-2] - 8p phi_2 + 2)."""
    return 1 / (2 * kappa * (2 * beta * (1 - kappa) + kappa - 2) - 8 * p * phi2 + 2)


def alpha_im(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike, phi_j: ArrayLike, p: ArrayLike = 1.0) -> ArrayLike:
    """S_out(j-1) = S_in(j) + phi_j solved for alpha (j >= 3): N_j / (j[(1-kappa)^2 - 4p phi_j]) (corrected)."""
    return N_j(j, kappa, beta) / (j * ((1 - kappa) ** 2 - 4 * p * phi_j))


def alpha_im_printed(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike, phi_j: ArrayLike,
                     p: ArrayLike = 1.0) -> ArrayLike:
    """Section 7.1 as printed: denominator j(1-kappa)^2 - 4p phi_j (the factor j on phi_j is missing)."""
    return N_j(j, kappa, beta) / (j * (1 - kappa) ** 2 - 4 * p * phi_j)


def phi_2(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, gamma: ArrayLike = 0.0, p: ArrayLike = 1.0) -> ArrayLike:
    """Section 7.1: beta(2beta-1)(1-kappa)kappa^2(n-2) / (2p[1+gamma+2beta kappa(n-2)])."""
    return beta * (2 * beta - 1) * (1 - kappa) * kappa**2 * (n - 2) / (2 * p * (1 + gamma + 2 * beta * kappa * (n - 2)))


def _F_den(j, n, kappa, beta, gamma, p):  # noqa: ANN001, ANN202
    return (4 * j * kappa**2 * p * (2 * beta * gamma * (j - 3) * j + (4 * beta - 2) * j - gamma * (j - 2) ** 2
                                   - 2 * beta * (n + 3) + 5)
            + 8 * j * kappa * p * (beta + gamma * ((beta - 1) * j + 2) - 1) - 4 * gamma * j * p)


def F1(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, gamma: ArrayLike = 0.0,
       p: ArrayLike = 1.0) -> ArrayLike:
    """Appendix A: the coefficient of phi_{j-1} in phi_j = F1 phi_{j-1} + F2 (zero when gamma = 0)."""
    num = 4 * gamma * (j - 1) * p * (kappa * (2 * beta * (j - 3) * j * kappa + 2 * (beta - 1) * j
                                              - kappa * (j - 2) ** 2 + 4) - 1)
    return num / _F_den(j, n, kappa, beta, gamma, p)


def _F2(j, n, kappa, beta, gamma, p, sign):  # noqa: ANN001, ANN202
    k, b = kappa, beta
    num = (k**4 * (-j**2 + 4 * b * ((j - 2) * j + 2) + 4 * b**2 * (j - 3) * j * (n - 1) - 2 * b * ((j - 3) * j + 4) * n
                   + j + 4)
           + 2 * k**3 * (-(2 * b - 1) * j**2 * (b * (n - 1) + 1) + (2 * b - 1) * j * (4 * b * (n - 1) + 1)
                         + 8 * b * (n - 1) - 6)
           + k**2 * (-j**2 - 4 * b**2 * j * (n - 1) + sign * 2 * b * (j * (j + n - 2) - 5 * n + 5) + j + 13)
           + k * (2 * b * (n - 1) - 6) + 1)
    return num / _F_den(j, n, kappa, beta, gamma, p)


def F2(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, gamma: ArrayLike = 0.0,
       p: ArrayLike = 1.0) -> ArrayLike:
    """Appendix A's F2 with the missing '+' restored before 2beta(j(j+n-2)-5n+5) (fixed reading)."""
    return _F2(j, n, kappa, beta, gamma, p, +1)


def F2_printed(j: ArrayLike, n: ArrayLike, kappa: ArrayLike, beta: ArrayLike, gamma: ArrayLike = 0.0,
               p: ArrayLike = 1.0) -> ArrayLike:
    """Appendix A's F2 read as printed: '-4beta^2 j(n-1) 2beta(...)' taken as a difference (disagrees)."""
    return _F2(j, n, kappa, beta, gamma, p, -1)


def phi_schedule_paper(n: int, kappa: float, beta: float, gamma: float = 0.0, p: float = 1.0,
                       printed: bool = False) -> dict[int, float]:
    """The paper's schedule {j: phi_j}, j = 2..n: phi_2 closed form, then phi_j = F1 phi_{j-1} + F2."""
    f2 = F2_printed if printed else F2
    phi = {2: float(phi_2(n, kappa, beta, gamma, p))}
    for j in range(3, n + 1):
        phi[j] = float(F1(j, n, kappa, beta, gamma, p) * phi[j - 1] + f2(j, n, kappa, beta, gamma, p))
    return phi


def incentive_coefficients(j: int, n: int, kappa: float, beta: float, p: float = 1.0) -> tuple[float, ...]:
    """(a_j, b_j, c_j, d_j) with join gain D_j = a_j/alpha + b_j and SW(j) - SW(j-1) = c_j/alpha + d_j.

    Size 1 stands for the singleton (SW(1) := SW_single, D_2 = S_in(2) - S_single).
    """
    den = float(welfare_den(n, kappa, beta))
    if j == 2:
        a = 1 / (8 * p)
        b = -(1 - kappa) * (1 - kappa + 2 * beta * kappa) / (4 * p)
        c = (1 + 2 * beta * kappa * (n - 2)) / (4 * p)
        d = -2 * den / (4 * p)
    else:
        a = float(N_j(j, kappa, beta)) / (4 * j * p)
        b = -(1 - kappa) ** 2 / (4 * p)
        c = kappa * (2 * (1 - beta) + kappa * (2 * beta * (n + 3) - 2 * (2 * beta - 1) * j - 5)) / (4 * p)
        d = -den / (4 * p)
    return a, b, c, d


def phi_schedule_matching(n: int, kappa: float, beta: float, gamma: float = 0.0, p: float = 1.0) -> dict[int, float]:
    """The schedule re-derived by threshold matching alpha_im(phi_j) = alpha_sw(phi_{j-1}, phi_j)
    (docs/derivations/itinfra.md#incentives).

    phi_j = (a_j (d_j + gamma (j-1) phi_{j-1}) - c_j b_j) / (c_j + gamma j a_j), phi_1 = 0. An independent
    derivation of the paper's phi_2 and F1/F2 recursion.
    """
    phi: dict[int, float] = {}
    prev = 0.0
    for j in range(2, n + 1):
        a, b, c, d = incentive_coefficients(j, n, kappa, beta, p)
        prev = (a * (d + gamma * (j - 1) * prev) - c * b) / (c + gamma * j * a)
        phi[j] = prev
    return phi


def beta_prop6(kappa: ArrayLike) -> ArrayLike:
    """Prop. 6: the interoperability threshold (4kappa^2 - kappa + 1)/(6kappa)."""
    return (4 * kappa**2 - kappa + 1) / (6 * kappa)


def prop6_intercept(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Proof of Prop. 6: intercept of sign(phi_j) = slope n + intercept (gamma = 0)."""
    k, b = kappa, beta
    return k * (-4 * b**2 * j * k * ((j - 3) * k + 1) + 2 * b * (2 * k - 1) * (((j - 2) * j + 2) * k - 1)
                + j * k * (-k * j + j + k - 1) + 4 * (k - 2) * k + 5) - 1


def prop6_slope(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Proof of Prop. 6: slope of sign(phi_j) in n (gamma = 0)."""
    k, b = kappa, beta
    return 2 * b * k * (k * ((2 * b - 1) * ((j - 3) * k * j + j) - 4 * k + 4) - 1)


def n_tilde(j: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Proof of Prop. 6: the n where phi_j changes sign, -intercept/slope (the printed form has unbalanced brackets)."""
    return -prop6_intercept(j, kappa, beta) / prop6_slope(j, kappa, beta)


def n_hat(kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Prop. 6: hat n(beta) = tilde n_3 as printed in Appendix A."""
    k, b = kappa, beta
    return (k * (2 * (1 - 10 * b) * k**2 + 2 * (b + 1) * (6 * b + 1) * k - 2 * b - 5) + 1) / (
        2 * b * k * (6 * b * k - 4 * k**2 + k - 1))


def j_tilde(kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Proof of Prop. 6: the size above which the slope is positive (beta below beta_prop6)."""
    k, b = kappa, beta
    return (b * (6 * k - 2) + np.sqrt((2 * b - 1) * (2 * b * (1 - 3 * k) ** 2 + (1 - k) * (3 - 7 * k))) - 3 * k + 1) / (
        2 * (2 * b - 1) * k)


def j_hat(n: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> ArrayLike:
    """Prop. 6: hat j = floor of the root of tilde n_j = n (last taxed size), square root over the discriminant."""
    k, b = kappa, beta
    m = k + 2 * b * k * (n - 1) - 1
    num = ((2 * b - 1) * k**3 * (6 * b * (n - 1) + 1) - (2 * b - 1) * k**2 * (2 * b * (n - 1) + 1)
           + np.sqrt((1 - 2 * b) ** 2 * k**4 * (k + 2 * b * (3 * k - 1) * (n - 1) - 1) ** 2
                     + 4 * (2 * b - 1) * (1 - 2 * k) ** 2 * k**2 * m * (k * (2 * b * (n - 1) - 1) + 1)))
    return np.floor(num / (2 * (2 * b - 1) * k**2 * m))


# --- Appendix B: two cost types ------------------------------------------------------------------


def g_inH(jH: ArrayLike, jL: ArrayLike, kappa: ArrayLike, alpha: ArrayLike, pH: ArrayLike,
          pL: ArrayLike) -> ArrayLike:
    """Appendix B.1 as printed: a high-cost member's level (negative, hence infeasible, when g >= 0 binds)."""
    J, P = jH + jL, jH * pH + jL * pL
    return ((1 + kappa * (J - 2)) * (jL * pL * (1 - kappa * (J + 2)) + jH * pH * (2 - 4 * kappa + kappa * jL)
                                    + jL * pH * (1 - 2 * kappa + kappa * jL))) / (4 * alpha * (1 - 2 * kappa) * P**2)


def g_inL(jH: ArrayLike, jL: ArrayLike, kappa: ArrayLike, alpha: ArrayLike, pH: ArrayLike,
          pL: ArrayLike) -> ArrayLike:
    """Appendix B.1 as printed: a low-cost member's level (can be negative: kappa(J+2) > 1, large pH/pL)."""
    J, P = jH + jL, jH * pH + jL * pL
    return ((1 + kappa * (J - 2)) * (jH * pH * (1 - kappa * (J + 2)) + jL * pL * (2 - 4 * kappa + kappa * jH)
                                    + jH * pL * (1 - 2 * kappa + kappa * jH))) / (4 * alpha * (1 - 2 * kappa) * P**2)


def alpha_prop_B1(jH: ArrayLike, jL: ArrayLike, kappa: ArrayLike, beta: ArrayLike, pH: ArrayLike,
                  pL: ArrayLike) -> ArrayLike:
    """Prop. B.1: below this alpha, L districts have the larger incentive to join.

    That is S_outL(jH, jL-1) < S_outH(jH-1, jL).
    """
    J = jH + jL
    return (2 * kappa * beta * pH * pL * (J - 1) * (kappa * (J - 3) + 1)) / (
        (1 - kappa) ** 2 * (jH * pH + (jL - 1) * pL) * ((jH - 1) * pH + jL * pL))


def beta_fig_B1(kappa: ArrayLike, pH: ArrayLike, pL: ArrayLike) -> ArrayLike:
    """Appendix B.3 / Fig. B1 (nH = nL = 2, grand coalition): above this beta the paper says phi_L > phi_H."""
    return ((kappa * (5 * kappa + 2) - 1) * pH + (kappa * (13 * kappa + 10) + 1) * pL) / (
        6 * kappa * (kappa + 1) * (pH + pL))
