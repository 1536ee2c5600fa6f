"""Hypothesis profiles of the fuzz tests.

* ``coopt-fuzz`` (default suite): a fixed, bounded number of examples, derandomized (the same inputs on
  every run, so a failure reproduces); the whole fuzz directory stays under ~30 s.
* ``coopt-fuzz-long`` (``@pytest.mark.slow``, run by ``make test-slow``): many more random examples.

Set ``COOPT_FUZZ_EXAMPLES=N`` to scale the long profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                              HealthCheck.function_scoped_fixture],
}
settings.register_profile("coopt-fuzz", max_examples=75, derandomize=True, **_COMMON)
settings.register_profile("coopt-fuzz-long", max_examples=int(os.environ.get("COOPT_FUZZ_EXAMPLES", "400")),
                          **_COMMON)
