"""Shared table helpers of the dpshare experiments: paper value beside coopt's, with agreement."""

from __future__ import annotations

import pandas as pd


def compare_rows(rows: list[tuple[str, float | None, float]], digits: int = 4) -> pd.DataFrame:
    """(quantity, paper value or None, coopt value) -> frame with the rounding agreement column."""
    out = []
    for name, paper, ours in rows:
        agree = None if paper is None else round(ours, digits) == round(paper, digits)
        out.append({"quantity": name, "paper": paper, "coopt": ours, f"agree_{digits}dp": agree})
    return pd.DataFrame(out)


def markdown(frame: pd.DataFrame) -> str:
    """A small Markdown table (no external dependency)."""
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in frame.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            else:
                cells.append(f"{v:.6g}" if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
