"""FAISS retrieval (hybridrec_ref.perf.ann): recall of the exact top-10 on a fixed case."""

import numpy as np
import pytest

from hybridrec_ref.perf.ann import ANNIndex, exact_topk, recall_of_exact

pytest.importorskip("faiss")


def fixed_case(n_items=5000, d=32, n_queries=200, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_items, d)).astype(np.float32), rng.normal(size=(n_queries, d)).astype(np.float32)


def test_exact_topk_is_the_argsort_of_inner_products():
    items, queries = fixed_case(300, 8, 20)
    ref = np.argsort(-(queries @ items.T), axis=1, kind="stable")[:, :10]
    got = exact_topk(queries, items, 10, batch_size=7)
    assert recall_of_exact(got, ref) == 1.0


def test_recall_counts_overlap_and_ignores_missing():
    exact = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
    approx = np.array([[3, 2, 9, -1], [4, 5, 6, 7]])
    assert recall_of_exact(approx, exact) == pytest.approx((2 / 4 + 1) / 2)
    with pytest.raises(ValueError):
        recall_of_exact(approx[:1], exact)


def test_flat_is_exact_hnsw_and_ivf_recall_grows_with_search_effort():
    items, queries = fixed_case()
    exact = exact_topk(queries, items, 10)
    assert recall_of_exact(ANNIndex("flat").fit(items).search(queries, 10), exact) == 1.0
    low = recall_of_exact(ANNIndex("hnsw", ef_search=10, threads=1).fit(items).search(queries, 10), exact)
    high = recall_of_exact(ANNIndex("hnsw", ef_search=256, threads=1).fit(items).search(queries, 10), exact)
    assert low < high and high > 0.9  # fixed case: measured 0.63 / 0.99 (faiss-cpu 1.15.1)
    ivf1 = recall_of_exact(ANNIndex("ivf", n_probe=1, threads=1).fit(items).search(queries, 10), exact)
    ivf_all = recall_of_exact(ANNIndex("ivf", n_lists=16, n_probe=16, threads=1).fit(items).search(queries, 10), exact)
    assert ivf1 < 0.9 and ivf_all == 1.0  # probing every cell is exhaustive
    idx = ANNIndex("hnsw")
    with pytest.raises(RuntimeError, match="fit"):
        idx.search(queries, 10)
    with pytest.raises(ValueError, match="kind"):
        ANNIndex("lsh")


def test_set_search_changes_the_breadth_of_the_built_index_without_rebuilding():
    items, queries = fixed_case()
    exact = exact_topk(queries, items, 10)
    hnsw = ANNIndex("hnsw", ef_search=10, threads=1).fit(items)
    built = hnsw.index_
    low = recall_of_exact(hnsw.search(queries, 10), exact)
    high = recall_of_exact(hnsw.set_search(ef_search=256).search(queries, 10), exact)
    assert hnsw.index_ is built and hnsw.ef_search == 256
    assert high == recall_of_exact(ANNIndex("hnsw", ef_search=256, threads=1).fit(items).search(queries, 10), exact)
    assert low < high
    ivf = ANNIndex("ivf", n_lists=16, n_probe=1, threads=1).fit(items)
    assert recall_of_exact(ivf.set_search(n_probe=16).search(queries, 10), exact) == 1.0
    with pytest.raises(ValueError, match="n_probe"):
        ivf.set_search(n_probe=0)
    with pytest.raises(RuntimeError, match="fit"):
        ANNIndex("hnsw").set_search(ef_search=32)
