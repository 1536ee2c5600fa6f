"""Solver-specific options (``solver_options={"max_iters": 5000}``, the CLI's ``--solver-option scs.max_iters=5000``).

coopt's common options (time_limit, gap, tol, max_iter) are translated to every solver; anything else
a solver offers is passed to it as given, after this module has checked it **with the solver's own
API** (a scratch HiGHS object, a scratch SCIP model, a one-variable Ipopt problem, Clarabel's settings,
SCS/OSQP/ECOS constructed on a one-row problem): an unknown name or a value of the wrong type is an
InputError (exit 2) naming the solver, the option and the value, never silently dropped. A user's
option overrides coopt's own default of the same name (e.g. HiGHS's ``primal_feasibility_tolerance``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from coopt.errors import InputError


def _highs(name: str, value: Any) -> str | None:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return None if h.setOptionValue(name, value) == highspy.HighsStatus.kOk else "not a HiGHS option, or a bad value"


def _scip(name: str, value: Any) -> str | None:
    import pyscipopt

    m = pyscipopt.Model()
    m.hideOutput()
    try:
        m.setParam(name, value)
    except KeyError:
        return "not a SCIP parameter"
    except (TypeError, ValueError) as err:
        return f"bad value ({str(err)[:80]})"
    return None


def _ipopt(name: str, value: Any) -> str | None:
    import cyipopt
    import numpy as np

    class _One:
        def objective(self, x: Any) -> float:
            return float(x[0] ** 2)

        def gradient(self, x: Any) -> Any:
            return 2 * x

    prob = cyipopt.Problem(n=1, m=0, problem_obj=_One(), lb=np.array([-1.0]), ub=np.array([1.0]))
    try:
        prob.add_option(name, value)
    except TypeError:
        return "not an Ipopt option, or a value of the wrong type or out of its range"
    return None


def _clarabel(name: str, value: Any) -> str | None:
    import clarabel

    settings = clarabel.DefaultSettings()
    if not hasattr(settings, name):
        return "not a Clarabel setting"
    try:
        setattr(settings, name, value)
    except (TypeError, ValueError) as err:
        return f"bad value ({str(err)[:80]})"
    return None


def _one_row() -> tuple[Any, Any]:
    import numpy as np
    import scipy.sparse as sp

    return sp.csc_matrix(np.array([[1.0]])), np.array([1.0])


def _scs(name: str, value: Any) -> str | None:
    import numpy as np
    import scs

    A, b = _one_row()
    try:
        scs.SCS({"A": A, "b": b, "c": np.array([1.0])}, {"l": 1}, verbose=False, **{name: value})
    except (TypeError, ValueError) as err:
        return f"not an SCS setting, or a bad value ({str(err)[:80]})"
    return None


def _osqp(name: str, value: Any) -> str | None:
    import numpy as np
    import osqp

    A, _ = _one_row()
    try:
        osqp.OSQP().setup(P=A, q=np.zeros(1), A=A, l=np.zeros(1), u=np.ones(1), verbose=False, **{name: value})
    except (TypeError, ValueError) as err:
        return f"not an OSQP setting, or a bad value ({str(err)[:80]})"
    return None


def _ecos(name: str, value: Any) -> str | None:
    import ecos
    import numpy as np
    import scipy.sparse as sp

    try:
        ecos.solve(np.array([1.0]), sp.csc_matrix(np.array([[-1.0]])), np.array([0.0]), {"l": 1, "q": []},
                   verbose=False, **{name: value})
    except (TypeError, ValueError) as err:
        return f"not an ECOS setting, or a bad value ({str(err)[:80]})"
    return None


_CHECKS: dict[str, Callable[[str, Any], str | None]] = {
    "highs": _highs, "highs-cvxpy": _highs, "scip": _scip, "ipopt": _ipopt, "clarabel": _clarabel,
    "scs": _scs, "osqp": _osqp, "ecos": _ecos,
}


def check_solver_options(solver: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """``options`` checked by ``solver``'s own API (see the module text); InputError on the first bad one."""
    if not options:
        return {}
    if not isinstance(options, Mapping):
        raise InputError(f"solver_options = {options!r}: expected a mapping of option names to values")
    check = _CHECKS.get(solver)
    if check is None:
        raise InputError(f"solver '{solver}' takes no solver-specific options (got {', '.join(map(str, options))})")
    from coopt.solve.output import quiet_solver

    out = {}
    for name, value in options.items():
        with quiet_solver():  # the C libraries' banners and messages stay off standard output
            why = check(str(name), value)
        if why:
            raise InputError(f"solver option {solver}.{name} = {value!r}: {why}")
        out[str(name)] = value
    return out


__all__ = ["check_solver_options"]
