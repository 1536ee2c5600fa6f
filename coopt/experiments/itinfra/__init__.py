"""The itinfra paper's figures (1, 2, 3, 4, 5, B1, B2) as reproducible experiments."""
