"""Bounded, checked reading of data files (issue #10): every case a one-line InputError or the right value.

Cases: non-finite numbers (`p: .inf`, `gamma: .inf`), booleans as numbers (`beta: true`), repeated
YAML keys, "billion laughs" aliases (file and --set), oversized files, non-UTF-8 files, empty CSV
name cells, non-numeric CSV cells, duplicate CSV columns, control characters in names,
`from_costs` with too few names, stiff or late SIR parameters.
"""

from __future__ import annotations

import time

import pytest

import coopt
from coopt.data import base
from coopt.data.dpshare import from_costs
from coopt.errors import InputError

ITINFRA = "family: itinfra\nname: mine\nn: 6\nkappa: 0.3\nbeta: 0.8\nalpha: 0.5\n"


def _load_text(tmp_path, text: str, name: str = "x.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return coopt.load(f)


def _one_line_error(tmp_path, text: str, needle: str) -> str:
    with pytest.raises(InputError) as e:
        _load_text(tmp_path, text)
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and "x.yaml" in msg and len(msg) < 600, msg
    return msg


@pytest.mark.parametrize("line, needle", [
    ("p: .inf", "field 'p' = inf"),
    ("gamma: .inf", "field 'gamma' = inf"),
    ("kappa: .nan", "field 'kappa' = nan"),
    ("g_max: -.inf", "field 'g_max' = -inf"),
    ("beta: true", "field 'beta' = True: expected a number, got the boolean true"),
    ("n: true", "field 'n' = True"),
    ("alpha: false", "boolean"),
    ("n: 1000000000", "2 <= n <= 1000"),
    ("n: 6.5", "field 'n' = 6.5"),
])
def test_itinfra_fields_finite_typed_bounded(tmp_path, line, needle):
    key = line.split(":")[0]
    text = "\n".join(x for x in ITINFRA.splitlines() if not x.startswith(key + ":")) + "\n" + line + "\n"
    _one_line_error(tmp_path, text, needle)


def test_bool_refused_in_every_schema(tmp_path):
    (tmp_path / "p.csv").write_text("name,c\na,0.1\nb,0.2\n")
    _one_line_error(tmp_path, "family: dpshare\nsigma2: true\nalpha: 0\nplayers: p.csv\n", "boolean")
    _one_line_error(tmp_path, "family: dpshare\nsigma2: 1\nalpha: 0\nplayers:\n  - {name: a, c: true}\n"
                    "  - {name: b, c: 0.2}\n", "boolean")
    _one_line_error(tmp_path, "family: vaccine\nreturn_function: {type: logistic, a: true, b: 5}\n"
                    "players:\n  - {name: a, M: 1, r: 0.5}\n", "a = True: not a number")
    _one_line_error(tmp_path, "family: vaccine\nepsilon: .inf\nreturn_function: {type: logistic, a: 10, b: 5}\n"
                    "players:\n  - {name: a, M: 1, r: 0.5}\n", "epsilon")
    _one_line_error(tmp_path, "family: itinfra-het\nkappa: 0.3\nbeta: 0.7\nalpha: 0.5\n"
                    "districts:\n  - {name: a, p: true}\n  - {name: b, p: 1}\n", "boolean")


def test_duplicate_yaml_key_is_refused_with_its_line(tmp_path):
    msg = _one_line_error(tmp_path, ITINFRA + "kappa: 0.4\n", "duplicate key 'kappa'")
    assert "line 7" in msg and "line 4" in msg
    # nested mappings too
    _one_line_error(tmp_path, "family: vaccine\nreturn_function: {type: logistic, a: 10, a: 11, b: 5}\n"
                    "players:\n  - {name: a, M: 1, r: 0.5}\n", "duplicate key 'a'")


def test_merge_keys_may_be_overridden(tmp_path):
    inst = _load_text(tmp_path, "family: vaccine\n"
                      "return_function: {type: logistic, a: 10, b: 5}\n"
                      "players:\n  - &p {name: a, M: 1, r: 0.5}\n  - {<<: *p, name: b}\n")
    assert inst.names == ("a", "b")


def _billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for k in "bcdefghijk"[: levels - 1]:
        text += f"{k}: &{k} [{','.join(['*' + prev] * 9)}]\n"
        prev = k
    return text


def test_billion_laughs_file_is_refused_fast(tmp_path):
    text = ITINFRA + _billion_laughs()
    assert len(text) < 1100
    t0 = time.perf_counter()
    _one_line_error(tmp_path, text, "anchors/aliases")
    assert time.perf_counter() - t0 < 1.0


def test_recursive_alias_is_refused(tmp_path):
    _one_line_error(tmp_path, ITINFRA + "loop: &l [*l]\n", "refers to itself")


def test_benign_aliases_are_fine(tmp_path):
    inst = _load_text(tmp_path, "family: vaccine\nreturn_function: &f {type: logistic, a: 10, b: 5}\n"
                      "players:\n  - {name: a, M: 1, r: 0.5, return_function: *f}\n")
    assert inst.n == 1


def test_billion_laughs_through_set_is_short_and_fast():
    from tests.inproc import assert_one_line_error, call

    bomb = "{" + _billion_laughs().strip().replace("\n", ", ") + "}"
    t0 = time.perf_counter()
    r = call("solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=3", "-s", f"kappa={bomb}")
    line = assert_one_line_error(r, 2, "field 'kappa'")
    assert len(line) < 800 and time.perf_counter() - t0 < 5
    assert base.parse_value("&a [1]") == [1]
    big = "{" + _billion_laughs().replace("\n", ", ") + "}"
    assert base.parse_value(big) == big  # refused as YAML: stays its (short) text


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "MAX_YAML_BYTES", 1000)
    _one_line_error(tmp_path, ITINFRA + "#" + "x" * 2000 + "\n", "at most")
    (tmp_path / "p.csv").write_text("name,c\n" + "".join(f"a{i},0.1\n" for i in range(200)))
    monkeypatch.setattr(base, "MAX_TABLE_BYTES", 1000)
    with pytest.raises(InputError, match=r"p.csv: table is .* at most"):
        _load_text(tmp_path, "family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")


