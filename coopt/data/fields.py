"""The fields of a data family, for ``coopt schema FAMILY``: name, type, default, meaning and range.

Read from the family's pydantic schema (the ``description`` of every field carries its meaning and
allowed range, the checked bounds come from the field's metadata); nested records (a player of a
list of players) are listed under their parent as ``players[].M``. Tables (``players``) may be given
as a CSV or Excel file (``players: regions.csv`` or ``players_csv: regions.csv``) with one column
per field of the nested record.
"""

from __future__ import annotations

import re
import typing
from typing import Any


def type_name(t: Any) -> str:
    """A readable type: ``float``, ``float | None``, ``tuple[Player, ...]``, ``list[str]`` (a string is kept)."""
    if isinstance(t, str):
        return t
    if isinstance(t, type) and not typing.get_args(t):
        return t.__name__
    text = str(t)
    text = re.sub(r"<class '([\w.]+)'>", lambda m: m.group(1).rsplit(".", 1)[-1], text)
    text = re.sub(r"\b(?:[a-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)
    text = re.sub(r"Annotated\[([^,\]]+)[^\]]*\]", r"\1", text)
    return text.replace("NoneType", "None").replace("typing.", "")


def nested_models(annotation: Any) -> list[type]:
    """The pydantic models inside a field's annotation (``tuple[Player, ...]`` -> [Player]), each once."""
    from pydantic import BaseModel

    found: list[type] = []

    def walk(t: Any) -> None:
        if isinstance(t, type) and issubclass(t, BaseModel):
            if t not in found:
                found.append(t)
            return
        for a in typing.get_args(t):
            walk(a)

    walk(annotation)
    return found


def default_text(field: Any, show: Any = repr) -> str:
    """A pydantic field's default as text: ``required``, ``computed`` (a factory) or ``show(default)``."""
    from pydantic_core import PydanticUndefined

    if field.is_required():
        return "required"
    if field.default is PydanticUndefined:
        return "computed"
    return show(field.default)


def field_rows(schema: type, prefix: str = "", seen: frozenset[type] = frozenset()) -> list[dict[str, str]]:
    """One row per field of ``schema`` (and of the records nested in it): field, type, default, meaning."""
    rows: list[dict[str, str]] = []
    for name, f in schema.model_fields.items():
        if name == "family" and not prefix:
            continue
        path = f"{prefix}{name}"
        rows.append({"field": path, "type": type_name(f.annotation), "default": default_text(f),
                     "meaning": " ".join((f.description or "").split())})
        for model in nested_models(f.annotation):
            if model not in seen:
                many = "list" in str(f.annotation) or "tuple" in str(f.annotation)
                rows += field_rows(model, f"{path}[]." if many else f"{path}.", seen | {schema, model})
    return rows


__all__ = ["default_text", "field_rows", "nested_models", "type_name"]
