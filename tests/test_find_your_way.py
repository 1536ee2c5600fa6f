"""Finding one's way: `coopt show` prints the paper (with its DOI), the algebra and the solvers that fit
each formulation; `coopt list` lists the bundled data sets. Both read the committed index only."""

from __future__ import annotations

import json

import pytest

from coopt.data.base import bundled
from coopt.formulations.describe import math_text
from coopt.formulations.papers import paper_of
from coopt.problems import formulation_solvers, index


@pytest.mark.parametrize("name", sorted(n for n, i in index().items() if i.math))
def test_show_prints_the_algebra_and_the_paper(cli, name):
    info = index()[name]
    r = cli("show", name)
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "model" in r.stdout and "$$" not in r.stdout and "\\frac" not in r.stdout  # plain text, not LaTeX
    first = next(ln for ln in math_text(info.math).splitlines() if ln.strip())
    assert " ".join(first.split())[:40] in text
    paper = paper_of(info.family)
    if paper is not None:  # the three papers: authors, title, venue and DOI
        assert paper.doi in text.replace(" ", "") and paper.title.split()[0] in text
    else:  # textbook concepts (tu): the problem's own citation
        assert " ".join(info.paper.split())[:30] in text
    for f in info.formulations:
        assert f"{f.name}: {f.layer} {f.problem_class}" in text
        fit = formulation_solvers(f)
        if fit:
            assert "solvers: " + fit[0] in text


def test_show_latex_and_no_math(cli):
    r = cli("show", "itinfra.coordinator", "--math", "latex")
    assert r.returncode == 0 and "\\begin{aligned}" in r.stdout and "(LaTeX)" in r.stdout
    r = cli("show", "itinfra.coordinator", "--math", "none")
    assert r.returncode == 0 and "aligned" not in r.stdout and "CW(j)=" not in r.stdout
    r = cli("show", "itinfra.coordinator", "--math", "mathml")
    assert r.returncode == 2 and "--math 'mathml'" in r.stderr


def test_show_with_data_prints_the_built_model_after_the_algebra(cli):
    r = cli("show", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=3")
    assert r.returncode == 0
    assert r.stdout.index("model") < r.stdout.index("formulation qp (pyomo, QP)")
    assert "param kappa = 0.35" in r.stdout


def test_plain_text_of_common_latex():
    assert math_text(r"$$\max_{g}\ \frac{1+(j-2)\kappa}{2\alpha p}\le\bar g\tag{4}$$") == \
        "      max_g (1+(j-2)κ)/(2α p)≤g\u0304 (4)"  # g with a combining macron
    got = math_text(r"text $\sum_{i\in S} M_i F_i(f_i)$ and [a link](x.md#y)")
    assert got == "text Σ_{i∈ S} M_i F_i(f_i) and a link"


def test_list_names_every_bundled_data_set(cli):
    r = cli("list", "--format", "json")
    sets = {d["name"]: d for d in json.loads(r.stdout)["datasets"]}
    assert set(sets) == set(bundled())
    assert sets["itinfra/paper-figure1"]["family"] == "itinfra" and sets["vaccine/example-1"]["description"]
    r = cli("list")
    assert "bundled data sets" in r.stdout and "vaccine/us-hhs-2009" in r.stdout


@pytest.mark.parametrize("family", ["itinfra", "vaccine", "dpshare", "itinfra-het", "tu"])
def test_schema_lists_every_field_with_its_meaning(cli, family):
    """coopt schema FAMILY: every field of the family's pydantic schema (and of its players) with its text."""
    from coopt.data import families

    r = cli("schema", family, "--format", "json")
    assert r.returncode == 0, r.stderr
    got = {row["field"]: row for row in json.loads(r.stdout)["fields"]}
    cls = families()[family]
    for name, f in cls.model_fields.items():
        if name != "family":
            assert name in got and got[name]["meaning"] == " ".join((f.description or "").split())
    if "players" in cls.model_fields and family != "tu":
        assert any(k.startswith("players[].") for k in got)
    r = cli("schema", family)
    assert r.returncode == 0 and family in r.stdout


def test_schema_refuses_an_unknown_family(cli):
    r = cli("schema", "nope")
    assert r.returncode == 2 and "unknown family 'nope'" in r.stderr
    r = cli("schema")
    assert r.returncode == 0 and "vaccine:" in r.stdout
