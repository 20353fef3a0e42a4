"""Language models as next-item recommenders (hybridrec_ref.lm.recommender)."""

import numpy as np
import pytest

from hybridrec_ref.data import Interactions, leave_last_out
from hybridrec_ref.eval import evaluate
from hybridrec_ref.lm import LMRecommender, N_SPECIAL, perplexity


@pytest.fixture(scope="module")
def cyclic():
    """Each user walks the catalogue in order from a random start: item i is always followed by i+1 (mod 10)."""
    rng = np.random.default_rng(0)
    users, items, times = [], [], []
    for u in range(40):
        start = rng.integers(0, 10)
        for t in range(8):
            users.append(u)
            items.append((start + t) % 10)
            times.append(t)
    data = Interactions(users, items, 40, 10, timestamps=times)
    return leave_last_out(data, n=1, seed=0)


@pytest.mark.parametrize("kind, params", [
    ("ngram", dict(model_params={"n": 2})),
    ("lstm", dict(model_params={"d_model": 16, "dropout": 0.0}, train_params={"n_epochs": 60, "lr": 1e-2})),
    ("transformer", dict(model_params={"d_model": 16, "max_len": 8, "dropout": 0.0},
                         train_params={"n_epochs": 60, "lr": 1e-2})),
])
def test_learns_the_next_item(cyclic, kind, params):
    train, test = cyclic
    rec = LMRecommender(kind, device="cpu", seed=0, **params).fit(train)
    scores = rec.score(np.arange(train.n_users))
    assert scores.shape == (train.n_users, train.n_items)
    top1 = rec.recommend(test.users, k=1)[:, 0]
    assert (top1 == test.items).mean() == 1.0  # the rule is deterministic
    res = evaluate(rec, train, test, ks=(1,)).set_index("metric")["value"]
    assert res["HitRate"] == 1.0
    ppl = perplexity(rec.lm_, rec.test_sentences(test), last_n=1)
    assert 1.0 <= ppl < 2.0  # nearly certain of the held-out item


def test_scores_are_next_item_log_probs(cyclic):
    train, _ = cyclic
    rec = LMRecommender("ngram", {"n": 2}).fit(train)
    scores = rec.score(np.array([0, 1])).cpu().numpy()
    full = rec.lm_.next_distribution([rec.histories_[0], rec.histories_[1]])
    np.testing.assert_allclose(np.exp(scores), full[:, N_SPECIAL:], rtol=1e-5)


def test_bad_input():
    with pytest.raises(ValueError, match="kind must be one of"):
        LMRecommender("gpt")
    with pytest.raises(ValueError, match="neural LMs only"):
        LMRecommender("ngram", train_params={"n_epochs": 3})
