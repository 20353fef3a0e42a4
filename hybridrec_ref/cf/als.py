"""Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008; chapter 3, section 3.2).

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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything


def _padded(csr: sp.csr_matrix, rows: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Column indices and values of ``rows`` of ``csr``, padded to the longest row (value 0 = padding)."""
    counts = np.diff(csr.indptr)[rows]
    width = max(int(counts.max()), 1) if len(rows) else 1
    starts = csr.indptr[rows]
    pos = np.arange(width)[None, :]
    valid = pos < counts[:, None]
    flat = np.where(valid, starts[:, None] + pos, 0)
    idx = np.where(valid, csr.indices[flat] if csr.nnz else 0, 0)
    val = np.where(valid, csr.data[flat] if csr.nnz else 0, 0)
    return torch.as_tensor(idx, device=device), torch.as_tensor(val, dtype=torch.float32, device=device)


def weighted_solve(C: sp.csr_matrix, Y: torch.Tensor, reg: float, batch_size: int = 256) -> torch.Tensor:
    """Solve every row's weighted ridge problem of implicit ALS.

    ``C`` holds ``c - 1 = alpha * r`` for the observed cells of each row (a
    row = a user when ``Y`` are item factors, and vice versa). Returns the new
    factors, shape ``(C.shape[0], f)``.
    """
    f = Y.shape[1]
    YtY = Y.T @ Y + reg * torch.eye(f, device=Y.device, dtype=Y.dtype)
    out = torch.zeros(C.shape[0], f, device=Y.device, dtype=Y.dtype)
    order = np.argsort(np.diff(C.indptr), kind="stable")  # similar lengths per batch: little padding
    for s in range(0, C.shape[0], batch_size):
        rows = order[s:s + batch_size]
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
    batch_size : rows solved at once.
    seed, device, verbose : seeding, ``"auto"``/``"cpu"``/``"cuda"``, tqdm progress bar.

    After ``fit``, ``history_`` holds the weighted training loss per iteration.
    """

    def __init__(self, n_factors: int = 64, n_iters: int = 15, reg: float = 0.01, alpha: float = 10.0,
                 values: str = "ones", init_std: float = 0.01, batch_size: int = 256, seed: int = 42,
                 device: str = "auto", verbose: bool = False):
        for name, v in (("n_factors", n_factors), ("n_iters", n_iters), ("batch_size", batch_size)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if reg < 0 or alpha < 0 or init_std < 0:
            raise ValueError("reg, alpha and init_std must be non-negative")
        if values not in ("ones", "ratings"):
            raise ValueError(f"values must be 'ones' or 'ratings', got {values!r}")
        self.n_factors, self.n_iters, self.reg, self.alpha = int(n_factors), int(n_iters), float(reg), float(alpha)
        self.values, self.init_std, self.batch_size = values, float(init_std), int(batch_size)
        self.seed, self.device, self.verbose = seed, device, verbose

    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        R = train.to_csr(self.values)
        if self.alpha == 0:
            raise ValueError("alpha=0 gives every cell the same confidence; use alpha > 0")
        Cu = (R * self.alpha).tocsr()          # c - 1 for observed cells, per user
        Ci = Cu.T.tocsr()
        Ci.sort_indices()
        X = (torch.randn(train.n_users, self.n_factors, generator=gen) * self.init_std).to(dev)
        Y = (torch.randn(train.n_items, self.n_factors, generator=gen) * self.init_std).to(dev)
        history = []
        for it in tqdm(range(self.n_iters), disable=not self.verbose, desc="ALS iterations"):
            X = weighted_solve(Cu, Y, self.reg, self.batch_size)
            Y = weighted_solve(Ci, X, self.reg, self.batch_size)
            history.append({"iteration": it + 1, "loss": self._loss(Cu, X, Y)})
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
