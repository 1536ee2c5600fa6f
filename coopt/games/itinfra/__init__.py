"""Equilibria, social optimum and incentives of the itinfra coalition game."""
