"""Beyond-accuracy measures of a set of top-k lists (chapters 1 and 9).

- :func:`catalogue_coverage`: share of the catalogue that appears in at
  least one list.
- :func:`intra_list_diversity`: per list, the mean pairwise cosine
  *distance* ``1 - cos(v_i, v_j)`` between its items' vectors (e.g. genre
  one-hots or text embeddings).
- :func:`novelty`: per list, the mean self-information ``-log2 p(i)`` of its
  items, with ``p(i)`` = share of training users who interacted with ``i``
  (items never seen in training get ``p = 1 / (n_users + 1)``, i.e. maximal
  novelty, rather than infinity).
"""

from __future__ import annotations

import numpy as np

from ..data.interactions import Interactions
from ..validation import check_int


def _check_topk(topk, n_items: int | None = None) -> np.ndarray:
    topk = np.asarray(topk)
    if topk.ndim != 2 or (topk.size and topk.dtype.kind not in "iu"):
        raise ValueError(f"topk must be a 2-D (users, k) array of item indices, got shape {topk.shape}, "
                         f"dtype {topk.dtype}")
    if topk.size and (topk.min() < 0 or (n_items is not None and topk.max() >= n_items)):
        raise ValueError(f"item indices in topk must lie in [0, {n_items}), got [{topk.min()}, {topk.max()}]")
    return topk


def catalogue_coverage(topk: np.ndarray, n_items: int) -> float:
    """Fraction of the ``n_items`` items recommended to at least one user."""
    n_items = check_int("n_items", n_items)
    return len(np.unique(_check_topk(topk, n_items))) / n_items


def intra_list_diversity(topk: np.ndarray, item_vectors: np.ndarray) -> np.ndarray:
    """Mean pairwise cosine distance within each list (length ``n_users``)."""
    v = np.asarray(item_vectors, dtype=np.float64)
    if v.ndim != 2:
        raise ValueError(f"item_vectors must be a 2-D (n_items, dim) matrix, got shape {v.shape}")
    topk = _check_topk(topk, len(v))
    k = topk.shape[1]
    if k < 2:
        raise ValueError("intra-list diversity needs lists of at least 2 items")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    e = v[topk]  # (n, k, d)
    sim = np.einsum("nkd,njd->nkj", e, e)
    off_diagonal = sim.sum((1, 2)) - np.einsum("nkk->n", sim)
    return 1.0 - off_diagonal / (k * (k - 1))


def item_self_information(train: Interactions) -> np.ndarray:
    """``-log2 p(i)`` per item from the share of training users who interacted with it."""
    users_per_item = np.asarray((train.to_csr("ones") > 0).sum(0)).ravel()
    p = np.where(users_per_item > 0, users_per_item / train.n_users, 1.0 / (train.n_users + 1))
    return -np.log2(p)


def novelty(topk: np.ndarray, train: Interactions) -> np.ndarray:
    """Mean self-information of each list's items (length ``n_users``)."""
    return item_self_information(train)[_check_topk(topk, train.n_items)].mean(1)
