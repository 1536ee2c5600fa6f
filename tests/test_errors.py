"""Message hygiene: one line, control characters escaped, values shortened with bounded work."""

from __future__ import annotations

import time

import pytest

from coopt.errors import CooptError, InputError, SolveError, boundary, one_line, short_repr


def test_one_line_collapses_newlines_and_escapes_terminal_sequences():
    msg = one_line("pandas says:\n  Error tokenizing data.\n\x1b[31mred\x1b]0;title\x07 done\r")
    assert "\n" not in msg and "\x1b" not in msg and "\x07" not in msg and "\r" not in msg
    assert msg == "pandas says: Error tokenizing data. \\x1b[31mred\\x1b]0;title\\x07 done"


def test_one_line_caps_length():
    assert len(one_line("x" * 10**7)) <= 2000


def test_every_coopt_error_message_is_one_safe_line():
    e = InputError("bad\nvalue \x1b[2J")
    assert str(e) == "bad value \\x1b[2J"


def test_short_repr_bounds_huge_and_shared_values():
    lol: list = ["lol"] * 9
    for _ in range(9):  # a billion-laughs structure: 9^10 leaves, shared references
        lol = [lol] * 9
    t0 = time.perf_counter()
    text = short_repr(lol)
    assert time.perf_counter() - t0 < 0.1
    assert len(text) <= 200
    assert len(short_repr("y" * 10**6)) <= 200
    assert short_repr("a\x1bb") == "'a\\x1bb'"


def test_boundary_turns_foreign_exceptions_into_coopt_errors():
    with pytest.raises(SolveError, match="KeyError"), boundary("solve"):
        raise KeyError((0, 2))
    with pytest.raises(InputError, match="ValueError: nope"), boundary("load", InputError):
        raise ValueError("nope")
    with pytest.raises(InputError, match="too large"), boundary("load"):
        raise MemoryError
    with pytest.raises(InputError, match="mine"), boundary("solve"):  # coopt's own pass through
        raise InputError("mine")
    assert SolveError.exit_code == 1 and InputError.exit_code == 2


def test_python_api_raises_only_coopt_errors(monkeypatch):
    """coopt.run wraps anything unforeseen from deep inside into a CooptError (here: a KeyError)."""
    import coopt.problems

    def boom(*a, **k):
        raise KeyError("deep inside")

    monkeypatch.setattr(coopt.problems, "run", boom)
    inst = coopt.load("itinfra/paper-figure1")
    with pytest.raises(CooptError, match="KeyError"):
        coopt.run("itinfra.coordinator", inst, j=3)
    with pytest.raises(InputError):
        coopt.load(12345)  # not a path
