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


def catalogue_coverage(topk: np.ndarray, n_items: int) -> float:
    """Fraction of the ``n_items`` items recommended to at least one user."""
    return len(np.unique(np.asarray(topk))) / n_items


def intra_list_diversity(topk: np.ndarray, item_vectors: np.ndarray) -> np.ndarray:
    """Mean pairwise cosine distance within each list (length ``n_users``)."""
    topk = np.asarray(topk)
    k = topk.shape[1]
    if k < 2:
        raise ValueError("intra-list diversity needs lists of at least 2 items")
    v = np.asarray(item_vectors, dtype=np.float64)
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
    return item_self_information(train)[np.asarray(topk)].mean(1)
