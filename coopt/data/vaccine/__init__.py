"""Instances of the vaccine-sharing paper (Westerink-Duijzer, Schlicher & Musegaas 2019)."""

from coopt.data.vaccine.returns import SIR, Ginsberg, Logistic, ReturnFunction, make_return_function
from coopt.data.vaccine.schema import Player, Resources, VaccineInstance, check_enumerable

__all__ = ["SIR", "Ginsberg", "Logistic", "Player", "Resources", "ReturnFunction", "VaccineInstance",
           "check_enumerable", "make_return_function"]
