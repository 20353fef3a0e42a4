"""Multimodal fusion: FeatureMF scores cold items (and cold users) from features; the demographic expert; shared fits."""

import copy

import numpy as np
import pytest
import torch

from hybridrec_ref.cf import MostPopular
from hybridrec_ref.base import clone
from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion import DemographicPopularity, FeatureMF, FitCache, SharedFit


def planted(seed=0, n_users=60, n_items=80, n_clusters=4, per_user=12):
    """Users like one cluster of items; features reveal the cluster; a quarter of each cluster is cold."""
    rng = np.random.default_rng(seed)
    item_c = np.arange(n_items) % n_clusters
    user_c = np.arange(n_users) % n_clusters
    cold = np.arange(n_items) >= 3 * n_items // 4
    feats = np.eye(n_clusters)[item_c] + 0.1 * rng.normal(size=(n_items, n_clusters))
    users, items = [], []
    for u in range(n_users):
        pool = np.flatnonzero((item_c == user_c[u]) & ~cold)
        users += [u] * per_user
        items += list(rng.choice(pool, per_user, replace=False))
    data = Interactions(np.array(users), np.array(items), n_users, n_items)
    return data, feats.astype(np.float32), item_c, user_c, cold


def test_featuremf_ranks_cold_items_by_their_features():
    data, feats, item_c, user_c, cold = planted()
    m = FeatureMF(feats, n_factors=8, n_epochs=30, lr=0.02, batch_size=128, item_dropout=0.5, seed=0).fit(data)
    scores = m.score(np.arange(data.n_users)).cpu().numpy()
    cold_items = np.flatnonzero(cold)
    same = item_c[cold_items][None, :] == user_c[:, None]
    s = scores[:, cold_items]
    # every user's own-cluster cold items outscore the other cold items on average, for nearly every user
    assert np.mean((s * same).sum(1) / same.sum(1) > (s * ~same).sum(1) / (~same).sum(1)) > 0.95
    # the top cold item of each user is from their cluster
    assert np.mean(item_c[cold_items[s.argmax(1)]] == user_c) > 0.9
    assert m.history_["loss"].iloc[-1] < m.history_["loss"].iloc[0]


def test_featuremf_without_item_dropout_leaves_the_feature_part_weaker():
    data, feats, item_c, user_c, cold = planted(1)
    def cold_hit(p):
        m = FeatureMF(feats, n_factors=8, n_epochs=30, lr=0.02, batch_size=128, item_dropout=p, seed=0).fit(data)
        top = m.recommend(np.arange(data.n_users), k=5)
        return np.mean(cold[top])
    # dropping the free embeddings in training is what makes the model put cold items forward
    assert cold_hit(0.5) > cold_hit(0.0)


def test_user_attributes_score_users_without_history():
    data, feats, item_c, user_c, cold = planted(2)
    attrs = np.eye(4, dtype=np.float32)[user_c]
    keep = data.users >= 8                       # users 0-7 have no training interactions
    train = data.subset(keep)
    m = FeatureMF(feats, attrs, n_factors=8, n_epochs=30, lr=0.02, batch_size=128, user_dropout=0.5,
                  seed=0).fit(train)
    assert not m.warm_users_[:8].any()
    top = m.recommend(np.arange(8), k=5)
    assert np.mean(item_c[top] == user_c[:8, None]) > 0.8
    without = FeatureMF(feats, None, n_factors=8, n_epochs=30, lr=0.02, batch_size=128, seed=0).fit(train)
    s = without.score(np.arange(8))
    assert torch.allclose(s, s[:1].expand_as(s))   # without attributes every new user gets the same list


def test_featuremf_is_reproducible():
    data, feats, *_ = planted(3)
    a = FeatureMF(feats, n_factors=4, n_epochs=2, seed=5).fit(data).score([0, 1])
    b = FeatureMF(feats, n_factors=4, n_epochs=2, seed=5).fit(data).score([0, 1])
    assert torch.equal(a, b)


@pytest.mark.parametrize("kwargs, message", [
    (dict(item_features=np.ones(3)), "2-D"),
    (dict(item_features=np.full((80, 2), np.nan)), "NaN"),
    (dict(item_features=np.ones((80, 2)), n_factors=0), "n_factors"),
    (dict(item_features=np.ones((80, 2)), item_dropout=1.0), "item_dropout"),
    (dict(item_features=np.ones((80, 2)), lr=0), "lr"),
])
def test_featuremf_bad_configuration_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeatureMF(**kwargs)


def test_featuremf_feature_rows_must_match_the_data():
    data, feats, *_ = planted()
    with pytest.raises(ValueError, match="rows"):
        FeatureMF(feats[:10]).fit(data)
    with pytest.raises(ValueError, match="rows"):
        FeatureMF(feats, np.ones((3, 2))).fit(data)


def test_demographics_with_one_group_is_global_popularity():
    data, *_ = planted()
    demo = DemographicPopularity(np.zeros(data.n_users, int), smoothing=10.0).fit(data)
    expected = data.item_counts() / len(data)
    assert np.allclose(demo.score([0, 5]).cpu().numpy(), expected[None, :], atol=1e-7)


def test_demographics_follow_the_group_and_shrink_small_groups():
    data, feats, item_c, user_c, cold = planted()
    raw = DemographicPopularity(user_c, smoothing=0.0).fit(data)
    top = raw.recommend(np.arange(data.n_users), k=3)
    assert np.all(item_c[top] == user_c[:, None])          # each group's favourites are its cluster's items
    shrunk = DemographicPopularity(user_c, smoothing=1e9).fit(data)
    assert np.allclose(shrunk.score([0]).cpu().numpy(), data.item_counts() / len(data), atol=1e-6)


def test_demographics_bad_input_is_named():
    data, *_ = planted()
    with pytest.raises(ValueError, match="labels for"):
        DemographicPopularity(np.zeros(5)).fit(data)
    with pytest.raises(ValueError, match="smoothing"):
        DemographicPopularity(np.zeros(5), smoothing=-1)
    with pytest.raises(ValueError, match="1-D"):
        DemographicPopularity(np.zeros((5, 2)))


class Counting(MostPopular):
    fits = 0

    def _fit(self, train):
        Counting.fits += 1
        super()._fit(train)


def test_shared_fit_fits_each_training_set_once_across_copies():
    data, *_ = planted()
    other = data.subset(data.users != 0)
    Counting.fits = 0
    shared = SharedFit(Counting(), FitCache())
    a, b = clone(shared), copy.deepcopy(shared)
    a.fit(data)
    b.fit(data)
    assert Counting.fits == 1 and a.fitted_ is b.fitted_
    b.fit(other)
    assert Counting.fits == 2
    assert torch.equal(a.score([1]), MostPopular().fit(data).score([1]))
    # one cache, two different experts: never confused with each other
    feats = np.ones((data.n_items, 2), dtype=np.float32)
    mf = SharedFit(FeatureMF(feats, n_factors=2, n_epochs=1), a.cache).fit(data)
    assert isinstance(mf.fitted_, FeatureMF) and len(a.cache) == 3
    Counting.fits = 2
    # the key covers ratings: same pairs, other ratings -> a new fit, never a stale one
    rerated = Interactions(data.users, data.items, data.n_users, data.n_items,
                           ratings=np.arange(len(data), dtype=np.float32) % 5 + 1)
    b.fit(rerated)
    assert Counting.fits == 3
    with pytest.raises(TypeError, match="Recommender"):
        SharedFit(object())
    with pytest.raises(TypeError, match="FitCache"):
        SharedFit(MostPopular(), {})
