"""User- and item-kNN (hybridrec_ref.cf.knn): similarities against brute force, predictions against Surprise."""

import numpy as np
import pytest
import torch

from hybridrec_ref.base import NotFittedError
from hybridrec_ref.cf.knn import ItemKNN, UserKNN
from hybridrec_ref.cf.similarity import binary_neighbours, binary_similarity, corated_similarity
from hybridrec_ref.data import Interactions, kfold

torch.set_num_threads(1)


def random_ratings(n_users=60, n_items=40, density=0.3, seed=0):
    rng = np.random.default_rng(seed)
    mask = rng.random((n_users, n_items)) < density
    u, i = np.nonzero(mask)
    taste = rng.normal(size=(n_users, 2)) @ rng.normal(size=(2, n_items))
    r = np.clip(np.round(3 + taste[u, i] + rng.normal(0, 0.5, len(u))), 1, 5)
    return Interactions(u, i, n_users, n_items, ratings=r)


def brute_similarity(R, kind):
    """Surprise's definitions, one pair at a time over co-rated rows."""
    n = R.shape[1]
    S = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            both = (R[:, a] > 0) & (R[:, b] > 0)
            if not both.any():
                continue
            x, y = R[both, a], R[both, b]
            if kind == "cosine":
                S[a, b] = x @ y / np.sqrt((x @ x) * (y @ y))
            else:
                xc, yc = x - x.mean(), y - y.mean()
                den = np.sqrt((xc @ xc) * (yc @ yc))
                S[a, b] = 0.0 if den == 0 else xc @ yc / den
    np.fill_diagonal(S, 1.0)
    return S


@pytest.mark.parametrize("kind", ["cosine", "pearson"])
def test_corated_similarity_matches_brute_force(kind):
    data = random_ratings(30, 12, 0.5)
    R = data.to_csr("ratings").toarray().astype(np.float64)
    sim, freq = corated_similarity(torch.as_tensor(R), torch.as_tensor((R > 0).astype(float)), kind)
    np.testing.assert_allclose(sim.numpy(), brute_similarity(R, kind), atol=1e-10)
    np.testing.assert_array_equal(freq.numpy(), (R > 0).T.astype(int) @ (R > 0).astype(int))


def test_shrinkage_and_min_support_damp_similarities():
    data = random_ratings(30, 12, 0.4)
    R = torch.as_tensor(data.to_csr("ratings").toarray(), dtype=torch.float64)
    B = (R > 0).double()
    raw, freq = corated_similarity(R, B, "pearson")
    shrunk, _ = corated_similarity(R, B, "pearson", shrinkage=10.0)
    off = ~torch.eye(12, dtype=torch.bool)
    assert (shrunk[off].abs() <= raw[off].abs() + 1e-12).all()
    expected = raw * (freq - 1).clamp_min(0) / ((freq - 1).clamp_min(0) + 10.0)
    torch.testing.assert_close(shrunk[off], expected[off])
    strict, _ = corated_similarity(R, B, "pearson", min_support=6)
    assert (strict[off][freq[off] < 6] == 0).all()


def test_binary_similarity_cosine_and_phi():
    rng = np.random.default_rng(1)
    X = (rng.random((50, 8)) < 0.3).astype(float)
    cos = binary_similarity(torch.as_tensor(X), "cosine").numpy()
    norms = np.linalg.norm(X, axis=0)
    expected = X.T @ X / np.outer(norms, norms)
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(cos, expected, atol=1e-12)
    phi = binary_similarity(torch.as_tensor(X), "pearson").numpy()
    expected = np.corrcoef(X.T)
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(phi, expected, atol=1e-10)


def test_explicit_prediction_matches_hand_computation():
    # predict an unrated (user, item) pair from the k most similar items the user rated
    data = random_ratings(40, 10, 0.6, seed=3)
    model = ItemKNN(k=2, similarity="pearson", device="cpu").fit(data)
    R = data.to_csr("ratings").toarray()
    i = 0
    u = int(np.flatnonzero(R[:, i] == 0)[0])
    rated = np.flatnonzero(R[u])
    s = model.similarity_[i, rated].double().numpy()
    top = np.argsort(-s, kind="stable")[:2]
    w, r = s[top], R[u, rated[top]]
    keep = w > 0
    expected = (w[keep] @ r[keep]) / w[keep].sum() if keep.any() else data.ratings.mean()
    assert model.predict([u], [i])[0] == pytest.approx(np.clip(expected, 1, 5), abs=1e-5)


