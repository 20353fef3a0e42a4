"""Peer libraries behind the book's one protocol, for cross-checks (chapter 3).

Wrapping Surprise, cornac and implicit as :class:`~hybridrec_ref.base.Recommender`
subclasses means that their models see exactly the same ``Interactions``
split and go through exactly the same evaluation code as ours, so a
difference in a table is a difference between the algorithms, not between
two evaluation pipelines. The peer libraries are test/benchmark
dependencies only; each wrapper imports its library when it is built and
says how to install it if it is missing.

- :class:`SurpriseRating`: any Surprise algorithm (``SVD``, ``BaselineOnly``,
  ``KNNBasic``, ...) for rating prediction.
- :class:`CornacBPR`: cornac's ``BPR`` (item bias, per-sample SGD).
- :class:`ImplicitALS`: implicit's ``AlternatingLeastSquares``. Note that
  implicit's confidence is ``c_ui = alpha * r_ui`` whereas Hu, Koren &
  Volinsky (and :class:`~hybridrec_ref.cf.als.ALS`) use ``1 + alpha * r_ui``:
  implicit's ``alpha = 1 + alpha_ours`` is the same model for binary data.
"""

from __future__ import annotations

import importlib

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions


def _require(module: str, package: str):
    try:
        return importlib.import_module(module)
    except ImportError as err:  # pragma: no cover - exercised only without the peer installed
        raise ImportError(f"{module} is needed for this peer cross-check; install it with "
                          f"`pip install {package}`") from err


class SurpriseRating(Recommender):
    """Wrap a Surprise algorithm class: ``SurpriseRating("SVD", random_state=0)``."""

    predicts_ratings = True

    def __init__(self, algo: str = "SVD", **params):
        self.algo, self.params = algo, params

    def _fit(self, train: Interactions) -> None:
        surprise = _require("surprise", "scikit-surprise")
        if train.ratings is None:
            raise ValueError("Surprise models need explicit ratings")
        if not hasattr(surprise, self.algo):
            raise ValueError(f"surprise has no algorithm {self.algo!r}")
        df = train.to_frame()[["user", "item", "rating"]]
        lo, hi = float(train.ratings.min()), float(train.ratings.max())
        data = surprise.Dataset.load_from_df(df, surprise.Reader(rating_scale=(lo, hi)))
        self.model_ = getattr(surprise, self.algo)(**self.params)
        self.model_.fit(data.build_full_trainset())

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        est = [self.model_.predict(int(u), int(i)).est for u, i in zip(users.tolist(), items.tolist())]
        return np.asarray(est, dtype=np.float32)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        raise NotImplementedError("SurpriseRating is used for rating prediction only")


def _to_index_space(factors_u, factors_i, bias_i, uid_map, iid_map, n_users, n_items):
    """Scatter a peer's factors (its own id order) back into our index space; unknown items score -inf."""
    f = factors_u.shape[1]
    U = np.zeros((n_users, f), dtype=np.float32)
    V = np.zeros((n_items, f), dtype=np.float32)
    b = np.full(n_items, -np.inf, dtype=np.float32)
    ours_u = np.fromiter(uid_map.keys(), dtype=np.int64)
    ours_i = np.fromiter(iid_map.keys(), dtype=np.int64)
    U[ours_u] = factors_u[np.fromiter(uid_map.values(), dtype=np.int64)]
    V[ours_i] = factors_i[np.fromiter(iid_map.values(), dtype=np.int64)]
    b[ours_i] = 0.0 if bias_i is None else bias_i[np.fromiter(iid_map.values(), dtype=np.int64)]
    return torch.as_tensor(U), torch.as_tensor(V), torch.as_tensor(b)


class CornacBPR(Recommender):
    """cornac's ``BPR`` (``k`` factors, ``max_iter`` epochs, SGD) in our protocol."""

    def __init__(self, k: int = 10, max_iter: int = 100, learning_rate: float = 0.001, lambda_reg: float = 0.01,
                 seed: int = 42):
        self.k, self.max_iter, self.learning_rate = k, max_iter, learning_rate
        self.lambda_reg, self.seed = lambda_reg, seed

    def _fit(self, train: Interactions) -> None:
        cornac = _require("cornac", "cornac")
        triples = list(zip(train.users.tolist(), train.items.tolist(), [1.0] * len(train)))
        ds = cornac.data.Dataset.from_uir(triples, seed=self.seed)
        m = cornac.models.BPR(k=self.k, max_iter=self.max_iter, learning_rate=self.learning_rate,
                              lambda_reg=self.lambda_reg, seed=self.seed, verbose=False)
        m.fit(ds)
        self.U_, self.V_, self.b_ = _to_index_space(m.u_factors, m.i_factors, m.i_biases, ds.uid_map, ds.iid_map,
                                                    train.n_users, train.n_items)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.U_[torch.as_tensor(users)] @ self.V_.T + self.b_


class ImplicitALS(Recommender):
    """implicit's ``AlternatingLeastSquares`` (CPU, conjugate gradient) in our protocol."""

    def __init__(self, factors: int = 100, regularization: float = 0.01, alpha: float = 1.0, iterations: int = 15,
                 use_cg: bool = True, seed: int = 42):
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.use_cg, self.seed = iterations, use_cg, seed

    def _fit(self, train: Interactions) -> None:
        _require("implicit", "implicit")
        from implicit.cpu.als import AlternatingLeastSquares

        m = AlternatingLeastSquares(factors=self.factors, regularization=self.regularization, alpha=self.alpha,
                                    iterations=self.iterations, use_cg=self.use_cg, random_state=self.seed,
                                    calculate_training_loss=False)
        m.fit(train.to_csr("ones").astype(np.float32), show_progress=False)
        self.U_ = torch.as_tensor(np.asarray(m.user_factors))
        self.V_ = torch.as_tensor(np.asarray(m.item_factors))

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.U_[torch.as_tensor(users)] @ self.V_.T
