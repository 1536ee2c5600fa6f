"""One player-list behaviour for every family with named players (issue #9 point 8).

dpshare (names sorted by cost), vaccine (file order) and itinfra-het (file order) share
:class:`coopt.data.base.PlayerList`: the same parsing of a coalition, the same refusals, the same words.
"""

from __future__ import annotations

import pytest

import coopt
from coopt.data.base import PlayerList
from coopt.errors import InputError

INSTANCES = ["dpshare/lemma3-example", "vaccine/example-1", "itinfra/het-two-types"]


@pytest.fixture(params=INSTANCES)
def inst(request):
    return coopt.load(request.param)


def test_every_named_family_uses_the_mixin(inst):
    assert isinstance(inst, PlayerList)
    assert inst.n == len(inst.names) == len(set(inst.names))


def test_index_of_accepts_a_comma_list_or_names_and_returns_sorted_positions(inst):
    names = list(inst.names)
    a, b = names[-1], names[0]
    assert inst.index_of(f"{a}, {b}") == inst.index_of([a, b]) == [0, len(names) - 1]
    assert inst.mask_of([a, b]) == (1 << 0) | (1 << (len(names) - 1))


@pytest.mark.parametrize("members, needle", [
    ("zz", "option 'coalition': unknown player 'zz' (players: "),
    ([], "option 'coalition': empty coalition"),
    ("", "option 'coalition': empty coalition"),
    (",", "an empty name in the comma list"),
    ("{0},,{0}", "an empty name in the comma list"),
    ("{0},{0}", "option 'coalition': player '{0}' is named twice"),
    ([None], "is not a player name"),
    (3.5, "expected player names"),
])
def test_one_wording_for_every_family(inst, members, needle):
    first = inst.names[0]
    if isinstance(members, str):
        members = members.format(first)
    with pytest.raises(InputError) as e:
        inst.index_of(members)
    assert needle.format(first) in str(e.value)


def test_field_name_is_reported():
    inst = coopt.load("vaccine/example-1")
    with pytest.raises(InputError, match="option 'S': unknown player"):
        inst.index_of(["nobody"], field="S")


def test_dpshare_positions_follow_the_cost_order():
    inst = coopt.load("dpshare/lemma3-example")
    assert list(inst.c) == sorted(inst.c)
    cheapest = inst.names[0]
    assert inst.index_of([cheapest]) == [0]
