"""Pages of the documentation site generated from the code: one per problem, the problem index, the CLI.

Used by the MkDocs hook ``scripts/docs_hooks.py`` at every build (the pages are never written to
``docs/``, so they cannot go stale); ``python scripts/docs_gen.py OUT_DIR`` writes them to a folder
for reading without MkDocs.

Everything about a problem comes from the registry (``Problem`` / ``Formulation`` / ``Option``), the
family's pydantic schema and the module that defines ``PROBLEM``: the model in LaTeX is the problem's
``math`` attribute (the text ``coopt show`` prints; a formulation may add its own ``math``), the executed
example its ``example`` attribute (``{"data": ..., "solver": ..., "options": {...}}``). A problem without
``math`` may still have ``docs/_math/<problem>.md`` (a fallback for problems not moved yet); one without
``example`` runs on the first bundled instance of its family with its default solver.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from coopt.data.fields import default_text, nested_models, type_name

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MATH_DIR = DOCS / "_math"  # fallback for problems without a ``math`` attribute

def paper_ref(family: str) -> tuple[str | None, str | None]:
    """(docs/papers page, citation in Markdown) of a family's paper, from ``coopt.formulations.papers``."""
    from coopt.formulations.papers import paper_of

    paper = paper_of(family)
    if paper is None:
        return None, None
    return paper.page, (f"{paper.authors}, *{paper.title}*, {paper.venue}, {paper.year}, "
                        f"doi:[{paper.doi}](https://doi.org/{paper.doi})")


# ----------------------------------------------------------------------------- the registry (one place)


def registry() -> dict[str, Any]:
    """Every registered problem by name.

    The only import of the problem registry in the docs tooling: ``coopt.problems.problems()``
    (the registry below ``games``); change this function alone if it moves.
    """
    from coopt.problems import problems

    return dict(problems())


def solvers_of_formulation(prob: Any, form: Any) -> list[tuple[str, bool]]:
    """(solver, installed) pairs that can serve ``form`` (the registry's own refusal rule decides)."""
    from coopt.errors import CooptError
    from coopt.problems import pick_formulation
    from coopt.solve import SOLVERS

    out = []
    for name, spec in SOLVERS.items():
        try:
            if pick_formulation(prob, name, form.name) is form:
                out.append((name, bool(spec.available)))
        except CooptError:
            continue
    return out


def problem_module(prob: Any) -> types.ModuleType | None:
    """The module that defines ``PROBLEM = prob``."""
    for name, mod in list(sys.modules.items()):
        if name.startswith("coopt.") and isinstance(mod, types.ModuleType) and vars(mod).get("PROBLEM") is prob:
            return mod
    return None


# ----------------------------------------------------------------------------- small helpers


def slug(name: str) -> str:
    """File name of a problem page: the problem name itself (``itinfra.coordinator``)."""
    return name


