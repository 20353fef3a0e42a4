"""TALLRec's protocol (samples, cold items, CF data), AUC and its interval, pair features, the re-ranker."""

import numpy as np
import pandas as pd
import pytest

from hybridrec_ref.data import Dataset, Interactions
from hybridrec_ref.llm import (LLMReranker, auc, auc_interval, clean_keywords, liked_disliked_texts, pair_features,
                               yes_no_samples)
from llm_tiny import tiny_lm


def toy_dataset(n_users=30, n_items=25, per_user=12, seed=0):
    rng = np.random.default_rng(seed)
    users, items, ratings, times = [], [], [], []
    for u in range(n_users):
        its = rng.choice(n_items, per_user, replace=False)
        users += [u] * per_user
        items += list(its)
        ratings += list(rng.integers(1, 6, per_user))
        times += list(rng.permutation(per_user) + 100 * u)
    inter = Interactions(np.array(users), np.array(items), n_users, n_items, ratings=np.array(ratings, float),
                         timestamps=np.array(times))
    names = ["Toy", "Story", "Heat", "Casino", "Alien", "Fargo", "Up", "Jaws"]
    table = pd.DataFrame({"title": [names[i % len(names)] for i in range(n_items)]})
    table["text"] = table["title"]
    return Dataset("toy", inter, table)


def test_without_timestamps_storage_order_does_not_pick_the_target():
    # rows sorted by rating within each user (as a de-duplicating loader may leave them): taking the
    # "last" row as the target would make nearly every label Yes
    ds = toy_dataset(n_users=60)
    inter = ds.interactions
    order = np.lexsort((inter.ratings, inter.users))
    sorted_inter = Interactions(inter.users[order], inter.items[order], inter.n_users, inter.n_items,
                                ratings=inter.ratings[order])
    s = yes_no_samples(Dataset("toy", sorted_inter, ds.items), n_history=3, cold_frac=0.1, test_frac=0.3, seed=2)
    labels = pd.concat([s.train, s.test])["label"]
    assert 0.2 < labels.mean() < 0.9  # the ratings are uniform on 1-5: about 2/3 of Yes/No ratings are Yes


def test_samples_follow_the_protocol():
    ds = toy_dataset()
    s = yes_no_samples(ds, n_history=3, cold_frac=0.2, test_frac=0.3, seed=1)
    inter = ds.interactions
    for frame in (s.train, s.test):
        # labels from ratings: >= 4 yes, <= 2 no, 3 never a target
        assert set(frame["label"]) <= {0, 1}
        assert ((frame["rating"] >= 4) == (frame["label"] == 1)).all() and not (frame["rating"] == 3).any()
        assert (frame["liked"].map(len) + frame["disliked"].map(len) == 3).all()
    assert not s.train["cold"].any() and s.test["cold"].any()
    assert set(s.train["user"]).isdisjoint(s.test["user"])
    assert np.isin(s.test.loc[s.test["cold"], "item"], s.cold_items).all()
    assert not np.isin(s.train["item"], s.cold_items).any()
    # cf_train: no cold item, no target pair
    assert not np.isin(s.cf_train.items, s.cold_items).any()
    pairs = set(zip(s.cf_train.users.tolist(), s.cf_train.items.tolist()))
    for frame in (s.train, s.test):
        assert not any((u, i) in pairs for u, i in zip(frame["user"], frame["item"]))
    assert len(s.cf_train) < len(inter)
    # the target is each user's latest Yes/No rating of its kind: history strictly before it
    row = s.train.iloc[0]
    u_rows = np.flatnonzero(inter.users == row["user"])
    t_target = inter.timestamps[u_rows[inter.items[u_rows] == row["item"]]][0]
    later = u_rows[(inter.timestamps[u_rows] > t_target) & ~np.isin(inter.items[u_rows], s.cold_items)]
    assert not ((inter.ratings[later] >= 4) | (inter.ratings[later] <= 2)).any()
    assert len(s.take_train(5)) == 5
    with pytest.raises(ValueError):
        s.take_train(10_000)
    tok = tiny_lm().tokenizer
    assert len(s.prompts(tok, s.test)) == len(s.test)
    capped = yes_no_samples(ds, n_history=3, cold_frac=0.2, test_frac=0.3, max_test=2, seed=1)
    assert (capped.test.groupby("cold").size() <= 2).all()


def test_sample_arguments_are_checked():
    ds = toy_dataset()
    with pytest.raises(ValueError):
        yes_no_samples(ds, like=2, dislike=4)
    with pytest.raises(ValueError):
        yes_no_samples(ds, n_history=50)
    with pytest.raises(ValueError):
        yes_no_samples(ds, item_texts=["a"])


def test_auc_matches_definition():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = np.round(y + rng.normal(0, 1.0, 200), 1)  # ties included
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0 and auc([0, 0, 1, 1], [4, 3, 2, 1]) == 0.0
    value, lo, hi = auc_interval(y, s, n_boot=300)
    assert lo < value < hi and 0 <= lo and hi <= 1
    diff, dlo, dhi = auc_interval(y, s, baseline=-s, n_boot=300)
    assert diff == pytest.approx(2 * auc(y, s) - 1) and dlo > 0
    with pytest.raises(ValueError):
        auc([1, 1], [0.2, 0.3])


def test_pair_features_shrink_towards_the_mean():
    inter = Interactions(np.array([0, 0, 1]), np.array([0, 1, 0]), 2, 3, ratings=np.array([5.0, 1.0, 5.0]))
    f = pair_features(inter, [0, 1], [0, 2], prior=1.0)
    mu = 11 / 3
    assert f[1, 0] == pytest.approx(mu)  # an item nobody rated gets the global mean
    assert f[0, 0] == pytest.approx((10 + mu) / 3) and f[1, 2] == 0.0


def test_reranker_keeps_candidates_on_top_and_weight_zero_is_cf():
    from hybridrec_ref.cf import ALS

    ds = toy_dataset()
    lm = tiny_lm()
    texts = ds.items["text"].tolist()
    hist = liked_disliked_texts(ds.interactions, texts, n_history=4)
    assert all(len(a) + len(b) == 4 for a, b in hist.values())
    users = np.arange(5)
    cf = ALS(n_factors=4, n_iters=3).fit(ds.interactions)
    top_cf = cf.recommend(users, 6)
    pure = LLMReranker(ALS(n_factors=4, n_iters=3), lm, texts, n_candidates=6, llm_weight=0.0).fit(ds.interactions)
    assert (pure.recommend(users, 6) == top_cf).all()  # weight 0 keeps the CF order
    assert pure.n_scored_ == 0  # ... and asks the LLM nothing
    mixed = LLMReranker(ALS(n_factors=4, n_iters=3), lm, texts, n_candidates=6, llm_weight=1.0).fit(ds.interactions)
    rec = mixed.recommend(users, 6)
    assert all(set(a) == set(b) for a, b in zip(rec, top_cf))  # the same candidates, re-ordered
    assert mixed.n_scored_ == 30
    with pytest.raises(ValueError):
        LLMReranker(ALS(), lm, texts, llm_weight=1.5)


def test_clean_keywords():
    assert clean_keywords("Drama, romance; war.\nMore text") == "Drama, romance, war"
    assert clean_keywords("") == ""
    assert clean_keywords("\n\nKeywords: crime, heist\n") == "crime, heist"
