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

import copy
import inspect

import numpy as np
import torch

from .data.interactions import Interactions
from .validation import check_index_array, check_interactions, check_k  # check_k re-exported: ``from hybridrec_ref.base import check_k``


class NotFittedError(RuntimeError):
    """A model was asked to score before ``fit`` was called."""


def _init_params(cls) -> list[str]:
    """Names of the keyword parameters of ``cls.__init__`` (scikit-learn's ``_get_param_names``)."""
    if cls.__init__ is object.__init__:
        return []                       # no constructor, no hyper-parameters
    sig = inspect.signature(cls.__init__)
    names = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"{cls.__name__}.__init__ must list its hyper-parameters explicitly (no *args/**kwargs)")
        names.append(p.name)
    return names


def clone(obj):
    """An unfitted copy of ``obj`` with equal hyper-parameters (scikit-learn's ``clone``).

    Recommenders are copied by their own :meth:`Recommender.clone` (rebuilt from
    :meth:`~Recommender.get_params`, child models cloned in turn; a class may
    override it, as scikit-learn's ``__sklearn_clone__`` allows); lists, tuples
    and dicts holding recommenders are cloned element by element; anything else
    is deep-copied. Composite models fit clones of the children they were given
    and keep them in ``_``-suffixed attributes, so fitting a hybrid never changes
    the caller's objects.
    """
    if isinstance(obj, Recommender):
        return obj.clone()
    if isinstance(obj, (list, tuple)) and any(isinstance(v, Recommender) for v in obj):
        return type(obj)(clone(v) for v in obj)
    if isinstance(obj, dict) and any(isinstance(v, Recommender) for v in obj.values()):
        return {k: clone(v) for k, v in obj.items()}
    return copy.deepcopy(obj)


class Recommender:
    """Base class: ``fit / score / recommend`` on :class:`Interactions` indices."""

    #: models that predict explicit ratings set this to True and implement ``_predict``
    predicts_ratings = False
    #: models that track a validation set while training (learning curves, early stopping)
    #: set this to True and implement ``_fit(train, valid)`` (``valid`` is ``None`` when not given)
    uses_validation = False

    # --------------------------------------------------------------- params
    def get_params(self) -> dict:
        """The constructor's hyper-parameters, read back from the attributes of the same names."""
        missing = [n for n in _init_params(type(self)) if not hasattr(self, n)]
        if missing:
            raise AttributeError(f"{type(self).__name__} must store its constructor arguments unchanged as "
                                 f"attributes of the same names; missing: {missing}")
        return {name: getattr(self, name) for name in _init_params(type(self))}

    def clone(self) -> "Recommender":
        """An unfitted copy with equal hyper-parameters: ``type(self)(**cloned params)``."""
        return type(self)(**{k: clone(v) for k, v in self.get_params().items()})

    # --------------------------------------------------------------- public
    def fit(self, train: Interactions, valid: Interactions | None = None) -> "Recommender":
        """Fit on ``train``; ``valid`` (same index space) only for models with ``uses_validation``."""
        check_interactions(train)
        if valid is not None:
            if not self.uses_validation:
                raise ValueError(f"{type(self).__name__} does not use validation data; call fit(train)")
            check_interactions(valid, "valid")
            if (valid.n_users, valid.n_items) != (train.n_users, train.n_items):
                raise ValueError("train and valid live in different index spaces; split one Interactions object")
        self.n_users_, self.n_items_ = train.n_users, train.n_items
        self.seen_ = train.to_csr("ones")
        if self.uses_validation:
            self._fit(train, valid)
        else:
            self._fit(train)
        return self

    def score(self, users) -> torch.Tensor:
        """Scores of every item for each user in ``users``, shape ``(len(users), n_items)``."""
        users = self._check_users(users)
        return self._score(users)

    def recommend(self, users, k: int = 10, exclude_seen: bool = True) -> np.ndarray:
        """Top-``k`` item indices per user, best first (training items excluded by default).

        Ties go to the lower item index, so the lists are prefix-consistent across ``k``; a user
        with fewer than ``k`` recommendable items and NaN scores raise ``ValueError`` (see
        :func:`top_k`). Lists are never padded.
        """
        k = check_k(k)
        users = self._check_users(users)
        if k > self.n_items_:
            raise ValueError(f"k={k} exceeds the number of items ({self.n_items_})")
        scores = self._score(users)
        scores = scores.clone() if scores.is_floating_point() else scores.float()  # float64 tie-breaks survive
        if exclude_seen:
            mask_seen(scores, self.seen_, users)
        return top_k(scores, k, users, type(self).__name__).cpu().numpy()

    def predict(self, users, items) -> np.ndarray:
        """Predicted ratings for (user, item) index pairs (rating models only)."""
        if not self.predicts_ratings:
            raise NotImplementedError(f"{type(self).__name__} ranks items; it does not predict ratings")
        users = self._check_users(users)
        items = check_index_array("item indices", items, self.n_items_)
        if items.shape != users.shape:
            raise ValueError(f"users and items must have the same length, got {len(users)} and {len(items)}")
        return self._predict(users, items)

    # ------------------------------------------------------------- helpers
    def _check_users(self, users) -> np.ndarray:
        if not hasattr(self, "n_users_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train) first")
        return check_index_array("user indices", users, self.n_users_)

    def _fit(self, train: Interactions) -> None:
        raise NotImplementedError

    def _score(self, users: np.ndarray) -> torch.Tensor:
        raise NotImplementedError

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        try:
            params = self.get_params()
        except AttributeError:
            params = {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}

        def show(v):  # arrays (feature matrices, embeddings) by shape, not by their values
            return f"<array {tuple(v.shape)}>" if getattr(v, "ndim", 0) else repr(v)

        return f"{type(self).__name__}({', '.join(f'{k}={show(v)}' for k, v in params.items())})"