def test_implicit_scores_are_sums_over_neighbours():
    data = random_ratings(30, 15, 0.3, seed=4)
    X = data.to_csr("ones").toarray()
    # every neighbour kept: score(u, i) = sum of positive similarities of i to u's items
    item = ItemKNN(k=14, feedback="implicit", device="cpu").fit(data)
    S = np.clip(item.similarity_.numpy(), 0, None)
    np.testing.assert_allclose(item.score(np.arange(30)).numpy(), X @ S.T, atol=1e-5)
    user = UserKNN(k=29, feedback="implicit", device="cpu").fit(data)
    Su = np.clip(user.similarity_.numpy(), 0, None)
    np.testing.assert_allclose(user.score(np.arange(30)).numpy(), Su @ X, atol=1e-5)
    # k neighbours: each row keeps its k largest similarities (compared by value: ties are arbitrary)
    small = ItemKNN(k=3, feedback="implicit", device="cpu").fit(data)
    W = small.neighbours_.toarray()
    assert ((W > 0).sum(1) <= 3).all()
    expected = np.clip(-np.sort(-small.similarity_.numpy(), axis=1)[:, :3], 0, None)
    np.testing.assert_allclose(-np.sort(-W, axis=1)[:, :3], expected, atol=1e-6)
    np.testing.assert_allclose(small.score(np.arange(30)).numpy(), X @ W.T, atol=1e-5)
    assert not item.predicts_ratings
    with pytest.raises(NotImplementedError):
        item.predict([0], [0])


@pytest.mark.parametrize("kind", ["cosine", "pearson"])
@pytest.mark.parametrize("shrinkage", [0.0, 5.0])
def test_sparse_neighbours_equal_top_k_of_the_dense_similarity(kind, shrinkage):
    # computed in blocks of a few rows, never as an n x n matrix, yet the same neighbours and weights
    data = random_ratings(50, 23, 0.3, seed=6)
    X = data.to_csr("ones")
    dense = binary_similarity(X, kind, shrinkage)
    top = torch.topk(dense, 4, dim=1)
    expected = torch.zeros_like(dense).scatter_(1, top.indices, top.values.clamp_min(0)).float().numpy()
    W = binary_neighbours(X, 4, kind, shrinkage, block_bytes=8 * 23 * 5)   # 5 rows per block
    assert W.shape == (23, 23) and W.dtype == np.float32 and (W.diagonal() == 0).all()
    np.testing.assert_array_equal(W.toarray(), expected)
    assert (W.data > 0).all() and (np.diff(W.indptr) <= 4).all()


def test_explicit_score_equals_predict():
    data = random_ratings(20, 10, 0.5, seed=5)
    m = UserKNN(k=5, baseline=True, device="cpu").fit(data)
    scores = m.score(np.array([2, 3])).numpy()
    np.testing.assert_allclose(scores[1], m.predict(np.full(10, 3), np.arange(10)), atol=1e-6)


@pytest.mark.parametrize("user_based", [False, True])
@pytest.mark.parametrize("sim,baseline", [("cosine", False), ("pearson", True)])
def test_matches_surprise_knn(ml100k, user_based, sim, baseline):
    """Peer cross-check on a subset: same split, same options as KNNBasic / KNNBaseline."""
    surprise = pytest.importorskip("surprise")
    data = ml100k.interactions
    data = data.subset((data.users < 150) & (data.items < 300))
    train, test = next(kfold(data, 5, seed=0))
    cls = UserKNN if user_based else ItemKNN
    ours = cls(k=20, similarity=sim, baseline=baseline, device="cpu").fit(train)
    p_ours = ours.predict(test.users, test.items)
    algo = (surprise.KNNBaseline if baseline else surprise.KNNBasic)(
        k=20, sim_options={"name": sim, "user_based": user_based}, verbose=False)
    frame = train.to_frame()[["user", "item", "rating"]]
    algo.fit(surprise.Dataset.load_from_df(frame, surprise.Reader(rating_scale=(1, 5))).build_full_trainset())
    p_peer = np.array([algo.predict(u, i).est for u, i in zip(test.users.tolist(), test.items.tolist())])
    # identical up to the order in which equally similar neighbours are taken: with cosine, any two
    # entities with a single co-rating have similarity exactly 1 (Pearson: two co-ratings give +-1), so ties at
    # the k-th neighbour are common
    assert np.mean(np.abs(p_ours - p_peer) < 1e-4) > (0.9 if sim == "cosine" else 0.95)
    rmse = lambda p: np.sqrt(np.mean((p - test.ratings) ** 2))  # noqa: E731
    assert rmse(p_ours) == pytest.approx(rmse(p_peer), abs=2e-3)


def test_bad_parameters_and_inputs_raise():
    with pytest.raises(ValueError, match="k"):
        ItemKNN(k=0)
    with pytest.raises(ValueError, match="similarity"):
        ItemKNN(similarity="jaccard")
    with pytest.raises(ValueError, match="feedback"):
        UserKNN(feedback="binary")
    with pytest.raises(ValueError, match="baseline"):
        ItemKNN(feedback="implicit", baseline=True)
    with pytest.raises(ValueError, match="shrinkage"):
        ItemKNN(shrinkage=-1)
    with pytest.raises(NotFittedError):
        ItemKNN().score([0])
    no_ratings = Interactions([0, 1], [1, 0], 2, 2)
    with pytest.raises(ValueError, match="ratings"):
        ItemKNN().fit(no_ratings)
    ItemKNN(feedback="implicit", device="cpu").fit(no_ratings)  # fine without ratings
