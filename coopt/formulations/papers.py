"""The papers coopt implements, cited in full (``coopt show``, ``coopt list``, the documentation site).

A problem's ``paper`` field says where in its paper it is (``"Guo, Liu & Nault (2024), section 4.1"``);
:func:`paper_of` gives the full citation of a problem family, with its DOI and the page of the
documentation site that lists the paper's errata (``docs/papers/<page>.md``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    """A paper: authors, title, venue (with volume, issue, pages), year, DOI, and its docs page."""

    authors: str
    title: str
    venue: str
    year: int
    doi: str
    page: str  # docs/papers/<page>.md
    short: str  # "Guo, Liu & Nault (2024)"
    note: str = ""

    @property
    def citation(self) -> str:
        """One line: authors, title, venue, year, DOI."""
        return f"{self.authors}. {self.title}. {self.venue}, {self.year}. doi:{self.doi}" + (
            f" ({self.note})" if self.note else "")


PAPERS: dict[str, Paper] = {
    "itinfra": Paper(
        authors="Hong Guo, Yipeng Liu and Barrie R. Nault",
        title="Join Up or Stay Away? Coalition Formation for Critical IT Infrastructure",
        venue="Information Systems Research 35(3):1344-1362", year=2024, doi="10.1287/isre.2021.0463",
        page="itinfra", short="Guo, Liu & Nault (2024)",
        note="coopt follows the accepted manuscript ISR-2021-463-R2"),
    "dpshare": Paper(
        authors="Raef Bassily, Kate Donahue, Diptangshu Sen, Annuo Zhao and Juba Ziani",
        title="Data Sharing with Endogenous Choices over Differential Privacy Levels",
        venue="arXiv preprint arXiv:2602.09357 [cs.GT]", year=2026, doi="10.48550/arXiv.2602.09357",
        page="dpshare", short="Bassily, Donahue, Sen, Zhao & Ziani (2026)"),
    "vaccine": Paper(
        authors="Evelot Westerink-Duijzer, Loe Schlicher and Marieke Musegaas",
        title="Fair allocations for cooperation problems in vaccination",
        venue="Econometric Institute Report EI2019-06, Erasmus University Rotterdam", year=2019,
        doi="10.1111/poms.13184", page="vaccine", short="Westerink-Duijzer, Schlicher & Musegaas (2019)",
        note="the DOI is the revised version in Production and Operations Management; coopt follows the 2019 "
             "report's numbering"),
}
PAPERS["itinfra-het"] = PAPERS["itinfra"]


def paper_of(family: str) -> Paper | None:
    """The paper of a problem family (``itinfra``, ``itinfra-het``, ``dpshare``, ``vaccine``), or None."""
    return PAPERS.get(family) or PAPERS.get(family.split("-", 1)[0])


__all__ = ["PAPERS", "Paper", "paper_of"]
