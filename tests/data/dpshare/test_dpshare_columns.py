"""Large dpshare tables are validated as columns: same instance, same digest, same errors as row by row.

Reference: the row-by-row pydantic path on the same data (forced with a high ROWS_ABOVE).
"""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.data.dpshare import columns as col
from coopt.data.dpshare import from_costs
from coopt.data.dpshare.columns import PlayerColumns
from coopt.data.dpshare.schema import Player
from coopt.errors import InputError


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(col, "ROWS_ABOVE", 3)
    monkeypatch.setattr("coopt.data.dpshare.schema.ROWS_ABOVE", 3)


def row_path(monkeypatch, make):
    monkeypatch.setattr(col, "ROWS_ABOVE", 10**9)
    monkeypatch.setattr("coopt.data.dpshare.schema.ROWS_ABOVE", 10**9)
    try:
        return make()
    finally:
        monkeypatch.setattr(col, "ROWS_ABOVE", 3)
        monkeypatch.setattr("coopt.data.dpshare.schema.ROWS_ABOVE", 3)


def csv(tmp_path, rows, header="name,c"):
    (tmp_path / "p.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    (tmp_path / "i.yaml").write_text("family: dpshare\nsigma2: 1\nalpha: 0.5\nplayers: p.csv\n")
    return tmp_path / "i.yaml"


def test_columns_equal_rows(small_threshold, monkeypatch):
    c = np.random.default_rng(1).uniform(1e-4, 1e-1, 50)
    fast = from_costs(c, 0.3, 0.5)
    slow = row_path(monkeypatch, lambda: from_costs(c, 0.3, 0.5))
    assert isinstance(fast.players, PlayerColumns) and isinstance(slow.players, tuple)
    assert fast.digest() == slow.digest() and fast.model_dump_json() == slow.model_dump_json()
    assert fast.names == slow.names and np.array_equal(fast.c, slow.c) and fast.n == slow.n == 50
    assert list(fast.players) == list(slow.players) and isinstance(fast.players[0], Player)
    assert fast.players == slow.players
    # a re-validated copy keeps the columns (no per-row work) and the same data
    other = fast.with_overrides(alpha=0.25)
    assert isinstance(other.players, PlayerColumns) and other.names == fast.names and other.digest() != fast.digest()


def test_given_names_and_csv_take_the_columns(small_threshold, tmp_path, monkeypatch):
    inst = from_costs([0.3, 0.1, 0.2, 0.4], 1.0, 0.0, names=["d", "b", "c", "e"])
    assert isinstance(inst.players, PlayerColumns) and inst.names == ["b", "c", "d", "e"]
    path = csv(tmp_path, ["x,0.2", "y,0.1", "z,0.4", "7,0.3"], header="name,c,comment")
    fast = coopt.load(path)
    slow = row_path(monkeypatch, lambda: coopt.load(path))
    assert isinstance(fast.players, PlayerColumns)
    assert fast.names == slow.names == ["y", "x", "7", "z"] and fast.digest() == slow.digest()


@pytest.mark.parametrize("rows, field, value", [
    # a value out of range names the file, its row (header is row 1... data row 3) and column
    (["a,0.1", "b,0.2", "c,-0.2", "d,0.3"], "row 3: column 'c'", "-0.2"),
    (["a,0.1", "b,0.2", "c,0", "d,0.3"], "row 3: column 'c'", "0"),
    (["a,0.1", "b,0.2", "c,2e12", "d,0.3"], "row 3: column 'c'", "2e+12"),
    (["a,0.1", "b,0.2", "a,0.4", "d,0.3"], "players", "duplicate"),
    (["a,0.1", "b,0.2", "c,inf", "d,0.3"], "row 3", "inf"),  # the CSV reader's own check (file, row, column)
    (["a,0.1", "b,0.2", "c,x", "d,0.3"], "row 3", "x"),
    (["a,0.1", "b,0.2", " , 0.4", "d,0.3"], "row 3", "empty"),
])
def test_errors_name_row_and_field(small_threshold, tmp_path, rows, field, value):
    with pytest.raises(InputError) as err:
        coopt.load(csv(tmp_path, rows))
    msg = str(err.value)
    assert "\n" not in msg and field in msg and value in msg and ("i.yaml" in msg or "p.csv" in msg)


def test_inline_rows_and_booleans(small_threshold):
    rows = [{"name": f"a{i}", "c": 0.1 + i} for i in range(5)]
    inst = coopt.load(coopt.load("dpshare/lemma3-example"), overrides={"players": rows})
    assert isinstance(inst.players, PlayerColumns) and inst.n == 5
    # a boolean cost is not taken as a number by the columns: the row path decides (and reports)
    try:
        odd = coopt.load(inst, overrides={"players": rows[:2] + [{"name": "z", "c": True}] + rows[3:]})
        assert not isinstance(odd.players, PlayerColumns)
    except InputError as err:
        assert "players.2.c" in str(err)
    with pytest.raises(InputError, match=r"players\.1\.c"):
        from_costs([0.1, np.nan, 0.2, 0.3, 0.4], 1.0, 0.0)


def test_player_columns_view():
    pc = PlayerColumns(("a", "b", "c"), np.array([0.1, 0.2, 0.3]))
    assert len(pc) == 3 and pc[1] == Player(name="b", c=0.2) and pc[1:].names == ("b", "c")
    with pytest.raises(ValueError):
        pc.c[0] = 1.0  # read only
    assert pc.rows() == [{"name": "a", "c": 0.1}, {"name": "b", "c": 0.2}, {"name": "c", "c": 0.3}]


def test_digest_is_computed_once():
    inst = coopt.load("dpshare/lemma3-example")
    d = inst.digest()
    assert inst._digest == d and inst.digest() is d
    assert inst.model_copy(update={"alpha": 0.5}).digest() != d  # a changed copy is hashed again
