"""Weighted ALS (hybridrec_ref.cf.als): the closed-form solve, and implicit's exact solver from the same start."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from hybridrec_ref.cf.als import ALS, _length_batches, cg_solve, weighted_solve
from hybridrec_ref.data import Interactions, random_holdout

torch.set_num_threads(1)


def clustered(n_users=60, n_items=40, seed=0):
    """Two user groups, each interacting mostly with its own half of the items."""
    rng = np.random.default_rng(seed)
    group = np.arange(n_users) % 2
    own = (np.arange(n_items)[None, :] % 2) == group[:, None]
    p = np.where(own, 0.35, 0.03)
    u, i = np.nonzero(rng.random((n_users, n_items)) < p)
    return Interactions(u, i, n_users, n_items, ratings=rng.integers(1, 6, len(u)).astype(float))


def test_weighted_solve_matches_dense_normal_equations():
    rng = np.random.default_rng(0)
    C = sp.random(7, 12, density=0.4, random_state=1, format="csr") * 5
    Y = torch.as_tensor(rng.normal(size=(12, 3)), dtype=torch.float64)
    X = weighted_solve(C.tocsr(), Y, reg=0.5, batch_size=3).numpy()
    Yn = Y.numpy()
    for u in range(7):
        c = 1 + C[u].toarray().ravel()
        p = (C[u].toarray().ravel() > 0).astype(float)
        A = Yn.T @ (c[:, None] * Yn) + 0.5 * np.eye(3)
        np.testing.assert_allclose(X[u], np.linalg.solve(A, Yn.T @ (c * p)), atol=1e-6)  # weights are float32


def test_loss_decreases_and_clusters_are_recovered():
    data = clustered()
    train, test = random_holdout(data, 0.2, seed=0)
    m = ALS(n_factors=4, n_iters=8, reg=0.1, alpha=5, compute_loss=True, device="cpu").fit(train)
    loss = m.history_.loss.to_numpy()
    assert (np.diff(loss) <= 1e-6 * loss[0]).all()  # ALS never increases its objective
    scores = m.score(np.arange(60)).numpy()
    own = (np.arange(40)[None, :] % 2) == (np.arange(60) % 2)[:, None]
    assert scores[own].mean() > scores[~own].mean() + 0.1


def test_equals_implicit_exact_solver_from_the_same_start():
    """Peer cross-check: implicit's confidence is alpha * r, ours 1 + alpha * r: same model with alpha + 1."""
    pytest.importorskip("implicit")
    from implicit.cpu.als import AlternatingLeastSquares

    data = clustered(seed=1)
    ours = ALS(n_factors=6, n_iters=3, reg=0.5, alpha=4.0, init_std=0.1, seed=5, device="cpu").fit(data)
    gen = torch.Generator().manual_seed(5)
    X0 = (torch.randn(60, 6, generator=gen) * 0.1).numpy()
    Y0 = (torch.randn(40, 6, generator=gen) * 0.1).numpy()
    peer = AlternatingLeastSquares(factors=6, regularization=0.5, alpha=5.0, iterations=3, use_cg=False,
                                   random_state=0, num_threads=1)
    peer.user_factors, peer.item_factors = X0.copy(), Y0.copy()
    peer.fit(data.to_csr("ones").astype(np.float32), show_progress=False)
    np.testing.assert_allclose(ours.user_factors_.numpy(), peer.user_factors, atol=2e-4)
    np.testing.assert_allclose(ours.item_factors_.numpy(), peer.item_factors, atol=2e-4)


def test_users_without_interactions_get_zero_factors_and_bad_input_raises():
    data = Interactions([0, 0, 1], [0, 1, 2], 3, 4)
    m = ALS(n_factors=2, n_iters=2, device="cpu").fit(data)
    assert torch.all(m.user_factors_[2] == 0)
    with pytest.raises(ValueError, match="n_factors"):
        ALS(n_factors=0)
    with pytest.raises(ValueError, match="values"):
        ALS(values="counts")
    with pytest.raises(ValueError, match="reg"):
        ALS(reg=-1)
    with pytest.raises(ValueError, match="alpha"):
        ALS(alpha=0).fit(data)
    with pytest.raises(ValueError, match="ratings"):
        ALS(values="ratings").fit(data)


def test_loss_is_off_by_default_and_timed():
    m = ALS(n_factors=2, n_iters=2, device="cpu").fit(clustered())
    assert "loss" not in m.history_ and (m.history_.seconds > 0).all()


def test_batches_cover_every_row_once_and_cap_padded_cells():
    counts = np.array([1, 50_000, 3, 0, 40_000, 7, 2] * 5)
    batches = list(_length_batches(counts, batch_size=4, max_cells=100_000))
    rows = np.concatenate(batches)
    assert sorted(rows) == list(range(len(counts)))
    for b in batches:
        assert len(b) <= 4 and (len(b) == 1 or len(b) * max(counts[b].max(), 1) <= 100_000)


def test_cg_converges_to_the_exact_solution():
    rng = np.random.default_rng(0)
    C = (sp.random(30, 20, density=0.3, random_state=2, format="csr") * 5).astype(np.float32)
    Y = torch.as_tensor(rng.normal(size=(20, 4)), dtype=torch.float64)
    exact = weighted_solve(C, Y, reg=0.5)
    X = torch.zeros(30, 4, dtype=torch.float64)
    err = []
    for _ in range(4):  # restarted from the last solution, as between ALS iterations
        X = cg_solve(C, Y, X, reg=0.5, cg_steps=2)
        err.append(float((X - exact).abs().max()))
    assert all(b < a / 2 for a, b in zip(err, err[1:]))  # each warm restart gets closer
    X4 = cg_solve(C, Y, torch.zeros(30, 4, dtype=torch.float64), 0.5, cg_steps=4)
    np.testing.assert_allclose(X4.numpy(), exact.numpy(), atol=1e-6)  # 4 unknowns: 4 steps solve it


def test_cg_solver_reaches_the_exact_solvers_fit():
    """Same start, same data: 3 warm-started CG steps per half-iteration track the exact solves."""
    data = clustered(n_users=120, n_items=60, seed=3)
    fits = {s: ALS(n_factors=4, n_iters=10, reg=0.1, alpha=5, solver=s, compute_loss=True, device="cpu").fit(data)
            for s in ("exact", "cg")}
    loss = {s: m.history_.loss.to_numpy() for s, m in fits.items()}
    assert loss["cg"][-1] == pytest.approx(loss["exact"][-1], rel=0.02)
    assert loss["cg"][0] > loss["exact"][0]  # the first CG steps start from the random init: not yet converged
    s_exact, s_cg = (m.score(np.arange(120)).numpy() for m in fits.values())
    assert np.corrcoef(s_exact.ravel(), s_cg.ravel())[0, 1] > 0.99
    with pytest.raises(ValueError, match="solver"):
        ALS(solver="newton")
