"""The recommender protocol and the two baselines, with Surprise as the peer."""

import numpy as np
import pytest
import torch

from hybridrec_ref.base import NotFittedError
from hybridrec_ref.cf import BiasBaseline, MostPopular
from hybridrec_ref.data import Interactions, random_holdout
from hybridrec_ref.eval import rmse


def small():
    return Interactions(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 2, 1]), 3, 4,
                        ratings=np.array([5.0, 3.0, 4.0, 1.0, 2.0]))


def test_most_popular_ranks_by_count_and_excludes_seen():
    model = MostPopular().fit(small())
    assert model.score([0]).tolist() == [[1.0, 3.0, 1.0, 0.0]]
    assert model.recommend([2], k=2, exclude_seen=False)[0][0] == 1
    top = model.recommend([0, 2], k=2)
    assert 0 not in top[0] and 1 not in top[0] and 1 not in top[1]


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.recommend([0], k=0), ValueError, "positive integer"),
    (lambda m: m.recommend([0], k=2.5), ValueError, "positive integer"),
    (lambda m: m.recommend([0], k=99), ValueError, "exceeds"),
    (lambda m: m.recommend([7], k=1), ValueError, "user indices"),
    (lambda m: m.score(["alice"]), TypeError, "integer indices"),
    (lambda m: m.predict([0], [1]), NotImplementedError, "does not predict ratings"),
])
def test_protocol_errors_name_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call(MostPopular().fit(small()))


def test_unfitted_and_bad_fit_inputs():
    with pytest.raises(NotFittedError, match="fit"):
        MostPopular().recommend([0])
    with pytest.raises(TypeError, match="Interactions"):
        MostPopular().fit([(0, 1)])
    with pytest.raises(ValueError, match="explicit ratings"):
        BiasBaseline().fit(Interactions(np.array([0]), np.array([0]), 1, 1))
    with pytest.raises(ValueError, match="n_epochs"):
        BiasBaseline(n_epochs=0)
    with pytest.raises(ValueError, match="does not use validation"):
        MostPopular().fit(small(), valid=small())


def test_bias_baseline_closed_form_on_one_epoch():
    d = small()
    m = BiasBaseline(n_epochs=1, reg_user=0.0, reg_item=0.0).fit(d)
    mu = d.ratings.mean()
    # with no regularisation and b_u = 0 the first item update is the item mean residual
    assert m.item_bias_[0].item() == pytest.approx(5.0 - mu, abs=1e-5)
    pred = m.predict(np.array([0, 1]), np.array([0, 3]))
    assert np.all((pred >= 1.0) & (pred <= 5.0))
    assert isinstance(m.score([0, 1]), torch.Tensor) and m.score([0, 1]).shape == (2, 4)
    with pytest.raises(ValueError, match="same length"):
        m.predict([0, 1], [0])


def test_bias_baseline_matches_surprise_baselineonly(ml100k):
    """Peer cross-check on ML-100k, per-user 75/25 split (seed 42): same updates, same RMSE."""
    surprise = pytest.importorskip("surprise")
    train, test = random_holdout(ml100k.interactions, 0.25, seed=42)
    ours = rmse(BiasBaseline().fit(train).predict(test.users, test.items), test.ratings)
    df = train.to_frame()
    data = surprise.Dataset.load_from_df(df[["user", "item", "rating"]], surprise.Reader(rating_scale=(1, 5)))
    algo = surprise.BaselineOnly(verbose=False).fit(data.build_full_trainset())
    theirs = surprise.accuracy.rmse(algo.test(list(zip(test.users, test.items, test.ratings))), verbose=False)
    print(f"\nBias baseline RMSE: ours {ours:.4f}, Surprise BaselineOnly {theirs:.4f}")
    assert ours == pytest.approx(theirs, abs=1e-4)  # identical algorithm; float32 vs float64 only
    assert ours == pytest.approx(0.9468, abs=0.002)  # measured on this split
