"""Run the command line in-process (``coopt.cli.run_cli``) and check coopt's output contract.

The contract every call must keep (used by the CLI tests and the fuzz tests):

* exit code 0, 1 or 2, never a traceback;
* exit 2: exactly one line on standard error, ``coopt: ...``, safe (no control characters);
* exit 0 or 1 with ``--format json``: standard output parses as JSON; exit 1 says why in its last line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from coopt.cli import run_cli

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class Outcome:
    rc: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def json(self) -> Any:
        return json.loads(self.out)


def call(*args: str) -> Outcome:
    """``coopt ARGS`` in this process: exit code, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = run_cli([str(a) for a in args])
    return Outcome(rc, out.getvalue(), err.getvalue())


def assert_one_line_error(r: Outcome, rc: int = 2, needle: str | None = None) -> str:
    """Exit ``rc`` with exactly one safe line on standard error (containing ``needle``); return it."""
    assert r.rc == rc, (r.rc, r.err, r.out[:500])
    assert "Traceback" not in r.err, r.err
    lines = r.err_lines
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("coopt: "), line
    assert not _CONTROL.search(line), repr(line)
    assert len(line) <= 2100, len(line)
    if needle is not None:
        assert needle in line, line
    return line


def assert_contract(r: Outcome, json_output: bool = True) -> None:
    """The output contract of any call: exit 2 with one line, or a parseable result (exit 0/1)."""
    assert r.rc in (0, 1, 2), (r.rc, r.err)
    assert "Traceback" not in r.err, r.err
    assert "unexpected failure" not in r.err, r.err  # an exception coopt did not foresee is a bug
    if r.rc == 2:
        assert_one_line_error(r)
        return
    if json_output:
        r.json()  # parses
    if r.rc == 1:  # the last line says why (solver logs, if any, come before it on standard error)
        assert r.err_lines and r.err_lines[-1].startswith("coopt: "), r.err
        assert not _CONTROL.search(r.err_lines[-1]), r.err
