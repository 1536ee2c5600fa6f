"""Shared fixtures: the bundled itinfra instance, a CLI runner with coopt's exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import coopt

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def itinfra_paper():
    return coopt.load("itinfra/paper-figure1")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``coopt ARGS`` as a user would (a new process), capturing output."""
    return subprocess.run([sys.executable, "-m", "coopt.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=600)


@pytest.fixture
def cli():
    return run_cli
