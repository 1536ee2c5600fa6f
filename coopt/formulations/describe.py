"""Print a built model as a reader wants it: sets, parameters with values, variables, objective,
constraints, each with its docstring (which cites the paper's equation)."""

from __future__ import annotations

from typing import Any

from coopt.formulations.base import Formulation


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_pyomo(model: Any) -> str:
    import pyomo.environ as pyo

    lines: list[str] = []
    for s in model.component_objects(pyo.Set, descend_into=True):
        if s.parent_component() is s and not s.local_name.endswith("_index") and s.doc:
            lines.append(f"  set {s.local_name} = {list(s.data())[:10]}{' ...' if len(s) > 10 else ''}: {s.doc}")
    for p in model.component_objects(pyo.Param, descend_into=True):
        val = {k: pyo.value(v) for k, v in p.items()} if p.is_indexed() else pyo.value(p)
        mutable = " (mutable)" if p.mutable else ""
        lines.append(f"  param {p.local_name} = {_short(str(val), 120)}{mutable}: {p.doc or ''}")
    for v in model.component_objects(pyo.Var, descend_into=True):
        idx = f"[{v.index_set().local_name}]" if v.is_indexed() else ""
        first = next(iter(v.values()), None)
        if first is None:
            lines.append(f"  var {v.local_name}{idx} (empty): {v.doc or ''}")
            continue
        dom = first.domain.local_name if hasattr(first.domain, "local_name") else str(first.domain)
        lines.append(f"  var {v.local_name}{idx} in {dom}, bounds {first.bounds}: {v.doc or ''}")
    for o in model.component_objects(pyo.Objective, descend_into=True):
        sense = "maximize" if o.sense == pyo.maximize else "minimize"
        lines.append(f"  {sense} {o.local_name}: {o.doc or ''}\n      {_short(str(o.expr))}")
    for c in model.component_objects(pyo.Constraint, descend_into=True):
        items = list(c.items())
        lines.append(f"  constraint {c.local_name} ({len(items)} rows): {c.doc or ''}")
        for k, cd in items[:3]:
            lines.append(f"      [{k}] {_short(str(cd.expr), 200)}")
        if len(items) > 3:
            lines.append(f"      ... {len(items) - 3} more")
    return "\n".join(lines)


def describe(form: Formulation, model: Any) -> str:
    """Text description of ``model`` built by ``form``."""
    head = f"formulation {form.name} ({form.layer}, {form.problem_class}): {form.doc}"
    if form.layer == "pyomo":
        return head + "\n" + describe_pyomo(model)
    if form.layer == "cvxpy":
        params = ", ".join(f"{p.name()}={p.value}" for p in model.parameters())
        return head + f"\n  parameters: {params}\n  {_short(str(model), 2000)}"
    return head + f"\n  native algorithm: {_short(getattr(model, 'doc', '') or model.name)}"


# ----------------------------------------------------------------------------- the algebra as text

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "Lambda": "Λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "Phi": "Φ", "chi": "χ", "psi": "ψ", "Psi": "Ψ", "omega": "ω", "Omega": "Ω",
    "sum": "Σ", "prod": "Π", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "in": "∈",
    "notin": "∉", "cdot": "·", "times": "×", "infty": "∞", "to": "→", "mapsto": "↦", "mid": "|",
    "subseteq": "⊆", "subset": "⊂", "setminus": "∖", "emptyset": "∅", "varnothing": "∅", "cup": "∪",
    "cap": "∩", "forall": "∀", "exists": "∃", "partial": "∂", "nabla": "∇", "approx": "≈", "pm": "±",
    "ldots": "…", "dots": "…", "cdots": "⋯", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "langle": "⟨", "rangle": "⟩", "leftarrow": "←", "rightarrow": "→", "Leftarrow": "⇐", "ell": "ℓ",
    "Rightarrow": "⇒", "Leftrightarrow": "⇔", "iff": "⇔", "implies": "⇒",
    "quad": "  ", "qquad": "    ", "max": "max", "min": "min", "arg": "arg", "log": "log", "exp": "exp",
    "lvert": "|", "rvert": "|", "vert": "|", "|": "‖", "{": "{", "}": "}", "%": "%", "_": "_",
}
_DROP = ("left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "textstyle",
         "displaystyle", "limits", "nolimits", "label")
