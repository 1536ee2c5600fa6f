"""Linear programs given as arrays: the model type of the ``matrix`` layer (solved by :mod:`coopt.solve.matrix`).

    lp = MatrixLP(c, A, row_lo, row_hi, col_lo, col_hi, sense="min", names=("x1", "x2"))
    res = coopt.solve.solve(lp, "highs", "LP")           # layer "matrix"
    lp.add_rows(A_new, lo_new, hi_new)                     # constraint generation ...
    res = coopt.solve.solve(lp, "highs", "LP")           # ... re-solved warm (dual simplex, kept basis)

This module sits with the formulation base, beside Pyomo's ``ConcreteModel``, CVXPY's ``Problem`` and
:class:`coopt.formulations.native.NativeModel`: formulations build a :class:`MatrixLP`, the solve layer
solves it. After a solve the solver keeps its live model in ``_highs``; the edit methods below update
it in place so that the next solve starts from the previous basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from coopt.errors import InputError

INF = float("inf")


def _as_vec(x: Any, m: int, fill: float, name: str) -> np.ndarray:
    if x is None:
        return np.full(m, fill, dtype=np.float64)
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(m, float(a))
    if a.shape != (m,):
        raise InputError(f"MatrixLP: {name} has shape {a.shape}, expected ({m},)")
    if np.isnan(a).any():
        raise InputError(f"MatrixLP: {name} contains NaN")
    return a


class CSR:
    """Rows of a sparse matrix as three arrays (CSR), without scipy's per-object overhead.

    ``CSR.of(A, ncol)`` accepts a scipy sparse matrix, a dense 2-D array or a CSR; ``A @ x`` and
    ``A^T y`` are one gather and one ``bincount`` each.
    """

    __slots__ = ("indptr", "indices", "data", "ncol")

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, ncol: int) -> None:
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int32)
        self.data = np.asarray(data, dtype=np.float64)
        self.ncol = int(ncol)

    @classmethod
    def of(cls, A: Any, ncol: int | None = None) -> CSR:
        """A CSR copy of ``A`` (``ncol`` is kept for the signature; the shape comes from ``A``)."""
        if isinstance(A, CSR):
            return A
        if sp.issparse(A):
            M = A.tocsr()
            M.sort_indices()
            return cls(M.indptr, M.indices, M.data.astype(np.float64), M.shape[1])
        D = np.asarray(A, dtype=np.float64)
        if D.ndim != 2:
            raise InputError(f"MatrixLP: A must be 2-D, got shape {D.shape}")
        r, c = np.nonzero(D)
        indptr = np.zeros(D.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=D.shape[0]), out=indptr[1:])
        return cls(indptr, c, D[r, c], D.shape[1])

    @property
    def nrow(self) -> int:
        return self.indptr.size - 1

    @property
    def nnz(self) -> int:
        return int(self.data.size)

    def row_of_entries(self) -> np.ndarray:
        return np.repeat(np.arange(self.nrow), np.diff(self.indptr))

    def matvec(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.row_of_entries(), weights=self.data * x[self.indices], minlength=self.nrow)

    def rmatvec(self, y: np.ndarray) -> np.ndarray:
        return np.bincount(self.indices, weights=self.data * y[self.row_of_entries()], minlength=self.ncol)

    def extend(self, other: CSR) -> None:
        self.indptr = np.concatenate([self.indptr, other.indptr[1:] + self.indptr[-1]])
        self.indices = np.concatenate([self.indices, other.indices])
        self.data = np.concatenate([self.data, other.data])

    def to_scipy(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(self.nrow, self.ncol))


@dataclass
class MatrixLP:
    """min (or max) c^T x  s.t.  row_lo <= A x <= row_hi,  col_lo <= x <= col_hi  (A sparse).

    ``A``: a scipy sparse matrix, a dense array or a :class:`CSR`. ``names``: one name per column
    (values are reported by name); ``row_names`` optional. Bounds may be +-inf; default columns free,
    rows ``>= row_lo``. After a solve the ``Highs`` object is kept: :meth:`add_rows`,
    :meth:`set_row_bounds`, :meth:`set_costs` and :meth:`set_coeffs` update it in place and the next
    solve starts from the previous basis.
    """

    c: np.ndarray
    A: Any
    row_lo: np.ndarray | None = None
    row_hi: np.ndarray | None = None
    col_lo: np.ndarray | None = None
    col_hi: np.ndarray | None = None
    sense: str = "min"
    names: Sequence[str] | None = None
    row_names: Sequence[str] | None = None
    name: str = "matrix LP"
    _highs: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.c = _as_vec(self.c, np.asarray(self.c).size, 0.0, "c")
        ncol = self.c.shape[0]
        A = CSR.of(self.A, ncol)
        if A.ncol != ncol:
            raise InputError(f"MatrixLP: A has {A.ncol} columns, c has {ncol}")
        if not np.all(np.isfinite(A.data)):
            raise InputError("MatrixLP: A contains a non-finite coefficient")
        m = A.nrow
        self.A = A
        self.row_lo = _as_vec(self.row_lo, m, -INF, "row_lo")
        self.row_hi = _as_vec(self.row_hi, m, INF, "row_hi")
        self.col_lo = _as_vec(self.col_lo, ncol, -INF, "col_lo")
        self.col_hi = _as_vec(self.col_hi, ncol, INF, "col_hi")
        if self.sense not in ("min", "max"):
            raise InputError(f"MatrixLP: sense = {self.sense!r}: must be 'min' or 'max'")
        self.names = tuple(self.names) if self.names is not None else tuple(f"x{j}" for j in range(ncol))
        if len(self.names) != ncol:
            raise InputError(f"MatrixLP: {len(self.names)} names for {ncol} columns")
        if self.row_names is not None:
            self.row_names = list(self.row_names)
            if len(self.row_names) != m:
                raise InputError(f"MatrixLP: {len(self.row_names)} row names for {m} rows")
        if not np.all(np.isfinite(self.c)):
            raise InputError("MatrixLP: c contains a non-finite cost")

    # ------------------------------------------------------------------ shape and edits
    @property
    def num_col(self) -> int:
        return int(self.c.shape[0])

    @property
    def num_row(self) -> int:
        return int(self.row_lo.shape[0])

    def matrix(self) -> sp.csr_matrix:
        """A as a scipy CSR matrix."""
        return self.A.to_scipy()

    def add_rows(self, A_rows: Any, lo: Any, hi: Any, names: Sequence[str] | None = None) -> None:
        """Append rows lo <= A_rows x <= hi (kept in the live HiGHS model: warm re-solve)."""
        B = CSR.of(A_rows, self.num_col)
        if B.ncol != self.num_col:
            raise InputError(f"MatrixLP.add_rows: {B.ncol} columns, the LP has {self.num_col}")
        k = B.nrow
        lo, hi = _as_vec(lo, k, -INF, "lo"), _as_vec(hi, k, INF, "hi")
        if self.row_names is not None:
            self.row_names.extend(names if names is not None else [f"r{self.num_row + i}" for i in range(k)])
        self.row_lo = np.concatenate([self.row_lo, lo])
        self.row_hi = np.concatenate([self.row_hi, hi])
        self.A.extend(B)
        if self._highs is not None and k:
            self._highs.addRows(k, lo, hi, B.nnz, B.indptr[:-1].astype(np.int32), B.indices, B.data)

    def set_row_bounds(self, rows: Sequence[int] | np.ndarray, lo: Any, hi: Any) -> None:
        """Change the bounds of some rows (kept in the live HiGHS model)."""
        idx = np.asarray(rows, dtype=np.int32)
        lo, hi = _as_vec(lo, idx.size, -INF, "lo"), _as_vec(hi, idx.size, INF, "hi")
        self.row_lo[idx] = lo
        self.row_hi[idx] = hi
        if self._highs is not None and idx.size:
            self._highs.changeRowsBounds(idx.size, idx, lo, hi)

    def set_col_bounds(self, cols: Sequence[int] | np.ndarray, lo: Any, hi: Any) -> None:
        idx = np.asarray(cols, dtype=np.int32)
        lo, hi = _as_vec(lo, idx.size, -INF, "lo"), _as_vec(hi, idx.size, INF, "hi")
        self.col_lo[idx] = lo
        self.col_hi[idx] = hi
        if self._highs is not None and idx.size:
            self._highs.changeColsBounds(idx.size, idx, lo, hi)

    def set_costs(self, cols: Sequence[int] | np.ndarray, vals: Any) -> None:
        """Change objective coefficients c[cols] = vals (kept in the live HiGHS model)."""
        idx = np.asarray(cols, dtype=np.int32)
        vals = _as_vec(vals, idx.size, 0.0, "costs")
        self.c[idx] = vals
        if self._highs is not None and idx.size:
            self._highs.changeColsCost(idx.size, idx, vals if self.sense == "min" else -vals)

    def set_coeffs(self, rows: Sequence[int] | np.ndarray, cols: Sequence[int] | np.ndarray, vals: Any) -> None:
        """Change coefficients A[rows[k], cols[k]] = vals[k] (kept in the live HiGHS model)."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        vals = np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape)
        A = self.A
        missing = False
        for r, cc, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
            lo, hi = A.indptr[r], A.indptr[r + 1]
            hit = np.flatnonzero(A.indices[lo:hi] == cc)
            if hit.size:
                A.data[lo + hit[0]] = v
            else:
                missing = True
        if missing:  # a new nonzero: rebuild through scipy (rare)
            M = A.to_scipy().tolil()
            for r, cc, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
                M[r, cc] = v
            self.A = CSR.of(M.tocsr(), self.num_col)
        if self._highs is not None:
            for r, cc, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
                self._highs.changeCoeff(int(r), int(cc), float(v))

    def reset(self) -> None:
        """Forget the live HiGHS model (the next solve starts cold)."""
        self._highs = None
