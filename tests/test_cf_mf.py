"""Explicit biased MF (hybridrec_ref.cf.mf): the SGD update, learning, and Surprise's SVD on the same split."""

import numpy as np
import pytest
import torch

from hybridrec_ref.cf.mf import MatrixFactorization
from hybridrec_ref.data import Interactions, kfold

torch.set_num_threads(1)


def low_rank(n_users=80, n_items=60, rank=3, density=0.5, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    P, Q = rng.normal(size=(n_users, rank)), rng.normal(size=(n_items, rank))
    mask = rng.random((n_users, n_items)) < density
    u, i = np.nonzero(mask)
    r = 3 + 0.5 * (P[u] * Q[i]).sum(1) + rng.normal(0, noise, len(u))
    return Interactions(u, i, n_users, n_items, ratings=r)


def test_one_rating_one_epoch_is_the_sgd_update():
    data = Interactions([0], [1], 2, 3, ratings=[4.0])
    m = MatrixFactorization(n_factors=4, n_epochs=1, lr=0.1, reg=0.2, init_std=0.5, seed=7, device="cpu").fit(data)
    gen = torch.Generator().manual_seed(7)
    P0 = torch.randn(2, 4, generator=gen) * 0.5
    Q0 = torch.randn(3, 4, generator=gen) * 0.5
    p, q = P0[0], Q0[1]
    err = 4.0 - (4.0 + p @ q)  # mu = 4, biases start at 0
    torch.testing.assert_close(m.user_factors_[0], p + 0.1 * (err * q - 0.2 * p))
    torch.testing.assert_close(m.item_factors_[1], q + 0.1 * (err * p - 0.2 * q))
    assert float(m.user_bias_[0]) == pytest.approx(0.1 * float(err), abs=1e-6)
    assert float(m.item_bias_[1]) == pytest.approx(0.1 * float(err), abs=1e-6)
    torch.testing.assert_close(m.item_factors_[0], Q0[0])  # untouched rows keep their initial values
    assert torch.equal(m.user_factors_[1], torch.zeros(4))  # a user without ratings has no taste: zero factors


def test_learns_low_rank_ratings_and_records_history():
    data = low_rank()
    train, valid = next(kfold(data, 5, seed=1))
    m = MatrixFactorization(n_factors=8, n_epochs=40, lr=0.02, reg=0.02, batch_size=64, device="cpu").fit(train, valid)
    h = m.history_
    assert list(h.columns) == ["train_rmse", "valid_rmse"] and len(h) == 40
    assert h.train_rmse.iloc[-1] < 0.5 * h.train_rmse.iloc[0]
    # better than predicting the global mean on held-out ratings
    pred = m.predict(valid.users, valid.items)
    assert np.sqrt(np.mean((pred - valid.ratings) ** 2)) < 0.8 * np.std(valid.ratings)
    assert h.valid_rmse.iloc[-1] == pytest.approx(np.sqrt(np.mean((pred - valid.ratings) ** 2)), abs=1e-4)
    # ranking scores are the unclipped predictions
    s = m.score(np.array([valid.users[0]]))[0, valid.items[0]]
    assert float(s.clamp(*m.rating_range_)) == pytest.approx(float(pred[0]), abs=1e-5)


def test_seeded_and_batch_size_is_an_implementation_detail():
    data = low_rank(seed=2)
    a = MatrixFactorization(n_factors=5, n_epochs=5, seed=3, device="cpu").fit(data).predict(data.users, data.items)
    b = MatrixFactorization(n_factors=5, n_epochs=5, seed=3, device="cpu").fit(data).predict(data.users, data.items)
    np.testing.assert_array_equal(a, b)
    small = MatrixFactorization(n_factors=5, n_epochs=5, seed=3, batch_size=8, device="cpu").fit(data)
    c = small.predict(data.users, data.items)
    assert np.abs(a - c).mean() < 0.02  # summed mini-batch gradients ~ per-rating SGD


def test_close_to_surprise_svd_on_a_subset(ml100k):
    surprise = pytest.importorskip("surprise")
    data = ml100k.interactions
    data = data.subset(data.users < 300)
    train, test = next(kfold(data, 5, seed=0))
    ours = MatrixFactorization(device="cpu").fit(train)
    ours_rmse = np.sqrt(np.mean((ours.predict(test.users, test.items) - test.ratings) ** 2))
    frame = train.to_frame()[["user", "item", "rating"]]
    svd = surprise.SVD(random_state=0).fit(
        surprise.Dataset.load_from_df(frame, surprise.Reader(rating_scale=(1, 5))).build_full_trainset())
    peer = np.array([svd.predict(u, i).est for u, i in zip(test.users.tolist(), test.items.tolist())])
    peer_rmse = np.sqrt(np.mean((peer - test.ratings) ** 2))
    assert ours_rmse == pytest.approx(peer_rmse, abs=0.01)  # same algorithm and defaults, different random draws


def test_bad_input_raises():
    with pytest.raises(ValueError, match="n_factors"):
        MatrixFactorization(n_factors=0)
    with pytest.raises(ValueError, match="lr"):
        MatrixFactorization(lr=-1)
    with pytest.raises(ValueError, match="reg"):
        MatrixFactorization(reg=-0.1)
    with pytest.raises(ValueError, match="ratings"):
        MatrixFactorization().fit(Interactions([0, 1], [0, 1], 2, 2))
    data = low_rank()
    with pytest.raises(TypeError, match="valid"):
        MatrixFactorization(n_epochs=1).fit(data, valid="not a split")
