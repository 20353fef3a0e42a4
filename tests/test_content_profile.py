"""Content profiles (hybridrec_ref.content.profile) and candidate restriction (content.cold)."""

import numpy as np
import pytest
import scipy.sparse as sp

from hybridrec_ref.cf.baselines import MostPopular
from hybridrec_ref.content import ContentRecommender, RestrictedRecommender, nearest_items
from hybridrec_ref.data import Interactions

# 6 items, two "genres": items 0-2 are genre A, items 3-5 genre B; item 2 and 5 are cold (never seen)
FEATURES = np.array([[1, 0], [1, 0.1], [1, 0.05], [0, 1], [0.1, 1], [0.05, 1]], dtype=np.float32)


def make(ratings=None, timestamps=None):
    # user 0 likes A (items 0, 1), user 1 likes B (items 3, 4), user 2 saw 0 long ago and 3 recently
    users = [0, 0, 1, 1, 2, 2]
    items = [0, 1, 3, 4, 0, 3]
    return Interactions(users, items, 3, 6, ratings=ratings, timestamps=timestamps)


def test_mean_profile_recommends_cold_item_of_the_same_genre():
    model = ContentRecommender(FEATURES).fit(make())
    top = model.recommend([0, 1], k=1)
    assert top.tolist() == [[2], [5]]  # the cold items: content alone can score them


def test_mean_profile_is_the_normalised_average_and_scores_are_cosines():
    model = ContentRecommender(FEATURES, device="cpu").fit(make())
    x = FEATURES / np.linalg.norm(FEATURES, axis=1, keepdims=True)
    p = x[[0, 1]].mean(0)
    expected = x @ (p / np.linalg.norm(p))
    np.testing.assert_allclose(model.score([0]).cpu().numpy()[0], expected, atol=1e-6)


def test_sparse_features_give_the_same_scores():
    a = ContentRecommender(FEATURES).fit(make()).score([0, 1, 2])
    b = ContentRecommender(sp.csr_matrix(FEATURES)).fit(make()).score([0, 1, 2])
    np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), atol=1e-6)


def test_rating_weighting_pushes_away_from_disliked_items():
    ratings = [5, 5, 5, 5, 5, 1]  # user 2 loved item 0, hated item 3
    mean = ContentRecommender(FEATURES, "mean").fit(make(ratings)).score([2]).cpu().numpy()[0]
    rated = ContentRecommender(FEATURES, "rating").fit(make(ratings)).score([2]).cpu().numpy()[0]
    assert rated[2] > rated[5] and rated[5] < 0  # genre A ahead, genre B pushed below zero
    assert abs(mean[2] - mean[5]) < 0.05  # the mean profile cannot tell
    # users 0 and 1 rated everything equally: fall back to their mean profile
    np.testing.assert_allclose(ContentRecommender(FEATURES, "rating").fit(make(ratings)).score([0]).cpu().numpy(),
                               ContentRecommender(FEATURES, "mean").fit(make(ratings)).score([0]).cpu().numpy(), atol=1e-6)


def test_recency_weighting_follows_the_latest_taste():
    day = 86_400
    ts = [0, 0, 0, 0, 0, 100 * day]  # user 2: item 0 a hundred days before item 3
    model = ContentRecommender(FEATURES, "recency", half_life_days=10).fit(make(timestamps=ts))
    s = model.score([2]).cpu().numpy()[0]
    assert s[5] > s[2]


def test_nearest_items():
    idx, sim = nearest_items(FEATURES, [0, 3], k=2)
    assert set(idx[0]) == {1, 2} and set(idx[1]) == {4, 5}
    assert (np.diff(sim, axis=1) <= 0).all()
    with pytest.raises(ValueError, match="k must"):
        nearest_items(FEATURES, [0], k=6)


def test_restricted_recommender_ranks_only_candidates():
    train = make()
    model = RestrictedRecommender(ContentRecommender(FEATURES), candidates=[2, 5]).fit(train)
    assert set(model.recommend([0, 1, 2], k=2).ravel()) == {2, 5}
    pop = RestrictedRecommender.wrap_fitted(MostPopular().fit(train), [1, 4])
    assert set(pop.recommend([2], k=2).ravel()) == {1, 4}
    with pytest.raises(ValueError, match="empty"):
        RestrictedRecommender(MostPopular(), [])
    with pytest.raises(TypeError, match="Recommender"):
        RestrictedRecommender("model", [1])


def test_bad_input():
    with pytest.raises(ValueError, match="weighting"):
        ContentRecommender(FEATURES, weighting="median")
    with pytest.raises(ValueError, match="half_life_days"):
        ContentRecommender(FEATURES, half_life_days=0)
    with pytest.raises(ValueError, match="one row per item"):
        ContentRecommender(FEATURES[:4]).fit(make())
    with pytest.raises(ValueError, match="needs explicit ratings"):
        ContentRecommender(FEATURES, "rating").fit(make())
    with pytest.raises(ValueError, match="needs timestamps"):
        ContentRecommender(FEATURES, "recency").fit(make())
    bad = FEATURES.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ContentRecommender(bad).fit(make())
    with pytest.raises(ValueError, match="2-D"):
        ContentRecommender(np.ones(6)).fit(make())
