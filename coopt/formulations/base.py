"""What a decision problem is, for the catalogue: metadata, options, formulations.

A problem module defines ``PROBLEM = Problem(...)``. A problem has either one or more
declarative ``Formulation`` builders (Pyomo, CVXPY, or a native exact algorithm), or a
``run`` function composing many solves (games). See DEVELOPERS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coopt.errors import InputError

PROBLEM_CLASSES = ("LP", "QP", "SOCP", "CONE", "NLP", "NCNLP", "MILP", "MIQP", "MINLP")
LAYERS = ("pyomo", "cvxpy", "native")


@dataclass(frozen=True)
class Option:
    """A problem option settable with ``--set name=value`` (e.g. the coalition size j)."""

    type: type | str
    default: Any = None
    doc: str = ""
    required: bool = False
    choices: tuple[Any, ...] | None = None

    def parse(self, name: str, raw: Any) -> Any:
        """Convert a CLI string (or a Python value) to the option's type, with a one-line error."""
        try:
            value = _convert(self.type, raw)
        except (TypeError, ValueError):
            raise InputError(f"option '{name}' = {raw!r}: expected {_type_name(self.type)} ({self.doc})") from None
        if self.choices is not None and value not in self.choices:
            raise InputError(f"option '{name}' = {raw!r}: must be one of {', '.join(map(str, self.choices))}")
        return value


def _type_name(t: type | str) -> str:
    return t if isinstance(t, str) else t.__name__


def _convert(t: type | str, raw: Any) -> Any:
    if raw is None:
        return None
    if t == "list[str]":
        if isinstance(raw, str):
            return [x.strip() for x in raw.split(",") if x.strip()]
        return [str(x) for x in raw]
    if t is bool:
        if isinstance(raw, bool):
            return raw
        s = str(raw).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if t is int:
        if isinstance(raw, bool):
            raise ValueError(raw)
        f = float(raw)
        if f != int(f):
            raise ValueError(raw)
        return int(f)
    if t is float:
        return float(raw)
    if t is str:
        return str(raw)
    raise TypeError(t)


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

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}")
        if self.problem_class not in PROBLEM_CLASSES:
            raise ValueError(f"unknown problem class {self.problem_class!r}")


@dataclass(frozen=True)
class Problem:
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

    @property
    def classes(self) -> tuple[str, ...]:
        """Problem classes of the formulations (or the declared class of a composed problem)."""
        if self.formulations:
            return tuple(dict.fromkeys(f.problem_class for f in self.formulations))
        return (self.problem_class,) if self.problem_class else ()

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.layer for f in self.formulations))

    def parse_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and convert option values; fill defaults; reject unknown options."""
        out: dict[str, Any] = {}
        for key, val in raw.items():
            if key not in self.options:
                known = ", ".join(self.options) or "none"
                raise InputError(f"{self.name}: unknown option '{key}' (options: {known})")
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
