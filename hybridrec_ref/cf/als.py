"""Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008; chapter 3, ``ch-cf``, "Matrix factorisation").

Every cell of the user-item matrix gets a preference ``p_ui`` (1 if ``u``
interacted with ``i``, else 0) and a confidence ``c_ui = 1 + alpha * r_ui``
(``r_ui`` = 1, or the rating with ``values="ratings"``; unobserved cells get
``c = 1``). ALS minimises

    sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + reg (sum_u |x_u|^2 + sum_i |y_i|^2)

by alternating closed-form solves. With item factors ``Y`` fixed, each user's
factors are

    x_u = (Y^T Y + Y_u^T (C_u - I) Y_u + reg I)^{-1} Y_u^T c_u

where ``Y_u`` holds the factors of the items ``u`` interacted with: the big
``Y^T Y`` is shared by all users and only the observed items add a
correction. Here the per-user systems are built for a batch of users at
once (their items padded into one tensor, one batched matrix product) and
solved with one batched Cholesky factorisation; then the same for items.
Batches are capped in padded cells, so memory stays bounded however popular
the most popular item is. ``solver="cg"`` instead takes a few
conjugate-gradient steps on all rows at once, with sparse products over the
observed cells only (chapter 14, "Speed and memory of ALS").
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..validation import check_choice, check_int, check_nonnegative, check_positive


_MAX_CELLS = 1 << 18   # padded cells per batch of the exact solver: bounds its memory (~64 MB at 64 factors)


def _padded(csr: sp.csr_matrix, rows: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Column indices and values of ``rows`` of ``csr``, padded to the longest of them (value 0 = padding)."""
    counts = np.diff(csr.indptr)[rows]
    width = max(int(counts.max()), 1) if len(rows) else 1
    starts = csr.indptr[rows]
    pos = np.arange(width)[None, :]
    valid = pos < counts[:, None]
    flat = np.where(valid, starts[:, None] + pos, 0)
    idx = np.where(valid, csr.indices[flat] if csr.nnz else 0, 0)
    val = np.where(valid, csr.data[flat] if csr.nnz else 0, 0)
    return torch.as_tensor(idx, device=device), torch.as_tensor(val, dtype=torch.float32, device=device)


