"""The peer's stratified split (Microsoft Recommenders) and per-user folds (chapter 13)."""

import numpy as np
import pandas as pd
import pytest

from hybridrec_ref.data import Interactions, stratified_split, user_folds


def _random_data(seed=0, n=600, n_users=40, n_items=30):
    rng = np.random.default_rng(seed)
    return Interactions(rng.integers(0, n_users, n), rng.integers(0, n_items, n), n_users, n_items,
                        ratings=rng.integers(1, 6, n).astype(np.float32))


def _peer_reference(data, ratio, by, seed, rounded):
    """The peer's pandas procedure, written out independently as an oracle (their July-2025 and later rules)."""
    df = pd.DataFrame({"user": data.users, "item": data.items, "row": np.arange(len(data))})
    np.random.seed(seed)
    df["random"] = np.random.rand(len(df))
    df = df.sort_values([by, "random"])
    g = df.groupby(by)
    df["count"] = g[by].transform("count")
    df["rank"] = g.cumcount() + 1
    train = df["rank"] <= np.round(ratio * df["count"]) if rounded else df["rank"] / df["count"] <= ratio
    return df[train]["row"].to_numpy(), df[~train]["row"].to_numpy()


def _rows(part, data):
    """Row numbers of ``part`` in ``data`` (pairs may repeat: match user, item and rating in order)."""
    key = data.users * 10_000 + data.items * 10 + data.ratings.astype(int)
    pkey = part.users * 10_000 + part.items * 10 + part.ratings.astype(int)
    return key, pkey


@pytest.mark.parametrize("by", ["item", "user"])
@pytest.mark.parametrize("rounded", [True, False])
def test_stratified_split_matches_the_peer_procedure_row_for_row(by, rounded):
    data = _random_data()
    train, test = stratified_split(data, 0.75, filter_by=by, seed=42, rounded=rounded)
    ref_train, ref_test = _peer_reference(data, 0.75, by, 42, rounded)
    key, tkey = _rows(train, data)
    assert np.array_equal(tkey, key[ref_train])  # same rows, same order
    _, skey = _rows(test, data)
    assert np.array_equal(skey, key[ref_test])


def test_stratified_split_keeps_the_ratio_per_item():
    data = _random_data(1, n=2000)
    train, test = stratified_split(data, 0.75, filter_by="item", seed=7)
    n = data.item_counts()
    assert np.array_equal(train.item_counts(), np.round(0.75 * n).astype(int))  # half to even: 2 -> 2, 6 -> 4
    assert np.array_equal(train.item_counts() + test.item_counts(), n)
    _, test_frac = stratified_split(data, 0.75, filter_by="item", seed=7, rounded=False)
    assert np.array_equal(test_frac.item_counts(), n - np.floor(0.75 * n).astype(int))


def test_stratified_split_small_groups_follow_the_two_rules():
    data = Interactions(np.array([0, 1, 2, 3]), np.array([0, 1, 1, 2]), 4, 3)  # item 0 once, 1 twice, 2 once
    train, test = stratified_split(data, 0.75, filter_by="item")
    assert len(test) == 0 and len(train) == 4  # round(0.75) = 1, round(1.5) = 2
    train, test = stratified_split(data, 0.75, filter_by="item", rounded=False)
    assert sorted(test.items.tolist()) == [0, 1, 2]  # rank 1/1 > 0.75 and 2/2 > 0.75


def test_stratified_split_is_deterministic_in_its_seed():
    data = _random_data(2)
    a = stratified_split(data, seed=3, filter_by="item")[1]
    b = stratified_split(data, seed=3, filter_by="item")[1]
    c = stratified_split(data, seed=4, filter_by="item")[1]
    assert np.array_equal(a.users, b.users) and np.array_equal(a.items, b.items)
    assert not (np.array_equal(a.users, c.users) and np.array_equal(a.items, c.items))


def test_stratified_split_rejects_bad_arguments():
    data = _random_data()
    with pytest.raises(ValueError, match="filter_by"):
        stratified_split(data, filter_by="time")
    with pytest.raises(ValueError, match="ratio"):
        stratified_split(data, ratio=1.0)


def test_user_folds_test_each_interaction_once_and_stratify_by_user():
    data = _random_data(3, n=3000)
    seen = np.zeros(len(data), dtype=int)
    key = data.users * 1000 + data.items
    per_user = []
    for train, test in user_folds(data, k=5, seed=1):
        assert len(train) + len(test) == len(data)
        per_user.append(test.user_counts())
        seen += np.isin(np.arange(len(data)), np.flatnonzero(np.isin(key, test.users * 1000 + test.items)))
    assert (seen >= 1).all()
    counts = np.vstack(per_user)
    assert (counts.max(0) - counts.min(0) <= 1).all()  # round-robin: fold sizes per user differ by at most 1
    assert counts.sum() == len(data)
    with pytest.raises(ValueError, match="k must"):
        next(user_folds(data, k=1))
