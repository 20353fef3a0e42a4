"""Rank-calibrated merge of warm and cold items (chapter 6) and the neighbour map for cold factors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import FixedScores
from test_fusion_designs import TrueFactors, planted

from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion import ColdStartHybrid, NeighbourMap, RankCalibratedHybrid, isotonic_decreasing
from hybridrec_ref.fusion.rank_merge import rank_hit_rates, ranks_within


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
    assert RankCalibratedHybrid(FixedScores(np.zeros(3))).labelled_shares() == (1.0, 1.0)
    warm, cold = RankCalibratedHybrid(FixedScores(np.zeros(3)), valid_test_frac=0.05, hidden_frac=0.2).labelled_shares()
    assert warm == pytest.approx(0.04 / 0.24) and cold == pytest.approx(0.8)


def _planted_split():
    data, U, V, features = planted(n_users=120, n_items=100, seed=3)
    cold = np.arange(80, 100)
    return data.subset(~np.isin(data.items, cold)), U, V, features, cold


def test_merge_keeps_each_groups_order_and_lets_good_cold_items_in():
    train, U, V, features, cold = _planted_split()
    expert = ColdStartHybrid(TrueFactors(U, V), features, reg=1e-3, cold_scales=(1.0,), cold_shifts=(0.0,))
    model = RankCalibratedHybrid(expert, max_rank=30, valid_test_frac=0.2, n_splits=2, seed=0).fit(train)
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
    good = ColdStartHybrid(TrueFactors(U, V), features, reg=1e-3, cold_scales=(1.0,), cold_shifts=(0.0,))
    noise = FixedScores(np.random.default_rng(0).normal(size=(120, 100)))
    curves = {name: RankCalibratedHybrid(good, cold_model, max_rank=20, valid_test_frac=0.2, n_splits=2, seed=0)
              .fit(train).cold_curve_ for name, cold_model in (("good", None), ("noise", noise))}
    # exact cold factors put a user's held-out cold item first; random scores find one by chance
    assert curves["good"][0] > 0.8 > 0.5 > curves["noise"][0]
    assert curves["noise"][0] - curves["noise"][-1] < 0.3


def test_bad_input():
    with pytest.raises(TypeError, match="warm_model"):
        RankCalibratedHybrid("ALS")
    with pytest.raises(ValueError, match="n_splits"):
        RankCalibratedHybrid(FixedScores(np.zeros(3)), n_splits=0)
    with pytest.raises(ValueError, match="hidden_frac"):
        RankCalibratedHybrid(FixedScores(np.zeros(3)), hidden_frac=1.0)
    with pytest.raises(ValueError, match="max_rank"):
        RankCalibratedHybrid(FixedScores(np.zeros(3)), max_rank=0)
    everything_warm = Interactions(np.array([0, 1, 2]), np.array([0, 1, 2]), 3, 3)
    with pytest.raises(ValueError, match="nothing cold"):
        RankCalibratedHybrid(FixedScores(np.zeros(3))).fit(everything_warm)
