"""Games of the privacy-coalition paper: equilibria (P4-P6), best stable coalition (P7), PoS (P8)."""
