"""Vaccine instances: bundled files, CSV/inline players, shared and per-player functions, bad input."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import coopt
from coopt.errors import InputError

M_US = [14429720, 19949192, 28891734, 60580377, 51766882, 37860549, 13610802, 10787806, 47495705, 12734126]


def test_bundled_case_study_has_table1_and_table2():
    inst = coopt.load("vaccine/us-hhs-2009")
    assert inst.n == 10 and sum(inst.M) == 298106893
    np.testing.assert_array_equal(inst.M, M_US)
    assert [round(f.sigma, 2) for f in inst.functions] == [1.43, 1.26, 1.32, 1.18, 1.21, 1.18, 1.24, 1.18, 1.14,
                                                           1.16]
    assert all(f.infectious_days == 2.3 and f.i0 == 1e-4 for f in inst.functions)
    np.testing.assert_allclose(inst.r, 3e7 * np.array(M_US) / sum(M_US))  # pro rata
    nc = coopt.load("vaccine/us-hhs-2009-nc")
    assert {f.sigma for f in nc.functions} == {2.0}
    assert nc.functions[0].infectious_days == pytest.approx(20 / 3)


def test_examples_bundled():
    for k, r in [(1, [0.2] * 3), (2, [1 / 3] * 3), (3, [0.1, 1.0, 0.65])]:
        inst = coopt.load(f"vaccine/example-{k}")
        np.testing.assert_allclose(inst.r, r)
        assert all(f.type == "logistic" and (f.a, f.b) == (45, 25) for f in inst.functions)


def test_overrides_tau_and_total():
    inst = coopt.load("vaccine/us-hhs-2009", overrides={
        "resources": {"total": 1e7, "split": "pro-rata"},
        "return_function": {"type": "sir", "tau": 40, "infectious_days": 2.3, "initial_infected_fraction": 1e-4}})
    assert inst.r.sum() == pytest.approx(1e7)
    assert inst.functions[0].tau == 40


def write(tmp_path, text, csv=None):
    if csv is not None:
        (tmp_path / "p.csv").write_text(textwrap.dedent(csv))
    f = tmp_path / "v.yaml"
    f.write_text(textwrap.dedent(text))
    return f


def test_csv_with_per_player_function_columns(tmp_path):
    f = write(tmp_path, """
        family: vaccine
        players: p.csv
        return_function: {type: logistic, a: 45, b: 25}
        """, """\
        name,M,r,type,a,b
        x,1,0.2,,,
        y,2,0.5,ginsberg,0.6,0.4
        z,1,0.1,,30,
        """)
    inst = coopt.load(f)
    fx, fy, fz = inst.functions
    assert (fx.type, fx.a, fx.b) == ("logistic", 45, 25)
    assert (fy.type, fy.a, fy.b) == ("ginsberg", 0.6, 0.4)
    assert (fz.type, fz.a, fz.b) == ("logistic", 30, 25)  # merged into the shared function


@pytest.mark.parametrize("players,match", [
    ("[{name: a, M: -1, r: 0.1}]", "size M must satisfy 0 < M <= 1e+13, got -1"),
    ("[{name: a, M: 1, r: 500}]", "out of range"),
    ("[{name: a, M: 1, r: -0.1}]", "out of range"),
    ("[{name: a, M: 1, r: 0.1, return_function: {type: ginsberg, a: 4}}]", "missing parameter"),
    ("[{name: a, M: 1, r: 0.1, return_function: {type: ginsberg, a: 1, b: -2}}]", "not S-shaped"),
    ("[{name: a, M: 1}]", "have no resources"),
])
def test_bad_input_one_line(tmp_path, players, match):
    f = write(tmp_path, f"""
        family: vaccine
        return_function: {{type: logistic, a: 45, b: 25}}
        players: {players}
        """)
    with pytest.raises(InputError) as err:
        coopt.load(f)
    msg = str(err.value)
    assert match in msg and "\n" not in msg


def test_unknown_coalition_member_cli_exit_2(cli):
    p = cli("solve", "vaccine.allocation", "--data", "vaccine/example-3", "--set", "coalition=1,9")
    assert p.returncode == 2
    lines = [ln for ln in p.stderr.strip().splitlines() if ln]
    assert len(lines) == 1 and "unknown player '9'" in lines[0]
