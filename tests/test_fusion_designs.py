"""Hybrid designs of chapter 6: feature augmentation (cold map), switching, cascade, meta-level, the pipeline."""

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import FixedScores

from hybridrec_ref.base import Recommender
from hybridrec_ref.cf import MostPopular
from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion.cascade import CascadeHybrid
from hybridrec_ref.fusion.feature_augmentation import FeatureAugmentationHybrid, FactorMap, factor_targets
from hybridrec_ref.fusion.meta import MetaLevelHybrid
from hybridrec_ref.data import genre_matrix
from hybridrec_ref.fusion.pipeline import HybridRecommender
from hybridrec_ref.fusion.switching import SwitchingHybrid



class TrueFactors(Recommender):
    """A 'factor model' that knows the true factors of warm items (zeros for items without data)."""

    def __init__(self, users, items):
        self.users, self.items = users, items

    def _fit(self, train):
        warm = torch.as_tensor(train.item_counts() > 0)
        self.user_factors_ = torch.as_tensor(self.users, dtype=torch.float32)
        self.item_factors_ = torch.as_tensor(self.items, dtype=torch.float32) * warm[:, None]

    def _score(self, users):
        return self.user_factors_[torch.as_tensor(users)] @ self.item_factors_.T


def planted(n_users=60, n_items=80, dim=4, seed=0):
    """Interactions drawn from planted factors; item features are a linear image of the item factors."""
    rng = np.random.default_rng(seed)
    U, V = rng.normal(size=(n_users, dim)), rng.normal(size=(n_items, dim))
    scores = U @ V.T
    top = np.argsort(-scores, axis=1)[:, :15]
    users = np.repeat(np.arange(n_users), 15)
    data = Interactions(users, top.ravel(), n_users, n_items)
    features = V @ rng.normal(size=(dim, 12)) + 0.01 * rng.normal(size=(n_items, 12))
    return data, U, V, features


def test_factor_map_recovers_a_linear_relation():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(200, 5))
    w = rng.normal(size=(5, 3))
    fmap = FactorMap(reg=1e-6).fit(f, f @ w + 2.0)
    assert np.allclose(fmap.predict(f[:4]), f[:4] @ w + 2.0, atol=1e-4)
    with pytest.raises(ValueError, match="rows"):
        FactorMap().fit(f, f[:3])
    with pytest.raises(ValueError, match="reg"):
        FactorMap(reg=0)


def test_cold_items_get_predicted_factors_and_are_recommended():
    data, U, V, features = planted()
    cold = np.arange(60, 80)
    train = data.subset(~np.isin(data.items, cold))
    model = FeatureAugmentationHybrid(TrueFactors(U, V), features, reg=1e-3, calibrate=False).fit(train)
    predicted = model.item_side_[torch.as_tensor(cold)].numpy()
    corr = np.corrcoef(predicted.ravel(), V[cold].ravel())[0, 1]
    assert corr > 0.95
    # the cold items a user would like (by the planted factors) come out on top among cold items
    cold_scores = model.score(np.arange(60))[:, cold].numpy()
    true_best = np.argmax(U @ V[cold].T, axis=1)
    assert (np.argmax(cold_scores, axis=1) == true_best).mean() > 0.8


def test_calibration_scale_is_chosen_on_validation_only():
    data, U, V, features = planted()
    train = data.subset(~np.isin(data.items, np.arange(60, 80)))
    model = FeatureAugmentationHybrid(TrueFactors(U, V), features, cold_scales=(0.5, 1.0, 2.0), cold_shifts=(-1.0, 0.0)).fit(train)
    assert set(model.validation_) == {(a, b) for a in (0.5, 1.0, 2.0) for b in (-1.0, 0.0)}
    assert (model.cold_scale_, model.cold_shift_) == max(model.validation_, key=model.validation_.get)
    # a calibration that sinks every cold item below every warm one keeps them out of the lists
    sunk = model.calibrated(1.0, -1e6).fit(train)
    assert not np.isin(sunk.recommend(np.arange(60), k=5), np.arange(60, 80)).any()
    # calibrate=False: no validation fit, the predicted factors' scores as they are
    plain = FeatureAugmentationHybrid(TrueFactors(U, V), features, cold_scales=(0.5, 2.0), calibrate=False).fit(train)
    assert not hasattr(plain, "validation_") and (plain.cold_scale_, plain.cold_shift_) == (1.0, 0.0)
    torch.testing.assert_close(plain.score(np.arange(5)), model.calibrated(1.0, 0.0).fit(train).score(np.arange(5)))


