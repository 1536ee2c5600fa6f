"""Formulations of the data-sharing privacy-coalition paper (Bassily, Donahue, Sen, Zhao & Ziani).

Problems (``coopt list``):

* ``dpshare.best_response`` (P1): members' eps*(S) in a fixed coalition, convex SOCP (CVXPY) / NLP (Pyomo).
* ``dpshare.design_fixed`` (P2): the planner's eps at a fixed coalition, same model with weight 2/k.
* ``dpshare.design`` (P3): the planner's coalition and eps; exact Lemma-1 scan or declarative MILP.
* ``dpshare.equilibria``, ``dpshare.best_stable``, ``dpshare.price_of_stability`` (P4-P8) live in
  :mod:`coopt.games.dpshare`; their per-size MILP is :mod:`coopt.formulations.dpshare.stability_milp`.

:mod:`coopt.formulations.dpshare.closed_form` holds every re-derived closed form
(docs/derivations/dpshare.md#fixed-coalition,
docs/derivations/dpshare.md#stability).
"""