def _length_batches(counts: np.ndarray, batch_size: int, max_cells: int = _MAX_CELLS):
    """Rows sorted by length, cut into batches of at most ``batch_size`` rows and ``max_cells`` padded cells.

    Sorting makes rows in a batch similar in length (little padding); the cell cap keeps a batch of the
    longest rows (the most popular items) from padding tens of thousands of entries per row.
    """
    order = np.argsort(counts, kind="stable")
    s, n = 0, len(order)
    while s < n:
        e = min(s + batch_size, n)
        width = max(int(counts[order[e - 1]]), 1)
        if (e - s) * width > max_cells:        # too many cells: as many rows as fit (at least one)
            e = s + max(1, max_cells // width)
            # the widest row of the shorter batch is no wider, so the cap still holds
        yield order[s:e]
        s = e


def weighted_solve(C: sp.csr_matrix, Y: torch.Tensor, reg: float, batch_size: int = 256) -> torch.Tensor:
    """Solve every row's weighted ridge problem of implicit ALS exactly (batched Cholesky).

    ``C`` holds ``c - 1 = alpha * r`` for the observed cells of each row (a
    row = a user when ``Y`` are item factors, and vice versa). Returns the new
    factors, shape ``(C.shape[0], f)``. Memory per batch is bounded by
    ``batch_size`` rows and a fixed number of padded cells, whatever the longest row.
    """
    f = Y.shape[1]
    YtY = Y.T @ Y + reg * torch.eye(f, device=Y.device, dtype=Y.dtype)
    out = torch.zeros(C.shape[0], f, device=Y.device, dtype=Y.dtype)
    for rows in _length_batches(np.diff(C.indptr), batch_size):
        idx, w = _padded(C, rows, Y.device)               # (b, L) items and alpha * r (0 on padding)
        Yb = Y[idx]                                       # (b, L, f)
        A = YtY + Yb.transpose(1, 2) @ (Yb * w[..., None])
        c = (w + 1) * (w > 0)                             # confidence on observed cells, 0 on padding
        rhs = (Yb * c[..., None]).sum(1)                  # sum_i c_ui y_i
        L, info = torch.linalg.cholesky_ex(A)
        if int(info.max()) > 0:                           # fall back where not positive definite
            sol = torch.linalg.solve(A, rhs)
        else:
            sol = torch.cholesky_solve(rhs[..., None], L)[..., 0]
        out[torch.as_tensor(rows, device=Y.device)] = sol
    return out


class _SparseRows:
    """A scipy CSR matrix as torch CSR tensors on ``device``: the pattern (all ones) and the weights."""

    def __init__(self, C: sp.csr_matrix, device, dtype=torch.float32):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # torch: "sparse CSR support is in beta"
            self.crow = torch.as_tensor(C.indptr.astype(np.int64), device=device)
            self.col = torch.as_tensor(C.indices.astype(np.int64), device=device)
            self.w = torch.as_tensor(C.data, dtype=dtype, device=device)
            self.shape = C.shape
            self.pattern = self.csr(torch.ones_like(self.w))
            self.conf = self.csr(self.w + 1)                 # c_ui on observed cells: right-hand sides

    def csr(self, values: torch.Tensor) -> torch.Tensor:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.sparse_csr_tensor(self.crow, self.col, values, size=self.shape)

    def gram_times(self, V: torch.Tensor, Y: torch.Tensor, YtY: torch.Tensor) -> torch.Tensor:
        """Row u of the result is ``A_u v_u`` with ``A_u = YtY + Y^T (C_u - I) Y``; ``A_u`` is never formed."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = torch.sparse.sampled_addmm(self.pattern, V, Y.T, beta=0.0).values()   # y_i . v_u on observed cells
            return V @ YtY + self.csr(d * self.w) @ Y


def cg_solve(C: sp.csr_matrix, Y: torch.Tensor, X0: torch.Tensor, reg: float, cg_steps: int = 3,
             rows: "_SparseRows | None" = None) -> torch.Tensor:
    """A few conjugate-gradient steps on every row's system at once, warm-started at ``X0`` (Takacs et al. 2011).

    The approximate solver implicit uses by default: each step costs one sampled product and one sparse
    product over the observed cells (no ``f x f`` system per row), memory linear in the interactions.
    """
    rows = rows or _SparseRows(C, Y.device, Y.dtype)
    f = Y.shape[1]
    YtY = Y.T @ Y + reg * torch.eye(f, device=Y.device, dtype=Y.dtype)
    X = X0.clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = rows.conf @ Y
    r = b - rows.gram_times(X, Y, YtY)
    p = r.clone()
    rs = (r * r).sum(1)
    for _ in range(cg_steps):
        Ap = rows.gram_times(p, Y, YtY)
        pAp = (p * Ap).sum(1)
        step = torch.where(pAp > 0, rs / pAp.clamp_min(1e-30), torch.zeros_like(rs))
        X += step[:, None] * p
        r -= step[:, None] * Ap
        rs_new = (r * r).sum(1)
        beta = torch.where(rs > 0, rs_new / rs.clamp_min(1e-30), torch.zeros_like(rs))
        p = r + beta[:, None] * p
        rs = rs_new
    return X


class ALS(Recommender):
    """Implicit-feedback matrix factorisation by weighted alternating least squares.

    Parameters
    ----------
    n_factors : latent dimension.
    n_iters : alternations (each solves all users, then all items).
    reg : L2 strength.
    alpha : confidence slope, ``c_ui = 1 + alpha * r_ui``.
    values : "ones" (binary interactions, default) or "ratings" (confidence grows with the rating).
    init_std : standard deviation of the normal initialisation.
    batch_size : rows solved at once by the exact solver.
    solver : ``"exact"`` (batched Cholesky) or ``"cg"`` (``cg_steps`` conjugate-gradient
        steps per half-iteration, warm-started: implicit's default, faster, memory linear in the
        interactions; chapter 14, ``ch-scale``). Chapter 3 uses the exact solver.
    cg_steps : conjugate-gradient steps per half-iteration (``solver="cg"`` only).
    compute_loss : compute the weighted training loss after each iteration (for plots; costs a pass
        over the interactions, so off by default).
    seed, device, verbose : seeding, ``"auto"``/``"cpu"``/``"cuda"``, tqdm progress bar.

    After ``fit``, ``history_`` holds the seconds per iteration and, with ``compute_loss``, the loss.
    """

    def __init__(self, n_factors: int = 64, n_iters: int = 15, reg: float = 0.01, alpha: float = 10.0,
                 values: str = "ones", init_std: float = 0.01, batch_size: int = 256, solver: str = "exact",
                 cg_steps: int = 3, compute_loss: bool = False, seed: int = 42, device: str = "auto",
                 verbose: bool = False):
        self.n_factors, self.n_iters = check_int("n_factors", n_factors), check_int("n_iters", n_iters)
        self.reg, self.alpha = check_nonnegative("reg", reg), check_positive("alpha", alpha)
        self.values = check_choice("values", values, ("ones", "ratings"))
        self.init_std, self.batch_size = check_nonnegative("init_std", init_std), check_int("batch_size", batch_size)
        self.solver = check_choice("solver", solver, ("exact", "cg"))
        self.cg_steps, self.compute_loss = check_int("cg_steps", cg_steps), bool(compute_loss)
        self.seed, self.device, self.verbose = seed, device, verbose

    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        R = train.to_csr(self.values)
        Cu = (R * float(self.alpha)).astype(np.float32).tocsr()   # c - 1 for observed cells, per user
        Ci = Cu.T.tocsr()
        Ci.sort_indices()
        del R
        f, reg = int(self.n_factors), float(self.reg)
        X = (torch.randn(train.n_users, f, generator=gen) * float(self.init_std)).to(dev)
        Y = (torch.randn(train.n_items, f, generator=gen) * float(self.init_std)).to(dev)
        if self.solver == "cg":
            Su, Si = _SparseRows(Cu, dev), _SparseRows(Ci, dev)
        history = []
        for it in tqdm(range(self.n_iters), disable=not self.verbose, desc="ALS iterations"):
            t0 = time.perf_counter()
            if self.solver == "cg":
                X = cg_solve(Cu, Y, X, reg, self.cg_steps, Su)
                Y = cg_solve(Ci, X, Y, reg, self.cg_steps, Si)
            else:
                X = weighted_solve(Cu, Y, reg, self.batch_size)
                Y = weighted_solve(Ci, X, reg, self.batch_size)
            row = {"iteration": it + 1, "seconds": time.perf_counter() - t0}
            if self.compute_loss:
                row["loss"] = self._loss(Cu, X, Y)
            history.append(row)
        self.user_factors_, self.item_factors_ = X, Y
        self.history_ = pd.DataFrame(history).set_index("iteration")

    def _loss(self, Cu: sp.csr_matrix, X: torch.Tensor, Y: torch.Tensor) -> float:
        """Weighted squared error plus penalty, per observed cell (cheap: unobserved cells via Gram matrices)."""
        coo = Cu.tocoo()
        u = torch.as_tensor(coo.row, device=X.device)
        i = torch.as_tensor(coo.col, device=X.device)
        w = torch.as_tensor(coo.data, dtype=X.dtype, device=X.device)
        pred = (X[u] * Y[i]).sum(1)
        # sum over all cells of x.y^2 (c=1) = trace(X^T X Y^T Y); correct the observed cells
        all_sq = torch.sum((X.T @ X) * (Y.T @ Y))
        obs = ((1 + w) * (1 - pred) ** 2 - pred ** 2).sum()
        pen = self.reg * (X.pow(2).sum() + Y.pow(2).sum())
        return float((all_sq + obs + pen) / max(len(w), 1))

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.user_factors_[torch.as_tensor(users, device=self.device_)] @ self.item_factors_.T
