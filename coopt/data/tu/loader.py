"""The two-column CSV form of a TU game: ``coalition,value``, one non-empty coalition per line.

    coalition,value
    a,0
    a+b,10
    a+b+c,2

Players are the names in order of first appearance. ``coopt.load("game.csv")`` (and ``--data game.csv``)
reads it as a ``tu`` instance with ``missing: error``; a coalition absent from the table, a coalition named
twice (``a+b`` and ``b+a``), a value that is not a finite number or more than 30 players is one line, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from coopt.errors import InputError

MAX_BYTES = 256 * 1024 * 1024  # a full table of 2^20 coalitions is ~40 MB


def read_csv_table(path: Path) -> tuple[list[str], np.ndarray]:
    """(coalition keys, values) of a ``coalition,value`` CSV file, values finite floats."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise InputError(f"table file '{p.name}' not found (looked in {p.parent})")
    if p.stat().st_size > MAX_BYTES:
        raise InputError(f"{p.name}: {p.stat().st_size} bytes; TU tables are limited to {MAX_BYTES} bytes")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p.name}: not a UTF-8 text file") from None
    except Exception as err:  # pandas raises many kinds
        raise InputError(f"{p.name}: cannot read the CSV table ({str(err).splitlines()[0][:120]})") from None
    cols = [str(c).strip().lower() for c in df.columns]
    if cols != ["coalition", "value"]:
        raise InputError(f"{p.name}: expected the two columns 'coalition,value', got {','.join(cols)[:120]!r}")
    keys = [k.strip() for k in df.iloc[:, 0].tolist()]
    raw = df.iloc[:, 1].str.strip()
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(vals)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"{p.name}: coalition {keys[k][:60]!r} = {raw.iloc[k][:60]!r}: expected a finite number "
                         f"(line {k + 2})")
    empty = [i for i, k in enumerate(keys) if not k]
    if empty:
        raise InputError(f"{p.name}: empty coalition on line {empty[0] + 2}")
    return keys, vals


def load_csv(path: Path, source: str, overrides: dict[str, Any] | None = None) -> Any:
    """A ``tu`` instance from a CSV file (``overrides``: name, players or missing)."""
    from coopt.data.base import validate
    from coopt.data.tu.schema import TUInstance

    data: dict[str, Any] = {"family": "tu", "name": Path(path).stem, "values": str(Path(path).resolve())}
    data.update(overrides or {})
    return validate(TUInstance, data, source, Path(path).parent)


__all__ = ["load_csv", "read_csv_table"]