_ACCENTS = {"bar": "\u0304", "overline": "\u0304", "tilde": "\u0303", "widetilde": "\u0303", "hat": "\u0302",
            "widehat": "\u0302", "underline": "\u0332", "dot": "\u0307", "vec": "\u20d7"}


def _group(text: str, i: int) -> tuple[str, int]:
    """The brace group (or single token) starting at text[i]: (content, index after it)."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] != "{":
        if text[i] == "\\":
            j = i + 1
            while j < len(text) and text[j].isalpha():
                j += 1
            return text[i:max(j, i + 2)], max(j, i + 2)
        return text[i], i + 1
    depth, j = 0, i
    while j < len(text):
        if text[j] == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif text[j] == "}" and text[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
        j += 1
    return text[i + 1:], len(text)


def _latex_to_text(tex: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            name = tex[i + 1:j] if j > i + 1 else tex[i + 1:i + 2]
            j = max(j, i + 2)
            if name in ("frac", "tfrac", "dfrac"):
                a, j = _group(tex, j)
                b, j = _group(tex, j)
                out.append(f"({_latex_to_text(a)})/({_latex_to_text(b)})")
            elif name == "sqrt":
                a, j = _group(tex, j)
                out.append(f"√({_latex_to_text(a)})")
            elif name in ("text", "mathrm", "mathit", "mathbf", "mathcal", "mathbb", "operatorname", "texttt",
                          "textbf", "textit", "emph", "boldsymbol", "underbrace", "overbrace"):
                a, j = _group(tex, j)
                out.append(_latex_to_text(a))
            elif name == "tag":
                a, j = _group(tex, j)
                out.append(f"   ({a})")
            elif name in ("begin", "end"):
                _, j = _group(tex, j)
                if tex[j:j + 1] == "{":  # \begin{array}{ll}
                    _, j = _group(tex, j)
            elif name in _ACCENTS:
                a, j = _group(tex, j)
                a = _latex_to_text(a)
                out.append(a + _ACCENTS[name] if len(a) == 1 else f"{name}({a})")
            elif name in _DROP:
                pass
            elif name == "\\":
                out.append("\n")
            elif name in (",", ";", ":", "!", " "):
                out.append("" if name == "!" else " ")
            elif name == "not":
                out.append("¬")
            else:
                out.append(_SYMBOLS.get(name, name))
            i = j
        elif c in "_^":
            a, j = _group(tex, i + 1)
            a = _latex_to_text(a)
            if c == "^":
                out.append("^" + (a if len(a) <= 1 or a.isalnum() else f"({a})"))
            else:
                out.append("_" + (a if len(a) <= 1 or a.replace(",", "").isalnum() else f"{{{a}}}"))
            i = j
        elif c in "{}":
            i += 1
        elif c == "&":
            i += 1
            if tex[i:i + 1] == "&":
                i += 1
                out.append("      ")
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def math_text(markdown: str, width: int = 100) -> str:
    """A problem's ``math`` (Markdown with LaTeX) as plain text for a terminal: symbols as Unicode,
    fractions as (a)/(b), displays on their own indented lines, links as their text."""
    import re

    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown.strip())  # [text](url) -> text
    blocks = re.split(r"\$\$", text)
    out: list[str] = []
    for k, block in enumerate(blocks):
        if k % 2 == 1:  # display math
            # a display: only \\\\ breaks a line (the source's own line breaks are spaces)
            lines = [ln.strip() for ln in _latex_to_text(block.replace("\n", " ")).split("\n")]
            out.append("\n".join("      " + " ".join(ln.split()) for ln in lines if ln.strip()))
        else:
            prose = re.sub(r"\$([^$]+)\$", lambda m: _latex_to_text(m.group(1)), block)
            out.append(prose.strip("\n"))
    return "\n".join(p for p in out if p.strip())
