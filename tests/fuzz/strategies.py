"""Hypothesis strategies for hostile input: numbers at and beyond their limits, text with terminal
escapes and odd unicode, YAML documents with repeated keys and aliases, CSV tables with holes."""

from __future__ import annotations

import math

from hypothesis import strategies as st

#: strings that parse into surprising values somewhere (YAML, float(), pandas)
TRICKY_TEXT = ["nan", "NaN", ".nan", "inf", "-inf", ".inf", "-.inf", "1e400", "-1e400", "1e-400", "true", "false",
               "yes", "no", "on", "off", "null", "~", "None", "", " ", ",", ",,", "0x1F", "1_000", "0", "-0", "1.5",
               "-1", "2", "9" * 50, "\x1b[31m", "\x1b]0;pwned\x07", "a\nb", "a\rb", "\t", "\u202eevil", "\u2028",
               "é", "名字", "🙂", "[1, 2]", "{a: 1}", "&a [1]", "*a", "!!python/object:os.system", "%YAML 1.1",
               "'", '"', "#", "- x", "a,b", "a, a", "1,1", "2,1", "0,0", "-1,2"]

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
odd_floats = st.one_of(
    st.sampled_from([0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, math.inf, -math.inf, math.nan, 0.5, 1.0, 2.0,
                     1e-9, 1e-6, 1e-3, 0.999999, 1.000001]),
    st.floats(allow_nan=True, allow_infinity=True),
)
odd_ints = st.one_of(st.sampled_from([0, 1, 2, 3, -1, 10, 16, 17, 30, 1000, 1001, 10**6, 10**9, 2**63, -(2**63)]),
                     st.integers(), st.integers(min_value=-(10**40), max_value=10**40))
odd_text = st.one_of(st.sampled_from(TRICKY_TEXT),
                     st.text(max_size=30),
                     st.text(alphabet=st.characters(codec="utf-8"), max_size=12))


def no_nul(s: str) -> str:
    """Command-line arguments cannot hold NUL bytes (the OS refuses them)."""
    return s.replace("\x00", "")


scalars = st.one_of(st.none(), st.booleans(), odd_ints, odd_floats, odd_text)
yaml_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(odd_text, inner, max_size=4)),
                           max_leaves=12)


@st.composite
def number_text(draw: st.DrawFn) -> str:
    """Text of a number, possibly out of range, non-finite or malformed."""
    return draw(st.one_of(odd_floats.map(repr), odd_ints.map(str), st.sampled_from(TRICKY_TEXT),
                          finite_floats.map(lambda x: f"{x:.3g}")))
