"""Similarity between the columns of a rating or interaction matrix (chapter 3, ``ch-cf``).

Used by the neighbourhood models of :mod:`.knn` (user-kNN compares the
columns of the item x user matrix, item-kNN those of the user x item matrix):

- :func:`corated_similarity`: cosine or Pearson over *co-rated* entries only,
  exactly as Surprise computes them for rating prediction, with ``min_support``
  and shrinkage ``(n - 1) / (n - 1 + shrinkage)`` by the number ``n`` of co-ratings;
- :func:`binary_similarity`: cosine or Pearson (the phi coefficient) between
  full binary columns, for implicit feedback, and :func:`binary_neighbours`, the
  same similarity computed block by block, keeping each column's ``k`` nearest.

Both use sparse matrix products (:func:`gram`) and return dense torch tensors.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


def _binary_rows(X, XT, rows: np.ndarray, counts: np.ndarray, kind: str, shrinkage: float,
                 device) -> torch.Tensor:
    """Rows ``rows`` (contiguous) of the column-by-column binary similarity of sparse ``X`` (``XT`` its
    transpose, CSR), diagonal zeroed: ``(len(rows), n)``."""
    co = torch.as_tensor((XT[rows[0]:rows[-1] + 1] @ X).toarray(), device=device)
    c = torch.as_tensor(counts, device=device)
    if kind == "cosine":
        norms = c.sqrt()
        num, den = co, norms[rows][:, None] * norms[None, :]
    else:
        n = X.shape[0]
        m = c / n                    # binary columns: the mean is the count over n
        num = co / n - m[rows][:, None] * m[None, :]
        sd = (m * (1 - m)).clamp_min(0).sqrt()
        den = sd[rows][:, None] * sd[None, :]
    sim = torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(den))
    if shrinkage > 0:
        sim = sim * (co - 1).clamp_min(0) / ((co - 1).clamp_min(0) + shrinkage)
    sim[torch.arange(len(rows), device=device), torch.as_tensor(rows, device=device)] = 0.0
    return sim


def _as_binary_csr(X):
    return sp.csr_matrix(X, dtype=np.float64)


def binary_similarity(X, kind: str = "cosine", shrinkage: float = 0.0, device=None) -> torch.Tensor:
    """Cosine or Pearson (phi) similarity between the full binary columns of ``X``; diagonal zeroed.

    ``X`` is a torch tensor or a scipy sparse matrix (sparse product, result on ``device``).
    Dense ``(n, n)``: fine for inspecting neighbours; :func:`binary_neighbours` keeps only the top k.
    """
    if kind not in SIMILARITIES:
        raise ValueError(f"similarity must be one of {SIMILARITIES}, got {kind!r}")
    if torch.is_tensor(X):
        device, X = X.device, X.cpu().numpy()
    X = _as_binary_csr(X)
    counts = np.asarray(X.sum(0)).ravel()
    return _binary_rows(X, X.T.tocsr(), np.arange(X.shape[1]), counts, kind, shrinkage, device)


def binary_neighbours(X, k: int, kind: str = "cosine", shrinkage: float = 0.0, device=None,
                      block_bytes: int = 2**21, threads: int | None = None) -> sp.csr_matrix:
    """Each column's ``k`` most similar other columns of binary ``X``, as a sparse ``(n, n)`` float32 matrix.

    Row ``e`` holds the positive similarities of ``e``'s neighbours (at most ``k``; ties at the k-th
    value are broken as ``torch.topk`` breaks them, so this equals a top-k of the dense
    :func:`binary_similarity`, which a test checks). The similarity is computed in blocks
    of rows (about ``block_bytes`` of float64 each), so memory is linear in the number of columns plus
    the ``n k`` neighbours kept: the ``n x n`` matrix never exists. Non-positive similarities are never
    neighbours (they would add nothing to a sum of similarities). Blocks run on ``threads`` threads
    (default: torch's thread count; scipy's sparse product releases the GIL), as ``implicit`` does.
    """
    if kind not in SIMILARITIES:
        raise ValueError(f"similarity must be one of {SIMILARITIES}, got {kind!r}")
    X = _as_binary_csr(X)
    XT = X.T.tocsr()
    n = X.shape[1]
    counts = np.asarray(X.sum(0)).ravel()
    k = max(1, min(k, n - 1))
    step = max(1, block_bytes // (8 * max(n, 1)))

    def block(start: int):
        rows = np.arange(start, min(start + step, n))
        top = torch.topk(_binary_rows(X, XT, rows, counts, kind, shrinkage, device), k, dim=1)
        keep = top.values > 0
        r, c = keep.nonzero(as_tuple=True)
        return r.cpu().numpy() + start, top.indices[r, c].cpu().numpy(), top.values[r, c].float().cpu().numpy()

    with ThreadPoolExecutor(threads or torch.get_num_threads()) as pool:
        rows_out, cols_out, vals_out = zip(*pool.map(block, range(0, n, step)))
    return sp.csr_matrix((np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))),
                         shape=(n, n), dtype=np.float32)
