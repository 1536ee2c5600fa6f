"""Players of vaccine and dpshare instances from a table: a CSV or Excel file named in the YAML
(``players: regions.csv`` or ``players_csv: regions.csv``) or a pandas DataFrame (``coopt.load(df, ...,
family=...)``). Each row is validated on its own: a bad cell is one line naming the table, the row and the
column (exit 2 from the CLI). References: the bundled instances the tables are copied from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import coopt
from coopt.data.base import BUNDLED_DIR
from coopt.errors import InputError

REGIONS = BUNDLED_DIR / "vaccine" / "us-hhs-2009-regions.csv"
SHARED = {"resources": {"total": 3.0e7, "split": "pro-rata"},
          "return_function": {"type": "sir", "tau": 10, "infectious_days": 2.3, "initial_infected_fraction": 1.0e-4,
                              "variant": "paper"}}


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A copy of the bundled us-hhs-2009 instance whose YAML names its CSV with players_csv."""
    shutil.copy(REGIONS, tmp_path / "regions.csv")
    text = (BUNDLED_DIR / "vaccine" / "us-hhs-2009.yaml").read_text()
    (tmp_path / "v.yaml").write_text(text.replace("players: us-hhs-2009-regions.csv", "players_csv: regions.csv"))
    return tmp_path


def _edit_row(path: Path, row: int, column: str, value: str) -> None:
    df = pd.read_csv(path, dtype=str)
    df.loc[row - 1, column] = value
    df.to_csv(path, index=False)


def test_players_csv_is_the_bundled_instance(case):
    ref = coopt.load("vaccine/us-hhs-2009")
    inst = coopt.load(case / "v.yaml")
    assert inst.names == ref.names and (inst.M == ref.M).all() and inst.digest() == ref.digest()


@pytest.mark.parametrize(("column", "value", "needle"), [
    ("M", "abc", "regions.csv: row 7: column 'M' = 'abc' is not a finite number"),
    ("M", "-5", "regions.csv: row 7: column 'M' = -5.0: size M must satisfy 0 < M"),
    ("sigma", "-1", "regions.csv: row 7 ('The Plains'): sigma = -1: the reproduction number must satisfy 0 < sigma"),
    ("name", "", "regions.csv: row 7: empty 'name' cell"),
])
def test_a_bad_value_in_row_7_is_one_line_naming_file_row_and_column(cli, case, column, value, needle):
    _edit_row(case / "regions.csv", 7, column, value)
    with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        coopt.load(case / "v.yaml")
    r = cli("solve", "vaccine.allocation", "--data", str(case / "v.yaml"))
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_missing_column_is_one_line(cli, case):
    df = pd.read_csv(case / "regions.csv").drop(columns=["M"])
    df.to_csv(case / "regions.csv", index=False)
    r = cli("solve", "vaccine.allocation", "--data", str(case / "v.yaml"))
    assert r.returncode == 2 and "regions.csv: missing column(s) M (have: name, sigma)" in r.stderr


def test_players_and_players_csv_not_both(case):
    text = (case / "v.yaml").read_text() + "players: regions.csv\n"
    (case / "both.yaml").write_text(text)
    with pytest.raises(InputError, match="give either 'players' or 'players_csv', not both"):
        coopt.load(case / "both.yaml")


def test_an_excel_sheet_is_read_like_the_csv(case):
    pd.read_csv(REGIONS).to_excel(case / "regions.xlsx", index=False)
    (case / "x.yaml").write_text((case / "v.yaml").read_text().replace("regions.csv", "regions.xlsx"))
    assert coopt.load(case / "x.yaml").digest() == coopt.load("vaccine/us-hhs-2009").digest()
    df = pd.read_csv(REGIONS)
    df.loc[6, "M"] = -5
    df.to_excel(case / "regions.xlsx", index=False)
    with pytest.raises(InputError, match="regions.xlsx: row 7: column 'M' = -5.0"):
        coopt.load(case / "x.yaml")


def test_excel_without_openpyxl_says_how_to_get_it(case, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError("no openpyxl")
        return real_import(name, *args, **kwargs)

    pd.read_csv(REGIONS).to_excel(case / "regions.xlsx", index=False)
    (case / "x.yaml").write_text((case / "v.yaml").read_text().replace("regions.csv", "regions.xlsx"))
    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(InputError, match=r"needs openpyxl: pip install 'coopt\[excel\]'"):
        coopt.load(case / "x.yaml")


def test_a_dataframe_of_players():
    v = coopt.load(pd.read_csv(REGIONS), SHARED, family="vaccine")
    assert v.digest() != "" and list(v.names) == list(coopt.load("vaccine/us-hhs-2009").names)
    ref = coopt.load("vaccine/us-hhs-2009")
    assert (v.M == ref.M).all() and [f.f_tilde for f in v.functions] == [f.f_tilde for f in ref.functions]
    costs = pd.read_csv(BUNDLED_DIR / "dpshare" / "figure1-players.csv")
    d = coopt.load(costs, {"sigma2": 0.09, "alpha": 1.0}, family="dpshare")
    assert list(d.names) == costs["name"].astype(str).tolist() and d.c.tolist() == costs["c"].tolist()
    bad = costs.copy()
    bad.loc[1, "c"] = -2.0
    with pytest.raises(InputError, match="DataFrame: row 2: column 'c' = -2.0: privacy cost c must satisfy"):
        coopt.load(bad, {"sigma2": 0.09, "alpha": 1.0}, family="dpshare")
    with pytest.raises(InputError, match="give family="):
        coopt.load(costs)


def test_a_dataframe_tu_game():
    g = coopt.load(pd.DataFrame({"coalition": ["a", "b", "a+b"], "value": [0.0, 0.0, 1.0]}), family="tu")
    res = coopt.run("tu.shapley", g, solver="exact")  # the symmetric game: each player's Shapley value is 1/2
    assert res.ok and res.solution["allocation"] == {"a": pytest.approx(0.5), "b": pytest.approx(0.5)}
    with pytest.raises(InputError, match="two columns coalition, value"):
        coopt.load(pd.DataFrame({"name": ["a"], "c": [1.0]}), family="tu")


def test_data_csv_of_players_says_how_to_reference_it(cli):
    r = cli("solve", "vaccine.allocation", "--data", str(REGIONS))
    assert r.returncode == 2 and "looks like a table of players: name it in a YAML file" in r.stderr
    assert "players_csv: us-hhs-2009-regions.csv" in r.stderr and len(r.stderr.strip().splitlines()) == 1
