"""The privacy-coalition paper's examples (Lemmas 3/4, Lemma 5) and Figure 1 as reproducible experiments."""
