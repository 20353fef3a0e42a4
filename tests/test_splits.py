"""Splits: partitions, stratification, determinism, cold start (property tests with hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridrec_ref.data import (Interactions, chronological_holdout, cold_start_split, kfold, leave_last_out,
                                random_holdout)


@st.composite
def interactions(draw):
    n_users = draw(st.integers(1, 8))
    n_items = draw(st.integers(1, 12))
    n = draw(st.integers(1, 60))
    users = draw(st.lists(st.integers(0, n_users - 1), min_size=n, max_size=n))
    items = draw(st.lists(st.integers(0, n_items - 1), min_size=n, max_size=n))
    ts = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    return Interactions(np.array(users), np.array(items), n_users, n_items, timestamps=np.array(ts))


def _rows(d):
    return sorted(zip(d.users.tolist(), d.items.tolist(), d.timestamps.tolist()))


@settings(max_examples=60, deadline=None)
@given(interactions(), st.floats(0.05, 0.95), st.integers(0, 10))
def test_random_holdout_partitions_and_is_stratified(data, frac, seed):
    train, test = random_holdout(data, frac, seed)
    assert sorted(_rows(train) + _rows(test)) == _rows(data)
    assert (train.n_users, train.n_items) == (data.n_users, data.n_items)
    counts, test_counts = data.user_counts(), test.user_counts()
    expected = np.where(counts >= 2, np.clip(np.floor(frac * counts + 0.5), 1, counts - 1), 0)
    assert np.array_equal(test_counts, expected)
    # every user with an interaction keeps at least one in train
    assert np.all(train.user_counts()[counts > 0] >= 1)
    again = random_holdout(data, frac, seed)[1]
    assert _rows(again) == _rows(test)


@settings(max_examples=60, deadline=None)
@given(interactions(), st.floats(0.05, 0.95))
def test_chronological_holdout_tests_the_latest(data, frac):
    train, test = chronological_holdout(data, frac, seed=0)
    assert sorted(_rows(train) + _rows(test)) == _rows(data)
    for u in np.unique(test.users):
        assert train.timestamps[train.users == u].max() <= test.timestamps[test.users == u].min()


@settings(max_examples=60, deadline=None)
@given(interactions())
def test_leave_last_out_with_validation(data):
    train, valid, test = leave_last_out(data, validation=True, seed=0)
    assert sorted(_rows(train) + _rows(valid) + _rows(test)) == _rows(data)
    assert test.user_counts().max(initial=0) <= 1 and valid.user_counts().max(initial=0) <= 1
    assert np.array_equal(test.user_counts(), valid.user_counts())
    for u in np.unique(test.users):
        assert valid.timestamps[valid.users == u].max() <= test.timestamps[test.users == u].min()
        assert train.timestamps[train.users == u].max() <= valid.timestamps[valid.users == u].min()


def test_kfold_covers_every_interaction_once():
    rng = np.random.default_rng(0)
    d = Interactions(rng.integers(0, 20, 500), rng.integers(0, 30, 500), 20, 30)
    folds = list(kfold(d, k=5, seed=1))
    assert len(folds) == 5
    key = d.users * 1000 + d.items
    for train, test in folds:
        assert len(train) + len(test) == len(d)
        assert abs(len(test) - 100) <= 1
    test_keys = np.sort(np.concatenate([t.users * 1000 + t.items for _, t in folds]))
    assert np.array_equal(test_keys, np.sort(key))
    with pytest.raises(ValueError, match="k must"):
        list(kfold(d, k=1))


def test_cold_start_split_removes_cold_items_from_train():
    rng = np.random.default_rng(0)
    d = Interactions(rng.integers(0, 50, 2000), rng.integers(0, 100, 2000), 50, 100)
    s = cold_start_split(d, cold_frac=0.2, test_frac=0.2, seed=3)
    assert len(s.cold) == round(0.2 * len(np.unique(d.items)))
    assert not np.isin(s.train.items, s.cold).any()
    cold_mask = np.isin(d.items, s.cold)
    assert s.test_is_cold().sum() == cold_mask.sum()
    assert len(s.train) + len(s.test) == len(d)
    users_split = cold_start_split(d, axis="user", seed=3)
    assert not np.isin(users_split.train.users, users_split.cold).any()


@pytest.mark.parametrize("call, message", [
    (lambda d: random_holdout(d, 1.5), "test_frac"),
    (lambda d: cold_start_split(d, cold_frac=0), "cold_frac"),
    (lambda d: cold_start_split(d, axis="genre"), "axis"),
    (lambda d: leave_last_out(d, n=0), "n must"),
    (lambda d: chronological_holdout(Interactions(d.users, d.items, d.n_users, d.n_items)), "timestamps"),
])
def test_bad_split_arguments(call, message):
    d = Interactions(np.array([0, 0, 1]), np.array([0, 1, 1]), 2, 2, timestamps=np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=message):
        call(d)


def test_split_of_empty_interactions_is_refused():
    empty = Interactions(np.array([], int), np.array([], int), 2, 2)
    with pytest.raises(ValueError, match="empty"):
        random_holdout(empty)


def test_inner_seeds_are_distinct_and_differ_from_the_outer_seed():
    from hybridrec_ref.data import inner_seed

    seeds = {inner_seed(42, i) for i in range(5)} | {inner_seed(43, 0)}
    assert len(seeds) == 6 and 42 not in seeds and 43 not in seeds
    assert inner_seed(42, 3) == inner_seed(42, 3)   # deterministic


@settings(max_examples=60, deadline=None)
@given(interactions(), st.floats(0.1, 0.9), st.integers(0, 10))
def test_temporal_cold_split_cuts_at_one_time_and_makes_new_items_cold(data, frac, seed):
    from hypothesis import assume

    from hybridrec_ref.data import temporal_cold_split

    assume(0 < round(frac * len(data)) < len(data))
    s = temporal_cold_split(data, frac, seed)
    assert s.axis == "item" and (s.train.n_users, s.train.n_items) == (data.n_users, data.n_items)
    if len(s.test):
        assert s.train.timestamps.max() <= s.test.timestamps.min()          # one cut-off time
        assert np.all(s.train.user_counts()[s.test.users] > 0)              # no new users in test
    in_train = s.train.item_counts() > 0
    assert not in_train[s.cold].any()                                       # cold: never rated before the cut
    assert set(s.cold.tolist()) == set(s.test.items[~in_train[s.test.items]].tolist())
    assert np.array_equal(s.test_is_cold(), ~in_train[s.test.items])
    assert len(s.train) + len(s.test) <= len(data)
    assert (set(_rows(s.train)) | set(_rows(s.test))) <= set(_rows(data))
    again = temporal_cold_split(data, frac, seed)
    assert _rows(again.test) == _rows(s.test) and np.array_equal(again.cold, s.cold)


def test_temporal_cold_split_by_hand():
    from hybridrec_ref.data import temporal_cold_split

    # user 2 only appears after the cut-off (a new user: left out); item 3 is first rated after it
    users = np.array([0, 0, 1, 1, 0, 1, 2, 0])
    items = np.array([0, 1, 0, 2, 3, 1, 3, 2])
    ts = np.array([1, 2, 3, 4, 10, 11, 12, 13])
    s = temporal_cold_split(Interactions(users, items, 3, 4, timestamps=ts), test_frac=0.5, seed=0)
    assert _rows(s.train) == [(0, 0, 1), (0, 1, 2), (1, 0, 3), (1, 2, 4)]
    assert _rows(s.test) == [(0, 2, 13), (0, 3, 10), (1, 1, 11)]
    assert s.cold.tolist() == [3]
    with pytest.raises(ValueError, match="timestamps"):
        temporal_cold_split(Interactions(users, items, 3, 4), 0.5)
