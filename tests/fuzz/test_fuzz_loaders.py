"""Fuzzing the YAML and CSV loaders (issue #10 point 7).

Property: ``coopt.load`` on any file returns a validated instance or raises a one-line
:class:`InputError` (no other exception, no control character, a bounded message), quickly. Inputs:
the bundled instances with fields replaced by random values of random types (NaN/inf, huge numbers,
booleans, unicode, terminal escapes, nested structures), repeated keys, anchors and aliases, raw
byte damage; CSV tables with random cells, holes, quotes and bytes.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import coopt
from coopt.data.base import BUNDLED_DIR, Instance, parse_yaml
from coopt.errors import InputError
from tests.fuzz.strategies import TRICKY_TEXT, number_text, odd_text, yaml_values

BASES = {
    "itinfra": "itinfra/paper-figure1",
    "dpshare": "dpshare/lemma3-example",
    "vaccine": "vaccine/example-1",
    "itinfra-het": "itinfra/het-two-types",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _base(family: str) -> dict[str, Any]:
    return parse_yaml((BUNDLED_DIR / f"{BASES[family]}.yaml").read_text())


def check_load(path: Path, budget: float = 10.0) -> Instance | None:
    """The loader's contract on one file."""
    t0 = time.perf_counter()
    try:
        inst = coopt.load(path)
    except InputError as err:
        msg = str(err)
        assert msg and "\n" not in msg and not _CONTROL.search(msg) and len(msg) <= 2000, repr(msg)
        inst = None
    assert time.perf_counter() - t0 < budget
    if inst is not None:
        assert isinstance(inst, Instance)
        inst.digest()  # the validated instance serialises
    return inst


def _field_names(family: str) -> list[str]:
    return sorted(coopt.data.families()[family].model_fields)


@st.composite
def return_function(draw: st.DrawFn) -> dict[str, Any]:
    """A return-function specification: a known type with numbers near and far from the valid ranges."""
    kind = draw(st.sampled_from(["logistic", "ginsberg", "sir", "sir", "other"]))
    params = {"logistic": ["a", "b"], "ginsberg": ["a", "b"], "other": ["a"],
              "sir": ["sigma", "infectious_days", "initial_infected_fraction", "tau"]}[kind]
    near = st.one_of(st.floats(-5, 60), st.sampled_from([1e-4, 0.01, 2.3, 10, 45, 25, 60, 3650, 1e-7, 1e12]))
    spec: dict[str, Any] = {"type": kind}
    for p in params:
        if draw(st.integers(0, 9)):
            spec[p] = draw(st.one_of(near, near, st.builds(parse_or_text, number_text())))
    if kind == "sir" and draw(st.booleans()):
        spec["variant"] = draw(st.sampled_from(["paper", "A", "B", "C", 1]))
    return spec


@st.composite
def mutated_document(draw: st.DrawFn) -> tuple[str, str]:
    """(family, YAML text): a bundled instance with some fields replaced, added or removed."""
    family = draw(st.sampled_from(sorted(BASES)))
    data = _base(family)
    for _ in range(draw(st.integers(1, 3))):
        known = draw(st.integers(0, 19)) > 0  # mostly known fields: reach the checks behind the schema
        key = draw(st.sampled_from(_field_names(family))) if known else draw(odd_text)
        action = draw(st.sampled_from(["value", "number", "number", "drop", "player", "player", "function"]))
        if action == "drop":
            data.pop(key, None)
        elif action == "number":
            data[key] = parse_or_text(draw(number_text()))
        elif action == "function" and family == "vaccine":
            data["return_function"] = draw(return_function())
        elif action == "player" and isinstance(data.get("players"), list) and data["players"]:
            i = draw(st.integers(0, len(data["players"]) - 1))
            old = data["players"][i]  # an earlier mutation may have put any YAML value into the list
            row = dict(old) if isinstance(old, dict) else {}
            col = draw(st.sampled_from([*row.keys(), "r", "return_function", "extra"]))
            value = draw(st.one_of(yaml_values, st.builds(parse_or_text, number_text()),
                                   return_function() if col == "return_function" else st.none()))
            row[col] = value
            data["players"][i] = row
        else:
            data[key] = draw(yaml_values)
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except Exception:  # a key the dumper cannot write: keep the text form
        text = yaml.safe_dump({str(k): v for k, v in data.items()}, allow_unicode=True)
    return family, text


