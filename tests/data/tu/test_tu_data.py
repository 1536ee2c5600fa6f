"""The tu family's files: YAML and two-column CSV, from_table / from_array, and every bad input as one line, exit 2."""

from __future__ import annotations

import re

import numpy as np
import pytest

import coopt
from coopt.data.tu import TUGame
from coopt.data.tu.game import lex_order
from coopt.errors import CooptError
from tests.conftest import run_cli


def run_main(*args: str) -> tuple[int, str, str]:
    r = run_cli(*args)  # in-process, the shared runner of tests/conftest.py
    return r.returncode, r.stdout, r.stderr


def test_bundled_yaml_and_csv_load_the_same_game(tmp_path):
    inst = coopt.load("tu/textbook")
    g = inst.game
    assert g.names == ("a", "b", "c") and g.value(["b", "a"]) == 10.0 and g.v_grand == 2.0
    f = tmp_path / "t.csv"
    f.write_text("coalition,value\na,0\nb,0\nc,0\nb+a,10\na+c,0\nb+c,0\na+b+c,2\n")
    c = coopt.load(str(f))
    assert c.family == "tu" and c.game.names == g.names and np.array_equal(c.game.v, g.v)
    assert c.digest() == inst.digest()


def test_from_table_from_array_orders():
    g = TUGame.from_table({"x": 1, "y": 2, "x+y": 4})
    assert g.names == ("x", "y") and g.v.tolist() == [0, 1, 2, 4]
    # lex order (TUGLab): {1},{2},{3},{1,2},{1,3},{2,3},{1,2,3}
    lex = [1, 2, 3, 12, 13, 23, 123]
    g = TUGame.from_array(lex, order="lex")
    assert g.value(["1", "3"]) == 13 and g.value(["2", "3"]) == 23 and g.value(["1", "2", "3"]) == 123
    assert g.to_array("lex").tolist() == lex
    b = TUGame.from_array(g.to_array("bitmask"))
    assert np.array_equal(b.v, g.v)
    assert lex_order(3).tolist() == [1, 2, 4, 3, 5, 6, 7]
    with pytest.raises(CooptError, match="2\\^n - 1"):
        TUGame.from_array([1, 2, 3, 4, 5])
    with pytest.raises(CooptError, match="order"):
        TUGame.from_array([1, 2, 3], order="colex")


def test_missing_zero_fills_absent_coalitions():
    g = TUGame.from_table({"a+b": 1, "c": 0.5}, players=["a", "b", "c"], missing="zero")
    assert g.value(["a"]) == 0 and g.value(["a", "b", "c"]) == 0 and g.value(["c"]) == 0.5


BAD_YAML = {
    "unknown player": ("players: [a, b]\nvalues: {a: 0, b: 0, a+z: 1}", "'z' is not a player"),
    "duplicate coalition": ("values: {a: 0, b: 0, a+b: 1, b+a: 2}", "same coalition"),
    "missing coalition": ("values: {a: 0, b: 1}", "no value for coalition 'a+b'"),
    "non-finite": ("values: {a: 0, b: .inf, a+b: 1}", "finite number"),
    "nan": ("values: {a: 0, b: .nan, a+b: 1}", "finite number"),
    "boolean": ("values: {a: 0, b: yes, a+b: 1}", "finite number"),
    "text": ("values: {a: 0, b: lots, a+b: 1}", "finite number"),
    "player twice": ("values: {a: 0, b: 0, a+a: 1, a+b: 1}", "named twice"),
    "empty name": ("values: {a: 0, '+b': 0, a+b: 1}", "empty player name"),
    "bad missing": ("values: {a: 0}\nmissing: maybe", "missing"),
    "duplicate player": ("players: [a, a]\nvalues: {a: 0}", "appears twice"),
    "too many players": ("players: [" + ", ".join(f"p{i}" for i in range(31)) + "]\nvalues: {p0: 1}\nmissing: zero",
                         "at most 30"),
    "dense limit": ("players: [" + ", ".join(f"p{i}" for i in range(27)) + "]\nvalues: {p0: 1}", "n <= 25"),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_bad_yaml_is_one_line_exit_2(case, tmp_path):
    body, want = BAD_YAML[case]
    f = tmp_path / "bad.yaml"
    f.write_text(f"family: tu\nname: bad\n{body}\n")
    with pytest.raises(CooptError, match=re.escape(want)):
        coopt.load(str(f))
    code, out, err = run_main("solve", "tu.shapley", "--data", str(f))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and want.split("'")[0].strip() in lines[0] and len(lines[0]) < 400
    assert "Traceback" not in err


BAD_CSV = {
    "header": ("coalitions;values\na;1\n", "coalition,value"),
    "value": ("coalition,value\na,0\nb,x\na+b,1\n", "finite number"),
    "inf": ("coalition,value\na,0\nb,inf\na+b,1\n", "finite number"),
    "empty coalition": ("coalition,value\na,0\n,1\n", "empty coalition"),
    "duplicate": ("coalition,value\na,0\nb,0\na+b,1\nb+a,2\n", "same coalition"),
    "missing": ("coalition,value\na,0\nb,0\n", "no value for coalition"),
    "three columns": ("coalition,value,extra\na,0,1\n", "coalition,value"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_bad_csv_is_one_line_exit_2(case, tmp_path):
    body, want = BAD_CSV[case]
    f = tmp_path / "bad.csv"
    f.write_text(body)
    code, out, err = run_main("solve", "tu.core", "--data", str(f))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and want in lines[0] and "Traceback" not in err


def test_non_utf8_csv_is_refused(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("coalition,value\n\xe9,1\n".encode("latin-1"))
    code, _, err = run_main("solve", "tu.core", "--data", str(f))
    assert code == 2 and "UTF-8" in err


def test_api_errors_are_coopt_errors():
    with pytest.raises(CooptError, match="not a player"):
        TUGame.from_table({"a": 1, "a+b": 2}, players=["a"])
    with pytest.raises(CooptError, match="finite"):
        TUGame.from_table({"a": float("nan")})
