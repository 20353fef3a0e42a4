"""Evaluation by segment: hand-computed toy case, properties, paired tests per segment, bad input."""

import numpy as np
import pandas as pd
import pytest
from conftest import FixedScores
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridrec_ref.data import Interactions
from hybridrec_ref.eval import activity_buckets, evaluate_segments, paired_by_segment, paired_test, warm_cold_items
from hybridrec_ref.eval.segments import DEFAULT_EDGES, bucket_labels

# 3 users, 6 items. Train: user 0 {0, 1}, user 1 {0, 3}, user 2 {0, 1, 2}: items 4 and 5 are cold.
# Test: user 0 {2, 4}, user 1 {5}, user 2 {3}.
# One score row for everyone: item 4 > 3 > 2 > 5 > 1 > 0, so the top 2 (training items excluded) are
# user 0 [4, 3], user 1 [4, 2], user 2 [4, 3].
SCORES = np.array([0.0, 1.0, 3.0, 4.0, 6.0, 2.0])


def toy():
    train = Interactions(np.array([0, 0, 1, 1, 2, 2, 2]), np.array([0, 1, 0, 3, 0, 1, 2]), 3, 6)
    test = Interactions(np.array([0, 0, 1, 2]), np.array([2, 4, 5, 3]), 3, 6, ratings=np.array([4.0, 5.0, 3.0, 2.0]))
    return train, test


def value(table, kind, segment, metric, k=2):
    row = table[(table.kind == kind) & (table.segment == segment) & (table.metric == metric) & (table.k == k)]
    assert len(row) == 1, (kind, segment, metric)
    return row.iloc[0]


def test_activity_buckets_labels_and_counts():
    train, _ = toy()
    b = activity_buckets(train, edges=(3,))
    assert list(b.cat.categories) == ["<3", ">=3"]
    assert b.tolist() == ["<3", "<3", ">=3"]
    assert b.cat.ordered and b.index.name == "user"
    assert bucket_labels((20, 40, 80)) == ["<20", "20-39", "40-79", ">=80"]
    # a user without training interactions falls into the lowest bucket; edges are inclusive below
    many = Interactions(np.repeat([0, 1], [2, 4]), np.arange(6), 3, 6)
    assert activity_buckets(many, edges=(1, 4)).tolist() == ["1-3", ">=4", "<1"]
    assert len(DEFAULT_EDGES) == 4


def test_warm_cold_items_partition():
    train, _ = toy()
    groups = warm_cold_items(train)
    assert groups["warm items"].tolist() == [True, True, True, True, False, False]
    assert (groups["warm items"] ^ groups["cold items"]).all()


def test_evaluate_segments_hand_computed():
    train, test = toy()
    model = FixedScores(SCORES).fit(train)
    assert model.recommend([0, 1, 2], 2).tolist() == [[4, 3], [4, 2], [4, 3]]
    t = evaluate_segments(model, train, test, user_segments=activity_buckets(train, edges=(3,)), ks=(2,))
    assert set(t.columns) == {"kind", "segment", "metric", "k", "value", "n_users"}
    # overall: recalls 1/2, 0, 1; precisions 1/2, 0, 1/2
    assert value(t, "all", "all", "Recall").value == pytest.approx(0.5)
    assert value(t, "all", "all", "Precision").value == pytest.approx(1 / 3)
    assert value(t, "all", "all", "Recall").n_users == 3
    # warm items: user 0 {2} (miss), user 2 {3} (hit); cold items: user 0 {4} (hit), user 1 {5} (miss)
    warm, cold = value(t, "items", "warm items", "Recall"), value(t, "items", "cold items", "Recall")
    assert (warm.value, warm.n_users) == (pytest.approx(0.5), 2)
    assert (cold.value, cold.n_users) == (pytest.approx(0.5), 2)
    assert value(t, "items", "cold items", "MRR").value == pytest.approx(0.5)  # user 0: rank 1; user 1: none
    # buckets: users 0, 1 have 2 training interactions, user 2 has 3
    assert value(t, "users", "<3", "Recall").value == pytest.approx(0.25)
    assert value(t, "users", ">=3", "Recall").value == pytest.approx(1.0)
    assert value(t, "users", ">=3", "Recall").n_users == 1


def test_evaluate_segments_metric_filter_ci_and_empty_group():
    train, test = toy()
    model = FixedScores(SCORES).fit(train)
    empty = {"nothing": np.zeros(6, dtype=bool)}
    t = evaluate_segments(model, train, test, item_groups=empty, user_segments=False, metrics=("NDCG",),
                          ks=(1, 2), ci=True)
    assert set(t.metric) == {"NDCG"} and set(t.k) == {1, 2}
    assert {"ci_low", "ci_high"} <= set(t.columns)
    row = value(t, "items", "nothing", "NDCG")
    assert row.n_users == 0 and np.isnan(row.value)
    overall = value(t, "all", "all", "NDCG")
    assert overall.ci_low <= overall.value <= overall.ci_high
    # default user segments are the activity buckets with DEFAULT_EDGES: every toy user is below 20
    d = evaluate_segments(model, train, test, ks=(2,), metrics=("Recall",))
    assert set(d[d.kind == "users"].segment) == set(bucket_labels(DEFAULT_EDGES))
    assert value(d, "users", "<20", "Recall").n_users == 3