def cell(text: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    s = " ".join(str(text).split())
    return s.replace("|", "\\|") if s else " "


def code(value: Any) -> str:
    return f"`{value}`" if value not in (None, "") else "—"


def paper_section(prob: Any) -> str:
    """The section part of ``Problem.paper`` (the leading short citation, "Authors (year), ", dropped)."""
    return re.sub(r"^[^()]*\(\d{4}\),?\s*", "", prob.paper or "").strip()


# ----------------------------------------------------------------------------- data schema


def _constraints(field: Any) -> str:
    """Machine-checked bounds of a pydantic field (Ge/Gt/Le/Lt/MinLen/MaxLen metadata)."""
    names = {"Ge": ">=", "Gt": ">", "Le": "<=", "Lt": "<", "MinLen": "min length", "MaxLen": "max length"}
    parts = []
    for meta in getattr(field, "metadata", []) or []:
        kind = type(meta).__name__
        if kind in names:
            val = next((getattr(meta, a) for a in ("ge", "gt", "le", "lt", "min_length", "max_length")
                        if hasattr(meta, a)), None)
            parts.append(f"{names[kind]} {val}")
    return ", ".join(parts)


def schema_tables(schema: type, title: str = "", seen: set[type] | None = None) -> list[str]:
    """Markdown tables of a schema's fields (and of the models nested in them, e.g. player rows)."""
    seen = set() if seen is None else seen
    seen.add(schema)
    lines = []
    if title:
        lines += [title, ""]
    lines += ["| field | type | default | meaning and allowed range | checked bounds |", "|---|---|---|---|---|"]
    nested: list[tuple[str, type]] = []
    for name, f in schema.model_fields.items():
        lines.append(f"| `{name}` | {cell(type_name(f.annotation))} | {default_text(f, code)} | "
                     f"{cell(f.description or '(no description)')} | {cell(_constraints(f))} |")
        nested += [(name, m) for m in nested_models(f.annotation) if m not in seen]
    for name, model in nested:
        lines += [""] + schema_tables(model, f"The fields of `{name}` ({model.__name__}; for a list, of each entry):",
                                      seen)
    return lines


def bundled_for(family: str) -> list[str]:
    """Bundled instances whose YAML declares ``family`` (``itinfra/het-two-types`` is ``itinfra-het``)."""
    from coopt.data.base import BUNDLED_DIR, bundled

    out = []
    for ref in bundled():
        try:
            fam = (yaml.safe_load((BUNDLED_DIR / f"{ref}.yaml").read_text()) or {}).get("family")
        except (OSError, yaml.YAMLError):
            continue
        if fam == family:
            out.append(ref)
    return out


# ----------------------------------------------------------------------------- math and examples


def math_text(prob: Any) -> str | None:
    """The model in LaTeX: the problem's ``math`` attribute (else ``docs/_math/<name>.md``), followed by
    what each formulation's own ``math`` adds."""
    text = str(getattr(prob, "math", "") or "").strip()
    if not text:
        path = MATH_DIR / f"{prob.name}.md"
        text = path.read_text().strip() if path.exists() else ""
    for f in getattr(prob, "formulations", ()):
        extra = str(getattr(f, "math", "") or "").strip()
        if extra:
            text += f"\n\n**Formulation `{f.name}`.** {extra}"
    return text or None


def example_for(prob: Any) -> dict[str, Any]:
    """Data, solver and options of the page's executed example: the problem's ``example`` attribute
    (fallback: the first bundled instance of its family, its default solver, default options)."""
    ex = dict(getattr(prob, "example", None) or {})
    if "data" not in ex:
        found = bundled_for(prob.family)
        ex["data"] = found[0] if found else None
    ex.setdefault("solver", prob.default_solver)
    ex.setdefault("options", {})
    return ex


def example_code(prob: Any, ex: dict[str, Any]) -> str:
    args = "".join(f", {k}={v!r}" for k, v in ex["options"].items())
    lines = [
        "import coopt",
        "",
        f"inst = coopt.load({ex['data']!r})",
        f"res = coopt.run({prob.name!r}, inst, solver={ex['solver']!r}{args})",
        'print("status:      ", res.status.value)',
        'print("objective:   ", res.objective)',
        'print("bound, gap:  ", res.bound, res.gap)',
        'print("certificate: ", res.to_dict()["certificate"])',
        'print("solution keys:", sorted(res.solution))',
    ]
    return "\n".join(lines)


def example_cli(prob: Any, ex: dict[str, Any]) -> str:
    sets = "".join(f" --set {k}={v}" for k, v in ex["options"].items())
    return f"coopt solve {prob.name} --data {ex['data']} --solver {ex['solver']}{sets}"


# ----------------------------------------------------------------------------- certificates


def certificate_lines(prob: Any) -> list[str]:
    """What each formulation's result certifies, from its layer and class (see certificates.md)."""
    lines = []
    if prob.formulations:
        for f in prob.formulations:
            if f.layer == "native":
                what = ("`bound` (and `gap`) from the exact method, `primal_residual`" if "heuristic" not in f.name
                        else "no bound: a heuristic's value is only `feasible`")
            elif f.problem_class in ("MILP", "MIQP", "MINLP"):
                what = "`bound` and `gap` from the solver's branch and bound, `primal_residual` recomputed by coopt"
            else:
                what = ("`primal_residual` and `kkt_residual` recomputed by coopt; `bound`/`gap` from the solver"
                        + (" (a KKT point of a non-convex model is only `locally_optimal`; a global claim needs "
                           "SCIP's bound)" if f.problem_class == "NCNLP" else ""))
            lines.append(f"- `{f.name}` ({f.layer}, {f.problem_class}): {what}.")
    else:
        lines.append("- composed from many solves: every inner solve is certified as above; the problem's own "
                     "certificate is in `solution` (see the keys printed by the example below, and the module "
                     "text above).")
    if prob.closed_form is not None:
        lines.append("- `closed_form_error`: the largest relative distance from the paper's closed form "
                     "(`closed_form` lists the reference values); `null` with the message \"closed form not "
                     "applicable: ...\" where the closed form does not describe the solve (an option it does not "
                     "cover, a model changed after it was built, or an instance outside its assumptions).")
    else:
        lines.append("- `closed_form_error`: null (no closed form is declared for this problem).")
    return lines


# ----------------------------------------------------------------------------- the pages


def problem_page(prob: Any) -> str:
    """The Markdown page of one problem."""
    from coopt.data import families
    from coopt.solve import COMMON_OPTIONS

    mod = problem_module(prob)
    paper_page, citation = paper_ref(prob.family)
    classes = ", ".join(prob.classes) or "—"
    layers = ", ".join(prob.layers) or "composed"
    out = [f"# `{prob.name}`", "", f"**{prob.summary}**", ""]
    ref = f"[{citation}](../papers/{paper_page}.md)" if paper_page else cell(prob.paper)
    out += ["| | |", "|---|---|",
            f"| paper | {ref} |",
            f"| where in the paper | {cell(paper_section(prob))} |",
            f"| equations | {cell(prob.equations)} |",
            f"| problem class | {classes} |",
            f"| modelling layer | {layers} |",
            f"| default solver | `{prob.default_solver}` |",
            f"| family | `{prob.family}` |"]
    if mod is not None:
        path = Path(mod.__file__).resolve().relative_to(ROOT) if mod.__file__ else mod.__name__
        out.append(f"| source | `{path}` (`{mod.__name__}`) |")
    out.append("")

    out += ["## What it decides", ""]
    doc = inspect.getdoc(mod) if mod is not None else None
    if prob.run is not None and (prob.run.__doc__ or "").strip():
        out += [" ".join(prob.run.__doc__.split()), ""]
    if doc:
        out += ["From the module's own text:", "", "```text", doc, "```", ""]

    out += ["## The model as coded", ""]
    math = math_text(prob)
    if math:
        out += [math, ""]
    else:
        out += ['!!! warning "Not written yet"', "",
                f"    The LaTeX of `{prob.name}` is missing: give the problem a `math` attribute. The module text "
                "above is the model's description until then.", ""]

    out += ["## Data", ""]
    schema = families().get(prob.family)
    if schema is not None:
        out += [f"An instance of family `{prob.family}` (schema `{schema.__module__}.{schema.__name__}`):", ""]
        out += schema_tables(schema)
        out.append("")
        found = bundled_for(prob.family)
        if found:
            out += ["Bundled instances: " + ", ".join(f"`{b}`" for b in found) + ".", ""]
        if paper_page:
            out += [f"The symbols and what the data mean: [Derivations: {paper_page}]"
                    f"(../derivations/{paper_page}.md#model); how to write your own data file: "
                    "[Your own data](../tutorials/own-data.md).", ""]
    else:
        out += [f"No schema is registered for family `{prob.family}`.", ""]

    out += ["## Formulations and solvers", ""]
    if prob.formulations:
        out += ["| formulation | layer | class | solvers that fit | what it is |", "|---|---|---|---|---|"]
        for f in prob.formulations:
            sv = ", ".join(f"`{s}`" + ("" if ok else " (not installed)") for s, ok in solvers_of_formulation(prob, f))
            out.append(f"| `{f.name}` | {f.layer} | {f.problem_class} | {sv or '—'} | {cell(f.doc)} |")
        out += ["", "`coopt.run(..., solver=S)` uses the first formulation `S` can serve; "
                "`formulation=NAME` picks one.", ""]
    else:
        sv = ", ".join(f"`{s}`" for s in (prob.solvers or (prob.default_solver,)))
        out += [f"Composed from many solves (declared class {prob.problem_class or '—'}); solvers: {sv}.", ""]

    out += ["## Options", ""]
    if prob.options:
        out += ["| option | type | default | meaning | more |", "|---|---|---|---|---|"]
        known = {"type", "default", "doc", "required", "choices"}
        for name, opt in prob.options.items():
            extra = []
            if getattr(opt, "required", False):
                extra.append("required")
            if getattr(opt, "choices", None):
                extra.append("one of " + ", ".join(f"`{c}`" for c in opt.choices))
            if dataclasses.is_dataclass(opt):
                for fld in dataclasses.fields(opt):
                    val = getattr(opt, fld.name)
                    if fld.name not in known and val not in (None, (), ""):
                        extra.append(f"{fld.name} {val}")
            out.append(f"| `{name}` | {cell(type_name(opt.type))} | {code(opt.default)} | {cell(opt.doc)} | "
                       f"{cell('; '.join(extra))} |")
        out.append("")
    else:
        out += ["No problem options.", ""]
    out += ["Common solver options (every problem): " + ", ".join(f"`{o}`" for o in COMMON_OPTIONS)
            + " — see [Certificates](../certificates.md).", ""]

    out += ["## What the result certifies", ""] + certificate_lines(prob) + [""]

    ex = example_for(prob)
    out += ["## Example", ""]
    if ex["data"] is None:
        out += ['!!! warning "No bundled instance"', "",
                f"    The family `{prob.family}` has no bundled instance; give the problem an `example`.", ""]
    else:
        out += [f"Run by the documentation build (the output below is what it printed). From the shell: "
                f"`{example_cli(prob, ex)}`.", "",
                '```python exec="on" source="above" result="text"', example_code(prob, ex), "```", ""]
    return "\n".join(out)


def families_of(probs: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for p in probs:
        out.setdefault(p.name.split(".", 1)[0], []).append(p)
    return out


def problems_index(probs: dict[str, Any]) -> str:
    """The problems index: one table per family, generated from the registry."""
    lines = ["# Problems", "",
             f"Every problem in `coopt list` ({len(probs)} of them), one page each, generated from the registry at "
             "every build: the model in LaTeX, the data fields with their ranges, the formulations and the "
             "solvers that fit, the options, what the result certifies, and an example the build runs.", ""]
    for fam, items in families_of(probs.values()).items():
        page = paper_ref(items[0].family)[0]
        head = f"## `{fam}`" + (f" — [paper]({'../papers/' + page + '.md'})" if page else "")
        lines += [head, "", "| problem | class | layer | equations | summary |", "|---|---|---|---|---|"]
        for p in items:
            lines.append(f"| [`{p.name}`]({slug(p.name)}.md) | {', '.join(p.classes) or '—'} | "
                         f"{', '.join(p.layers) or 'composed'} | {cell(p.equations)} | {cell(p.summary)} |")
        lines.append("")
    return "\n".join(lines)


def problems_nav(probs: dict[str, Any]) -> list[Any]:
    """The nav section of the problem pages, grouped by family."""
    nav: list[Any] = ["problems/index.md"]
    for fam, items in families_of(probs.values()).items():
        nav.append({fam: [{p.name: f"problems/{slug(p.name)}.md"} for p in items]})
    return nav


# ----------------------------------------------------------------------------- CLI reference


def _param_type(p: Any) -> str:
    desc = getattr(p, "type_descriptor", None)  # typer >= 0.2x (its own click); click's ParamType otherwise
    if desc is not None and getattr(desc, "annotation", None) is not None:
        return type_name(desc.annotation)
    t = getattr(p, "type", None)
    return getattr(t, "name", "") if t is not None else ""


def cli_reference() -> str:
    """Every command of the typer app with its arguments and options (read from the command objects)."""
    import typer

    from coopt.cli import app

    group = typer.main.get_command(app)
    lines = ["# Command line", "",
             "Generated from the `coopt` command itself at every build. " + " ".join((group.help or "").split()), "",
             "Exit codes (every command): `0` success (a proven optimum for `solve`), `1` the solver did not prove "
             "optimality (time or iteration limit, infeasible, only a local optimum, numerical trouble), `2` bad "
             "input or usage, with one line on standard error naming the field and value. "
             "See [Certificates](certificates.md#exit-codes).", ""]
    glob = [p for p in group.params if p.name != "help"]
    if glob:
        lines += ["## Global options", "", "Given before the command (`coopt --problem-file my_problem.py list`).", "",
                  "| option | type | default | help |", "|---|---|---|---|"]
        for p in glob:
            label = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            lines.append(f"| {label} | {cell(_param_type(p))} | — | {cell(p.help or '')} |")
        lines.append("")
    for name, cmd in group.commands.items():
        params = [p for p in cmd.params if p.name != "help"]
        args = [p for p in params if p.param_type_name == "argument"]
        usage = " ".join(["coopt", name] + [p.name.upper() + (" ..." if p.nargs == -1 else "") for p in args]
                         + (["[OPTIONS]"] if len(args) < len(params) else []))
        lines += [f"## `coopt {name}`", "", textwrap.dedent(cmd.help or "").strip(), "", "```text", usage, "```", ""]
        if params:
            lines += ["| argument / option | type | default | help |", "|---|---|---|---|"]
            for p in params:
                if p.param_type_name == "argument":
                    label = f"`{p.name.upper()}`"
                    help_ = "required" if p.required else ""
                else:
                    label = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                    help_ = (p.help or "") + (" (repeatable)" if p.multiple and "repeatable" not in (p.help or "")
                                              else "") + (
                        " (required)" if p.required else "")
                default = p.default
                shown = "—" if default in (None, (), "", []) or callable(default) else f"`{default}`"
                lines.append(f"| {label} | {cell(_param_type(p))} | {shown} | {cell(help_)} |")
            lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- all pages


def generated_pages() -> dict[str, str]:
    """{path under docs/: Markdown} of every generated page."""
    probs = registry()
    pages = {"problems/index.md": problems_index(probs), "cli.md": cli_reference()}
    for p in probs.values():
        pages[f"problems/{slug(p.name)}.md"] = problem_page(p)
    return pages


def missing_math(probs: dict[str, Any] | None = None) -> list[str]:
    """Problems without their LaTeX (neither a ``math`` attribute nor ``docs/_math/<name>.md``)."""
    probs = registry() if probs is None else probs
    return [n for n, p in probs.items() if not math_text(p)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/docs_gen.py OUT_DIR  (writes the generated pages there)", file=sys.stderr)
        return 2
    out = Path(argv[0])
    for rel, text in generated_pages().items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
    print(f"{len(generated_pages())} pages in {out}; problems without math: {missing_math() or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
