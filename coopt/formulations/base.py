"""What a decision problem is, for the catalogue: metadata, options, formulations.

A problem module defines ``PROBLEM = Problem(...)``. A problem has either one or more
declarative ``Formulation`` builders (Pyomo, CVXPY, or a native exact algorithm), or a
``run`` function composing many solves (games). See DEVELOPERS.md.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.errors import InputError, short_repr

PROBLEM_CLASSES = ("LP", "QP", "SOCP", "CONE", "NLP", "NCNLP", "MILP", "MIQP", "MINLP")
LAYERS = ("pyomo", "cvxpy", "native")


OPTION_TYPES = (int, float, bool, str, "list[str]", "list[int]")
#: longest list an option accepts (a coalition of more players than any instance has is a mistake)
MAX_LIST_ITEMS = 100_000


@dataclass(frozen=True)
class Option:
    """A problem option settable with ``--set name=value`` (e.g. the coalition size j).

    Values are checked, never coerced silently: an ``int`` option refuses 1.5 (no truncation), no
    number option takes a boolean, NaN/inf are refused unless ``finite=False``; ``low``/``high``
    bound numbers (and every item of a ``list[int]``), inclusive unless ``low_inclusive`` /
    ``high_inclusive`` is False. ``list[str]``/``list[int]`` options take a comma list or a
    sequence: never empty, no empty item, and (``unique``) no item twice. Every failure is a one-line
    :class:`InputError` naming the option, the value (shortened) and what is allowed.

        Option(float, 1e-9, "tie tolerance", low=0)
        Option(int, 500, "report at most this many", low=1, high=100_000)
    """

    type: type | str
    default: Any = None
    doc: str = ""
    required: bool = False
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    finite: bool = True
    unique: bool = True

    def __post_init__(self) -> None:
        if self.type not in OPTION_TYPES:
            raise ValueError(f"unknown option type {self.type!r} (types: {OPTION_TYPES})")

    @property
    def allowed(self) -> str:
        """The allowed values in words, e.g. ``integer, 1 <= x <= 100000``."""
        return self.allowed_for("x")

    def allowed_for(self, name: str) -> str:
        """The allowed values of option ``name`` in words, e.g. ``integer, 1 <= limit <= 100000``."""
        kind = {int: "integer", float: "number", bool: "true/false", str: "text",
                "list[str]": "comma list of names", "list[int]": "comma list of integers"}[self.type]
        parts = [kind]
        if self.choices is not None:
            parts = [f"one of {', '.join(map(str, self.choices))}"]
        lo = None if self.low is None else f"{self.low:g} {'<=' if self.low_inclusive else '<'} "
        hi = None if self.high is None else f" {'<=' if self.high_inclusive else '<'} {self.high:g}"
        if lo or hi:
            x = f"each item of {name}" if str(self.type).startswith("list") else name
            parts.append(f"{lo or ''}{x}{hi or ''}")
        if self.type is float and self.finite and self.low is None and self.high is None:
            parts.append("finite")
        return ", ".join(parts)

    def parse(self, name: str, raw: Any) -> Any:
        """Convert a CLI string (or a Python value) to the option's type and check its range."""
        if raw is None:
            if self.default is None and not self.required:
                return None
            raise InputError(f"option '{name}' = None: expected {self.allowed_for(name)} ({self.doc})")
        try:
            value = _convert(self.type, raw, self)
        except _Bad as bad:
            raise InputError(f"option '{name}' = {short_repr(raw)}: {bad} (allowed: {self.allowed_for(name)}; "
                             f"{self.doc})") from None
        if self.choices is not None and value not in self.choices:
            raise InputError(f"option '{name}' = {short_repr(raw)}: must be one of "
                             f"{', '.join(map(str, self.choices))}")
        return value


class _Bad(Exception):
    """Why a raw option value was refused (the message completes 'option x = raw: ...')."""


def _number(raw: Any) -> float | int:
    """A number from a CLI string or a Python value; booleans and other types refused."""
    if isinstance(raw, bool) or isinstance(raw, np.bool_):
        raise _Bad("a boolean is not a number")
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if isinstance(raw, numbers.Real):
        return float(raw)
    if isinstance(raw, str):
        s = raw.strip()
        try:
            return int(s)
        except ValueError:
            pass
        try:
            return float(s)
        except ValueError:
            raise _Bad("not a number") from None
    raise _Bad(f"expected a number, got {type(raw).__name__}")