def test_non_utf8_files_are_input_errors(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(ITINFRA.replace("mine", "caf\xe9").encode("latin-1"))
    with pytest.raises(InputError, match=r"x.yaml: line 2: not UTF-8 text \(byte 0xe9\)"):
        coopt.load(f)
    (tmp_path / "p.csv").write_bytes(b"name,c\na,0.1\nb\xff,0.2\n")
    with pytest.raises(InputError, match="p.csv: line 3: not UTF-8"):
        _load_text(tmp_path, "family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")
    f.write_bytes(b"\xef\xbb\xbf" + ITINFRA.encode())  # a UTF-8 BOM is fine
    assert coopt.load(f).n == 6


@pytest.mark.parametrize("csv, needle", [
    ("name,c\na,0.1\n,0.2\nc,0.3\n", "p.csv: row 2: empty 'name' cell"),
    ("name,c\na,0.1\n  ,0.2\n", "p.csv: row 2: empty 'name' cell"),
    ("name,c\na,0.1\nb,\n", "p.csv: row 2: column 'c' is empty"),
    ("name,c\na,0.1\nb,abc\n", "p.csv: row 2: column 'c' = 'abc' is not a finite number"),
    ("name,c\na,0.1\nb,inf\n", "column 'c' = 'inf' is not a finite number"),
    ("name,c\na,0.1\nb,nan\n", "column 'c' = 'nan' is not a finite number"),
    ("name,c\na,0.1\nb,True\n", "column 'c' = 'True' is not a finite number"),
    ("name,c,c\na,0.1,0.2\nb,0.2,0.3\n", "column 'c' appears more than once"),
    ('name,c\na,0.1\n"b,0.2\n', "p.csv: cannot read the CSV table"),
    ("name,c\na,0.1\nb\x1b[31m,0.2\n", "control characters"),
    ("name,cost\na,0.1\nb,0.2\n", "missing column(s) c"),
])
def test_csv_cells_checked_naming_file_and_row(tmp_path, csv, needle):
    (tmp_path / "p.csv").write_text(csv)
    with pytest.raises(InputError) as e:
        _load_text(tmp_path, "family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and "\x1b" not in msg, msg


def test_empty_name_cell_never_becomes_a_player_called_nan(tmp_path):
    (tmp_path / "r.csv").write_text("name,M\nA,100\n,200\n")
    with pytest.raises(InputError, match="r.csv: row 2: empty 'name' cell"):
        _load_text(tmp_path, "family: vaccine\nresources: {total: 50, split: pro-rata}\nplayers: r.csv\n"
                   "return_function: {type: logistic, a: 10, b: 5}\n")
    (tmp_path / "h.csv").write_text("name,p\nA,1\n,2\n")
    with pytest.raises(InputError, match="h.csv: row 2: empty 'name' cell"):
        _load_text(tmp_path, "family: itinfra-het\nkappa: 0.3\nbeta: 0.7\nalpha: 0.5\ndistricts: h.csv\n")


def test_csv_names_keep_their_text(tmp_path):
    (tmp_path / "p.csv").write_text("name,c\n007,0.1\nNA,0.2\nnan,0.3\n")
    inst = _load_text(tmp_path, "family: dpshare\nsigma2: 1\nalpha: 0\nplayers: p.csv\n")
    assert inst.names == ["007", "NA", "nan"]  # text as written: no number or NaN guessing


def test_from_costs_needs_one_name_per_cost():
    with pytest.raises(InputError, match="2 names for 3 costs"):
        from_costs([0.1, 0.2, 0.3], sigma2=1.0, alpha=0.0, names=["a", "b"])
    with pytest.raises(InputError, match="4 names for 3 costs"):
        from_costs([0.1, 0.2, 0.3], sigma2=1.0, alpha=0.0, names=["a", "b", "c", "d"])
    with pytest.raises(InputError):
        from_costs([0.1, float("nan")], sigma2=1.0, alpha=0.0)
    with pytest.raises(InputError, match="boolean|numbers"):
        from_costs([0.1, 0.2], sigma2=True, alpha=0.0)
    inst = from_costs([0.3, 0.1, 0.2], sigma2=1.0, alpha=0.0, names=["x", "y", "z"])
    assert inst.names == ["y", "z", "x"]


@pytest.mark.parametrize("spec, needle", [
    ("{type: sir, sigma: 1.43, tau: 10, infectious_days: 1.0e-7, initial_infected_fraction: 1.0e-4}",
     "infectious_days = 1e-07: must satisfy 0.01 <= infectious_days <= 3650"),
    ("{type: sir, sigma: 1.43, tau: 1.0e12, infectious_days: 2.3, initial_infected_fraction: 1.0e-4}",
     "tau = 1e+12: the vaccination day must satisfy 0 <= tau <= 3650"),
    ("{type: sir, sigma: 1.43, tau: 60, infectious_days: 2.3, initial_infected_fraction: 1.0e-4, variant: paper}",
     "SIR variant paper at tau = 60: F decreases from f = 0"),
    ("{type: sir, sigma: 1.0e6, tau: 1, infectious_days: 2.3, initial_infected_fraction: 1.0e-4}",
     "0 < sigma <= 50"),
    ("{type: logistic, a: .nan, b: 5}", "a = nan: not a finite number"),
    ("{type: logistic, a: 10, b: 5, c: 1}", "unknown parameter(s) 'c'"),
    ("{type: sir, sigma: 1.43, infectious_days: 2.3, initial_infected_fraction: 1.0e-4, variant: 3}",
     "must be paper, A or B"),
])
def test_return_function_parameters_bounded(tmp_path, spec, needle):
    t0 = time.perf_counter()
    msg = _one_line_error(tmp_path, f"family: vaccine\nresources: {{total: 1, split: pro-rata}}\n"
                          f"players:\n  - {{name: a, M: 10}}\nreturn_function: {spec}\n", needle)
    assert time.perf_counter() - t0 < 5 and "{" not in msg.split(":", 1)[1][:40]  # no dump of the input


def test_sir_integration_is_bounded_at_the_extremes_of_its_ranges():
    """The widest accepted ranges finish fast (integration in units of the infectious period, stopped
    once the epidemic has burnt out) and agree with a direct integration where that is cheap."""
    from scipy.integrate import solve_ivp

    from coopt.data.vaccine.returns import susceptible_at

    t0 = time.perf_counter()
    for sigma, days, i0, tau in [(1.43, 0.01, 1e-4, 3650), (50, 0.01, 1e-4, 3650), (1.0001, 0.01, 1e-12, 3650),
                                 (1.43, 3650, 1e-4, 3650), (2.0, 6.67, 1e-4, 50)]:
        s, i = susceptible_at(tau, sigma, days, i0)
        assert 0 <= s <= 1 and 0 <= i <= 1
    assert time.perf_counter() - t0 < 5
    for tau, sigma, days, i0 in [(10, 1.43, 2.3, 1e-4), (50, 2.0, 6.67, 1e-4), (300, 1.5, 2.3, 1e-3)]:
        def rhs(_t, y, b=sigma / days, g=1 / days):
            return [-b * y[0] * y[1], b * y[0] * y[1] - g * y[1]]

        ref = solve_ivp(rhs, (0, tau), [1 - i0, i0], method="DOP853", rtol=1e-12, atol=1e-15).y[0, -1]
        assert susceptible_at(tau, sigma, days, i0)[0] == pytest.approx(ref, rel=1e-12, abs=1e-13)


BUNDLED_BY_FAMILY = {"itinfra": "itinfra/paper-figure1", "itinfra-het": "itinfra/het-two-types",
                     "dpshare": "dpshare/lemma3-example", "vaccine": "vaccine/example-1"}


def _numeric_fields(model) -> list[str]:
    from coopt.data.base import _annotation_is_number

    return [k for k, f in model.model_fields.items() if _annotation_is_number(f.annotation)]


@pytest.mark.parametrize("family", sorted(BUNDLED_BY_FAMILY))
def test_no_number_field_of_any_schema_takes_a_boolean_or_a_non_finite_value(family):
    """Walks every schema (and its nested tables): a new number field is covered without a new test."""
    from coopt.data import families

    inst = coopt.load(BUNDLED_BY_FAMILY[family])
    schema = families()[family]
    assert schema is type(inst)
    checked = 0
    for field in _numeric_fields(schema):
        for bad in (True, float("nan"), float("inf")):
            with pytest.raises(InputError, match=f"field '{field}'"):
                inst.with_overrides(**{field: bad})
            checked += 1
    assert checked >= 3
    table = next((t for t in ("players", "districts") if t in schema.model_fields), None)
    if table is None:
        return
    rows = [row.model_dump() for row in getattr(inst, table)]
    row_model = type(getattr(inst, table)[0])
    for field in _numeric_fields(row_model):
        for bad in (True, float("nan"), float("-inf")):
            changed = [dict(rows[0], **{field: bad}), *rows[1:]]
            with pytest.raises(InputError, match=f"{table}.0.{field}"):
                inst.with_overrides(**{table: changed})
            checked += 1
