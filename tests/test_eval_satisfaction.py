"""Offline satisfaction proxies: hand-computed cases, relation to Precision@k, bad input."""

import numpy as np
import pytest
from conftest import FixedScores
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridrec_ref.data import Interactions
from hybridrec_ref.eval import (relevant_matrix, satisfaction_at, satisfaction_proxies, summarise_satisfaction,
                                topk_metrics)


def held_out():
    # user 0 rated item 1 = 5, item 3 = 2, item 7 = 4; user 1 rated item 0 = 3
    return Interactions(np.array([0, 0, 0, 1]), np.array([1, 3, 7, 0]), 2, 8, ratings=np.array([5.0, 2.0, 4.0, 3.0]))


def test_hand_computed_proxies():
    test = held_out()
    t = satisfaction_at(np.array([[1, 2, 3], [4, 5, 6]]), test, [0, 1])
    assert list(t.columns) == ["RatedHits@3", "MeanRating@3", "LikedShare@3", "LikedPrecision@3"]
    # user 0: rated hits = items 1 (5 stars) and 3 (2 stars); one of them liked (>= 4)
    assert t.loc[0].tolist() == pytest.approx([2, 3.5, 0.5, 1 / 3])
    # user 1: no recommended item was rated: mean rating and liked share undefined, liked precision 0
    assert t.loc[1, "RatedHits@3"] == 0 and t.loc[1, "LikedPrecision@3"] == 0
    assert np.isnan(t.loc[1, "MeanRating@3"]) and np.isnan(t.loc[1, "LikedShare@3"])
    s = summarise_satisfaction(t)
    assert s["MeanRating@3"] == pytest.approx(3.5)  # over the users with a rated hit only
    assert s["LikedPrecision@3"] == pytest.approx(1 / 6)  # over all users
    assert s["users with a rated hit"] == pytest.approx(0.5)


def test_threshold_moves_liked_not_rated():
    test = held_out()
    t = satisfaction_at(np.array([[1, 3, 7]]), test, [0], like_threshold=5)
    assert t.loc[0].tolist() == pytest.approx([3, 11 / 3, 1 / 3, 1 / 3])


def test_satisfaction_proxies_uses_the_protocol():
    train = Interactions(np.array([0, 1]), np.array([2, 4]), 2, 8)
    test = held_out()
    scores = np.array([8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0])  # rank items 0, 1, 2, ... for everyone
    model = FixedScores(scores).fit(train)
    t = satisfaction_proxies(model, train, test, k=2)
    # user 0: training item 2 excluded -> [0, 1]: item 1 rated 5; user 1: [0, 1]: item 0 rated 3
    assert list(t.index) == [0, 1]
    assert t["MeanRating@2"].tolist() == pytest.approx([5.0, 3.0])
    assert t["LikedPrecision@2"].tolist() == pytest.approx([0.5, 0.0])


@st.composite
def case(draw):
    n_users, n_items = draw(st.integers(1, 6)), draw(st.integers(3, 12))
    k = draw(st.integers(1, n_items))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    cells = rng.permutation(n_users * n_items)[: draw(st.integers(1, n_users * n_items))]
    ratings = rng.integers(1, 6, len(cells)).astype(float)
    test = Interactions(cells // n_items, cells % n_items, n_users, n_items, ratings=ratings)
    topk = np.array([rng.permutation(n_items)[:k] for _ in range(n_users)])
    return test, topk, k


@settings(max_examples=60, deadline=None)
@given(case())
def test_liked_precision_is_precision_with_liked_as_relevant(c):
    test, topk, k = c
    users = np.arange(test.n_users)
    t = satisfaction_at(topk, test, users)
    truth = relevant_matrix(test, relevance_threshold=4)
    has_liked = np.diff(truth.indptr) > 0
    if has_liked.any():
        p = topk_metrics(topk[has_liked], truth, users[has_liked])["Precision"]
        assert t[f"LikedPrecision@{k}"].to_numpy()[has_liked] == pytest.approx(p)
    # bounds and the identity liked precision = liked share x rated hits / k
    assert ((t[f"LikedPrecision@{k}"] >= 0) & (t[f"LikedPrecision@{k}"] <= 1)).all()
    hit = t[f"RatedHits@{k}"] > 0
    assert (t.loc[hit, f"LikedShare@{k}"] * t.loc[hit, f"RatedHits@{k}"] / k).to_numpy() == \
        pytest.approx(t.loc[hit, f"LikedPrecision@{k}"].to_numpy())
    assert t.loc[hit, f"MeanRating@{k}"].between(1, 5).all()
    assert (t[f"LikedPrecision@{k}"][~hit] == 0).all()


def test_bad_input_raises_clear_errors():
    test = held_out()
    implicit = Interactions(np.array([0]), np.array([1]), 2, 8)
    with pytest.raises(ValueError, match="held-out ratings"):
        satisfaction_at(np.array([[1]]), implicit, [0])
    with pytest.raises(ValueError, match="shape"):
        satisfaction_at(np.array([1, 2]), test, [0])
    with pytest.raises(ValueError, match="finite"):
        satisfaction_at(np.array([[1]]), test, [0], like_threshold=np.nan)
    zero = Interactions(np.array([0]), np.array([1]), 2, 8, ratings=np.array([0.0]))
    with pytest.raises(ValueError, match="positive"):
        satisfaction_at(np.array([[1]]), zero, [0])
    with pytest.raises(ValueError, match="not fitted"):
        satisfaction_proxies(FixedScores(np.ones(8)), test, test)
    with pytest.raises(ValueError, match="lacks the columns"):
        summarise_satisfaction(satisfaction_at(np.array([[1]]), test, [0]).drop(columns="MeanRating@1"))
