"""docs/catalogue.md is generated from the problems' metadata and kept current (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from coopt.cli import catalogue_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "catalogue.md"


def test_catalogue_doc_is_current():
    assert DOC.read_text().strip() == catalogue_markdown().strip(), "run `make docs`"


def test_every_problem_cites_paper_and_equations():
    from coopt.catalog import problems

    for p in problems().values():
        assert p.paper and p.equations and p.summary, p.name
        assert p.formulations or p.run is not None, p.name