def mask_seen(scores: torch.Tensor, seen, users: np.ndarray) -> torch.Tensor:
    """Set the scores of each user's training items to ``-inf`` (in place) and return them."""
    rows = seen[users]
    r, c = rows.nonzero()
    scores[torch.as_tensor(r, device=scores.device), torch.as_tensor(c, device=scores.device)] = -torch.inf
    return scores


def top_k(scores: torch.Tensor, k: int, users=None, model: str = "the model") -> torch.Tensor:
    """Indices of the ``k`` best items per row: higher score first, ties to the lower item index.

    The failure policy of the reproducing appendix (:ref:`sec-reproducing-failures`):

    - the order is deterministic and *prefix-consistent*: ``top_k(s, 5)`` is the first five
      columns of ``top_k(s, 20)`` (``torch.topk`` breaks ties differently for different ``k``);
    - a NaN score raises ``ValueError`` naming ``model`` (NaN would otherwise rank first);
    - items scored ``-inf`` (training items, items outside a candidate set) are never returned:
      if a row has fewer than ``k`` other items, ``ValueError`` names the user and the count.
      (Padding with ``-1`` would be read by numpy as the last item.)
    """
    if torch.isnan(scores).any():
        rows = torch.isnan(scores).any(1).nonzero().flatten().tolist()
        who = rows if users is None else np.asarray(users)[rows].tolist()
        raise ValueError(f"{model} produced NaN scores for {len(rows)} user(s) (first: {who[:5]}); "
                         "a diverged or mis-fed model cannot rank items")
    available = (scores > -torch.inf).sum(1)
    short = (available < k).nonzero().flatten()
    if len(short):
        r = int(short[0])
        who = r if users is None else int(np.asarray(users)[r])
        raise ValueError(f"user {who} has only {int(available[r])} recommendable item(s) (not seen in training, "
                         f"not excluded by {model}) but k={k} were asked for ({len(short)} user(s) affected); "
                         "lower k or pass exclude_seen=False")
    # stable descending sort: equal scores keep their index order, so lower item indices come first
    return torch.sort(scores, dim=1, descending=True, stable=True).indices[:, :k]
