"""Game layer: solution concepts built from many solves (equilibria, v(S), core)."""
