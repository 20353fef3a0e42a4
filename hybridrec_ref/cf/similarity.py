"""Similarity between the columns of a rating or interaction matrix (chapter 3, ``ch-cf``).

Used by the neighbourhood models of :mod:`.knn` (user-kNN compares the
columns of the item x user matrix, item-kNN those of the user x item matrix):

- :func:`corated_similarity`: cosine or Pearson over *co-rated* entries only,
  exactly as Surprise computes them for rating prediction, with ``min_support``
  and shrinkage ``(n - 1) / (n - 1 + shrinkage)`` by the number ``n`` of co-ratings;
- :func:`binary_similarity`: cosine or Pearson (the phi coefficient) between
  full binary columns, for implicit feedback.

Both use sparse matrix products (:func:`gram`) and return dense torch tensors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

SIMILARITIES = ("cosine", "pearson")


def gram(a, b, device=None) -> torch.Tensor:
    """``a.T @ b`` as a dense float64 tensor; sparse inputs use a sparse product (rating matrices are ~95% empty)."""
    if sp.issparse(a):
        out = (sp.csc_matrix(a, dtype=np.float64).T @ sp.csr_matrix(b, dtype=np.float64)).toarray()
        return torch.as_tensor(out, device=device)
    return a.T @ b


def corated_similarity(R, B, kind: str = "cosine", min_support: int = 1,
                       shrinkage: float = 0.0, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Similarity between the *columns* of ``R`` over co-rated rows only (Surprise's definition).

    ``R`` holds ratings (0 where unrated), ``B`` the 0/1 mask of rated cells;
    both torch tensors or both scipy sparse matrices (then the products are
    sparse and the results land on ``device``). Returns ``(sim, n_common)``,
    both dense ``(n_cols, n_cols)`` float64 tensors.
    """
    if kind not in SIMILARITIES:
        raise ValueError(f"similarity must be one of {SIMILARITIES}, got {kind!r}")
    freq = gram(B, B, device)
    prods = gram(R, R, device)
    R2 = R.multiply(R) if sp.issparse(R) else R * R
    sqi = gram(R2, B, device)   # sum over co-rated rows of r_a^2  (a = row index of the result)
    sqj = sqi.T
    if kind == "cosine":
        num, den2 = prods, sqi * sqj
    else:
        si = gram(R, B, device)  # sum over co-rated rows of r_a
        sj = si.T
        num = freq * prods - si * sj
        den2 = (freq * sqi - si * si) * (freq * sqj - sj * sj)
    den = den2.clamp_min(0).sqrt()
    sim = torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(den))
    sim = torch.where(freq >= max(min_support, 1), sim, torch.zeros_like(sim))
    if shrinkage > 0:
        sim = sim * (freq - 1).clamp_min(0) / ((freq - 1).clamp_min(0) + shrinkage)
    sim.fill_diagonal_(1.0)
    return sim, freq


def binary_similarity(X, kind: str = "cosine", shrinkage: float = 0.0, device=None) -> torch.Tensor:
    """Cosine or Pearson (phi) similarity between the full binary columns of ``X``; diagonal zeroed.

    ``X`` is a torch tensor or a scipy sparse matrix (sparse product, result on ``device``).
    """
    if kind not in SIMILARITIES:
        raise ValueError(f"similarity must be one of {SIMILARITIES}, got {kind!r}")
    co = gram(X, X, device)
    if kind == "cosine":
        norms = co.diagonal().sqrt()
        den = norms[:, None] * norms[None, :]
        num = co
    else:
        n = X.shape[0]
        m = co.diagonal() / n        # binary columns: the mean is the count over n
        cov = co / n - m[:, None] * m[None, :]
        sd = (m * (1 - m)).clamp_min(0).sqrt()
        num, den = cov, sd[:, None] * sd[None, :]
    sim = torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(den))
    if shrinkage > 0:
        sim = sim * (co - 1).clamp_min(0) / ((co - 1).clamp_min(0) + shrinkage)
    sim.fill_diagonal_(0.0)
    return sim
