"""SocialMF (chapter 11): trust regularisation, the no-ratings user, validation, clone."""

import numpy as np
import pytest
import scipy.sparse as sp

from hybridrec_ref.base import clone
from hybridrec_ref.cf import SocialMF
from hybridrec_ref.cf.social import row_normalised
from hybridrec_ref.data import Interactions


def _data(seed=0):
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(6), 6)
    items = np.concatenate([rng.choice(8, 6, replace=False) for _ in range(6)])
    ratings = rng.integers(1, 6, len(users)).astype(np.float32)
    # user 6 has no ratings at all (index space 7 users)
    return Interactions(users, items, 7, 8, ratings)


def _trust():
    t = np.zeros((7, 7), np.float32)
    t[6, 0] = 1.0          # the user without ratings trusts user 0
    t[1, 2] = t[1, 3] = 1.0
    return sp.csr_matrix(t)


def test_row_normalised():
    m = row_normalised(_trust()).toarray()
    assert m[1, 2] == m[1, 3] == 0.5 and m[6, 0] == 1.0 and m[0].sum() == 0
    with pytest.raises(ValueError, match="square"):
        row_normalised(sp.csr_matrix((2, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        row_normalised(sp.csr_matrix(np.array([[0, -1.0], [0, 0]])))


def test_user_without_ratings_gets_the_trusted_users_factor():
    m = SocialMF(_trust(), n_factors=4, n_epochs=300, lr=0.05, social_reg=1.0, device="cpu").fit(_data())
    P = m.user_factors_.numpy()
    assert np.linalg.norm(P[6] - P[0]) < 0.05 * np.linalg.norm(P[0])
    plain = SocialMF(_trust(), n_factors=4, n_epochs=300, lr=0.05, social_reg=0.0, device="cpu").fit(_data())
    Pp = plain.user_factors_.numpy()
    assert np.linalg.norm(Pp[6] - Pp[0]) > 5 * np.linalg.norm(P[6] - P[0])   # without trust it stays at init


def test_trust_pulls_the_truster_towards_the_trusted_mean():
    gap = {}
    for beta in (0.0, 5.0):
        P = SocialMF(_trust(), n_factors=4, n_epochs=300, lr=0.05, social_reg=beta, device="cpu").fit(_data()).user_factors_
        gap[beta] = float((P[1] - (P[2] + P[3]) / 2).norm())
    assert gap[5.0] < 0.5 * gap[0.0]


def test_predictions_in_range_and_scores_shape():
    data = _data()
    m = SocialMF(_trust(), n_epochs=50, device="cpu").fit(data)
    p = m.predict(data.users, data.items)
    assert p.min() >= 1 and p.max() <= 5
    assert tuple(m.score([0, 6]).shape) == (2, 8)
    assert m.history_["loss"].iloc[-1] < m.history_["loss"].iloc[0]


def test_validation_and_clone():
    with pytest.raises(ValueError, match="n_factors"):
        SocialMF(_trust(), n_factors=0)
    with pytest.raises(ValueError, match="social_reg"):
        SocialMF(_trust(), social_reg=-1)
    with pytest.raises(TypeError, match="trust"):
        SocialMF([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="7 x 7"):
        SocialMF(_trust()).fit(Interactions([0], [0], 3, 2, [4.0]))
    with pytest.raises(ValueError, match="explicit ratings"):
        SocialMF(_trust()).fit(Interactions([0], [0], 7, 2))
    m = SocialMF(_trust(), social_reg=2.0)
    c = clone(m)
    assert c.get_params()["social_reg"] == 2.0 and not hasattr(c, "user_factors_")
