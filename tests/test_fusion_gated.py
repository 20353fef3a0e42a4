"""Gated fusion: the gate learns to trust the informative expert, and history features move the weights."""

import numpy as np
import pytest
import torch
from conftest import FixedScores

from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion.gated import GatedFusion


def planted(seed=0, n_users=80, n_items=120):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=(n_users, 4)) @ rng.normal(size=(4, n_items))
    top = np.argsort(-truth, axis=1)[:, :20]
    data = Interactions(np.repeat(np.arange(n_users), 20), top.ravel(), n_users, n_items)
    noise = rng.normal(size=truth.shape)
    return data, truth, noise


def test_gate_trusts_the_informative_expert():
    data, truth, noise = planted()
    g = GatedFusion({"oracle": FixedScores(truth), "noise": FixedScores(noise)}, n_steps=150, lr=0.1).fit(data)
    w = g.weights(np.arange(10), np.arange(10))
    assert np.all(w["oracle"] > w["noise"])
    assert g.history_["loss"].iloc[-1] < g.history_["loss"].iloc[0]
    top = g.recommend(np.arange(data.n_users), k=5, exclude_seen=False)
    hits = np.take_along_axis(np.argsort(-truth, axis=1)[:, :20], np.zeros((data.n_users, 1), int), 1)
    assert np.mean([h in t for h, t in zip(hits.ravel(), top)]) > 0.9


def test_update_changes_history_features_but_not_the_gate():
    data, truth, noise = planted(1)
    g = GatedFusion({"a": FixedScores(truth), "b": FixedScores(noise)}, n_steps=20).fit(data)
    gate = g.gate_.clone()
    before = g.weights([0], [0])["a"]
    g.update(data.subset(data.users != 0))          # user 0 now has no history
    assert torch.equal(g.gate_, gate)
    assert g.user_counts_[0] == 0
    assert not np.allclose(before, g.weights([0], [0])["a"])


@pytest.mark.parametrize("kwargs, message", [
    (dict(experts={"a": FixedScores(np.zeros((1, 1)))}), "two experts"),
    (dict(experts={"a": FixedScores(0), "b": FixedScores(0)}, abstain_on_cold=("c",)), "unknown experts"),
    (dict(experts={"a": FixedScores(0), "b": FixedScores(0)}, context=("age",)), "context"),
])
def test_bad_configuration_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GatedFusion(**kwargs)
