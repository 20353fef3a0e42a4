"""Accuracy metrics, vectorised over users (chapters 1 and 9).

Ranking metrics take a top-k matrix ``topk`` (``n_users x k`` item indices,
best first) and the held-out relevance as a sparse matrix ``truth``
(``n_all_users x n_items``; nonzero = relevant, the value = graded gain).
No Python loop runs over users. Definitions, exactly:

- ``Precision@k`` = hits in the top k / k.
- ``Recall@k`` = hits in the top k / number of relevant items.
- ``F1@k`` = harmonic mean of the two (0 when both are 0).
- ``HitRate@k`` = 1 if any relevant item is in the top k.
- ``MRR@k`` = 1 / rank of the first relevant item in the top k (0 if none).
- ``MAP@k`` = sum over ranks r <= k of Precision@r x rel(r), divided by
  **min(|relevant|, k)** (so a perfect list scores 1 even when a user has
  more than k relevant items).
- ``NDCG@k`` = DCG@k / IDCG@k with log base 2 discounts ``1 / log2(r + 1)``
  for rank r = 1..k. Binary gains by default; ``graded=True`` uses the
  relevance values (e.g. ratings) as linear gains, and IDCG sorts the user's
  relevant values in decreasing order.

Users with no relevant item are the caller's to drop (their recall and NDCG
are undefined); :func:`topk_metrics` raises if it is given one.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..base import check_k

RANKING_METRICS = ("Precision", "Recall", "F1", "HitRate", "MRR", "MAP", "NDCG")


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, k + 2))


def relevance_at(topk: np.ndarray, truth: sp.csr_matrix, users: np.ndarray) -> np.ndarray:
    """Relevance value of each recommended item: ``rel[u, r] = truth[users[u], topk[u, r]]``."""
    n, k = topk.shape
    rows = np.repeat(np.asarray(users), k)
    return np.asarray(truth[rows, topk.ravel()]).reshape(n, k)


def ideal_dcg(truth: sp.csr_matrix, users: np.ndarray, k: int, graded: bool) -> np.ndarray:
    """IDCG@k per user: the user's relevant gains sorted decreasing, discounted."""
    sub = truth[users].tocsr()
    counts = np.diff(sub.indptr)
    row = np.repeat(np.arange(len(users)), counts)
    gains = sub.data.astype(np.float64) if graded else np.ones(sub.nnz)
    order = np.lexsort((-gains, row))  # within each row, largest gain first
    rank = np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], counts)
    keep = rank < k
    disc = _discounts(k)
    return np.bincount(row[order][keep], weights=gains[order][keep] * disc[rank[keep]], minlength=len(users))


def topk_metrics(topk: np.ndarray, truth: sp.csr_matrix, users, k: int | None = None,
                 graded: bool = False) -> dict[str, np.ndarray]:
    """Per-user ranking metrics at cut-off ``k`` (default: the width of ``topk``).

    Returns ``{"Precision": array, "Recall": ..., "F1", "HitRate", "MRR", "MAP", "NDCG"}``,
    each of length ``len(users)``.
    """
    topk = np.asarray(topk)
    users = np.asarray(users, dtype=np.int64)
    if topk.ndim != 2 or topk.shape[0] != len(users):
        raise ValueError(f"topk must have shape (len(users), k) = ({len(users)}, k), got {topk.shape}")
    k = check_k(topk.shape[1] if k is None else k)
    if k > topk.shape[1]:
        raise ValueError(f"k={k} exceeds the {topk.shape[1]} recommendations per user given")
    topk = topk[:, :k]
    truth = sp.csr_matrix(truth)
    if topk.size and topk.dtype.kind not in "iu":
        raise TypeError(f"topk must hold integer item indices, got dtype {topk.dtype}")
    if topk.size and (topk.min() < 0 or topk.max() >= truth.shape[1]):
        raise ValueError(f"item indices in topk must lie in [0, {truth.shape[1]}), got [{topk.min()}, {topk.max()}] "
                         "(-1 is not 'no item': numpy would read it as the last item)")
    if k > 1:
        s = np.sort(topk, axis=1)
        dup = (s[:, 1:] == s[:, :-1]).any(1)
        if dup.any():
            raise ValueError(f"{int(dup.sum())} list(s) repeat an item (first: row {int(np.argmax(dup))}); "
                             "a list must not count the same hit twice")
    n_rel = np.diff(truth.indptr)[users].astype(np.float64)
    if (n_rel == 0).any():
        raise ValueError(f"{int((n_rel == 0).sum())} user(s) have no relevant item; drop them before scoring")
    rel = relevance_at(topk, truth, users)
    hits = rel != 0
    n_hits = hits.sum(1)
    precision = n_hits / k
    recall = n_hits / n_rel
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)
    first = np.where(hits.any(1), hits.argmax(1), -1)
    mrr = np.where(first >= 0, 1.0 / np.maximum(first + 1, 1), 0.0)
    prec_at_r = np.cumsum(hits, 1) / np.arange(1, k + 1)
    ap = (prec_at_r * hits).sum(1) / np.minimum(n_rel, k)
    gains = rel if graded else hits.astype(np.float64)
    dcg = (gains * _discounts(k)).sum(1)
    ndcg = dcg / ideal_dcg(truth, users, k, graded)
    return {"Precision": precision, "Recall": recall, "F1": f1, "HitRate": hits.any(1).astype(np.float64),
            "MRR": mrr, "MAP": ap, "NDCG": ndcg}


def rmse(predicted, actual) -> float:
    """Root mean squared error between two equal-length arrays."""
    p, a = _pair(predicted, actual)
    return float(np.sqrt(np.mean((p - a) ** 2)))


def mae(predicted, actual) -> float:
    """Mean absolute error between two equal-length arrays."""
    p, a = _pair(predicted, actual)
    return float(np.mean(np.abs(p - a)))


def _pair(predicted, actual):
    p = np.asarray(predicted, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if p.shape != a.shape:
        raise ValueError(f"predicted and actual must have the same shape, got {p.shape} and {a.shape}")
    if p.size == 0:
        raise ValueError("no predictions to score")
    if np.isnan(p).any() or np.isnan(a).any():
        raise ValueError("NaN in predictions or ratings; a model must predict every pair it is asked for")
    return p, a
