"""Shared fixtures: the bundled itinfra instance, and the command line run in-process or as a new process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import coopt

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def itinfra_paper():
    return coopt.load("itinfra/paper-figure1")


@dataclass
class CliRun:
    """What a run of ``coopt ARGS`` left: exit code, standard output, standard error."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> CliRun:
    """``coopt ARGS`` in this process (``coopt.cli.main`` with its exit codes), capturing output.

    Fast (no interpreter start-up, no re-import of Pyomo/CVXPY); what a user sees is checked by the
    few end-to-end tests that use :func:`run_cli_process`."""
    from coopt import cli

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["coopt", *map(str, args)]
    try:
        with contextlib.chdir(cwd or REPO), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
                rc = 0
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = argv
    return CliRun(rc, out.getvalue(), err.getvalue())


def run_cli_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
                    ) -> subprocess.CompletedProcess:
    """Run ``coopt ARGS`` as a user would (a new process), capturing output."""
    return subprocess.run([sys.executable, "-m", "coopt.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=600, env={**os.environ, **(env or {})})


@pytest.fixture
def cli():
    return run_cli
