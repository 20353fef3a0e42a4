"""Peer wrappers (hybridrec_ref.cf.peers): Surprise, cornac and implicit behind our protocol."""

import numpy as np
import pytest

from hybridrec_ref.cf import BiasBaseline
from hybridrec_ref.cf.peers import CornacBPR, ImplicitALS, SurpriseRating
from hybridrec_ref.data import Interactions, random_holdout


def small(seed=0):
    rng = np.random.default_rng(seed)
    u, i = np.nonzero(rng.random((40, 30)) < 0.3)
    keep = i < 28  # items 28 and 29 never appear: peers must still return a full-width score row
    return Interactions(u[keep], i[keep], 40, 30, ratings=rng.integers(1, 6, keep.sum()).astype(float))


def test_surprise_wrapper_reproduces_our_bias_baseline():
    pytest.importorskip("surprise")
    train, test = random_holdout(small(), 0.2, seed=0)
    peer = SurpriseRating("BaselineOnly", verbose=False).fit(train).predict(test.users, test.items)
    ours = BiasBaseline(device="cpu").fit(train).predict(test.users, test.items)
    np.testing.assert_allclose(ours, peer, atol=1e-4)
    assert SurpriseRating("SVD").predicts_ratings
    with pytest.raises(ValueError, match="no algorithm"):
        SurpriseRating("NoSuchAlgo").fit(train)
    with pytest.raises(NotImplementedError, match="rating prediction only"):
        SurpriseRating("BaselineOnly", verbose=False).fit(train).score([0])


@pytest.mark.parametrize("make", [lambda: CornacBPR(k=4, max_iter=3), lambda: ImplicitALS(factors=4, iterations=2)])
def test_ranking_wrappers_score_in_our_index_space(make):
    pytest.importorskip("cornac")
    pytest.importorskip("implicit")
    data = small()
    model = make().fit(data)
    scores = model.score(np.arange(40))
    assert scores.shape == (40, 30)
    assert np.isfinite(scores[:, :28].numpy()).all()
    top = model.recommend(np.arange(40), k=5)
    seen = data.to_csr("ones").toarray().astype(bool)
    assert not seen[np.arange(40)[:, None], top].any()
