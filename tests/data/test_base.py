"""Loading and validating instances: bundled names, user files, overrides, one-line errors."""

from __future__ import annotations

import pytest

import coopt
from coopt.data import bundled
from coopt.errors import InputError

VALID = """family: itinfra
name: mine
n: 6
kappa: 0.3
beta: 0.8
alpha: 0.5
"""


def test_bundled_instance_loads_with_paper_values(itinfra_paper):
    assert (itinfra_paper.n, itinfra_paper.kappa, itinfra_paper.beta) == (10, 0.35, 0.75)
    assert itinfra_paper.p == 1.0 and itinfra_paper.g_max is None
    assert "itinfra/paper-figure1" in bundled()


def test_instance_is_immutable(itinfra_paper):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        itinfra_paper.kappa = 0.1


def test_user_file_and_overrides(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(VALID)
    inst = coopt.load(f)
    assert inst.n == 6 and inst.p == 1.0 and inst.gamma == 0.0
    assert coopt.load(f, {"kappa": 0.1}).kappa == 0.1
    assert inst.digest() != coopt.load(f, {"kappa": 0.1}).digest()
    assert inst.digest() == coopt.load(f).digest()


@pytest.mark.parametrize(
    "line, needle",
    [
        ("kappa: 0.7", "field 'kappa' = 0.7"),
        ("kappa: -0.1", "0 <= kappa <= 0.5"),
        ("beta: 1.5", "field 'beta' = 1.5"),
        ("alpha: 1.0", "0 < alpha < 1"),
        ("alpha: 0", "field 'alpha' = 0"),
        ("n: 1", "2 <= n <= 1000"),
        ("n: 2.5", "field 'n' = 2.5"),
        ("p: 0", "field 'p' = 0"),
        ("gamma: -1", "0 <= gamma <= 1e6"),
        ("colour: red", "unknown field 'colour'"),
    ],
)
def test_bad_field_names_file_field_value_range(tmp_path, line, needle):
    key = line.split(":")[0]
    text = "\n".join(x for x in VALID.splitlines() if not x.startswith(key + ":")) + "\n" + line + "\n"
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as e:
        coopt.load(f)
    msg = str(e.value)
    assert needle in msg and str(f) in msg and "\n" not in msg


def test_missing_field_is_named(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(VALID.replace("kappa: 0.3\n", ""))
    with pytest.raises(InputError, match="missing field 'kappa'"):
        coopt.load(f)


def test_unknown_family_and_missing_file(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("family: nope\n")
    with pytest.raises(InputError, match="'family' = 'nope'"):
        coopt.load(f)
    with pytest.raises(InputError, match="no data file or bundled instance named 'nowhere/thing'"):
        coopt.load("nowhere/thing")


def test_invalid_yaml(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("family: itinfra\nn: [1,\n")
    with pytest.raises(InputError, match="not valid YAML"):
        coopt.load(f)
