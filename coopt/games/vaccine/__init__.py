"""Vaccine-sharing game (Westerink-Duijzer, Schlicher, Musegaas 2019)."""