@st.composite
def random_case(draw):
    n_users, n_items = draw(st.integers(2, 8)), draw(st.integers(4, 12))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    cells = rng.permutation(n_users * n_items)[: draw(st.integers(n_users + 2, n_users * n_items))]
    users, items = cells // n_items, cells % n_items
    is_test = rng.random(len(cells)) < 0.4
    is_test[0], is_test[-1] = True, False
    train = Interactions(users[~is_test], items[~is_test], n_users, n_items)
    test = Interactions(users[is_test], items[is_test], n_users, n_items)
    scores = rng.random((n_users, n_items))
    edges = tuple(sorted(set(draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))))
    return train, test, scores, edges


@settings(max_examples=40, deadline=None)
@given(random_case())
def test_user_segments_average_back_to_overall(case):
    train, test, scores, edges = case
    model = FixedScores(scores).fit(train)
    k = min(3, train.n_items - int(train.user_counts().max()))
    if k < 1:
        return
    t = evaluate_segments(model, train, test, user_segments=activity_buckets(train, edges), ks=(k,))
    for metric in ("Precision", "Recall", "NDCG"):
        users = t[(t.kind == "users") & (t.metric == metric) & (t.n_users > 0)]
        overall = value(t, "all", "all", metric, k)
        assert users.n_users.sum() == overall.n_users
        assert (users.value * users.n_users).sum() / users.n_users.sum() == pytest.approx(overall.value)
        # each item group's users are a subset of the overall users
        items = t[(t.kind == "items") & (t.metric == metric)]
        assert (items.n_users <= overall.n_users).all()
        assert items.n_users.sum() >= overall.n_users  # every test interaction is warm or cold


def test_paired_by_segment_matches_paired_test_within_segments():
    users = pd.Index(np.arange(6), name="user")
    a = pd.Series([0.5, 0.4, 0.9, 0.2, 0.3, 0.8], index=users)
    b = pd.Series([0.1, 0.4, 0.7, 0.2, 0.5, 0.6], index=users)
    seg = pd.Series(pd.Categorical(["lo", "lo", "hi", "hi", "lo", "hi"], categories=["lo", "mid", "hi"],
                                   ordered=True), index=users, name="activity")
    out = paired_by_segment(a, b, seg, seed=3)
    assert list(out.index) == ["lo", "hi"]  # categorical order; empty "mid" left out
    assert out.index.name == "activity"
    assert out.loc["lo", "diff"] == pytest.approx((0.4 + 0.0 - 0.2) / 3)
    assert out.loc["hi", "diff"] == pytest.approx((0.2 + 0.0 + 0.2) / 3)
    assert out.loc["lo", "n"] == 3
    ref = paired_test(a[[1, 0, 4]].to_numpy(), b[[1, 0, 4]].to_numpy(), seed=3)
    assert out.loc["lo", "t_pvalue"] == pytest.approx(ref["t_pvalue"])
    # b given in another user order is aligned by index
    shuffled = paired_by_segment(a, b.iloc[::-1], seg, seed=3)
    assert shuffled.loc["hi", "diff"] == pytest.approx(out.loc["hi", "diff"])


def test_bad_input_raises_clear_errors():
    train, test = toy()
    model = FixedScores(SCORES).fit(train)
    for edges, msg in (((20, 10), "strictly increasing"), ((), "non-empty"), ((0, 5), "positive"),
                       ((2.5,), "whole numbers")):
        with pytest.raises(ValueError, match=msg):
            activity_buckets(train, edges)
    with pytest.raises(TypeError, match="Interactions"):
        activity_buckets(test.to_frame())
    with pytest.raises(ValueError, match="boolean mask of length"):
        evaluate_segments(model, train, test, item_groups={"bad": np.ones(5, dtype=bool)})
    with pytest.raises(TypeError, match="dict"):
        evaluate_segments(model, train, test, item_groups=[np.ones(6, dtype=bool)])
    with pytest.raises(ValueError, match="user indices"):
        evaluate_segments(model, train, test, user_segments=pd.Series(["a"], index=[7]))
    with pytest.raises(TypeError, match="Series"):
        evaluate_segments(model, train, test, user_segments={"a": 1})
    a = pd.Series([0.1, 0.2], index=[0, 1])
    with pytest.raises(ValueError, match="same users"):
        paired_by_segment(a, pd.Series([0.1, 0.2], index=[0, 2]), pd.Series(["x", "x", "x"]))
    with pytest.raises(ValueError, match="no segment label"):
        paired_by_segment(a, a, pd.Series(["x"], index=[0]))
    with pytest.raises(TypeError, match="Series"):
        paired_by_segment(a, a, ["x", "x"])
    with pytest.raises(ValueError, match="empty"):
        paired_by_segment(a.iloc[:0], a.iloc[:0], pd.Series(["x"]))