def _check_range(x: float, opt: Option) -> None:
    if isinstance(x, float) and not math.isfinite(x):
        if opt.finite:
            raise _Bad("not a finite number")
        if math.isnan(x):
            raise _Bad("NaN is not allowed")
    if opt.low is not None and not (x >= opt.low if opt.low_inclusive else x > opt.low):
        raise _Bad(f"must be {'>=' if opt.low_inclusive else '>'} {opt.low:g}")
    if opt.high is not None and not (x <= opt.high if opt.high_inclusive else x < opt.high):
        raise _Bad(f"must be {'<=' if opt.high_inclusive else '<'} {opt.high:g}")


def _integer(raw: Any, opt: Option) -> int:
    x = _number(raw)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise _Bad("not a finite integer")
        if x != int(x):
            raise _Bad("not an integer (no rounding)")
        x = int(x)
    _check_range(x, opt)
    return x


def _items(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        if not raw.strip():
            raise _Bad("an empty list")
        items: list[Any] = [x.strip() for x in raw.split(",")]
        if any(x == "" for x in items):
            raise _Bad("an empty item in the comma list")
        return items
    if isinstance(raw, list | tuple | np.ndarray):
        items = list(raw)
        if not items:
            raise _Bad("an empty list")
        return items
    raise _Bad(f"expected a comma list, got {type(raw).__name__}")


def _convert(t: type | str, raw: Any, opt: Option) -> Any:
    if t in ("list[str]", "list[int]"):
        items = _items(raw)
        if len(items) > MAX_LIST_ITEMS:
            raise _Bad(f"{len(items)} items; at most {MAX_LIST_ITEMS}")
        if t == "list[int]":
            out: list[Any] = [_integer(x, opt) for x in items]
        else:
            out = []
            for x in items:
                if isinstance(x, bool) or not isinstance(x, str | numbers.Integral):
                    raise _Bad(f"item {short_repr(x)} is not a name")
                x = str(x).strip()
                if not x:
                    raise _Bad("an empty item")
                out.append(x)
        if opt.unique and len(set(out)) != len(out):
            dup = next(x for x in out if out.count(x) > 1)
            raise _Bad(f"{short_repr(dup)} is {'named' if t == 'list[str]' else 'given'} twice")
        return out
    if t is bool:
        if isinstance(raw, bool | np.bool_):
            return bool(raw)
        s = str(raw).strip().lower() if isinstance(raw, str) else None
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off"):
            return False
        raise _Bad("expected true or false")
    if t is int:
        return _integer(raw, opt)
    if t is float:
        x = float(_number(raw))
        _check_range(x, opt)
        return x
    if not isinstance(raw, str):
        raise _Bad(f"expected text, got {type(raw).__name__}")
    return raw.strip()


#: the common solver options (``--time-limit``, ``--set tol=...``): checked like problem options
SOLVER_OPTIONS: dict[str, Option] = {
    "time_limit": Option(float, None, "wall-clock limit of a solve (seconds)", low=0, low_inclusive=False,
                         high=1e7),
    "gap": Option(float, None, "relative optimality gap at which a global solver stops", low=0,
                  low_inclusive=False, high=1),
    "tol": Option(float, None, "feasibility/optimality tolerance", low=0, low_inclusive=False, high=1),
    "max_iter": Option(int, None, "iteration limit", low=1, high=10**9),
}


@dataclass(frozen=True)
class Formulation:
    """One honest way to write a problem: a builder ``build(instance, **options) -> model``.

    ``layer`` is ``pyomo``, ``cvxpy`` or ``native`` (an exact algorithm wrapped as a
    ``coopt.solve.native.NativeModel``); ``problem_class`` one of ``PROBLEM_CLASSES``.
    """

    name: str
    layer: str
    problem_class: str
    build: Callable[..., Any]
    doc: str = ""
    #: ``params(instance, **options) -> {mutable Param name: value}``: how an instance maps onto the
    #: model's mutable parameters, so that a sweep re-solves one built model instead of rebuilding it
    params: Callable[..., Mapping[str, float]] | None = None
    #: what this formulation writes differently from the problem's ``math`` (LaTeX/Markdown), if anything
    math: str = ""
    #: a native formulation's method: ``exact`` (a proof of optimality; the ``exact`` solver) or ``heuristic``
    #: (the ``heuristic`` solver). Declared, never guessed from the name; empty for Pyomo and CVXPY models
    method: str = ""

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}")
        if self.problem_class not in PROBLEM_CLASSES:
            raise ValueError(f"unknown problem class {self.problem_class!r}")
        if self.layer == "native" and self.method not in ("exact", "heuristic"):
            raise ValueError(f"native formulation {self.name!r}: method must be 'exact' or 'heuristic', "
                             f"got {self.method!r}")
        if self.layer != "native" and self.method:
            raise ValueError(f"formulation {self.name!r}: only a native formulation declares a method")