def parse_or_text(raw: str) -> Any:
    try:
        return yaml.safe_load(raw)
    except Exception:
        return raw


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    """Raw damage: a repeated key, an alias bomb or loop, truncation, random bytes in a bundled file."""
    family = draw(st.sampled_from(sorted(BASES)))
    text = (BUNDLED_DIR / f"{BASES[family]}.yaml").read_text()
    kind = draw(st.sampled_from(["duplicate", "laughs", "loop", "truncate", "bytes", "anchors", "deep"]))
    if kind == "duplicate":
        key = draw(st.sampled_from(_field_names(family)))
        text += f"\n{key}: {draw(st.sampled_from(TRICKY_TEXT[:20]))!s}\n"
    elif kind == "laughs":
        levels = draw(st.integers(2, 9))
        width = draw(st.integers(2, 9))
        text += "\nx0: &x0 [" + ",".join(["lol"] * width) + "]\n"
        for k in range(1, levels):
            text += f"x{k}: &x{k} [" + ",".join([f"*x{k - 1}"] * width) + "]\n"
    elif kind == "loop":
        text += "\nloop: &l [1, *l]\n"
    elif kind == "anchors":
        text = text.replace("family:", "family: &f", 1) + "\nname: *f\n"
    elif kind == "deep":
        depth = draw(st.integers(10, 3000))
        text += "\nextra: " + "[" * depth + "]" * depth + "\n"
    elif kind == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    raw = text.encode()
    if kind == "bytes":
        pos = draw(st.integers(0, len(raw)))
        raw = raw[:pos] + draw(st.binary(min_size=1, max_size=8)) + raw[pos:]
    return raw


@st.composite
def csv_table(draw: st.DrawFn) -> str:
    """A players table for dpshare (name, c) with random cells, holes, quotes and extra columns."""
    n = draw(st.integers(0, 6))
    header = draw(st.sampled_from(["name,c", "name,c,extra", "c,name", "name,c,c", "name", "nom,c", " name , c "]))
    cell = st.one_of(st.sampled_from(TRICKY_TEXT), number_text(), st.text(max_size=8))
    rows = []
    for i in range(n):
        name = draw(st.one_of(st.just(f"a{i}"), cell))
        c = draw(st.one_of(st.just(f"0.{i + 1}"), cell))
        rows.append(",".join(_quote(x) for x in [name, c][: header.count(",") + 1]))
    return "\n".join([header, *rows]) + draw(st.sampled_from(["\n", "", "\n\n", "\n,\n"]))


def _quote(x: str) -> str:
    return '"' + x.replace('"', '""') + '"' if any(ch in x for ch in ',"\n\r') else x


def _run_document(text: str | bytes, files: dict[str, str] | None = None) -> Instance | None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, content in (files or {}).items():
            (d / name).write_text(content, encoding="utf-8", errors="surrogatepass")
        f = d / "inst.yaml"
        if isinstance(text, bytes):
            f.write_bytes(text)
        else:
            f.write_text(text, encoding="utf-8", errors="surrogatepass")
        if BASES.get("itinfra-het") and "het-two-types.csv" not in (files or {}):
            (d / "het-two-types.csv").write_text((BUNDLED_DIR / "itinfra/het-two-types.csv").read_text())
        return check_load(f)


# ------------------------------------------------------------------------------ default suite
@settings(settings.get_profile("coopt-fuzz"))
@given(mutated_document())
def test_fuzz_yaml_fields(doc):
    _run_document(doc[1])


@settings(settings.get_profile("coopt-fuzz"))
@given(damaged_text())
def test_fuzz_yaml_damage(raw):
    _run_document(raw)


@settings(settings.get_profile("coopt-fuzz"))
@given(csv_table())
def test_fuzz_csv_players(table):
    inst = _run_document("family: dpshare\nsigma2: 0.25\nalpha: 1.0\nplayers: p.csv\n", {"p.csv": table})
    if inst is not None:  # accepted: every name is text as written, every cost finite and > 0
        assert all(p.name and p.name == p.name.strip() for p in inst.players)
        assert all(0 < p.c < float("inf") for p in inst.players)


# ------------------------------------------------------------------------------ slow suite
@pytest.mark.slow
@settings(settings.get_profile("coopt-fuzz-long"))
@given(st.one_of(mutated_document().map(lambda d: d[1]), damaged_text()))
def test_fuzz_yaml_long(doc):
    _run_document(doc)


@pytest.mark.slow
@settings(settings.get_profile("coopt-fuzz-long"))
@given(csv_table())
def test_fuzz_csv_long(table):
    _run_document("family: dpshare\nsigma2: 0.25\nalpha: 1.0\nplayers: p.csv\n", {"p.csv": table})
