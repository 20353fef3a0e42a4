"""The mixed design: warm and cold items merged by rank-calibrated hit rates (chapter 6) and the neighbour map for cold factors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import FixedScores
from test_fusion_designs import TrueFactors, planted

from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion import FeatureAugmentationHybrid, NeighbourMap, MixedHybrid, isotonic_decreasing
from hybridrec_ref.fusion.mixed import rank_hit_rates, ranks_within


def test_isotonic_decreasing_by_hand():
    assert np.allclose(isotonic_decreasing([3, 2, 1]), [3, 2, 1])
    assert np.allclose(isotonic_decreasing([1, 3, 2]), [2, 2, 2])
    # weights pull the pooled value towards the heavier point
    assert np.allclose(isotonic_decreasing([1, 3], [3, 1]), [1.5, 1.5])
    with pytest.raises(ValueError, match="differ in length"):
        isotonic_decreasing([1, 2], [1])
    with pytest.raises(ValueError, match="NaN"):
        isotonic_decreasing([1, np.nan])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.integers(0, 10_000))
def test_isotonic_decreasing_is_monotone_and_matches_scikit_learn(y, seed):
    w = np.random.default_rng(seed).uniform(0.1, 5, len(y))
    fit = isotonic_decreasing(y, w)
    assert (np.diff(fit) <= 1e-12).all()
    assert np.isclose((fit * w).sum(), (np.asarray(y) * w).sum())   # pooling keeps the weighted mean
    sklearn = pytest.importorskip("sklearn.isotonic")
    expected = sklearn.IsotonicRegression(increasing=False).fit_transform(np.arange(len(y)), y, sample_weight=w)
    assert np.allclose(fit, expected, atol=1e-9)


def test_ranks_within_a_group():
    scores = torch.tensor([[0.9, 0.1, 0.5, 0.7]])
    group = torch.tensor([True, False, True, True])
    ranks = ranks_within(scores, group)
    assert ranks[0, [0, 3, 2]].tolist() == [0, 1, 2]     # order among the group's items
    assert ranks[0, 1] == 3                               # the outsider comes last


def test_rank_hit_rates_counts_only_finite_candidates():
    scores = torch.tensor([[3.0, 2.0, 1.0, -torch.inf], [1.0, 2.0, 3.0, 0.0]])
    truth = Interactions(np.array([0, 1]), np.array([1, 2]), 2, 4).to_csr("ones")
    rates, counts = rank_hit_rates(scores, torch.ones(4, dtype=torch.bool), truth, np.array([0, 1]), 4)
    assert counts.tolist() == [2, 2, 2, 1]
    assert rates.tolist() == [0.5, 0.5, 0.0, 0.0]   # user 1's hit is at rank 0, user 0's at rank 1


def test_neighbour_map_is_a_convex_combination_of_neighbours():
    rng = np.random.default_rng(0)
    f, y = rng.normal(size=(30, 6)), rng.normal(size=(30, 3))
    nearest = NeighbourMap(k=1).fit(f, y)
    assert np.allclose(nearest.predict(f[:5]), y[:5])          # a warm item's own row is its nearest
    pred = NeighbourMap(k=5, temperature=0.5).fit(f, y).predict(rng.normal(size=(10, 6)))
    assert (pred >= y.min(0) - 1e-12).all() and (pred <= y.max(0) + 1e-12).all()
    with pytest.raises(ValueError, match="all zeros"):
        NeighbourMap().fit(np.zeros((2, 3)), y[:2])
    with pytest.raises(ValueError, match="k must"):
        NeighbourMap(k=0)
    with pytest.raises(ValueError, match="temperature"):
        NeighbourMap(temperature=0)


def test_labelled_shares():
    assert MixedHybrid(FixedScores(np.zeros(3))).labelled_shares() == (1.0, 1.0)
    warm, cold = MixedHybrid(FixedScores(np.zeros(3)), valid_test_frac=0.05, outer_test_frac=0.2).labelled_shares()
    assert warm == pytest.approx(0.04 / 0.24) and cold == pytest.approx(0.8)


def _planted_split():
    data, U, V, features = planted(n_users=120, n_items=100, seed=3)
    cold = np.arange(80, 100)
    return data.subset(~np.isin(data.items, cold)), U, V, features, cold


def test_merge_keeps_each_groups_order_and_lets_good_cold_items_in():
    train, U, V, features, cold = _planted_split()
    expert = FeatureAugmentationHybrid(TrueFactors(U, V), features, reg=1e-3, calibrate=False)
    model = MixedHybrid(expert, max_rank=30, valid_test_frac=0.2, n_splits=2, seed=0).fit(train)
    assert (np.diff(model.warm_curve_) <= 1e-12).all() and (np.diff(model.cold_curve_) <= 1e-12).all()
    users = np.arange(120)
    merged = model.score(users)
    inner = model.warm_model_.score(users)
    seen = torch.as_tensor(train.to_csr("ones").toarray() > 0)
    assert torch.isinf(merged[seen]).all()                       # training items are not candidates
    assert set(cold) <= set(np.flatnonzero(model.cold_items_))   # (items nobody picked are cold too)
    for group in (np.flatnonzero(~model.cold_items_), np.flatnonzero(model.cold_items_)):  # within a group, order stands
        for u in (0, 7, 42):
            cand = group[~seen[u, group].numpy()]
            assert (np.argsort(-merged[u, cand].numpy(), kind="stable")
                    == np.argsort(-inner[u, cand].numpy(), kind="stable")).all()
    # the planted cold factors are exact, so cold items are worth slots: some lists hold them
    assert np.isin(model.recommend(users, 10), cold).any()


def test_a_useless_cold_ranker_gets_a_flat_curve():
    train, U, V, features, cold = _planted_split()
    good = FeatureAugmentationHybrid(TrueFactors(U, V), features, reg=1e-3, calibrate=False)
    noise = FixedScores(np.random.default_rng(0).normal(size=(120, 100)))
    curves = {name: MixedHybrid(good, cold_model, max_rank=20, valid_test_frac=0.2, n_splits=2, seed=0)
              .fit(train).cold_curve_ for name, cold_model in (("good", None), ("noise", noise))}
    # exact cold factors put a user's held-out cold item first; random scores find one by chance
    assert curves["good"][0] > 0.8 > 0.5 > curves["noise"][0]
    assert curves["noise"][0] - curves["noise"][-1] < 0.3


def test_bad_input():
    with pytest.raises(TypeError, match="warm_model"):
        MixedHybrid("ALS")
    with pytest.raises(ValueError, match="n_splits"):
        MixedHybrid(FixedScores(np.zeros(3)), n_splits=0)
    with pytest.raises(ValueError, match="outer_test_frac"):
        MixedHybrid(FixedScores(np.zeros(3)), outer_test_frac=1.0)
    with pytest.raises(ValueError, match="max_rank"):
        MixedHybrid(FixedScores(np.zeros(3)), max_rank=0)
    with pytest.raises(ValueError, match="inner_split"):
        MixedHybrid(FixedScores(np.zeros(3)), inner_split="random")


def test_without_cold_items_it_is_exactly_its_warm_model():
    """Issue 9: this used to raise "every item has training interactions"."""
    rng = np.random.default_rng(0)
    users, items = np.repeat(np.arange(30), 8), rng.integers(0, 12, 240)
    items[:12] = np.arange(12)   # every item has a training interaction
    train = Interactions(users, items, 30, 12)
    scores = rng.random(12)
    hybrid = MixedHybrid(FixedScores(scores)).fit(train)
    warm = FixedScores(scores).fit(train)
    assert not hybrid.cold_items_.any() and hybrid.warm_curve_ is None
    assert torch.equal(hybrid.score(np.arange(30)), warm.score(np.arange(30)))
    assert np.array_equal(hybrid.recommend(np.arange(30), 3), warm.recommend(np.arange(30), 3))


def test_inner_splits_are_of_the_requested_kind():
    rng = np.random.default_rng(3)
    n_users, n_items, n = 40, 30, 600
    key = np.unique(rng.integers(0, n_users, n) * n_items + rng.integers(0, n_items, n))
    ts = rng.permutation(len(key))
    train = Interactions(key // n_items, key % n_items, n_users, n_items, timestamps=ts)
    model = lambda kind: MixedHybrid(FixedScores(np.zeros(n_items)), n_splits=3, valid_test_frac=0.1,
                                              inner_split=kind, seed=1)
    per_user = list(model("per_user").inner_splits(train))
    for inner_train, inner_test, labelled in per_user:    # every user keeps ~90% of their items
        assert len(inner_train) + len(inner_test) == len(train)
        assert np.array_equal(labelled, train.item_counts() > 0)
    temporal = list(model("temporal_cold").inner_splits(train))
    ends = []
    for inner_train, inner_test, labelled in temporal:     # one cut-off per split, rolling back in time
        assert inner_train.timestamps.max() <= inner_test.timestamps.min()
        assert np.all(inner_train.user_counts()[inner_test.users] > 0)
        ends.append(inner_test.timestamps.max())
    assert ends[0] > ends[1] > ends[2]
    random_cold = list(model("random_cold").inner_splits(train))
    assert any((t.item_counts() == 0).sum() > (train.item_counts() == 0).sum() for t, _, _ in random_cold)
    with pytest.raises(ValueError, match="below 1"):
        MixedHybrid(FixedScores(np.zeros(3)), n_splits=10, valid_test_frac=0.1, inner_split="temporal_cold")
