"""Validated, immutable problem instances read from YAML (+ CSV tables).

A family schema subclasses :class:`Instance` (a frozen pydantic model that forbids unknown
fields) and is registered with :func:`register_family`. Every field carries its meaning and
allowed range in ``Field(description=...)``; a bad file fails at load time with one line naming
the file, the field, the value and that range.

What every file goes through, whatever its family (bounded work on any input):

* at most :data:`MAX_YAML_BYTES` of UTF-8 YAML (tables: :data:`MAX_TABLE_BYTES` of UTF-8 CSV);
* YAML read safely, a repeated key is an error naming its line, and anchors/aliases may not expand
  the document by more than :data:`MAX_ALIAS_EXPANSION` nodes (a "billion laughs" file is refused
  before anything looks at its values);
* every number finite and never a boolean (``beta: true`` is an error, not 1.0), integers never
  truncated; every CSV cell of a name or number column present (an empty name is an error naming
  the file and line, not a player called ``nan``).

Players of the game families are named through the :class:`PlayerList` mixin: one way to name a
coalition (``a1,a3`` or a list of names), one behaviour and one wording for unknown, repeated or
missing members.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, Strict, ValidationError, model_validator

from coopt.errors import InputError, boundary, describe_exception, short_repr

BUNDLED_DIR = Path(__file__).parent
_FAMILIES: dict[str, type[Instance]] = {}

#: largest YAML data file read (bytes); larger files are refused before they are read
MAX_YAML_BYTES = 10 * 2**20
#: largest CSV table read (bytes)
MAX_TABLE_BYTES = 256 * 2**20
#: most YAML nodes that anchors/aliases may add to a document when expanded
MAX_ALIAS_EXPANSION = 100_000


# ====================================================================================== safe YAML
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader that refuses repeated mapping keys."""


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` may be overridden by explicit keys
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: the constructor refuses it below
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {short_repr(key)} (first given on line {first + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# YAML 1.2 numbers: PyYAML (YAML 1.1) reads 3e7 and 3.0e7 as text (it wants a sign after the e)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a document whose aliases expand it by more than MAX_ALIAS_EXPANSION nodes, or loop."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    cap = 10 * MAX_ALIAS_EXPANSION + 10**9
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            size[nid] = min(cap, 1 + sum(size[id(c)] for c in _children(node)))
            continue
        if nid in size:
            continue
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            cid = id(child)
            if cid in on_path:
                line = child.start_mark.line + 1
                raise InputError(f"{source}: line {line}: a YAML alias refers to itself (recursive data)")
            if cid not in size:
                stack.append((child, False))
    added = size[id(root)] - len(size)
    if added > MAX_ALIAS_EXPANSION:
        more = "more than " if size[id(root)] >= cap else ""
        raise InputError(f"{source}: YAML anchors/aliases would add {more}{added:.3g} nodes to the document; "
                         f"coopt allows at most {MAX_ALIAS_EXPANSION} (write the data out, or use fewer aliases)")


def parse_yaml(text: str, source: str = "<text>") -> Any:
    """YAML text -> Python data: safe types only, repeated keys refused, alias expansion bounded.

    Errors are one-line :class:`InputError` s naming ``source`` and the line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise InputError(f"{source}:{where} is not valid YAML ({getattr(err, 'problem', None) or err})") from None
    except RecursionError:
        raise InputError(f"{source}: YAML nested too deeply") from None
    except InputError:
        raise
    except Exception as err:  # a constructor refusing a value (an integer of 100,000 digits, a bad date)
        raise InputError(f"{source}: a value cannot be read ({describe_exception(err)})") from None
    finally:
        loader.dispose()


def parse_value(raw: str) -> Any:
    """A ``--set`` value: YAML scalar/flow syntax (``0.3``, ``[a, b]``, ``null``), else the text itself.

    Goes through :func:`parse_yaml`: an alias bomb given on the command line stays its short text."""
    try:
        return parse_yaml(raw, "--set value")
    except InputError:
        return raw


def read_text(path: Path, source: str, limit: int | None = None, what: str = "data file") -> str:
    """The UTF-8 text of ``path`` (at most ``limit`` bytes, default MAX_YAML_BYTES; a BOM is allowed),
    or a one-line InputError."""
    limit = MAX_YAML_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"{source}: cannot read {what} ({err.strerror or err})") from None
    if size > limit:
        raise InputError(f"{source}: {what} is {size / 2**20:.1f} MiB; coopt reads at most "
                         f"{limit / 2**20:.3g} MiB (split the data, or raise the limit in coopt.data.base)")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"{source}: cannot read {what} ({err.strerror or err})") from None
    return decode_utf8(raw, source)


def decode_utf8(raw: bytes, source: str) -> str:
    """Decode UTF-8 bytes; an invalid byte is an InputError naming its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{source}: line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                         "save the file as UTF-8") from None


# ====================================================================================== schemas
def _annotation_is_number(annotation: Any) -> bool:
    """True when a field annotation accepts float or int (but not bool)."""
    text = str(annotation)
    if "bool" in text:
        return False
    return annotation in (float, int) or bool(re.search(r"\b(float|int)\b", text))


def _integer(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got the boolean {str(value).lower()}")
    return value


#: a real number field: finite (the models' ``allow_inf_nan=False``), an int or a float, never a boolean or
#: a string (pydantic strict mode: checked in compiled code, fast on million-row tables)
Real = Annotated[float, Strict()]
#: an integer field: never a boolean, never a truncated float (2.5 is an error; 2.0 is 2)
Integer = Annotated[int, BeforeValidator(_integer)]


class Record(BaseModel):
    """Base of every schema model: frozen, unknown fields forbidden, numbers finite.

    Number fields are declared :data:`Real` / :data:`Integer` (never a boolean; a test walks every
    schema to enforce it)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)


#: longest player / district name (characters)
MAX_NAME_CHARS = 200


def _name(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a name (text), got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise ValueError("empty name")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069
           for ch in value):
        raise ValueError("a name may not contain control characters")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"name longer than {MAX_NAME_CHARS} characters")
    return value


#: a player's name: text (a number is taken as its text), stripped, non-empty, at most MAX_NAME_CHARS
Name = Annotated[str, BeforeValidator(_name)]


class Instance(Record):
    """Base of every family's instance: ``family`` and ``name`` plus the family's fields."""

    family: str
    name: str = "unnamed"

    _source: str = PrivateAttr(default="<memory>")
    _base_dir: Path | None = PrivateAttr(default=None)
    _digest: str | None = PrivateAttr(default=None)  # digest() computed once (the instance is frozen)

    #: fields that may be given as a CSV path relative to the YAML file (read by the family); each may also be
    #: written ``<field>_csv: file.csv`` (or ``.xlsx``), or be a pandas DataFrame (``coopt.load(df, family=...)``)
    table_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _table_aliases(cls, data: Any) -> Any:
        return table_aliases(cls, data)

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


def table_aliases(cls: type[Instance], data: Any) -> Any:
    """``players_csv: regions.csv`` is ``players: regions.csv`` (one of the two, not both); idempotent."""
    if not isinstance(data, Mapping):
        return data
    aliases = [f for f in cls.table_fields if f"{f}_csv" in data]
    if not aliases:
        return data
    out = dict(data)
    for f in aliases:
        if f in out:
            raise ValueError(f"give either '{f}' or '{f}_csv', not both")
        out[f] = out.pop(f"{f}_csv")
    return out


class PlayerList:
    """Mixin of the instances whose players are named: ``names``, ``n``, coalitions by name.

    A subclass defines ``names`` (a sequence of unique strings: the order positions refer to).
    A coalition is a comma list (``"a1, a3"``) or an iterable of names; it must be non-empty and
    name known players, each once. Errors are one line naming the option, the value and the players.
    """

    @property
    def n(self) -> int:
        """Number of players |N|."""
        return len(self.names)

    @staticmethod
    def parse_coalition(members: Any, field: str = "coalition") -> list[str]:
        """Member names from a comma list or an iterable of names (no check against the players)."""
        if isinstance(members, str):
            items = [m.strip() for m in members.split(",")]
            if any(not m for m in items) and members.strip():
                raise InputError(f"option '{field}' = {short_repr(members)}: an empty name in the comma list")
            items = [m for m in items if m]
        elif isinstance(members, Iterable) and not isinstance(members, bytes | Mapping):
            items = []
            for m in members:
                if isinstance(m, bool) or not isinstance(m, str | int):
                    raise InputError(f"option '{field}': member {short_repr(m)} is not a player name")
                items.append(str(m).strip())
        else:
            raise InputError(f"option '{field}' = {short_repr(members)}: expected player names (a comma list)")
        return items

    def index_of(self, members: Any, field: str = "coalition") -> list[int]:
        """Sorted positions in ``names`` of the named players; empty, unknown or repeated -> InputError."""
        items = self.parse_coalition(members, field)
        names = list(self.names)
        if not items:
            raise InputError(f"option '{field}': empty coalition (name at least one player: {_some(names)})")
        pos = {nm: i for i, nm in enumerate(names)}
        out = []
        for nm in items:
            if nm not in pos:
                raise InputError(f"option '{field}': unknown player {short_repr(nm)} (players: {_some(names)})")
            out.append(pos[nm])
        if len(set(out)) != len(out):
            dup = sorted({nm for nm in items if items.count(nm) > 1})
            raise InputError(f"option '{field}': player {short_repr(dup[0])} is named twice")
        return sorted(out)

    def mask_of(self, members: Any, field: str = "coalition") -> int:
        """The coalition as a bit mask over ``names`` (bit i = names[i])."""
        return sum(1 << i for i in self.index_of(members, field))


def _some(names: list[str], k: int = 20) -> str:
    shown = ", ".join(short_repr(x, 40).strip("'") for x in names[:k])
    return shown + (f", ... ({len(names)} players)" if len(names) > k else "")


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
    """The allowed-range text of a field (its description)."""
    info = cls.model_fields.get(field)
    if info is None or not info.description:
        return None
    return info.description


def _format_error(cls: type[BaseModel], source: str, err: ValidationError) -> str:
    e = err.errors()[0]
    cause = (e.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):  # a reader (CSV table) already named file, line and value
        return str(cause)
    loc = ".".join(str(p) for p in e["loc"]) or "<root>"
    field = str(e["loc"][0]) if e["loc"] else ""
    kind = e["type"]
    if kind == "missing":
        desc = field_range(cls, field)
        return f"{source}: missing field '{loc}'" + (f" ({desc})" if desc else "")
    if kind == "extra_forbidden":
        known = ", ".join(k for k in cls.model_fields)
        return f"{source}: unknown field {short_repr(loc)} (known fields: {known})"
    msg = e["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if isinstance(e.get("input"), bool) and kind in ("float_type", "int_type"):
        msg = f"expected a number, got the boolean {str(e['input']).lower()}"
    desc = field_range(cls, field)
    extra = f" ({field}: {desc})" if desc else ""
    if "input" not in e or kind.startswith(("model_", "dataclass_")) or not e["loc"]:
        return f"{source}: {msg}" if not e["loc"] else f"{source}: field '{loc}': {msg}{extra}"
    return f"{source}: field '{loc}' = {short_repr(e['input'])}: {msg}{extra}"


def validate(
    cls: type[Instance], data: Mapping[str, Any], source: str = "<memory>", base_dir: Path | None = None
) -> Instance:
    """Validate ``data`` against ``cls``; raise a one-line :class:`InputError` on failure."""
    with boundary(source, InputError):
        try:
            inst = cls.model_validate(dict(data), context={"base_dir": base_dir, "source": source})
        except ValidationError as err:
            raise InputError(_format_error(cls, source, err)) from None
    inst._source = source
    inst._base_dir = base_dir
    return inst


def resolve(ref: str | Path) -> Path:
    """A user path, or a bundled name ``family/name`` (``.yaml`` optional)."""
    if not isinstance(ref, str | Path):
        raise InputError(f"data: expected a file path or bundled name, got {type(ref).__name__}")
    try:
        p = Path(ref)
        if p.is_file():
            return p
        cand = BUNDLED_DIR / (str(ref) if str(ref).endswith((".yaml", ".yml")) else f"{ref}.yaml")
        if cand.is_file():
            return cand
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        pass
    if Path(str(ref)).is_dir():
        raise InputError(f"data: {short_repr(str(ref))} is a directory, not a YAML data file")
    known = ", ".join(bundled())
    raise InputError(f"no data file or bundled instance named {short_repr(str(ref))} (bundled: {known})")


def bundled() -> list[str]:
    """Names of the bundled instances, ``family/name``."""
    return sorted(
        str(p.relative_to(BUNDLED_DIR).with_suffix("")) for p in BUNDLED_DIR.glob("*/*.yaml")
    )


def load(ref: str | Path | Instance | Any, overrides: Mapping[str, Any] | None = None,
         family: str | None = None) -> Instance:
    """Load an instance from a YAML file or a bundled name, with optional field overrides.

    ``coopt.load("itinfra/paper-figure1")`` finds a bundled instance, ``coopt.load("my.yaml")``
    reads a user's file; ``overrides`` replaces fields and re-validates. A ``pandas.DataFrame`` is a
    table: ``coopt.load(df, {"sigma2": 0.1, "alpha": 1}, family="dpshare")`` (the players of a
    ``vaccine`` or ``dpshare`` instance, the other fields in ``overrides``) or ``family="tu"`` (a
    ``coalition,value`` table). Every failure is a one-line :class:`coopt.errors.InputError`.
    """
    with boundary("load", InputError):
        if isinstance(ref, Instance):
            return ref.with_overrides(**overrides) if overrides else ref
        if type(ref).__name__ == "DataFrame":
            return _load_frame(ref, dict(overrides or {}), family)
        path = resolve(ref)
        source = path.name if path.resolve().is_relative_to(BUNDLED_DIR.resolve()) else str(path)
        if path.suffix.lower() == ".csv":  # a two-column coalition,value table: a TU game (family tu)
            from coopt.data.tu.loader import load_csv

            _check_tu_header(path)
            return load_csv(path, source, dict(overrides or {}))
        data = parse_yaml(read_text(path, source), source)
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a mapping of fields, got {type(data).__name__}")
        family = data.get("family")
        fams = families()
        if not isinstance(family, str) or family not in fams:
            raise InputError(f"{source}: field 'family' = {short_repr(family)} is not a known family "
                             f"(known: {', '.join(sorted(fams))})")
        if overrides:
            data.update(overrides)
        return validate(fams[family], data, source, path.parent)


def _check_tu_header(path: Path) -> None:
    """A CSV given as the data itself is a TU game (``coalition,value``); a table of players is named in a
    YAML file instead: say so, rather than what a TU table lacks."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.readline()
    except OSError:
        return
    cols = [c.strip().lower() for c in head.split(",")]
    if cols != ["coalition", "value"] and "name" in cols:
        fams = {"M": "vaccine", "m": "vaccine", "c": "dpshare"}
        fam = next((fams[c] for c in cols if c in fams), "vaccine or dpshare")
        raise InputError(f"{path.name}: a CSV given as --data is a TU game (columns coalition,value); this looks "
                         f"like a table of players: name it in a YAML file (family: {fam}, players_csv: "
                         f"{path.name}, ...; `coopt schema {fam.split()[0]}` lists the fields)")


def _load_frame(df: Any, fields: dict[str, Any], family: str | None) -> Instance:
    """An instance whose table is the DataFrame ``df`` (see :func:`load`)."""
    fams = families()
    if family is None or family not in fams:
        raise InputError(f"load(DataFrame): give family= (one of {', '.join(sorted(fams))})")
    cls = fams[family]
    if family == "tu":
        cols = [str(c).strip().lower() for c in df.columns]
        if cols != ["coalition", "value"]:
            raise InputError(f"DataFrame: a TU game has the two columns coalition, value (got {', '.join(cols)})")
        values: dict[str, Any] = {}
        for i, (k, v) in enumerate(zip(df.iloc[:, 0], df.iloc[:, 1])):
            if str(k).strip() in values:
                raise InputError(f"DataFrame: row {i + 1}: coalition {short_repr(k)} appears twice")
            values[str(k).strip()] = v
        data = {"family": "tu", "name": "dataframe", "values": values, **fields}
    else:
        if not cls.table_fields:
            raise InputError(f"load(DataFrame): family {family} has no table of players; write a YAML file")
        data = {"family": family, "name": "dataframe", cls.table_fields[0]: df, **fields}
    return validate(cls, data, "DataFrame")


# ====================================================================================== CSV tables
def read_table(
    path: Any, required: list[str], base_dir: Path | None = None, source: str = "<memory>",
    text: Iterable[str] = ("name",), numeric: Iterable[str] = (), optional_numeric: Iterable[str] = (),
) -> Any:
    """Read a table referenced from a YAML file (a ``pandas.DataFrame``), checked cell by cell.

    ``path``: a CSV file, an Excel file (``.xlsx``, ``.xlsm``: its first sheet; needs the optional
    ``openpyxl``, ``pip install 'coopt[excel]'``), or a ``pandas.DataFrame`` (``coopt.load(df, ...)``).
    Every column is read as text. ``required`` columns must exist; ``text`` columns (present) must
    have no empty cell; ``numeric`` columns are converted to finite floats with no empty cell;
    ``optional_numeric`` ones to floats with NaN for an empty cell. Any bad cell is a one-line
    InputError naming the file, row (the data row, 1 = the first under the header) and column.
    Other columns stay text ("" when empty).
    """
    import pandas as pd

    if isinstance(path, pd.DataFrame):
        return check_table(_frame_as_text(path), "DataFrame", required, text, numeric, optional_numeric)
    if not isinstance(path, str | Path) or not str(path).strip():
        raise InputError(f"{source}: expected a CSV file name, got {short_repr(path)}")
    p = Path(path)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    if not p.is_file():
        raise InputError(f"{source}: table file {short_repr(str(path))} not found (looked in {p.parent})")
    name = p.name
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return check_table(_read_excel(p, name), name, required, text, numeric, optional_numeric)
    content = read_text(p, name, MAX_TABLE_BYTES, "table")  # the module value at call time (configurable)
    import io

    try:
        df = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False, skipinitialspace=True)
    except Exception as err:  # pandas raises many kinds, some with multi-line messages
        raise InputError(f"{name}: cannot read the CSV table ({err})") from None
    return check_table(df, name, required, text, numeric, optional_numeric)


def _frame_as_text(df: Any) -> Any:
    """A user's DataFrame as the text table a CSV file gives (numbers keep their full precision)."""
    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return repr(float(v)) if isinstance(v, float) else str(v)

    out = df.copy()
    out.columns = [str(c) for c in out.columns]
    return out.map(cell) if hasattr(out, "map") else out.applymap(cell)


def _read_excel(p: Path, name: str) -> Any:
    import pandas as pd

    if p.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(f"{name}: {p.stat().st_size} bytes; tables are limited to {MAX_TABLE_BYTES} bytes")
    try:
        import openpyxl  # noqa: F401  (pandas reads .xlsx through it)
    except ImportError:
        raise InputError(f"{name}: reading Excel tables needs openpyxl: pip install 'coopt[excel]' "
                         "(or save the sheet as CSV)") from None
    try:
        df = pd.read_excel(p, sheet_name=0, dtype=str, keep_default_na=False)
    except Exception as err:
        raise InputError(f"{name}: cannot read the Excel table ({describe_exception(err)})") from None
    return _frame_as_text(df)


def check_table(df: Any, name: str, required: list[str], text: Iterable[str] = ("name",),
                numeric: Iterable[str] = (), optional_numeric: Iterable[str] = ()) -> Any:
    """The cell checks of :func:`read_table` on a table of text cells (see there)."""
    cols = [str(c) for c in df.columns]
    for c in cols:
        m = re.fullmatch(r"(.*)\.(\d+)", c)
        if m and m.group(1) in cols:
            raise InputError(f"{name}: column {short_repr(m.group(1))} appears more than once")
    df.columns = [c.strip() for c in cols]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)} (have: {', '.join(map(str, df.columns))})")
    df = df.apply(lambda s: s.str.strip())
    for c in text:
        if c in df.columns:
            empty = (df[c] == "").to_numpy().nonzero()[0]
            if len(empty):
                raise InputError(f"{name}: row {int(empty[0]) + 1}: empty {c!r} cell")
    for c, required_cell in [*((c, True) for c in numeric), *((c, False) for c in optional_numeric)]:
        if c not in df.columns:
            continue
        df[c] = _numbers(df[c], name, c, required_cell)
    return df


def table_name(value: Any) -> str:
    """How a table is named in messages: its file name, or ``DataFrame``."""
    return Path(value).name if isinstance(value, str | Path) else "DataFrame"


def check_rows(model: type[BaseModel], rows: list[dict[str, Any]], name: str,
               extra: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Validate each row of a players table on its own, so that a bad value names the table, the row and
    the column in one line (``regions.csv: row 7: column 'M' = -5.0: size M must satisfy 0 < M ...``); ``extra(row)``
    runs further checks of a row (raising ValueError)."""
    for i, row in enumerate(rows):
        try:
            model.model_validate(row)
            if extra is not None:
                extra(row)
        except ValidationError as err:
            e = err.errors()[0]
            loc = ".".join(str(x) for x in e["loc"]) or "row"
            msg = e["msg"].removeprefix("Value error, ")
            shown = f" = {short_repr(e['input'])}" if e["loc"] and "input" in e else ""
            raise InputError(f"{name}: row {i + 1}: column '{loc}'{shown}: {msg}") from None
        except ValueError as err:
            raise InputError(f"{name}: row {i + 1} ({short_repr(row.get('name'))}): {err}") from None
    return rows


def _numbers(col: Any, name: str, column: str, required: bool) -> Any:
    import numpy as np
    import pandas as pd

    raw = col.astype(str)
    empty = (raw == "").to_numpy()
    values = pd.to_numeric(raw.mask(empty, "nan"), errors="coerce").to_numpy(dtype=float)
    bad = (~empty & ~np.isfinite(values)) | (empty & required)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        cell = raw.iloc[i]
        what = "is empty" if cell == "" else f"= {short_repr(cell)} is not a finite number"
        raise InputError(f"{name}: row {i + 1}: column {column!r} {what}")
    return pd.Series(values, index=col.index)


__all__ = ["MAX_ALIAS_EXPANSION", "MAX_TABLE_BYTES", "MAX_YAML_BYTES", "Instance", "Integer", "Name", "PlayerList",
           "Real", "Record",
           "bundled", "decode_utf8", "families", "load", "parse_value", "parse_yaml", "read_table", "read_text",
           "register_family", "resolve", "validate"]