def test_factor_targets_requires_a_factor_model():
    with pytest.raises(TypeError, match="factor model"):
        factor_targets(MostPopular().fit(Interactions(np.array([0]), np.array([0]), 1, 1)))


def test_switching_uses_the_fallback_for_light_users_only():
    train = Interactions(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 0]), 2, 5)
    h = SwitchingHybrid(FixedScores([1.0, 0, 0, 0, 0]), FixedScores([0, 0, 0, 0, 9.0]), min_history=2).fit(train)
    s = h.score([0, 1])
    assert s[0, 0] == 1.0 and s[1, 4] == 9.0
    with pytest.raises(ValueError, match="min_history"):
        SwitchingHybrid(FixedScores([1.0]), FixedScores([1.0]), min_history=-1)


def test_cascade_only_reorders_the_first_models_candidates():
    train = Interactions(np.array([0]), np.array([0]), 1, 6)
    first = FixedScores([9.0, 5.0, 4.0, 3.0, 2.0, 1.0])    # item 0 is seen; candidates = items 1, 2
    second = FixedScores([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])   # prefers the last items
    h = CascadeHybrid(first, second, n_candidates=2).fit(train)
    assert h.recommend([0], k=2).tolist() == [[2, 1]]
    assert torch.isinf(h.score([0])[0, 3:]).all()
    with pytest.raises(ValueError, match="blend"):
        CascadeHybrid(first, second, blend=2)


def test_meta_level_neighbours_come_from_content_profiles():
    # users 0 and 1 share no item but like items with the same content; user 2 likes other content
    features = np.array([[1.0, 0], [1.0, 0.1], [1.0, -0.1], [0, 1.0], [0, 1.0]])
    train = Interactions(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 3]), 3, 5)
    h = MetaLevelHybrid(features, k=1).fit(train)
    s = h.score([0])[0]
    assert s[1] > 0 and s[2] > 0 and s[3] == 0  # recommends what its content-neighbour (user 1) liked


def test_pipeline_steps_compose():
    data, U, V, features = planted()
    items = pd.DataFrame({"text": [f"item {i}" for i in range(80)], "genres": [["a"] if i % 2 else ["b"] for i in range(80)],
                          "year": pd.array([1990 + i % 10 for i in range(80)], dtype="Int64")})

    class FakeEncoder:
        def encode(self, texts):
            return features[: len(texts)]

    dup = Interactions(np.r_[data.users, [0]], np.r_[data.items, [data.items[0]]], data.n_users, data.n_items,
                       timestamps=np.arange(len(data) + 1))
    h = HybridRecommender(items, cf_model=TrueFactors(U, V), encoder=FakeEncoder(), calibrate=False)
    assert len(h.preprocess(dup)) == len(data)
    f = h.features()
    assert f.shape == (80, 12 + 2 + 1)
    assert genre_matrix(list(items["genres"]))[0].sum(1).tolist() == [1.0] * 80
    h.train(data.subset(data.items < 60))
    table = h.evaluate(data.subset(data.items < 60), data.subset(data.items >= 60), ks=(5,))
    assert set(table.metric) >= {"NDCG", "Recall"}
    with pytest.raises(ValueError, match="columns"):
        HybridRecommender(items.drop(columns="text"))
