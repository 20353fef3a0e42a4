"""EASE (hybridrec_ref.cf.ease): the closed form satisfies the constrained problem's optimality conditions."""

import numpy as np
import pytest
import torch

from hybridrec_ref.cf.ease import EASE
from hybridrec_ref.data import Interactions


def binary(n_users=50, n_items=20, seed=0):
    rng = np.random.default_rng(seed)
    u, i = np.nonzero(rng.random((n_users, n_items)) < 0.25)
    return Interactions(u, i, n_users, n_items)


def test_closed_form_is_the_constrained_least_squares_solution():
    data = binary()
    m = EASE(lam=3.0, device="cpu").fit(data)
    B = m.B_.double().numpy()
    X = data.to_csr("ones").toarray()
    G = X.T @ X
    assert np.allclose(np.diag(B), 0)
    # KKT: the gradient (G + lam I) B - G is zero off the diagonal (the diagonal carries the multipliers)
    grad = (G + 3.0 * np.eye(20)) @ B - G
    off = ~np.eye(20, dtype=bool)
    assert np.abs(grad[off]).max() < 1e-4
    # and no feasible perturbation does better
    def loss(W):
        return ((X - X @ W) ** 2).sum() + 3.0 * (W ** 2).sum()
    rng = np.random.default_rng(1)
    for _ in range(5):
        D = rng.normal(size=B.shape) * 1e-2
        np.fill_diagonal(D, 0)
        assert loss(B + D) > loss(B)
    np.testing.assert_allclose(m.score(np.arange(50)).numpy(), X @ B, atol=1e-5)


def test_strong_regularisation_shrinks_scores_and_bad_lambda_raises():
    data = binary(seed=2)
    weak = EASE(lam=1.0, device="cpu").fit(data).score(np.arange(50))
    strong = EASE(lam=1e4, device="cpu").fit(data).score(np.arange(50))
    assert strong.abs().max() < 0.1 * weak.abs().max()
    for bad in (0, -1.0, True, "500"):
        with pytest.raises(ValueError, match="lam"):
            EASE(lam=bad)
    assert torch.isfinite(weak).all()
