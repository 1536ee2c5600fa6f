"""The dpshare data contract: YAML + CSV, sorting by cost, one-line errors naming field and value."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.errors import InputError
from tests.conftest import run_cli

YAML = """family: dpshare
name: t
sigma2: {sigma2}
alpha: {alpha}
players:
{players}
"""


def write(tmp_path, sigma2=0.25, alpha=1.0, players="  - {name: b, c: 0.3}\n  - {name: a, c: 0.1}"):
    p = tmp_path / "inst.yaml"
    p.write_text(YAML.format(sigma2=sigma2, alpha=alpha, players=players))
    return p


def test_bundled_instances_load_sorted():
    inst = coopt.load("dpshare/lemma3-example")
    assert inst.n == 6 and inst.alpha == 1.0 and inst.sigma2 == 0.25
    assert np.all(np.diff(inst.c) >= 0)
    fig = coopt.load("dpshare/figure1")  # players from CSV
    assert fig.n == 9 and fig.names[0] == "a1" and fig.c[0] == pytest.approx(2.2e-4)


def test_unsorted_file_is_sorted_and_reported_by_name(tmp_path):
    inst = coopt.load(write(tmp_path))
    assert inst.names == ["a", "b"] and list(inst.c) == [0.1, 0.3]


def test_csv_players(tmp_path):
    (tmp_path / "p.csv").write_text("name,c\nx,0.2\ny,0.1\nz,0.4\n")
    (tmp_path / "i.yaml").write_text("family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")
    inst = coopt.load(tmp_path / "i.yaml")
    assert inst.names == ["y", "x", "z"]


@pytest.mark.parametrize("kw, field, value", [
    ({"alpha": 1.5}, "alpha", "1.5"),
    ({"alpha": -1.01}, "alpha", "-1.01"),
    ({"sigma2": 0}, "sigma2", "0"),
    ({"players": "  - {name: a, c: 0.1}\n  - {name: b, c: -0.2}"}, "c", "-0.2"),
    ({"players": "  - {name: a, c: 0.1}\n  - {name: b, c: 0}"}, "c", "0"),
    ({"players": "  - {name: a, c: 0.1}\n  - {name: a, c: 0.2}"}, "players", "duplicate"),
    ({"players": "  - {name: a, c: 0.1}"}, "players", "at least 2"),
])
def test_bad_files_one_line_error(tmp_path, kw, field, value):
    p = write(tmp_path, **kw)
    with pytest.raises(InputError) as err:
        coopt.load(p)
    msg = str(err.value)
    assert "\n" not in msg and field in msg and value in msg and "inst.yaml" in msg


def test_bad_csv_column(tmp_path):
    (tmp_path / "p.csv").write_text("name,cost\nx,0.2\ny,0.1\n")
    (tmp_path / "i.yaml").write_text("family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")
    with pytest.raises(InputError, match="missing column"):
        coopt.load(tmp_path / "i.yaml")


def test_cli_errors_exit_2(tmp_path):
    p = write(tmp_path, alpha=2)
    r = run_cli("solve", "dpshare.design", "--data", str(p))
    assert r.returncode == 2 and "alpha" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("solve", "dpshare.best_response", "--data", "dpshare/lemma3-example", "--set", "coalition=a1,zz")
    assert r.returncode == 2 and "zz" in r.stderr
    r = run_cli("solve", "dpshare.design", "--data", "dpshare/lemma3-example", "--solver", "clarabel")
    assert r.returncode == 2 and "clarabel" in r.stderr
    r = run_cli("solve", "dpshare.equilibria", "--data", "dpshare/lemma3-example", "--solver", "ipopt")
    assert r.returncode == 2 and "ipopt" in r.stderr
