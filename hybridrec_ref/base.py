"""The one recommender protocol every model in the book follows (chapter 1).

    model = SomeRecommender(hyper=...)      # hyper-parameters only
    model.fit(train)                        # -> model; learned state ends in "_"
    model.score(users)                      # -> (len(users), n_items) float tensor
    model.recommend(users, k=10)            # -> (len(users), k) item indices
    model.predict(users, items)             # rating models only

Subclasses implement ``_fit(train)`` and ``_score(users)``; the base class
validates inputs, remembers what each user has seen (to exclude it from
recommendations) and does the top-k. Like Surprise's ``AlgoBase`` and
scikit-learn estimators, but scores are torch tensors so the same code runs
on a GPU.
"""

from __future__ import annotations

import numpy as np
import torch

from .data.interactions import Interactions


class NotFittedError(RuntimeError):
    """A model was asked to score before ``fit`` was called."""


def check_k(k) -> int:
    """Validate a cut-off ``k`` (a positive int)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


class Recommender:
    """Base class: ``fit / score / recommend`` on :class:`Interactions` indices."""

    #: models that predict explicit ratings set this to True and implement ``_predict``
    predicts_ratings = False
    #: models that track a validation set while training (learning curves, early stopping)
    #: set this to True and read ``self._valid`` (``None`` when not given) inside ``_fit``
    uses_validation = False

    # --------------------------------------------------------------- public
    def fit(self, train: Interactions, valid: Interactions | None = None) -> "Recommender":
        """Fit on ``train``; ``valid`` (same index space) only for models with ``uses_validation``."""
        if not isinstance(train, Interactions):
            raise TypeError(f"fit expects an Interactions object, got {type(train).__name__}")
        if len(train) == 0:
            raise ValueError("cannot fit on empty interactions")
        if valid is not None:
            if not self.uses_validation:
                raise ValueError(f"{type(self).__name__} does not use validation data; call fit(train)")
            if not isinstance(valid, Interactions):
                raise TypeError(f"valid must be an Interactions object, got {type(valid).__name__}")
            if (valid.n_users, valid.n_items) != (train.n_users, train.n_items):
                raise ValueError("train and valid live in different index spaces; split one Interactions object")
        self.n_users_, self.n_items_ = train.n_users, train.n_items
        self.seen_ = train.to_csr("ones")
        self._valid = valid
        try:
            self._fit(train)
        finally:
            del self._valid
        return self

    def score(self, users) -> torch.Tensor:
        """Scores of every item for each user in ``users``, shape ``(len(users), n_items)``."""
        users = self._check_users(users)
        return self._score(users)

    def recommend(self, users, k: int = 10, exclude_seen: bool = True) -> np.ndarray:
        """Top-``k`` item indices per user, best first (training items excluded by default)."""
        k = check_k(k)
        users = self._check_users(users)
        if k > self.n_items_:
            raise ValueError(f"k={k} exceeds the number of items ({self.n_items_})")
        scores = self._score(users).float().clone()
        if exclude_seen:
            mask_seen(scores, self.seen_, users)
        return torch.topk(scores, k, dim=1).indices.cpu().numpy()

    def predict(self, users, items) -> np.ndarray:
        """Predicted ratings for (user, item) index pairs (rating models only)."""
        if not self.predicts_ratings:
            raise NotImplementedError(f"{type(self).__name__} ranks items; it does not predict ratings")
        users = self._check_users(users)
        items = np.asarray(items, dtype=np.int64)
        if items.shape != users.shape:
            raise ValueError(f"users and items must have the same length, got {len(users)} and {len(items)}")
        if len(items) and (items.min() < 0 or items.max() >= self.n_items_):
            raise ValueError(f"item indices must lie in [0, {self.n_items_}); map raw ids with Interactions.item_index")
        return self._predict(users, items)

    # ------------------------------------------------------------- helpers
    def _check_users(self, users) -> np.ndarray:
        if not hasattr(self, "n_users_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train) first")
        users = np.atleast_1d(np.asarray(users))
        if users.dtype.kind not in "iu":
            raise TypeError(f"users must be integer indices, got dtype {users.dtype}; "
                            "map raw ids with Interactions.user_index")
        if len(users) and (users.min() < 0 or users.max() >= self.n_users_):
            raise ValueError(f"user indices must lie in [0, {self.n_users_}), got [{users.min()}, {users.max()}]")
        return users.astype(np.int64)

    def _fit(self, train: Interactions) -> None:
        raise NotImplementedError

    def _score(self, users: np.ndarray) -> torch.Tensor:
        raise NotImplementedError

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        params = {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in params.items())})"


def mask_seen(scores: torch.Tensor, seen, users: np.ndarray) -> torch.Tensor:
    """Set the scores of each user's training items to ``-inf`` (in place) and return them."""
    rows = seen[users]
    r, c = rows.nonzero()
    scores[torch.as_tensor(r, device=scores.device), torch.as_tensor(c, device=scores.device)] = -torch.inf
    return scores
