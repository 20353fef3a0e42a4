"""BPR-MF (hybridrec_ref.cf.bpr): negative sampling, the SGD update, learning a clustered signal."""

import numpy as np
import pytest
import torch

from hybridrec_ref.cf.bpr import BPR, sample_negatives
from hybridrec_ref.data import Interactions, random_holdout
from hybridrec_ref.eval import evaluate

torch.set_num_threads(1)


def clustered(n_users=80, n_items=50, seed=0):
    rng = np.random.default_rng(seed)
    own = (np.arange(n_items)[None, :] % 2) == (np.arange(n_users) % 2)[:, None]
    u, i = np.nonzero(rng.random((n_users, n_items)) < np.where(own, 0.4, 0.03))
    return Interactions(u, i, n_users, n_items)


def test_negatives_are_never_positives_and_cover_the_rest():
    data = clustered()
    users = torch.as_tensor(data.users)
    keys = torch.sort(users * data.n_items + torch.as_tensor(data.items)).values
    gen = torch.Generator().manual_seed(0)
    neg = sample_negatives(users.repeat(20), keys, data.n_items, gen)
    seen = data.to_csr("ones").toarray().astype(bool)
    assert not seen[users.repeat(20).numpy(), neg.numpy()].any()
    # uniform over the unseen items: every unseen item of user 0 shows up when sampled often
    many = sample_negatives(torch.zeros(5000, dtype=torch.int64), keys, data.n_items, gen).numpy()
    assert set(many) == set(np.flatnonzero(~seen[0]))


def test_one_triple_is_the_sgd_update():
    data = Interactions([0], [0], 1, 2)  # the only negative of user 0 is item 1
    m = BPR(n_factors=3, n_epochs=1, lr=0.5, reg=0.1, init_std=0.3, seed=1, device="cpu").fit(data)
    gen = torch.Generator().manual_seed(1)
    P0 = torch.randn(1, 3, generator=gen) * 0.3
    Q0 = torch.randn(2, 3, generator=gen) * 0.3
    p, qi, qj = P0[0], Q0[0], Q0[1]
    z = torch.sigmoid(-(p @ (qi - qj)))
    torch.testing.assert_close(m.user_factors_[0], p + 0.5 * (z * (qi - qj) - 0.1 * p))
    torch.testing.assert_close(m.item_factors_[0], qi + 0.5 * (z * p - 0.1 * qi))
    torch.testing.assert_close(m.item_factors_[1], qj + 0.5 * (-z * p - 0.1 * qj))
    torch.testing.assert_close(m.item_bias_, torch.stack([0.5 * z, -0.5 * z]))


def test_learns_clusters_and_beats_popularity():
    data = clustered()
    train, test = random_holdout(data, 0.2, seed=0)
    m = BPR(n_factors=8, n_epochs=30, lr=0.05, reg=0.01, batch_size=64, device="cpu").fit(train)
    assert m.history_.loss.iloc[-1] < m.history_.loss.iloc[0]
    ndcg = evaluate(m, train, test).set_index("metric").loc["NDCG", "value"]
    assert ndcg > 0.3
    again = BPR(n_factors=8, n_epochs=30, lr=0.05, reg=0.01, batch_size=64, device="cpu").fit(train)
    torch.testing.assert_close(m.user_factors_, again.user_factors_)  # seeded


def test_bad_input_raises():
    with pytest.raises(ValueError, match="n_epochs"):
        BPR(n_epochs=0)
    with pytest.raises(ValueError, match="lr"):
        BPR(lr=0)
    with pytest.raises(ValueError, match="reg"):
        BPR(reg=-1)
    full = Interactions([0, 0, 1], [0, 1, 0], 2, 2)  # user 0 has seen every item
    with pytest.raises(ValueError, match="every item"):
        BPR(n_epochs=1).fit(full)
