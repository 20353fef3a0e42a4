"""Objectives for :func:`~hybridrec_ref.tuning.study.search`, one per kind of parameter (chapter 13).

The outline names three kinds of parameter (its "parameter tuning" section, ``app-outline``); each has a
factory here returning ``objective(params, report) -> validation NDCG@k``:

- **model** parameters: :func:`model_objective` fits ``build(**params)``;
  :func:`bpr_epoch_objective` trains cornac's BPR epoch by epoch and reports
  validation NDCG after each block of epochs, so a median pruner can stop it;
- **preprocessing** parameters: :func:`preprocessing_objective` filters the
  training data to a k-core (``min_user``, ``min_item``) and keeps only
  ratings >= ``min_rating`` before fitting;
- **fusion** parameters: :func:`blend_objective` blends fitted models' scores
  with weights ``w_<name>`` after a per-user calibration ``normalise``.

All of them score ``valid``, an inner split of the training data, never the test set.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..base import mask_seen
from ..data.interactions import Interactions
from ..eval.metrics import topk_metrics
from ..fusion.weighted import normalised_scores
from ..validation import check_int


def _users(valid: Interactions) -> np.ndarray:
    return np.flatnonzero(valid.user_counts() > 0)


def _ndcg(scores: torch.Tensor, seen, valid: Interactions, users: np.ndarray, k: int) -> float:
    scores = mask_seen(scores.float().cpu().clone(), seen, users)
    topk = torch.topk(scores, k, dim=1).indices.numpy()
    return float(topk_metrics(topk, valid.to_csr("ones"), users)["NDCG"].mean())


def validation_ndcg(model, valid: Interactions, k: int = 10) -> float:
    """Mean NDCG@k over the users of ``valid`` (full ranking, the model's training items excluded)."""
    users = _users(valid)
    return _ndcg(model.score(users), model.seen_, valid, users, check_int("k", k))


def model_objective(build: Callable, train: Interactions, valid: Interactions, k: int = 10) -> Callable:
    """Model parameters: ``params`` go to ``build`` (a model class or factory), fitted on ``train``."""
    def objective(params, report):
        return validation_ndcg(build(**params).fit(train), valid, k)
    return objective


def kcore(data: Interactions, min_user: int = 1, min_item: int = 1) -> Interactions:
    """Drop interactions until every remaining user has ``>= min_user`` and every item ``>= min_item``
    of them (the k-core; same index space)."""
    min_user, min_item = check_int("min_user", min_user), check_int("min_item", min_item)
    keep = np.ones(len(data), dtype=bool)
    while True:
        u = np.bincount(data.users[keep], minlength=data.n_users)
        i = np.bincount(data.items[keep], minlength=data.n_items)
        drop = keep & ((u[data.users] < min_user) | (i[data.items] < min_item))
        if not drop.any():
            return data.subset(keep)
        keep &= ~drop


def preprocessing_objective(build: Callable, train: Interactions, valid: Interactions, k: int = 10) -> Callable:
    """Preprocessing parameters ``min_user``, ``min_item`` (k-core) and ``min_rating``; ``build()`` is the model.

    The model never sees the dropped interactions, but they still count as *seen*
    when ranking (they are the user's history, whatever the model learned from).
    """
    users = _users(valid)
    seen = train.to_csr("ones")

    def objective(params, report):
        part = train
        if params.get("min_rating", None) is not None and train.ratings is not None:
            part = part.subset(part.ratings >= params["min_rating"])
        part = kcore(part, params.get("min_user", 1), params.get("min_item", 1))
        if len(part) == 0:
            return 0.0
        model = build().fit(part)
        return _ndcg(model.score(users), seen, valid, users, k)
    return objective


def blend_objective(models: dict, valid: Interactions, k: int = 10) -> Callable:
    """Fusion parameters: ``w_<name>`` per fitted model (1 where absent) and ``normalise`` (per-user calibration).

    Scores are computed once per calibration and cached, so a trial costs one blend and one ranking.
    """
    users = _users(valid)
    seen = next(iter(models.values())).seen_
    cache = {}

    def objective(params, report):
        how = params.get("normalise", "zscore")
        if how not in cache:
            cache[how] = {n: normalised_scores(m, users, how) for n, m in models.items()}
        total = sum(params.get(f"w_{n}", 1.0) * s for n, s in cache[how].items())
        return _ndcg(total, seen, valid, users, k)
    return objective


def bpr_epoch_objective(train: Interactions, valid: Interactions, n_epochs: int = 100, epochs_per_step: int = 10,
                        k: int = 10, seed: int = 42) -> Callable:
    """cornac BPR (``n_factors``, ``lr``, ``reg``) trained in blocks of ``epochs_per_step`` epochs,
    reporting validation NDCG@k after each block (a pruner may stop the trial there).

    Each block continues from the factors of the last one (cornac's ``init_params``) with a fresh
    sampling seed, so the result is not the same as one uninterrupted run of ``n_epochs``.
    """
    from ..cf.peers import _require, _to_index_space

    cornac = _require("cornac", "cornac")
    n_epochs, epochs_per_step = check_int("n_epochs", n_epochs), check_int("epochs_per_step", epochs_per_step)
    triples = list(zip(train.users.tolist(), train.items.tolist(), [1.0] * len(train)))
    ds = cornac.data.Dataset.from_uir(triples, seed=seed)
    users, seen = _users(valid), train.to_csr("ones")
    ut = torch.as_tensor(users)

    def objective(params, report):
        init, value = None, 0.0
        for step, done in enumerate(range(0, n_epochs, epochs_per_step)):
            m = cornac.models.BPR(k=int(params["n_factors"]), max_iter=min(epochs_per_step, n_epochs - done),
                                  learning_rate=params["lr"], lambda_reg=params["reg"], seed=seed + step,
                                  init_params=init, verbose=False).fit(ds)
            init = {"U": m.u_factors, "V": m.i_factors, "Bi": m.i_biases}
            U, V, b = _to_index_space(m.u_factors, m.i_factors, m.i_biases, ds.uid_map, ds.iid_map,
                                      train.n_users, train.n_items)
            value = _ndcg(U[ut] @ V.T + b, seen, valid, users, k)
            report(step, value)
        return value
    return objective
