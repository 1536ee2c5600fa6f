"""Keep standard output for coopt's answer: solver logs and Pyomo's warnings go elsewhere.

* :func:`quiet_solver` redirects the process's file descriptor 1 to the null device around a
  solve, so that what a solver's C library prints (OSQP's banner, HiGHS's "Running HiGHS", SCIP)
  never reaches stdout, whatever the solver's own verbosity settings do. It is re-entrant and
  thread-safe (the first entrant redirects, the last one restores).
* :func:`route_pyomo_logs` sends Pyomo's default log handler (which writes to stdout) to stderr,
  and drops Pyomo's W1002 warning ("Setting Var ... outside the bounds"), which Ipopt's bound
  relaxation (1e-8) triggers once per variable: coopt reports the primal residual instead. Pyomo
  keeps the warning's code in ``record.id``, not in its text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None


def _flush() -> None:
    for stream in (sys.stdout, sys.__stdout__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


@contextlib.contextmanager
def quiet_solver() -> Iterator[None]:
    """File descriptor 1 points to the null device inside the block (restored after)."""
    global _depth, _saved_fd
    with _lock:
        if _depth == 0:
            _flush()
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                _saved_fd = os.dup(1)
                os.dup2(devnull, 1)
                os.close(devnull)
            except OSError:  # no fd 1 (embedded interpreters): nothing to protect
                _saved_fd = None
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved_fd is not None:
                _flush()
                os.dup2(_saved_fd, 1)
                os.close(_saved_fd)
                _saved_fd = None


class _DropBoundWarnings(logging.Filter):
    """Pyomo's W1002 ('Setting Var ... outside the bounds'): coopt reports the primal residual."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "id", None) != "W1002"


class _CurrentStderr:
    """A stream that writes to whatever ``sys.stderr`` is at the time of writing."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_routed = False


def route_pyomo_logs() -> None:
    """Pyomo's default handler to stderr, W1002 dropped (idempotent)."""
    global _routed
    if _routed:
        return
    _routed = True
    logging.getLogger("pyomo.core").addFilter(_DropBoundWarnings())
    try:
        from pyomo.common.log import pyomo_handler
    except ImportError:  # pragma: no cover - Pyomo is a dependency
        return
    pyomo_handler.setStream(_CurrentStderr())  # type: ignore[arg-type]


__all__ = ["quiet_solver", "route_pyomo_logs"]
