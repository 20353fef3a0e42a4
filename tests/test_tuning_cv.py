"""Cross-validation, nested CV, selection leakage and the objectives (chapter 13)."""

import numpy as np
import pytest
import torch

from hybridrec_ref.base import Recommender
from hybridrec_ref.cf import EASE, MostPopular
from hybridrec_ref.cf.baselines import BiasBaseline
from hybridrec_ref.data import Interactions, random_holdout
from hybridrec_ref.tuning import (Choice, Float, blend_objective, cross_validate, kcore, model_objective, nested_cv,
                                  preprocessing_objective, search, selection_leakage, validation_ndcg)


@pytest.fixture(scope="module")
def small(ml100k):
    """The 120 most active users of ML-100k (fast, still real)."""
    d = ml100k.interactions
    top = np.argsort(-d.user_counts())[:120]
    return d.subset(np.isin(d.users, top))


def test_user_fold_cv_scores_every_fold(small):
    table = cross_validate(EASE, small, {"lam": 200.0}, folds="user", n_folds=3)
    assert list(table.fold) == [0, 1, 2] and table.score.between(0.05, 1).all()
    pop = cross_validate(MostPopular, small, folds="user", n_folds=3)
    assert table.score.mean() > pop.score.mean()  # EASE beats popularity on every reading of this data


def test_rating_fold_cv_reports_rmse(small):
    table = cross_validate(BiasBaseline, small, folds="rating", n_folds=3)
    assert table.score.between(0.7, 1.2).all()  # RMSE of a bias baseline on 1-5 ratings
    with pytest.raises(ValueError, match="folds"):
        cross_validate(BiasBaseline, small, folds="time")


def test_nested_cv_tunes_inside_each_outer_fold(small):
    table = nested_cv(EASE, {"lam": Float(1.0, 5000.0, log=True)}, small, "random", n_trials=3, n_folds=2)
    assert len(table) == 2 and {"lam", "inner", "outer"} <= set(table.columns)
    assert table.outer.between(0.05, 1).all() and table.inner.between(0.05, 1).all()


class Noise(Recommender):
    """Random scores: every configuration is equally good, so any gap between test halves is pure selection."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def _fit(self, train):
        self.s_ = torch.as_tensor(np.random.default_rng(self.seed).random((train.n_users, train.n_items)))

    def _score(self, users):
        return self.s_[torch.as_tensor(users)]


def test_choosing_on_the_test_set_is_optimistic(small):
    train, test = random_holdout(small, 0.2, seed=0)
    out = selection_leakage(Noise, [{"seed": s} for s in range(30)], train, test)
    assert out["score_A"] == out["table"].A.max() and out["mean_A"] == out["table"].A.mean()
    assert out["score_A"] > out["mean_A"]  # the winner on half A leads there ...
    assert out["optimism"] > 0  # ... by more than on half B, where its luck does not carry over
    with pytest.raises(ValueError, match="candidate"):
        selection_leakage(Noise, [], train, test)


def test_kcore_filters_until_stable():
    d = Interactions(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 1, 2]), 3, 3)
    core = kcore(d, min_user=2, min_item=2)
    assert sorted(zip(core.users.tolist(), core.items.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert len(kcore(d, 3, 1)) == 0
    with pytest.raises(ValueError):
        kcore(d, 0, 1)


def test_objectives_score_the_validation_split(small):
    fit, valid = random_holdout(small, 0.2, seed=1)
    ease = EASE(lam=200.0).fit(fit)
    assert model_objective(EASE, fit, valid)({"lam": 200.0}, None) == pytest.approx(validation_ndcg(ease, valid))
    pre = preprocessing_objective(lambda: EASE(lam=200.0), fit, valid)
    assert pre({"min_user": 1, "min_item": 1}, None) == pytest.approx(validation_ndcg(ease, valid), abs=1e-6)
    assert pre({"min_item": 10_000}, None) == 0.0  # nothing left to train on
    pop = MostPopular().fit(fit)
    blend = blend_objective({"EASE": ease, "POP": pop}, valid)
    only_ease = blend({"w_EASE": 1.0, "w_POP": 0.0, "normalise": "zscore"}, None)
    assert only_ease == pytest.approx(validation_ndcg(ease, valid), abs=1e-6)
    t = search(blend, {"w_POP": Float(0, 1), "normalise": Choice(("zscore", "rank"))}, "random", 6, seed=0)
    assert t.attrs["best_value"] >= t.value.min()
