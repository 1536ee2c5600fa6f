"""Fixtures of the TU tests: the command line run in-process (exit code, stdout, stderr)."""

from __future__ import annotations

import sys

import pytest


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    """``coopt ARGS`` in-process through ``coopt.cli.main``: (exit code, stdout, stderr)."""
    from coopt.cli import main

    old = sys.argv
    sys.argv = ["coopt", *args]
    try:
        main()
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.argv = old
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.fixture
def main_cli(capsys):
    return lambda *args: run_main(capsys, *args)
