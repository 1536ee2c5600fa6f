"""Fixtures of the TU tests: the command line run in-process (exit code, stdout, stderr)."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.fixture
def main_cli():
    """``coopt ARGS`` in-process (the shared :func:`tests.conftest.run_cli`) as (exit code, stdout, stderr)."""
    def run(*args: str) -> tuple[int, str, str]:
        r = run_cli(*args)
        return r.returncode, r.stdout, r.stderr

    return run
