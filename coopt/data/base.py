"""Validated, immutable problem instances read from YAML (+ CSV tables).

A family schema subclasses :class:`Instance` (a frozen pydantic model that forbids unknown
fields) and is registered with :func:`register_family`. Every field carries its meaning and
allowed range in ``Field(description=...)``; a bad file fails at load time with one line naming
the file, the field, the value and that range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from coopt.errors import InputError

BUNDLED_DIR = Path(__file__).parent
_FAMILIES: dict[str, type[Instance]] = {}


class Instance(BaseModel):
    """Base of every family's instance: ``family`` and ``name`` plus the family's fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    family: str
    name: str = "unnamed"

    _source: str = PrivateAttr(default="<memory>")
    _base_dir: Path | None = PrivateAttr(default=None)
    _digest: str | None = PrivateAttr(default=None)  # digest() computed once (the instance is frozen)

    #: fields that may be given as a CSV path relative to the YAML file (read by the family)
    table_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def source(self) -> str:
        """The file this instance was read from (or ``<memory>``)."""
        return self._source

    def digest(self) -> str:
        """Stable SHA-256 (first 16 hex digits) of the instance's field values (computed once, cached)."""
        if self._digest is None:
            self._digest = hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]
        return self._digest

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Instance:
        """pydantic's copy, without the cached digest (``update`` may change the fields)."""
        copy = super().model_copy(update=update, deep=deep)
        copy._digest = None
        return copy

    def with_overrides(self, **overrides: Any) -> Instance:
        """A re-validated copy with some fields replaced (unknown fields are an error)."""
        data = self.model_dump()
        data.update(overrides)
        return validate(type(self), data, self._source, self._base_dir)


def register_family(family: str) -> Callable[[type[Instance]], type[Instance]]:
    """Class decorator: make ``family: <family>`` files load into this schema."""

    def deco(cls: type[Instance]) -> type[Instance]:
        _FAMILIES[family] = cls
        return cls

    return deco


def families() -> dict[str, type[Instance]]:
    """Registered family schemas (importing the family packages registers them)."""
    _import_families()
    return dict(_FAMILIES)


def _import_families() -> None:
    import importlib
    import pkgutil

    import coopt.data as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.ispkg:
            importlib.import_module(f"coopt.data.{mod.name}")


def field_range(cls: type[BaseModel], field: str) -> str | None:
    """The allowed-range text of a field (the part of its description after the last comma)."""
    info = cls.model_fields.get(field)
    if info is None or not info.description:
        return None
    return info.description


def _format_error(cls: type[BaseModel], source: str, err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"]) or "<root>"
    field = str(e["loc"][0]) if e["loc"] else ""
    kind = e["type"]
    if kind == "missing":
        desc = field_range(cls, field)
        return f"{source}: missing field '{loc}'" + (f" ({desc})" if desc else "")
    if kind == "extra_forbidden":
        known = ", ".join(k for k in cls.model_fields)
        return f"{source}: unknown field '{loc}' (known fields: {known})"
    value = e.get("input")
    msg = e["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    desc = field_range(cls, field)
    extra = f" ({field}: {desc})" if desc else ""
    return f"{source}: field '{loc}' = {value!r}: {msg}{extra}"


def validate(
    cls: type[Instance], data: Mapping[str, Any], source: str = "<memory>", base_dir: Path | None = None
) -> Instance:
    """Validate ``data`` against ``cls``; raise a one-line :class:`InputError` on failure."""
    try:
        inst = cls.model_validate(dict(data), context={"base_dir": base_dir, "source": source})
    except ValidationError as err:
        raise InputError(_format_error(cls, source, err)) from None
    inst._source = source
    inst._base_dir = base_dir
    return inst


def resolve(ref: str | Path) -> Path:
    """A user path, or a bundled name ``family/name`` (``.yaml`` optional)."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    if p.is_file():
        return p
    cand = BUNDLED_DIR / (str(ref) if str(ref).endswith((".yaml", ".yml")) else f"{ref}.yaml")
    if cand.is_file():
        return cand
    known = ", ".join(bundled())
    raise InputError(f"no data file or bundled instance named '{ref}' (bundled: {known})")


def bundled() -> list[str]:
    """Names of the bundled instances, ``family/name``."""
    return sorted(
        str(p.relative_to(BUNDLED_DIR).with_suffix("")) for p in BUNDLED_DIR.glob("*/*.yaml")
    )


def load(ref: str | Path | Instance, overrides: Mapping[str, Any] | None = None) -> Instance:
    """Load an instance from a YAML file or a bundled name, with optional field overrides.

    ``coopt.load("itinfra/paper-figure1")`` finds a bundled instance, ``coopt.load("my.yaml")``
    reads a user's file; ``overrides`` replaces fields and re-validates.
    """
    if isinstance(ref, Instance):
        return ref.with_overrides(**overrides) if overrides else ref
    path = resolve(ref)
    source = path.name if path.is_relative_to(BUNDLED_DIR) else str(path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{source}:{where} is not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of fields, got {type(data).__name__}")
    family = data.get("family")
    fams = families()
    if family not in fams:
        raise InputError(
            f"{source}: field 'family' = {family!r} is not a known family (known: {', '.join(sorted(fams))})"
        )
    data.update(overrides or {})
    return validate(fams[family], data, source, path.parent)


def read_table(
    path: str | Path, required: list[str], base_dir: Path | None = None, source: str = "<memory>"
) -> pd.DataFrame:
    """Read a CSV table referenced from a YAML file; check its required columns."""
    p = Path(path)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    if not p.is_file():
        raise InputError(f"{source}: table file '{path}' not found (looked in {p.parent})")
    try:
        df = pd.read_csv(p)
    except Exception as err:  # pandas raises many kinds
        raise InputError(f"{source}: cannot read table '{path}': {err}") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(
            f"{p.name}: missing column(s) {', '.join(missing)} (have: {', '.join(map(str, df.columns))})"
        )
    return df
