"""Evaluation core: hand-computed cases, properties (hypothesis), the protocol and the statistics."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridrec_ref.cf import MostPopular
from hybridrec_ref.data import Interactions
from hybridrec_ref.eval import (bootstrap_ci, catalogue_coverage, evaluate, intra_list_diversity, mae, novelty,
                                paired_test, rmse, topk_metrics)


def truth_matrix(rows, n_items=10, values=None):
    """Relevance matrix from a list of relevant-item lists (optionally graded)."""
    r = np.repeat(np.arange(len(rows)), [len(x) for x in rows])
    c = np.concatenate([np.asarray(x, int) for x in rows])
    v = np.ones(len(c)) if values is None else np.concatenate(values).astype(float)
    return sp.csr_matrix((v, (r, c)), shape=(len(rows), n_items))


# ------------------------------------------------------------ hand-computed
def test_hand_computed_binary_case():
    # relevant {1, 3, 7}; list [1, 2, 3, 4] at k=4: hits at ranks 1 and 3
    m = topk_metrics(np.array([[1, 2, 3, 4]]), truth_matrix([[1, 3, 7]]), [0])
    assert m["Precision"][0] == pytest.approx(2 / 4)
    assert m["Recall"][0] == pytest.approx(2 / 3)
    assert m["F1"][0] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert m["HitRate"][0] == 1
    assert m["MRR"][0] == pytest.approx(1.0)
    assert m["MAP"][0] == pytest.approx((1 / 1 + 2 / 3) / 3)  # min(|rel|=3, k=4) = 3
    dcg = 1 / np.log2(2) + 1 / np.log2(4)
    idcg = 1 / np.log2(2) + 1 / np.log2(3) + 1 / np.log2(4)
    assert m["NDCG"][0] == pytest.approx(dcg / idcg)


def test_map_is_normalised_by_min_relevant_k():
    # 5 relevant items, k = 2, both recommended are relevant: MAP@2 = 1 (not 2/5)
    m = topk_metrics(np.array([[0, 1]]), truth_matrix([[0, 1, 2, 3, 4]]), [0])
    assert m["MAP"][0] == pytest.approx(1.0)


def test_graded_ndcg_uses_gains_and_sorted_ideal():
    truth = truth_matrix([[0, 1, 2]], values=[[5, 3, 1]])
    m = topk_metrics(np.array([[2, 1]]), truth, [0], graded=True)
    dcg = 1 / np.log2(2) + 3 / np.log2(3)
    idcg = 5 / np.log2(2) + 3 / np.log2(3)
    assert m["NDCG"][0] == pytest.approx(dcg / idcg)
    first_miss = topk_metrics(np.array([[9, 0]]), truth, [0])
    assert first_miss["MRR"][0] == pytest.approx(0.5)


def test_rmse_mae_and_their_errors():
    assert rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(np.sqrt(4 / 3))
    assert mae([1, 2, 3], [1, 2, 5]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="same shape"):
        rmse([1, 2], [1])
    with pytest.raises(ValueError, match="NaN"):
        mae([np.nan], [1])


def test_topk_metric_errors():
    with pytest.raises(ValueError, match="no relevant"):
        topk_metrics(np.array([[0]]), truth_matrix([[]]), [0])
    with pytest.raises(ValueError, match="positive integer"):
        topk_metrics(np.array([[0]]), truth_matrix([[0]]), [0], k=0)
    with pytest.raises(ValueError, match="shape"):
        topk_metrics(np.array([0, 1]), truth_matrix([[0]]), [0])


# ------------------------------------------------------------- properties
@st.composite
def ranking_case(draw):
    n_users = draw(st.integers(1, 6))
    n_items = draw(st.integers(2, 15))
    k = draw(st.integers(1, n_items))
    rels = [draw(st.lists(st.integers(0, n_items - 1), min_size=1, max_size=n_items, unique=True))
            for _ in range(n_users)]
    perms = [draw(st.permutations(range(n_items))) for _ in range(n_users)]
    return n_items, k, rels, np.array(perms)[:, :k]


@settings(max_examples=80, deadline=None)
@given(ranking_case())
def test_metrics_lie_in_unit_interval(case):
    n_items, k, rels, topk = case
    m = topk_metrics(topk, truth_matrix(rels, n_items), np.arange(len(rels)))
    for name, v in m.items():
        assert np.all((v >= -1e-12) & (v <= 1 + 1e-12)), name


@settings(max_examples=80, deadline=None)
@given(ranking_case())
def test_perfect_ranking_scores_one(case):
    n_items, k, rels, _ = case
    topk = np.array([list(r) + [i for i in range(n_items) if i not in r] for r in rels])[:, :k]
    m = topk_metrics(topk, truth_matrix(rels, n_items), np.arange(len(rels)))
    for name in ("NDCG", "MAP", "MRR", "HitRate"):
        assert np.allclose(m[name], 1.0), name
    n_rel = np.array([len(r) for r in rels])
    assert np.allclose(m["Recall"], np.minimum(n_rel, k) / n_rel)


@settings(max_examples=80, deadline=None)
@given(ranking_case())
def test_reversed_ranking_is_never_better(case):
    n_items, k, rels, _ = case
    best = np.array([list(r) + [i for i in range(n_items) if i not in r] for r in rels])
    worst = best[:, ::-1]
    truth = truth_matrix(rels, n_items)
    users = np.arange(len(rels))
    good, bad = topk_metrics(best[:, :k], truth, users), topk_metrics(worst[:, :k], truth, users)
    for name in ("NDCG", "MAP", "Precision", "Recall", "MRR"):
        assert np.all(good[name] >= bad[name] - 1e-12), name


@settings(max_examples=50, deadline=None)
@given(ranking_case(), st.randoms(use_true_random=False))
def test_invariant_to_user_order(case, rnd):
    n_items, k, rels, topk = case
    truth = truth_matrix(rels, n_items)
    users = np.arange(len(rels))
    perm = np.array(rnd.sample(range(len(rels)), len(rels)))
    a = topk_metrics(topk, truth, users)
    b = topk_metrics(topk[perm], truth, users[perm])
    for name in a:
        assert np.allclose(a[name][perm], b[name])
        assert np.isclose(a[name].mean(), b[name].mean())


# --------------------------------------------------------- beyond accuracy
def test_coverage_diversity_novelty_hand_cases():
    topk = np.array([[0, 1], [0, 2]])
    assert catalogue_coverage(topk, 4) == pytest.approx(3 / 4)
    vectors = np.array([[1, 0], [1, 0], [0, 1], [1, 1]])
    assert intra_list_diversity(topk, vectors).tolist() == pytest.approx([0.0, 1.0])
    train = Interactions(np.array([0, 1, 2, 3, 0]), np.array([0, 0, 0, 0, 1]), 4, 4)
    # p(0) = 4/4 -> 0 bits, p(1) = 1/4 -> 2 bits, item 2 unseen -> p = 1/5
    assert novelty(topk, train).tolist() == pytest.approx([1.0, np.log2(5) / 2])


# ---------------------------------------------------------------- protocol
def _toy():
    # 3 users, 5 items; item 0 most popular in train
    train = Interactions(np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 2]), 3, 5)
    test = Interactions(np.array([0, 2, 2]), np.array([2, 1, 4]), 3, 5, ratings=np.array([5.0, 2.0, 4.0]))
    return train, test


def test_evaluate_excludes_training_items_and_matches_hand_values():
    train, test = _toy()
    model = MostPopular().fit(train)
    # popularity: item0=3, item1=1, item2=1, others 0; ties broken by torch.topk (stable order not assumed)
    per_user = evaluate(model, train, test, ks=(1, 2), per_user=True)
    assert list(per_user.index) == [0, 2]  # user 1 has no test interaction
    top = model.recommend([0, 2], 2)
    assert 0 not in top[0] and 1 not in top[0] and 0 not in top[1]
    table = evaluate(model, train, test, ks=(2,))
    assert set(table.metric) >= {"Precision", "Recall", "NDCG", "Coverage", "Novelty"}
    hits_u0 = int(2 in top[0])
    hits_u2 = len({1, 4} & set(top[1]))
    precision = table.set_index("metric").loc["Precision", "value"]
    assert precision == pytest.approx((hits_u0 + hits_u2) / 4)


def test_relevance_threshold_drops_low_ratings():
    train, test = _toy()
    model = MostPopular().fit(train)
    per_user = evaluate(model, train, test, ks=(2,), relevance_threshold=4, per_user=True)
    assert list(per_user.index) == [0, 2]
    with pytest.raises(ValueError, match="no test interaction is relevant"):
        evaluate(model, train, test, relevance_threshold=6)


def test_evaluate_refuses_mismatched_spaces_and_unfitted_models():
    train, test = _toy()
    other = Interactions(np.array([0]), np.array([0]), 3, 6)
    model = MostPopular().fit(train)
    with pytest.raises(ValueError, match="index spaces"):
        evaluate(model, train, other)
    with pytest.raises(ValueError, match="not fitted"):
        evaluate(MostPopular(), train, test)


# ------------------------------------------------------------- statistics
def test_bootstrap_ci_contains_mean_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small = rng.normal(0.3, 0.1, 50)
    large = rng.normal(0.3, 0.1, 5000)
    m, lo, hi = bootstrap_ci(small, seed=1)
    assert lo < m < hi
    _, lo2, hi2 = bootstrap_ci(large, seed=1)
    assert (hi2 - lo2) < (hi - lo) / 5
    with pytest.raises(ValueError, match="empty"):
        bootstrap_ci([])


def test_paired_test_detects_a_small_consistent_gain_an_unpaired_view_would_miss():
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, 300)  # users differ a lot
    better = base + 0.01 + rng.normal(0, 0.005, 300)
    res = paired_test(better, base)
    assert res["diff"] == pytest.approx(0.01, abs=0.002)
    assert res["t_pvalue"] < 1e-6 and res["wilcoxon_pvalue"] < 1e-6 and res["ci_low"] > 0
    same = paired_test(base, base)
    assert same["t_pvalue"] == 1.0 and same["diff"] == 0
    with pytest.raises(ValueError, match="same users"):
        paired_test(base, base[:10])


def _naive(topk_row, relevant: dict, k):
    """Per-user reference implementation, written the textbook way (loops)."""
    hits = [1.0 if i in relevant else 0.0 for i in topk_row[:k]]
    n_rel = len(relevant)
    p = sum(hits) / k
    r = sum(hits) / n_rel
    ap = sum(sum(hits[:j + 1]) / (j + 1) for j in range(k) if hits[j]) / min(n_rel, k)
    dcg = sum(relevant.get(i, 0) / np.log2(j + 2) for j, i in enumerate(topk_row[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / np.log2(j + 2) for j, g in enumerate(ideal))
    return p, r, ap, dcg / idcg


def test_vectorised_metrics_match_a_loop_implementation():
    rng = np.random.default_rng(7)
    n_users, n_items, k = 40, 30, 7
    rels = [dict(zip(rng.choice(n_items, rng.integers(1, 12), replace=False).tolist(),
                     rng.integers(1, 6, 12).tolist())) for _ in range(n_users)]
    truth = truth_matrix([list(r) for r in rels], n_items, values=[list(r.values()) for r in rels])
    topk = np.array([rng.permutation(n_items)[:k] for _ in range(n_users)])
    m = topk_metrics(topk, truth, np.arange(n_users), graded=True)
    for u in range(n_users):
        p, r, ap, ndcg = _naive(topk[u].tolist(), rels[u], k)
        assert (m["Precision"][u], m["Recall"][u], m["MAP"][u], m["NDCG"][u]) == pytest.approx((p, r, ap, ndcg))
