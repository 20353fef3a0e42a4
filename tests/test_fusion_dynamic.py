"""Stream replay: test-then-train without leakage, correct prequential metrics, and the gate's weights over time."""

import numpy as np
import pytest
import torch
from conftest import FixedScores

from hybridrec_ref.base import Recommender
from hybridrec_ref.cf import MostPopular
from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion.dynamic import history_bucket_labels, replay_stream, stream_chunks, weights_by_history
from hybridrec_ref.fusion.gated import GatedFusion


def stream(seed=0, n_users=40, n_items=60, n=800):
    """Distinct timestamps, shuffled storage order, no repeated (user, item) pair."""
    rng = np.random.default_rng(seed)
    keys = rng.choice(n_users * n_items, n, replace=False)
    ts = rng.permutation(n) * 10 + 1_000_000
    return Interactions(keys // n_items, keys % n_items, n_users, n_items, timestamps=ts)


class Spy(Recommender):
    """Remembers what it was fitted / updated on, and logs it each time it is asked to score."""

    def __init__(self):
        self.log = []

    def _fit(self, train):
        self.update(train)

    def update(self, history):
        self.known_ts_ = history.timestamps.max()
        self.known_pairs_ = set(zip(history.users.tolist(), history.items.tolist()))
        return self

    def _score(self, users):
        self.log.append((self.known_ts_, self.known_pairs_))
        return torch.rand(len(users), self.n_items_)


@pytest.mark.parametrize("refresh", ["none", "update", "refit"])
def test_replay_never_shows_the_model_its_test_chunk(refresh):
    data = stream()
    spy = Spy()
    out = replay_stream(spy, data, n_chunks=5, initial_frac=0.4, refresh=refresh)
    initial, chunks = stream_chunks(data, 5, 0.4)
    assert len(out) == len(spy.log) == 5
    for c, idx in enumerate(chunks):
        known_ts, known = spy.log[c]
        assert known_ts < data.timestamps[idx].min()               # only the past
        assert not known & set(zip(data.users[idx].tolist(), data.items[idx].tolist()))
        expected = len(initial) if refresh == "none" else len(initial) + sum(len(i) for i in chunks[:c])
        assert len(known) == expected
    assert out["n_history"].tolist() == [len(initial) + sum(len(i) for i in chunks[:c]) for c in range(5)]
    assert (out["start"].diff().dropna() > np.timedelta64(0)).all()


def test_chunks_are_time_ordered_and_cover_the_stream():
    data = stream(1)
    initial, chunks = stream_chunks(data, 4, 0.5)
    order = np.concatenate([initial] + chunks)
    assert sorted(order.tolist()) == list(range(len(data)))
    assert np.all(np.diff(data.timestamps[order]) > 0)


def test_an_oracle_gets_full_recall_and_a_popularity_model_less():
    data = stream(2)
    truth = np.zeros((data.n_users, data.n_items))
    truth[data.users, data.items] = data.timestamps.max() + 1 - data.timestamps   # the nearer future first
    out = replay_stream(FixedScores(truth), data, n_chunks=4, initial_frac=0.5, refresh="none", k=30)
    assert np.allclose(out["Recall@30"], 1.0) and np.allclose(out["NDCG@30"], 1.0)
    pop = replay_stream(MostPopular(), data, n_chunks=4, initial_frac=0.5, refresh="refit", k=10)
    assert (pop["Recall@10"] < 1).all() and (pop["n_users"] > 0).all()


def test_cold_and_new_user_shares_are_measured_against_the_past():
    data = stream(3)
    out = replay_stream(MostPopular(), data, n_chunks=3, initial_frac=0.5, refresh="refit")
    initial, chunks = stream_chunks(data, 3, 0.5)
    seen_items = set(data.items[initial].tolist())
    first = data.items[chunks[0]]
    assert out.loc[0, "cold_item_share"] == pytest.approx(np.mean([i not in seen_items for i in first]))


def planted(seed=0, n_users=50, n_items=60):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=(n_users, 3)) @ rng.normal(size=(3, n_items))
    top = np.argsort(-truth, axis=1)[:, :15]
    users = np.repeat(np.arange(n_users), 15)
    ts = rng.permutation(len(users)) + 1_000
    return Interactions(users, top.ravel(), n_users, n_items, timestamps=ts), truth, rng.normal(size=truth.shape)


def test_gated_replay_records_weights_by_history_bucket():
    data, truth, noise = planted()
    gate = GatedFusion({"good": FixedScores(truth), "noise": FixedScores(noise)}, n_steps=30, normalise="zscore")
    out = replay_stream(gate, data, n_chunks=3, initial_frac=0.5, refresh="update")
    assert {"weight:good", "weight:noise"} <= set(out.columns)
    w = out.attrs["weights"]
    assert set(w.expert) == {"good", "noise"} and set(w.user_history) <= set(history_bucket_labels())
    assert (out["weight:good"] > out["weight:noise"]).all()
    assert out["NDCG@10"].min() > 0.3                       # the informative expert carries the ranking


def test_weights_by_history_follows_the_gate():
    data, truth, noise = planted(1)
    g = GatedFusion({"a": FixedScores(truth), "b": FixedScores(noise)}, n_steps=5).fit(data.subset(data.users >= 5))
    g.gate_ = torch.tensor([[0.0, 2.0, 0.0], [0.0, -2.0, 0.0]])   # a grows, b shrinks with user history
    table = weights_by_history(g)
    assert np.array_equal(table["user_history"], g.user_counts_) and table.attrs["item_history"] > 0
    by = table.sort_values("user_history")
    assert by["a"].is_monotonic_increasing and by["b"].is_monotonic_decreasing
    assert by["a"].iloc[0] == pytest.approx(1.0)             # users 0-4 have no history: exp(0)
    cold = weights_by_history(g, "cold") if (g.item_counts_ == 0).any() else None
    assert cold is None or cold.attrs["item_history"] == 0


def test_bad_input_is_named():
    data = stream()
    with pytest.raises(ValueError, match="refresh"):
        replay_stream(MostPopular(), data, refresh="sometimes")
    with pytest.raises(ValueError, match="no update"):
        replay_stream(MostPopular(), data, refresh="update")
    with pytest.raises(ValueError, match="timestamps"):
        replay_stream(MostPopular(), Interactions(data.users, data.items, 40, 60), refresh="none")
    with pytest.raises(ValueError, match="n_chunks"):
        replay_stream(MostPopular(), data, n_chunks=0, refresh="none")
    with pytest.raises(ValueError, match="initial_frac"):
        replay_stream(MostPopular(), data, initial_frac=1.0, refresh="none")
    with pytest.raises(TypeError, match="factory"):
        replay_stream(42, data)
    with pytest.raises(TypeError, match="gated"):
        weights_by_history(MostPopular().fit(data))
