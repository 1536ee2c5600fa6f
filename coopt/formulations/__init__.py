"""Formulation layer: one module per decision problem, instance -> declarative model."""
