"""Approximate nearest-neighbour candidate retrieval with FAISS against exact top-k (chapter 14, "Caching and approximate retrieval").

A factor model scores user ``u`` and item ``i`` by ``x_u . y_i``; exact top-k
multiplies every user by every item (``n_users x n_items`` work). An ANN index
over the item vectors finds most of the top-k by visiting a small part of the
catalogue: HNSW (a navigable small-world graph; ``ef_search`` trades recall
for speed) or IVF (k-means cells; ``nprobe`` cells searched). Both here use the
inner product, so they return the same ranking as the model when exact.
Judge them by the recall of the exact top-k (:func:`recall_of_exact`),
query latency and index memory. Requires ``faiss-cpu``.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from ..validation import check_choice, check_int


def exact_topk(queries: np.ndarray, items: np.ndarray, k: int, batch_size: int = 4096) -> np.ndarray:
    """Indices of the ``k`` highest inner products of each query with ``items`` (exact, batched)."""
    k = check_int("k", k, maximum=len(items))
    Y = torch.as_tensor(np.ascontiguousarray(items, dtype=np.float32))
    out = []
    for s in range(0, len(queries), batch_size):
        q = torch.as_tensor(np.ascontiguousarray(queries[s:s + batch_size], dtype=np.float32))
        out.append(torch.topk(q @ Y.T, k, dim=1).indices.numpy())
    return np.concatenate(out) if out else np.zeros((0, k), dtype=np.int64)


def recall_of_exact(approx: np.ndarray, exact: np.ndarray) -> float:
    """Mean fraction of each row of ``exact`` (the true top-k) that ``approx`` also returned."""
    approx, exact = np.asarray(approx), np.asarray(exact)
    if approx.shape[0] != exact.shape[0]:
        raise ValueError(f"approx has {approx.shape[0]} rows, exact {exact.shape[0]}")
    hits = [len(np.intersect1d(a[a >= 0], e)) / len(e) for a, e in zip(approx, exact)]
    return float(np.mean(hits)) if hits else float("nan")


class ANNIndex:
    """A FAISS inner-product index over item vectors.

    Parameters
    ----------
    kind : "hnsw", "ivf" or "flat" (exact, for reference).
    M, ef_construction, ef_search : HNSW graph degree and search breadths.
    n_lists, n_probe : IVF cells and cells visited per query (``n_lists=None``: ``4 sqrt(n_items)``).
    threads : FAISS threads (``None`` leaves FAISS's setting).
    """

    def __init__(self, kind: str = "hnsw", M: int = 32, ef_construction: int = 80, ef_search: int = 64,
                 n_lists: int | None = None, n_probe: int = 8, threads: int | None = None, seed: int = 0):
        check_choice("kind", kind, ("hnsw", "ivf", "flat"))
        for name in ("M", "ef_construction", "ef_search", "n_probe"):
            check_int(name, locals()[name])
        check_int("n_lists", n_lists, allow_none=True)
        check_int("threads", threads, allow_none=True)
        self.kind, self.M, self.ef_construction, self.ef_search = kind, M, ef_construction, ef_search
        self.n_lists, self.n_probe, self.threads, self.seed = n_lists, n_probe, threads, seed

    def fit(self, items: np.ndarray) -> "ANNIndex":
        import faiss

        if self.threads is not None:
            faiss.omp_set_num_threads(self.threads)
        x = np.ascontiguousarray(items, dtype=np.float32)
        d = x.shape[1]
        t0 = time.perf_counter()
        if self.kind == "hnsw":
            index = faiss.IndexHNSWFlat(d, self.M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
            index.hnsw.efSearch = self.ef_search
        elif self.kind == "ivf":
            n_lists = self.n_lists or max(1, int(4 * np.sqrt(len(x))))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, n_lists, faiss.METRIC_INNER_PRODUCT)
            index.cp.seed = self.seed
            index.train(x)
            index.nprobe = self.n_probe
        else:
            index = faiss.IndexFlatIP(d)
        index.add(x)
        self.build_seconds_ = time.perf_counter() - t0
        self.index_ = index
        self.memory_bytes_ = int(len(faiss.serialize_index(index)))
        return self

    def set_search(self, ef_search: int | None = None, n_probe: int | None = None) -> "ANNIndex":
        """Change the search breadth of the built index without rebuilding it (HNSW ``ef_search``, IVF ``n_probe``)."""
        if not hasattr(self, "index_"):
            raise RuntimeError("ANNIndex is not built; call fit(items) first")
        if ef_search is not None:
            self.ef_search = check_int("ef_search", ef_search)
            if self.kind == "hnsw":
                self.index_.hnsw.efSearch = self.ef_search
        if n_probe is not None:
            self.n_probe = check_int("n_probe", n_probe)
            if self.kind == "ivf":
                self.index_.nprobe = self.n_probe
        return self

    def search(self, queries: np.ndarray, k: int) -> np.ndarray:
        """Indices of the (approximate) top-``k`` items per query; -1 where fewer were found."""
        if not hasattr(self, "index_"):
            raise RuntimeError("ANNIndex is not built; call fit(items) first")
        check_int("k", k)
        _, idx = self.index_.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return idx
