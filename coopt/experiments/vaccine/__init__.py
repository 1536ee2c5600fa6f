"""Vaccine paper's figures and tables: Examples 1-3, Figures 3-8 (see each module)."""
