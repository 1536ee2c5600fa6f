"""Linear programs of TU games as arrays: least core, nucleolus levels, balancedness checks."""
