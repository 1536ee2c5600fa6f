"""Every walk-through in examples/ runs and asserts its own results.

In this process (``runpy``, as ``__main__``, from an empty working directory), so that the suite does
not pay an interpreter and a Pyomo/CVXPY start-up per example (tests/test_startup.py runs the command
line end to end in new processes).
"""

from __future__ import annotations

import contextlib
import io
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.fixture(autouse=True)
def _registry_untouched():
    """An example that registers a problem of its own (examples/my_problem.py) leaves the registry as it was."""
    import coopt.problems as registry

    saved = dict(registry._REGISTERED)
    yield
    registry._REGISTERED.clear()
    registry._REGISTERED.update(saved)


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    out = io.StringIO()
    argv = sys.argv
    sys.argv = [str(script)]
    try:
        with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as e:
        assert e.code in (0, None), out.getvalue()[-2000:]
    finally:
        sys.argv = argv

