"""Errors a user can act on, and the one-line message hygiene every error message goes through.

Every error that reaches a user is a :class:`CooptError` with a one-line message naming the
file, field, value or solver at fault; the CLI prints it to standard error and exits with
``exit_code``:

* 2 -- :class:`InputError`, :class:`SolverUnavailable`: anything the user can fix (bad data file,
  option, value, request, output path);
* 1 -- :class:`SolveError`: a solve (or a computation inside a composed problem) that failed in a way
  coopt did not foresee; like a solve that did not prove optimality, the answer is not certified.

Messages are made safe once, here: :func:`one_line` collapses newlines, escapes terminal control
characters (an ESC from a data file never reaches the terminal) and caps the length;
:func:`short_repr` shows a value in at most a few hundred characters, whatever its size (a YAML
"billion laughs" value is never expanded to print it).
"""

from __future__ import annotations

import contextlib
import reprlib
from collections.abc import Iterator
from typing import Any

#: longest value excerpt any error message shows (characters)
VALUE_CHARS = 200
#: longest error message (characters); longer ones are cut with an ellipsis
MESSAGE_CHARS = 2000

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = VALUE_CHARS
_REPR.maxother = VALUE_CHARS
_REPR.maxlong = 60
for _attr in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _attr, 8)


def _escape(text: str) -> str:
    """Control characters (C0, DEL, C1, and the bidi/line separators) as visible escapes."""
    out = []
    for ch in text:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or o in (0x2028, 0x2029) or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"))
        else:
            out.append(ch)
    return "".join(out)


def short_repr(value: Any, limit: int = VALUE_CHARS) -> str:
    """``repr(value)`` in at most ``limit`` characters, control characters escaped.

    Bounded work whatever the value: containers are shown to a few levels and items (reprlib),
    so a huge or deeply shared structure is never expanded."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr raises
        text = f"<{type(value).__name__}>"
    text = _escape(text)
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def one_line(message: Any, limit: int = MESSAGE_CHARS) -> str:
    """A message as one safe line: whitespace runs with newlines collapsed, control characters escaped,
    at most ``limit`` characters."""
    text = str(message)
    if len(text) > 4 * limit:  # never scan a huge text (a foreign message echoing a file)
        text = text[: 4 * limit]
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    text = _escape(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CooptError(Exception):
    """Base class of coopt's user-facing errors (one-line message, made safe by :func:`one_line`)."""

    exit_code: int = 2

    def __init__(self, message: Any = "", *args: Any) -> None:
        super().__init__(one_line(message), *args)


class InputError(CooptError, ValueError):
    """Bad data file, parameter value, option or request (exit code 2)."""


class SolverUnavailable(CooptError):
    """Unknown solver, solver not installed, or a solver that cannot handle the problem class."""


class SolveError(CooptError):
    """A solve or computation failed unexpectedly (exit code 1: no certified answer)."""

    exit_code = 1


class TimeLimitReached(Exception):
    """A computation passed its deadline (internal: callers report status ``time_limit``, never raise it
    at users)."""


def describe_exception(err: BaseException) -> str:
    """``Type: message`` of a foreign exception, as one safe line."""
    text = one_line(err, 300)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


#: exceptions that mean "the input was too big or too deep" wherever they come from
_RESOURCE_ERRORS = (MemoryError, RecursionError)


@contextlib.contextmanager
def boundary(what: str, default: type[CooptError] = SolveError) -> Iterator[None]:
    """Turn any foreign exception raised inside into a :class:`CooptError` (the Python API's contract).

    ``what`` says where (``load``, ``solve``); ``default`` is the class used for exceptions that are
    not clearly the input's fault (:class:`SolveError` for solves, :class:`InputError` for reading a
    file). Memory and recursion exhaustion are reported as input too large (exit 2)."""
    try:
        yield
    except CooptError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except _RESOURCE_ERRORS as err:
        raise InputError(f"{what}: input too large or too deep to process ({describe_exception(err)})") from err
    except Exception as err:
        raise default(f"{what}: {describe_exception(err)}") from err


__all__ = ["CooptError", "InputError", "SolveError", "SolverUnavailable", "TimeLimitReached", "boundary",
           "describe_exception", "one_line", "short_repr"]
