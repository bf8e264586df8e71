"""Test settings shared by the whole suite.

Hypothesis runs with fixed seeds by default (profile `ci`: derandomized, no example database), so that a
failure reproduces on every machine and every run. To search harder:

    CLEMENCY_HYPOTHESIS=dev .venv/bin/pytest tests/test_properties.py     # random seeds, example database
    CLEMENCY_EXAMPLES=10 .venv/bin/pytest tests/test_properties.py        # ten times the examples

`CLEMENCY_EXAMPLES` multiplies the examples of the tests that size themselves with `examples(n)` (the
property and conformance tests); `CLEMENCY_HYPOTHESIS` picks the profile (`ci`, the default, or `dev`).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", derandomize=False, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("CLEMENCY_HYPOTHESIS", "ci"))


def examples(n: int) -> int:
    """`n` examples, times CLEMENCY_EXAMPLES (default 1)."""
    return max(1, n * int(os.environ.get("CLEMENCY_EXAMPLES", "1")))