class ClassesAndLayers:
    """``classes`` and ``layers`` of a problem, from its ``formulations`` and ``problem_class``: shared by
    :class:`Problem` and the registry's index entry (``coopt.problems.ProblemInfo``)."""

    formulations: tuple[Any, ...]
    problem_class: str

    @property
    def classes(self) -> tuple[str, ...]:
        """Problem classes of the formulations (or the declared class of a composed problem)."""
        if self.formulations:
            return tuple(dict.fromkeys(f.problem_class for f in self.formulations))
        return (self.problem_class,) if self.problem_class else ()

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.layer for f in self.formulations))


@dataclass(frozen=True)
class Problem(ClassesAndLayers):
    """A catalogue entry: the paper's decision problem with its formulations or run function."""

    name: str
    family: str
    summary: str
    paper: str
    equations: str
    options: Mapping[str, Option] = field(default_factory=dict)
    formulations: tuple[Formulation, ...] = ()
    solution: Callable[..., dict] | None = None
    closed_form: Callable[..., Mapping[str, float]] | None = None
    run: Callable[..., Any] | None = None
    default_solver: str = "highs"
    solvers: tuple[str, ...] = ()
    problem_class: str = ""
    #: other families whose instances the problem also takes (a TU problem accepts a vaccine instance: v(S)
    #: from that family's exact method)
    accepts: tuple[str, ...] = ()
    #: the model in LaTeX/Markdown exactly as coded (objective, constraints, the paper's equation
    #: numbers): ``coopt show`` prints it and the documentation site renders it
    math: str = ""
    #: the example the docs page runs: ``{"data": bundled instance, "solver": ..., "options": {...}}``
    example: Mapping[str, Any] = field(default_factory=dict)
    #: a composed problem's one model that ``coopt export`` writes: ``export(instance, **options) ->
    #: (model, problem_class, notes)`` (e.g. vaccine.market's LP (18)-(23) at the exact v(S))
    export: Callable[..., tuple[Any, str, list[str]]] | None = None

    def parse_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and convert option values; fill defaults; reject unknown options."""
        out: dict[str, Any] = {}
        for key, val in raw.items():
            if key not in self.options:
                known = ", ".join(self.options) or "none"
                raise InputError(f"{self.name}: unknown option {short_repr(key)} (options: {known})")
            out[key] = self.options[key].parse(key, val)
        for key, opt in self.options.items():
            if key not in out:
                if opt.required:
                    raise InputError(f"{self.name}: option '{key}' is required ({opt.doc}); pass --set {key}=...")
                out[key] = opt.default
        return out


class NotApplicable(Exception):  # noqa: N818 (a verdict, not a failure)
    """Raised by a closed form whose assumptions the instance or options do not meet (e.g. a bound
    that binds): the result then reports ``closed_form_error: null`` and "closed form not
    applicable: <the reason>", never a number."""


def named_options(fn: Callable[..., Any], skip: int = 1, wrapper_takes_all: bool = True) -> frozenset[str] | None:
    """The options a problem function takes by name (after its first ``skip`` positional
    parameters: the instance, or the result, model and instance of ``solution``). A function honours
    (a builder) or covers (a closed form) exactly these; every function also takes ``**options`` so
    that a new option never breaks it. None (every option) for a function that cannot be inspected or
    names none and takes ``**options`` (a wrapper that forwards them, or a function that reads them
    from the mapping), unless ``wrapper_takes_all`` is false."""
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
             inspect.Parameter.KEYWORD_ONLY)
    named = [p.name for p in params if p.kind in kinds][skip:]
    if wrapper_takes_all and not named and any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return frozenset(named)
