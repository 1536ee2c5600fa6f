"""S-shaped return functions F(f) of the vaccine paper (Assumption 1, Sections 5-6, Appendix C.1).

F(f) is the *fractional* return of a player who receives resources f times its size M (actual
return M F(f)). Every function exposes

* ``F(f)``, ``dF(f)`` (F'), ``d2F(f)`` (F'') -- vectorised over numpy arrays;
* ``c``: inflection point (F strictly convex on [0, c), strictly concave on (c, u]);
* ``f_tilde`` (alias ``ftilde``): tangent point / sweet spot of Corollary 1, the maximiser of
  D_F(f) = (F(f) - F(0)) / f, where F'(f~) = D_F(f~); 0 when F has no convex part;
* ``D(f)``: D_F(f) (eq. 4), with the convention D_F(0) := F'(0);
* ``u``: the cap -- F is constant on [u, inf) (free disposal; only the SIR function has one).

Types:

* ``logistic``  F(f) = 1 / (1 + exp(-a f + b))          (type (ii) of Section 6.1; a > 0)
* ``ginsberg``  F(f) = exp(a - b / f), F(0) = 0          (type (i) of Section 6.1; b > 0)
* ``sir``       eq. (24) of Appendix C.1 with the Lambert W function (principal branch), S(tau)
  from integrating the SIR ODE up to the vaccination day tau. ``variant``:

  - ``paper``: eq. (24) as printed: F = -W[-sigma (1-i0)(1 - f/s_tau) e^{-sigma(1-f)}]/sigma + f s_tau,
    f <= s_tau. For tau > 0 it *decreases* before f = s_tau (violates Assumption 1(1)); coopt
    applies free disposal F^(f) = max_{g <= f} F(g), i.e. caps f at the peak u (the knapsack's
    "<=" budget allows disposal, so v(S) is unchanged).
  - ``A`` (vaccinate f M susceptibles): same W-term, linear term f (notes, Section 1.2), f <= s_tau.
  - ``B`` (vaccinate f M random people): F = -W[-sigma (1-i0)(1-f) e^{-sigma(1 - f s_tau)}]/sigma
    + f s_tau, f <= 1.

A function that is not S-shaped in the sense of Assumption 1 (after free disposal) raises
``ValueError`` with the reason (the schema turns it into a one-line ``InputError``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar
from scipy.special import lambertw

from coopt.errors import short_repr

_TYPES = ("logistic", "ginsberg", "sir")


def _arr(f: Any) -> tuple[np.ndarray, bool]:
    a = np.asarray(f, dtype=float)
    return a, a.ndim == 0


def _out(x: np.ndarray, scalar: bool) -> Any:
    return float(x) if scalar else x


class ReturnFunction:
    """Base class: subclasses define ``_F``, ``_dF``, ``_d2F`` on arrays inside [0, u]."""

    type: str = ""
    u: float = math.inf  # cap: F constant on [u, inf)
    span: float = 1.0  # a length scale of the S-shape (used for the numerical checks)

    # ----------------------------------------------------------------------------- evaluation
    def F(self, f: Any) -> Any:
        """F(f), with free disposal beyond the cap u."""
        x, s = _arr(f)
        return _out(self._F(np.clip(x, 0.0, self.u)), s)

    def dF(self, f: Any) -> Any:
        """F'(f) (0 beyond the cap u; the left derivative at u)."""
        x, s = _arr(f)
        y = self._dF(np.clip(x, 0.0, self.u))
        return _out(np.where(x > self.u, 0.0, y), s)

    def d2F(self, f: Any) -> Any:
        """F''(f) (0 beyond the cap u)."""
        x, s = _arr(f)
        y = self._d2F(np.clip(x, 0.0, self.u))
        return _out(np.where(x > self.u, 0.0, y), s)

    def D(self, f: Any) -> Any:
        """D_F(f) = (F(f) - F(0)) / f (eq. 4); D_F(0) := F'(0)."""
        x, s = _arr(f)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(x > 0, (self.F(x) - self.F0) / np.where(x > 0, x, 1.0), self.dF(0.0))
        return _out(y, s)

    # ----------------------------------------------------------------------------- shape
    def _setup(self) -> None:
        """Compute F(0), c, f~ and check Assumption 1; call at the end of __init__."""
        self.F0 = float(self._F(np.array(0.0)))
        self.c = self._inflection()
        self.f_tilde = self._tangent_point()
        self.check_assumption1()

    @property
    def ftilde(self) -> float:
        """Alias of ``f_tilde``."""
        return self.f_tilde

    @property
    def D_tilde(self) -> float:
        """D_F(f~), the largest average additional return per resource."""
        return float(self.D(self.f_tilde))

    def _top(self) -> float:
        return self.u if math.isfinite(self.u) else self.span

    def _inflection(self) -> float:
        """argmax of F' on [0, top] (F' rises on the convex part, falls on the concave part)."""
        top = self._top()
        grid = np.linspace(0.0, top, 4001)
        d = self._dF(grid)
        k = int(np.nanargmax(d))
        if k == 0:
            return 0.0
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        res = minimize_scalar(lambda x: -float(self._dF(np.array(x))), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-13 * max(top, 1.0)})
        return float(res.x)

    def _tangent_point(self) -> float:
        """f~: root of h(f) = f F'(f) - (F(f) - F(0)) on (c, u] (Corollary 1); 0 without convex part."""
        if self.c <= 0.0:
            return 0.0

        def h(x: float) -> float:
            return x * float(self._dF(np.array(x))) - (float(self._F(np.array(x))) - self.F0)

        hi = self.c
        top = self.u if math.isfinite(self.u) else math.inf
        step = max(self.c, 1e-6)
        while h(hi) > 0:
            nxt = hi + step
            if nxt >= top:
                return float(top) if h(top) >= 0 else brentq(h, hi, top, xtol=1e-15, rtol=1e-14)
            hi, step = nxt, step * 2
            if hi > 1e12:
                raise ValueError("no tangent point f~ (D_F keeps increasing)")
        lo = max(self.c, hi - step / 2 if hi > self.c else self.c)
        lo = self.c if h(lo) <= 0 else lo
        return float(brentq(h, lo, hi, xtol=1e-15, rtol=1e-14))

    def check_assumption1(self) -> None:
        """Numerical check of Assumption 1 on a dense grid of [0, u]; ValueError with the reason."""
        top = self._top() if self.c == 0 else max(self._top(), 3 * self.f_tilde)
        top = min(top, self.u)
        x = np.linspace(0.0, top, 20001)
        F = self._F(x)
        d = self._dF(x)
        if not np.all(np.isfinite(F)) or not np.all(np.isfinite(d)):
            raise ValueError("F or F' is not finite on [0, u]")
        if np.min(F) < -1e-12:
            raise ValueError(f"F is negative (min {np.min(F):.3g}): Assumption 1(1) needs F >= 0")
        scale = max(float(np.max(np.abs(d))), 1e-300)
        if np.min(d) < -1e-9 * scale:
            raise ValueError(f"F decreases (F' = {np.min(d):.3g} at f = {x[int(np.argmin(d))]:.4g}): "
                             "Assumption 1(1) needs F non-decreasing")
        if np.max(d) <= 1e-12 * max(1.0, abs(float(F[-1]))):
            raise ValueError("F is constant: not strictly convex-concave (Assumption 1(2))")
        k = int(np.searchsorted(x, self.c))
        dd = np.diff(d)
        tol = 1e-9 * scale
        if np.any(dd[: max(k - 1, 0)] < -tol):
            raise ValueError(f"F' is not increasing on [0, c = {self.c:.4g}): not convex there (Assumption 1(2))")
        if np.any(dd[k + 1:] > tol):
            j = k + 1 + int(np.argmax(dd[k + 1:]))
            raise ValueError(f"F' increases again at f = {x[j]:.4g} > c = {self.c:.4g}: "
                             "not concave after the inflection point (Assumption 1(2))")

    # ----------------------------------------------------------------------------- inverses of F'
    def concave_inverse(self, lam: Any) -> np.ndarray:
        """psi(lam): the f in [c, u] with F'(f) = lam on the concave branch (u when lam <= F'(u^-)).

        NaN where lam > F'(c) (no concave-branch point with that slope)."""
        lam = np.asarray(lam, dtype=float)
        top = self.u if math.isfinite(self.u) else float(np.max(self._far(np.atleast_1d(lam[lam > 0]))
                                                              if np.any(lam > 0) else [self.span]))
        out = self._invert(lam, self.c, top, decreasing=True)
        out = np.where(lam >= self._dF(np.array(self.c)) * (1 + 1e-15), np.nan, out)
        if math.isfinite(self.u):
            out = np.where(lam <= self._dF(np.array(self.u)), self.u, out)
        return out

    def convex_inverse(self, lam: Any) -> np.ndarray:
        """phi(lam): the f in [0, c] with F'(f) = lam on the convex branch; NaN outside [F'(0), F'(c)]."""
        lam = np.asarray(lam, dtype=float)
        if self.c <= 0:
            return np.full(lam.shape, np.nan)
        out = self._invert(lam, 0.0, self.c, decreasing=False)
        ok = (lam >= self._dF(np.array(0.0))) & (lam <= self._dF(np.array(self.c)))
        return np.where(ok, out, np.nan)

    def _invert(self, lam: np.ndarray, a: float, b: float, decreasing: bool) -> np.ndarray:
        """Solve F'(f) = lam on [a, b] where F' is monotone: interpolation in a dense table, then
        safeguarded Newton steps (bisection-bracketed) to machine precision."""
        if b <= a:
            return np.full(lam.shape, a)
        # dense table: geometric near a (tails of logistic/Ginsberg F' live far out), linear on [a, b]
        xs = np.unique(np.concatenate([np.linspace(a, b, 2049), a + (b - a) * np.geomspace(1e-12, 1.0, 512)]))
        ds = self._dF(xs)
        if decreasing:
            ds_inc, xs_inc = ds[::-1], xs[::-1]
        else:
            ds_inc, xs_inc = ds, xs
        ds_inc = np.maximum.accumulate(ds_inc)
        k = np.clip(np.searchsorted(ds_inc, lam), 1, len(xs) - 1)
        lo_x, hi_x = xs_inc[k - 1], xs_inc[k]
        lo_d, hi_d = ds_inc[k - 1], ds_inc[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip(np.where(hi_d > lo_d, (lam - lo_d) / (hi_d - lo_d), 0.5), 0.0, 1.0)
        x_all = lo_x + t * (hi_x - lo_x)
        live = (lam > ds_inc[0]) & (lam < ds_inc[-1])  # outside: the table's end is the answer
        x, lam_l = x_all[live], lam[live]
        left, right = np.minimum(lo_x, hi_x)[live], np.maximum(lo_x, hi_x)[live]
        for _ in range(40):
            if x.size == 0:
                break
            d1 = self._dF(x) - lam_l
            d2 = self._d2F(x)
            with np.errstate(invalid="ignore", divide="ignore"):
                step = np.where(d2 != 0, d1 / d2, 0.0)
            nx = x - np.nan_to_num(step)
            bad = ~np.isfinite(nx) | (nx < left) | (nx > right)
            nx = np.where(bad, 0.5 * (left + right), nx)
            # keep the bracket: F' - lam changes sign between left and right
            g = self._dF(nx) - lam_l
            go_right = (g > 0) == decreasing  # the root lies right of nx
            left = np.where(go_right, nx, left)
            right = np.where(go_right, right, nx)
            done = (np.abs(nx - x) <= 1e-14 * np.maximum(1.0, np.abs(nx))) | (
                right - left <= 1e-15 * np.maximum(1.0, right))
            x = nx
            if np.all(done):
                break
        x_all[live] = x
        x = x_all
        return np.clip(x, a, b)

    def _far(self, lam: np.ndarray) -> np.ndarray:
        """A point beyond which F' < lam (for unbounded types)."""
        hi = np.full(lam.shape, max(2 * self.c, self.span, 1e-3))
        for _ in range(200):
            big = self._dF(hi) > lam
            if not np.any(big):
                break
            hi = np.where(big, hi * 2, hi)
        return hi

    def describe(self) -> dict[str, float]:
        """c, f~, D_F(f~), F(0) and the cap u."""
        return {"c": self.c, "f_tilde": self.f_tilde, "D_tilde": self.D_tilde, "F0": self.F0, "u": self.u}

    def _F(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _dF(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _d2F(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class Logistic(ReturnFunction):
    """F(f) = 1 / (1 + exp(-a f + b)) (type (ii)); c = b/a (0 if b <= 0); f~ by root finding."""

    type = "logistic"

    def __init__(self, a: float, b: float) -> None:
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError("parameters a and b must be finite")
        if a <= 0:
            raise ValueError(f"a = {a} <= 0: F would not be increasing (Assumption 1(1) needs a > 0)")
        self.a, self.b = float(a), float(b)
        self.span = (max(self.b, 0.0) + 40.0) / self.a
        self._setup()

    def _inflection(self) -> float:
        return max(self.b / self.a, 0.0)

    # F written for solvers. The printed form 1/(1 + exp(b - a f)) has exp(b) at f = 0: beyond
    # b ~ 46 that passes SCIP's infinity (1e20), and SCIP's bounds and relaxations break (values
    # up to 10% below the optimum were reported "optimal", bounds below feasible values). With
    # t = a f - b, F = 1 - 1/(1 + e^t) has no large coefficient while t <= T; and for t >= T = 40,
    # 1 - F <= e^-40 = 4e-18 rounds to 0 in double precision (F == 1.0 exactly), so a model may cap
    # f at the saturation point (b + T) / a without changing any value it can represent (the budget
    # is an inequality: free disposal). The form is a chain of univariate functions (exp, 1/(1+.)),
    # which SCIP relaxes well; e^t / (1 + e^t) would be a product of two, relaxed very weakly.
    SATURATION_T = 40.0

    @property
    def saturation(self) -> float:
        """f beyond which F(f) == 1.0 in double precision: (b + 40) / a."""
        return (self.b + self.SATURATION_T) / self.a

    def model_expression(self, f: Any, exp: Any) -> Any:
        """F(f) = 1 - 1/(1 + e^t), t = a f - b, with the modelling layer's ``exp`` (e.g. ``pyo.exp``):
        on 0 <= f <= saturation every exponential lies in [e^-b, e^40], below any solver's infinity."""
        return 1 - 1 / (1 + exp(self.a * f - self.b))

    def _F(self, x: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        return expit(self.a * x - self.b)

    def _dF(self, x: np.ndarray) -> np.ndarray:
        F = self._F(x)
        return self.a * F * (1.0 - F)

    def _d2F(self, x: np.ndarray) -> np.ndarray:
        F = self._F(x)
        return self.a * self.a * F * (1.0 - F) * (1.0 - 2.0 * F)

    def concave_inverse(self, lam: Any) -> np.ndarray:
        """Closed form: F(1 - F) = lam / a  =>  F = (1 + sqrt(1 - 4 lam/a)) / 2 on the concave branch."""
        lam = np.asarray(lam, dtype=float)
        q = lam / self.a
        with np.errstate(invalid="ignore", divide="ignore"):
            disc = np.sqrt(np.maximum(1.0 - 4.0 * q, 0.0))
            # 1 - F = (1 - disc)/2 = 2q / (1 + disc) (no cancellation); logit(F) = log(F) - log(1 - F)
            one_minus = 2.0 * q / (1.0 + disc)
            Fv = 1.0 - one_minus
            f = (self.b + np.log(Fv) - np.log(one_minus)) / self.a
        f = np.maximum(f, self.c)
        return np.where((q > 0.25 * (1 + 1e-15)) | (lam >= float(self._dF(np.array(self.c))) * (1 + 1e-15)),
                        np.nan, f)


class Ginsberg(ReturnFunction):
    """F(f) = exp(a - b/f), F(0) = 0 (type (i), Ginsberg 1974); c = b/2, f~ = b."""

    type = "ginsberg"

    def __init__(self, a: float, b: float) -> None:
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError("parameters a and b must be finite")
        if b <= 0:
            raise ValueError(f"b = {b} <= 0: F = exp(a - b/f) is then not S-shaped (Assumption 1 needs b > 0)")
        self.a, self.b = float(a), float(b)
        self.span = 40.0 * self.b
        self._setup()

    def _inflection(self) -> float:
        return self.b / 2.0

    def _tangent_point(self) -> float:
        return self.b

    def _F(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", over="ignore"):
            return np.where(x > 0, np.exp(self.a - self.b / np.where(x > 0, x, 1.0)), 0.0)

    def _dF(self, x: np.ndarray) -> np.ndarray:
        xs = np.where(x > 0, x, 1.0)
        with np.errstate(over="ignore", under="ignore"):
            return np.where(x > 0, self.b / xs**2 * np.exp(self.a - self.b / xs), 0.0)

    def _d2F(self, x: np.ndarray) -> np.ndarray:
        xs = np.where(x > 0, x, 1.0)
        with np.errstate(over="ignore", under="ignore"):
            return np.where(x > 0, np.exp(self.a - self.b / xs) * (self.b**2 / xs**4 - 2 * self.b / xs**3), 0.0)


#: ranges of the SIR parameters (days; the paper's are sigma 1.2-2, 2.3-6.7 infectious days, tau <= 50)
SIR_SIGMA_MAX = 50.0
SIR_DAYS_MIN, SIR_DAYS_MAX = 1e-2, 3650.0
SIR_TAU_MAX = 3650.0
#: most right-hand-side evaluations of one SIR integration (bounded work on any input)
SIR_MAX_EVALUATIONS = 200_000
#: infected fraction below which, after the peak, the epidemic is over (s moves by < sigma s i / (1 - sigma s))
I_EXTINCT = 1e-24


class _TooManySteps(Exception):
    pass


def susceptible_at(tau: float, sigma: float, infectious_days: float, i0: float) -> tuple[float, float]:
    """(s(tau), i(tau)): SIR fractions at day tau from s(0) = 1 - i0, i(0) = i0 (DOP853, rtol 1e-12).

    Integrated in units of the infectious period (t' = t / infectious_days: ds/dt' = -sigma s i,
    di/dt' = sigma s i - i), which keeps the system well scaled for any period; at most
    SIR_MAX_EVALUATIONS right-hand-side evaluations (ValueError beyond)."""
    if tau <= 0:
        return 1.0 - i0, i0
    calls = 0

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        nonlocal calls
        calls += 1
        if calls > SIR_MAX_EVALUATIONS:
            raise _TooManySteps
        new = sigma * y[0] * y[1]
        return [-new, new - y[1]]

    def burnt_out(_t: float, y: np.ndarray) -> float:  # i has fallen below I_EXTINCT after the peak
        return y[1] - I_EXTINCT

    burnt_out.terminal, burnt_out.direction = True, -1  # type: ignore[attr-defined]
    end = float(tau) / infectious_days
    try:
        sol = solve_ivp(rhs, (0.0, end), [1.0 - i0, i0], method="DOP853", rtol=1e-12, atol=1e-15,
                        events=burnt_out)
    except _TooManySteps:
        raise ValueError(f"the SIR integration up to tau = {tau:g} days did not finish in "
                         f"{SIR_MAX_EVALUATIONS} steps (sigma = {sigma:g}, infectious_days = {infectious_days:g})"
                         ) from None
    if not sol.success:
        raise ValueError(f"the SIR integration up to tau = {tau:g} days failed ({sol.message})")
    s_end, i_end = float(sol.y[0, -1]), float(sol.y[1, -1])
    if sol.status == 1:  # burnt out: i decays like exp(-(1 - sigma s) t'), s moves by < sigma s i / (1 - sigma s)
        i_end *= math.exp(-max(1.0 - sigma * s_end, 0.0) * (end - float(sol.t[-1])))
    return s_end, i_end


class SIR(ReturnFunction):
    """Fraction escaping infection after one vaccination at day tau (eq. 24, variants paper/A/B)."""

    type = "sir"

    def __init__(self, sigma: float, infectious_days: float, initial_infected_fraction: float, tau: float = 0.0,
                 variant: str = "paper") -> None:
        if not (math.isfinite(sigma) and 0 < sigma <= SIR_SIGMA_MAX):
            raise ValueError(f"sigma = {sigma:g}: the reproduction number must satisfy 0 < sigma <= {SIR_SIGMA_MAX:g}")
        if not (math.isfinite(infectious_days) and SIR_DAYS_MIN <= infectious_days <= SIR_DAYS_MAX):
            raise ValueError(f"infectious_days = {infectious_days:g}: must satisfy "
                             f"{SIR_DAYS_MIN:g} <= infectious_days <= {SIR_DAYS_MAX:g}")
        if not (0 < initial_infected_fraction < 1):
            raise ValueError(f"initial_infected_fraction = {initial_infected_fraction:g}: must be in (0, 1)")
        if not (math.isfinite(tau) and 0 <= tau <= SIR_TAU_MAX):
            raise ValueError(f"tau = {tau:g}: the vaccination day must satisfy 0 <= tau <= {SIR_TAU_MAX:g}")
        if variant not in ("paper", "A", "B"):
            raise ValueError(f"variant = {variant!r}: must be one of paper, A, B")
        self.sigma, self.infectious_days = float(sigma), float(infectious_days)
        self.i0, self.tau, self.variant = float(initial_infected_fraction), float(tau), variant
        self.s_tau, self.i_tau = susceptible_at(self.tau, self.sigma, self.infectious_days, self.i0)
        self.domain = 1.0 if variant == "B" else self.s_tau  # f beyond this makes no sense
        self.slope = 1.0 if variant == "A" else self.s_tau  # linear term of F
        self.K = -self.sigma * (1.0 - self.i0)
        self.u = self.domain
        self.span = self.domain
        self.u = self._peak()
        self._setup()

    def _z(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Argument z(f) of W and dz/df."""
        s, st = self.sigma, self.s_tau
        if self.variant == "B":
            e = np.exp(-s * (1.0 - x * st))
            z = self.K * (1.0 - x) * e
            dz = self.K * e * (-1.0 + s * st * (1.0 - x))
        else:
            e = np.exp(-s * (1.0 - x))
            z = self.K * (1.0 - x / st) * e
            dz = self.K * e * (-1.0 / st + s * (1.0 - x / st))
        return z, dz

    def _W(self, z: np.ndarray) -> np.ndarray:
        return np.real(lambertw(np.maximum(z, -1.0 / math.e), 0))

    def _F(self, x: np.ndarray) -> np.ndarray:
        x = np.minimum(x, self.domain)
        z, _ = self._z(x)
        return -self._W(z) / self.sigma + self.slope * x

    def _dF(self, x: np.ndarray) -> np.ndarray:
        x = np.minimum(x, self.domain)
        z, dz = self._z(x)
        W = self._W(z)
        dW = 1.0 / (z + np.exp(W))  # W'(z) = 1 / (z + e^W)
        return -dW * dz / self.sigma + self.slope

    def _d2F(self, x: np.ndarray) -> np.ndarray:
        h = 1e-6 * max(self.domain, 1e-3)
        lo = np.maximum(x - h, 0.0)
        hi = np.minimum(x + h, self.domain)
        return (self._dF(hi) - self._dF(lo)) / np.maximum(hi - lo, 1e-300)

    def _peak(self) -> float:
        """The cap u: the domain end, or the first point where F' drops to 0 (eq. 24 literal, tau > 0)."""
        end = self.domain
        x = np.linspace(0.0, end, 20001)
        d = self._dF(x)
        neg = np.nonzero(d < 0)[0]
        if len(neg) == 0:
            return end
        k = int(neg[0])
        if k == 0:
            other = " or variant A or B" if self.variant == "paper" else ""
            raise ValueError(f"SIR variant {self.variant} at tau = {self.tau:g}: F decreases from f = 0 (F'(0) = "
                             f"{float(d[0]):.3g}, s(tau) = {self.s_tau:.4g}): vaccinating this late in the epidemic "
                             f"gives no S-shaped return (Assumption 1); use an earlier tau{other}")
        return float(brentq(lambda t: float(self._dF(np.array(t))), x[k - 1], x[k], xtol=1e-15, rtol=1e-14))


def make_return_function(spec: Mapping[str, Any]) -> ReturnFunction:
    """A return function from a mapping {type: ..., <parameters>} (ValueError naming what is wrong).

    Functions are immutable; identical specifications share one object (cached)."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"return_function must be a mapping {{type: ..., parameters}}, got {type(spec).__name__}")
    spec = {k: v for k, v in dict(spec).items() if v is not None}
    if any(isinstance(v, bool) or not isinstance(v, str | int | float) for v in spec.values()):
        return _make(dict(spec))  # refused there, with the parameter named
    try:
        key = tuple(sorted((str(k), v if isinstance(v, str) else float(v)) for k, v in spec.items()))
    except (TypeError, ValueError, OverflowError):
        return _make(dict(spec))
    return _cached(key)


@functools.lru_cache(maxsize=4096)
def _cached(key: tuple) -> ReturnFunction:
    return _make(dict(key))


def _make(spec: dict[str, Any]) -> ReturnFunction:
    kind = spec.pop("type", None)
    if not isinstance(kind, str) or kind not in _TYPES:
        raise ValueError(f"return_function type = {short_repr(kind)}: must be one of {', '.join(_TYPES)}")
    need = {"logistic": ("a", "b"), "ginsberg": ("a", "b"),
            "sir": ("sigma", "infectious_days", "initial_infected_fraction")}[kind]
    optional = {"logistic": (), "ginsberg": (), "sir": ("tau", "variant")}[kind]
    missing = [p for p in need if p not in spec]
    if missing:
        raise ValueError(f"return_function type {kind}: missing parameter(s) {', '.join(missing)}")
    extra = [k for k in spec if k not in need + optional]
    if extra:
        raise ValueError(f"return_function type {kind}: unknown parameter(s) {', '.join(map(short_repr, extra))} "
                         f"(parameters: {', '.join(need + optional)})")
    args = {}
    for k, v in spec.items():
        if k == "variant":
            if not isinstance(v, str):
                raise ValueError(f"return_function parameter variant = {short_repr(v)}: must be paper, A or B")
            args[k] = v
            continue
        try:
            if isinstance(v, bool):
                raise TypeError
            args[k] = float(v)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"return_function parameter {k} = {short_repr(v)}: not a number") from None
        if not math.isfinite(args[k]):
            raise ValueError(f"return_function parameter {k} = {short_repr(v)}: not a finite number")
    if kind == "logistic":
        return Logistic(**args)
    if kind == "ginsberg":
        return Ginsberg(**args)
    return SIR(**args)


__all__ = ["Ginsberg", "Logistic", "ReturnFunction", "SIR", "make_return_function", "susceptible_at"]
