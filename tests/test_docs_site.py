"""The documentation site's generated pages (scripts/docs_gen.py), without building the site.

The full build (`make docs`: mkdocs build --strict, every snippet executed) runs in CI; these tests
check, in a second, what the build would otherwise only show: every problem has a page that is not
blank, its model in LaTeX, an example that names a real instance, and that code citing the docs
points at anchors that exist.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("docs_gen", ROOT / "scripts" / "docs_gen.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["docs_gen"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def pages(gen):
    return gen.generated_pages()


def test_every_problem_has_a_full_page(gen, pages):
    probs = gen.registry()
    assert probs
    for name, prob in probs.items():
        page = pages[f"problems/{name}.md"]
        assert page.startswith(f"# `{name}`") and prob.summary in page, name
        for section in ("## What it decides", "## The model as coded", "## Data", "## Formulations and solvers",
                        "## Options", "## What the result certifies", "## Example"):
            assert section in page, (name, section)
        assert '```python exec="on"' in page and f"coopt.run({name!r}" in page, name
        assert "No bundled instance" not in page, name
        assert "| `" in page.split("## Data", 1)[1].split("## Formulations", 1)[0], f"{name}: no data fields"
        assert name in pages["problems/index.md"], name


def test_math_required_and_not_stale(gen):
    probs = gen.registry()
    files = {p.stem for p in (DOCS / "_math").glob("*.md")}
    assert not files - set(probs), f"docs/_math files for unknown problems: {sorted(files - set(probs))}"
    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "#"))["extra"]["coopt_docs"]
    if settings.get("require_math"):
        assert gen.missing_math(probs) == [], "problems without their LaTeX (docs/_math/<problem>.md)"
    for name in files:
        text = (DOCS / "_math" / f"{name}.md").read_text()
        assert "$$" in text, f"{name}: no display math"
        assert text.count("$$") % 2 == 0, f"{name}: unbalanced $$"


def test_examples_name_real_problems_instances_and_options(gen):
    from coopt.data.base import bundled

    probs = gen.registry()
    table = gen.examples()
    assert set(table) <= set(probs), f"examples for unknown problems: {sorted(set(table) - set(probs))}"
    names = set(bundled())
    for name, prob in probs.items():
        ex = gen.example_for(prob, table)
        assert ex["data"] in names, (name, ex["data"])
        prob.parse_options(ex["options"])  # an unknown or bad option raises InputError


def test_cli_reference_lists_every_command(pages):
    import typer

    from coopt.cli import app

    for name in typer.main.get_command(app).commands:
        assert f"## `coopt {name}`" in pages["cli.md"], name


def _explicit_anchors(md: Path) -> set[str]:
    return set(re.findall(r"\{#([\w-]+)\}", md.read_text()))


def test_code_citations_of_docs_point_at_existing_anchors():
    """`docs/derivations/itinfra.md#stage1` in a comment or message must name a page and an explicit anchor."""
    cited = []
    for path in (ROOT / "coopt").rglob("*.py"):
        for m in re.finditer(r"docs/([\w./-]+\.md)(?:#([\w-]+))?", path.read_text()):
            cited.append((path.relative_to(ROOT), m.group(1), m.group(2)))
    for src, page, anchor in cited:
        md = DOCS / page
        assert md.exists() or page in ("catalogue.md",), f"{src}: cites missing page docs/{page}"
        if anchor:
            assert anchor in _explicit_anchors(md), f"{src}: docs/{page} has no anchor {{#{anchor}}}"


def test_promised_anchors_exist():
    """The anchors the code will cite instead of the derivation notes (stable ids, see each page)."""
    promised = {
        "derivations/itinfra.md": {"model", "coordinator", "outsider", "singleton", "stage2", "stage1",
                                   "integer-rule", "planner", "appendix-c", "incentives", "alignment",
                                   "phi3-gamma", "heterogeneous", "figure-b1", "worked-case"},
        "derivations/dpshare.md": {"model", "fixed-coalition", "design", "stability", "robust-structure", "milp",
                                   "best-stable", "pos", "claim2", "identical", "figure1", "examples"},
        "derivations/vaccine.md": {"model", "sir", "sir-reference", "knapsack", "exact-kkt", "heuristic", "core",
                                   "tolerance", "market", "wolfe", "prices", "case-study"},
        "papers/itinfra.md": {"errata", "erratum-integer-rule", "erratum-alpha-sw", "erratum-alpha-im",
                              "erratum-f2", "erratum-n-ge-4", "erratum-alignment", "erratum-phi3",
                              "erratum-appendix-b-negative", "erratum-figure-b1"},
        "papers/dpshare.md": {"errata", "erratum-lemma1", "erratum-larger", "erratum-claim2"},
        "papers/vaccine.md": {"errata", "erratum-eq24", "erratum-sum-ftilde", "erratum-nc-ftilde",
                              "erratum-example3", "erratum-heuristic", "erratum-epsilon", "erratum-grid"},
        "certificates.md": {"exit-codes"},
    }
    for page, anchors in promised.items():
        missing = anchors - _explicit_anchors(DOCS / page)
        assert not missing, f"docs/{page}: missing anchors {sorted(missing)}"
